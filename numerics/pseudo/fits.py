"""Fits to a fluctuation grid (claim C4): the fluctuation slope and the width requirement.

On a :class:`numerics.pseudo.grid.FluctuationGrid`,
:func:`fit_fluctuation_slope` fits log(sd/mean) against log(q n) (slope -1/2);
:func:`width_sparsity_slope` compares the measured growth of the width
requirement n*(q) with the elasticity formula evaluated at the measured kappa
(:func:`predicted_width_slope`).  Confidence intervals resample trials (the same
trial indices for every keep probability at one width: networks that differ only
in q share weights and uniforms).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Mapping, Sequence

import numpy as np
from scipy import stats as _st

from theory._errors import InvalidArgument, check_int, check_keep_prob, check_unit_open

from .grid import FluctuationGrid
from .networks import _check_kind

__all__ = ["FluctuationFit", "fit_fluctuation_slope", "WidthSparsity", "width_sparsity_slope",
           "PredictedWidthSlope", "predicted_width_slope"]


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
    kappa/(kappa - q) (theory.pseudo.derivation derives both).

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
