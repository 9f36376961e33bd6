"""Claim C4: mask-induced pseudo-networks - per-neuron masked inner products concentrate
like (q n)^(-1/2).

Working definition (the toolkit's own; the paper names the structure but its
definition is not known to us): in the pseudo-network of a masked layer h,
neuron i of layer h receives its own masked copy M^(h)_{i,:} . g^(h-1) of the
previous layer.  Inputs x, x' meet at neuron i through S_i = sum_j M_ij a_j,
a_j = g^(h-1)_j(x) g^(h-1)_j(x'), and backwards neuron j of layer h-1 through
T_j = sum_i M_ij beta_i, beta_i = b^(h)_i(x) b^(h)_i(x'), b^(h) = df/df^(h).

Statement: sd(S_i)/E[S_i] = sqrt(kappa - q) (q n)^(-1/2) with kappa = E[a^2]/E[a]^2
and n the fan-in (the exponent is a parameter, so a wrong one can be stated and
refuted); conditionally on the a_j, E[S_i | a] = q sum a_j and
Var[S_i | a] = q (1 - q) sum a_j^2; the same for T_j with the fan-out.

* **symbolic** (exact, error rate 0): :func:`theory.pseudo_networks.derive_pseudo_network`
  derives every formula from the Bernoulli moments (forward and backward); the
  derived conditional and unconditional moments are evaluated at concrete rational
  data and compared with exact enumeration over all 2^n masks (n <= 6) and all
  value assignments (a second algorithm); the derived exponent must equal the
  stated one; the elasticity d log n*/d log(1/q) = kappa/(kappa - q) has limit 1 as
  q -> 0; for ReLU, kappa(0) = 6 from the Gaussian integrals.
* **numeric** (statistical, one outcome): networks drawn with
  :func:`numerics.sample_network` over the budget's widths (<= ``max_width``) and
  keep probabilities, ``budget.trials // 2`` trials (each trial contributes one
  sum per neuron), depth 2, layer 2 by default:

  (a) the conditionally standardised sums z = (S - q sum a)/sqrt(q(1-q) sum a^2)
      (and the same for T) have mean 0 and mean square 1:
      :func:`~proofs_check.decisions.mean_decision`, verified when the interval
      lies within +-``moment_tolerance``; at q = 1 the sums must equal sum a to
      rounding (exact);
  (b) the slope of log(sd/mean) - log(kappa_hat - q)/2 against log(q n) equals the
      stated exponent: :func:`~proofs_check.decisions.interval_decision` with
      +-``slope_tolerance`` (bootstrap over trials);
  (c) the measured slope of log n*(q) against log(1/q) (n* = the width at which
      sd/mean reaches a fixed eps) minus the elasticity formula's prediction at
      the measured kappa is 0 +- ``elasticity_tolerance``.

  Each sub-decision runs at DEFAULT_ALPHA / m (Bonferroni over the m statistical
  sub-decisions), so the check's false-alarm rate is at most 1%.
"""

from __future__ import annotations

import random
import time
from fractions import Fraction
from numbers import Integral, Real

import numpy as np
import sympy as sp

from numerics.pseudo_fits import fit_fluctuation_slope, width_sparsity_slope
from numerics.pseudo_grid import fluctuation_grid, gaussian_kappa
from numerics.pseudo_plots import plot_fluctuation
from theory._errors import InvalidArgument, check_keep_prob
from theory.config import ACTIVATIONS
from theory.latex import to_latex
from theory.pseudo_moments import (iid_masked_sum_moments_exact, masked_sum_moments_exact,
                                   relu_product_moments)
from theory.pseudo_networks import derive_pseudo_network, kappa, q

from ..claim import Claim, Context, Hypothesis
from ..decisions import DEFAULT_ALPHA, bonferroni, interval_decision, mean_decision
from ..verdict import CheckOutcome, Verdict, combine

__all__ = ["pseudo_network_claim", "DEFAULTS"]

