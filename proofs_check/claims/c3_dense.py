"""Claim C3-dense: Arora et al. (2019), Theorem 3.1, the dense finite-width bound.

For ReLU and ||x||, ||x'|| <= 1: if every hidden width is at least
C L^6 / eps^4 log(L / delta), then |Theta_n(x, x') - Theta(x, x')| <= (L+1) eps with
probability >= 1 - delta.  The constant C is not given; this claim checks the
bound with C = ``constant`` (default 1) and reports the implied constant - the
smallest C the Monte Carlo data are consistent with (see :mod:`proofs_check.bounds`).

* Symbolic: the bound's analysis (ratio 1 to itself, monotone in every variable)
  and the central-limit consistency check: Monte Carlo fluctuations shrink like
  n^(-1/2), so any valid bound needs a width growing at least like eps^(-2); the
  bound's exponent in 1/eps must be >= 2.
* Numeric: at sample points (L, eps, delta) with dense networks, the exact
  binomial test of P(|Theta_n - Theta| > (L+1) eps) <= delta at the bound's width,
  Bonferroni over the points at family-wise rate 1%.  Points whose width exceeds
  the budget's cap are skipped and listed.
"""

from __future__ import annotations

import sympy as sp

from ..bounds import SamplePoint, analyze_bound, check_bound
from ..claim import Claim, Context, Hypothesis
from ..decisions import DEFAULT_ALPHA
from ..verdict import CheckOutcome, Verdict, combine

__all__ = ["dense_bound_claim", "DENSE_POINTS"]

# Widths of C L^6/eps^4 log(L/delta) at C = 1: 37, 412, 606, 614 (all within the quick cap).
DENSE_POINTS = (SamplePoint(1, 0.5, 0.1), SamplePoint(1, 0.25, 0.2),
                SamplePoint(2, 0.75, 0.1), SamplePoint(2, 0.7, 0.2))
_EXPR = "C*L**6/eps**4*log(L/delta)"
_ERROR = "(L+1)*eps"


def _symbolic(context: Context, params: dict) -> CheckOutcome:
    eps, delta, L, C = sp.symbols("eps delta L C", positive=True)
    expr = C * L**6 / eps**4 * sp.log(L / delta)
    exponent = sp.limit(sp.log(expr) / sp.log(1 / eps), eps, 0, "+")
    clt = CheckOutcome(Verdict.VERIFIED if exponent >= 2 else Verdict.REFUTED, "symbolic",
                       f"exponent of 1/eps is {exponent} >= 2 (central-limit rate n^(-1/2))",
                       {"eps_exponent": str(exponent)})
    analysis = analyze_bound(_EXPR, {"C": params["constant"]}, error=_ERROR).to_outcome(
        require=("dense_match", "monotone"))
    verdict = combine([clt, analysis])
    return CheckOutcome(verdict, "symbolic", f"{clt.explanation}; {analysis.explanation}",
                        {"clt": clt.data, "analysis": analysis.data})


def _numeric(context: Context, params: dict) -> CheckOutcome:
    report = check_bound(_EXPR, {"C": params["constant"]}, error=_ERROR, points=params["points"],
                         context=context, store=context.store, alpha=DEFAULT_ALPHA,
                         symbolic=False, command="C3-dense")
    outcome = report.to_outcome()
    data = dict(outcome.data)
    if report.implied is not None:
        data["implied_constant"] = report.implied.to_json()
    return CheckOutcome(outcome.verdict, outcome.kind, outcome.explanation, data,
                        outcome.error_rate)


def _summary(outcomes, params) -> str:
    parts = []
    for o in outcomes:
        if o.kind == "symbolic":
            parts.append(f"1/eps exponent {o.data['clt']['eps_exponent']} >= 2")
        elif o.kind == "statistical":
            d = o.data
            if o.verdict is Verdict.REFUTED and d.get("witness"):
                parts.append(o.explanation.split(" (p-value")[0])
            else:
                parts.append(f"C = {params['constant']:g}: {o.verdict.value} at "
                             f"{d.get('tested', 0)} point(s)")
            imp = d.get("implied_constant") or {}
            if imp.get("value") is not None:
                parts.append(f"smallest consistent C = {float(imp['value']):.3g}")
    return "; ".join(parts)


def _hypotheses():
    def constant_ok(p):
        c = p["constant"]
        return None if isinstance(c, (int, float)) and c > 0 else f"constant = {c!r}"

    def dense(p):
        bad = [pt for pt in p["points"] if pt.keep_prob != 1]
        return None if not bad else f"keep_prob {bad[0].keep_prob} at {bad[0]} (dense only)"

    return (Hypothesis("constant C > 0", constant_ok),
            Hypothesis("dense networks (keep_prob = 1 at every point)", dense))


def dense_bound_claim(*, constant: float = 1.0, points=DENSE_POINTS) -> Claim:
    """Claim C3-dense: Arora et al.'s dense width bound with constant ``constant``."""
    eps, delta, L, C = sp.symbols("varepsilon delta L C", positive=True)
    n = sp.Symbol("n", positive=True)
    theta = sp.Function(r"\Theta_n")
    statement = sp.Implies(sp.Ge(n, C * L**6 / eps**4 * sp.log(L / delta)),
                           sp.Le(sp.Function("P")(sp.Gt(sp.Abs(theta(sp.Symbol("x"))),
                                                        (L + 1) * eps)), delta))
    return Claim(
        id="C3-dense", title="Dense finite-width bound (Arora et al. 2019, Thm 3.1), C = 1",
        statement=statement,
        statement_latex=(r"n \ge C \frac{L^{6}}{\varepsilon^{4}} \log\frac{L}{\delta}"
                         r"\;\Longrightarrow\; \Pr\bigl[|\Theta_n(x, x') - \Theta(x, x')| > "
                         r"(L+1)\varepsilon\bigr] \le \delta"),
        hypotheses=_hypotheses(), symbolic=_symbolic, numeric=_numeric,
        parameters={"constant": constant, "points": tuple(points)},
        description=("Arora et al.'s constant is not given; the bound is checked with "
                     f"C = {constant:g} at the sample points, and the implied constant is "
                     "reported.  Inputs e1 and (0.6, 0.8, 0), both of norm 1."),
        summarize=_summary)

