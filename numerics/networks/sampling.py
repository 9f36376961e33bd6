"""Counter-based random networks: every draw is a pure function of (seed, shape, trial).

Each layer h of trial t gets its own streams, derived with
``numpy.random.SeedSequence(entropy=seed, spawn_key=(*key, t, h, kind))`` where
``key`` = :func:`network_key` (four 32-bit words of a SHA-256 of the shapes) and
kind 0 draws the weights, kind 1 the mask.  So a network never depends on what
was drawn before it: trials can be split over any number of workers, in any
order, and come out bitwise the same.

Layout of the draws (it is part of the contract, and tests rebuild it):

* weights: ``Generator(SFC64(ss_w)).standard_normal((n_h, n_{h-1}))``, row-major;
* mask: ``Generator(SFC64(ss_m)).random((n_h, n_{h-1})) < float(q_h)``: the
  uniforms are multiples of 2^-53, so the realised keep probability is within
  2^-52 of q_h; pruned weights are then set to 0.

SFC64 is the fastest bit generator NumPy ships (measured on a 2-core x86-64
machine: a float64 normal in 8.1 ns against 9.8 ns for PCG64DXSM and 10.2 ns for
PCG64; a float64 uniform in 1.7 ns against 2.2 ns).  float32 uniforms are no
faster from SFC64 (1.9 ns), so masks compare float64 uniforms, which also keeps
the realised keep probability exact to 2^-52.  Its 256-bit state (with a
counter) is ample: every stream is seeded afresh by SeedSequence and is short
(one layer).  float32 networks draw their weights with
``standard_normal(..., dtype=float32)`` from the same streams (and another key).

The key covers the shapes and the float type only: networks that differ only in
their keep probabilities, masked layers, rescaling or activation share weights
and uniforms (common random numbers), so their kernels can be compared pairwise,
and masks for a smaller keep probability are subsets of those for a larger one.
"""

from __future__ import annotations

import hashlib
from typing import Sequence

import numpy as np

from theory._errors import InvalidArgument, check_int
from theory.config import Architecture

from .network import MaskedNetwork

__all__ = ["sample_network", "network_key", "layer_generator", "DTYPES"]

DTYPES = ("float64", "float32")
_WEIGHTS, _MASK = 0, 1
_BLOCK = 1 << 16   # elements per block when drawing a masked layer (stays in cache)


def hidden_widths(widths, depth: int) -> tuple[int, ...]:
    if isinstance(widths, Sequence) and not isinstance(widths, str):
        values = tuple(widths)
        if len(values) != depth:
            raise InvalidArgument("widths", widths,
                                  f"need {depth} hidden widths n_1..n_L for depth {depth}",
                                  "give one width for every hidden layer, or one integer")
    else:
        values = (widths,) * depth
    return tuple(check_int(n, "widths", 1) for n in values)


def network_key(shape: Sequence[int], dtype: str = "float64") -> tuple[int, ...]:
    """Four 32-bit words identifying a network's shape (d0, n_1, ..., n_L, 1) and dtype.

    >>> network_key((3, 5, 1)) == network_key([3, 5, 1])
    True
    >>> network_key((3, 5, 1)) == network_key((3, 6, 1))
    False
    """
    text = f"pruned-ntk.network.v1|{dtype}|" + ",".join(str(int(n)) for n in shape)
    digest = hashlib.sha256(text.encode("ascii")).digest()
    return tuple(int.from_bytes(digest[i:i + 4], "little") for i in range(0, 16, 4))


def layer_generator(seed: int, key: Sequence[int], trial: int, layer: int,
                    kind: int) -> np.random.Generator:
    """The generator of one layer's weights (kind 0) or mask (kind 1)."""
    ss = np.random.SeedSequence(entropy=seed, spawn_key=(*key, trial, layer, kind))
    return np.random.Generator(np.random.SFC64(ss))


def _draw_layer(seed, key, trial, h, shape, keep_prob, dtype):
    W = np.empty(shape, dtype=dtype)
    gw = layer_generator(seed, key, trial, h, _WEIGHTS)
    if keep_prob is None:
        gw.standard_normal(out=W, dtype=dtype)
        return W, None
    gm = layer_generator(seed, key, trial, h, _MASK)
    M = np.empty(shape, dtype=bool)
    threshold = float(keep_prob)
    rows = max(1, _BLOCK // shape[1])
    U = np.empty((rows, shape[1]))
    for r0 in range(0, shape[0], rows):       # block-wise: the same draws, cache-hot
        r1 = min(shape[0], r0 + rows)
        w, m, u = W[r0:r1], M[r0:r1], U[:r1 - r0]
        gw.standard_normal(out=w, dtype=dtype)
        gm.random(out=u)
        np.less(u, threshold, out=m)
        np.multiply(w, m, out=w)
    return W, M


def sample_network(arch: Architecture, widths, seed: int, trial: int = 0, *,
                   input_dim: int, dtype: str = "float64") -> MaskedNetwork:
    """Draw trial ``trial`` of the random network ``arch`` (a NumPy network).

    ``widths`` are the hidden widths n_1..n_L (one int: all equal); entries of
    W^(h) are iid N(0, 1) and layer h in ``arch.masked_layers`` keeps each weight
    independently with probability q_h.  The result depends only on
    (seed, input_dim, widths, dtype, trial) and the keep probabilities.

    >>> arch = Architecture.pruned(depth=2, keep_prob="0.5")
    >>> net = sample_network(arch, 64, seed=1, trial=3, input_dim=5)
    >>> net.widths, net.masked_layers
    ((64, 64), (2, 3))
    >>> bool((sample_network(arch, 64, 1, 3, input_dim=5).weights[1] == net.weights[1]).all())
    True
    """
    if not isinstance(arch, Architecture):
        raise InvalidArgument("arch", type(arch).__name__, "not an Architecture",
                              "build one with theory.Architecture.pruned(...)")
    seed = check_int(seed, "seed")
    trial = check_int(trial, "trial")
    d0 = check_int(input_dim, "input_dim", 1)
    if dtype not in DTYPES:
        raise InvalidArgument("dtype", dtype, "unsupported float type",
                              f"choose one of {', '.join(DTYPES)}")
    shape = (d0, *hidden_widths(widths, arch.depth), 1)
    key = network_key(shape, dtype)
    weights, masks = [], []
    for h in range(1, arch.depth + 2):
        q = arch.keep_probs[h - 1] if h in arch.masked_layers else None
        W, M = _draw_layer(seed, key, trial, h, (shape[h], shape[h - 1]), q, np.dtype(dtype))
        weights.append(W)
        masks.append(M)
    return MaskedNetwork._trusted(weights, masks, arch.rescale, arch.keep_probs,
                                  arch.activation)