DEFAULTS = {
    "depth": 2, "layer": 2, "x": (1.0, 0.0, 0.0), "y": (0.6, 0.8, 0.0),
    "activation": "relu", "rescale": False, "exponent": "-1/2",
    "keep_probs": None, "widths": None, "trials": None, "backward": True,
    "moment_tolerance": 0.05, "slope_tolerance": 0.1, "elasticity_tolerance": 0.2,
}
_ENUM_MAX_TERMS = 6
_ROUNDING = 4 * 2.0**-52      # per term: |sum of n terms - exact| <= n * this * sum|a|
_RESAMPLES = 1000


# ------------------------------------------------------------------ parameters
def _exponent(value) -> Fraction:
    try:
        if isinstance(value, bool):
            raise TypeError
        return value if isinstance(value, Fraction) else Fraction(str(value).strip())
    except (TypeError, ValueError, ZeroDivisionError):
        raise InvalidArgument("exponent", value, "not a number",
                              "give the claimed exponent of q n, e.g. -1/2") from None


def _cosine(p) -> float | None:
    x, y = (np.asarray(p[k], dtype=float) for k in ("x", "y"))
    nx, ny = np.linalg.norm(x), np.linalg.norm(y)
    if x.shape != y.shape or x.ndim != 1 or nx == 0 or ny == 0:
        return None
    return float(np.clip(x @ y / (nx * ny), -1, 1))


def _hypotheses() -> tuple[Hypothesis, ...]:
    def keep_probs_ok(p):
        if p["keep_probs"] is None:
            return None
        try:
            qs = {check_keep_prob(v, "keep_probs") for v in p["keep_probs"]}
        except InvalidArgument as exc:
            return str(exc)
        return None if len(qs) >= 2 else "needs two or more distinct keep probabilities"

    def layer_ok(p):
        depth, layer = p["depth"], p["layer"]
        if not (isinstance(depth, Integral) and isinstance(layer, Integral)) or \
                isinstance(depth, bool) or isinstance(layer, bool):
            return f"depth = {depth!r}, layer = {layer!r}"
        if not 2 <= layer <= depth:
            return (f"layer {layer} of a depth-{depth} network: the masked layers fed by a hidden "
                    f"layer, with a hidden fan-out, are 2..{depth}")
        return None

    def widths_ok(p):
        if p["widths"] is None:
            return None
        ws = list(p["widths"])
        if not ws or any(isinstance(n, bool) or not isinstance(n, Integral) or n < 2 for n in ws):
            return f"widths = {ws!r}"
        return None

    def inputs_ok(p):
        try:
            c = _cosine(p)
        except (TypeError, ValueError):
            return "x and y must be vectors of numbers"
        if c is None:
            return "x and y must be non-zero vectors of the same dimension"
        if p["activation"] == "relu" and c <= -1 + 1e-12:
            return "x and y are antiparallel: E[a_j] = 0 for ReLU"
        if p["activation"] == "erf" and abs(c) < 1e-6:
            return "x and y are orthogonal: E[a_j] = 0 for erf"
        return None

    def settings_ok(p):
        if p["activation"] not in ACTIVATIONS:
            return f"activation = {p['activation']!r}"
        try:
            _exponent(p["exponent"])
        except InvalidArgument as exc:
            return str(exc)
        for name in ("moment_tolerance", "slope_tolerance", "elasticity_tolerance"):
            t = p[name]
            if isinstance(t, bool) or not isinstance(t, Real) or not 0 < t < 1:
                return f"{name} = {t!r} (need 0 < tolerance < 1)"
        t = p["trials"]
        if t is not None and (isinstance(t, bool) or not isinstance(t, Integral) or t < 2):
            return f"trials = {t!r}"
        return None

    return (Hypothesis("0 < keep_prob <= 1 for every keep probability (two or more)",
                       keep_probs_ok),
            Hypothesis("the measured layer is a masked layer fed by a hidden layer, with a "
                       "hidden fan-out (2 <= layer <= depth; layers 2..L+1 are masked)", layer_ok),
            Hypothesis("every width >= 2", widths_ok),
            Hypothesis("E[a_j] != 0 (inputs not antiparallel for ReLU, not orthogonal for erf)",
                       inputs_ok),
            Hypothesis("known activation, numeric exponent, tolerances in (0, 1), trials >= 2",
                       settings_ok))


