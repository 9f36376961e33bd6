"""Claim C5: with the first layer masked at fixed input dimension d0, the limit is a mask average.

Statement: the infinite-width NTK is E_M[...] over the first-layer mask rows, which
is in general *not* a multiple of the dense NTK, with plain or with rescaled
pruning; its gap to the mean-field form (K^(1) = s_1 x.x', the d0 -> infinity
idealisation, equal to prod_h s_h x dense for ReLU) shrinks as d0 grows.

* **symbolic**: proves facts about the *mean-field reference form* (the
  d0 -> infinity idealisation the exact limit is measured against), not the
  finite-d0 statement itself - plain ReLU: mean field = prod_h s_h x dense
  (:func:`theory.prove_scaling_induction`, whose base case has a masked first
  layer, K^(1) = s_1 x.x'); rescaled, any activation: mean field = the dense NTK
  (:func:`theory.prove_rescaled_equals_dense` with ``prune_first_layer=True``).
* **numeric** (three parts, one outcome):

  1. *not a multiple* (exact, error rate 0): at d0 (default 3), on
     ``budget.input_pairs`` sampled pairs (seeded; generic, near-parallel,
     near-antiparallel, two-coordinate), the exact mask average
     (:func:`theory.first_layer_gap`, enumeration of the 2^d0 patterns) for plain
     and rescaled pruning: the ratio exact/dense must vary by more than 2e-12
     relative (two witness entries) and the gap to the mean-field kernel must
     exceed 1e-12 - both fifty times the float64 error of the entries (1e-14 each).
  2. *the gap shrinks* (exact, error rate 0): on inputs spread evenly over all
     coordinates (x = 1, y = 2(1 + 0.8 v), z = -0.5(1 - 1.5 v), v_j = (-1)^j:
     unequal norms, an acute and an obtuse angle; *not* the sampled pairs of
     part 1), the largest relative gap to mean field over the 3 x 3 Gram along
     ``d0_grid`` (default 2, 4, 8, 16).  The claim is a limit (gap -> 0 as
     d0 -> infinity), so a finite grid can contradict it only by no decrease at
     all: refuted when the gap at the largest d0 is not below the gap at the
     smallest or the fitted log-log slope is >= 0; verified when the gaps
     decrease strictly; inconclusive when they decrease overall but not
     monotonically, or when a gap is within float error (<= 1e-12).
  3. *a second algorithm* (statistical): Monte Carlo mask averages (jackknife
     standard errors; 4 pairs x 16384 mask rows at the quick budget, 8 x 65536
     above) against the exact enumeration at ``mc_d0`` (default 8), plain and
     rescaled, each entry by :func:`~proofs_check.decisions.mean_decision` at
     DEFAULT_ALPHA = 1% split over the entries (Bonferroni; critical value of
     Student's t with the jackknife's 31 degrees of freedom,
     :func:`~proofs_check.claims.paper._compare.jackknife_alpha`).  Agreement is
     "verified" when every interval lies within 5% of the pair's scale
     sqrt(Theta(x, x) Theta(x', x')) (which bounds |Theta(x, x')|, so entries near
     zero are not held to a relative standard).  This part is the claim's only
     false-alarm source: 1%.

For ReLU the relative gaps of plain and rescaled pruning coincide (rescaling
multiplies the exact and the mean-field kernel by the same factor, by
homogeneity); the check compares them (to 1e-12) and reports "plain = rescaled"
only when they agree.

Hypotheses (genuine preconditions): the first layer is masked (keep_prob < 1,
else no gap can exist) and d0 >= 2 (at d0 = 1 a ReLU net's mask average is
exactly the mean field).  Invalid arguments (depth 0, an unknown activation,
d0 > 16 - the exact enumeration's limit -, a bad ``d0_grid``) raise
:class:`theory._errors.InvalidArgument`, when the claim is built and when it runs.

>>> from proofs_check.claim import Context
>>> first_layer_claim().run(Context()).verdict.value
'verified'
>>> first_layer_claim(keep_prob=1).run(Context()).verdict.value
'not_applicable'
"""

from __future__ import annotations

import functools
from numbers import Integral

import numpy as np
import sympy as sp

from numerics.figures import plot_loglog, setting
from theory import (
    Architecture,
    first_layer_gap,
    limit_kernel,
    prove_rescaled_equals_dense,
    prove_scaling_induction,
)
from theory._errors import InvalidArgument, check_int
from theory.kernels.first_layer import EXACT_MAX_DIM
from theory.symbolic.maps import NTK, DenseNTK, point_symbols

