"""Comparisons of a pruned limit NTK with a multiple of the dense one (claims C1, C2, C5).

:func:`compare_with_dense` compares float64 kernels on sampled input pairs
(exact entries at ``REL_TOL``, Monte Carlo entries by a Bonferroni-split z rule
with :func:`jackknife_alpha`), :func:`multiprecision_check` compares three fixed
entries with mpmath at ``MP_DPS`` digits; :func:`witness_of` picks a refutation's
witness and :func:`short_vector` shows a vector on one line.  The thresholds are
explained in :mod:`proofs_check.claims.paper.c1_scaling`.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

import mpmath
import numpy as np
from scipy import stats

from theory import Architecture, limit_kernel, limit_kernel_mp
from theory.kernels.first_layer import JACKKNIFE_GROUPS
from theory.texprint import number_latex

from ...claim import Context
from ...decisions import DEFAULT_ALPHA, bonferroni, mean_decision
from ...verdict import CheckOutcome, Verdict
from ._pairs import PAIR_KINDS, _mask_plan, sample_pairs, witness_inputs

__all__ = ["compare_with_dense", "comparison_text", "comparison_numbers", "multiprecision_check",
           "witness_of", "short_vector", "num",
           "jackknife_alpha", "REL_TOL", "FLOAT_ERROR", "MP_DPS", "MP_TOL", "MC_REL_TOL"]

FLOAT_ERROR = 2.1e-14   # |pruned - c dense| / |c dense| of a true identity: 2 x 1e-14 + rounding
REL_TOL = 1e-12         # float64 decision threshold (50 x FLOAT_ERROR)
MP_DPS = 30             # digits of the multiprecision checks (adaptive working precision)
MP_TOL = 1e-20          # their decision threshold (errors are about 1e-30)
MC_REL_TOL = 1e-3       # a Monte Carlo entry "verifies" only if its CI lies within 0.1% of the
#                         pair's scale |q^k| sqrt(dense(x, x) dense(y, y)), which bounds |target|


def jackknife_alpha(alpha: float) -> float:
    """The level to give a z rule so that it rejects at level ``alpha`` under Student's t.

    A grouped jackknife standard error from G = JACKKNIFE_GROUPS groups has G - 1
    degrees of freedom, so (mean - target) / stderr is about t_{G-1}, whose tails are
    heavier than the normal's; a z rule at the returned level has the t rule's
    critical value (3.53 becomes 3.95 for alpha = 0.01/24 and G = 32).

    >>> round(float(stats.norm.isf(jackknife_alpha(0.01) / 2)), 3)
    2.744
    """
    critical = stats.t.isf(alpha / 2, JACKKNIFE_GROUPS - 1)
    return float(2 * stats.norm.sf(critical))


def _rel(p, t) -> float:
    """|p - t| / max(|p|, |t|) in mpmath (no overflow); 0 when both are zero."""
    p, t = mpmath.mpf(p), mpmath.mpf(t)
    scale = max(abs(p), abs(t))
    return 0.0 if scale == 0 else float(abs(p - t) / scale)


def _vec(v) -> list[float]:
    return [float(a) for a in v]


def compare_with_dense(arch: Architecture, factor, factor_text: str, context: Context, *,
                       d0: int, label: str = "pruned") -> CheckOutcome:
    """Numeric check of ``NTK(arch) == factor x dense NTK`` on sampled input pairs.

    ``factor`` is an mpmath-convertible number (q^k, or 1 for claim C2) and
    ``factor_text`` how it is shown.  Exact entries are compared at ``REL_TOL``,
    Monte Carlo entries by a Bonferroni-split z rule; see the module docstring.
    """
    n, samples = _mask_plan(arch, d0, context.budget)
    pairs = sample_pairs(n, d0, context.seed)
    c = mpmath.mpf(factor) if not isinstance(factor, Fraction) else \
        mpmath.mpf(factor.numerator) / factor.denominator
    exact_rows, mc_rows, methods = [], [], set()
    for i, (x, y, kind) in enumerate(pairs):
        Z = np.stack([x, y])
        pk = limit_kernel(arch, Z, mask_samples=samples, seed=int(context.seed) * 7919 + i)
        dk = limit_kernel(arch.dense(), Z)
        methods.add(pk.method)
        for a, b, entry in ((0, 0, "x,x"), (1, 1, "y,y"), (0, 1, "x,y")):
            scale = abs(c) * math.sqrt(float(dk.ntk[a, a] * dk.ntk[b, b]))  # bounds |target|
            p, d = float(pk.ntk[a, b]), float(dk.ntk[a, b])
            target = c * d
            row = {"x": x, "y": y, "kind": kind, "entry": entry, "pruned_ntk": p,
                   "dense_ntk": d, "claimed_ntk": float(target), "scale": float(scale)}
            if pk.ntk_stderr is None:
                row["relative_difference"] = _rel(p, target)
                exact_rows.append(row)
            else:
                row["stderr"] = float(pk.ntk_stderr[a, b])
                mc_rows.append(row)
    data = {"pairs": len(pairs), "entries": len(exact_rows) + len(mc_rows),
            "exact_entries": len(exact_rows), "monte_carlo_entries": len(mc_rows),
            "pair_kinds": {k: sum(1 for *_, kk in pairs if kk == k) for k in PAIR_KINDS},
            "factor": factor_text, "tolerance": REL_TOL, "float_error_bound": FLOAT_ERROR,
            "methods": sorted(methods), "seed": context.seed}
    parts, refuted, verified = [], False, True
    witness = None
    if exact_rows:
        worst = max(exact_rows, key=lambda r: r["relative_difference"])
        data["max_rel_diff"] = worst["relative_difference"]
        if worst["relative_difference"] > REL_TOL:
            refuted, verified = True, False
            witness = _witness_row(worst, factor_text)
            parts.append(f"{label} NTK $\\ne {_tex(factor_text)} \\times$ dense at a "
                         f"{worst['kind']} pair ({worst['entry']}): {worst['pruned_ntk']:.6g} vs "
                         f"{worst['claimed_ntk']:.6g}, relative difference "
                         f"${num(worst['relative_difference'])} > {num(REL_TOL)}$")
        else:
            parts.append(f"max relative difference ${num(worst['relative_difference'])} \\le "
                         f"{num(REL_TOL)}$ over {len(exact_rows)} exact entries")
        spread = _ratio_spread(exact_rows)
        if spread is not None:
            data["ratio_range"] = [spread[0]["ratio"], spread[1]["ratio"]]
            if spread[2] > 2 * REL_TOL:
                data["not_a_multiple"] = True
                parts.append(f"the ratio {label}/dense ranges over [{spread[0]['ratio']:.6g}, "
                             f"{spread[1]['ratio']:.6g}]: no factor fits every pair")
                if witness is not None:
                    witness["ratios"] = [_ratio_row(r) for r in spread[:2]]
    if mc_rows:
        alpha_each = bonferroni(DEFAULT_ALPHA, len(mc_rows))
        decisions = [mean_decision(r["pruned_ntk"], r["stderr"], r["claimed_ntk"],
                                   MC_REL_TOL * r["scale"], jackknife_alpha(alpha_each))
                     for r in mc_rows]
        zs = [abs(o.data["z"]) for o in decisions]
        worst_i = int(np.argmax(zs))
        data.update({"alpha": DEFAULT_ALPHA, "alpha_per_entry": alpha_each,
                     "z_critical": decisions[0].data["z_critical"], "max_abs_z": zs[worst_i],
                     "mask_samples": samples, "monte_carlo_tolerance": MC_REL_TOL})
        if any(o.verdict is Verdict.REFUTED for o in decisions):
            refuted, verified = True, False
            if witness is None:
                witness = _witness_row(mc_rows[worst_i], factor_text)
                witness["z"] = decisions[worst_i].data["z"]
            parts.append(f"Monte Carlo: $|z| = {zs[worst_i]:.1f} > "
                         f"{decisions[0].data['z_critical']:.2f}$ (Bonferroni over "
                         f"{len(mc_rows)} entries, $\\alpha = {DEFAULT_ALPHA:g}$)")
        else:
            ok = all(o.verdict is Verdict.VERIFIED for o in decisions)
            verified = verified and ok
            parts.append(f"Monte Carlo: max $|z| = {zs[worst_i]:.2f}$ over {len(mc_rows)} "
                         "entries" + ("" if ok else f", but intervals wider than "
                                                   f"$\\pm {num(MC_REL_TOL)}$ of the pair's scale"))
    if witness is not None:
        data["witness"] = witness
    verdict = Verdict.REFUTED if refuted else Verdict.VERIFIED if verified else Verdict.INCONCLUSIVE
    text = f"{len(pairs)} pairs, $d_0 = {d0}$: " + "; ".join(parts)
    return CheckOutcome(verdict, "statistical" if mc_rows else "numeric", text, data,
                        DEFAULT_ALPHA if mc_rows else 0.0)


def _ratio_spread(rows):
    usable = [dict(r, ratio=r["pruned_ntk"] / r["dense_ntk"]) for r in rows if r["dense_ntk"] != 0]
    if len(usable) < 2:
        return None
    lo = min(usable, key=lambda r: r["ratio"])
    hi = max(usable, key=lambda r: r["ratio"])
    scale = max(abs(lo["ratio"]), abs(hi["ratio"]))
    return lo, hi, 0.0 if scale == 0 else (hi["ratio"] - lo["ratio"]) / scale


def _ratio_row(r) -> dict:
    return {"x": _vec(r["x"]), "y": _vec(r["y"]), "entry": r["entry"], "ratio": r["ratio"]}


def _witness_row(r, factor_text: str) -> dict:
    out = {"x": _vec(r["x"]), "y": _vec(r["y"]), "entry": r["entry"], "kind": r["kind"],
           "pruned_ntk": r["pruned_ntk"], "claimed_ntk": r["claimed_ntk"],
           "dense_ntk": r["dense_ntk"], "claimed_factor": factor_text}
    if "relative_difference" in r:
        out["relative_difference"] = r["relative_difference"]
    else:
        out["stderr"] = r["stderr"]
        out["relative_difference"] = _rel(r["pruned_ntk"], r["claimed_ntk"])
    return out


def multiprecision_check(arch: Architecture, factor, factor_text: str, d0: int, *,
                         label: str = "pruned") -> CheckOutcome:
    """``NTK(arch) == factor x dense`` at three fixed entries, with mpmath at 30 digits.

    The inputs use at most three coordinates, so a masked first layer is averaged
    exactly over at most 8 mask patterns for any d0.  A relative difference above
    ``MP_TOL`` (1e-20; the evaluation error is about 1e-30) refutes the claim.
    """
    rows = []
    with mpmath.workdps(MP_DPS + 10):
        c = mpmath.mpf(factor.numerator) / factor.denominator if isinstance(factor, Fraction) \
            else mpmath.mpf(factor)
        for x, y in witness_inputs(d0):
            p = limit_kernel_mp(arch, x, y, dps=MP_DPS, first_layer="exact").ntk
            d = limit_kernel_mp(arch.dense(), x, y, dps=MP_DPS).ntk
            t = c * d
            scale = max(abs(p), abs(t))
            rel = abs(p - t) / scale if scale != 0 else mpmath.mpf(0)
            rows.append({"x": _vec(x), "y": _vec(y), "entry": "x,y", "pruned_ntk": float(p),
                         "claimed_ntk": float(t), "dense_ntk": float(d),
                         "relative_difference": float(rel),
                         "ratio": float(p / d) if d != 0 else None})
    worst = max(rows, key=lambda r: r["relative_difference"])
    first = ("first layer masked: exact mask average" if arch.first_layer_masked
             else "first layer dense")
    data = {"digits": MP_DPS, "tolerance": MP_TOL, "entries": rows, "factor": factor_text,
            "method": f"mpmath, {first}"}
    if worst["relative_difference"] > MP_TOL:
        data["witness"] = {**{k: worst[k] for k in ("x", "y", "entry", "pruned_ntk",
                                                    "claimed_ntk", "dense_ntk",
                                                    "relative_difference")},
                           "claimed_factor": factor_text,
                           "ratios": [{"x": r["x"], "y": r["y"], "entry": r["entry"],
                                       "ratio": r["ratio"]} for r in rows]}
        return CheckOutcome(Verdict.REFUTED, "numeric",
                            f"mpmath ({MP_DPS} digits, {first}): at "
                            f"x = {short_vector(worst['x'])}, y = {short_vector(worst['y'])} "
                            f"the {label} NTK is "
                            f"{worst['pruned_ntk']:.6g}, ${_tex(factor_text)} \\times$ dense is "
                            f"{worst['claimed_ntk']:.6g} (relative difference "
                            f"${num(worst['relative_difference'])}$)", data)
    return CheckOutcome(Verdict.VERIFIED, "numeric",
                        f"mpmath ({MP_DPS} digits, {first}): {label} NTK $= {_tex(factor_text)} "
                        f"\\times$ dense to ${num(worst['relative_difference'], 1)}$ at "
                        f"{len(rows)} entries", data)


def comparison_text(d: dict, pairs: str) -> str:
    """Short evidence text of a :func:`compare_with_dense` result; ``pairs`` names the pairs
    (e.g. "64 pairs")."""
    text = pairs
    if "max_rel_diff" in d:
        text = f"max rel diff ${num(d['max_rel_diff'])}$ over " + text
    if "max_abs_z" in d:
        text += f", MC max $|z| = {d['max_abs_z']:.2f}$"
    if d.get("not_a_multiple"):
        lo, hi = d["ratio_range"]
        text += f", ratio in [{lo:.4g}, {hi:.4g}]"
    return text


def _tex(factor_text: str) -> str:
    """A factor as the claims write it in data (``q^3``, ``q^5/2``, ``1``) as LaTeX.

    >>> _tex("q^5/2"), _tex("1")
    ('q^{5/2}', '1')
    """
    return re.sub(r"\^(\S+)", r"^{\1}", factor_text)


def num(value, digits: int = 2) -> str:
    r"""A number as LaTeX for evidence text (``m \cdot 10^{e}`` when small or large).

    >>> num(5.04e-16), num(0.25), num(1e-12)
    ('5 \\cdot 10^{-16}', '0.25', '1 \\cdot 10^{-12}')
    """
    return number_latex(value, digits)


def comparison_numbers(d: dict) -> list[tuple[str, object]]:
    """Key numbers of a :func:`compare_with_dense` or :func:`multiprecision_check` result."""
    if "digits" in d:
        worst = max(r["relative_difference"] for r in d["entries"])
        return [("mpmath entries compared", len(d["entries"])),
                ("working digits", d["digits"]),
                ("largest relative difference", worst),
                ("decision threshold", d["tolerance"])]
    out = [("input pairs (generic, near $\\pm$ parallel, sparse)", d["pairs"]),
           ("kernel entries compared", d["entries"])]
    if d.get("monte_carlo_entries"):
        out.append(("of them Monte Carlo mask averages", d["monte_carlo_entries"]))
    if "max_rel_diff" in d:
        out.append(("largest relative difference", d["max_rel_diff"]))
    out += [("decision threshold (relative)", d["tolerance"]),
            ("float64 error bound of a true identity", d["float_error_bound"])]
    if "ratio_range" in d:
        out.append(("range of pruned / dense", d["ratio_range"]))
    if "max_abs_z" in d:
        out.append(("Monte Carlo: largest $|z|$", d["max_abs_z"]))
    return out


def short_vector(v) -> str:
    """A vector for one line: trailing zeros collapsed, e.g. ``(1, 0.5, 0, ... 0)``."""
    v = [float(a) for a in v]
    last = max((i for i, a in enumerate(v) if a != 0), default=0)
    shown = ", ".join(f"{a:.4g}" for a in v[:max(last + 1, 1)])
    if last + 1 < len(v) - 1:
        shown += f", 0 x {len(v) - last - 1}"
    elif last + 1 == len(v) - 1:
        shown += ", 0"
    return "(" + shown + ")"


def witness_of(outcomes) -> dict | None:
    """The witness of the first refuting check, if any (else of any check)."""
    ordered = [o for o in outcomes if o.verdict is Verdict.REFUTED] + list(outcomes)
    for o in ordered:
        if "witness" in o.data:
            return o.data["witness"]
    return None