# ------------------------------------------------------------------ symbolic
def _rational(expr: sp.Expr) -> Fraction | str:
    """An exact rational SymPy value as a Fraction (anything else is returned as text, so
    it compares unequal to the enumerated value)."""
    expr = sp.simplify(expr)
    if not expr.is_Rational:
        return f"not a rational number: {sp.sstr(expr)}"
    return Fraction(int(expr.p), int(expr.q))


def _enumeration(d, seed: int) -> dict:
    """Derived moments at concrete rational data against exhaustive enumeration."""
    rng = random.Random(seed)
    w, n, m1, m2 = d.symbols["w"], d.symbols["n"], d.symbols["m1"], d.symbols["m2"]
    mismatches, cases = [], 0
    for terms in range(1, _ENUM_MAX_TERMS + 1):
        for qv in (Fraction(1, 2), Fraction(1, 3), Fraction(3, 4), Fraction(1)):
            values = [Fraction(rng.randint(-9, 9), rng.randint(1, 7)) for _ in range(terms)]
            exact_mean, exact_var = masked_sum_moments_exact(values, qv)
            env = {n: terms, q: sp.Rational(qv.numerator, qv.denominator)}
            subs = {w[i + 1]: sp.Rational(v.numerator, v.denominator)
                    for i, v in enumerate(values)}
            mean = _rational(d.conditional_mean.subs(env).doit().subs(subs))
            var = _rational(d.conditional_variance.subs(env).doit().subs(subs))
            cases += 1
            if (mean, var) != (exact_mean, exact_var):
                mismatches.append(f"n={terms}, q={qv}: derived ({mean}, {var}) vs enumerated "
                                  f"({exact_mean}, {exact_var})")
    support, probs = [Fraction(0), Fraction(1), Fraction(3)], [Fraction(1, 2), Fraction(1, 3),
                                                                Fraction(1, 6)]
    mu1 = sum(v * p for v, p in zip(support, probs))
    mu2 = sum(v * v * p for v, p in zip(support, probs))
    for terms in (1, 2, 3):
        for qv in (Fraction(1, 2), Fraction(1, 3)):
            exact_mean, exact_var = iid_masked_sum_moments_exact(support, probs, terms, qv)
            env = {n: terms, q: sp.Rational(qv.numerator, qv.denominator),
                   m1: sp.Rational(mu1.numerator, mu1.denominator),
                   m2: sp.Rational(mu2.numerator, mu2.denominator)}
            mean, var = _rational(d.mean.subs(env)), _rational(d.variance.subs(env))
            cases += 1
            if (mean, var) != (exact_mean, exact_var):
                mismatches.append(f"iid n={terms}, q={qv}: derived ({mean}, {var}) vs enumerated "
                                  f"({exact_mean}, {exact_var})")
    return {"cases": cases, "mismatches": mismatches}