from ...claim import Claim, Context, Hypothesis
from ...decisions import DEFAULT_ALPHA, bonferroni, mean_decision
from ...verdict import CheckOutcome, Verdict, combine
from ._compare import REL_TOL, jackknife_alpha, num
from ._pairs import sample_pairs
from ._params import validated
from ._proofs import RESCALED_PROOF_MAX_DEPTH

__all__ = ["first_layer_claim", "spread_inputs", "MC_SAMPLES", "MC_AGREE_TOL"]

MC_SAMPLES = 1 << 14       # Monte Carlo mask rows per pair in part 3 (quick budget)
MC_SAMPLES_MAX = 1 << 16   # ... and at larger budgets
MC_AGREE_TOL = 0.05        # Monte Carlo interval within 5% of sqrt(Theta(x,x) Theta(y,y)) of exact
_ENTRIES = ((0, 0, "x,x"), (1, 1, "y,y"), (0, 1, "x,y"))


def _arch(p: dict, rescale: bool) -> Architecture:
    return Architecture.pruned(p["depth"], p["keep_prob"], rescale=rescale,
                               prune_first_layer=True, activation=p["activation"])


def _dim(value, argument: str) -> int:
    d = check_int(value, argument, 1)
    if d > EXACT_MAX_DIM:
        raise InvalidArgument(argument, value, f"exact enumeration of the 2^{argument} mask "
                              f"patterns is limited to {EXACT_MAX_DIM} coordinates",
                              f"pass {argument} <= {EXACT_MAX_DIM}")
    return d


def _validated(p: dict) -> dict:
    """C5's parameters checked and normalised; :class:`InvalidArgument` for an invalid one."""
    out = validated(p)
    out["d0"] = _dim(p["d0"], "d0")
    mc_d0 = _dim(p["mc_d0"], "mc_d0")
    if mc_d0 < 2:
        raise InvalidArgument("mc_d0", p["mc_d0"], "the Monte Carlo comparison needs two "
                              "coordinates", f"pass 2 <= mc_d0 <= {EXACT_MAX_DIM}")
    out["mc_d0"] = mc_d0
    grid = p["d0_grid"]
    fix = f"pass at least two increasing integers in 2..{EXACT_MAX_DIM}, e.g. (2, 4, 8, 16)"
    if isinstance(grid, (str, bytes)) or not hasattr(grid, "__iter__"):
        raise InvalidArgument("d0_grid", grid, "not a sequence of input dimensions", fix)
    values = tuple(grid)
    for d in values:
        if isinstance(d, bool) or not isinstance(d, Integral) or not 2 <= d <= EXACT_MAX_DIM:
            raise InvalidArgument("d0_grid", grid, f"entry {d!r} is not an integer in "
                                  f"2..{EXACT_MAX_DIM}", fix)
    if len(values) < 2 or any(b <= a for a, b in zip(values, values[1:])):
        raise InvalidArgument("d0_grid", grid, "needs at least two strictly increasing "
                              "dimensions", fix)
    out["d0_grid"] = tuple(int(d) for d in values)
    return out


def spread_inputs(d0: int) -> np.ndarray:
    """Three inputs with equal-magnitude entries on every coordinate (rows x, y, z).

    >>> spread_inputs(2)
    array([[ 1.  ,  1.  ],
           [ 3.6 ,  0.4 ],
           [ 0.25, -1.25]])
    """
    ones = np.ones(int(d0))
    v = np.array([(-1.0) ** j for j in range(int(d0))])
    return np.stack([ones, 2.0 * (ones + 0.8 * v), -0.5 * (ones - 1.5 * v)])


# ------------------------------------------------------------------ symbolic
@functools.lru_cache(maxsize=None)
def _proofs(depth: int, activation: str) -> dict:
    at = min(depth, RESCALED_PROOF_MAX_DEPTH)      # the induction step covers every depth
    out = {"rescaled_mean_field_equals_dense":
           prove_rescaled_equals_dense(at, prune_first_layer=True).holds}
    if activation == "relu":
        out["plain_mean_field_scaling_induction"] = prove_scaling_induction("relu").holds
    return out


