"""What the trials of :func:`~numerics.graphons.pruned.pruned_graphon_trials` say, with
statistics and stated error rates.

* :func:`second_moment_gap` - the second-moment graphon E[(M . W)^2] beside the density
  graphon, per layer and width: the kept weights' mean square
  ``m2 = sum V / sum G`` (block-size weighted; exactly 1 in expectation, given the
  mask, when the weights are independent of the mask, the paper's model) with a
  two-sided z-test of m2 = 1 at family-wise rate ``alpha`` (Bonferroni over layers and
  widths), and the relative L1 gap ``sum |V - G| / sum G`` beside the gap of the same
  masks with permuted weights (block noise alone), their paired difference with its
  standard error.
* :func:`constant_deviation` - the cut norm of G - d (d the estimate's density) per
  trial, i.e. the cut distance to the constant graphon d (a constant is invariant
  under relabelling): exact for at most ``exact_max`` blocks on a side, otherwise a
  lower bound (local search, attained) and an upper bound (signed-mass bound).  Means,
  standard errors and the log-log slope over widths of the mean lower bound with a
  percentile-bootstrap interval: a mask converging to a constant graphon has bounds
  that decay (noise only), one converging to a non-constant graphon keeps them away
  from 0.
* :func:`pruned_ntk_convergence` - does the eNTK of the pruned networks converge, and
  to which Graphon NTK (:data:`~numerics.graphons.pruned.VERSIONS`)?  Per version the
  paired deviations d_t = Theta_n(x, y) - Gamma_t(x, y) (Gamma_t from trial t's own
  estimate), the slope of log mean |d| against log n with a bootstrap interval, and
  the intercept of mean d = b0 + c / n (weighted least squares) with a two-sided
  z-test of b0 = 0 at ``alpha`` / 3 per version (family-wise ``alpha``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats as _st

from theory._errors import check_int, check_unit_open

from .cut import EXACT_MAX_BLOCKS, cut_norm
from .pruned import VERSIONS, PrunedGraphonTrials

__all__ = ["SecondMomentGap", "ConstantDeviation", "PrunedNTKConvergence",
           "second_moment_gap", "constant_deviation", "pruned_ntk_convergence",
           "loglog_slope"]


def _mean_se(values) -> tuple[float, float]:
    v = np.asarray(values, dtype=float)
    return float(v.mean()), float(v.std(ddof=1) / math.sqrt(v.size)) if v.size > 1 else math.nan


def loglog_slope(samples: dict, *, level: float = 0.95, resamples: int = 1000,
                 seed: int = 0) -> tuple[float, tuple[float, float]] | None:
    """Least-squares slope of log(mean of samples[n]) against log n, with a percentile
    bootstrap interval at ``level`` (samples resampled within each n); None when a
    mean is not positive.

    >>> s = {n: np.full(5, n ** -0.5) for n in (10, 100, 1000)}
    >>> slope, (lo, hi) = loglog_slope(s, resamples=100)
    >>> round(slope, 6), round(lo, 6), round(hi, 6)
    (-0.5, -0.5, -0.5)
    """
    widths = sorted(samples)
    data = [np.asarray(samples[n], dtype=float) for n in widths]
    if min(d.mean() for d in data) <= 0:
        return None
    logn = np.log(np.asarray(widths, dtype=float))
    slope = float(np.polyfit(logn, np.log([d.mean() for d in data]), 1)[0])
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    boot = []
    for _ in range(check_int(resamples, "resamples", 10)):
        means = [d[rng.integers(0, d.size, d.size)].mean() for d in data]
        if min(means) > 0:
            boot.append(np.polyfit(logn, np.log(means), 1)[0])
    a = (1 - check_unit_open(level, "level")) / 2
    lo, hi = np.quantile(boot, [a, 1 - a])
    return slope, (float(lo), float(hi))


# ---------------------------------------------------------------------- second moments
@dataclass(frozen=True)
class SecondMomentGap:
    """Per (width, layer): ``m2`` (mean, stderr) of the kept weights' mean square, its
    z-score against 1 and p-value; ``gap``, ``null`` and ``excess`` = gap - null (mean,
    stderr) of the relative L1 gap between V and G; ``selects[h]``: whether m2 differs
    from 1 at the largest width at family-wise rate ``alpha``."""

    widths: tuple
    layers: tuple
    m2: dict
    z: dict
    p: dict
    gap: dict
    null: dict
    excess: dict
    alpha: float
    selects: dict

    def table(self) -> str:
        lines = [f"{'width':>6} {'layer':>5} {'E[W^2|kept]':>16} {'z vs 1':>8} "
                 f"{'|V-G|/G':>16} {'noise only':>16}"]
        for n in self.widths:
            for h in self.layers:
                (m, s), (g, gs), (u, us) = self.m2[n, h], self.gap[n, h], self.null[n, h]
                lines.append(f"{n:>6} {h:>5} {m:>9.4f}+-{s:<6.2g} {self.z[n, h]:>8.1f} "
                             f"{g:>9.4f}+-{gs:<6.2g} {u:>9.4f}+-{us:<6.2g}")
        sel = [h for h in self.layers if self.selects[h]]
        lines.append(f"kept weights' mean square differs from 1 (weights selected by the "
                     f"method) at family-wise alpha = {self.alpha:g} on: "
                     f"{', '.join(f'layer {h}' for h in sel) or 'no layer'}")
        return "\n".join(lines)


def _weights(runs: PrunedGraphonTrials, n: int, h: int) -> np.ndarray:
    rows, cols = runs.block_sizes(n, h)
    return np.outer(rows, cols).astype(float)


def second_moment_gap(runs: PrunedGraphonTrials, *, alpha: float = 0.01) -> SecondMomentGap:
    """See the module docstring."""
    alpha = check_unit_open(alpha, "alpha")
    tests = len(runs.widths) * len(runs.layers)
    m2, z, p, gap, null, excess = {}, {}, {}, {}, {}, {}
    for n in runs.widths:
        for h in runs.layers:
            w = _weights(runs, n, h)
            G = runs.histograms(n, h)
            V = runs.histograms(n, h, second_moment=True)
            kept = np.sum(G * w, axis=(1, 2))
            ratio = np.sum(V * w, axis=(1, 2)) / np.where(kept > 0, kept, 1.0)
            m2[n, h] = _mean_se(ratio)
            mean, se = m2[n, h]
            z[n, h] = (mean - 1.0) / se if se > 0 else math.inf * np.sign(mean - 1.0)
            p[n, h] = float(2 * _st.norm.sf(abs(z[n, h])))
            g, u = runs.values(n, f"gap{h}"), runs.values(n, f"null{h}")
            gap[n, h], null[n, h], excess[n, h] = _mean_se(g), _mean_se(u), _mean_se(g - u)
    top = runs.widths[-1]
    selects = {h: bool(p[top, h] < alpha / tests) for h in runs.layers}
    return SecondMomentGap(runs.widths, runs.layers, m2, z, p, gap, null, excess, alpha,
                           selects)


# ---------------------------------------------------------------------- constant graphons
@dataclass(frozen=True)
class ConstantDeviation:
    """Per (width, layer): mean and stderr over trials of the lower and upper bounds on
    the cut distance of the estimate to the constant graphon of its density; ``exact``
    whether every value was exact; ``rates[h]`` = (slope, CI) of log mean lower bound
    against log width (None when a mean is 0)."""

    widths: tuple
    layers: tuple
    lower: dict
    upper: dict
    exact: bool
    rates: dict
    level: float

    def table(self) -> str:
        kind = "exact" if self.exact else "lower: local search; upper: signed-mass bound"
        lines = [f"{'width':>6} {'layer':>5} {'cut dist. to constant':>30}   ({kind})"]
        for n in self.widths:
            for h in self.layers:
                (lo, ls), (up, us) = self.lower[n, h], self.upper[n, h]
                lines.append(f"{n:>6} {h:>5}   [{lo:.4f} +- {ls:.2g}, {up:.4f} +- {us:.2g}]")
        for h, rate in self.rates.items():
            text = "no rate (a mean is 0)" if rate is None else \
                f"~ n^{rate[0]:.3f} ({self.level:.0%} bootstrap CI [{rate[1][0]:.3f}, " \
                f"{rate[1][1]:.3f}]; noise alone decays, a non-constant graphon gives ~ 0)"
            lines.append(f"layer {h}: lower bound {text}")
        return "\n".join(lines)


def constant_deviation(runs: PrunedGraphonTrials, *, exact_max: int = EXACT_MAX_BLOCKS,
                       level: float = 0.95, resamples: int = 1000,
                       seed: int = 0) -> ConstantDeviation:
    """See the module docstring."""
    lower, upper, exact, samples = {}, {}, True, {}
    for n in runs.widths:
        for h in runs.layers:
            rows, cols = runs.block_sizes(n, h)
            mu, nu = rows / rows.sum(), cols / cols.sum()
            los, ups = [], []
            for G in runs.histograms(n, h):
                d = float(mu @ G @ nu)
                c = cut_norm(G - d, row_measure=mu, col_measure=nu, exact_max=exact_max)
                exact = exact and c.exact
                los.append(c.lower)
                ups.append(c.upper)
            lower[n, h], upper[n, h] = _mean_se(los), _mean_se(ups)
            samples.setdefault(h, {})[n] = np.array(los)
    rates = {h: loglog_slope(samples[h], level=level, resamples=resamples, seed=seed)
             for h in runs.layers}
    return ConstantDeviation(runs.widths, runs.layers, lower, upper, exact, rates, level)


# ---------------------------------------------------------------------- the eNTK
@dataclass(frozen=True)
class PrunedNTKConvergence:
    """Per version (:data:`~numerics.graphons.pruned.VERSIONS`): per width the mean
    reference ``reference[v][i]``, the mean deviation ``bias[v][i]`` = (mean, stderr)
    of Theta_n - Gamma, the mean |deviation| ``mad[v][i]``; the slope of log mad vs log
    n with its interval; the intercept b0 of mean deviation = b0 + c/n with its
    stderr, z and p; and the verdict in words."""

    widths: tuple
    entk: list
    reference: dict
    bias: dict
    mad: dict
    slope: dict
    intercept: dict
    alpha: float
    level: float
    verdict: dict

    def table(self) -> str:
        lines = [f"{'width':>6} {'E Theta_n(x,y)':>15}   " + "   ".join(
            f"{v + ' Gamma':>14} {'E[dev]':>17}" for v in VERSIONS)]
        for i, n in enumerate(self.widths):
            m, s = self.entk[i]
            row = f"{n:>6} {m:>8.5f}+-{s:<6.2g}"
            for v in VERSIONS:
                b, bs = self.bias[v][i]
                row += f"   {self.reference[v][i]:>14.5f} {b:>9.5f}+-{bs:<6.2g}"
            lines.append(row)
        for v in VERSIONS:
            slope = self.slope[v]
            s = "n/a" if slope is None else \
                f"{slope[0]:.3f} [{slope[1][0]:.3f}, {slope[1][1]:.3f}]"
            b0, se, z, p = self.intercept[v]
            lines.append(f"{v:>8}: slope of log E|dev| vs log n {s}; limit offset b0 = "
                         f"{b0:.4g} +- {se:.2g} (z = {z:.1f}); {self.verdict[v]}")
        return "\n".join(lines)


def _intercept(widths, means, ses):
    A = np.column_stack([np.ones(len(widths)), 1.0 / np.asarray(widths, dtype=float)])
    w = 1.0 / np.maximum(np.asarray(ses, dtype=float), 1e-300) ** 2
    cov = np.linalg.inv(A.T @ (A * w[:, None]))
    beta = cov @ (A.T @ (w * np.asarray(means)))
    return float(beta[0]), float(math.sqrt(cov[0, 0]))


def pruned_ntk_convergence(runs: PrunedGraphonTrials, *, alpha: float = 0.01,
                           level: float = 0.95, resamples: int = 1000,
                           seed: int = 0) -> PrunedNTKConvergence:
    """See the module docstring."""
    alpha = check_unit_open(alpha, "alpha")
    widths = runs.widths
    theta = {n: runs.values(n, "entk")[:, 0] for n in widths}
    entk = [_mean_se(theta[n]) for n in widths]
    reference, bias, mad, slope, intercept, verdict = {}, {}, {}, {}, {}, {}
    for v in VERSIONS:
        dev = {n: theta[n] - runs.values(n, v)[:, 0] for n in widths}
        reference[v] = [float(np.mean(runs.values(n, v)[:, 0])) for n in widths]
        bias[v] = [_mean_se(dev[n]) for n in widths]
        mad[v] = [float(np.mean(np.abs(dev[n]))) for n in widths]
        slope[v] = loglog_slope({n: np.abs(dev[n]) for n in widths}, level=level,
                                resamples=resamples, seed=seed)
        b0, se = _intercept(widths, [b for b, _ in bias[v]], [s for _, s in bias[v]])
        z = b0 / se if se > 0 else math.inf
        p = float(2 * _st.norm.sf(abs(z)))
        intercept[v] = (b0, se, z, p)
        rel = b0 / reference[v][-1] if reference[v][-1] else math.nan
        if p < alpha / len(VERSIONS):
            verdict[v] = (f"does not converge to it: the extrapolated offset is {rel:+.1%} of "
                          f"it (rejected at family-wise alpha = {alpha:g})")
        elif slope[v] is not None and slope[v][1][1] < 0:
            verdict[v] = "consistent with convergence to it (no offset; |dev| decays)"
        else:
            verdict[v] = "undecided (no offset detected, but |dev| does not decay clearly)"
    return PrunedNTKConvergence(widths, entk, reference, bias, mad, slope, intercept, alpha,
                                level, verdict)
