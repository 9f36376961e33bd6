"""Claim C5: with the first layer masked at fixed input dimension d0, the limit is a mask average.

Statement: the infinite-width NTK is E_M[...] over the first-layer mask rows, which
is in general *not* a multiple of the dense NTK, with plain or with rescaled
pruning; its gap to the mean-field form (K^(1) = s_1 x.x', the d0 -> infinity
idealisation, equal to prod_h s_h x dense for ReLU) shrinks as d0 grows.

* **symbolic**: the mean-field form is the multiple the exact limit is measured
  against - plain ReLU: prod_h s_h x dense (:func:`theory.prove_scaling_induction`,
  whose base case has a masked first layer, K^(1) = s_1 x.x'); rescaled, any
  activation: the dense NTK itself (:func:`theory.prove_rescaled_equals_dense`
  with ``prune_first_layer=True``).
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
     unequal norms, an acute and an obtuse angle), the largest relative gap to
     mean field over the 3 x 3 Gram must decrease strictly along ``d0_grid``
     (default 2, 4, 8, 16) and stay above 1e-12; the log-log slope is reported.
  3. *a second algorithm* (statistical): Monte Carlo mask averages (jackknife
     standard errors; 4 pairs x 16384 mask rows at the quick budget, 8 x 65536
     above) against the exact enumeration at ``mc_d0`` (default 8), plain and
     rescaled, each entry by :func:`~proofs_check.decisions.mean_decision` at
     DEFAULT_ALPHA = 1% split over the entries (Bonferroni; critical value of
     Student's t with the jackknife's 31 degrees of freedom,
     :func:`~proofs_check.claims._compare.jackknife_alpha`).  Agreement is
     "verified" when every interval lies within 5% of the pair's scale
     sqrt(Theta(x, x) Theta(x', x')) (which bounds |Theta(x, x')|, so entries near
     zero are not held to a relative standard).  This part is the claim's only
     false-alarm source: 1%.

>>> from proofs_check.claim import Context
>>> first_layer_claim().run(Context()).verdict.value
'verified'
"""

from __future__ import annotations

import functools
from numbers import Integral

import numpy as np
import sympy as sp

from numerics.plots import plot_loglog
from theory import (Architecture, first_layer_gap, limit_kernel, prove_rescaled_equals_dense,
                    prove_scaling_induction)
from theory._errors import InvalidArgument, check_keep_prob
from theory.config import ACTIVATIONS
from theory.first_layer import EXACT_MAX_DIM
from theory.symbolic import DenseNTK, NTK, point_symbols

from ..claim import Claim, Context, Hypothesis
from ..decisions import DEFAULT_ALPHA, bonferroni, mean_decision
from ..verdict import CheckOutcome, Verdict, combine
from ._compare import REL_TOL, jackknife_alpha
from ._pairs import sample_pairs
from ._proofs import RESCALED_PROOF_MAX_DEPTH

__all__ = ["first_layer_claim", "spread_inputs", "MC_SAMPLES", "MC_AGREE_TOL"]

MC_SAMPLES = 1 << 14       # Monte Carlo mask rows per pair in part 3 (quick budget)
MC_SAMPLES_MAX = 1 << 16   # ... and at larger budgets
MC_AGREE_TOL = 0.05        # Monte Carlo interval within 5% of sqrt(Theta(x,x) Theta(y,y)) of exact
_ENTRIES = ((0, 0, "x,x"), (1, 1, "y,y"), (0, 1, "x,y"))


def _arch(p: dict, rescale: bool) -> Architecture:
    return Architecture.pruned(p["depth"], check_keep_prob(p["keep_prob"]), rescale=rescale,
                               prune_first_layer=True, activation=p["activation"])


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
    proofs = _proofs(int(p["depth"]), p["activation"])
    ok = all(proofs.values())
    plain = ("plain: prod s_h x dense (induction, base case K1 = s_1 x.x'); "
             if p["activation"] == "relu" else "plain erf: no multiple even in mean field; ")
    text = (f"mean-field form (the d0 -> infinity reference): {plain}"
            f"rescaled: the dense NTK, any activation")
    return CheckOutcome(Verdict.VERIFIED if ok else Verdict.INCONCLUSIVE, "symbolic",
                        text if ok else "a mean-field proof did not go through: " + text,
                        {"proofs": proofs})


