"""Width versus sparsity: the required width n*(eps, delta, q) and log-log slope fits.

Input is a table of *relative deviations* |Theta_n(x, y) / limit - 1| sampled over
independent networks, one array per cell (keep_prob q, depth L, width n).  For a
gap ``eps`` and a failure probability ``delta``:

* ``p(n) = P(|Theta_n / limit - 1| > eps)`` is estimated per width by the
  exceedance fraction, with an exact Clopper-Pearson interval;
* ``n*`` is the smallest grid width from which the estimate stays <= delta.  It is
  refined between grid widths through the (1 - delta) quantile Q(n) of the
  deviations (P(dev > eps) <= delta exactly when Q(n) <= eps): log Q is
  interpolated linearly in log n, which is exact for the n^(-1/2) power law of
  central-limit fluctuations (a linear interpolation of p itself is biased by up to
  ~10% on a grid of doublings).  Its grid confidence bounds use the Clopper-Pearson bounds in
  place of the estimate: ``lower`` (lower bounds, optimistic) and ``upper``
  (upper bounds, conservative), each bound one-sided at ``level``;
* slopes of log n* against log(1/q), log(1/eps) or log L are least-squares fits
  whose confidence intervals come from a bootstrap: the trials of every cell are
  resampled with replacement, n* recomputed, the line refitted.

The paper's claim C3 reads: as eps -> 0 the required width grows linearly in the
sparsity parameter; taking that parameter to be 1/q (our reading, not the paper's
stated definition) the slope against log(1/q) should be 1.

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> widths = [64, 128, 256, 512, 1024]
>>> devs = {n: np.abs(rng.normal(size=400)) / np.sqrt(n) for n in widths}
>>> rw = required_width(devs, eps=0.1, delta=0.1)
>>> 200 < rw.n_star < 340        # 1.645^2 / 0.1^2 = 271 for |N(0,1)|/sqrt(n)
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

import numpy as np

from theory._errors import InvalidArgument, check_unit_open

from ..stats import clopper_pearson

__all__ = ["RequiredWidth", "LogLogFit", "required_width", "fit_loglog", "slope_with_bootstrap"]


@dataclass(frozen=True)
class RequiredWidth:
    """n*(eps, delta) on a width grid; ``None`` where the grid never gets there."""

    eps: float
    delta: float
    level: float
    widths: tuple[int, ...]
    p_exceed: tuple[float, ...]
    p_exceed_ci: tuple[tuple[float, float], ...]
    n_star: float | None        # interpolated
    grid_n_star: int | None     # smallest grid width from which p_hat <= delta
    lower: int | None           # same with Clopper-Pearson lower bounds (optimistic)
    upper: int | None           # same with Clopper-Pearson upper bounds (conservative)

    @property
    def interval(self) -> tuple[float, float]:
        """Confidence interval (previous grid width before ``lower``, ``upper``] for n*;
        ``inf`` as the upper end when the conservative bound never gets there."""
        if self.lower is None:
            return (float(self.widths[-1]), float("inf"))
        i = self.widths.index(self.lower)
        lo = float(self.widths[i - 1]) if i > 0 else 0.0
        return (lo, float("inf") if self.upper is None else float(self.upper))


@dataclass(frozen=True)
class LogLogFit:
    """log y = intercept + slope log x, with a confidence interval for the slope."""

    slope: float
    intercept: float
    slope_ci: tuple[float, float]
    level: float
    points: int          # configurations with n* on the grid (used in the point fit)
    method: str

    def contains(self, value: float) -> bool:
        return self.slope_ci[0] <= value <= self.slope_ci[1]


def _first_stable(widths, values, delta) -> int | None:
    """Index of the smallest grid width from which every value is <= delta."""
    ok = [v <= delta for v in values]
    for i in range(len(ok)):
        if all(ok[i:]):
            return i
    return None


def _n_star(deviations: Mapping[int, np.ndarray], widths, eps: float,
            delta: float) -> float | None:
    """n*: the first grid width from which the (1 - delta) quantile of the deviations
    stays <= eps, log-interpolated with the width below; None when off the grid.  The
    point estimate of :func:`required_width` alone."""
    quant = [float(np.quantile(np.asarray(deviations[n]), 1 - delta)) for n in widths]
    return _n_star_from_quantiles(widths, quant, eps)


def _n_star_from_quantiles(widths, quant, eps: float) -> float | None:
    """n* from the (1 - delta) quantiles ``quant`` of the deviations at ``widths``."""
    j = _first_stable(widths, quant, eps)
    if j is None:
        return None
    n_star = float(widths[j])
    if j > 0 and quant[j - 1] > quant[j] > 0:
        lw0, lw1 = math.log(widths[j - 1]), math.log(widths[j])
        frac = (math.log(quant[j - 1]) - math.log(eps)) / (math.log(quant[j - 1])
                                                            - math.log(quant[j]))
        n_star = math.exp(lw0 + frac * (lw1 - lw0))
    return n_star


def required_width(deviations: Mapping[int, np.ndarray], eps: float, delta: float,
                   level: float = 0.95) -> RequiredWidth:
    """n*(eps, delta) from relative deviations sampled at each width of a grid."""
    eps = float(eps)
    if not eps > 0:
        raise InvalidArgument("eps", eps, "the gap must be positive", "pass eps > 0")
    delta = check_unit_open(delta, "delta")
    level = check_unit_open(level, "level")
    if level <= 0.5:
        raise InvalidArgument("level", level, "one-sided bounds need a level above 1/2",
                              "pass e.g. level=0.95")
    if len(deviations) < 2:
        raise InvalidArgument("deviations", f"{len(deviations)} widths",
                              "need at least two widths", "sample a grid of widths")
    widths = tuple(sorted(int(n) for n in deviations))
    counts = [int(np.count_nonzero(np.asarray(deviations[n]) > eps)) for n in widths]
    trials = [int(np.asarray(deviations[n]).size) for n in widths]
    p_hat = tuple(k / t for k, t in zip(counts, trials))
    one_sided = 2 * level - 1          # each bound one-sided at (1 + one_sided)/2 = level
    ci = tuple(clopper_pearson(k, t, one_sided) for k, t in zip(counts, trials))
    i = _first_stable(widths, p_hat, delta)
    n_star = _n_star(deviations, widths, eps, delta)
    lo = _first_stable(widths, [c[0] for c in ci], delta)
    hi = _first_stable(widths, [c[1] for c in ci], delta)
    return RequiredWidth(eps, delta, level, widths, p_hat, ci, n_star,
                         None if i is None else widths[i],
                         None if lo is None else widths[lo], None if hi is None else widths[hi])


def fit_loglog(x, y) -> tuple[float, float]:
    """Least-squares (slope, intercept) of log y against log x."""
    lx, ly = np.log(np.asarray(x, dtype=float)), np.log(np.asarray(y, dtype=float))
    if lx.size < 2 or np.ptp(lx) == 0:
        raise InvalidArgument("x", list(np.asarray(x)), "need two or more distinct values",
                              "fit over at least two keep probabilities / gaps / depths")
    slope, intercept = np.polyfit(lx, ly, 1)
    return float(slope), float(intercept)


def slope_with_bootstrap(cells: Mapping[float, Mapping[int, np.ndarray]], eps: float,
                         delta: float, *, level: float = 0.95, resamples: int = 400,
                         seed: int = 0, x_of=lambda key: 1.0 / key,
                         eps_of=None, require_all: bool = False) -> LogLogFit:
    """Slope of log n* against log x_of(key) over the cells' keys, bootstrap CI.

    ``cells[key][width]`` holds the relative deviations of one configuration (e.g.
    key = keep_prob, x_of = 1/q).  ``eps_of(key)``, if given, overrides ``eps`` per
    key (for fits against 1/eps, where the key is eps itself).  Keys whose n* is
    off the grid are left out of the point fit and of each bootstrap fit; with
    ``require_all`` every key must have n* on the grid (InvalidArgument naming the
    first that does not), and a resample in which any key falls off the grid is a
    failed resample: more than ``(1 - level) / 4`` of them make the percentile
    interval untrustworthy (InvalidArgument).
    """
    level = check_unit_open(level, "level")
    if resamples < 50:
        raise InvalidArgument("resamples", resamples, "too few for a percentile interval",
                              "use at least 50 bootstrap resamples")
    keys = sorted(cells)
    gap = (lambda k: eps_of(k)) if eps_of is not None else (lambda k: eps)

    def fit_points(pts) -> tuple[float, float] | None:
        if require_all and any(n is None for _, n in pts):
            return None
        pts = [(x, n) for x, n in pts if n is not None]
        if len(pts) < 2 or len({x for x, _ in pts}) < 2:
            return None
        return fit_loglog([x for x, _ in pts], [n for _, n in pts])

    for k in keys:                      # validates eps, delta, level and the grids once
        required_width(cells[k], gap(k), delta, level)
    point = fit_points([(x_of(k), _n_star(cells[k], sorted(cells[k]), float(gap(k)), delta))
                        for k in keys])
    on_grid = sum(required_width(cells[k], gap(k), delta, level).n_star is not None for k in keys)
    if require_all and on_grid < len(keys):
        off = [k for k in keys if required_width(cells[k], gap(k), delta, level).n_star is None]
        raise InvalidArgument("cells", f"key {off[0]}",
                              "n* is off the width grid (never reached at the widest width)",
                              "extend the width grid or raise eps/delta")
    if point is None:
        raise InvalidArgument("cells", f"{len(keys)} configurations",
                              "fewer than two reach n* on the width grid",
                              "extend the width grid or raise eps/delta")
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    # Draw every resample's indices in one fixed order (resample, key, width), then take
    # each (key, width) cell's quantiles over all resamples in one call.
    arrays = {k: {n: np.asarray(v) for n, v in cells[k].items()} for k in keys}
    draws = {k: {n: [] for n in arrays[k]} for k in keys}
    for _ in range(resamples):
        for k in keys:
            for n, v in arrays[k].items():
                draws[k][n].append(rng.integers(0, len(v), len(v)))
    quantiles = {k: {n: np.quantile(arrays[k][n][np.array(idx)], 1 - delta, axis=1)
                     for n, idx in draws[k].items()} for k in keys}
    slopes = []
    for r in range(resamples):
        pts = []
        for k in keys:
            widths = sorted(arrays[k])
            quant = [float(quantiles[k][n][r]) for n in widths]
            pts.append((x_of(k), _n_star_from_quantiles(widths, quant, float(gap(k)))))
        res = fit_points(pts)
        if res is not None:
            slopes.append(res[0])
    if require_all and resamples - len(slopes) > (1 - level) / 4 * resamples:
        raise InvalidArgument("cells", f"{resamples - len(slopes)} of {resamples} resamples",
                              "n* falls off the grid in too many bootstrap resamples for a "
                              f"{level:.4g} interval", "extend the width grid or run more trials")
    if len(slopes) < resamples // 2:
        raise InvalidArgument("cells", f"{len(keys)} configurations",
                              "n* falls off the grid in most bootstrap resamples",
                              "extend the width grid or run more trials")
    a = (1 - level) / 2
    lo, hi = np.quantile(slopes, [a, 1 - a])
    return LogLogFit(point[0], point[1], (float(lo), float(hi)), level, on_grid,
                     f"least squares on logs; percentile bootstrap over trials "
                     f"({len(slopes)} of {resamples} resamples on the grid, seed {seed})")
