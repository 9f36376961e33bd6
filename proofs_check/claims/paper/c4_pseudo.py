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

Modelling caveat (backward sums).  The forward statements are exact: the a_j are
functions of layers < h, independent of the mask M = M^(h).  The backward ones
assume that, conditionally on beta, the entries M_ij are iid Bernoulli(q), and
that is only approximately true: beta_i = b_i(x) b_i(x') contains
sigma'(f^(h)_i), and f^(h)_i, proportional to sum_j W_ij M_ij g_j, depends on row i of
the same mask (for h < L the later layers' forward pass adds a similar weak
dependence).  Each M_ij moves f^(h)_i by one term out of n = n_{h-1}, so
P(M_ij = 1 | beta) = q + O(1/n); an empty mask row (probability (1 - q)^n)
forces f^(h)_i = 0 and beta_i = 0 for ReLU.  Measured (layer 2 of depth 2), the
mean of the standardised T_j is off by 0.16 at q = 1/4, n = 8, by 0.04 at
n = 16 and by less than 2 standard errors (0.002) at n = 32, 64; at q = 1/16 it
is 0.03 (E[z^2]: 0.10) at n = 64 and within 2 standard errors from n = 128 on;
the forward sums show no offset.  The numeric check copes in two ways: the
standard error of each z-moment is the larger of the plain one and the
trial-clustered one (trials are independent networks, so the clustered error
stays valid however the sums within a trial depend on each other and on the
mask), and the budgets' grids start at n = 64 and pool the cells with weight
proportional to n, so the offsets of the smallest cells enter the pooled
moments at about 2e-4 (thorough budget, q down to 1/16), below their standard
error (about 4e-4).  The offset is a bias, not noise: the standard error does
not absorb it, and with many more trials at small widths the backward
z-moments would be refuted, as the caveat predicts.

Hypotheses (mathematical preconditions; outside them the claim is
``not_applicable``): every keep probability lies in (0, 1]; the measured layer is
a masked layer fed by a hidden layer, with a hidden fan-out (2 <= layer <= depth);
E[a_j] != 0 (inputs not antiparallel for ReLU, not orthogonal for erf).  Invalid
settings - a non-integer depth or layer, inputs that are not non-zero vectors of
one dimension, an unknown activation, a non-numeric exponent, fewer than two
distinct keep probabilities, widths < 2, trials < 2, tolerances outside (0, 1),
non-boolean switches - raise :class:`theory._errors.InvalidArgument` (one line
naming the argument, its value and the fix), both when the claim is built and
at the start of every hypothesis and check (after
:meth:`~proofs_check.claim.Claim.with_parameters`, which does not validate).

* **symbolic** (exact, error rate 0): :func:`theory.pseudo.derivation.derive_pseudo_network`
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
  sub-decisions), so the check's false-alarm rate is at most 1% (for the backward
  z-moments, up to the O(1/n) bias of the caveat above).

