"""Monte Carlo check of a width bound at sample points.

At each sample point (L, eps, delta, q) the bound gives the width
n = ceil(N(eps, delta, L, q)) and the error gives the tolerance (default: eps
itself).  Points whose width exceeds the cap (a budget's ``max_width``, or
``max_width``) are skipped and reported as such; at the others T networks of
width n are sampled and the exceedances |Theta_n(x, y) - limit| > error counted.
"P(exceed) <= delta" is then decided by the exact one-sided binomial test of
:func:`proofs_check.decisions.exceedance_decision` at the Bonferroni level
alpha / m over the m tested points, so the family-wise probability of refuting a
bound that holds at every tested point is at most alpha (default
:data:`~proofs_check.decisions.DEFAULT_ALPHA`).

Verdict: **refuted** when some point refutes (the witness is the point with the
smallest p-value); **verified** when every tested point's one-sided upper
confidence bound on P(exceed) lies below its delta - at the sample points only,
which says nothing about other points; **inconclusive** otherwise, or when no
point could be tested (every width above the cap).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import mpmath
import sympy as sp

from theory._errors import InvalidArgument

from ..decisions import DEFAULT_ALPHA, bonferroni, exceedance_decision
from ..verdict import CheckOutcome, Verdict, jsonable
from .expression import BoundExpression
from .points import SamplePoint
from .sampler import Sampler

__all__ = ["PointCheck", "EmpiricalReport", "widths_at", "check_points"]


@dataclass(frozen=True)
class PointCheck:
    """One sample point: the bound's value and width, the error, and the test there."""

    point: SamplePoint
    bound: float                 # N at the point (inf beyond the float range)
    width: int | None            # ceil(N) when it is within the cap
    error: float
    status: str                  # "tested" | "skipped"
    reason: str | None = None    # why skipped
    limit: float | None = None
    outcome: CheckOutcome | None = None
    seconds: float = 0.0

    @property
    def verdict(self) -> Verdict | None:
        return None if self.outcome is None else self.outcome.verdict

    def to_json(self) -> dict:
        return jsonable(self._json())

    def _json(self) -> dict:
        d = {**self.point.as_dict(), "bound": self.bound, "width": self.width,
             "error": self.error, "status": self.status, "reason": self.reason,
             "limit": self.limit, "seconds": round(self.seconds, 3)}
        if self.outcome is not None:
            o = self.outcome.data
            d.update({"verdict": self.outcome.verdict.value, "exceed": o["exceed"],
                      "trials": o["trials"], "p_hat": o["p_hat"],
                      "ci": [o["lower"], o["upper"]], "ci_level": 1 - o["alpha"],
                      "ci_kind": "one-sided Clopper-Pearson bounds, each at ci_level",
                      "p_value": o["p_value_refute"], "alpha": o["alpha"]})
        return d


@dataclass(frozen=True)
class EmpiricalReport:
    """The sample points' checks and their combined verdict."""

    points: tuple[PointCheck, ...]
    verdict: Verdict
    explanation: str
    witness: PointCheck | None
    alpha: float
    per_point_alpha: float | None
    trials: int
    max_width: int
    error_expression: str

    @property
    def tested(self) -> tuple[PointCheck, ...]:
        return tuple(pt for pt in self.points if pt.status == "tested")

    def to_outcome(self) -> CheckOutcome:
        """The statistical check as a CheckOutcome (error_rate = family-wise alpha)."""
        return CheckOutcome(self.verdict, "statistical", self.explanation, self.to_json(),
                            self.alpha if self.tested else 0.0)

    def to_json(self) -> dict:
        return jsonable(self._json())

    def _json(self) -> dict:
        return {"verdict": self.verdict.value, "explanation": self.explanation,
                "witness": None if self.witness is None else self.witness.to_json(),
                "alpha": self.alpha, "per_point_alpha": self.per_point_alpha,
                "trials": self.trials, "max_width": self.max_width,
                "error_expression": self.error_expression,
                "tested": len(self.tested), "skipped": len(self.points) - len(self.tested),
                "points": [pt.to_json() for pt in self.points]}


def _value(bound: BoundExpression, expr: sp.Expr, point: SamplePoint, argument: str,
           what: str, text: str) -> mpmath.mpf:
    try:
        value = bound.evaluate(point.as_dict(), expr)
    except ValueError as exc:
        raise InvalidArgument(argument, text, f"at {point.label()} the {what} is not a finite "
                              f"real number ({exc})", f"correct the {what} formula, or leave "
                              "this point out") from None
    if not value > 0:
        raise InvalidArgument(argument, text, f"at {point.label()} the {what} is "
                              f"{mpmath.nstr(value, 6)} <= 0",
                              f"the {what} must be positive at every sample point")
    return value


