"""The fluctuation grid of claim C4: masked sums over widths, keep probabilities and trials.

The masked inner products are defined in :mod:`numerics.pseudo.networks`.

Over networks, with a_j iid of kappa = E[a^2] / E[a]^2, the relative fluctuation
is sd(S)/E[S] = sqrt((kappa - q)/(q n)).  With a dense first layer and h = 2 the
a_j are exactly iid given x, x' (independent rows of W^(1)), so the formula is
exact at every width, with kappa = :func:`theory.pseudo.moments.relu_kappa`
(cos x x') for ReLU.

:func:`fluctuation_grid` measures it over widths and keep probabilities (the same
trial indices for every keep probability at one width: networks that differ only
in q share weights and uniforms); :func:`gaussian_kappa` gives the Gaussian-limit
kappa.  The fits are in :mod:`numerics.pseudo.fits`.

>>> grid = fluctuation_grid([32, 64], ["1", "0.5"], trials=4, seed=0, x=[1.0, 0.0], y=[0.6, 0.8])
>>> sorted(grid.cells)[0], grid.layer, grid.cells[(32, grid.keep_probs[1])].forward.terms
((32, Fraction(1, 2)), 2, 32)
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Mapping, Sequence

import numpy as np

from theory._errors import InvalidArgument, check_int, check_keep_prob
from theory.config import Architecture
from theory.pseudo.moments import relu_correlation_map, relu_kappa

from ..networks.sampling import sample_network
from .networks import (
    SumStats,
    _Accumulator,
    _check_kind,
    input_pair,
    _masked_sums,
    _products,
)

__all__ = ["FluctuationCell", "FluctuationGrid", "fluctuation_grid", "gaussian_kappa"]


@dataclass(frozen=True)
class FluctuationCell:
    """One (width, keep_prob) cell: the forward and (if measured) backward statistics."""

    width: int
    keep_prob: Fraction
    forward: SumStats
    backward: SumStats | None

    def stats(self, kind: str) -> SumStats:
        _check_kind(kind)
        out = self.forward if kind == "forward" else self.backward
        if out is None:
            raise InvalidArgument("kind", kind, "the backward sums were not measured",
                                  "measure a hidden layer with backward=True")
        return out


@dataclass(frozen=True)
class FluctuationGrid:
    """Masked-sum statistics over a grid of widths and keep probabilities.

    ``cells[(width, keep_prob)]``; every hidden layer has the same width;
    ``gaussian_kappa`` is the Gaussian-limit kappa of the forward terms (ReLU with
    a dense first layer) or None.
    """

    widths: tuple[int, ...]
    keep_probs: tuple[Fraction, ...]
    trials: int
    seed: int
    depth: int
    layer: int
    x: tuple[float, ...]
    y: tuple[float, ...]
    activation: str
    rescale: bool
    cells: dict = field(repr=False)
    gaussian_kappa: float | None = None
    seconds: float = 0.0

    @property
    def has_backward(self) -> bool:
        return all(c.backward is not None for c in self.cells.values())

    def relative_fluctuations(self, kind: str = "forward") -> dict:
        """{(width, keep_prob): sd/mean}."""
        return {key: c.stats(kind).relative_fluctuation() for key, c in self.cells.items()}

    def kappas(self, kind: str = "forward") -> dict:
        """{(width, keep_prob): measured m2/m1^2 of the summed terms}."""
        return {key: c.stats(kind).kappa() for key, c in self.cells.items()}

    def pooled_kappa(self, kind: str, keep_prob, counts: Mapping | None = None):
        """kappa at one keep probability: the widths' kappa_hat, weighted by terms x trials.

        Pooling over widths damps the small-sample bias of the ratio m2/m1^2 (the
        terms are skewed); ``counts`` ({width: resamples x trials}) gives one value
        per bootstrap resample.
        """
        q = check_keep_prob(keep_prob, "keep_prob")
        num = den = 0.0
        for n in self.widths:
            st = self.cells[(n, q)].stats(kind)
            c = None if counts is None else counts[n]
            weight = st.terms * (st.trials if c is None else c.sum(axis=1))
            num = num + weight * st.kappa(c)
            den = den + weight
        return num / den

    def z_moments(self, kind: str = "forward") -> dict:
        """Mean z and mean z^2 over every cell with q < 1, with standard errors."""
        parts = [c.stats(kind) for c in self.cells.values() if c.keep_prob < 1]
        if not parts:
            return {"count": 0}
        merged = SumStats(parts[0].terms, parts[0].sums,
                          *(np.concatenate([getattr(p, f) for p in parts])
                            for f in ("w1", "w2", "s1", "s2", "z1", "z2", "z4", "zc",
                                      "exact_error")))
        return merged.z_moments()

    def exact_error(self, kind: str = "forward") -> float | None:
        """Largest relative |S - sum w| over the q = 1 cells (rounding only), or None."""
        errs = [np.nanmax(c.stats(kind).exact_error) for c in self.cells.values()
                if c.keep_prob == 1]
        return float(max(errs)) if errs else None


def gaussian_kappa(x, y, layer: int = 2, activation: str = "relu",
                   first_layer_dense: bool = True) -> float | None:
    """kappa of the forward terms a_j in the Gaussian (infinite-width) limit, or None.

    For ReLU with a dense first layer the pre-activations of layer h - 1 have
    correlation c_{h-1} = (ReLU correlation map)^(h-2)(cos(x, y)), and
    kappa = 2 pi J_2 / J_1^2 at that angle (exact for h = 2 at every width).

    >>> gaussian_kappa([1.0, 0.0], [1.0, 0.0])
    6.0
    """
    X = input_pair(x, y)
    layer = check_int(layer, "layer", 1)
    if activation != "relu" or not first_layer_dense or layer < 2:
        return None
    cos = float(X[0] @ X[1] / (np.linalg.norm(X[0]) * np.linalg.norm(X[1])))
    cos = min(1.0, max(-1.0, cos))
    c = relu_correlation_map(cos, layer - 2)
    return None if c <= -1 else relu_kappa(c)


def _grid_args(widths, keep_probs, trials, depth, layer):
    try:
        ws = tuple(sorted(set(check_int(n, "widths", 2) for n in widths)))
    except TypeError:
        raise InvalidArgument("widths", widths, "not a sequence of integers",
                              "pass e.g. widths=[64, 128, 256]") from None
    try:
        qs = tuple(sorted(set(check_keep_prob(v, "keep_probs") for v in keep_probs),
                          reverse=True))
    except TypeError:
        raise InvalidArgument("keep_probs", keep_probs, "not a sequence of keep probabilities",
                              "pass e.g. keep_probs=['1', '0.5', '0.25']") from None
    if not ws or not qs:
        raise InvalidArgument("widths" if not ws else "keep_probs", [], "empty grid",
                              "pass at least one width and one keep probability")
    trials = check_int(trials, "trials", 2)
    depth = check_int(depth, "depth", 1)
    layer = check_int(layer, "layer", 2)
    if layer > depth + 1:
        raise InvalidArgument("layer", layer, f"a depth-{depth} network has weight layers "
                              f"1..{depth + 1}", f"choose 2 <= layer <= {depth + 1}")
    return ws, qs, trials, depth, layer


def fluctuation_grid(widths: Sequence[int], keep_probs: Sequence, trials: int, seed: int, *,
                     x, y, depth: int = 2, layer: int = 2, activation: str = "relu",
                     rescale: bool = False, with_backward: bool = True) -> FluctuationGrid:
    """Measure the masked sums of layer ``layer`` over widths x keep probabilities x trials.

    The network is ``Architecture.pruned(depth, q, rescale=...)`` (first layer
    dense, layers 2..L+1 masked, all hidden widths equal); trial t of width n is
    ``sample_network(arch, n, seed, t)`` for every q.  Backward sums are measured
    when ``with_backward`` and ``layer <= depth``.
    """
    ws, qs, trials, depth, layer = _grid_args(widths, keep_probs, trials, depth, layer)
    seed = check_int(seed, "seed")
    X = input_pair(x, y)
    started = time.perf_counter()
    cells = {}
    for q in qs:
        arch = Architecture.pruned(depth, q, rescale=rescale, activation=activation)
        qv = float(q)
        back = with_backward and layer <= depth
        for n in ws:
            fw, bw = _Accumulator(trials), (_Accumulator(trials) if back else None)
            for t in range(trials):
                net = sample_network(arch, n, seed, t, input_dim=X.shape[1])
                M, a, beta = _products(net, X, layer, back)
                sums, back_sums = _masked_sums(M, a, beta)
                fw.add(t, a, sums, qv)
                if back:
                    bw.add(t, beta, back_sums, qv)
            cells[(n, q)] = FluctuationCell(n, q, fw.freeze(), bw.freeze() if back else None)
    return FluctuationGrid(ws, qs, trials, seed, depth, layer, tuple(map(float, X[0])),
                           tuple(map(float, X[1])), activation, bool(rescale), cells,
                           gaussian_kappa(X[0], X[1], layer, activation),
                           time.perf_counter() - started)