The key evidence (:func:`_summary`) is one line of at most 160 characters; every
number behind it is in the checks' data.
"""

from __future__ import annotations

import random
import time
from fractions import Fraction
from numbers import Real

import numpy as np
import sympy as sp

from numerics.pseudo.fits import fit_fluctuation_slope, width_sparsity_slope
from numerics.pseudo.grid import fluctuation_grid, gaussian_kappa
from numerics.pseudo.networks import input_pair
from numerics.figures import setting
from numerics.pseudo.plots import plot_fluctuation
from theory._errors import InvalidArgument, check_int, check_keep_prob
from theory.config import ACTIVATIONS
from theory.plaintext import plain_text
from theory.pseudo.derivation import derive_pseudo_network, kappa, q
from theory.pseudo.moments import (
    iid_masked_sum_moments_exact,
    masked_sum_moments_exact,
    relu_product_moments,
)
from theory.texprint import to_latex

from ...claim import Claim, Context, Hypothesis
from ...decisions import DEFAULT_ALPHA, bonferroni, interval_decision, mean_decision
from ...verdict import CheckOutcome, Verdict, combine
from ._compare import num

__all__ = ["pseudo_network_claim", "DEFAULTS"]

DEFAULTS = {
    "depth": 2, "layer": 2, "x": (1.0, 0.0, 0.0), "y": (0.6, 0.8, 0.0),
    "activation": "relu", "rescale": False, "exponent": "-1/2",
    "keep_probs": None, "widths": None, "trials": None, "backward": True,
    "moment_tolerance": 0.05, "slope_tolerance": 0.1, "elasticity_tolerance": 0.2,
}
_ENUM_MAX_TERMS = 6
_ROUNDING = 4 * 2.0**-52      # per term: |sum of n terms - exact| <= n * this * sum|a|
LE = r"\le"
_RESAMPLES = 1000


# ------------------------------------------------------------------ parameters
def _fraction(value) -> Fraction | None:
    """``value`` as an exact finite number (strings exactly), or None when it is not one."""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return None
    try:
        return value if isinstance(value, Fraction) else Fraction(str(value).strip())
    except (TypeError, ValueError, ZeroDivisionError):
        return None


def _exponent(value) -> Fraction:
    out = _fraction(value)
    if out is None:
        raise InvalidArgument("exponent", value, "not a finite number",
                              "give the claimed exponent of q n, e.g. -1/2")
    return out


def _sequence(value, name: str, example: str) -> tuple:
    """A list, tuple, range or 1-D array as a tuple, else :class:`InvalidArgument`."""
    if isinstance(value, np.ndarray) and value.ndim == 1:
        return tuple(value.tolist())
    if not isinstance(value, (list, tuple, range)) or len(value) == 0:
        raise InvalidArgument(name, value, "not a non-empty sequence",
                              f"pass e.g. {name}={example}, or None for the budget's grid")
    return tuple(value)


def _validate(p: dict) -> None:
    """Raise :class:`InvalidArgument` (one line: argument, value, fix) for an invalid setting.

    Invalid settings are errors, not a claim applied outside its hypotheses: the
    hypotheses (:func:`_hypotheses`) are only the mathematical preconditions.  Runs
    when the claim is built and again at the start of every hypothesis and check,
    since :meth:`~proofs_check.claim.Claim.with_parameters` replaces parameters
    without validation.
    """
    for name in ("depth", "layer"):
        check_int(p[name], name, 1)
    input_pair(p["x"], p["y"])                 # finite, non-zero vectors of one dimension
    if not isinstance(p["activation"], str) or p["activation"] not in ACTIVATIONS:
        raise InvalidArgument("activation", p["activation"], "unknown activation",
                              f"choose one of {', '.join(ACTIVATIONS)}")
    for name in ("rescale", "backward"):
        if not (isinstance(p[name], bool) or type(p[name]).__name__ == "bool_"):
            raise InvalidArgument(name, p[name], "not True or False", f"pass {name}=True or False")
    _exponent(p["exponent"])
    if p["keep_probs"] is not None:
        values = _sequence(p["keep_probs"], "keep_probs", "('1', '0.5', '0.25')")
        parsed = {_fraction(v) for v in values}
        if None in parsed:
            bad = next(v for v in values if _fraction(v) is None)
            raise InvalidArgument("keep_probs", bad, "not a finite number",
                                  "give keep probabilities as numbers, e.g. '0.5' or 1/4")
        if len(parsed) < 2:
            raise InvalidArgument("keep_probs", values, "a slope needs two or more distinct "
                                  "keep probabilities", "pass e.g. ('1', '0.5', '0.25')")
    if p["widths"] is not None:
        for n in _sequence(p["widths"], "widths", "(64, 128, 256)"):
            check_int(n, "widths", 2)
    if p["trials"] is not None:
        check_int(p["trials"], "trials", 2)
    for name in ("moment_tolerance", "slope_tolerance", "elasticity_tolerance"):
        t = p[name]
        if isinstance(t, bool) or not isinstance(t, Real) or not 0 < t < 1:
            raise InvalidArgument(name, t, "a tolerance must lie strictly between 0 and 1",
                                  f"pass e.g. {name}={DEFAULTS[name]}")


def _cosine(p) -> float:
    x, y = input_pair(p["x"], p["y"])
    return float(np.clip(x @ y / (np.linalg.norm(x) * np.linalg.norm(y)), -1, 1))


def _hypotheses() -> tuple[Hypothesis, ...]:
    """The mathematical preconditions of the statement (settings are validated instead)."""
    def keep_probs_ok(p):
        _validate(p)
        for v in p["keep_probs"] or ():
            try:
                check_keep_prob(v, "keep_probs")
            except InvalidArgument:
                return f"keep probability {v} is outside (0, 1]"
        return None

    def layer_ok(p):
        _validate(p)
        depth, layer = p["depth"], p["layer"]
        if not 2 <= layer <= depth:
            return (f"layer {layer} of a depth-{depth} network; masked layers fed by and "
                    f"feeding hidden layers: 2..{depth}")
        return None

    def mean_ok(p):
        _validate(p)
        c = _cosine(p)
        if p["activation"] == "relu" and c <= -1 + 1e-12:
            return "x and y are antiparallel: E[a_j] = 0 for ReLU"
        if p["activation"] == "erf" and abs(c) < 1e-6:
            return "x and y are orthogonal: E[a_j] = 0 for erf"
        return None

    return (Hypothesis("$0 < q \\le 1$", keep_probs_ok),
            Hypothesis("$2 \\le \\text{layer} \\le L$", layer_ok),
            Hypothesis("$\\operatorname{E}[a_j] \\ne 0$", mean_ok))


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
    _validate(params)
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
                            f"derived exponent of $q n$ is ${derived}$, the statement claims "
                            f"${claimed}$", data)
    if failures:
        return CheckOutcome(Verdict.REFUTED, "symbolic", "; ".join(failures[:3]), data)
    cases = sum(e["cases"] for e in data["enumeration"].values())
    return CheckOutcome(Verdict.VERIFIED, "symbolic",
                        f"moments derived from $\\mathrm{{Bernoulli}}(q)$ (forward and backward) "
                        f"match enumeration over all masks in {cases} exact cases; sd/mean $= "
                        f"{to_latex(fwd.relative_fluctuation)}$; $d \\log n^* / d \\log(1/q) = "
                        f"{to_latex(fwd.elasticity)} \\to {fwd.elasticity_limit}$", data)


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
                        f"{kind}, $q = 1$: $\\max |S - \\sum w| / \\sum |w| = {num(err)}$ "
                        f"(${LE if ok else '>'}$ rounding bound ${num(bound)}$)",
                        {"max_relative_error": err, "bound": bound})


def _numeric(context: Context, params: dict) -> CheckOutcome:
    _validate(params)
    started = time.perf_counter()
    plan = _plan(context.budget, params)
    exponent = _exponent(params["exponent"])
    if len(plan["widths"]) < 1 or len({check_keep_prob(v) for v in plan["keep_probs"]}) < 2:
        why = (f"no width <= max_width {context.budget.max_width}" if not plan["widths"]
               else "fewer than two keep probabilities")
        return CheckOutcome(Verdict.INCONCLUSIVE, "statistical", f"empty grid: {why}",
                            {"plan": plan})
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
                               what=f"{kind} $\\operatorname{{E}}[z]$")
        d_sq = mean_decision(zm["mean_sq"], zm["mean_sq_se"], 1.0, tol_m, sub,
                             what=f"{kind} $\\operatorname{{E}}[z^2]$")
        fit = fit_fluctuation_slope(grid, kind, level=level, resamples=_RESAMPLES,
                                    seed=context.seed)
        d_slope = interval_decision(fit.adjusted_slope, fit.adjusted_ci, float(exponent),
                                    params["slope_tolerance"], sub,
                                    what=f"{kind} slope of sd/mean vs $q n$")
        ws = width_sparsity_slope(grid, kind, level=level, resamples=_RESAMPLES,
                                  seed=context.seed)
        exact = _exact_decision(grid, kind)
        decisions += [d_mean, d_sq, d_slope] + ([exact] if exact is not None else [])
        entry = {
            "z": zm, "z_mean_decision": d_mean.verdict.value,
            "z_sq_decision": d_sq.verdict.value,
            "slope": fit.slope, "slope_ci": fit.slope_ci,
            "adjusted_slope": fit.adjusted_slope, "adjusted_ci": fit.adjusted_ci,
            "adjusted_se": fit.adjusted_se, "slope_level": level,
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
                                        what="$n^*$ slope vs $1/q$, measured minus predicted")
            decisions.append(d_width)
            entry["width_decision"] = d_width.verdict.value
            forward_fit = fit
        data["kinds"][kind] = entry
    figures = []
    stem = context.figure_path("c4_pseudo_fluctuation")
    if stem is not None:
        paths = plot_fluctuation(grid, stem, fit=forward_fit,
                                 title="C4: masked inner products $S_i$\n" + setting(
                                     depth=params["depth"],
                                     eps=r"no $\varepsilon$ (the $n^*$ slope is the same for "
                                         r"every $\varepsilon$)",
                                     rescale=params["rescale"],
                                     extra=f"layer {params['layer']}"))
        figures = [str(p.relative_to(context.out)) for p in paths if p.suffix == ".png"]
    data["figures"] = figures
    data["parameters_used"] = {"keep_probs": list(plan["keep_probs"]),
                               "widths": list(plan["widths"]), "trials": plan["trials"]}
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
    """The numeric evidence in one short line (the numbers behind it are in ``data``)."""
    f = data["kinds"]["forward"]
    lo, hi = f["adjusted_ci"]
    text = f"slope vs $q n$ ${f['adjusted_slope']:.2f}$ $[{lo:.2f}, {hi:.2f}]$"
    if "backward" in data["kinds"]:
        text += f" (bwd ${data['kinds']['backward']['adjusted_slope']:.2f}$)"
    return (text + f"; $n^*$ vs $1/q$ ${f['width_slope']:.2f}$ "
            f"(pred ${f['predicted_width_slope']:.2f}$); max $|z| = {_max_abs_z(data):.1f}$")


def _max_abs_z(data: dict) -> float:
    out = 0.0
    for entry in data["kinds"].values():
        z = entry["z"]
        out = max(out, abs(z["mean"]) / z["mean_se"], abs(z["mean_sq"] - 1) / z["mean_sq_se"])
    return out


_SUMMARY_CHARS = 160


def _clip(text: str, limit: int) -> str:
    """``text`` if it reads within ``limit`` characters on a terminal, else its plain form
    cut there (cutting the marked text could split its math)."""
    plain = plain_text(text)
    return text if len(plain) <= limit else plain[:limit - 3].rstrip() + "..."


def _summary(outcomes, params) -> str:
    """The table's key evidence: one line of at most 160 characters (details in the data)."""
    parts = []
    for o in outcomes:
        if o.kind == "statistical" and "kinds" in o.data:
            text = _short(o.data)
            parts.append(text if o.verdict is Verdict.VERIFIED else f"{o.verdict.value}: {text}")
        elif o.kind == "symbolic" and o.verdict is Verdict.VERIFIED:
            parts.append("exact moments")
        elif o.kind == "symbolic" and "derived_exponent" in o.data and \
                o.data["derived_exponent"] != o.data["claimed_exponent"]:
            parts.append(f"derived exponent ${o.data['derived_exponent']}$, "
                         f"not ${o.data['claimed_exponent']}$")
        elif o.kind == "hypotheses":
            parts.append(f"not applicable: {o.explanation}")
        else:
            parts.append(_clip(f"{o.kind} {o.verdict.value}: {o.explanation}", 90))
    return _clip("; ".join(parts), _SUMMARY_CHARS)