def widths_at(bound: BoundExpression, error_expr: sp.Expr, point: SamplePoint, cap: int, *,
              expr_argument: str = "expr", error_argument: str = "error",
              error_text: str = "eps"):
    """(bound value, width or None if above the cap, error) at ``point``."""
    value = _value(bound, bound.value_expr, point, expr_argument, "width bound", bound.text)
    error = float(_value(bound, error_expr, point, error_argument, "error", error_text))
    width = int(mpmath.ceil(value)) if value <= cap else None
    shown = float(value) if value < mpmath.mpf("1e308") else math.inf
    return shown, width, error


def check_points(bound: BoundExpression, error_expr: sp.Expr, points, sampler: Sampler,
                 trials: int, cap: int, alpha: float = DEFAULT_ALPHA, *,
                 error_text: str = "eps", expr_argument: str = "expr",
                 error_argument: str = "error", cap_argument: str = "max_width") \
        -> EmpiricalReport:
    """Test "P(|Theta_n - limit| > error) <= delta" at every point within the cap."""
    plans = [(pt, *widths_at(bound, error_expr, pt, cap, expr_argument=expr_argument,
                            error_argument=error_argument, error_text=error_text))
             for pt in points]
    tested = [pl for pl in plans if pl[2] is not None]
    for pt, _, width, _ in tested:
        sampler.check_memory(pt, width)
    level = bonferroni(alpha, len(tested)) if tested else None
    checks = []
    done = 0
    for pt, value, width, error in plans:
        if width is None:
            shown = f"{value:.4g}" if math.isfinite(value) else "beyond the float range"
            checks.append(PointCheck(pt, value, None, error, "skipped",
                                     f"width {shown} > cap {cap} ({cap_argument})"))
            sampler.say(f"point {pt.label()}: width {shown} above the cap {cap}, skipped")
            continue
        start = time.perf_counter()
        dev = sampler.deviations(pt, width, trials)
        exceed = int((dev > error).sum())
        outcome = exceedance_decision(exceed, trials, pt.delta, level,
                                      what=f"P(|Theta_n - limit| > {error:.4g})")
        done += 1
        checks.append(PointCheck(pt, value, width, error, "tested", None, sampler.limit(pt),
                                 outcome, time.perf_counter() - start))
        sampler.say(f"point {done}/{len(tested)} ({pt.label()}): width {width}, "
                    f"{exceed}/{trials} exceed {error:.4g} -> {outcome.verdict.value}")
    verdict, explanation, witness = _combine(checks, cap, cap_argument, alpha)
    return EmpiricalReport(tuple(checks), verdict, explanation, witness, alpha, level, trials,
                           cap, error_text)


def _combine(checks, cap, cap_argument, alpha):
    tested = [c for c in checks if c.status == "tested"]
    if not tested:
        return (Verdict.INCONCLUSIVE, f"no sample point could be tested: every width is "
                f"above the cap {cap} ({cap_argument})", None)
    refuted = [c for c in tested if c.verdict is Verdict.REFUTED]
    skipped = len(checks) - len(tested)
    tail = f" ({skipped} point(s) skipped: width above {cap})" if skipped else ""
    family = f"family-wise alpha = {alpha:g}, Bonferroni over {len(tested)} point(s)"
    if refuted:
        w = min(refuted, key=lambda c: c.outcome.data["p_value_refute"])
        d = w.outcome.data
        return (Verdict.REFUTED,
                f"violated at {w.point.label()}: width {w.width}, {d['exceed']}/{d['trials']} "
                f"exceed error {w.error:.4g}, P(exceed) >= {d['lower']:.3g} > delta "
                f"(p-value {d['p_value_refute']:.2g}; {family}){tail}", w)
    if all(c.verdict is Verdict.VERIFIED for c in tested):
        return (Verdict.VERIFIED,
                f"not violated at any of {len(tested)} tested point(s): every one-sided upper "
                f"bound on P(exceed) is below its delta ({family}; at the sample points "
                f"only){tail}", None)
    open_ = [c for c in tested if c.verdict is Verdict.INCONCLUSIVE]
    return (Verdict.INCONCLUSIVE,
            f"not violated, but at {len(open_)} of {len(tested)} tested point(s) the "
            f"confidence interval for P(exceed) contains delta (e.g. "
            f"{open_[0].point.label()}: {open_[0].outcome.data['exceed']}/"
            f"{open_[0].outcome.data['trials']}; {family}){tail}", None)