# ------------------------------------------------------------------ numeric parts
def _not_a_multiple(context: Context, p: dict) -> CheckOutcome:
    d0 = int(p["d0"])
    pairs = sample_pairs(context.budget.input_pairs, d0, context.seed)
    data, parts, ok = {"d0": d0, "pairs": len(pairs)}, [], True
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
        parts.append(f"{name}: exact/dense in [{lo['ratio']:.4g}, {hi['ratio']:.4g}], gap to "
                     f"mean field up to {worst:.2g}" + ("" if good else " (within float error)"))
    return CheckOutcome(Verdict.VERIFIED if ok else Verdict.REFUTED, "numeric",
                        f"d0 = {d0}, {len(pairs)} pairs, exact enumeration: " + "; ".join(parts),
                        data)


def _gap_shrinks(context: Context, p: dict) -> CheckOutcome:
    grid = tuple(int(d) for d in p["d0_grid"])
    gaps = {}
    for name, rescale in (("plain", False), ("rescaled", True)):
        arch = _arch(p, rescale)
        gaps[name] = [first_layer_gap(arch, spread_inputs(d0), first_layer="exact").max_relative_gap
                      for d0 in grid]
    data = {"d0_grid": list(grid), "max_gap": gaps, "slope": {}}
    ok, parts = True, []
    for name, values in gaps.items():
        decreasing = all(b < a for a, b in zip(values, values[1:]))
        above = all(v > REL_TOL for v in values)
        ok = ok and decreasing and above
        slope = float(np.polyfit(np.log(grid), np.log(np.maximum(values, 1e-300)), 1)[0])
        data["slope"][name] = slope
        parts.append(f"{name} " + " > ".join(f"{v:.2g}" for v in values) +
                     f" (log-log slope {slope:.2f})" +
                     ("" if decreasing else " NOT decreasing") +
                     ("" if above else " (some within float error)"))
    return CheckOutcome(Verdict.VERIFIED if ok else Verdict.REFUTED, "numeric",
                        f"max gap to mean field at d0 = {', '.join(map(str, grid))}: "
                        + "; ".join(parts), data)


def _mc_agrees(context: Context, p: dict) -> CheckOutcome:
    d0 = int(p["mc_d0"])
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
    shown = (f"Monte Carlo vs exact at d0 = {d0} ({len(rows)} entries, {samples} mask rows): "
             f"max |z| = {zs[worst]:.2f} (critical {data['z_critical']:.2f})")
    if verdict is Verdict.REFUTED:
        data["worst"] = {"variant": name, "kind": kind, "entry": entry, "monte_carlo": m,
                         "stderr": se, "exact": e}
        shown += f": they disagree ({name}, {kind} pair, {entry}: {m:.6g} +- {se:.2g} vs {e:.6g})"
    elif verdict is not Verdict.VERIFIED:
        shown += f", but some intervals are wider than +-{MC_AGREE_TOL:g} of the pair's scale"
    return CheckOutcome(verdict, "statistical", shown, data, DEFAULT_ALPHA)


