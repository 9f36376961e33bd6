"""Claim C3: at finite width, the width needed grows linearly in the sparsity parameter.

The paper's bound is unknown to us; what is checked is its stated consequence in
our reading (sparsity parameter = 1/q): the required width
n*(eps, delta, q) - the smallest width from which P(|Theta_n/Theta - 1| > eps) <= delta -
grows like (1/q)^1 as q -> 0.

* Symbolic: under the pseudo-network model (claim C4,
  :func:`theory.derive_pseudo_network`) a masked layer's relative variance is
  (kappa - q)/(q n), so n* is proportional to (kappa - q)/q; its elasticity
  d log n* / d log(1/q) = kappa/(kappa - q) tends to 1 as q -> 0 (sympy limit).
* Numeric: n* measured on a width grid at small keep probabilities
  (q = 1/4, 1/6, 1/10, 1/16: four points about evenly spaced in log(1/q)) with
  rescaled pruning and a dense first layer; the log-log
  slope of n* against 1/q with a 99% percentile-bootstrap interval
  (:func:`numerics.slope_with_bootstrap`) is compared with 1 +- ``tolerance``.
  The tolerance 0.25 covers the model's finite-q elasticity kappa/(kappa - q) <= 1.2
  for q <= 1/4 and kappa >= 1.5.  False-alarm rate: 1% (the interval's level).
"""

from __future__ import annotations

import math
from fractions import Fraction
from numbers import Real

import sympy as sp

from numerics.scaling.analysis import required_width, slope_with_bootstrap
from numerics.scaling.grid import run_grid
from numerics.figures import setting
from numerics.scaling.plots import plot_required_width
from theory._errors import InvalidArgument, check_keep_prob
from theory.pseudo.derivation import derive_pseudo_network
from theory.texprint import to_latex

from ...claim import Claim, Context, Hypothesis
from ...decisions import interval_decision
from ...verdict import CheckOutcome, Verdict

__all__ = ["sparsity_claim", "ALPHA"]

ALPHA = 0.01          # false-alarm rate of the numeric check (split over depths)
NE = r"\ne"
_X, _Y = (1.0, 0.0, 0.0), (0.6, 0.8, 0.0)


def _plan(budget, depth: int) -> dict:
    """Grid and trials for one depth.  Depth 1 costs O(n d0) per trial, so it can go wide."""
    if depth == 1:
        widths = tuple(64 * 2**i for i in range(8))            # 64 .. 8192
        return {"widths": widths, "trials": 2 * budget.trials, "eps": 0.2, "delta": 0.1}
    widths = tuple(n for n in budget.widths if n <= budget.max_width)
    return {"widths": widths, "trials": budget.trials, "eps": 0.4, "delta": 0.2}


def _resamples(alpha: float) -> int:
    """Enough bootstrap resamples that each tail of a (1 - alpha) percentile interval rests
    on at least 10 resampled slopes."""
    return max(400, math.ceil(20 / alpha))


def _depths(budget, depth) -> tuple[int, ...]:
    if depth is not None:
        return (depth,)
    return (1,) if budget.name == "quick" else (1, 2)


def _symbolic(context: Context, params: dict) -> CheckOutcome:
    _validate(params)
    d = derive_pseudo_network("forward")
    data = {"n_star_model": sp.sstr(d.width_requirement), "elasticity": sp.sstr(d.elasticity),
            "limit_q_to_0": sp.sstr(d.elasticity_limit),
            "derivation_checks": {k: bool(v) for k, v in d.checks.items()}}
    if not d.holds:
        failed = [k for k, v in d.checks.items() if not v]
        return CheckOutcome(Verdict.INCONCLUSIVE, "symbolic",
                            f"the pseudo-network derivation failed its own checks: {failed}", data)
    ok = d.elasticity_limit == sp.nsimplify(params["exponent"])
    names = {s: r"\varepsilon" for s in d.width_requirement.free_symbols
             if s.name in ("eps", "epsilon")}
    return CheckOutcome(Verdict.VERIFIED if ok else Verdict.REFUTED, "symbolic",
                        f"pseudo-network model (C4): $n^* = "
                        f"{to_latex(d.width_requirement, symbol_names=names)}$, "
                        f"$d \\log n^* / d \\log(1/q) = {to_latex(d.elasticity)} \\to "
                        f"{to_latex(d.elasticity_limit)}$ as $q \\to 0$ "
                        f"(${'=' if ok else NE}$ the claimed ${params['exponent']}$)", data)


