r"""Claim G-ntk (Pham et al. 2025, derived in our conventions): the empirical NTK of finite
networks whose masks are sampled from a step graphon converges to the Graphon NTK.

For a non-constant step graphon (default: two blocks per hidden layer whose rows keep
different fractions, depth 2, dense first layer, ReLU, plain pruning), each trial
draws masks M_ij ~ Bernoulli(W_h(u_i, u_j)) with fresh N(0, 1) weights
(:func:`numerics.graphons.graphon_trials`) and records the exact eNTK entries of the
pair x = e_1, y = (0.6, 0.8, 0); :func:`numerics.graphons.analyse_convergence` gives

* the slope of log E|Theta_n(x, y) - Theta_G(x, y)| against log n with a percentile
  bootstrap interval at level 1 - alpha/2 (central-limit fluctuations: -1/2), decided by
  :func:`~proofs_check.decisions.interval_decision` against -1/2 +- 1/4 (a limit other
  than Theta_G makes the deviation level off: slope -> 0, outside the band);
* a z-test of the mean that allows the O(1/n) bias (per-width means fitted as
  Theta' + c/n, the intercept against Theta_G; Bonferroni over the three entries at
  alpha/2): refuted when inconsistent.

Family-wise false-alarm rate alpha = 1% (the bootstrap interval's coverage is
asymptotic).  ``limit="constant"`` states the wrong limit: the NTK of the constant
graphon of the same layer densities (C1's kernel), which the data refute.

>>> ntk_convergence_claim().id
'G-ntk'
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from numerics.graphons.convergence import analyse_convergence, graphon_trials
from theory._errors import InvalidArgument, check_depth
from theory.graphon.spec import GraphonNetwork

from ...claim import Claim, Context
from ...decisions import DEFAULT_ALPHA, interval_decision
from ...verdict import CheckOutcome, Verdict
from ._common import check_choice, check_param_int, overall

__all__ = ["ntk_convergence_claim", "DEFAULTS", "LIMITS"]

LIMITS = ("graphon", "constant")
DEFAULTS = {
    "hidden": ((0.9, 0.7), (0.2, 0.1)), "output": (1.0, 0.2), "depth": 2,
    "activation": "relu", "limit": "graphon", "widths": None, "trials": None,
    "x": (1.0, 0.0, 0.0), "y": (0.6, 0.8, 0.0),
}
TARGET, TOLERANCE = -0.5, 0.25


def _network(p: dict) -> GraphonNetwork:
    L = check_depth(p["depth"])
    hidden = np.asarray(p["hidden"], dtype=np.float64)
    layers = {h: hidden for h in range(2, L + 1)}
    layers[L + 1] = np.asarray([p["output"]], dtype=np.float64)
    return GraphonNetwork.from_layers(layers, L, activation=p["activation"])


def _constant_of(net: GraphonNetwork) -> GraphonNetwork:
    """The constant graphon with the same layer densities (C1's kernel)."""
    return GraphonNetwork.constant(net.depth, [1] + list(net.densities()[1:]),
                                   blocks=net.blocks[1], activation=net.activation)


def _sizes(context: Context, p: dict):
    b = context.budget
    widths = p["widths"] or tuple(n for n in b.widths if n <= b.max_width // 2)
    trials = p["trials"] or max(20, b.trials // 2)
    return tuple(widths), trials


def _numeric(context: Context, params: dict) -> CheckOutcome:
    p = dict(params, limit=check_choice(params["limit"], "limit", LIMITS),
             trials=check_param_int(params["trials"], "trials", 3))
    net = _network(p)
    limit_net = net if p["limit"] == "graphon" else _constant_of(net)
    widths, trials = _sizes(context, p)
    runs = graphon_trials(net, p["x"], p["y"], widths, trials, seed=context.seed,
                          store=context.store, limit_net=limit_net)
    half = DEFAULT_ALPHA / 2
    conv = analyse_convergence(runs, level=1 - half, alpha=half, seed=context.seed)
    slope = interval_decision(conv.slope, conv.slope_ci, TARGET, TOLERANCE, half,
                              what="slope of $\\log E|\\Theta_n - \\Theta_G|$")
    mean_ok = Verdict.VERIFIED if conv.mean_consistent else Verdict.REFUTED
    verdict = overall([slope.verdict, mean_ok])
    z = [float(v) for v in conv.intercept_z]
    text = (f"{slope.explanation}; intercept of the mean against $\\Theta_G$: "
            + ", ".join(f"$z = {v:+.2f}$" for v in z)
            + f" ({'consistent' if conv.mean_consistent else 'inconsistent'} at "
            f"family-wise {half:g}); $\\Theta_G(x, y) = {conv.limit[0]:.6f}$, mean at "
            f"$n = {widths[-1]}$: {conv.means[-1, 0]:.6f} $\\pm$ {conv.stderrs[-1, 0]:.2g}")
    data = {"limit": p["limit"], "graphon_ntk": [float(v) for v in conv.limit],
            "widths": list(widths), "trials": trials, "slope": conv.slope,
            "slope_ci": list(conv.slope_ci), "intercept_z": z,
            "means_xy": conv.means[:, 0].tolist(), "stderrs_xy": conv.stderrs[:, 0].tolist(),
            "mean_abs_dev": conv.mean_abs_dev.tolist(), "mean_consistent": conv.mean_consistent,
            "network": net.describe(),
            "parameters_used": {"widths": list(widths), "trials": trials}}
    return CheckOutcome(verdict, "statistical", text, data, DEFAULT_ALPHA)


def _summary(outcomes, params) -> str:
    for o in outcomes:
        if "slope" in o.data:
            d = o.data
            lo, hi = d["slope_ci"]
            return (f"slope {d['slope']:.2f} [{lo:.2f}, {hi:.2f}] (central limit: $-1/2$); "
                    f"mean vs the {d['limit']} limit: max $|z|$ "
                    f"{max(abs(z) for z in d['intercept_z']):.2f}")
    return "; ".join(o.explanation for o in outcomes)


def _numbers(outcomes, params) -> list:
    out = []
    for o in outcomes:
        d = o.data
        if "slope" not in d:
            continue
        lo, hi = d["slope_ci"]
        out += [("limit compared with", d["limit"]),
                ("$\\Theta_G(x, y)$, $\\Theta_G(x, x)$, $\\Theta_G(y, y)$",
                 ", ".join(f"{v:.6f}" for v in d["graphon_ntk"])),
                ("widths, trials per width", f"{', '.join(map(str, d['widths']))}; "
                 f"{d['trials']}"),
                ("slope of $\\log E|\\Theta_n - \\Theta_G|$ vs $\\log n$ and its interval",
                 f"{d['slope']:.3f} [{lo:.3f}, {hi:.3f}]"),
                ("$z$ of the fitted intercept, per entry",
                 ", ".join(f"{z:+.2f}" for z in d["intercept_z"])),
                ("mean $\\Theta_n(x, y)$ $\\pm$ standard error per width",
                 "; ".join(f"{m:.4f} $\\pm$ {s:.2g}" for m, s in zip(d["means_xy"],
                                                                   d["stderrs_xy"])))]
    return out


def ntk_convergence_claim(**overrides) -> Claim:
    """Claim G-ntk with :data:`DEFAULTS` changed by ``overrides``."""
    unknown = set(overrides) - set(DEFAULTS)
    if unknown:
        name = sorted(unknown)[0]
        raise InvalidArgument(name, overrides[name], "claim G-ntk has no such parameter",
                              f"use one of {sorted(DEFAULTS)}")
    params = {**DEFAULTS, **overrides}
    check_choice(params["limit"], "limit", LIMITS)
    _network(params)                                    # bad graphons fail here
    n = sp.Symbol("n", positive=True)
    x, xp = sp.Symbol("x"), sp.Symbol("x'")
    return Claim(
        id="G-ntk", title="The eNTK of graphon-sampled networks converges to the Graphon NTK",
        statement=sp.Eq(sp.Limit(sp.Function("Theta_n")(x, xp), n, sp.oo),
                        sp.Function("Theta_G")(x, xp)),
        statement_latex=(r"\Theta_n(x, x') \xrightarrow[n\to\infty]{} \Theta_W(x, x'),"
                         r"\quad E|\Theta_n - \Theta_W| \propto n^{-1/2}"),
        numeric=_numeric, parameters=params,
        description=("Masks $M_{ij} \\sim \\mathrm{Bernoulli}(W_h(u_i, u_j))$ of a "
                     "non-constant step graphon with fresh $N(0, 1)$ weights: the empirical "
                     "NTK converges to the Graphon NTK $\\Theta_W$ (our derivation, "
                     "computed by pntk kernel --graphon) at the central-limit rate; the NTK of the "
                     "constant graphon with the same densities is a different limit."),
        summarize=_summary, key_numbers=_numbers)