def _symbolic(context: Context, p: dict) -> CheckOutcome:
    p = _validated(p)
    proofs = _proofs(p["depth"], p["activation"])
    ok = all(proofs.values())
    plain = ("plain ReLU: mean field $= \\prod s_h \\times$ dense (induction, base case "
             "$K^{(1)} = s_1 \\, x \\cdot x'$); "
             if p["activation"] == "relu" else
             f"plain {p['activation']}: nothing proved (its mean field is no multiple of dense); ")
    text = (f"proves the mean-field reference form ($d_0 \\to \\infty$), not the finite-$d_0$ "
            f"statement: {plain}rescaled: mean field = dense NTK, any activation")
    return CheckOutcome(Verdict.VERIFIED if ok else Verdict.INCONCLUSIVE, "symbolic",
                        text if ok else "a mean-field proof did not go through: " + text,
                        {"proves": "facts about the mean-field reference form (d0 -> infinity)",
                         "proofs": proofs})


# ------------------------------------------------------------------ numeric parts
def _not_a_multiple(context: Context, p: dict) -> CheckOutcome:
    d0 = p["d0"]
    pairs = sample_pairs(context.budget.input_pairs, d0, context.seed)
    data, parts, ok = {"inputs": "sampled pairs", "d0": d0, "pairs": len(pairs)}, [], True
    for name, rescale in (("plain", False), ("rescaled", True)):
        arch = _arch(p, rescale)
        rows, gaps = [], []
        for x, y, kind in pairs:
            Z = np.stack([x, y])
            gap = first_layer_gap(arch, Z, first_layer="exact")
            dense = limit_kernel(arch.dense(), Z).ntk
            gaps.append(gap.max_relative_gap)
            for a, b, entry in _ENTRIES:
                if dense[a, b] != 0:
                    rows.append({"x": x.tolist(), "y": y.tolist(), "kind": kind, "entry": entry,
                                 "ratio": float(gap.exact.ntk[a, b] / dense[a, b])})
        lo = min(rows, key=lambda r: r["ratio"])
        hi = max(rows, key=lambda r: r["ratio"])
        spread = (hi["ratio"] - lo["ratio"]) / max(abs(lo["ratio"]), abs(hi["ratio"]))
        worst = max(gaps)
        data[name] = {"ratio_range": [lo["ratio"], hi["ratio"]], "ratio_spread": spread,
                      "max_gap_to_mean_field": worst,
                      "witness": {"ratios": [lo, hi]}}
        good = spread > 2 * REL_TOL and worst > REL_TOL
        ok = ok and good
        parts.append(f"{name}: exact/dense in $[{lo['ratio']:.4g}, {hi['ratio']:.4g}]$, gap to "
                     f"mean field up to ${worst:.2g}$" + ("" if good else " (within float error)"))
    return CheckOutcome(Verdict.VERIFIED if ok else Verdict.REFUTED, "numeric",
                        f"$d_0 = {d0}$, {len(pairs)} pairs, exact enumeration: "
                        + "; ".join(parts), data)


def gap_trend(grid, values) -> tuple[Verdict, float, str]:
    """(verdict, log-log slope, reason) for "the gap shrinks to 0" from gaps along ``grid``.

    The claim is a limit, so only no decrease at all contradicts it: refuted when
    the gap at the largest d0 is not below the gap at the smallest, or the fitted
    log-log slope is >= 0; inconclusive when a gap is within float error (<= 1e-12)
    or the gaps decrease overall but not monotonically; verified when they decrease
    strictly.

    >>> gap_trend((2, 4, 8), (0.3, 0.1, 0.05))[0].value
    'verified'
    >>> v, slope, why = gap_trend((2, 4, 8), (0.3, 0.35, 0.05)); v.value, why
    ('inconclusive', 'decreasing overall but not monotone (rises at $d_0 = 4$)')
    >>> gap_trend((2, 4, 8), (0.3, 0.2, 0.4))[0].value
    'refuted'
    """
    grid, values = [int(d) for d in grid], [float(v) for v in values]
    slope = float(np.polyfit(np.log(grid), np.log(np.maximum(values, 1e-300)), 1)[0])
    if any(not v > REL_TOL for v in values):
        small = [d for d, v in zip(grid, values) if not v > REL_TOL]
        return (Verdict.INCONCLUSIVE, slope,
                f"within float error ($\\le {num(REL_TOL)}$) at "
                f"$d_0 = {', '.join(map(str, small))}$")
    if not values[-1] < values[0] or slope >= 0:
        return (Verdict.REFUTED, slope,
                f"no decrease: gap ${values[-1]:.2g}$ at $d_0 = {grid[-1]}$ vs "
                f"${values[0]:.2g}$ at $d_0 = {grid[0]}$, slope ${slope:.2f}$")
    rises = [d for d, a, b in zip(grid[1:], values, values[1:]) if not b < a]
    if rises:
        return (Verdict.INCONCLUSIVE, slope,
                f"decreasing overall but not monotone (rises at "
                f"$d_0 = {', '.join(map(str, rises))}$)")
    return Verdict.VERIFIED, slope, "strictly decreasing"