def _numbers(outcomes, params) -> list:
    out = []
    for o in outcomes:
        d = o.data
        if o.kind == "symbolic" and "enumeration" in d:
            cases = sum(e["cases"] for e in d["enumeration"].values())
            out += [("exact enumeration cases (all masks)", cases),
                    ("derived exponent of $q n$", d.get("derived_exponent"))]
            if "gaussian_kappa" in d:
                out.append(("$\\kappa$ of the Gaussian limit at this layer", d["gaussian_kappa"]))
        elif o.kind == "statistical" and "kinds" in d:
            plan = d["plan"]
            out += [("widths", plan["widths"]), ("keep probabilities", plan["keep_probs"]),
                    ("networks per cell", plan["trials"]),
                    ("level of each of the sub-decisions", f"{d['sub_alpha']:.3g} "
                                                           f"({d['decisions']} decisions)")]
            for kind, e in d["kinds"].items():
                z = e["z"]
                out += [(f"{kind}: $\\operatorname{{E}}[z]$ (standard error)",
                         f"{z['mean']:.3g} ({z['mean_se']:.2g})"),
                        (f"{kind}: $\\operatorname{{E}}[z^2]$ (standard error)",
                         f"{z['mean_sq']:.4g} ({z['mean_sq_se']:.2g})"),
                        (f"{kind}: $\\kappa$-adjusted slope of sd/mean against $q n$",
                         e["adjusted_slope"]),
                        (f"{kind}: its {100 * e['slope_level']:.4g}% interval", e["adjusted_ci"]),
                        (f"{kind}: slope of $n^*$ against $1/q$, measured", e["width_slope"]),
                        (f"{kind}: the same, predicted by $\\kappa/(\\kappa - q)$",
                         e["predicted_width_slope"])]
    return out