def _symbolic(context: Context, params: dict) -> CheckOutcome:
    claimed = _exponent(params["exponent"])
    failures, data = [], {"derivation_checks": {}, "enumeration": {}}
    for kind in ("forward", "backward"):
        d = derive_pseudo_network(kind)
        data["derivation_checks"][kind] = dict(d.checks)
        failures += [f"{kind}: {name}" for name, ok in d.checks.items() if not ok]
        enum = _enumeration(d, context.seed)
        data["enumeration"][kind] = enum
        failures += [f"{kind}: {m}" for m in enum["mismatches"]]
    fwd = derive_pseudo_network("forward")
    derived = Fraction(int(sp.fraction(fwd.exponent)[0]), int(sp.fraction(fwd.exponent)[1]))
    data.update({"relative_fluctuation": sp.sstr(fwd.relative_fluctuation),
                 "width_requirement": sp.sstr(fwd.width_requirement),
                 "elasticity": sp.sstr(fwd.elasticity),
                 "elasticity_limit": sp.sstr(fwd.elasticity_limit),
                 "derived_exponent": derived, "claimed_exponent": claimed})
    if fwd.elasticity_limit != 1:
        failures.append(f"elasticity limit is {fwd.elasticity_limit}, not 1")
    if params["activation"] == "relu":
        m = relu_product_moments()
        data["relu_checks"] = dict(m.checks)
        data["relu_kappa_parallel"] = sp.sstr(m.kappa_parallel)
        failures += [f"relu: {name}" for name, ok in m.checks.items() if not ok]
        if m.kappa_parallel != 6:
            failures.append(f"relu kappa(0) = {m.kappa_parallel}, not 6")
        data["gaussian_kappa"] = gaussian_kappa(params["x"], params["y"], params["layer"])
    if derived != claimed:
        return CheckOutcome(Verdict.REFUTED, "symbolic",
                            f"derived exponent of q n is {derived}, the statement claims "
                            f"{claimed}", data)
    if failures:
        return CheckOutcome(Verdict.REFUTED, "symbolic", "; ".join(failures[:3]), data)
    cases = sum(e["cases"] for e in data["enumeration"].values())
    return CheckOutcome(Verdict.VERIFIED, "symbolic",
                        f"moments derived from Bernoulli(q) (forward and backward) match "
                        f"enumeration over all masks in {cases} exact cases; sd/mean = "
                        f"{sp.sstr(fwd.relative_fluctuation)}; d log n*/d log(1/q) = "
                        f"{sp.sstr(fwd.elasticity)} -> {fwd.elasticity_limit}", data)


