"""Claim C3-dense: Arora et al. (2019), Theorem 3.1, the dense finite-width bound.

For ReLU and ||x||, ||x'|| <= 1: if every hidden width is at least
C L^6 / eps^4 log(L / delta), then |Theta_n(x, x') - Theta(x, x')| <= (L+1) eps with
probability >= 1 - delta.  The constant C is not given; this claim checks the
bound with C = ``constant`` (default 1) and reports the implied constant - the
smallest C the Monte Carlo data are consistent with (see :mod:`proofs_check.bounds`).

* Symbolic (of the bound ``expr``, by default Arora et al.'s): the central-limit
  consistency check - Monte Carlo fluctuations shrink like n^(-1/2), so a valid
  bound needs a width growing at least like eps^(-2): its exponent in 1/eps must be
  >= 2 - and monotonicity in every variable (:func:`proofs_check.analyze_bound`).
  For the default expression these are properties of the stated theorem's form;
  a user's alternative dense bound (``expr=...``) can fail them.
* Numeric: at sample points (L, eps, delta) with dense networks, the exact
  binomial test of P(|Theta_n - Theta| > (L+1) eps) <= delta at the bound's width,
  Bonferroni over the points at family-wise rate 1%.  Points whose width exceeds
  the budget's cap are skipped and listed.
"""

from __future__ import annotations

import math
from numbers import Real

import sympy as sp

from theory._errors import InvalidArgument

from ...bounds import SamplePoint, analyze_bound, check_bound, parse_bound
from ...claim import Claim, Context, Hypothesis
from ...decisions import DEFAULT_ALPHA
from ...verdict import CheckOutcome, Verdict, combine

__all__ = ["dense_bound_claim", "DENSE_POINTS", "ARORA_EXPR", "ARORA_ERROR"]

# Widths of C L^6/eps^4 log(L/delta) at C = 1: 37, 412, 606, 614 (all within the quick cap).
DENSE_POINTS = (SamplePoint(1, 0.5, 0.1), SamplePoint(1, 0.25, 0.2),
                SamplePoint(2, 0.75, 0.1), SamplePoint(2, 0.7, 0.2))
ARORA_EXPR = "C*L**6/eps**4*log(L/delta)"
ARORA_ERROR = "(L+1)*eps"
_GE = r"\ge"


def _validate(p: dict) -> None:
    c = p["constant"]
    if isinstance(c, bool) or not isinstance(c, Real) or not (math.isfinite(c) and c > 0):
        raise InvalidArgument("constant", c, "must be a positive finite number",
                              "pass e.g. constant=1.0")
    if not p["points"]:
        raise InvalidArgument("points", p["points"], "no sample points",
                              "pass at least one SamplePoint")


def _symbolic(context: Context, params: dict) -> CheckOutcome:
    _validate(params)
    report = analyze_bound(params["expr"], {"C": params["constant"]}, error=params["error"])
    (eps_exp,) = [e for e in report.exponents if e.variable == "1/eps"]
    ok = eps_exp.value >= 2
    clt = CheckOutcome(Verdict.VERIFIED if ok else Verdict.REFUTED, "symbolic",
                       f"exponent of $1/\\varepsilon$ is ${eps_exp.exact} "
                       f"{_GE if ok else '<'} 2$ (central-limit rate $n^{{-1/2}}$)",
                       {"eps_exponent": eps_exp.exact})
    form = report.to_outcome(require=("monotone",))
    return CheckOutcome(combine([clt, form]), "symbolic", f"{clt.explanation}; {form.explanation}",
                        {"clt": clt.data, "analysis": form.data})


def _numeric(context: Context, params: dict) -> CheckOutcome:
    _validate(params)
    report = check_bound(params["expr"], {"C": params["constant"]}, error=params["error"],
                         points=params["points"], context=context, store=context.store,
                         alpha=DEFAULT_ALPHA, symbolic=False, command="C3-dense")
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
            rel = "\\ge" if o.verdict is not Verdict.REFUTED else "<"
            parts.append(f"$1/\\varepsilon$ exponent ${o.data['clt']['eps_exponent']} {rel} 2$")
        elif o.kind == "statistical":
            d = o.data
            if o.verdict is Verdict.REFUTED and d.get("witness"):
                w = d["witness"]
                parts.append(f"$C = {params['constant']:g}$ violated at $L = {w['L']}$, "
                             f"$\\varepsilon = {w['eps']:g}$, $\\delta = {w['delta']:g}$: width "
                             f"{w['width']}, {w['exceed']}/{w['trials']} exceed")
            else:
                parts.append(f"$C = {params['constant']:g}$: {o.verdict.value} at "
                             f"{d.get('tested', 0)} point(s)")
            imp = d.get("implied_constant") or {}
            if imp.get("value") is not None:
                parts.append(f"smallest consistent $C = {float(imp['value']):.3g}$")
    return "; ".join(parts)


