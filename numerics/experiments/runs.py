"""The authors' three experiments, run by Monte Carlo over random networks and judged by rules.

* :func:`width_convergence` (A): Theta_n(x, y) against width 2^5..2^13 for the dense
  model and the rescaled pruned model (keep_prob 1/2, first layer dense); both share
  the dense limit.
* :func:`sparsity_scaling` (B): mean relative deviation |Theta_n / limit - 1| against
  prune_prob 0, 1/8, ..., 7/8 with widths 2^10 / sqrt(q), 2^10 / q and 2^10 / q^2
  (q = keep_prob = 1 - prune_prob), rescaled pruning.
* :func:`all_layers` (C): as (A) with every layer masked, the first included; the exact
  limit at fixed input dimension is the mask average (claim C5), tested against the
  mean-field (here: dense) line.

Every function returns a frozen result whose ``verdict`` states the rule it applied.
``quick=True`` runs a small grid (seconds); the default grid is the full one.  The
depth (2 for A and C, 1 for B, whose widths reach 2^16) and the inputs are our
choices.  Trials are stored in ``store`` (resumable) and counted by one display.

>>> r = width_convergence(quick=True, trials=4)
>>> [s.label for s in r.series], r.series[0].widths[:2]
(['dense', 'pruned'], (32, 64))
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from scipy import stats as _st

from theory._errors import InvalidArgument
from theory.config import Architecture
from theory.kernels.float64 import limit_kernel

from ..backend.devices import run_key
from .grids import grid as _grid
from ..scaling.grid import grid_configs, run_grid
from ..sweeps.config import (
    SweepConfig,
    auto_workers,
    check_memory,
    trial_cost,
    trial_memory,
)
from ..sweeps.progress import Progress
from ..sweeps.store import ResultStore
from ..sweeps.sweep import run_sweep

__all__ = ["Series", "WidthConvergence", "Schedule", "SparsityScaling", "AllLayers",
           "width_convergence", "sparsity_scaling", "all_layers", "EXPERIMENTS",
           "Z_RULE", "LEVEL"]

LEVEL = 0.95
Z_RULE = 4.0          # |mean - limit| <= 4 stderr at the largest width
Z_FLAT = 3.0          # B: |m(q) - m(1)| <= 3 combined stderr
_Z95 = 1.959963984540054
X_AB, Y_AB = (1.0, 0.0, 0.0), (0.6, 0.8, 0.0)
X_C, Y_C = (1.0, 0.0, 0.0), (0.0, 1.0, 0.0)      # orthogonal, d0 = 3: C5 gap of 29% at L = 2
HALF = Fraction(1, 2)


@dataclass(frozen=True)
class Series:
    """Monte Carlo estimates of Theta_n(x, y) of one model at several widths."""

    label: str
    keep_prob: Fraction
    widths: tuple[int, ...]
    theta: tuple[np.ndarray, ...]          # per width, indexed by trial

    def summary(self, i: int) -> tuple[float, float, float, float]:
        """(mean, stderr, t-interval low, high) at width index i."""
        v = self.theta[i]
        mean, se = float(v.mean()), float(v.std(ddof=1) / math.sqrt(v.size))
        half = float(_st.t.ppf(0.5 + LEVEL / 2, v.size - 1)) * se
        return mean, se, mean - half, mean + half

    def z(self, limit: float, i: int = -1) -> float:
        mean, se, _, _ = self.summary(i)
        return (mean - limit) / se if se > 0 else (0.0 if mean == limit else math.inf)

    def abs_dev(self, limit: float, i: int) -> tuple[float, float]:
        d = np.abs(self.theta[i] - limit)
        return float(d.mean()), float(d.std(ddof=1) / math.sqrt(d.size))

    def dev_slope(self, limit: float) -> tuple[float, tuple[float, float]]:
        """Log-log slope of mean |Theta_n - limit| against width, 95% delta-method interval."""
        return _slope(self.widths, [self.abs_dev(limit, i) for i in range(len(self.widths))])


def _slope(xs, mean_se) -> tuple[float, tuple[float, float]]:
    lx = np.log(np.asarray(xs, dtype=float))
    m = np.array([a for a, _ in mean_se])
    rel = np.array([b for _, b in mean_se]) / m
    c = (lx - lx.mean()) / np.sum((lx - lx.mean()) ** 2)
    slope = float(np.sum(c * np.log(m)))
    se = float(math.sqrt(np.sum(c ** 2 * rel ** 2)))
    return slope, (slope - _Z95 * se, slope + _Z95 * se)


def _false_alarm(trials: int, z: float = Z_RULE) -> float:
    """P(|T| > z) for Student t with trials - 1 degrees of freedom."""
    return float(2 * _st.t.sf(z, trials - 1))


@dataclass(frozen=True)
class WidthConvergence:
    depth: int
    x: tuple
    y: tuple
    trials: int
    seed: int
    limit: float
    series: tuple[Series, ...]           # dense (keep_prob 1), pruned (keep_prob 1/2)
    converges: bool
    verdict: str
    computed: int


@dataclass(frozen=True)
class Schedule:
    """One width schedule n(q) of (B): mean relative deviation per prune_prob."""

    name: str
    prune_probs: tuple[Fraction, ...]
    widths: tuple[int, ...]
    mean_rel_dev: tuple[float, ...]
    stderr: tuple[float, ...]
    z_vs_dense: tuple[float, ...]        # (m(q) - m(1)) / combined stderr
    slope: float                         # log m against log(1/q)
    slope_ci: tuple[float, float]
    shape: str                           # flat | grows | shrinks | not flat


@dataclass(frozen=True)
class SparsityScaling:
    depth: int
    x: tuple
    y: tuple
    trials: int
    seed: int
    base_width: int
    limit: float
    schedules: tuple[Schedule, ...]
    flat: tuple[str, ...]
    verdict: str
    computed: int


@dataclass(frozen=True)
class AllLayers:
    depth: int
    x: tuple
    y: tuple
    trials: int
    seed: int
    exact_limit: float                   # mask-averaged (claim C5)
    mean_field_limit: float              # the dense limit for rescaled pruning
    series: tuple[Series, ...]
    z_exact: float
    z_mean_field: float
    converges_to: str                    # exact | mean-field | both | neither
    verdict: str
    computed: int


class _SharedProgress(Progress):
    """One display over several sweeps: run_sweep's close after each sweep is ignored."""

    def close(self) -> None:
        pass

    def finish(self) -> None:
        super().close()


