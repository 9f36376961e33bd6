r"""Claim G-spectra (Pham et al. 2025, their observation): SNIP and SynFlow concentrate
spectral energy in the top eigenvalues as sparsity grows, random pruning does not.

Measured with :func:`numerics.graphons.spectrum_study`: for each method in
``concentrating`` and the ``reference`` (random), each density and each seed s, the
network of trial s (depth ``depth``, every hidden width n, the digits' 64 inputs,
layers 2..L+1 pruned, the first dense) pruned by the method; the exact empirical NTK
Gram on the first N digits and its eigenvalues (``numpy.linalg.eigvalsh``); the top-5
energy share sum_{k<=5} lambda_k / tr (:func:`numerics.graphons.spectral_metrics`).
:func:`numerics.graphons.spectrum_trends` fits the share against log(1/density) over
all (density, seed) points per method (least squares, its t standard error).

**Decision**, per method m of ``concentrating``, two one-sided tests at
alpha' = alpha / (2 |concentrating|) (Bonferroni, family-wise alpha = 1%):
(1) slope_m > 0 (t-test of the fit, "concentrates as sparsity grows") and
(2) slope_m > slope_random (z on the difference, normal approximation: "while random
pruning does not").  m's part is verified when both reject their null, refuted when
either slope is significantly on the other side (slope_m < 0, or slope_m < slope_random,
at alpha'), inconclusive otherwise; the claim is verified when every part is, refuted
when one part is.

Random pruning's own slope is reported beside: at finite width it is not zero (at
density 0.05 a neuron of width 256 keeps about 13 incoming weights), while its
infinite-width normalised spectrum does not move at all (claim G-constant).

>>> spectra_claim().id
'G-spectra'
"""

from __future__ import annotations

import math

import sympy as sp
from scipy import stats as _st

from numerics.graphons.spectra import spectrum_study, spectrum_trends
from numerics.masks.data import digits
from numerics.masks.methods import METHODS
from numerics.masks.pruning import check_density
from theory._errors import InvalidArgument, check_depth, check_int

from ...claim import Claim, Context
from ...decisions import DEFAULT_ALPHA
from ...verdict import CheckOutcome, Verdict
from ._common import check_param_int, overall

__all__ = ["spectra_claim", "DEFAULTS"]

DEFAULTS = {"concentrating": ("snip", "synflow"), "reference": "random",
            "densities": ("0.5", "0.2", "0.05"), "depth": 2, "width": None, "inputs": 64,
            "seeds": None, "metric": "top5"}


def _validated(p: dict) -> dict:
    methods = tuple(p["concentrating"]) + (p["reference"],)
    for m in methods:
        if m not in METHODS:
            raise InvalidArgument("methods", m, "unknown pruning method",
                                  f"choose among {', '.join(METHODS)}")
    if not p["concentrating"] or p["reference"] in p["concentrating"]:
        raise InvalidArgument("concentrating", p["concentrating"], "need methods other than "
                              "the reference", "e.g. ('snip', 'synflow') with reference random")
    for d in p["densities"]:
        check_density(d, "densities")
    dens = tuple(str(d) for d in p["densities"])       # as given: "0.5" stays a decimal
    if len(set(dens)) < 2:
        raise InvalidArgument("densities", p["densities"], "a trend needs two densities",
                              "give e.g. ('0.5', '0.2', '0.05')")
    return dict(p, densities=dens, depth=check_depth(p["depth"]),
                width=check_param_int(p["width"], "width", 8),
                inputs=check_int(p["inputs"], "inputs", 8),
                seeds=check_param_int(p["seeds"], "seeds", 2))


