"""Mask-induced pseudo-networks measured in sampled networks (claim C4).

Working definition (the toolkit's own; the paper's is not known to us): in the
pseudo-network of a masked layer h, neuron i of layer h receives its own masked
copy M^(h)_{i,:} . g^(h-1) of the previous layer.  In a sampled network the
mask row of neuron i *is* that copy, so the per-neuron masked inner products are
read off the masks and the two passes.  For inputs x, x' and the mask M = M^(h)
(0/1; rescaling by r_h does not enter):

* forward, neuron i of layer h:  S_i = sum_j M_ij a_j,  a_j = g^(h-1)_j(x) g^(h-1)_j(x'),
  a sum over the fan-in n_{h-1};
* backward, neuron j of layer h-1:  T_j = sum_i M_ij beta_i,  beta_i = b^(h)_i(x) b^(h)_i(x'),
  with b^(h) = df/df^(h) as :func:`numerics.network.backward` defines it, a sum over
  the fan-out n_h (so h <= L).  This is the sum that the backward pass
  b^(h-1)_j = sqrt(c/n_{h-1}) sigma'(f_j) sum_i S_ij W_ij b^(h)_i feeds into the
  NTK's backward covariance once the weights W are averaged out.

Given the a_j, the S_i of different neurons are iid (independent mask rows) with
E[S_i | a] = q sum a_j and Var[S_i | a] = q(1 - q) sum a_j^2 (derived in
:mod:`theory.pseudo_networks`); the standardised values
z_i = (S_i - q sum a) / sqrt(q(1 - q) sum a^2) have mean 0 and variance 1 exactly.
The beta_i depend on the mask only through sigma'(f^(h)_i) (one term out of
n_{h-1}); for x = x' and ReLU not at all, by symmetry, so the backward formulas are
exact there and hold up to O(1/n) otherwise.

Over networks, with a_j iid of kappa = E[a^2] / E[a]^2, the relative fluctuation
is sd(S)/E[S] = sqrt((kappa - q)/(q n)).  With a dense first layer and h = 2 the
a_j are exactly iid given x, x' (independent rows of W^(1)), so the formula is
exact at every width, with kappa = :func:`theory.pseudo_networks.relu_kappa`
(cos x x') for ReLU.

:func:`fluctuation_grid` measures it over widths and keep probabilities;
:func:`fit_fluctuation_slope` fits log(sd/mean) against log(q n) (slope -1/2);
:func:`width_sparsity_slope` compares the measured growth of the width
requirement n*(q) with the elasticity formula evaluated at the measured kappa
(:func:`predicted_width_slope`).  Confidence intervals resample trials (the same
trial indices for every keep probability at one width: networks that differ only
in q share weights and uniforms).

>>> grid = fluctuation_grid([32, 64], ["1", "0.5"], trials=4, seed=0, x=[1.0, 0.0], y=[0.6, 0.8])
>>> sorted(grid.cells)[0], grid.layer, grid.cells[(32, grid.keep_probs[1])].forward.terms
((32, Fraction(1, 2)), 2, 32)
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
from scipy import stats as _st

from theory._errors import InvalidArgument, check_int, check_keep_prob, check_unit_open
from theory.config import Architecture
from theory.pseudo_networks import relu_correlation_map, relu_kappa

from ._xp import is_numpy_namespace
from .network import MaskedNetwork, backward, forward
from .sampling import sample_network

__all__ = ["MaskedInnerProducts", "masked_inner_products", "SumStats", "FluctuationCell",
           "FluctuationGrid", "fluctuation_grid", "FluctuationFit", "fit_fluctuation_slope",
           "WidthSparsity", "width_sparsity_slope", "PredictedWidthSlope",
           "predicted_width_slope", "gaussian_kappa", "plot_fluctuation", "SUM_KINDS"]

SUM_KINDS = ("forward", "backward")


# ------------------------------------------------------------------ one network
@dataclass(frozen=True)
class MaskedInnerProducts:
    """The masked inner products of one masked layer for one input pair.

    ``forward`` = S (n_h,), ``a`` = the a_j (n_{h-1},); ``backward`` = T
    (n_{h-1},) and ``beta`` (n_h,), or None when layer h is the output layer.
    """

    layer: int
    keep_prob: Fraction
    forward: np.ndarray
    a: np.ndarray
    backward: np.ndarray | None
    beta: np.ndarray | None

    def conditional_mean(self, kind: str = "forward") -> float:
        """q sum_j w_j: E[S_i | a] (forward) or E[T_j | beta] (backward)."""
        w = self._weights(kind)
        return float(self.keep_prob) * float(np.sum(w))

    def conditional_variance(self, kind: str = "forward") -> float:
        """q (1 - q) sum_j w_j^2."""
        w = self._weights(kind)
        qv = float(self.keep_prob)
        return qv * (1 - qv) * float(np.dot(w, w))

    def standardized(self, kind: str = "forward") -> np.ndarray:
        """(S_i - conditional mean) / conditional sd; refused for q = 1 (variance 0)."""
        if self.keep_prob == 1:
            raise InvalidArgument("keep_prob", 1, "the masked sums are deterministic at q = 1",
                                  "compare them with sum_j w_j directly")
        sums = self.forward if kind == "forward" else self.backward
        return (sums - self.conditional_mean(kind)) / math.sqrt(self.conditional_variance(kind))

    def _weights(self, kind: str) -> np.ndarray:
        _check_kind(kind)
        if kind == "backward" and self.beta is None:
            raise InvalidArgument("kind", kind, f"layer {self.layer} is the output layer: its "
                                  "backward sums have one term", "measure a hidden layer")
        return self.a if kind == "forward" else self.beta


def _check_kind(kind: str) -> str:
    if kind not in SUM_KINDS:
        raise InvalidArgument("kind", kind, "unknown kind of masked sum",
                              "choose forward or backward")
    return kind


def _input_pair(x, y) -> np.ndarray:
    rows = []
    for name, v in (("x", x), ("y", y)):
        try:
            arr = np.asarray(v, dtype=np.float64)
        except (TypeError, ValueError):
            raise InvalidArgument(name, v, "not a vector of numbers",
                                  "pass a 1-D sequence of real numbers") from None
        if arr.ndim != 1 or arr.size == 0:
            raise InvalidArgument(name, f"array of shape {arr.shape}", "not a non-empty vector",
                                  "pass one input as a 1-D sequence")
        if not np.all(np.isfinite(arr)) or not np.any(arr != 0):
            raise InvalidArgument(name, v, "inputs must be finite and non-zero",
                                  "pass a finite, non-zero input")
        rows.append(arr)
    if rows[0].size != rows[1].size:
        raise InvalidArgument("y", list(rows[1]), f"dimension {rows[1].size} differs from "
                              f"x's {rows[0].size}", "give both inputs the same dimension")
    return np.stack(rows)


def _check_layer(net: MaskedNetwork, layer) -> int:
    layer = check_int(layer, "layer", 1)
    if layer not in net.masked_layers:
        raise InvalidArgument("layer", layer, "not a masked layer of this network",
                              f"choose one of {list(net.masked_layers) or 'none (mask a layer)'}")
    return layer


def _products(net: MaskedNetwork, X: np.ndarray, layer: int, with_backward: bool):
    """(mask, a, beta or None) for one network; the passes run once."""
    fwd = forward(net, X)
    g = fwd.layer_inputs[layer - 1]
    a = g[0] * g[1]
    beta = None
    if with_backward and layer <= net.depth:
        b = backward(net, fwd)[layer - 1]
        beta = b[0] * b[1]
    return net.masks[layer - 1], a, beta


_BLOCK_BYTES = 1 << 20     # float64 rows of the mask converted at a time (cache-sized)


def _masked_sums(M: np.ndarray, a: np.ndarray, beta: np.ndarray | None):
    """(M a, beta M) for a 0/1 mask M, in row blocks converted to float64 once each.

    Small single-threaded products on cache-hot blocks: faster than one large
    multi-threaded product, and much faster when the cores are shared.
    """
    rows = max(1, _BLOCK_BYTES // (8 * M.shape[1]))
    forward_sums = np.empty(M.shape[0])
    backward_sums = None if beta is None else np.zeros(M.shape[1])
    for r0 in range(0, M.shape[0], rows):
        block = M[r0:r0 + rows].astype(np.float64)
        forward_sums[r0:r0 + rows] = block @ a
        if beta is not None:
            backward_sums += beta[r0:r0 + rows] @ block
    return forward_sums, backward_sums


def masked_inner_products(net: MaskedNetwork, x, y, layer: int = 2, *,
                          with_backward: bool = True) -> MaskedInnerProducts:
    """S_i (and T_j) of masked layer ``layer`` of ``net`` for the inputs x, y.

    >>> from theory import Architecture
    >>> net = sample_network(Architecture.pruned(2, "0.5"), 64, seed=0, input_dim=2)
    >>> m = masked_inner_products(net, [1.0, 0.0], [0.6, 0.8])
    >>> m.forward.shape, m.backward.shape
    ((64,), (64,))
    >>> bool(np.all(m.forward <= np.sum(np.maximum(m.a, 0)) + 1e-12))
    True
    """
    if not isinstance(net, MaskedNetwork):
        raise InvalidArgument("net", type(net).__name__, "not a MaskedNetwork",
                              "draw one with numerics.sample_network")
    if not is_numpy_namespace(net.xp):
        raise InvalidArgument("net", "a non-NumPy network", "pseudo-network sums run on NumPy",
                              "draw the network with numerics.sample_network")
    layer = _check_layer(net, layer)
    X = _input_pair(x, y)
    if X.shape[1] != net.input_dim:
        raise InvalidArgument("x", list(X[0]), f"dimension {X.shape[1]} differs from the "
                              f"network's input dimension {net.input_dim}",
                              f"pass inputs of dimension {net.input_dim}")
    M, a, beta = _products(net, X, layer, with_backward)
    sums, back = _masked_sums(M, a, beta)
    return MaskedInnerProducts(layer, Fraction(net.keep_probs[layer - 1]), sums, a, back, beta)


# ------------------------------------------------------------------ per-trial statistics
@dataclass(frozen=True)
class SumStats:
    """Per-trial sufficient statistics of one kind of masked sum in one grid cell.

    Arrays have one entry per trial: ``w1``, ``w2`` = sum_j w_j, sum_j w_j^2 of
    the summed terms (``terms`` of them per trial); ``s1``, ``s2`` = sum and sum
    of squares of the ``sums`` masked sums; ``z1``, ``z2``, ``z4``, ``zc`` = sums
    of z, z^2, z^4 and their count for the conditionally standardised sums (all
    0 at q = 1); ``exact_error`` = max |S - sum w| / sum |w| (q = 1 only, else NaN).
    """

    terms: int
    sums: int
    w1: np.ndarray
    w2: np.ndarray
    s1: np.ndarray
    s2: np.ndarray
    z1: np.ndarray
    z2: np.ndarray
    z4: np.ndarray
    zc: np.ndarray
    exact_error: np.ndarray

    @property
    def trials(self) -> int:
        return int(self.s1.size)

    def relative_fluctuation(self, counts: np.ndarray | None = None) -> np.ndarray | float:
        """sd/|mean| of the masked sums, pooled over neurons and trials.

        ``counts`` (resamples x trials), if given, weights the trials (a bootstrap);
        the result then has one value per resample.
        """
        if counts is None:
            n = self.sums * self.trials
            mean = self.s1.sum() / n
            var = (self.s2.sum() - n * mean * mean) / (n - 1)
            return math.sqrt(max(var, 0.0)) / abs(mean)
        n = self.sums * counts.sum(axis=1)
        mean = counts @ self.s1 / n
        var = (counts @ self.s2 - n * mean * mean) / (n - 1)
        return np.sqrt(np.maximum(var, 0.0)) / np.abs(mean)

    def kappa(self, counts: np.ndarray | None = None) -> np.ndarray | float:
        """m2 / m1^2 of the summed terms, pooled over trials (the same weighting)."""
        if counts is None:
            return float(self.w2.sum() * self.terms * self.trials / self.w1.sum()**2)
        n = self.terms * counts.sum(axis=1)
        return (counts @ self.w2) * n / (counts @ self.w1)**2

    def z_moments(self) -> dict:
        """Mean of z and of z^2 with standard errors.

        Given the summed terms the z_i of one trial are independent (separate mask
        rows), so the plain standard error applies; the reported one is the larger of
        it and the trial-clustered (ratio-estimator) one, which stays valid if the
        terms depend weakly on the mask (the backward beta do, through sigma').
        """
        n = int(self.zc.sum())
        if n < 2:
            return {"count": n}
        mean, mean2, mean4 = self.z1.sum() / n, self.z2.sum() / n, self.z4.sum() / n
        plain = math.sqrt(max(mean2 - mean * mean, 0.0) / (n - 1))
        plain_sq = math.sqrt(max(mean4 - mean2 * mean2, 0.0) / (n - 1))
        used = self.zc > 0
        clusters = int(used.sum())
        if clusters >= 2:
            scale = math.sqrt(clusters / (clusters - 1)) / n
            cluster = scale * math.sqrt(float(np.sum((self.z1 - mean * self.zc)[used]**2)))
            cluster_sq = scale * math.sqrt(float(np.sum((self.z2 - mean2 * self.zc)[used]**2)))
        else:
            cluster = cluster_sq = 0.0
        return {"count": n, "mean": float(mean), "mean_se": max(plain, cluster),
                "mean_sq": float(mean2), "mean_sq_se": max(plain_sq, cluster_sq),
                "plain_se": (plain, plain_sq), "cluster_se": (cluster, cluster_sq)}


class _Accumulator:
    def __init__(self, trials: int):
        self.rows = {k: np.zeros(trials) for k in ("w1", "w2", "s1", "s2", "z1", "z2", "z4",
                                                   "zc")}
        self.rows["exact_error"] = np.full(trials, np.nan)
        self.terms = self.sums = 0

    def add(self, t: int, w: np.ndarray, sums: np.ndarray, qv: float) -> None:
        self.terms, self.sums = w.size, sums.size
        w1, w2 = float(w.sum()), float(w @ w)
        r = self.rows
        r["w1"][t], r["w2"][t] = w1, w2
        r["s1"][t], r["s2"][t] = float(sums.sum()), float(sums @ sums)
        if qv == 1.0:
            scale = float(np.abs(w).sum())
            r["exact_error"][t] = float(np.max(np.abs(sums - w1))) / scale if scale else 0.0
        elif w2 > 0:
            z = (sums - qv * w1) / math.sqrt(qv * (1 - qv) * w2)
            z2 = z * z
            r["z1"][t], r["z2"][t], r["z4"][t] = float(z.sum()), float(z2.sum()), float(z2 @ z2)
            r["zc"][t] = z.size

    def freeze(self) -> SumStats:
        return SumStats(self.terms, self.sums, **self.rows)


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
    X = _input_pair(x, y)
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
    X = _input_pair(x, y)
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


# ------------------------------------------------------------------ fits
def _bootstrap_counts(grid: FluctuationGrid, resamples: int, seed: int) -> dict:
    """Trial multiplicities per width (shared by every keep probability at that width)."""
    rng = np.random.default_rng(np.random.SeedSequence(entropy=seed, spawn_key=(0xC4,)))
    p = np.full(grid.trials, 1.0 / grid.trials)
    return {n: rng.multinomial(grid.trials, p, size=resamples).astype(np.float64)
            for n in grid.widths}


def _line(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares slopes and intercepts of y (..., points) on x (points,)."""
    xc = x - x.mean()
    slope = (y - y.mean(axis=-1, keepdims=True)) @ xc / (xc @ xc)
    return slope, y.mean(axis=-1) - slope * x.mean()


def _check_fit_args(level, resamples):
    level = check_unit_open(level, "level")
    resamples = check_int(resamples, "resamples", 50)
    return level, resamples


def _interval(point: float, draws: np.ndarray, level: float) -> tuple[tuple[float, float], float]:
    se = float(np.std(draws, ddof=1))
    z = float(_st.norm.isf((1 - level) / 2))
    return (point - z * se, point + z * se), se


@dataclass(frozen=True)
class FluctuationFit:
    """log(sd/mean) = intercept + slope log(q n), with a confidence interval.

    ``slope`` is the plain fit; ``adjusted_slope`` fits log(sd/mean) - log(kappa_hat
    - q)/2, which the pseudo-network formula makes exactly -1/2 on any grid
    (kappa_hat: :meth:`FluctuationGrid.pooled_kappa`, per keep probability; it
    matters for the backward sums, whose terms beta carry the next layer's mask and
    so have kappa ~ 1/q).  ``expected_slope`` is what the formula gives for the plain
    fit on this grid at the measured kappas (the factor sqrt(kappa - q) tilts it).
    Intervals: point +- z_{(1+level)/2} x bootstrap standard error (trials
    resampled).  ``gaussian_z``: per cell (sorted (width, q)), (log measured -
    log exact) / bootstrap sd against the exact Gaussian-limit formula, when the
    grid has a Gaussian kappa (forward sums only).
    """

    kind: str
    slope: float
    intercept: float
    slope_ci: tuple[float, float]
    slope_se: float
    adjusted_slope: float
    adjusted_ci: tuple[float, float]
    adjusted_se: float
    expected_slope: float
    level: float
    points: int
    resamples: int
    qn: tuple[float, ...]
    relative: tuple[float, ...]
    kappas: tuple[float, ...]
    gaussian_z: tuple[float, ...] | None = None


def fit_fluctuation_slope(grid: FluctuationGrid, kind: str = "forward", *, level: float = 0.95,
                          resamples: int = 1000, seed: int = 0) -> FluctuationFit:
    """Fit log(sd/mean) against log(q n) over every cell of ``grid`` (n = terms summed)."""
    _check_kind(kind)
    level, resamples = _check_fit_args(level, resamples)
    keys = sorted(grid.cells)
    stats = [grid.cells[k].stats(kind) for k in keys]
    qv = np.array([float(k[1]) for k in keys])
    lqn = np.log(qv * np.array([s.terms for s in stats], dtype=float))
    if np.ptp(lqn) == 0:
        raise InvalidArgument("grid", f"{len(keys)} cells", "every cell has the same q n",
                              "measure at least two widths or keep probabilities")
    rel = np.array([s.relative_fluctuation() for s in stats])
    pooled = {q: grid.pooled_kappa(kind, q) for q in grid.keep_probs}
    kap = np.array([pooled[k[1]] for k in keys])
    slope, intercept = _line(lqn, np.log(rel))
    adj, _ = _line(lqn, np.log(rel) - 0.5 * np.log(kap - qv))
    expected, _ = _line(lqn, 0.5 * np.log((kap - qv) / np.exp(lqn)))
    counts = _bootstrap_counts(grid, resamples, seed)
    rel_b = np.stack([s.relative_fluctuation(counts[k[0]]) for s, k in zip(stats, keys)], -1)
    pooled_b = {q: grid.pooled_kappa(kind, q, counts) for q in grid.keep_probs}
    kap_b = np.stack([pooled_b[k[1]] for k in keys], -1)
    slope_b, _ = _line(lqn, np.log(rel_b))
    adj_b, _ = _line(lqn, np.log(rel_b) - 0.5 * np.log(np.maximum(kap_b - qv, 1e-300)))
    ci, se = _interval(float(slope), slope_b, level)
    aci, ase = _interval(float(adj), adj_b, level)
    gauss_z = None
    if kind == "forward" and grid.gaussian_kappa is not None:
        exact = 0.5 * np.log((grid.gaussian_kappa - qv) / np.exp(lqn))
        sd = np.std(np.log(rel_b), axis=0, ddof=1)
        gauss_z = tuple(map(float, (np.log(rel) - exact) / sd))
    return FluctuationFit(kind, float(slope), float(intercept), ci, se, float(adj), aci, ase,
                          float(expected), level, len(keys), resamples,
                          tuple(map(float, np.exp(lqn))), tuple(map(float, rel)),
                          tuple(map(float, kap)), gauss_z)


@dataclass(frozen=True)
class PredictedWidthSlope:
    """The elasticity formula at a measured kappa: the local elasticities kappa/(kappa - q)
    at each keep probability, the least-squares slope of log((kappa - q)/q) against
    log(1/q) over the grid (what a measured n*-vs-1/q slope should show), and the
    q -> 0 limit (1)."""

    keep_probs: tuple[Fraction, ...]
    kappas: tuple[float, ...]
    elasticities: tuple[float, ...]
    slope: float
    limit: float = 1.0


def predicted_width_slope(kappa, keep_probs: Sequence) -> PredictedWidthSlope:
    """Predict the slope of log n* against log(1/q) from kappa (one value or {q: kappa}).

    n*(q) is proportional to (kappa - q)/q, so its local elasticity is
    kappa/(kappa - q) (theory.pseudo_networks derives both).

    >>> p = predicted_width_slope(6.0, ["1", "0.5", "0.25"])
    >>> [round(e, 4) for e in p.elasticities], round(p.slope, 4)
    ([1.2, 1.0909, 1.0435], 1.1008)
    """
    qs = tuple(sorted({check_keep_prob(v, "keep_probs") for v in keep_probs}, reverse=True))
    if len(qs) < 2:
        raise InvalidArgument("keep_probs", list(map(str, qs)), "need two or more distinct "
                              "keep probabilities for a slope", "pass e.g. ['1', '0.5', '0.25']")
    if isinstance(kappa, Mapping):
        table = {check_keep_prob(k, "kappa"): v for k, v in kappa.items()}
        missing = [str(q) for q in qs if q not in table]
        if missing:
            raise InvalidArgument("kappa", f"{len(table)} keep probabilities",
                                  f"no kappa for keep_prob {missing[0]}",
                                  "give one kappa per keep probability, or a single value")
        kaps = tuple(float(table[q]) for q in qs)
    else:
        kaps = (kappa,) * len(qs)
    kaps = tuple(_kappa(k, q) for k, q in zip(kaps, qs))
    qv = np.array([float(q) for q in qs])
    kv = np.array(kaps)
    slope, _ = _line(np.log(1 / qv), np.log((kv - qv) / qv))
    return PredictedWidthSlope(qs, kaps, tuple(map(float, kv / (kv - qv))), float(slope))


def _kappa(value, q: Fraction) -> float:
    try:
        k = float(value)
    except (TypeError, ValueError):
        raise InvalidArgument("kappa", value, "not a number", "pass m2/m1^2 >= 1") from None
    if not (math.isfinite(k) and k > float(q)):
        raise InvalidArgument("kappa", value, f"must be finite and exceed keep_prob = {q}",
                              "pass m2/m1^2 of the summed terms (>= 1 by Jensen)")
    return k


@dataclass(frozen=True)
class WidthSparsity:
    """Measured versus predicted growth of the width requirement with 1/q.

    For each q, n*(q) at a fixed target fluctuation eps is C_q^2 / eps^2 with
    C_q^2 = n (sd/mean)^2 (averaged over widths in logs), so the slope of
    log n* against log(1/q) does not depend on eps.  ``measured`` fits log C_q^2;
    ``predicted`` fits log((kappa_hat - q)/q) with the kappa measured in the same
    cells (averaged the same way); ``difference`` = measured - predicted, with a
    bootstrap interval.  ``gaussian`` is the prediction at the Gaussian-limit kappa.
    """

    kind: str
    keep_probs: tuple[Fraction, ...]
    measured: float
    measured_ci: tuple[float, float]
    predicted: float
    predicted_ci: tuple[float, float]
    difference: float
    difference_ci: tuple[float, float]
    elasticities: tuple[float, ...]
    kappas: tuple[float, ...]
    gaussian: float | None
    level: float
    resamples: int


def width_sparsity_slope(grid: FluctuationGrid, kind: str = "forward", *, level: float = 0.95,
                         resamples: int = 1000, seed: int = 0) -> WidthSparsity:
    """Measured slope of log n*(q) against log(1/q), and the elasticity formula's prediction."""
    _check_kind(kind)
    level, resamples = _check_fit_args(level, resamples)
    if len(grid.keep_probs) < 2:
        raise InvalidArgument("grid", f"keep_probs {list(map(str, grid.keep_probs))}",
                              "need two or more keep probabilities",
                              "measure e.g. keep_probs ['1', '0.5', '0.25']")
    counts = _bootstrap_counts(grid, resamples, seed + 1)
    qs = grid.keep_probs
    lx = np.log([1 / float(q) for q in qs])

    def per_q(boot: bool):
        meas, pred, kap = [], [], []
        for q in qs:
            c = counts if boot else None
            logs = [np.log(grid.cells[(n, q)].stats(kind).terms
                           * grid.cells[(n, q)].stats(kind).relative_fluctuation(
                               None if c is None else c[n])**2) for n in grid.widths]
            k = grid.pooled_kappa(kind, q, c)
            meas.append(np.mean(logs, axis=0))
            pred.append(np.log(np.maximum(k - float(q), 1e-300) / float(q)))
            kap.append(k)
        return np.stack(meas, -1), np.stack(pred, -1), np.stack(kap, -1)

    m0, p0, k0 = per_q(False)
    mb, pb, _ = per_q(True)
    meas, _ = _line(lx, m0)
    pred, _ = _line(lx, p0)
    meas_b, _ = _line(lx, mb)
    pred_b, _ = _line(lx, pb)
    mci, _ = _interval(float(meas), meas_b, level)
    pci, _ = _interval(float(pred), pred_b, level)
    dci, _ = _interval(float(meas - pred), meas_b - pred_b, level)
    kappas = tuple(map(float, k0))
    predicted = predicted_width_slope(dict(zip(qs, kappas)), qs)
    gauss = (predicted_width_slope(grid.gaussian_kappa, qs).slope
             if kind == "forward" and grid.gaussian_kappa is not None else None)
    return WidthSparsity(kind, qs, float(meas), mci, float(pred), pci, float(meas - pred), dci,
                         predicted.elasticities, kappas, gauss, level, resamples)


# ------------------------------------------------------------------ figure
def plot_fluctuation(grid: FluctuationGrid, stem, *, kind: str = "forward",
                     fit: FluctuationFit | None = None, title: str = "") -> list[Path]:
    """sd/mean against q n (log-log), one series per keep probability, with the
    pseudo-network prediction sqrt((kappa - q)/(q n)) and a (q n)^(-1/2) reference
    line; writes ``stem``.png and ``stem``.pdf."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fit = fit or fit_fluctuation_slope(grid, kind, resamples=200)
    fig, ax = plt.subplots(figsize=(6.0, 4.2))
    try:
        for q in grid.keep_probs:
            cells = [grid.cells[(n, q)].stats(kind) for n in grid.widths]
            qn = np.array([float(q) * s.terms for s in cells])
            rel = np.array([s.relative_fluctuation() for s in cells])
            theory = np.array([math.sqrt(max(s.kappa() - float(q), 0) / x)
                               for s, x in zip(cells, qn)])
            line, = ax.plot(qn, rel, "o", ms=4, label=f"q = {float(q):g}")
            ax.plot(qn, theory, "-", lw=0.8, color=line.get_color(), alpha=0.7)
        qn_all = np.array(sorted(fit.qn))
        top = max(fit.relative)
        ax.plot(qn_all, top * np.sqrt(qn_all[0] / qn_all), "k--", lw=0.8,
                label=r"$(q n)^{-1/2}$ reference")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("q n (expected kept terms)")
        ax.set_ylabel(f"sd / mean of ${'S_i' if kind == 'forward' else 'T_j'}$")
        ax.set_title((title + "\n" if title else f"Masked inner products, layer {grid.layer}\n")
                     + f"slope {fit.slope:+.3f} [{fit.slope_ci[0]:+.3f}, {fit.slope_ci[1]:+.3f}]"
                     f" ({100 * fit.level:.4g}%), kappa-adjusted {fit.adjusted_slope:+.3f}",
                     fontsize=9)
        ax.legend(fontsize=8, title="lines: sqrt((kappa - q)/(q n))", title_fontsize=7)
        ax.grid(True, which="both", alpha=0.3)
        stem = Path(stem)
        paths = [stem.with_suffix(".png"), stem.with_suffix(".pdf")]
        for path in paths:
            fig.savefig(path, dpi=150, bbox_inches="tight")
    finally:
        plt.close(fig)
    return paths
