"""First-layer statistics of the limit kernel, including a masked first layer (claim C5).

Everything after the first hidden layer depends on the inputs only through

* ``Sigma^(1)(x, y) = E_m[ V(K_m)(x, y) ]`` (the first post-activation kernel), and
* ``drive(x, y) = E_m[ K_m(x, y) Vdot(K_m)(x, y) ]`` (the first layer's weight-gradient
  term, paired with its own activation derivative),

where, for a first-layer mask row m, ``K_m(x, y) = r_1^2 sum_j m_j x_j y_j``.  With a
dense first layer m = 1 and both are deterministic.  With a masked first layer and a
fixed input dimension d0 the per-neuron covariance K_m stays random at infinite width,
so the limit is this mask average - in general *not* a multiple of the dense kernel.

Methods:

* ``"dense"``: first layer not masked;
* ``"mean_field"``: K_m replaced by its mean s_1 x.y (the d0 -> infinity idealisation
  used by the symbolic recursion);
* ``"exact"``: enumeration of the 2^k mask patterns on the k coordinates that are
  non-zero in some input (coordinates that are zero in every input are summed out);
* ``"monte_carlo"``: i.i.d. mask rows, with a grouped jackknife standard error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .._errors import InvalidArgument
from ..config import Architecture
from .dual_np import STEPS
from .geometry import PairGeometry

__all__ = ["FirstLayerStats", "first_layer_stats", "deterministic_description", "EXACT_MAX_DIM"]

EXACT_MAX_DIM = 16
_CHUNK_ELEMS = 1 << 22  # pattern-batch size limit, in (pattern, x, y) triples
JACKKNIFE_GROUPS = 32


@dataclass(frozen=True)
class FirstLayerStats:
    """Sums that define Sigma^(1) and the first-layer drive (see module docstring)."""

    var_x: np.ndarray   # Sigma^(1)(x, x), shape (N, 1)
    var_y: np.ndarray   # Sigma^(1)(y, y), shape (1, M)
    sigma: np.ndarray   # Sigma^(1)(x, y), shape (N, M)
    drive: np.ndarray   # E[K Vdot(K)],    shape (N, M)
    geometry: PairGeometry | None  # accurate geometry of Sigma^(1), when known

    def geometry_of_sigma(self) -> PairGeometry:
        if self.geometry is not None:
            return self.geometry
        return PairGeometry.from_covariance(self.var_x, self.var_y, self.sigma)


def deterministic_stats(X, Y, s1: float, activation: str, pairs=None) -> FirstLayerStats:
    if pairs is not None:
        g0 = PairGeometry.from_input_pairs(X, *pairs, Y).scaled(s1)
    else:
        g0 = PairGeometry.from_inputs(X, Y).scaled(s1)
    nngp, deriv, g1 = STEPS[activation](g0)
    deriv *= g0.cov
    return FirstLayerStats(g1.var_x, g1.var_y, nngp, deriv, g1)


def pattern_sums(Xr, Yr, masks, weights, r2: float, activation: str, symmetric: bool):
    """Weighted sums over mask patterns of (var_x, var_y, sigma, drive), and for ReLU
    the four extra sums of :func:`relu_one_minus_cos`."""
    N, M = Xr.shape[0], Yr.shape[0]
    relu = activation == "relu"
    shapes = [(N, 1), (1, M), (N, M), (N, M)] + ([(N, M)] * 5 if relu else [])
    out = [np.zeros(shape) for shape in shapes]
    if relu:
        ref = np.sqrt((np.sum(Yr * Yr, axis=1)[None, :]) / np.sum(Xr * Xr, axis=1)[:, None])
    step = max(1, _CHUNK_ELEMS // (N * M))
    for start in range(0, len(masks), step):
        m = masks[start:start + step].astype(np.float64)
        w = weights[start:start + step][:, None, None]
        Xm = Xr[None, :, :] * m[:, None, :]
        Ym = None if symmetric else Yr[None, :, :] * m[:, None, :]
        # Per-pattern terms are averaged, so the exact rational treatment of nearly
        # antiparallel pairs (relative accuracy of tiny values) is not needed here.
        g0 = PairGeometry.from_inputs(Xm, Ym, exact_antiparallel=False).scaled(r2)
        nngp, deriv, g1 = STEPS[activation](g0)
        vals = [g1.var_x, g1.var_y, nngp, g0.cov * deriv]
        if relu:
            a2, b2 = g0.var_x, g0.var_y                      # alpha^2, beta^2
            with np.errstate(divide="ignore", invalid="ignore"):
                dev = np.where(a2 > 0, np.sqrt(b2 / a2), 0.0) - ref   # rho - rho_ref
            ab = np.sqrt(a2 * b2)
            one_minus_J = g1.sin * g1.sin / (1.0 + g1.cos)   # accurate near J = 1
            vals += [a2 * dev, a2 * dev * dev, ab, ab * one_minus_J,
                     b2 * (a2 == 0)]
        for acc, val in zip(out, vals):
            acc += np.sum(w * np.broadcast_to(val, (len(m),) + acc.shape), axis=0)
    return out


def relu_one_minus_cos(vx, vy, s1, s2, eab, eab_1mJ, z):
    """1 - cos of the mask-averaged ReLU kernel Sigma^(1), without cancellation.

    With alpha_m, beta_m the masked norms, A = alpha^2 = Sigma_m(x,x), B = beta^2,
    rho = beta/alpha and W = E[A]:
    sqrt(E[A]E[B]) - E[alpha beta J] = G + E[alpha beta (1 - J)], where the
    Cauchy-Schwarz gap G = (E[A]E[B] - E[alpha beta]^2) / (sqrt(E[A]E[B]) + E[alpha beta])
    and E[A]E[B] - E[alpha beta]^2 = W E[A (rho - rho_ref)^2] - E[A (rho - rho_ref)]^2 + W Z
    (an A-weighted variance of rho; rho_ref = |y|/|x| only centres it), where
    Z = E[B 1{alpha = 0}] collects the patterns that mask x out entirely but not y.
    """
    root = np.sqrt(vx * vy)
    gap = np.maximum(vx * s2 - s1 * s1 + vx * z, 0.0) / (root + eab)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(root > 0, (gap + eab_1mJ) / np.where(root > 0, root, 1.0), 0.0)


def finish_stats(sums, count=1.0) -> FirstLayerStats:
    vx, vy, sig, drv, *extra = (v / count for v in sums)
    geometry = None
    if extra:  # ReLU: accurate angle of the averaged kernel near correlation 1
        geometry = PairGeometry.from_covariance(vx, vy, sig)
        omc = relu_one_minus_cos(vx, vy, *extra)
        near = geometry.cos > 0.5
        cos = np.where(near, 1.0 - omc, geometry.cos)
        sin = np.where(near, np.sqrt(np.maximum(omc, 0.0) * (2.0 - omc)), geometry.sin)
        geometry = PairGeometry(vx, vy, cos, sin)
    return FirstLayerStats(vx, vy, sig, drv, geometry)


def _enumerate(Xr, Yr, q: float, r2: float, activation: str, symmetric: bool) -> FirstLayerStats:
    k = Xr.shape[1]
    codes = np.arange(1 << k, dtype=np.int64)
    masks = ((codes[:, None] >> np.arange(k)) & 1).astype(bool)
    kept = masks.sum(axis=1)
    weights = q ** kept * (1.0 - q) ** (k - kept)
    return finish_stats(pattern_sums(Xr, Yr, masks, weights, r2, activation, symmetric))


def _monte_carlo(Xr, Yr, q, r2, activation, symmetric, samples: int, seed: int,
                 propagate: Callable[[FirstLayerStats], tuple[np.ndarray, np.ndarray]]):
    """Mask-average by sampling; returns (stats, stderr_ntk, stderr_nngp).

    The standard error is a grouped (delete-one-group) jackknife of the whole
    limit-kernel map, which is nonlinear in the averages.
    """
    if samples < 2 * JACKKNIFE_GROUPS:
        raise InvalidArgument("mask_samples", samples, "too few to estimate a standard error",
                              f"use at least {2 * JACKKNIFE_GROUPS} samples")
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    masks = rng.random((samples, Xr.shape[1])) < q
    groups = np.array_split(np.arange(samples), JACKKNIFE_GROUPS)
    sums = []
    for g in groups:
        w = np.full(len(g), 1.0)
        sums.append(pattern_sums(Xr, Yr, masks[g], w, r2, activation, symmetric))
    total = [sum(parts) for parts in zip(*sums)]
    full = finish_stats(total, samples)
    loo = [propagate(finish_stats([t - s for t, s in zip(total, part)], samples - len(g)))
           for part, g in zip(sums, groups)]
    G = JACKKNIFE_GROUPS
    errs = []
    for which in (0, 1):
        vals = np.stack([v[which] for v in loo])
        errs.append(np.sqrt((G - 1) / G * np.sum((vals - vals.mean(axis=0)) ** 2, axis=0)))
    return full, errs[0], errs[1]


def deterministic_description(method: str) -> str:
    """What the ``"dense"`` and ``"mean_field"`` methods compute, in one line."""
    if method == "dense":
        return "first layer dense"
    return "first layer masked, mean-field (K^(1) = s_1 x.y; exact only as d0 -> infinity)"


def first_layer_stats(arch: Architecture, X: np.ndarray, Y: np.ndarray | None, *,
                      method: str, mask_samples: int = 1 << 14, seed: int = 0,
                      propagate=None, pairs=None):
    """Return ``(stats, stderr_ntk, stderr_nngp, description)`` for the chosen method.

    ``pairs=(rows, cols)`` (deterministic methods) restricts the work to the pairs
    (X[rows[k]], Y[cols[k]]) (Y = X when None) and returns 1-D statistics.
    """
    symmetric = Y is None
    Yv = X if symmetric else Y
    q = arch.keep_probs[0]
    s1 = float(arch.layer_scales()[0])
    if method in ("dense", "mean_field"):
        return (deterministic_stats(X, Y, s1, arch.activation, pairs), None, None,
                deterministic_description(method))
    relevant = np.flatnonzero(np.any(X != 0, axis=0) | np.any(Yv != 0, axis=0))
    Xr, Yr = X[:, relevant], Yv[:, relevant]
    r2 = float(1 / q) if arch.rescale else 1.0
    if method == "exact":
        k = len(relevant)
        desc = (f"first layer masked, exact average over 2^{k} mask patterns "
                f"of the {k} non-zero input coordinates")
        return _enumerate(Xr, Yr, float(q), r2, arch.activation, symmetric), None, None, desc
    if method == "monte_carlo":
        full, se_ntk, se_nngp = _monte_carlo(Xr, Yr, float(q), r2, arch.activation, symmetric,
                                             mask_samples, seed, propagate)
        desc = (f"first layer masked, Monte Carlo over {mask_samples} mask rows "
                f"(seed {seed}), jackknife standard errors")
        return full, se_ntk, se_nngp, desc
    raise InvalidArgument("first_layer", method, "unknown method",
                          "choose auto, exact, monte_carlo or mean_field")
