r"""Claim V-masks: how each masked layer's keep probability enters the leading-order variance.

With rescaled pruning, V = lim n Var Theta_n does not depend on the keep probability of
any hidden layer (it enters at order 1/(q n^2) only), and depends on the readout's as
V = V_1 + (1/q_{L+1} - 1) R with R >= 0; plain ReLU pruning gives exactly
(prod_h q_h)^2 times the rescaled V.  Hidden layers and the readout enter differently.

* Symbolic (exact, SymPy): identity V3 of :mod:`theory.variance.identities` at depths
  1..``max_depth`` (the derivatives of the symbolic V in every hidden q vanish, its second
  derivative in 1/q_{L+1} vanishes, plain minus (prod q)^2 rescaled is 0 to 25 digits,
  and R >= 0 at a point).
* Numeric (Monte Carlo): two depth-``depth`` rescaled networks at q = ``keep_prob`` -
  only a hidden layer masked (predicted V = the dense V) and only the readout masked
  (predicted V_1 + (1/q - 1) R) - on the pair (e_1, (0.6, 0.8, 0)): the intercept of the
  weighted fit n s^2 = V + b/n over ``widths`` against the prediction, z-tests under one
  union bound at 1%.  The readout network's distance from the dense V, in standard errors,
  is reported as the test's power against "every layer enters alike".

>>> masks_claim().id
'V-masks'
"""

from __future__ import annotations

import sympy as sp

from numerics.variance.checks import check_variance
from theory._errors import InvalidArgument, check_depth, check_int, check_keep_prob
from theory.config import Architecture
from theory.variance.deep import variance_terms
from theory.variance.identities import prove_keep_prob_structure

from ...claim import Claim, Context
from ...verdict import CheckOutcome, Verdict
from ._common import ALPHA, INPUTS, mc_trials, proofs_outcome, two_sided_threshold

__all__ = ["masks_claim"]

_TRIALS = 5       # networks per configuration and width: this times the budget's trials


def _symbolic(context: Context, params: dict) -> CheckOutcome:
    return proofs_outcome([(f"V3, $L = {d}$", prove_keep_prob_structure(d))
                           for d in range(1, params["max_depth"] + 1)])


def _numeric(context: Context, params: dict) -> CheckOutcome:
    L, q, widths = params["depth"], params["keep_prob"], tuple(params["widths"])
    trials = mc_trials(context, _TRIALS)
    X = INPUTS[:2]
    dense_V = float(variance_terms(Architecture.pruned(L), X[:1], X[1:]).n_var[0])
    rows = {}
    for name, layers in (("hidden", [2]), ("readout", [L + 1])):
        arch = Architecture.pruned(L, q, rescale=True, masked_layers=layers)
        e = check_variance(arch, widths, X, [(0, 1)], trials, seed=context.seed,
                           store=context.store).entries[0]
        fit, se = e.fit_V
        rows[name] = {"masked_layers": layers, "predicted": e.n_var_pred, "fitted": fit,
                      "se": se, "z": e.z["fit_V"], "z_vs_dense": (fit - dense_V) / se}
    z_star = two_sided_threshold(len(rows))
    ok = all(abs(r["z"]) <= z_star for r in rows.values())
    h, r = rows["hidden"], rows["readout"]
    text = (f"depth {L}, $q = {q}$, rescaled, {trials} networks per width: hidden layer "
            f"masked: $V = {h['fitted']:.4g} \\pm {h['se']:.2g}$ against {h['predicted']:.4g} "
            f"(the dense V; $z = {h['z']:+.2f}$); readout masked: $V = {r['fitted']:.4g} "
            f"\\pm {r['se']:.2g}$ against {r['predicted']:.4g} ($z = {r['z']:+.2f}$, "
            f"{r['z_vs_dense']:+.1f} standard errors from the dense V); "
            f"$|z| \\le {z_star:.2f}$ (1% over both)")
    return CheckOutcome(Verdict.VERIFIED if ok else Verdict.REFUTED, "statistical", text,
                        {"rows": rows, "dense_V": dense_V, "z_threshold": z_star,
                         "trials": trials, "widths": list(widths)}, ALPHA)