def _numbers(outcomes, params) -> list:
    out = []
    for o in outcomes:
        d = o.data
        if o.kind == "symbolic":
            out += [("exponent of $1/\\varepsilon$ in the width", d["clt"]["eps_exponent"]),
                    ("bound monotone in every variable",
                     d["analysis"].get("monotone_holds"))]
        elif o.kind == "statistical":
            out += [("sample points tested / skipped", f"{d.get('tested', 0)} / "
                                                         f"{d.get('skipped', 0)}"),
                    ("networks per point", d.get("trials")),
                    ("level per point (Bonferroni)", d.get("per_point_alpha")),
                    ("width cap of the budget", d.get("max_width"))]
            for pt in d.get("points", ()):
                where = (f"$L = {pt['L']}$, $\\varepsilon = {pt['eps']:g}$, "
                         f"$\\delta = {pt['delta']:g}$")
                if pt.get("status") == "tested":
                    out.append((f"{where}: width, exceedances of {pt['error']:g}",
                                f"{pt['width']}, {pt['exceed']}/{pt['trials']}"))
                else:
                    out.append((f"{where}: skipped", pt.get("reason") or pt.get("status")))
            imp = d.get("implied_constant") or {}
            if imp:
                out += [("smallest constant $C$ consistent with the data", imp.get("value")),
                        ("constant $C$ from the interpolated $n^*$", imp.get("estimate")),
                        ("constant $C$ with which every point is verified",
                         imp.get("sufficient"))]
    return out


def _hypotheses():
    def dense(p):
        bad = [pt for pt in p["points"] if pt.keep_prob != 1]
        return None if not bad else f"keep_prob {bad[0].keep_prob} at {bad[0].label()} (dense only)"

    return (Hypothesis("dense networks ($q = 1$ at every point)", dense),)


def dense_bound_claim(*, constant: float = 1.0, points=DENSE_POINTS, expr: str = ARORA_EXPR,
                      error: str = ARORA_ERROR) -> Claim:
    """Claim C3-dense: a dense width bound (default Arora et al.'s) with constant C."""
    _validate({"constant": constant, "points": tuple(points)})
    n = sp.Symbol("n", positive=True)
    bound = parse_bound(expr, {"C": constant}, argument="expr")
    err = bound.parse_other(error, "error")
    prob = sp.Function("P")(sp.Gt(sp.Abs(sp.Function(r"\Theta_n")(sp.Symbol("x"))), err))
    statement = sp.Implies(sp.Ge(n, bound.expr), sp.Le(prob, sp.Symbol("delta")))
    names = {s: r"\varepsilon" for s in (bound.expr.free_symbols | err.free_symbols)
             if s.name == "eps"}
    latex = (sp.latex(sp.Ge(n, bound.expr), symbol_names=names)
             + r"\;\Longrightarrow\; \Pr\bigl[|\Theta_n(x, x') - "
             r"\Theta(x, x')| > " + sp.latex(err, symbol_names=names) + r"\bigr] \le \delta")
    arora = expr == ARORA_EXPR and error == ARORA_ERROR
    title = (f"Dense finite-width bound (Arora et al. 2019, Thm 3.1), $C = {constant:g}$"
             if arora else
             f"Dense finite-width bound $N = {sp.latex(bound.expr, symbol_names=names)}$, "
             f"error ${sp.latex(err, symbol_names=names)}$, $C = {constant:g}$")
    return Claim(
        id="C3-dense", title=title, statement=statement, statement_latex=latex,
        hypotheses=_hypotheses(), symbolic=_symbolic, numeric=_numeric,
        parameters={"constant": constant, "points": tuple(points), "expr": expr,
                    "error": error},
        description=("The constant of Arora et al.'s bound is not given; the bound is checked "
                     f"with $C = {constant:g}$ at the sample points, and the implied constant is "
                     "reported.  Inputs $e_1$ and $(0.6, 0.8, 0)$, both of norm 1."),
        summarize=_summary, key_numbers=_numbers)