def _gap_shrinks(context: Context, p: dict) -> CheckOutcome:
    grid = p["d0_grid"]
    gaps = {}
    for name, rescale in (("plain", False), ("rescaled", True)):
        arch = _arch(p, rescale)
        gaps[name] = [first_layer_gap(arch, spread_inputs(d0), first_layer="exact").max_relative_gap
                      for d0 in grid]
    data = {"inputs": "spread over all coordinates (spread_inputs)", "d0_grid": list(grid),
            "max_gap": gaps, "slope": {}, "trend": {}}
    verdicts, parts = [], []
    for name, values in gaps.items():
        verdict, slope, why = gap_trend(grid, values)
        verdicts.append(verdict)
        data["slope"][name] = slope
        data["trend"][name] = {"verdict": verdict.value, "reason": why}
        parts.append(f"{name} $" + ", ".join(f"{v:.2g}" for v in values) +
                     f"$ (log-log slope ${slope:.2f}$" +
                     (")" if verdict is Verdict.VERIFIED else f"; {why})"))
    verdict = (Verdict.REFUTED if Verdict.REFUTED in verdicts else
               Verdict.VERIFIED if all(v is Verdict.VERIFIED for v in verdicts) else
               Verdict.INCONCLUSIVE)
    return CheckOutcome(verdict, "numeric",
                        f"max gap to mean field, inputs spread over all coordinates, at $d_0 = "
                        f"{', '.join(map(str, grid))}$: " + "; ".join(parts), data)


def _mc_agrees(context: Context, p: dict) -> CheckOutcome:
    d0 = p["mc_d0"]
    n, samples = _mc_plan(context.budget)
    pairs = sample_pairs(n, d0, context.seed + 1)
    rows = []
    for name, rescale in (("plain", False), ("rescaled", True)):
        arch = _arch(p, rescale)
        for i, (x, y, kind) in enumerate(pairs):
            Z = np.stack([x, y])
            exact = limit_kernel(arch, Z, first_layer="exact").ntk
            mc = limit_kernel(arch, Z, first_layer="monte_carlo", mask_samples=samples,
                              seed=int(context.seed) * 104729 + 2 * i + int(rescale))
            for a, b, entry in _ENTRIES:
                scale = float(np.sqrt(exact[a, a] * exact[b, b]))   # bounds |Theta(a, b)|
                rows.append((name, kind, entry, float(mc.ntk[a, b]), float(mc.ntk_stderr[a, b]),
                             float(exact[a, b]), scale))
    alpha_each = bonferroni(DEFAULT_ALPHA, len(rows))
    outs = [mean_decision(m, se, e, MC_AGREE_TOL * scale, jackknife_alpha(alpha_each))
            for *_, m, se, e, scale in rows]
    verdict = combine(outs)
    zs = [abs(o.data["z"]) for o in outs]
    worst = int(np.argmax(zs))
    data = {"d0": d0, "pairs": n, "entries": len(rows), "mask_samples": samples,
            "alpha": DEFAULT_ALPHA, "alpha_per_entry": alpha_each,
            "z_critical": outs[0].data["z_critical"], "max_abs_z": zs[worst],
            "tolerance": MC_AGREE_TOL,
            "max_rel_stderr": max(se / scale for *_, se, e, scale in rows)}
    name, kind, entry, m, se, e, _ = rows[worst]
    shown = (f"Monte Carlo vs exact at $d_0 = {d0}$ ({len(rows)} entries, {samples} mask rows): "
             f"max $|z| = {zs[worst]:.2f}$ (critical ${data['z_critical']:.2f}$)")
    if verdict is Verdict.REFUTED:
        data["worst"] = {"variant": name, "kind": kind, "entry": entry, "monte_carlo": m,
                         "stderr": se, "exact": e}
        shown += (f": they disagree ({name}, {kind} pair, {entry}: ${m:.6g} \\pm {se:.2g}$ vs "
                  f"${e:.6g}$)")
    elif verdict is not Verdict.VERIFIED:
        shown += (f", but some intervals are wider than $\\pm {MC_AGREE_TOL:g}$ of the pair's "
                  f"scale")
    return CheckOutcome(verdict, "statistical", shown, data, DEFAULT_ALPHA)


