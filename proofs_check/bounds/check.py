"""``check_bound``: the symbolic analysis, the Monte Carlo check and the implied constant.

The bound's verdict is the Monte Carlo check's (:mod:`.empirical`): refuted with
a witness point, verified at the sample points only, or inconclusive.  The
symbolic analysis (:mod:`.symbolic`) and the implied constant (:mod:`.implied`)
are reported beside it; :meth:`BoundReport.outcomes` gives both checks as
:class:`~proofs_check.verdict.CheckOutcome` for a claim to combine.

The error tolerance defaults to ``eps``: the check asks whether
P(|Theta_n(x, y) - limit| > eps) <= delta at width ceil(N).  (Theorem 3.1 of
Arora et al. 2019 states the error as (L+1) eps; pass ``error="(L+1)*eps"`` to
check it as stated.)  Plain pruning (the default) compares with the pruned limit
- the dense limit times prod_h q_h - whose fluctuations shrink with q as well, so
absolute errors are easier to meet at small q; ``rescale=True`` keeps the dense
limit and the dense scale for every q.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from numerics.sweeps.sweep import SweepConfig
from theory._errors import InvalidArgument, check_int, check_unit_open
from theory.config import Architecture

from ..claim import Context
from ..decisions import DEFAULT_ALPHA
from ..verdict import CheckOutcome, Verdict, jsonable
from .empirical import EmpiricalReport, check_points, widths_at
from .expression import BoundExpression, check_name, parse_bound
from .implied import ImpliedConstant, implied_constant
from .points import as_points
from .sampler import DEFAULT_X, DEFAULT_Y, Sampler
from .symbolic import SymbolicReport, analyze_bound

__all__ = ["BoundReport", "check_bound", "default_constant"]

_API_NAMES = {"expr": "expr", "error": "error", "constant": "constants", "points": "points",
              "max_width": "max_width", "solve_for": "solve_for", "trials": "trials",
              "masked_layers": "masked_layers"}


@dataclass(frozen=True)
class BoundReport:
    """Everything :func:`check_bound` found; ``verdict`` and ``witness`` are the Monte
    Carlo check's."""

    expression: str
    constants: dict
    keep_prob_symbol: str
    error_expression: str
    symbolic: SymbolicReport | None
    empirical: EmpiricalReport
    implied: ImpliedConstant | None
    seed: int
    rescale: bool
    x: tuple
    y: tuple
    budget: str
    backend: str
    computed: int
    seconds: float
    notes: tuple[str, ...] = ()
    masked_layers: tuple | None = None

    @property
    def verdict(self) -> Verdict:
        return self.empirical.verdict

    @property
    def witness(self):
        return self.empirical.witness

    def to_outcome(self) -> CheckOutcome:
        """The Monte Carlo check (kind "statistical", error rate = family-wise alpha)."""
        return self.empirical.to_outcome()

    def outcomes(self, require=None) -> tuple[CheckOutcome, ...]:
        """(symbolic outcome, statistical outcome); ``require`` picks the symbolic
        criteria (see :meth:`SymbolicReport.to_outcome`)."""
        sym = () if self.symbolic is None else (self.symbolic.to_outcome(require),)
        return sym + (self.empirical.to_outcome(),)

    def to_json(self) -> dict:
        return jsonable(self._json())

    def _limit_text(self) -> str:
        if self.masked_layers is not None and 1 in self.masked_layers:
            return ("limit NTK of the masked network (the first layer's mask averaged exactly; "
                    "not a multiple of the dense one, claim C5)")
        if self.rescale:
            return "dense limit NTK (rescaled pruning)"
        return "pruned limit NTK = dense limit x prod_h q_h (plain pruning, claim C1)"

    def _json(self) -> dict:
        e = self.empirical
        sym = None
        if self.symbolic is not None:
            o = self.symbolic.to_outcome()
            sym = {**self.symbolic.to_json(), "verdict": o.verdict.value,
                   "explanation": o.explanation, "kind": o.kind}
        return {
            "verdict": e.verdict.value, "explanation": e.explanation,
            "witness": None if e.witness is None else e.witness.to_json(),
            "expression": self.expression, "constants": self.constants,
            "keep_prob_symbol": self.keep_prob_symbol, "error": self.error_expression,
            "symbolic": sym,
            "implied_constant": None if self.implied is None else self.implied.to_json(),
            "points": [pt.to_json() for pt in e.points],
            "tested": len(e.tested), "skipped": len(e.points) - len(e.tested),
            "error_rate": e.alpha if e.tested else 0.0, "alpha": e.alpha,
            "per_point_alpha": e.per_point_alpha, "trials": e.trials,
            "max_width": e.max_width, "seed": self.seed, "rescale": self.rescale,
            "masked_layers": ("2..L+1" if self.masked_layers is None
                              else list(self.masked_layers)),
            "limit": self._limit_text(),
            "x": list(self.x), "y": list(self.y), "budget": self.budget,
            "backend": self.backend, "computed": self.computed,
            "seconds": round(self.seconds, 3), "notes": list(self.notes),
        }


def default_constant(bound: BoundExpression) -> str | None:
    """The constant to solve for: C if declared, else the only declared constant."""
    names = [n for n, _ in bound.constants]
    if "C" in names:
        return "C"
    return names[0] if len(names) == 1 else None


