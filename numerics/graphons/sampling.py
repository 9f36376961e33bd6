"""Finite networks whose masks are sampled from step graphons.

Neuron i of a width-n layer with K blocks sits in block ``floor(i K / n)`` (blocks of
equal size when K divides n; otherwise sizes differ by at most one neuron, an
O(K/n) change of the block weights that vanishes with width - use widths divisible
by K to avoid that O(1/n) bias in means).  The first layer's columns are the input
coordinates (K_0 = d0).  Weight (i, j) of layer h is kept when a uniform
U_ij < G_h[a(i), b(j)] (so M_ij ~ Bernoulli(W_h(u_i, v_j)) independently), weights
are i.i.d. N(0, 1), and rescaled pruning multiplies layer h by 1/sqrt(d_h), d_h the
graphon's density (see :class:`theory.graphon.GraphonNetwork`).

Draws are counter-based like :func:`numerics.networks.sampling.sample_network`
(streams keyed by seed, shape, trial, layer): the same (seed, widths, trial) gives
the same weights and uniforms whatever the graphon, so graphons are compared with
common random numbers, and a larger graphon keeps a superset of weights.

>>> import numpy as np
>>> from theory.graphon import GraphonNetwork
>>> g = GraphonNetwork.from_layers({2: [[1.0, 0.0], [0.0, 1.0]], 3: [[1.0, 1.0]]}, 2)
>>> net = sample_graphon_network(g, 8, seed=0, input_dim=3)
>>> net.masks[1].astype(int)[::2, ::2]           # block-diagonal graphon
array([[1, 1, 0, 0],
       [1, 1, 0, 0],
       [0, 0, 1, 1],
       [0, 0, 1, 1]])
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from theory._errors import InvalidArgument, check_int
from theory.graphon.selection import magnitude_threshold
from theory.graphon.spec import GraphonNetwork

from ..masks.mask import Mask
from ..networks.network import MaskedNetwork
from ..networks.sampling import _widths, layer_generator, network_key

__all__ = ["sample_graphon_network", "sample_graphon_mask", "block_index", "SELECTIONS"]

_WEIGHTS, _MASK = 0, 1
_BLOCK = 1 << 16


def block_index(n: int, K: int) -> np.ndarray:
    """Block of each of n neurons among K blocks: floor(i K / n).

    >>> block_index(6, 3).tolist(), block_index(5, 2).tolist()
    ([0, 0, 1, 1, 2, 2], [0, 0, 0, 1, 1])
    """
    return (np.arange(n, dtype=np.int64) * K) // n


SELECTIONS = ("bernoulli", "magnitude")


def _draw(seed, key, trial, h, shape, probs_rows, probs_cols, G, threshold=None):
    W = np.empty(shape)
    gw = layer_generator(seed, key, trial, h, _WEIGHTS)
    if G is None:
        gw.standard_normal(out=W)
        return W, None
    gm = layer_generator(seed, key, trial, h, _MASK)
    M = np.empty(shape, dtype=bool)
    rows = max(1, _BLOCK // shape[1])
    U = np.empty((rows, shape[1]))
    for r0 in range(0, shape[0], rows):
        r1 = min(shape[0], r0 + rows)
        w, m, u = W[r0:r1], M[r0:r1], U[:r1 - r0]
        gw.standard_normal(out=w)
        if threshold is None:
            gm.random(out=u)
            np.less(u, G[probs_rows[r0:r1, None], probs_cols[None, :]], out=m)
        else:                       # keep the large weights: P(|W| > t) = G on each block
            np.greater(np.abs(w), threshold[probs_rows[r0:r1, None], probs_cols[None, :]],
                       out=m)
        np.multiply(w, m, out=w)
    return W, M


def sample_graphon_network(net: GraphonNetwork, widths, seed: int, trial: int = 0, *,
                           input_dim: int | None = None,
                           selection: str = "bernoulli") -> MaskedNetwork:
    """Draw trial ``trial`` of a finite network with masks sampled from ``net``'s graphons.

    ``widths`` are n_1..n_L (one int: all equal), each at least its layer's block
    count K_h.  ``input_dim`` is needed only when the first layer is dense.
    ``selection="bernoulli"`` keeps weight (i, j) independently of its value with
    probability G[a(i), b(j)]; ``"magnitude"`` keeps it when
    |W_ij| > t(G[a(i), b(j)]) with P(|W| > t) = G (same density, selected weights:
    their second moment is :func:`theory.graphon.magnitude_second_moment`).
    """
    if selection not in SELECTIONS:
        raise InvalidArgument("selection", selection, "unknown selection rule",
                              f"choose one of {', '.join(SELECTIONS)}")
    if not isinstance(net, GraphonNetwork):
        raise InvalidArgument("net", type(net).__name__, "not a GraphonNetwork",
                              "build one with theory.graphon.GraphonNetwork.from_layers(...)")
    seed = check_int(seed, "seed")
    trial = check_int(trial, "trial")
    d0 = net.input_dim if net.input_dim is not None else input_dim
    if d0 is None:
        raise InvalidArgument("input_dim", None, "the first layer is dense, so the input "
                              "dimension is unknown", "pass input_dim")
    if input_dim is not None and check_int(input_dim, "input_dim", 1) != d0:
        raise InvalidArgument("input_dim", input_dim, f"G1 has {d0} columns",
                              f"pass input_dim={d0}")
    ns = _widths(widths, net.depth)
    K = (d0,) + net.blocks[1:]
    for h, n in enumerate(ns, start=1):
        if n < K[h]:
            raise InvalidArgument("widths", n, f"layer {h} has {K[h]} graphon blocks, more "
                                  "than its neurons", f"use widths >= {K[h]}")
    shape = (d0, *ns, 1)
    key = network_key(shape)
    weights, masks = [], []
    for h in range(1, net.depth + 2):
        G = net.layers[h - 1]
        rows = block_index(shape[h], K[h])
        cols = np.arange(d0) if h == 1 else block_index(shape[h - 1], K[h - 1])
        threshold = None if G is None or selection == "bernoulli" else magnitude_threshold(G)
        W, M = _draw(seed, key, trial, h, (shape[h], shape[h - 1]), rows, cols, G, threshold)
        weights.append(W)
        masks.append(M)
    keep = tuple(Fraction(d) if G is not None else Fraction(1)
                 for d, G in zip(net.densities(), net.layers))
    if net.rescale and any(d == 0 for d in keep):
        raise InvalidArgument("net", net.describe(), "a rescaled layer has density 0",
                              "use plain pruning")
    keep = tuple(d if d > 0 else Fraction(1) for d in keep)   # plain: unused
    return MaskedNetwork._trusted(weights, masks, net.rescale, keep, net.activation)


def sample_graphon_mask(net: GraphonNetwork, widths, seed: int, trial: int = 0, *,
                        input_dim: int | None = None) -> Mask:
    """The masks of :func:`sample_graphon_network` (Bernoulli selection) as a
    :class:`~numerics.masks.Mask` (method ``"graphon"``, target densities the graphons'
    densities), e.g. to save with :func:`numerics.masks.save_mask` or to estimate.

    >>> from theory.graphon import GraphonNetwork
    >>> g = GraphonNetwork.from_layers({2: [[1.0, 0.0]]}, 1)
    >>> m = sample_graphon_mask(g, 4, seed=0, input_dim=3)
    >>> m.method, m.kept, [str(d) for d in m.nominal]
    ('graphon', (12, 2), ['1', '1/2'])
    """
    sampled = sample_graphon_network(net, widths, seed, trial, input_dim=input_dim)
    shape = (sampled.input_dim, *sampled.widths, 1)
    nominal = tuple(Fraction(1) if M is None else Fraction(repr(float(d)))
                    for M, d in zip(sampled.masks, net.densities()))
    return Mask(tuple(sampled.masks), shape=shape, method="graphon",
                params={"seed": int(seed), "trial": int(trial)}, nominal=nominal)