def _summary(outcomes, params) -> str:
    parts = []
    for o in outcomes:
        if o.kind == "symbolic":
            parts.append(f"V3 at $L = 1..{params['max_depth']}$ "
                         + ("proved" if o.verdict is Verdict.VERIFIED else "FAILS"))
        elif o.kind == "statistical" and "rows" in o.data:
            r = o.data["rows"]
            parts.append(f"hidden mask $z = {r['hidden']['z']:+.2f}$, readout mask "
                         f"$z = {r['readout']['z']:+.2f}$ (moves V by "
                         f"{r['readout']['z_vs_dense']:+.1f} standard errors)")
    return "; ".join(parts)


def _numbers(outcomes, params) -> list:
    out = []
    for o in outcomes:
        d = o.data
        if o.kind == "symbolic":
            out += [(f"{k}: holds", v["holds"]) for k, v in d.items()]
        elif o.kind == "statistical" and "rows" in d:
            out.append(("dense $V$", round(d["dense_V"], 5)))
            for name, r in d["rows"].items():
                out.append((f"{name} layer masked: predicted $V$, fitted $V$, standard error",
                            f"{r['predicted']:.5g}, {r['fitted']:.5g}, {r['se']:.3g}"))
            out.append(("networks per width", d["trials"]))
    return out


def masks_claim(*, depth: int = 2, keep_prob: str = "1/4", widths=(64, 128, 256),
                max_depth: int = 3) -> Claim:
    """Claim V-masks: hidden keep probabilities do not enter the rescaled V, the readout's
    enters affinely in 1/q; numeric check at ``depth`` and ``keep_prob`` over ``widths``,
    symbolic identity V3 at depths 1..``max_depth``."""
    depth = check_depth(depth)
    if depth < 2:
        raise InvalidArgument("depth", depth, "needs a hidden layer to mask (depth >= 2)",
                              "pass depth=2")
    q = str(check_keep_prob(keep_prob))
    if q == "1":
        raise InvalidArgument("keep_prob", keep_prob, "nothing is masked at keep_prob 1",
                              "pass e.g. keep_prob='1/4'")
    widths = tuple(check_int(n, "widths", 2) for n in widths)
    if len(widths) < 2:
        raise InvalidArgument("widths", list(widths), "the fit in 1/n needs two widths",
                              "pass e.g. widths=(64, 128, 256)")
    max_depth = check_int(max_depth, "max_depth", 1)
    V, V1, R, qo = sp.symbols("V V_1 R q_{L+1}", positive=True)
    return Claim(
        id="V-masks", title="Finite width: how each layer's keep probability enters the variance",
        statement=sp.Eq(V, V1 + (1 / qo - 1) * R),
        statement_latex=(r"V = V_1 + \bigl(q_{L+1}^{-1} - 1\bigr) R,\quad "
                         r"\frac{\partial V}{\partial q_h} = 0 \ (h \le L,\ \text{rescaled}),"
                         r"\quad V_{\mathrm{plain}} = \Bigl(\prod_h q_h\Bigr)^2 "
                         r"V_{\mathrm{rescaled}}"),
        symbolic=_symbolic, numeric=_numeric,
        parameters={"depth": depth, "keep_prob": q, "widths": widths, "max_depth": max_depth},
        description=("ReLU, dense first layer; $V = \\lim_n n\\,\\mathrm{Var}\\,\\Theta_n$ "
                     "(as pntk variance computes it).  A rescaled hidden mask leaves $V$ unchanged; the "
                     "readout mask adds $(1/q - 1) R$."),
        summarize=_summary, key_numbers=_numbers)
