"""The constant implied by the data: the smallest C with which the bound is not refuted.

For a bound N(C; eps, delta, L, q) in a constant C (the one named ``solve_for``):

* At every sample point a width grid is run: the powers of two from 4 up to the
  cap (plus the point's own bound width when it was tested), in increasing order,
  stopping at the first width where the exceedance test *verifies*
  P(|Theta_n - limit| > error) <= delta (larger widths are presumed fine: the
  exceedance probability is taken to be non-increasing in the width).  Each test
  is the exact binomial test of :func:`~proofs_check.decisions.exceedance_decision`
  at the Bonferroni level alpha / (number of grid widths over all points, fixed
  before any is run) - except at a point's own bound width, where the main
  check's decision (trials and level) is reused, so that the constant never
  contradicts the verdict.  The statements about the constant therefore hold at
  family-wise level 2 alpha (alpha for the main checks, alpha for the grids).
* Per point: ``n_refuted`` = the largest grid width the test refutes (too small,
  at the family-wise level alpha), ``n_verified`` = the width where the grid
  stopped, and ``n_star`` = :func:`numerics.scaling.analysis.required_width`'s estimate of
  where P(exceed) crosses delta (the (1 - delta) quantile of the deviations,
  interpolated on log-log axes).

**Consistent** means: at every sample point, the width ceil(N(C)) is not refuted
by the data - taking every width at or below a refuted grid width to be refuted
as well (monotonicity in the width).  When N increases with C the consistent
constants are C > ``value`` = max over points of C(n_refuted), where C(n) solves
N(C) = n at that point (exactly when N is linear in C, otherwise by a root finder
on C in (0, inf)); ``value`` is the smallest constant consistent with the data
(an infimum).  ``sufficient`` = max over points of C(n_verified): with it every
point's width is one that the data verify; ``estimate`` = max over points of
C(n_star).  The interval [value, sufficient] brackets the constant the data
call for.  (For N decreasing in C the roles flip: consistent constants lie
below ``value``, the minimum over points.)  Points skipped by the main check
(width above the cap) still contribute their grid, which stays below the cap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath
import numpy as np
import sympy as sp
from scipy.optimize import brentq

from numerics.scaling.analysis import required_width

from ..decisions import DEFAULT_ALPHA, bonferroni, exceedance_decision
from ..verdict import Verdict, jsonable
from .expression import BoundExpression, substitute
from .points import SamplePoint
from .sampler import Sampler

__all__ = ["PointConstant", "ImpliedConstant", "implied_constant", "solve_constant",
           "width_grid", "MIN_GRID_WIDTH"]

MIN_GRID_WIDTH = 4


@dataclass(frozen=True)
class PointConstant:
    """The width grid at one point and the constants it implies."""

    point: SamplePoint
    widths: tuple[int, ...]
    exceed: tuple[int, ...]
    verdicts: tuple[str, ...]
    n_refuted: int | None
    n_verified: int | None
    n_star: float | None
    c_refuted: float | None
    c_verified: float | None
    c_star: float | None

    def to_json(self) -> dict:
        return jsonable(self._json())

    def _json(self) -> dict:
        return {**self.point.as_dict(), "widths": list(self.widths),
                "exceed": list(self.exceed), "verdicts": list(self.verdicts),
                "n_refuted": self.n_refuted, "n_verified": self.n_verified,
                "n_star": self.n_star, "constant_at_n_refuted": self.c_refuted,
                "constant_at_n_verified": self.c_verified, "constant_at_n_star": self.c_star}


@dataclass(frozen=True)
class ImpliedConstant:
    """See the module docstring for the definitions."""

    name: str | None
    value: float | None
    estimate: float | None
    sufficient: float | None
    consistent_side: str          # "above" (N increasing in C) | "below"
    per_point: tuple[PointConstant, ...]
    trials: int
    per_test_alpha: float | None
    alpha: float
    reason: str | None = None

    @property
    def interval(self) -> tuple[float | None, float | None]:
        if self.consistent_side == "below":
            return (self.sufficient, self.value)
        return (self.value, self.sufficient)

    def to_json(self) -> dict:
        return jsonable(self._json())

    def _json(self) -> dict:
        return {"name": self.name, "value": self.value, "estimate": self.estimate,
                "sufficient": self.sufficient, "interval": list(self.interval),
                "consistent_side": self.consistent_side, "trials": self.trials,
                "alpha": self.alpha, "per_test_alpha": self.per_test_alpha,
                "reason": self.reason,
                "error_rate": min(1.0, 2 * self.alpha),
                "error_rate_note": "family-wise: alpha for the main checks reused at each "
                                   "point's bound width, alpha for the grid tests",
                "definition": "value: the smallest constant with which no sample point's "
                              "width is refuted (widths at or below a refuted grid width "
                              "count as refuted); sufficient: one with which every point's "
                              "width is verified; estimate: from the interpolated n*",
                "per_point": [pt.to_json() for pt in self.per_point]}


def width_grid(cap: int, extra=()) -> tuple[int, ...]:
    """Powers of two from MIN_GRID_WIDTH to the cap, plus ``extra`` widths within it."""
    grid = {1 << k for k in range(2, 31) if MIN_GRID_WIDTH <= (1 << k) <= cap}
    grid |= {int(w) for w in extra if w is not None and 1 <= w <= cap}
    return tuple(sorted(grid))


def _univariate(bound: BoundExpression, name: str, point: SamplePoint) -> tuple:
    """(C symbol, N as a function of C alone at ``point``)."""
    c = bound.constant_symbols[name]
    others = {bound.constant_symbols[n]: v for n, v in bound.constants if n != name}
    subs = {**others, **dict(zip(bound.variables, _point_values(point)))}
    return c, substitute(bound.expr, subs, "expr", bound.text)


def _point_values(point: SamplePoint) -> tuple:
    return (sp.nsimplify(point.eps, rational=True), sp.nsimplify(point.delta, rational=True),
            sp.Integer(point.depth), sp.Rational(point.keep_prob.numerator,
                                                 point.keep_prob.denominator))


def solve_constant(bound: BoundExpression, name: str, point: SamplePoint,
                   width: float) -> float | None:
    """The C > 0 with N(C) = width at ``point`` (None when there is none)."""
    c, g = _univariate(bound, name, point)
    if c not in g.free_symbols:
        return None
    poly = sp.Poly(g, c) if g.is_polynomial(c) else None
    if poly is not None and poly.degree() == 1:
        a, b = (float(v) for v in poly.all_coeffs())
        root = (width - b) / a
        return root if root > 0 and math.isfinite(root) else None
    f = sp.lambdify(c, g, modules="mpmath")

    def h(t: float) -> float:               # C = e^t
        try:
            val = mpmath.mpmathify(f(mpmath.exp(t)))
        except (ValueError, ZeroDivisionError, OverflowError, TypeError):
            return math.nan
        if isinstance(val, mpmath.mpc):
            return math.nan
        return float(mpmath.log(val) - mpmath.log(width)) if val > 0 else -math.inf

    ts = np.linspace(-200.0, 200.0, 801)
    hs = [h(t) for t in ts]
    for i in range(len(ts) - 1):
        a, b = hs[i], hs[i + 1]
        if math.isfinite(a) and math.isfinite(b) and (a == 0 or a * b < 0):
            t = ts[i] if a == 0 else brentq(h, ts[i], ts[i + 1], xtol=1e-12)
            return float(math.exp(t))
    return None


def _direction(bound: BoundExpression, name: str, point: SamplePoint) -> str:
    c, g = _univariate(bound, name, point)
    d = sp.diff(g, c)
    if d.is_nonnegative:
        return "above"
    if d.is_nonpositive:
        return "below"
    c0 = float(bound.constant_value(name)) or 1.0
    f = sp.lambdify(c, g, modules="mpmath")
    return "above" if f(abs(c0) * 2) >= f(abs(c0)) else "below"


def implied_constant(bound: BoundExpression, name: str | None, error_of, points,
                     sampler: Sampler, trials: int, cap: int, alpha: float = DEFAULT_ALPHA,
                     tested: dict | None = None) -> ImpliedConstant:
    """Run the width grids and solve for the constant ``name`` (see the module docstring).

    ``error_of(point)`` gives the error at a point; ``tested`` maps points to
    (width, Verdict) of their main check: that width joins the point's grid with
    the main check's decision.
    """
    if name is None or not bound.depends_on(name):
        why = ("no constant to solve for (declare one, e.g. C)" if name is None
               else f"the bound does not depend on {name}")
        return ImpliedConstant(name, None, None, None, "above", (), trials, None, alpha, why)
    tested = tested or {}
    grids = {pt: width_grid(cap, (tested.get(pt, (None,))[0],)) for pt in points}
    m = sum(len(g) for g in grids.values())
    if m == 0:
        return ImpliedConstant(name, None, None, None, "above", (), trials, None, alpha,
                               f"the cap {cap} is below the smallest grid width")
    level = bonferroni(alpha, m)
    for pt, g in grids.items():                 # the widest grid width must fit in memory
        if g:
            sampler.check_memory(pt, g[-1])
    side = _direction(bound, name, points[0])
    rows = []
    for i, pt in enumerate(points, start=1):
        rows.append(_point(bound, name, pt, grids[pt], error_of(pt), sampler, trials, level,
                           tested.get(pt)))
        r = rows[-1]
        sampler.say(f"constant {i}/{len(points)} ({pt.label()}): widths "
                    f"{', '.join(f'{w}:{v[0]}' for w, v in zip(r.widths, r.verdicts))}; "
                    f"n* ~ {'-' if r.n_star is None else f'{r.n_star:.4g}'}")
    pick = max if side == "above" else min

    def over(values):
        vals = [v for v in values if v is not None]
        return pick(vals) if vals else None

    value = over(r.c_refuted for r in rows)
    if any(r.n_verified is None for r in rows):      # some point never verified on the grid
        sufficient = math.inf if side == "above" else 0.0
    else:
        sufficient = over(r.c_verified for r in rows)
    # n* from the quantiles; a point verified at its first grid width has n* at most
    # that width; a point never verified on the grid has n* beyond it: no estimate then.
    off_grid = any(r.n_star is None and r.n_verified is None for r in rows)
    estimate = None if off_grid else over(r.c_star if r.n_star is not None else r.c_verified
                                          for r in rows)
    reason = None if not off_grid else "n* lies beyond the grid (the cap) at some point"
    if value is None:
        unbounded = (f"no grid width was refuted at any point: the data do not bound {name} "
                     f"from {'below' if side == 'above' else 'above'} (smallest grid width "
                     f"{MIN_GRID_WIDTH})")
        reason = unbounded if reason is None else f"{reason}; {unbounded}"
    return ImpliedConstant(name, value, estimate, sufficient, side, tuple(rows), trials,
                           level, alpha, reason)


def _point(bound, name, point, grid, error, sampler, trials, level, main) -> PointConstant:
    if not grid:                                   # the cap is below every grid width
        return PointConstant(point, (), (), (), None, None, None, None, None, None)
    devs, verdicts, exceed = {}, [], []
    for width in grid:
        d = sampler.deviations(point, width, trials)
        devs[width] = d
        k = int((d > error).sum())
        if main is not None and width == main[0]:
            v = main[1]                      # the main check's decision at its own width
        else:
            v = exceedance_decision(k, trials, point.delta, level).verdict
        exceed.append(k)
        verdicts.append(v.value)
        if v is Verdict.VERIFIED:
            break
    widths = tuple(devs)
    refuted = [w for w, v in zip(widths, verdicts) if v == Verdict.REFUTED.value]
    n_ref = max(refuted) if refuted else None
    n_ver = widths[-1] if verdicts[-1] == Verdict.VERIFIED.value else None
    n_star = None
    if len(devs) >= 2:
        n_star = required_width(devs, error, point.delta).n_star

    def solve(n):
        return None if n is None else solve_constant(bound, name, point, n)

    return PointConstant(point, widths, tuple(exceed), tuple(verdicts), n_ref, n_ver, n_star,
                         solve(n_ref), solve(n_ver), solve(n_star))
