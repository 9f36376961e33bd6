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
  with b^(h) = df/df^(h) as :func:`numerics.networks.network.backward` defines it, a sum over
  the fan-out n_h (so h <= L).  This is the sum that the backward pass
  b^(h-1)_j = sqrt(c/n_{h-1}) sigma'(f_j) sum_i S_ij W_ij b^(h)_i feeds into the
  NTK's backward covariance once the weights W are averaged out.

Given the a_j, the S_i of different neurons are iid (independent mask rows) with
E[S_i | a] = q sum a_j and Var[S_i | a] = q(1 - q) sum a_j^2 (derived in
:mod:`theory.pseudo.derivation`); the standardised values
z_i = (S_i - q sum a) / sqrt(q(1 - q) sum a^2) have mean 0 and variance 1 exactly.
The backward formulas are only approximate: beta_i depends on row i of the same
mask through sigma'(f^(h)_i) (each M_ij is one term of f^(h)_i out of n_{h-1};
for h < L also, weakly, through the later layers' forward pass), so given beta
the M_ij are Bernoulli(q) up to O(1/n), and an all-zero row (probability
(1 - q)^n) forces f^(h)_i = 0, beta_i = 0 for ReLU.  (For ReLU, x = x' and
h = L, a non-empty row leaves P(f^(h)_i > 0) = 1/2 by the symmetry of W, and
only the empty rows remain.)  Hence :meth:`SumStats.z_moments` reports the
larger of the plain and the trial-clustered standard error; neither absorbs a
bias, which at q = 1/4 is 0.16 in E[z] at n = 8, 0.04 at n = 16 and within two
standard errors (0.002, 6000 trials) of 0 from n = 32 on.

Over networks these sums are collected per trial (:class:`SumStats`) by
:func:`numerics.pseudo.grid.fluctuation_grid`, fitted in :mod:`numerics.pseudo.fits`
and drawn by :func:`numerics.pseudo.plots.plot_fluctuation`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from theory._errors import InvalidArgument, check_int

from ..backend.xp import is_numpy_namespace
from ..networks.network import MaskedNetwork, backward, forward

__all__ = ["MaskedInnerProducts", "masked_inner_products", "SumStats", "SUM_KINDS"]

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


def input_pair(x, y) -> np.ndarray:
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
    >>> from numerics import sample_network
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
    X = input_pair(x, y)
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