def _mc_plan(budget) -> tuple[int, int]:
    """(pairs, mask rows) of part 3: 4 pairs x 2^14 rows at the quick budget, 8 x 2^16 above.

    Few pairs keep the Bonferroni level mild, so that the intervals (about
    z_{1 - alpha/2m} standard errors wide) fit within MC_AGREE_TOL.
    """
    grow = max(1, int(budget.input_pairs) // 64)
    return min(8, 4 * grow), min(MC_SAMPLES_MAX, MC_SAMPLES * grow)


def _numeric(context: Context, p: dict) -> CheckOutcome:
    parts = (_not_a_multiple(context, p), _gap_shrinks(context, p), _mc_agrees(context, p))
    names = ("not_a_multiple", "gap_shrinks", "monte_carlo_agrees")
    data = {name: o.data for name, o in zip(names, parts)}
    data["parts"] = {name: o.verdict.value for name, o in zip(names, parts)}
    witness = parts[0].data.get("plain", {}).get("witness")
    if witness is not None:
        data["witness"] = witness
    path = context.figure_path("c5_gap_vs_d0")
    if path is not None:
        gs = parts[1].data
        plot_loglog(gs["d0_grid"], {f"{name} pruning": gs["max_gap"][name]
                                    for name in ("plain", "rescaled")}, path,
                    xlabel="input dimension d0 (inputs spread over all coordinates)",
                    ylabel="max relative gap, exact mask average vs mean field",
                    title=f"C5: masked first layer, depth {p['depth']}, "
                          f"keep_prob {p['keep_prob']}")
        data["figures"] = [str(path.with_suffix(".png").relative_to(context.out))]
    return CheckOutcome(combine(parts), "statistical", "; ".join(o.explanation for o in parts),
                        data, sum(o.error_rate for o in parts))


# ------------------------------------------------------------------ claim
def _summary(outcomes, p) -> str:
    for o in outcomes:
        d = o.data
        if "not_a_multiple" not in d:
            continue
        nm, gs, mc = d["not_a_multiple"], d["gap_shrinks"], d["monte_carlo_agrees"]
        lo, hi = nm["plain"]["ratio_range"]
        gaps = gs["max_gap"]["plain"]
        worst = max(nm[v]["max_gap_to_mean_field"] for v in ("plain", "rescaled"))
        grid = ",".join(map(str, gs["d0_grid"]))
        return (f"d0={nm['d0']}: exact/dense in [{lo:.3g}, {hi:.3g}] (plain), gap to mean field "
                f"<= {worst:.2g}; gap {' > '.join(f'{g:.2g}' for g in gaps)} at d0={grid} "
                f"(slope {gs['slope']['plain']:.2f}); MC vs exact max |z| {mc['max_abs_z']:.2f} "
                f"({mc['entries']} entries)")
    return "; ".join(o.explanation for o in outcomes)


def _int_in(value, lo: int, hi: int) -> bool:
    return (not isinstance(value, bool) and isinstance(value, Integral) and lo <= value <= hi)


def _hypotheses() -> tuple[Hypothesis, ...]:
    def depth_ok(p):
        d = p["depth"]
        return None if _int_in(d, 1, 10**6) else f"depth = {d!r}"

    def masked(p):
        try:
            q = check_keep_prob(p["keep_prob"])
        except InvalidArgument as exc:
            return f"keep_prob = {p['keep_prob']!r}: {exc.problem}"
        return None if q < 1 else "keep_prob = 1 masks nothing"

    def act_ok(p):
        return None if p["activation"] in ACTIVATIONS else f"activation = {p['activation']!r}"

    def dims_ok(p):
        grid = p["d0_grid"]
        if not _int_in(p["d0"], 2, EXACT_MAX_DIM):
            return (f"d0 = {p['d0']!r} (need 2..{EXACT_MAX_DIM}; d0 = 1 gives exactly the "
                    f"mean field)")
        if not _int_in(p["mc_d0"], 2, EXACT_MAX_DIM):
            return f"mc_d0 = {p['mc_d0']!r} (need 2..{EXACT_MAX_DIM})"
        if (not isinstance(grid, (tuple, list)) or len(grid) < 2
                or not all(_int_in(d, 2, EXACT_MAX_DIM) for d in grid)
                or any(b <= a for a, b in zip(grid, grid[1:]))):
            return f"d0_grid = {grid!r} (need >= 2 increasing integers in 2..{EXACT_MAX_DIM})"
        return None

    return (Hypothesis("depth L >= 1 (an integer)", depth_ok),
            Hypothesis("first layer masked: 0 < keep_prob < 1", masked),
            Hypothesis(f"activation in {{{', '.join(ACTIVATIONS)}}}", act_ok),
            Hypothesis(f"input dimensions within 2..{EXACT_MAX_DIM} (exact enumeration)", dims_ok))


def first_layer_claim(depth=2, keep_prob="1/2", *, activation: str = "relu", d0: int = 3,
                      d0_grid=(2, 4, 8, 16), mc_d0: int = 8, id: str = "C5",
                      title: str | None = None) -> Claim:
    """Claim C5: a masked first layer at fixed d0 gives a mask-averaged limit, no multiple of
    the dense NTK (plain or rescaled), approaching the mean-field form as d0 grows."""
    L = sp.Symbol("L", positive=True)
    x, xp = point_symbols()
    try:
        keep_prob = check_keep_prob(keep_prob)
    except InvalidArgument:
        pass
    params = {"depth": depth, "keep_prob": keep_prob, "activation": activation, "d0": d0,
              "d0_grid": tuple(d0_grid) if isinstance(d0_grid, (list, tuple)) else d0_grid,
              "mc_d0": mc_d0}
    return Claim(
        id=id,
        title=title or "Masked first layer at fixed d0: the limit is a mask average, no multiple "
                       "of the dense NTK",
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
        description=("With the first layer masked and d0 fixed, each neuron's first-layer "
                     "covariance sum_j M_ij x_j x'_j stays random at infinite width, so the "
                     "limit averages over the mask row; the mean-field form K1 = s_1 x.x' (a "
                     "multiple of the dense NTK for ReLU) is its d0 -> infinity idealisation "
                     "for inputs spread over all coordinates."),
        summarize=_summary)
