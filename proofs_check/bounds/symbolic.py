"""Symbolic sanity checks of a width bound N(eps, delta, L, q).

:func:`analyze_bound` reports, for the bound with its constants' values substituted:

* the dense case: N at q = 1 divided by the dense bound of Arora et al. (2019,
  Theorem 3.1), ``L**6/eps**4 * log(L/delta)``, and whether that ratio is
  *polylogarithmic* in (1/eps, 1/delta, L): for each of the three, with the other
  variables fixed, lim log R / log log x is finite (R grows or shrinks at most like
  a power of log x; every power x^a, a != 0, fails).  This is "matches the dense
  bound up to logarithmic factors";
* the exponent of 1/q as eps -> 0 (:func:`~proofs_check.bounds.limits.nested_q_exponent`):
  1 means linear in the sparsity parameter 1/q (our reading of the paper's sparsity
  parameter, claim C3);
* the leading powers in 1/eps, 1/delta and L: lim log N / log x (polylogarithmic
  factors ignored);
* monotonicity in eps, delta, L and q on the domain (:mod:`.monotone`).

Each decision records its method: "symbolic limit" / "symbolic" (SymPy decided
it), or a numeric fallback (mpmath at huge arguments, a grid of the domain) that
says so.

>>> r = analyze_bound("C*L**6/(q*eps**4)*log(L/delta)", {"C": 2})
>>> r.ratio, r.polylog, r.q_exponent.value, r.linear_in_inv_q
('2', True, 1.0, True)
>>> r.to_outcome().verdict
<Verdict.VERIFIED: 'verified'>
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..verdict import CheckOutcome, Verdict, jsonable
from .expression import BoundExpression, parse_bound
from .limits import REFERENCE, Exponent, log_exponent, nested_q_exponent, power_exponent
from .monotone import DOMAIN_TEXT, Monotonicity, monotonicity

__all__ = ["SymbolicReport", "analyze_bound", "ARORA_BOUND", "CRITERIA"]

ARORA_BOUND = "L**6/eps**4*log(L/delta)"
CRITERIA = ("dense_match", "linear_in_inv_q", "monotone")
_TOL = 1e-9


@dataclass(frozen=True)
class SymbolicReport:
    """What the symbolic analysis found (see the module docstring for the definitions)."""

    expression: str
    value_expression: str
    constants: dict
    keep_prob_symbol: str
    error_expression: str
    at_keep_prob_one: str
    ratio: str                                # N(q=1) / Arora's bound, simplified
    ratio_exponents: tuple[Exponent, ...]     # power exponents of the ratio
    ratio_log_exponents: tuple[Exponent, ...]  # log-power degrees of the ratio
    polylog: bool | None
    q_exponent: Exponent
    linear_in_inv_q: bool | None
    exponents: tuple[Exponent, ...]           # of N in 1/eps, 1/delta, L
    monotone: tuple[Monotonicity, ...]
    depends_on_keep_prob: bool

    @property
    def monotone_holds(self) -> bool | None:
        values = [m.holds for m in self.monotone]
        if False in values:
            return False
        return None if None in values else True

    def criteria(self) -> dict:
        """{criterion: (holds, decided symbolically)} for dense_match, linear_in_inv_q,
        monotone."""
        return {
            "dense_match": (self.polylog,
                            all(e.symbolic for e in self.ratio_log_exponents)),
            "linear_in_inv_q": (self.linear_in_inv_q, self.q_exponent.symbolic),
            "monotone": (self.monotone_holds,
                         all(m.method == "symbolic" for m in self.monotone)),
        }

    def to_outcome(self, require=None) -> CheckOutcome:
        """A CheckOutcome for the required criteria (default: dense_match and monotone,
        plus linear_in_inv_q when N depends on the keep probability).

        Refuted when a required criterion fails, verified when all hold, inconclusive
        otherwise; kind "symbolic" when SymPy decided every required criterion, else
        "numeric" (a fallback was used: mpmath limits or a grid of the domain)."""
        if require is None:
            require = ("dense_match", "monotone") + \
                (("linear_in_inv_q",) if self.depends_on_keep_prob else ())
        unknown = set(require) - set(CRITERIA)
        if unknown:
            from theory._errors import InvalidArgument
            raise InvalidArgument("require", sorted(unknown)[0], "unknown criterion",
                                  f"choose from {', '.join(CRITERIA)}")
        table = self.criteria()
        states = {c: table[c] for c in require}
        exact = all(sym for _, sym in states.values())
        failed = [c for c, (ok, _) in states.items() if ok is False]
        open_ = [c for c, (ok, _) in states.items() if ok is None]
        verdict = (Verdict.REFUTED if failed else Verdict.INCONCLUSIVE if open_
                   else Verdict.VERIFIED)
        parts = [self._describe(c) for c in require]
        lead = {Verdict.REFUTED: "fails " + ", ".join(failed) + ": ",
                Verdict.INCONCLUSIVE: "undecided " + ", ".join(open_) + ": ",
                Verdict.VERIFIED: ""}[verdict]
        return CheckOutcome(verdict, "symbolic" if exact else "numeric",
                            lead + "; ".join(parts),
                            {"required": list(require), **self.to_json()})

    def _describe(self, criterion: str) -> str:
        if criterion == "dense_match":
            state = {True: "polylogarithmic", False: "not polylogarithmic",
                     None: "undecided"}[self.polylog]
            return f"N(q=1) / [{ARORA_BOUND}] = {self.ratio} ({state})"
        if criterion == "linear_in_inv_q":
            e = self.q_exponent
            shown = e.exact if e.exact is not None else (
                "undetermined" if e.value is None else f"{e.value:g}")
            return f"exponent of 1/q as eps -> 0 = {shown}"
        bad = [m.variable for m in self.monotone if m.holds is False]
        open_ = [m.variable for m in self.monotone if m.holds is None]
        how = "symbolic" if all(m.method == "symbolic" for m in self.monotone) else \
            "partly on a numeric grid"
        if bad:
            return f"not monotone in {', '.join(bad)} ({how})"
        if open_:
            return f"monotonicity in {', '.join(open_)} undecided"
        return f"monotone in eps, delta, L, {self.keep_prob_symbol} ({how})"

    def to_json(self) -> dict:
        return jsonable(self._json())

    def _json(self) -> dict:
        return {
            "expression": self.expression, "value_expression": self.value_expression,
            "constants": self.constants, "keep_prob_symbol": self.keep_prob_symbol,
            "error_expression": self.error_expression,
            "dense_bound": ARORA_BOUND, "at_keep_prob_one": self.at_keep_prob_one,
            "ratio_to_dense": self.ratio,
            "ratio_exponents": [e.to_json() for e in self.ratio_exponents],
            "ratio_log_exponents": [e.to_json() for e in self.ratio_log_exponents],
            "polylog": self.polylog,
            "polylog_definition": "for each of 1/eps, 1/delta, L (others fixed) "
                                  "lim log R / log log x is finite",
            "q_exponent": self.q_exponent.to_json(),
            "linear_in_inv_q": self.linear_in_inv_q,
            "exponents": [e.to_json() for e in self.exponents],
            "monotone": [m.to_json() for m in self.monotone],
            "monotone_holds": self.monotone_holds,
            "domain": DOMAIN_TEXT,
            "depends_on_keep_prob": self.depends_on_keep_prob,
        }


def _finite(e: Exponent) -> bool | None:
    if e.value is None:
        return None
    return abs(e.value) != float("inf")


def _linear(e: Exponent) -> bool | None:
    if e.value is None:
        return None
    if e.symbolic:
        return e.exact == "1"
    return abs(e.value - 1) <= 0.05


def _ratio(at_one: sp.Expr, L: sp.Symbol, eps: sp.Symbol,  # noqa: N803
           delta: sp.Symbol) -> sp.Expr:
    """at_one / (L^6/eps^4 log(L/delta)), cancelled with log(L/delta) kept whole."""
    lg = sp.Dummy("lg", positive=True)
    top = at_one.xreplace({sp.log(L / delta): lg})
    ratio = sp.factor_terms(sp.cancel(top * eps**4 / (L**6 * lg)))
    return ratio.xreplace({lg: sp.log(L / delta)})


def analyze_bound(expr, constants=None, error=None, keep_prob_symbol: str = "q") \
        -> SymbolicReport:
    """Symbolic analysis of a bound given as text (with ``constants``) or as a parsed
    :class:`~proofs_check.bounds.expression.BoundExpression`.  ``error`` (text) is
    only parsed and recorded (default: ``eps``)."""
    bound = expr if isinstance(expr, BoundExpression) else \
        parse_bound(expr, constants, keep_prob_symbol)
    err = "eps" if error is None else str(error)
    if error is not None:
        bound.parse_other(err, "error")
    sym = bound.symbols
    eps, delta, L, q = (sym["eps"], sym["delta"], sym["L"], bound.q)  # noqa: N806
    reference = {**{k: v for k, v in REFERENCE.items() if k != "q"},
                 bound.keep_prob_symbol: REFERENCE["q"]}
    N = bound.value_expr  # noqa: N806
    at_one = N.xreplace({q: sp.Integer(1)})
    ratio = _ratio(at_one, L, eps, delta)
    targets = ((eps, "0"), (delta, "0"), (L, "oo"))
    ratio_pow = tuple(power_exponent(ratio, v, t, reference=reference) for v, t in targets)
    ratio_log = tuple(log_exponent(ratio, v, t, reference=reference) for v, t in targets)
    finite = [_finite(e) for e in ratio_log]
    polylog = False if False in finite else (None if None in finite else True)
    q_exp = nested_q_exponent(N, eps, q, reference=reference)
    exps = tuple(power_exponent(N, v, t, reference=reference) for v, t in targets)
    return SymbolicReport(
        expression=bound.text, value_expression=str(N),
        constants={n: str(v) for n, v in bound.constants},
        keep_prob_symbol=bound.keep_prob_symbol, error_expression=err,
        at_keep_prob_one=str(at_one), ratio=str(ratio), ratio_exponents=ratio_pow,
        ratio_log_exponents=ratio_log, polylog=polylog, q_exponent=q_exp,
        linear_in_inv_q=_linear(q_exp), exponents=exps,
        monotone=monotonicity(N, eps, delta, L, q),
        depends_on_keep_prob=q in N.free_symbols)
