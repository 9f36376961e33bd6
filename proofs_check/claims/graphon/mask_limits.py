r"""Claim G-masks (Pham et al. 2025): random and magnitude masks at initialisation converge
to constant graphons, SNIP, GraSP and SynFlow masks to non-constant ones.

**Statistic.**  For the mask M of the first hidden-to-hidden layer (layer 2 of a
depth-2 network (64, n, n, 1), the digits' input dimension; layers 2 and 3 pruned at
``density``, the first dense, as THEORY.md) at width n, :func:`numerics.graphons.estimate_graphon`
gives the degree-sorted K x K histogram G_n (K = ``blocks``).  Its deviation from a
constant graphon is

    rho_n = ||G_n - d_n||_cut / d_n,     d_n = the mask's density,

the exact cut norm (K <= 16: enumeration), relative to the density.  Against a constant
graphon the cut norm *is* the cut distance (a constant is invariant under relabelling),
and the only constant a sequence can converge to is its limit density (the density is
continuous in cut distance: |int W - c| <= ||W - c||_cut), so rho_n -> 0 exactly when
the masks converge to a constant graphon.

**Null behaviour.**  Degree sorting biases a constant graphon's estimate: the degree
fractions fluctuate by sigma = sqrt(d (1 - d) / n) and sorting turns that into a
gradient: block a of the sorted rows sits sigma z_a above d, z_a the mean of the normal
quantiles Phi^-1(1 - u) over the block, and the columns alike, so
rho_n ~ c_K sqrt((1 - d) / (d n)) with c_K = ||z_a + z_b||_cut (:func:`sorting_bias`;
c_2 = 1/sqrt(2 pi), c_8 = 0.483), plus O(1/n) block noise; simulated uniform masks at
d = 0.2, K = 8, n = 128..2048 read 1-3% above it (the key numbers show both).
Rather than trust the asymptotics, the null is simulated at
the same size: for every trial of a method, a mask with the same number of kept
weights placed uniformly at random (the law of a constant graphon given its count;
magnitude pruning at initialisation has exactly this law, its weights being i.i.d.),
``null_factor`` of them per trial.

**Decision.**  Per method, beta = the slope of log(mean rho_n / mean null rho_n) against
log n over the widths (weighted least squares, the log means' standard errors by the
delta method, a normal approximation).  A constant limit gives beta -> 0 (the method's
deviation decays like the sorting bias); a non-constant one beta -> 1/2 (rho_n stays,
the null falls like n^-1/2).  With tau = ``threshold`` (1/4, half-way):
*constant* when the upper one-sided bound beta + z se < tau, *non-constant* when the
lower bound beta - z se > tau, undecided otherwise; z at alpha / (number of methods)
(Bonferroni, family-wise 1%).  The claim is verified when every method falls on its
stated side, refuted when one falls on the other (that method's numbers are the
evidence), else inconclusive.  Power: a non-constant limit smaller than the null's
deviation at the widest width may read as undecided (never as refuted at more than
the stated rate when beta's normal approximation holds).

>>> mask_limits_claim().id
'G-masks'
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp
from scipy import stats as _st

from numerics.graphons.cut import cut_norm
from numerics.graphons.estimate import estimate_graphon
from numerics.masks.methods import METHODS
from numerics.masks.pruning import check_density, prune
from theory._errors import InvalidArgument, check_int

from ...claim import Claim, Context
from ...decisions import DEFAULT_ALPHA
from ...verdict import CheckOutcome, Verdict
from ._common import check_param_int, overall, stored_trials, weighted_slope

__all__ = ["mask_limits_claim", "DEFAULTS", "deviation_from_constant", "sorting_bias"]

DEFAULTS = {
    "constant": ("random", "magnitude"), "nonconstant": ("snip", "grasp", "synflow"),
    "density": "0.2", "blocks": 8, "widths": None, "trials": None, "null_factor": 2,
    "samples": 256, "rounds": 100, "threshold": 0.25,
}
_D0 = 64          # the digits' input dimension


def deviation_from_constant(mask, blocks: int) -> tuple[float, float]:
    """(rho, d): the exact cut norm of the degree-sorted estimate minus its density,
    relative to the density, and the density.

    >>> import numpy as np
    >>> deviation_from_constant(np.ones((8, 8)), 4)
    (0.0, 1.0)
    """
    est = estimate_graphon(mask, blocks)
    d = est.density
    if d == 0:
        return 0.0, 0.0
    return cut_norm(est.values - d).value / d, d


def sorting_bias(density: float, n: int, blocks: int) -> float:
    """The leading-order rho_n of a constant graphon at ``density`` estimated from an n x n
    mask with ``blocks`` blocks: c_K sqrt((1 - d) / (d n)), c_K the cut norm of
    z_a + z_b, z_a = K (phi(Phi^-1(1 - a/K)) - phi(Phi^-1(1 - (a+1)/K))) the block means
    of the normal quantiles.

    >>> round(sorting_bias(0.5, 1, 2) * math.sqrt(2 * math.pi), 12)      # c_2 = 1/sqrt(2 pi)
    1.0
    """
    K = check_int(blocks, "blocks", 1)
    edges = [_st.norm.pdf(_st.norm.isf(a / K)) if 0 < a < K else 0.0 for a in range(K + 1)]
    z = np.array([K * (edges[a] - edges[a + 1]) for a in range(K)])
    c_K = cut_norm(z[:, None] + z[None, :]).value
    return c_K * math.sqrt((1 - density) / (density * n))


def _validated(p: dict) -> dict:
    methods = tuple(p["constant"]) + tuple(p["nonconstant"])
    for m in methods:
        if m not in METHODS:
            raise InvalidArgument("methods", m, "unknown pruning method",
                                  f"choose among {', '.join(METHODS)}")
    if len(set(methods)) != len(methods) or not methods:
        raise InvalidArgument("methods", methods, "a method is listed twice or none is given",
                              "list each method once, as constant or nonconstant")
    blocks = check_int(p["blocks"], "blocks", 2)
    if blocks > 16:
        raise InvalidArgument("blocks", blocks, "exact cut norms enumerate 2^K block sets",
                              "use at most 16 blocks")
    tau = float(p["threshold"])
    if not 0 < tau < 0.5:
        raise InvalidArgument("threshold", p["threshold"], "must lie between the constant "
                              "(0) and the non-constant (1/2) slopes", "give e.g. 0.25")
    return dict(p, density=check_density(p["density"]), blocks=blocks, threshold=tau,
                null_factor=check_int(p["null_factor"], "null_factor", 1),
                widths=None if p["widths"] is None else
                tuple(sorted({check_int(n, "widths", blocks) for n in p["widths"]})),
                trials=check_param_int(p["trials"], "trials", 3))


def _sizes(context: Context, p: dict):
    b = context.budget
    widths = p["widths"] or tuple(n for n in b.widths if n <= b.max_width // 4)
    trials = p["trials"] or max(4, b.trials // 32)
    return widths, trials


def _method_trials(context, p, method, n, trials):
    shape = (_D0, n, n, 1)
    extra = {}
    if METHODS[method].uses_data:
        extra["samples"] = p["samples"]
    if METHODS[method].iterative:
        extra["rounds"] = p["rounds"]
    factor = p["null_factor"]

    def one(t):
        M = prune(method, shape, p["density"], seed=context.seed, trial=t, **extra).array(2)
        rho, d = deviation_from_constant(M, p["blocks"])
        rng = np.random.default_rng(np.random.SeedSequence([context.seed, n, t, 7919]))
        kept = int(M.sum())
        null = [deviation_from_constant((rng.permutation(M.size) < kept).reshape(M.shape),
                                        p["blocks"])[0] for _ in range(factor)]
        return rho, d, float(np.mean(null))

    desc = {"kind": "graphon-claim-mask-deviation", "method": method, "width": n,
            "density": str(p["density"]), "blocks": p["blocks"], "null_factor": factor,
            **{k: str(v) for k, v in extra.items()}}
    return stored_trials(context, desc, trials, one)


def _numeric(context: Context, params: dict) -> CheckOutcome:
    p = _validated(params)
    widths, trials = _sizes(context, p)
    methods = tuple(p["constant"]) + tuple(p["nonconstant"])
    alpha = DEFAULT_ALPHA / len(methods)
    z = float(_st.norm.isf(alpha))
    tau = p["threshold"]
    rows, verdicts = {}, []
    for m in methods:
        per = [_method_trials(context, p, m, n, trials) for n in widths]
        rho = np.array([v[:, 0].mean() for v in per])
        rho_se = np.array([v[:, 0].std(ddof=1) / math.sqrt(trials) for v in per])
        null = np.array([v[:, 2].mean() for v in per])
        null_se = np.array([v[:, 2].std(ddof=1) / math.sqrt(trials) for v in per])
        log_se = np.sqrt((rho_se / rho) ** 2 + (null_se / null) ** 2)
        beta, se = weighted_slope(widths, np.log(rho / null), log_se)
        lo, hi = beta - z * se, beta + z * se
        side = "constant" if hi < tau else "non-constant" if lo > tau else "undecided"
        stated = "constant" if m in p["constant"] else "non-constant"
        verdicts.append(Verdict.VERIFIED if side == stated else
                        Verdict.INCONCLUSIVE if side == "undecided" else Verdict.REFUTED)
        rows[m] = {"stated": stated, "found": side, "beta": beta, "beta_se": se,
                   "bounds": [lo, hi], "rho": rho.tolist(), "rho_se": rho_se.tolist(),
                   "null_rho": null.tolist(), "density": [float(v[:, 1].mean()) for v in per],
                   "ratio_widest": float(rho[-1] / null[-1]),
                   "null_predicted": sorting_bias(float(np.mean(per[-1][:, 1])), widths[-1],
                                                  p["blocks"])}
    verdict = overall(verdicts)
    text = "; ".join(f"{m}: $\\beta = {r['beta']:.2f} \\pm {r['beta_se']:.2f}$ "
                     f"({r['found']}, stated {r['stated']}), "
                     f"$\\rho_{{{widths[-1]}}} = {r['rho'][-1]:.3f}$ vs null "
                     f"{r['null_rho'][-1]:.3f}" for m, r in rows.items())
    data = {"rows": rows, "widths": list(widths), "trials": trials, "z": z,
            "alpha_per_method": alpha, "threshold": tau,
            "parameters_used": {"widths": list(widths), "trials": trials}}
    return CheckOutcome(verdict, "statistical", text, data, DEFAULT_ALPHA)


def _summary(outcomes, params) -> str:
    for o in outcomes:
        if "rows" in o.data:
            n = o.data["widths"][-1]
            return "; ".join(f"{m} {r['found']} ($\\beta$ {r['beta']:.2f}, $\\rho_{{{n}}}$ "
                             f"{r['rho'][-1]:.2f})"
                             for m, r in o.data["rows"].items())
    return "; ".join(o.explanation for o in outcomes)


def _numbers(outcomes, params) -> list:
    out = []
    for o in outcomes:
        if "rows" not in o.data:
            continue
        widths = o.data["widths"]
        out.append(("widths, trials per width", f"{', '.join(map(str, widths))}; "
                    f"{o.data['trials']}"))
        for m, r in o.data["rows"].items():
            out.append((f"{m}: slope $\\beta$ of $\\log(\\rho_n / \\rho^0_n)$ $\\pm$ standard error "
                        f"(stated {r['stated']}, found {r['found']})",
                        f"{r['beta']:.3f} $\\pm$ {r['beta_se']:.3f}"))
            out.append((f"{m}: null $\\rho^0_n$ at $n = {widths[-1]}$, simulated and predicted "
                        "(sorting bias $c_K \\sqrt{(1 - d)/(d n)}$)",
                        f"{r['null_rho'][-1]:.4f}, {r['null_predicted']:.4f}"))
            out.append((f"{m}: $\\rho_n$ and the null $\\rho^0_n$ at $n = "
                        f"{', '.join(map(str, widths))}$",
                        "; ".join(f"{a:.3f} / {b:.3f}" for a, b in zip(r["rho"], r["null_rho"]))))
    return out


def mask_limits_claim(**overrides) -> Claim:
    """Claim G-masks with :data:`DEFAULTS` changed by ``overrides``."""
    unknown = set(overrides) - set(DEFAULTS)
    if unknown:
        name = sorted(unknown)[0]
        raise InvalidArgument(name, overrides[name], "claim G-masks has no such parameter",
                              f"use one of {sorted(DEFAULTS)}")
    params = {**DEFAULTS, **overrides}
    n = sp.Symbol("n", positive=True)
    rho = sp.Function("rho")(n)
    return Claim(
        id="G-masks",
        title="Random and magnitude masks converge to constant graphons, SNIP, GraSP and "
              "SynFlow masks to non-constant ones",
        statement=sp.Eq(sp.Limit(rho, n, sp.oo), 0),
        statement_latex=(r"\rho_n = \frac{\|\hat W_n - \hat d_n\|_\square}{\hat d_n},\quad "
                         r"\lim_{n\to\infty} \rho_n = 0 \ \text{(random, magnitude)},\quad "
                         r"\lim_{n\to\infty} \rho_n > 0 \ \text{(SNIP, GraSP, SynFlow)}"),
        numeric=_numeric, parameters=params,
        description=("Pham et al. (2025): pruning masks converge to graphons; constant for "
                     "random and magnitude pruning at initialisation, non-constant for SNIP, "
                     "GraSP and SynFlow.  Measured on layer 2 of $(64, n, n, 1)$ networks "
                     "pruned at density $d$ (digits for SNIP and GraSP): the cut distance "
                     "$\\rho_n$ of the degree-sorted $K \\times K$ estimate to the constant "
                     "of its density, relative to $d$, against the same statistic of "
                     "uniformly placed masks with the same count (the sorting bias, "
                     "$O(n^{-1/2})$)."),
        summarize=_summary, key_numbers=_numbers)