def _numeric(context: Context, params: dict) -> CheckOutcome:
    _validate(params)
    budget = context.budget
    qs = tuple(check_keep_prob(v, "keep_probs") for v in params["keep_probs"])
    depths = _depths(budget, params["depth"])
    alpha = ALPHA
    sub_alpha = alpha / len(depths)
    outcomes, data, figures = [], {"depths": {}}, []
    for depth in depths:
        plan = _plan(budget, depth)
        grid = run_grid(qs, plan["widths"], _X, _Y, plan["trials"], depths=[depth],
                        rescale=True, seed=context.seed, workers=context.workers,
                        store=context.store,
                        progress=context.progress, backend=context.backend)
        cells = grid.deviations(depth)
        level = 1 - sub_alpha
        required = {q: required_width(cells[q], plan["eps"], plan["delta"], level) for q in cells}
        try:
            fit = slope_with_bootstrap(cells, plan["eps"], plan["delta"], level=level,
                                       seed=context.seed, require_all=True,
                                       resamples=_resamples(sub_alpha))
        except InvalidArgument as exc:   # n* off the grid: no slope at this budget
            outcomes.append(CheckOutcome(Verdict.INCONCLUSIVE, "statistical",
                                         f"depth {depth}: {exc}", {}, sub_alpha))
            continue
        out = interval_decision(fit.slope, fit.slope_ci, float(params["exponent"]),
                                params["tolerance"], sub_alpha,
                                what=f"depth {depth}: slope of $n^*$ vs $1/q$")
        outcomes.append(out)
        data["depths"][depth] = {
            **plan, "slope": fit.slope, "slope_ci": fit.slope_ci, "level": level,
            "n_star": {str(q): required[q].n_star for q in sorted(required)},
            "n_star_interval": {str(q): required[q].interval for q in sorted(required)},
            "verdict": out.verdict.value}
        path = context.figure_path(f"c3_nstar_depth{depth}")
        if path is not None:
            plot_required_width(required, fit, path, title="C3: required width vs 1/q\n" + setting(
                depth=depth, eps=plan["eps"], rescale=True,
                extra=rf"$\delta = {plan['delta']:g}$, {plan['trials']} networks per cell"))
            figures.append(str(path.with_suffix(".png").relative_to(context.out)))
    data["figures"] = figures
    data["tolerance"] = params["tolerance"]
    data["parameters_used"] = {"depth": depths[0] if len(depths) == 1 else list(depths)}
    verdicts = [o.verdict for o in outcomes]
    verdict = (Verdict.REFUTED if Verdict.REFUTED in verdicts else
               Verdict.VERIFIED if verdicts and all(v is Verdict.VERIFIED for v in verdicts)
               else Verdict.INCONCLUSIVE)
    return CheckOutcome(verdict, "statistical", "; ".join(o.explanation for o in outcomes),
                        data, alpha)


def _summary(outcomes, params) -> str:
    parts = []
    for o in outcomes:
        if o.kind == "statistical":
            for depth, d in o.data.get("depths", {}).items():
                lo, hi = d["slope_ci"]
                parts.append(f"$L = {depth}$: $n^* \\sim (1/q)^{{{d['slope']:.2f}}}$ "
                             f"$[{lo:.2f}, {hi:.2f}]$")
            if not o.data.get("depths"):
                parts.append(o.explanation)
        elif o.kind == "symbolic":
            limit = o.data.get("limit_q_to_0", "?")
            relation = "=" if o.verdict is Verdict.VERIFIED else NE
            parts.append(f"model elasticity $\\to {limit} {relation}$ claimed "
                         f"${params['exponent']}$")
    return "; ".join(parts)


def _math(text: str) -> str:
    r"""A SymPy expression's text as inline LaTeX (epsilon written varepsilon).

    >>> _math("(kappa - q)/(epsilon**2*q)")
    '$\\frac{\\kappa - q}{\\varepsilon^{2} q}$'
    """
    expr = sp.sympify(text)
    names = {s: r"\varepsilon" for s in expr.free_symbols if s.name in ("eps", "epsilon")}
    return "$" + to_latex(expr, symbol_names=names) + "$"