def _run_configs(configs, trials, store, workers, progress, backend="numpy",
                 scheduler=None) -> tuple[dict, int]:
    """theta_xy per config key (each distinct configuration computed once)."""
    unique = list({c.key: c for c in configs}.values())
    if workers is None:
        workers = auto_workers(unique, trials)
    check_memory(max(unique, key=trial_memory), workers, argument="--workers")
    own = store is None
    store = ResultStore() if own else store
    try:
        done = {c.key: sum(1 for t in store.done_trials(run_key(c, backend)) if t < trials)
                for c in unique}
        bar = _SharedProgress(trials * len(unique), sum(done.values()), enabled=bool(progress),
                              total_cost=sum(trials * trial_cost(c) for c in unique),
                              done_cost=sum(done[c.key] * trial_cost(c) for c in unique))
        out, computed = {}, 0
        try:
            for c in unique:
                res = run_sweep(c, trials, store=store, workers=workers, progress=bar,
                                backend=backend, scheduler=scheduler)
                out[c.key], computed = res.theta_xy, computed + res.computed
        finally:
            bar.finish()
    finally:
        if own:
            store.close()
    return out, computed


def _limit(arch, x, y, **kw) -> float:
    return float(limit_kernel(arch, [x], [y], **kw).ntk[0, 0])


def _trials(trials, default: int) -> int:
    t = default if trials is None else trials
    if isinstance(t, bool) or not isinstance(t, int) or t < 2:
        raise InvalidArgument("--trials", t, "must be an integer >= 2", "give e.g. --trials 50")
    return t


def _converge_text(s: Series, limit: float, name: str) -> tuple[bool, str]:
    z = s.z(limit)
    slope, (lo, hi) = s.dev_slope(limit)
    ok_z, ok_s = abs(z) <= Z_RULE, hi < 0
    return ok_z and ok_s, (
        f"{s.label}: at width {s.widths[-1]} mean {s.summary(-1)[0]:.5g} vs {name} "
        f"{limit:.5g}, z = {z:+.2f} ({'within' if ok_z else 'outside'} {Z_RULE:g} stderr); "
        f"mean |Theta_n - limit| slope vs width {slope:+.2f} [{lo:+.2f}, {hi:+.2f}] "
        f"({'decreasing' if ok_s else 'not shown decreasing'})")


