"""Monte Carlo checks of the predicted mean and variance of Theta_n, with stated error rates.

For each kernel entry (x_i, x_j) and width n the sample mean and n s^2 of T networks are
compared with the theory (:mod:`theory.variance`):

* depth 1 - the theory is exact at every width: z = (mean - Theta_lim)/se and
  z = (n s^2 - V)/(n se(s^2)) at each width;
* depth >= 2 - the theory is the n -> infinity limit with an O(1/n) remainder: a weighted
  least-squares fit n s^2 = V + b/n over the widths (weights 1/se^2) gives an intercept
  with its standard error, tested against V; likewise mean = Theta_lim + m/n, its
  intercept tested against Theta_lim and its slope against m where m is derived.
  The fitted b (and the deviations |n s^2 - V| per width) show the remainder shrinking.

All z-tests of one call share a union (Bonferroni) bound: each uses the two-sided
threshold z* = Phi^-1(1 - alpha/(2K)) for K tests, so the probability of any false alarm
is at most ``alpha`` when the theory is right (up to the normal approximation of the
sample moments, which needs T in the hundreds).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import stats as _st

from theory._errors import InvalidArgument, check_unit_open
from theory.config import Architecture
from theory.variance.deep import variance_terms
from theory.variance.one_layer import one_layer_moments

from .monte_carlo import Moments, hidden_widths, moments, sample_entries

__all__ = ["WidthPoint", "EntryCheck", "VarianceCheck", "check_variance", "wls_line"]


@dataclass(frozen=True)
class WidthPoint:
    """One width: the sample moments and their z-scores against the prediction
    (None where the prediction is only asymptotic)."""

    width: int
    moments: Moments
    n_var: float
    n_var_se: float
    z_mean: float | None
    z_var: float | None


@dataclass(frozen=True)
class EntryCheck:
    """One kernel entry over the widths: prediction, measurements, fits and z-scores."""

    pair: tuple[int, int]
    limit: float
    n_var_pred: float
    mean_1_over_n_pred: float | None
    points: tuple[WidthPoint, ...]
    fit_V: tuple[float, float] | None = None          # intercept, se of n s^2 = V + b/n
    fit_b: tuple[float, float] | None = None
    fit_mean: tuple[float, float] | None = None       # intercept, se of mean = lim + m/n
    fit_m: tuple[float, float] | None = None
    z: dict = field(default_factory=dict)

    def worst_z(self) -> float:
        vals = [abs(v) for v in self.z.values() if v is not None]
        return max(vals) if vals else 0.0


@dataclass(frozen=True)
class VarianceCheck:
    """The checks of one architecture: entries, the union-bound threshold and the verdict."""

    arch: Architecture
    entries: tuple[EntryCheck, ...]
    alpha: float
    tests: int
    z_threshold: float

    @property
    def passed(self) -> bool:
        return all(e.worst_z() <= self.z_threshold for e in self.entries)


def wls_line(x, y, se):
    """Weighted least squares y = c0 + c1 x: ((c0, se0), (c1, se1), chi2).

    >>> (c0, _), (c1, _), chi2 = wls_line([1.0, 2.0, 3.0], [3.0, 5.0, 7.0], [0.1, 0.1, 0.1])
    >>> round(c0, 9), round(c1, 9), round(chi2, 9)
    (1.0, 2.0, 0.0)
    """
    x, y, se = (np.asarray(v, dtype=float) for v in (x, y, se))
    A = np.stack([np.ones_like(x), x], axis=1) / se[:, None]
    b = y / se
    cov = np.linalg.inv(A.T @ A)
    coef = cov @ A.T @ b
    chi2 = float(np.sum((A @ coef - b) ** 2))
    return (float(coef[0]), float(np.sqrt(cov[0, 0]))), (float(coef[1]), float(np.sqrt(cov[1, 1]))), chi2


def _entry(arch, X, pair, widths, samples, ratios) -> EntryCheck:
    i, j = pair
    pred = variance_terms(arch, X[i][None], X[j][None], width_ratios=ratios)
    limit, V = float(pred.limit[0]), float(pred.n_var[0])
    m = None if pred.mean_1_over_n is None or np.isnan(pred.mean_1_over_n[0]) \
        else float(pred.mean_1_over_n[0])
    exact = arch.depth == 1
    if exact:
        ex = one_layer_moments(arch, X[i][None], X[j][None])
        limit, V = float(ex.mean[0]), float(ex.n_var[0])
    points, z = [], {}
    for n, vals in zip(widths, samples):
        mo = moments(vals)
        nv, nse = n * mo.var, n * mo.var_se
        zm = (mo.mean - limit) / mo.mean_se if (exact or m == 0) else None
        zv = (nv - V) / nse if exact else None
        points.append(WidthPoint(n, mo, nv, nse, zm, zv))
        if zm is not None:
            z[f"mean@{n}"] = zm
        if zv is not None:
            z[f"nvar@{n}"] = zv
    entry = dict(pair=pair, limit=limit, n_var_pred=V, mean_1_over_n_pred=m,
                 points=tuple(points), z=z)
    if not exact and len(widths) >= 2:
        inv = [1.0 / p.width for p in points]
        fv, fb, _ = wls_line(inv, [p.n_var for p in points], [p.n_var_se for p in points])
        fm, fmm, _ = wls_line(inv, [p.moments.mean for p in points],
                              [p.moments.mean_se for p in points])
        z["fit_V"] = (fv[0] - V) / fv[1]
        z["fit_limit"] = (fm[0] - limit) / fm[1]
        if m is not None:
            z["fit_m"] = (fmm[0] - m) / fmm[1]
        entry.update(fit_V=fv, fit_b=fb, fit_mean=fm, fit_m=fmm)
    return EntryCheck(**entry)


def check_variance(arch: Architecture, widths, X, pairs, trials: int, *, seed: int = 0,
                   width_ratios=None, alpha: float = 0.01, store=None) -> VarianceCheck:
    """Sample ``trials`` networks at each width and test every prediction (module docstring).

    ``widths`` are reference widths n (n_h = round(alpha_h n)); ``pairs`` index rows of
    ``X``; diagonal pairs (i, i) are allowed.
    """
    alpha = check_unit_open(alpha, "alpha", "0.01")
    widths = tuple(int(n) for n in widths)
    if not widths:
        raise InvalidArgument("widths", widths, "no width given", "give at least one width")
    if arch.depth > 1 and len(widths) < 2:
        raise InvalidArgument("widths", list(widths), "depth >= 2 needs a fit over widths",
                              "give at least two widths")
    X = np.atleast_2d(np.asarray(X, dtype=float))
    samples = []
    for n in widths:
        hw = hidden_widths(arch, n, width_ratios)
        samples.append(sample_entries(arch, hw, X, pairs, trials, seed=seed, store=store)[:, :, 0])
    entries = tuple(_entry(arch, X, pair, widths, [s[:, p] for s in samples], width_ratios)
                    for p, pair in enumerate(pairs))
    tests = sum(len(e.z) for e in entries)
    z_star = float(_st.norm.isf(alpha / (2 * max(tests, 1))))
    return VarianceCheck(arch, entries, alpha, tests, z_star)