def _numbers(outcomes, params) -> list:
    out = []
    for o in outcomes:
        d = o.data
        if o.kind == "symbolic":
            out += [("model width requirement $n^*$", _math(d["n_star_model"])),
                    ("model elasticity $d \\log n^* / d \\log(1/q)$", _math(d["elasticity"])),
                    ("its limit as $q \\to 0$", _math(d["limit_q_to_0"]))]
        elif o.kind == "statistical":
            for depth, e in d.get("depths", {}).items():
                at = f"$L = {depth}$: "
                out += [(at + "widths", e["widths"]), (at + "networks per cell", e["trials"]),
                        (at + "gap $\\varepsilon$ and probability $\\delta$",
                         f"{e['eps']:g}, {e['delta']:g}")]
                for q in e["n_star"]:
                    lo, hi = e["n_star_interval"][q]
                    kp = Fraction(q).limit_denominator()
                    out.append((at + f"required width $n^*$ at $q = {kp}$",
                                f"{e['n_star'][q]:.0f} (grid interval [{lo:.0f}, {hi:.0f}])"))
                out += [(at + "slope of $\\log n^*$ against $\\log(1/q)$", e["slope"]),
                        (at + f"its {100 * e['level']:.4g}% bootstrap interval", e["slope_ci"])]
            out.append(("accepted slopes", f"${params['exponent']} \\pm {d.get('tolerance')}$"))
    return out


def _validate(params: dict) -> None:
    """Invalid arguments are errors (InvalidArgument), not unmet hypotheses."""
    qs = params["keep_probs"]
    if isinstance(qs, (str, bytes)) or not hasattr(qs, "__iter__"):
        raise InvalidArgument("keep_probs", qs, "not a sequence", 'pass e.g. ("1/4", "1/8")')
    for v in qs:
        check_keep_prob(v, "keep_probs")
    d = params["depth"]
    if d is not None and (isinstance(d, bool) or not isinstance(d, int) or d < 1):
        raise InvalidArgument("depth", d, "must be None or an integer >= 1",
                              "pass depth=None (the budget chooses) or e.g. depth=2")
    t = params["tolerance"]
    if isinstance(t, bool) or not isinstance(t, Real) or not 0 < t < 1:
        raise InvalidArgument("tolerance", t, "must lie in (0, 1)", "pass e.g. tolerance=0.25")
    k = params["exponent"]
    if isinstance(k, bool) or not isinstance(k, Real) or not (math.isfinite(k) and k > 0):
        raise InvalidArgument("exponent", k, "must be a positive finite number",
                              "pass the claimed exponent of 1/q, e.g. exponent=1")


def _hypotheses() -> tuple[Hypothesis, ...]:
    def small_q(p):
        qs = [check_keep_prob(v, "keep_probs") for v in p["keep_probs"]]
        if len(set(qs)) < 2:
            return "needs at least two distinct keep probabilities"
        if max(qs) > Fraction(1, 2):
            return (f"keep_probs {[str(q) for q in qs]} are not small (the claim is "
                    f"$q \\to 0$)")
        return None

    return (Hypothesis("several small keep probabilities ($q \\le 1/2$)", small_q),)


def sparsity_claim(*, keep_probs=("1/4", "1/6", "1/10", "1/16"), depth: int | None = None,
                   tolerance: float = 0.25, exponent: float = 1) -> Claim:
    """Claim C3 (our reading): n*(eps, delta, q) grows like (1/q)^exponent for small keep_prob.

    The paper's claim is ``exponent=1``; other exponents make testable wrong claims.
    """
    q, eps, delta = sp.symbols("q varepsilon delta", positive=True)
    n_star = sp.Function("n^{*}")(eps, delta, q)
    _validate({"keep_probs": keep_probs, "depth": depth, "tolerance": tolerance,
               "exponent": exponent})
    k = sp.nsimplify(exponent)
    growth = "linearly in $1/q$" if k == 1 else f"like $(1/q)^{{{sp.latex(k)}}}$"
    statement = sp.Eq(sp.Limit(sp.diff(sp.log(n_star), q) * (-q), q, 0, "+"), k)
    return Claim(
        id="C3", title=f"Finite width: required width grows {growth}",
        statement=statement,
        statement_latex=(r"\lim_{q \to 0^+} \frac{\partial \log n^{*}(\varepsilon, \delta, q)}"
                         r"{\partial \log(1/q)} = " + sp.latex(k)),
        hypotheses=_hypotheses(), symbolic=_symbolic, numeric=_numeric,
        parameters={"keep_probs": tuple(keep_probs), "depth": depth, "tolerance": tolerance,
                    "exponent": exponent},
        description=("Our reading of the paper's finite-width claim (its formula is unknown): "
                     "the sparsity parameter is $1/q$; rescaled pruning, dense first layer, "
                     "$x = e_1$, $y = (0.6, 0.8, 0)$."),
        summarize=_summary, key_numbers=_numbers)