def width_convergence(*, trials: int | None = None, seed: int = 0, store=None, workers: int = 1,
                      quick: bool = False, progress=False, depth: int = 2, backend="numpy",
                      scheduler=None) -> WidthConvergence:
    """Experiment (A); see the module docstring."""
    g = _grid("width-convergence", quick)
    T = _trials(trials, g.trials)
    widths = list(g.widths)
    grid = run_grid(["1", HALF], widths, X_AB, Y_AB, T, depths=[depth], rescale=True,
                    seed=seed, store=store, workers=workers, progress=progress,
                    backend=backend, scheduler=scheduler)
    series = tuple(Series(label, q, tuple(widths),
                          tuple(grid.cells[(depth, q, n)].theta_xy for n in widths))
                   for label, q in (("dense", Fraction(1)), ("pruned", HALF)))
    limit = grid.cells[(depth, Fraction(1), widths[0])].limit
    lines, ok = [], True
    for s in series:
        good, text = _converge_text(s, limit, "the dense limit")
        ok &= good
        lines.append(text)
    fa = 2 * _false_alarm(T)
    verdict = "\n".join([
        f"width-convergence: {'CONVERGES' if ok else 'NOT SHOWN TO CONVERGE'} - the estimates "
        f"{'approach' if ok else 'do not clearly approach'} the limit Theta(x, y) = {limit:.6g} "
        f"(depth {depth}, rescaled pruning, keep_prob 1/2, first layer dense, {T} trials).",
        *lines,
        f"rule: per model, |mean - limit| <= {Z_RULE:g} stderr at the largest width (false-alarm "
        f"rate {fa:.1e} for the two models together, Student t with {T - 1} df, if the "
        f"estimates are unbiased there) and the 95% interval of the log-log slope of the mean "
        f"absolute deviation against width below 0 (central-limit fluctuations give -1/2)."])
    return WidthConvergence(depth, X_AB, Y_AB, T, seed, limit, series, ok, verdict,
                            grid.computed)


def schedule_width(name: str, base: int, q: Fraction) -> int:
    """Width of schedule ``name`` (sqrt | linear | quadratic) at keep_prob q, rounded."""
    power = {"sqrt": 0.5, "linear": 1.0, "quadratic": 2.0}[name]
    return max(1, int(round(base / float(q) ** power)))


SCHEDULE_LABELS = {"sqrt": "n0 / sqrt(q)", "linear": "n0 / q", "quadratic": "n0 / q^2"}


def sparsity_scaling(*, trials: int | None = None, seed: int = 0, store=None, workers: int = 1,
                     quick: bool = False, progress=False, depth: int = 1, backend="numpy",
                     scheduler=None) -> SparsityScaling:
    """Experiment (B); see the module docstring."""
    g = _grid("sparsity-scaling", quick)
    T = _trials(trials, g.trials)
    base = g.base
    prune_probs = list(g.prune_probs)
    plan = {name: [(a, schedule_width(name, base, 1 - a)) for a in prune_probs]
            for name in SCHEDULE_LABELS}
    configs = {(name, a): grid_configs([1 - a], [n], X_AB, Y_AB, depths=[depth], rescale=True,
                                       seed=seed)[0]
               for name, cells in plan.items() for a, n in cells}
    theta, computed = _run_configs(configs.values(), T, store, workers, progress, backend,
                                   scheduler)
    limit = _limit(Architecture.pruned(depth, 1), X_AB, Y_AB)     # rescaled: the dense limit
    schedules = []
    for name, cells in plan.items():
        ms = []
        for a, _ in cells:
            d = np.abs(theta[configs[(name, a)].key] / limit - 1.0)
            ms.append((float(d.mean()), float(d.std(ddof=1) / math.sqrt(d.size))))
        m1, s1 = ms[0]
        zs = tuple((m - m1) / math.hypot(s, s1) for m, s in ms[1:])
        slope, ci = _slope([1 / float(1 - a) for a, _ in cells[1:]] + [1.0], ms[1:] + ms[:1])
        if all(abs(z) <= Z_FLAT for z in zs):
            shape = "flat"
        else:
            shape = {1: "grows", -1: "shrinks"}.get(int(np.sign(zs[-1])) if abs(zs[-1]) > Z_FLAT
                                                    else 0, "not flat")
        schedules.append(Schedule(name, tuple(prune_probs), tuple(n for _, n in cells),
                                  tuple(m for m, _ in ms), tuple(s for _, s in ms), zs, slope,
                                  ci, shape))
    flat = tuple(s.name for s in schedules if s.shape == "flat")
    shapes = {s.name: s.shape for s in schedules}
    expected = shapes == {"sqrt": "grows", "linear": "flat", "quadratic": "shrinks"}
    k = len(prune_probs) - 1
    fa = min(1.0, k * _st.norm.sf(Z_FLAT) * 2)
    lines = [f"  {SCHEDULE_LABELS[s.name]:>11}: {s.shape:<8} deviation {s.mean_rel_dev[0]:.4f} "
             f"at prune_prob 0 -> {s.mean_rel_dev[-1]:.4f} at {s.prune_probs[-1]} "
             f"(z = {s.z_vs_dense[-1]:+.1f}); log-log slope vs 1/q {s.slope:+.2f} "
             f"[{s.slope_ci[0]:+.2f}, {s.slope_ci[1]:+.2f}]" for s in schedules]
    head = (f"sparsity-scaling: {'AS PREDICTED' if expected else 'NOT AS PREDICTED'} - "
            f"flat schedule(s): {', '.join(SCHEDULE_LABELS[f] for f in flat) or 'none'} "
            f"(n0 = {base}; depth {depth}, rescaled pruning, {T} trials per cell).")
    tail = (f"rule: a schedule is flat when the mean relative deviation at every prune_prob "
            f"agrees with the prune_prob 0 value within {Z_FLAT:g} combined stderr (false-alarm "
            f"rate <= {fa:.2g} over the {k} comparisons if it is truly flat); it grows/shrinks "
            f"when the largest prune_prob lies more than {Z_FLAT:g} stderr above/below.  "
            f"Predicted: sqrt grows, 1/q flat (width linear in the sparsity parameter 1/q), "
            f"q^2 shrinks.")
    verdict = "\n".join([head, *lines, tail])
    return SparsityScaling(depth, X_AB, Y_AB, T, seed, base, limit, tuple(schedules), flat,
                           verdict, computed)