def check_bound(expr, constants=None, *, error=None, keep_prob_symbol: str = "q",
                points=None, context: Context | None = None, trials: int | None = None,
                max_width: int | None = None, rescale: bool = False, x=DEFAULT_X,
                y=DEFAULT_Y, masked_layers=None, alpha: float = DEFAULT_ALPHA,
                symbolic: bool = True,
                implied: bool = True, solve_for: str | None = None, scheduler=None,
                store=None, argument_names: dict | None = None,
                command: str = "pntk bound") -> BoundReport:
    """Check a width bound at sample points (see the module docstring).

    ``expr``: text (parsed with ``constants`` and ``keep_prob_symbol``) or a
    :class:`BoundExpression`; ``error``: text (default "eps"); ``points``: None (the
    twelve defaults of :mod:`.points`), a ``"L=..,eps=..,delta=..,q=..;..."`` string
    or SamplePoints/dicts; ``context``: budget (trials and the width cap), seed,
    backend, workers and progress (default ``Context()``: quick budget, seed 0,
    NumPy, silent); ``trials``/``max_width`` override the budget; ``masked_layers``: the
    weight layers each point's q masks (None: 2..L+1; they must exist at every point's
    depth; the limit's factor is then q^len(masked_layers)); ``implied``: also
    estimate the implied constant ``solve_for`` (default :func:`default_constant`).
    ``argument_names`` renames arguments in error messages (the command line's
    ``--expr`` etc.); ``command`` prefixes the progress lines (stderr).  ``scheduler``
    (a Dask client or address) and ``store`` (a ResultStore, for resuming) go to the
    sweeps.
    """
    start = time.perf_counter()
    names = {**_API_NAMES, **(argument_names or {})}
    ctx = context if context is not None else Context()
    bound = expr if isinstance(expr, BoundExpression) else parse_bound(
        expr, constants, keep_prob_symbol, argument=names["expr"],
        constant_argument=names["constant"])
    error_text = "eps" if error is None else str(error)
    error_expr = bound.parse_other(error_text, names["error"])
    pts = as_points(points, bound.keep_prob_symbol)
    trials = ctx.budget.trials if trials is None else check_int(trials, names["trials"], 1)
    cap = ctx.budget.max_width if max_width is None else check_int(max_width,
                                                                  names["max_width"], 1)
    alpha = check_unit_open(alpha, "alpha", "0.01")
    if solve_for is not None:
        solve_for = check_name(solve_for, names["solve_for"], "a constant's name")
        if solve_for not in dict(bound.constants):
            raise InvalidArgument(names["solve_for"], solve_for, "not a declared constant",
                                  f"declare it with {names['constant']} or solve for one of "
                                  f"{', '.join(n for n, _ in bound.constants) or '(none)'}")
    else:
        solve_for = default_constant(bound)
    for pt in pts:                            # bad widths or errors fail before any work
        widths_at(bound, error_expr, pt, cap, expr_argument=names["expr"],
                  error_argument=names["error"], error_text=error_text)
    SweepConfig(Architecture.pruned(1), 1, x, y)          # x, y: InvalidArgument if bad
    masked = _masked_layers(masked_layers, pts, names["masked_layers"])
    notes = _norm_notes(x, y)
    sym = analyze_bound(bound, error=error) if symbolic else None
    sampler = Sampler(tuple(float(v) for v in np.ravel(x)), tuple(float(v) for v in np.ravel(y)),
                      bool(rescale), ctx.seed, ctx.backend, ctx.workers, ctx.progress,
                      scheduler, store, width_argument=names["max_width"], label=command,
                      masked_layers=masked)
    try:
        emp = check_points(bound, error_expr, pts, sampler, trials, cap, alpha,
                           error_text=error_text, expr_argument=names["expr"],
                           error_argument=names["error"], cap_argument=names["max_width"])
        imp = None
        if implied:
            errors = {c.point: c.error for c in emp.points}
            tested = {c.point: (c.width, c.verdict) for c in emp.points
                      if c.status == "tested"}
            imp = implied_constant(bound, solve_for, errors.__getitem__, pts, sampler, trials,
                                   cap, alpha, tested)
    finally:
        sampler.close()
    return BoundReport(bound.text, {n: str(v) for n, v in bound.constants},
                       bound.keep_prob_symbol, error_text, sym, emp, imp, ctx.seed,
                       bool(rescale), sampler.x, sampler.y, ctx.budget.name, ctx.backend,
                       sampler.computed, time.perf_counter() - start, notes, masked)


def _masked_layers(layers, points, argument: str):
    """None, or the sorted distinct weight layers, each present at every point's depth."""
    if layers is None:
        return None
    if isinstance(layers, str) or not hasattr(layers, "__iter__"):
        raise InvalidArgument(argument, layers, "not a list of weight layers",
                              "pass e.g. (2, 3)")
    out = tuple(sorted({check_int(h, argument, 1) for h in layers}))
    if not out:
        raise InvalidArgument(argument, list(layers), "no layer given",
                              "list at least one weight layer, or leave it out (2..L+1)")
    shallow = min(points, key=lambda pt: pt.depth)
    if out[-1] > shallow.depth + 1:
        raise InvalidArgument(argument, ",".join(map(str, out)),
                              f"layer {out[-1]} does not exist at the point {shallow.label()} "
                              f"(depth {shallow.depth})",
                              f"use weight layers 1..{shallow.depth + 1}, or deeper points")
    return out


def _norm_notes(x, y) -> tuple[str, ...]:
    notes = []
    for name, v in (("x", x), ("y", y)):
        try:
            norm = float(np.linalg.norm(np.asarray(v, dtype=float)))
        except (TypeError, ValueError):
            continue                          # SweepConfig reports bad vectors
        if math.isfinite(norm) and norm > 1 + 1e-12:
            notes.append(f"||{name}|| = {norm:.4g} > 1: outside the hypothesis ||x||, ||x'|| "
                         "<= 1 of Arora et al.'s Theorem 3.1")
    return tuple(notes)