def _mc_plan(budget) -> tuple[int, int]:
    """(pairs, mask rows) of part 3: 4 pairs x 2^14 rows at the quick budget, 8 x 2^16 above.

    Few pairs keep the Bonferroni level mild, so that the intervals (about
    z_{1 - alpha/2m} standard errors wide) fit within MC_AGREE_TOL.
    """
    grow = max(1, int(budget.input_pairs) // 64)
    return min(8, 4 * grow), min(MC_SAMPLES_MAX, MC_SAMPLES * grow)


def _plain_equals_rescaled(nm: dict, gs: dict) -> tuple[bool, float]:
    """Do plain and rescaled pruning give the same relative gaps (to REL_TOL)?  And the
    largest difference.  (ReLU: yes, by homogeneity; erf: no.)"""
    pairs = [(nm["plain"]["max_gap_to_mean_field"], nm["rescaled"]["max_gap_to_mean_field"])]
    pairs += list(zip(gs["max_gap"]["plain"], gs["max_gap"]["rescaled"]))
    diff = max(abs(a - b) for a, b in pairs)
    return diff <= REL_TOL, diff


def _numeric(context: Context, p: dict) -> CheckOutcome:
    p = _validated(p)
    parts = (_not_a_multiple(context, p), _gap_shrinks(context, p), _mc_agrees(context, p))
    names = ("not_a_multiple", "gap_shrinks", "monte_carlo_agrees")
    data = {name: o.data for name, o in zip(names, parts)}
    data["parts"] = {name: o.verdict.value for name, o in zip(names, parts)}
    same, diff = _plain_equals_rescaled(parts[0].data, parts[1].data)
    data["plain_equals_rescaled"] = same
    data["plain_rescaled_max_gap_difference"] = diff
    witness = parts[0].data.get("plain", {}).get("witness")
    if witness is not None:
        data["witness"] = witness
    path = context.figure_path("c5_gap_vs_d0")
    if path is not None:
        gs = parts[1].data
        plot_loglog(gs["d0_grid"], {f"{name} pruning": gs["max_gap"][name]
                                    for name in ("plain", "rescaled")}, path,
                    xlabel=r"input dimension $d_0$ (inputs spread over all coordinates)",
                    ylabel="max relative gap, exact mask average vs mean field",
                    title="C5: masked first layer, gap to mean field\n" + setting(
                        depth=p["depth"], eps=r"no $\varepsilon$ (limit kernels)",
                        rescale="plain and rescaled pruning",
                        extra=f"$q = {p['keep_prob']}$"),
                    reference=(-1.0, "reference slope $-1$: gap $\\propto$ variance of the\n"
                                     "masked covariance $\\propto 1/d_0$"))
        data["figures"] = [str(path.with_suffix(".png").relative_to(context.out))]
    return CheckOutcome(combine(parts), "statistical", "; ".join(o.explanation for o in parts),
                        data, sum(o.error_rate for o in parts))


def _numbers(outcomes, p) -> list:
    out = []
    for o in outcomes:
        d = o.data
        if "not_a_multiple" not in d:
            continue
        nm, gs, mc = d["not_a_multiple"], d["gap_shrinks"], d["monte_carlo_agrees"]
        out += [(f"sampled pairs at $d_0 = {nm['d0']}$", nm["pairs"])]
        for name in ("plain", "rescaled"):
            out += [(f"{name}: range of exact / dense", nm[name]["ratio_range"]),
                    (f"{name}: largest relative gap to mean field",
                     nm[name]["max_gap_to_mean_field"])]
        out += [("spread inputs: $d_0$", gs["d0_grid"]),
                ("spread inputs: largest relative gap (plain)", gs["max_gap"]["plain"]),
                ("spread inputs: log-log slope of the gap (plain)", gs["slope"]["plain"]),
                ("plain and rescaled gaps agree", d.get("plain_equals_rescaled")),
                (f"Monte Carlo at $d_0 = {mc['d0']}$: pairs, mask rows",
                 f"{mc['pairs']}, {mc['mask_samples']}"),
                ("Monte Carlo: largest $|z|$ (critical value)",
                 f"{mc['max_abs_z']:.2f} ({mc['z_critical']:.2f})")]
    return out


# ------------------------------------------------------------------ claim
def _summary(outcomes, p) -> str:
    """One short line: part 1 on the sampled pairs at d0, part 2 on the spread inputs along
    the grid (different inputs, hence different gaps), part 3's largest |z|."""
    for o in outcomes:
        d = o.data
        if "not_a_multiple" not in d:
            continue
        nm, gs, mc = d["not_a_multiple"], d["gap_shrinks"], d["monte_carlo_agrees"]
        lo, hi = nm["plain"]["ratio_range"]
        same = d.get("plain_equals_rescaled", False)
        worst = nm["plain"]["max_gap_to_mean_field"]
        gaps, grid = gs["max_gap"]["plain"], gs["d0_grid"]
        status = {name: ("" if v == "verified" else f" ({v})") for name, v in d["parts"].items()}
        if same:
            tail = ("; plain = rescaled (ReLU homogeneity)" if p.get("activation") == "relu"
                    else "; plain = rescaled")
        else:
            tail = " (plain)"
        return (f"$d_0 = {nm['d0']}$ pairs: exact/dense ${lo:.2g}$..${hi:.2g}$, gap "
                f"$\\le {worst:.2g}${status['not_a_multiple']}; spread "
                f"$d_0 = {grid[0]} \\to {grid[-1]}$: gap ${gaps[0]:.2g} \\to {gaps[-1]:.2g}$ "
                f"(slope ${gs['slope']['plain']:.2f}$){status['gap_shrinks']}{tail}; MC "
                f"max$|z|$ {mc['max_abs_z']:.2f}{status['monte_carlo_agrees']}")
    return "; ".join(o.explanation for o in outcomes)


def _hypotheses() -> tuple[Hypothesis, ...]:
    """Genuine preconditions only; invalid arguments raise InvalidArgument first."""
    def masked(p):
        q = _validated(p)["keep_prob"]
        return None if q < 1 else "keep_prob = 1 masks nothing, so no gap can exist"

    def two_dims(p):
        d0 = _validated(p)["d0"]
        return None if d0 >= 2 else ("d0 = 1: a mask row keeps x_1 or not, and the mask "
                                     "average is exactly the mean field for ReLU")

    return (Hypothesis("first layer masked: $q < 1$", masked),
            Hypothesis("input dimension $d_0 \\ge 2$", two_dims))


def first_layer_claim(depth=2, keep_prob="1/2", *, activation: str = "relu", d0: int = 3,
                      d0_grid=(2, 4, 8, 16), mc_d0: int = 8, id: str = "C5",
                      title: str | None = None) -> Claim:
    """Claim C5: a masked first layer at fixed d0 gives a mask-averaged limit, no multiple of
    the dense NTK (plain or rescaled), approaching the mean-field form as d0 grows.

    Invalid arguments raise :class:`theory._errors.InvalidArgument` (here and when the
    claim runs); keep_prob = 1 or d0 = 1 is outside the claim's hypotheses."""
    L = sp.Symbol("L", positive=True)
    x, xp = point_symbols()
    params = _validated({"depth": depth, "keep_prob": keep_prob, "activation": activation,
                         "d0": d0, "d0_grid": d0_grid, "mc_d0": mc_d0})
    return Claim(
        id=id,
        title=title or "Masked first layer at fixed $d_0$: the limit is a mask average, no "
                       "multiple of the dense NTK",
        statement=sp.Ne(NTK(L, x, xp) / DenseNTK(L, x, xp), NTK(L, x, x) / DenseNTK(L, x, x),
                        evaluate=False),
        statement_latex=(r"\Theta^{(L)}(x, x') = \mathbb{E}_{M}\big[\Theta^{(L)}_{M}(x, x')\big] "
                         r"\neq c \, \Theta_{\mathrm{d}}^{(L)}(x, x') "
                         r"\text{ for every constant } c "
                         r"\ (x, x' \in \mathbb{R}^{d_0}), \quad "
                         r"\frac{\Theta^{(L)} - \Theta^{(L)}_{\mathrm{mf}}}"
                         r"{\Theta^{(L)}_{\mathrm{mf}}}"
                         r" \to 0 \text{ as } d_0 \to \infty"),
        hypotheses=_hypotheses(), symbolic=_symbolic, numeric=_numeric, parameters=params,
        description=("With the first layer masked and $d_0$ fixed, each neuron's first-layer "
                     "covariance $\\sum_j M_{ij} x_j x'_j$ stays random at infinite width, so "
                     "the limit averages over the mask row; the mean-field form "
                     "$K^{(1)} = s_1 \\, x \\cdot x'$ (a multiple of the dense NTK for ReLU) is "
                     "its $d_0 \\to \\infty$ idealisation for inputs spread over all "
                     "coordinates."),
        summarize=_summary, key_numbers=_numbers)