def all_layers(*, trials: int | None = None, seed: int = 0, store=None, workers: int = 1,
               quick: bool = False, progress=False, depth: int = 2, backend="numpy",
               scheduler=None) -> AllLayers:
    """Experiment (C); see the module docstring."""
    g = _grid("all-layers", quick)
    T = _trials(trials, g.trials)
    widths = list(g.widths)
    arch = Architecture.pruned(depth, HALF, rescale=True, prune_first_layer=True)
    configs = [SweepConfig(arch, n, X_C, Y_C, seed) for n in widths]
    theta, computed = _run_configs(configs, T, store, workers, progress, backend, scheduler)
    series = (Series("pruned-all-layers", HALF, tuple(widths),
                     tuple(theta[c.key] for c in configs)),)
    exact = _limit(arch, X_C, Y_C, first_layer="exact")
    mean_field = _limit(arch, X_C, Y_C, first_layer="mean_field")
    s = series[0]
    z_e, z_m = s.z(exact), s.z(mean_field)
    ok_e, ok_m = abs(z_e) <= Z_RULE, abs(z_m) <= Z_RULE
    to = {(True, False): "exact", (False, True): "mean-field", (True, True): "both"}.get(
        (ok_e, ok_m), "neither")
    words = {"exact": "the EXACT mask-averaged limit (claim C5), not the mean-field one",
             "mean-field": "the MEAN-FIELD (dense) limit, not the mask-averaged one",
             "both": "a value consistent with BOTH lines (the gap is not resolved)",
             "neither": "NEITHER line within the rule"}[to]
    se = s.summary(-1)[1]
    gap = exact - mean_field
    verdict = "\n".join([
        f"all-layers: the estimates converge to {words}.",
        f"  exact (mask average over first-layer masks, d0 = {len(X_C)}): {exact:.6g}; "
        f"mean-field (= dense, rescaled): {mean_field:.6g}; gap {gap:+.4g} "
        f"({gap / abs(mean_field):+.1%}), {abs(gap) / se:.1f} stderr at the largest width.",
        f"  at width {widths[-1]}: mean {s.summary(-1)[0]:.5g} +/- {se:.2g} (stderr); "
        f"z vs exact {z_e:+.2f}, z vs mean-field {z_m:+.2f}.",
        f"rule: a line is consistent when |mean - line| <= {Z_RULE:g} stderr at the largest "
        f"width (false-alarm rate {_false_alarm(T):.1e} per line, Student t with {T - 1} df); "
        f"depth {depth}, every layer masked with keep_prob 1/2, rescaled, {T} trials."])
    return AllLayers(depth, X_C, Y_C, T, seed, exact, mean_field, series, z_e, z_m, to,
                     verdict, computed)


EXPERIMENTS = {"width-convergence": width_convergence, "sparsity-scaling": sparsity_scaling,
               "all-layers": all_layers}