def _sizes(context: Context, p: dict):
    b = context.budget
    width = p["width"] or b.max_width // 4
    seeds = p["seeds"] or max(5, b.trials // 80)
    return width, seeds


def _part(fit, ref, alpha):
    """Verdict of one method: its slope > 0 and > the reference's, one-sided at alpha."""
    df = fit["points"] - 2
    t = _st.t.isf(alpha, df)
    z = float(_st.norm.isf(alpha))
    up = fit["slope"] / fit["stderr"] if fit["stderr"] > 0 else math.copysign(math.inf,
                                                                               fit["slope"])
    se = math.hypot(fit["stderr"], ref["stderr"])
    diff = (fit["slope"] - ref["slope"]) / se if se > 0 else \
        math.copysign(math.inf, fit["slope"] - ref["slope"])
    if up < -t or diff < -z:
        verdict = Verdict.REFUTED
    elif up > t and diff > z:
        verdict = Verdict.VERIFIED
    else:
        verdict = Verdict.INCONCLUSIVE
    return verdict, float(up), float(diff)


def _numeric(context: Context, params: dict) -> CheckOutcome:
    p = _validated(params)
    width, seeds = _sizes(context, p)
    X = digits().inputs[:p["inputs"]]
    methods = tuple(p["concentrating"]) + (p["reference"],)
    study = spectrum_study(methods, p["densities"], X, width=width, depth=p["depth"],
                           seeds=seeds, kernels=("entk",), seed=context.seed,
                           store=context.store)
    trends = spectrum_trends(study, p["metric"], "entk", reference=p["reference"])
    fits = trends["methods"]
    alpha = DEFAULT_ALPHA / (2 * len(p["concentrating"]))
    ref = fits[p["reference"]]
    rows, verdicts = {}, []
    for m in methods:
        means = [study.summary(m, d, "entk")[p["metric"]][0] for d in p["densities"]]
        rows[m] = {"slope": fits[m]["slope"], "stderr": fits[m]["stderr"], "means": means}
        if m == p["reference"]:
            continue
        verdict, t_up, z_diff = _part(fits[m], ref, alpha)
        verdicts.append(verdict)
        rows[m].update(verdict=verdict.value, t=t_up, z_vs_reference=z_diff)
    dense = study.summary("dense", "1", "entk")[p["metric"]][0]
    text = (f"{p['metric']} share vs $\\log(1/d)$, $d$ = {', '.join(p['densities'])} "
            f"(width {width}, depth {p['depth']}, {p['inputs']} digits, {seeds} seeds): "
            + "; ".join(f"{m}: slope {r['slope']:+.4f} $\\pm$ {r['stderr']:.4f}"
                        + (f" ($z$ vs {p['reference']} {r['z_vs_reference']:+.2f}, "
                           f"{r['verdict']})" if "verdict" in r else " (reference)")
                        for m, r in rows.items())
            + f"; dense {dense:.4f}")
    data = {"rows": rows, "dense": dense, "densities": list(p["densities"]), "width": width,
            "seeds": seeds, "inputs": p["inputs"], "metric": p["metric"],
            "alpha_per_test": alpha, "fit_range": list(study.fit_range),
            "parameters_used": {"width": width, "seeds": seeds}}
    return CheckOutcome(overall(verdicts), "statistical", text, data, DEFAULT_ALPHA)


def _summary(outcomes, params) -> str:
    for o in outcomes:
        if "rows" in o.data:
            return "; ".join(f"{m} slope {r['slope']:+.3f}" + (f" ({r['verdict']})" if
                                                                "verdict" in r else " (ref)")
                             for m, r in o.data["rows"].items()) + \
                f" per e-fold of sparsity, width {o.data['width']}"
    return "; ".join(o.explanation for o in outcomes)


def _numbers(outcomes, params) -> list:
    out = []
    for o in outcomes:
        d = o.data
        if "rows" not in d:
            continue
        out.append(("width, depth, digits inputs, seeds",
                    f"{d['width']}, {params['depth']}, {d['inputs']}, {d['seeds']}"))
        out.append(("top-5 energy share of the dense network's eNTK", round(d["dense"], 4)))
        for m, r in d["rows"].items():
            out.append((f"{m}: top-5 energy share at densities {', '.join(d['densities'])}",
                        ", ".join(f"{v:.4f}" for v in r["means"])))
            label = (f"{m}: slope against $\\log(1/d)$ $\\pm$ standard error" +
                     (f", $z$ against {params['reference']}, part {r['verdict']}"
                      if "verdict" in r else " (reference)"))
            value = f"{r['slope']:+.4f} $\\pm$ {r['stderr']:.4f}" + \
                (f", {r['z_vs_reference']:+.2f}" if "verdict" in r else "")
            out.append((label, value))
    return out


def spectra_claim(**overrides) -> Claim:
    """Claim G-spectra with :data:`DEFAULTS` changed by ``overrides``."""
    unknown = set(overrides) - set(DEFAULTS)
    if unknown:
        name = sorted(unknown)[0]
        raise InvalidArgument(name, overrides[name], "claim G-spectra has no such parameter",
                              f"use one of {sorted(DEFAULTS)}")
    params = {**DEFAULTS, **overrides}
    s = sp.Symbol("s", positive=True)          # s = log(1/d), the sparsity in e-folds
    E = sp.Function("E_5")
    return Claim(
        id="G-spectra",
        title="SNIP and SynFlow concentrate spectral energy as sparsity grows, random "
              "pruning does not",
        statement=sp.Gt(sp.Derivative(E(s), s), 0),
        statement_latex=(r"s_{\mathrm{SNIP}},\, s_{\mathrm{SynFlow}} > \max(0, s_{\mathrm{random}}),"
                         r"\quad s_m = \frac{\partial E_5}{\partial \log(1/d)},\quad "
                         r"E_5 = \frac{\sum_{k \le 5}\lambda_k}{\operatorname{tr}\Theta}"),
        numeric=_numeric, parameters=params,
        description=("Pham et al. (2025) report that SNIP and SynFlow concentrate the NTK's "
                     "spectral energy in its top eigenvalues as sparsity grows, while random "
                     "pruning leaves it roughly constant.  Measured on the exact eNTK Gram of "
                     "pruned networks on digits: the slope of the top-5 energy share $E_5$ "
                     "against $\\log(1/d)$ over densities and seeds, for each method and "
                     "against random pruning's slope."),
        summarize=_summary, key_numbers=_numbers)