# ------------------------------------------------------------------ numeric
def _plan(budget, params) -> dict:
    widths = params["widths"] if params["widths"] is not None else budget.widths
    widths = tuple(sorted({int(n) for n in widths if n <= budget.max_width}))
    keep_probs = params["keep_probs"] if params["keep_probs"] is not None else budget.keep_probs
    trials = params["trials"] if params["trials"] is not None else max(10, budget.trials // 2)
    return {"widths": widths, "keep_probs": tuple(str(check_keep_prob(v)) for v in keep_probs),
            "trials": int(trials)}


def _exact_decision(grid, kind: str) -> CheckOutcome | None:
    """At q = 1 every mask is all ones: the sums must equal sum_j w_j to rounding."""
    err = grid.exact_error(kind)
    if err is None:
        return None
    bound = _ROUNDING * max(grid.cells[k].stats(kind).terms for k in grid.cells)
    ok = err <= bound
    return CheckOutcome(Verdict.VERIFIED if ok else Verdict.REFUTED, "numeric",
                        f"{kind}, q = 1: max |S - sum w| / sum |w| = {err:.2g} "
                        f"({'<=' if ok else '>'} rounding bound {bound:.2g})",
                        {"max_relative_error": err, "bound": bound})


def _numeric(context: Context, params: dict) -> CheckOutcome:
    started = time.perf_counter()
    plan = _plan(context.budget, params)
    exponent = _exponent(params["exponent"])
    if len(plan["widths"]) < 1 or len({check_keep_prob(v) for v in plan["keep_probs"]}) < 2:
        return CheckOutcome(Verdict.INCONCLUSIVE, "statistical",
                            f"grid {plan} has no width <= max_width {context.budget.max_width} "
                            "or fewer than two keep probabilities", {"plan": plan})
    kinds = ("forward", "backward") if params["backward"] else ("forward",)
    m = 3 * len(kinds) + 1                  # (a) 2 per kind, (b) 1 per kind, (c) 1
    alpha = DEFAULT_ALPHA
    sub = bonferroni(alpha, m)
    level = 1 - sub
    grid = fluctuation_grid(plan["widths"], plan["keep_probs"], plan["trials"], context.seed,
                            x=params["x"], y=params["y"], depth=params["depth"],
                            layer=params["layer"], activation=params["activation"],
                            rescale=params["rescale"], with_backward=params["backward"])
    decisions, data = [], {"plan": plan, "alpha": alpha, "sub_alpha": sub, "decisions": m,
                           "gaussian_kappa": grid.gaussian_kappa, "kinds": {}}
    tol_m = params["moment_tolerance"]
    for kind in kinds:
        zm = grid.z_moments(kind)
        d_mean = mean_decision(zm["mean"], zm["mean_se"], 0.0, tol_m, sub,
                               what=f"{kind} E[z]")
        d_sq = mean_decision(zm["mean_sq"], zm["mean_sq_se"], 1.0, tol_m, sub,
                             what=f"{kind} E[z^2]")
        fit = fit_fluctuation_slope(grid, kind, level=level, resamples=_RESAMPLES,
                                    seed=context.seed)
        d_slope = interval_decision(fit.adjusted_slope, fit.adjusted_ci, float(exponent),
                                    params["slope_tolerance"], sub,
                                    what=f"{kind} slope of sd/mean vs qn")
        ws = width_sparsity_slope(grid, kind, level=level, resamples=_RESAMPLES,
                                  seed=context.seed)
        exact = _exact_decision(grid, kind)
        decisions += [d_mean, d_sq, d_slope] + ([exact] if exact is not None else [])
        entry = {
            "z": zm, "z_mean_decision": d_mean.verdict.value,
            "z_sq_decision": d_sq.verdict.value,
            "slope": fit.slope, "slope_ci": fit.slope_ci,
            "adjusted_slope": fit.adjusted_slope, "adjusted_ci": fit.adjusted_ci,
            "expected_plain_slope": fit.expected_slope, "slope_decision": d_slope.verdict.value,
            "cells": [{"width": key[0], "keep_prob": str(key[1]), "qn": qn,
                       "relative_fluctuation": r, "kappa": k}
                      for key, qn, r, k in zip(sorted(grid.cells), fit.qn, fit.relative,
                                               fit.kappas)],
            "width_slope": ws.measured, "width_slope_ci": ws.measured_ci,
            "predicted_width_slope": ws.predicted, "predicted_width_slope_ci": ws.predicted_ci,
            "width_slope_difference": ws.difference, "width_slope_difference_ci": ws.difference_ci,
            "elasticities": dict(zip(map(str, ws.keep_probs), ws.elasticities)),
            "kappa": dict(zip(map(str, ws.keep_probs), ws.kappas)),
            "exact_q1": None if exact is None else exact.data,
        }
        if fit.gaussian_z is not None:
            entry["gaussian_max_abs_z"] = max(abs(z) for z in fit.gaussian_z)
            entry["gaussian_width_slope"] = ws.gaussian
        if kind == "forward":
            d_width = interval_decision(ws.difference, ws.difference_ci, 0.0,
                                        params["elasticity_tolerance"], sub,
                                        what="n* slope vs 1/q, measured - predicted")
            decisions.append(d_width)
            entry["width_decision"] = d_width.verdict.value
            forward_fit = fit
        data["kinds"][kind] = entry
    figures = []
    stem = context.figure_path("c4_pseudo_fluctuation")
    if stem is not None:
        paths = plot_fluctuation(grid, stem, fit=forward_fit,
                                 title=f"C4: masked inner products, layer {params['layer']}")
        figures = [str(p.relative_to(context.out)) for p in paths if p.suffix == ".png"]
    data["figures"] = figures
    data["sub_decisions"] = [{"verdict": d.verdict.value, "explanation": d.explanation}
                             for d in decisions]
    data["seconds"] = {"grid": grid.seconds, "total": time.perf_counter() - started}
    verdict = combine(decisions)
    shown = [d for d in decisions if d.verdict is verdict] or decisions
    if verdict is Verdict.VERIFIED:
        explanation = _short(data)
    else:
        explanation = "; ".join(d.explanation for d in shown)
    return CheckOutcome(verdict, "statistical", explanation, data, alpha)


def _short(data: dict) -> str:
    f = data["kinds"]["forward"]
    parts = [f"slope of sd/mean vs qn {f['adjusted_slope']:+.3f} "
             f"[{f['adjusted_ci'][0]:+.3f}, {f['adjusted_ci'][1]:+.3f}] (kappa-adjusted; plain "
             f"{f['slope']:+.3f})",
             f"n* vs 1/q {f['width_slope']:.2f} vs predicted {f['predicted_width_slope']:.2f}"]
    zs = _max_abs_z(data)
    parts.append(f"conditional moments match (max |z| {zs:.1f})")
    return "; ".join(parts)


def _max_abs_z(data: dict) -> float:
    out = 0.0
    for entry in data["kinds"].values():
        z = entry["z"]
        out = max(out, abs(z["mean"]) / z["mean_se"], abs(z["mean_sq"] - 1) / z["mean_sq_se"])
    return out


def _summary(outcomes, params) -> str:
    parts = []
    for o in outcomes:
        if o.kind == "statistical" and "kinds" in o.data:
            f = o.data["kinds"]["forward"]
            lo, hi = f["adjusted_ci"]
            text = (f"slope vs qn {f['adjusted_slope']:.2f} [{lo:.2f},{hi:.2f}]; "
                    f"moments match (max |z| {_max_abs_z(o.data):.1f}); "
                    f"n* vs 1/q {f['width_slope']:.2f}, predicted "
                    f"{f['predicted_width_slope']:.2f}")
            if "backward" in o.data["kinds"]:
                b = o.data["kinds"]["backward"]
                text += f"; backward slope {b['adjusted_slope']:.2f}"
            parts.append(text)
        elif o.kind == "symbolic" and o.verdict is Verdict.VERIFIED:
            parts.append("moments derived and enumerated exactly")
        else:
            parts.append(o.explanation)
    return "; ".join(parts)


# ------------------------------------------------------------------ factory
def pseudo_network_claim(**parameters) -> Claim:
    """Claim C4 with ``parameters`` overriding :data:`DEFAULTS`.

    ``exponent`` is the stated exponent of q n (-1/2 is the derived one);
    ``keep_probs``, ``widths``, ``trials`` = None take the budget's grid
    (widths <= max_width, trials // 2).
    """
    unknown = sorted(set(parameters) - set(DEFAULTS))
    if unknown:
        raise InvalidArgument(unknown[0], parameters[unknown[0]], "claim C4 has no such parameter",
                              f"use one of {sorted(DEFAULTS)}")
    params = {**DEFAULTS, **parameters}
    for name in ("x", "y"):
        params[name] = tuple(params[name]) if not isinstance(params[name], str) else params[name]
    for name in ("keep_probs", "widths"):
        if params[name] is not None:
            params[name] = tuple(params[name])
    try:
        shown_exponent = _exponent(params["exponent"])
    except InvalidArgument:
        shown_exponent = Fraction(-1, 2)      # the hypotheses report the bad value at run time
    n = sp.Symbol("n", positive=True)
    rho = sp.Symbol("rho", positive=True)
    e = sp.Rational(shown_exponent.numerator, shown_exponent.denominator)
    rhs = sp.sqrt(kappa - q) * sp.UnevaluatedExpr(q * n)**e
    statement = sp.Eq(rho, rhs, evaluate=False)
    latex = (r"\frac{\operatorname{sd}(S_i)}{\operatorname{E}[S_i]} = "
             + to_latex(sp.sqrt(kappa - q)) + r" \, (q n)^{" + to_latex(e) + "}"
             + r", \quad S_i = \sum_{j=1}^{n} M_{ij} a_j, \quad a_j = g_j(x)\, g_j(x'), \quad "
               r"\kappa = \frac{\operatorname{E}[a_j^2]}{\operatorname{E}[a_j]^2}")
    return Claim(
        id="C4", title="Mask-induced pseudo-networks: masked inner products concentrate "
                       "like (q n)^(-1/2)",
        statement=statement, statement_latex=latex, hypotheses=_hypotheses(),
        symbolic=_symbolic, numeric=_numeric, parameters=params,
        description=("Working definition (ours, not the paper's): neuron i of a masked layer "
                     "receives its own masked copy M_{i,:} . g of the previous layer; its masked "
                     "inner products S_i = sum_j M_ij g_j(x) g_j(x') and the backward sums "
                     "T_j = sum_i M_ij b_i(x) b_i(x') concentrate around q times the dense ones "
                     "with relative fluctuation sqrt((kappa - q)/(q n))."),
        summarize=_summary)