# ------------------------------------------------------------------ factory
def pseudo_network_claim(**parameters) -> Claim:
    """Claim C4 with ``parameters`` overriding :data:`DEFAULTS`.

    ``exponent`` is the stated exponent of q n (-1/2 is the derived one);
    ``keep_probs``, ``widths``, ``trials`` = None take the budget's grid
    (widths <= max_width, trials // 2).  An invalid setting raises
    :class:`InvalidArgument`:

    >>> pseudo_network_claim(trials=1)
    Traceback (most recent call last):
    ...
    theory._errors.InvalidArgument: trials=1 is invalid: must be >= 2; fix: pass an integer >= 2
    """
    unknown = sorted(set(parameters) - set(DEFAULTS))
    if unknown:
        raise InvalidArgument(unknown[0], parameters[unknown[0]], "claim C4 has no such parameter",
                              f"use one of {sorted(DEFAULTS)}")
    params = {**DEFAULTS, **parameters}
    _validate(params)
    for name in ("x", "y"):
        params[name] = tuple(float(v) for v in np.asarray(params[name], dtype=float))
    for name in ("keep_probs", "widths"):
        if params[name] is not None:
            params[name] = _sequence(params[name], name, "")
    shown_exponent = _exponent(params["exponent"])
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
                       f"like $(q n)^{{{e}}}$",
        statement=statement, statement_latex=latex, hypotheses=_hypotheses(),
        symbolic=_symbolic, numeric=_numeric, parameters=params,
        description=("Working definition (ours, not the paper's): neuron $i$ of a masked "
                     "layer receives its own masked copy $M_{i,:} \\odot g$ of the previous "
                     "layer; its masked inner products $S_i = \\sum_j M_{ij} g_j(x) g_j(x')$ "
                     "and the backward sums $T_j = \\sum_i M_{ij} b_i(x) b_i(x')$ concentrate "
                     "around $q$ times the dense ones with relative fluctuation "
                     "$\\sqrt{(\\kappa - q)/(q n)}$."),
        summarize=_summary, key_numbers=_numbers)
