"""Claim C1: the pruned limit NTK equals q^k times the dense limit NTK.

:func:`scaling_claim` builds the claim for one architecture (depth L, one keep
probability q for every masked layer, plain or rescaled pruning, dense or masked
first layer, ReLU or erf, input dimension d0) and a claimed exponent k.  The
registry's C1 is ``scaling_claim(3, "1/2", 3)``: plain ReLU pruning of layers
2..L+1 scales the NTK by q^L.  :func:`theory_exponent` gives the exponent the
theory predicts.

How it is decided (both checks always run; any refutation wins):

* **symbolic**, where the theory is exact - a dense first layer and either a
  positively homogeneous activation (ReLU) or every hidden layer unscaled
  (rescaled pruning, q = 1, or only the output layer masked): the ratio is the
  exact product prod_h s_h = q^m (m = number of layers with s_h = q), proved for
  every L by :func:`theory.prove_scaling_induction` and by full expansion for
  L = 1..10 (:func:`theory.prove_scaling_expansion`), or by
  :func:`theory.prove_rescaled_equals_dense` when every s_h = 1.  Since
  t -> q^t is strictly decreasing for 0 < q < 1, q^k = q^m exactly iff k = m
  (exact rational comparison); with q = 1 every k is true.  For erf with plain
  pruning of hidden layers the ratio is not constant (:func:`theory.erf_witness`,
  60-digit closed forms, for L <= 6; deeper, the mpmath entries below), so no
  exponent is right.  With a masked first layer the
  limit is the exact mask average (claim C5), evaluated with mpmath at 30 digits
  on three entries whose inputs use at most three coordinates (the others are zero,
  so the average is exact at any d0).
* **numeric**: float64 limit kernels of the pruned and the dense network on
  ``budget.input_pairs`` sampled pairs (seeded by ``context.seed``: generic
  pairs, pairs 1e-3..1e-9 rad from parallel and from antiparallel, pairs on two
  coordinates; norms from 10^-1.5 to 10^1.5), each pair giving the entries
  (x, x), (y, y), (x, y).  Every entry is accurate to 1e-14 relative (README,
  ``tests/test_kernels_accuracy.py``, ``tests/test_first_layer.py``), so the
  relative difference of a true identity is at most about 2.1e-14 (two kernels
  and one rounding of q^k).  An entry is a contradiction when it exceeds
  ``REL_TOL`` = 1e-12 - fifty times that bound, so exact entries never refute a
  true claim, and "verified" means equal to 1e-12.  With a masked first layer and
  more than 16 non-zero coordinates the mask average is a Monte Carlo estimate
  with a grouped-jackknife standard error (31 degrees of freedom); those entries
  are tested by :func:`~proofs_check.decisions.mean_decision` at ``DEFAULT_ALPHA``
  split over the entries (Bonferroni), with the z critical value raised to
  Student's t_31 one (:func:`jackknife_alpha`), so the check's false-alarm rate is
  at most 1%.

>>> from proofs_check.claim import Context
>>> r = scaling_claim(2, "1/2", 2).run(Context())
>>> r.verdict.value
'verified'
>>> print(r.key_evidence)
exact: q^2 = prod s_h = 1/4 (induction for every L, expansion L=1..10); max rel diff 0 over 64 pairs
>>> scaling_claim(2, "1/2", 3).run(Context()).verdict.value
'refuted'
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction
from numbers import Integral, Real

import mpmath
import numpy as np
import sympy as sp
from scipy import stats

from theory import (Architecture, erf_witness, limit_kernel, limit_kernel_mp,
                    prove_rescaled_equals_dense, prove_scaling_expansion,
                    prove_scaling_induction, theory_scale_factor)
from theory._errors import InvalidArgument, check_keep_prob
from theory.config import ACTIVATIONS
from theory.first_layer import EXACT_MAX_DIM, JACKKNIFE_GROUPS
from theory.symbolic import DenseNTK, NTK, point_symbols

from ..claim import Claim, Context, Hypothesis
from ..decisions import DEFAULT_ALPHA, bonferroni, mean_decision
from ..verdict import CheckOutcome, Verdict

__all__ = ["scaling_claim", "theory_exponent", "sample_pairs", "compare_with_dense",
           "multiprecision_check", "witness_of", "REL_TOL", "FLOAT_ERROR", "MP_TOL",
           "MC_REL_TOL", "PAIR_KINDS", "short_vector", "as_exponent", "rescaled_proof",
           "jackknife_alpha",
           "RESCALED_PROOF_MAX_DEPTH"]

FLOAT_ERROR = 2.1e-14   # |pruned - c dense| / |c dense| of a true identity: 2 x 1e-14 + rounding
REL_TOL = 1e-12         # float64 decision threshold (50 x FLOAT_ERROR)
MP_DPS = 30             # digits of the multiprecision checks (adaptive working precision)
MP_TOL = 1e-20          # their decision threshold (errors are about 1e-30)
MC_REL_TOL = 1e-3       # a Monte Carlo entry "verifies" only if its CI lies within 0.1% of the
#                         pair's scale |q^k| sqrt(dense(x, x) dense(y, y)), which bounds |target|
PAIR_KINDS = ("generic", "near-parallel", "near-antiparallel", "sparse")
_EXPANSION_DEPTH = 10   # prove_scaling_expansion always covers L = 1..10
_EXPANSION_MAX = 30     # and the claim's own depth up to this (about 0.3 s at L = 20)
RESCALED_PROOF_MAX_DEPTH = 100
_ERF_WITNESS_MAX_DEPTH = 6   # erf_witness takes about 0.7 s at L = 6 and grows quickly
_WITNESS_X = (1.0, 0.5, -0.3)
_WITNESS_YS = ((0.2, -1.0, 0.7), (0.6, 0.8, 0.0))


# ------------------------------------------------------------------ parameters
def as_exponent(value, argument: str = "exponent") -> Fraction:
    """A finite real exponent as an exact fraction (strings like "5/2" or "2.5" exactly).

    >>> as_exponent("5/2"), as_exponent(3), as_exponent(0.5)
    (Fraction(5, 2), Fraction(3, 1), Fraction(1, 2))
    """
    try:
        if isinstance(value, bool):
            raise TypeError
        if isinstance(value, Fraction):
            return value
        if isinstance(value, str):
            return Fraction(value.strip())
        if isinstance(value, Real) and math.isfinite(float(value)):
            return Fraction(value) if isinstance(value, (Integral, float)) else Fraction(str(value))
        if isinstance(value, sp.Rational):
            return Fraction(int(value.p), int(value.q))
        raise ValueError
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        raise InvalidArgument(argument, value, "not a finite number",
                              "give the exponent k as a number, e.g. 3, 2.5 or 5/2") from None


def theory_exponent(depth: int, *, prune_first_layer: bool = False, rescale: bool = False) -> int:
    """The k with limit NTK = q^k x dense NTK: the number of layers scaled by q.

    Plain pruning: L (layers 2..L+1) or L + 1 with the first layer masked (then
    only in the mean-field idealisation, see claim C5); rescaled pruning: 0.

    >>> theory_exponent(3), theory_exponent(3, prune_first_layer=True)
    (3, 4)
    >>> theory_exponent(3, rescale=True)
    0
    """
    if rescale:
        return 0
    return int(depth) + (1 if prune_first_layer else 0)


def _int_problem(value, name: str, minimum: int):
    if isinstance(value, bool) or not isinstance(value, Integral):
        return f"{name} = {value!r} is not an integer"
    return None if value >= minimum else f"{name} = {value!r} < {minimum}"


def _keep_prob_problem(p):
    try:
        check_keep_prob(p["keep_prob"])
    except InvalidArgument as exc:
        return f"keep_prob = {p['keep_prob']!r}: {exc.problem}"
    return None


def _exponent_problem(p):
    try:
        as_exponent(p["exponent"])
    except InvalidArgument:
        return f"exponent = {p['exponent']!r}"
    return None


def _activation_problem(p):
    act = p["activation"]
    return None if act in ACTIVATIONS else f"activation = {act!r}"


def common_hypotheses() -> tuple[Hypothesis, ...]:
    """depth >= 1, 0 < keep_prob <= 1, a known activation, d0 >= 1 (shared with C2)."""
    return (Hypothesis("depth L >= 1 (an integer)", lambda p: _int_problem(p["depth"], "depth", 1)),
            Hypothesis("0 < keep_prob <= 1", _keep_prob_problem),
            Hypothesis(f"activation in {{{', '.join(ACTIVATIONS)}}}", _activation_problem),
            Hypothesis("input dimension d0 >= 1 (an integer)",
                       lambda p: _int_problem(p["d0"], "d0", 1)))


def keep_prob_param(value):
    """``value`` as an exact keep probability when valid, else as given (reported at run time)."""
    try:
        return check_keep_prob(value)
    except InvalidArgument:
        return value


def architecture(p: dict, *, rescale=None) -> Architecture:
    """The claim's architecture from its (validated) parameters."""
    return Architecture.pruned(p["depth"], check_keep_prob(p["keep_prob"]),
                               rescale=p.get("rescale", False) if rescale is None else rescale,
                               prune_first_layer=p["prune_first_layer"],
                               activation=p["activation"])


# ------------------------------------------------------------------ sampled inputs
def sample_pairs(n: int, d0: int, seed: int) -> list[tuple[np.ndarray, np.ndarray, str]]:
    """``n`` input pairs (x, y, kind) of dimension ``d0``, cycling through PAIR_KINDS.

    generic: independent Gaussian directions; near-parallel / near-antiparallel:
    y at 1e-3..1e-9 rad from +-x (for d0 = 1 exactly +-x); sparse: both on the same
    two random coordinates (d0 >= 3; otherwise generic).  Norms are 10^U(-1.5, 1.5),
    drawn independently for x and y.

    >>> [k for _, _, k in sample_pairs(5, 3, seed=0)]
    ['generic', 'near-parallel', 'near-antiparallel', 'sparse', 'generic']
    """
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), int(d0), 20230401]))
    out = []
    for i in range(int(n)):
        kind = PAIR_KINDS[i % len(PAIR_KINDS)]
        if kind == "sparse" and d0 < 3:
            kind = "generic"
        u = _unit(rng.normal(size=d0))
        if kind == "generic":
            v = _unit(rng.normal(size=d0))
        elif kind == "sparse":
            u, v = np.zeros(d0), np.zeros(d0)
            support = rng.choice(d0, size=2, replace=False)
            u[support], v[support] = rng.normal(size=2), rng.normal(size=2)
            u, v = _unit(u), _unit(v)
        else:
            sign = 1.0 if kind == "near-parallel" else -1.0
            if d0 == 1:
                v = sign * u
            else:
                delta = 10.0 ** -rng.integers(3, 10)
                w = rng.normal(size=d0)
                w = _unit(w - (w @ u) * u)
                v = sign * (math.cos(delta) * u + math.sin(delta) * w)
        nx, ny = 10.0 ** rng.uniform(-1.5, 1.5, size=2)
        out.append((nx * u, ny * v, kind))
    return out


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


def witness_inputs(d0: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Fixed inputs on the first min(d0, 3) coordinates: (x, y1), (x, y2), (x, x)."""
    k = min(int(d0), 3)

    def pad(v):
        out = np.zeros(int(d0))
        out[:k] = v[:k]
        return out

    x = pad(_WITNESS_X)
    return [(x, pad(y)) for y in _WITNESS_YS] + [(x, x.copy())]


def _mask_plan(arch: Architecture, d0: int, budget) -> tuple[int, int | None]:
    """(number of pairs, Monte Carlo mask rows) so that a check stays within its budget.

    A dense first layer costs little per pair; a masked one costs 2^d0 mask patterns
    (d0 <= 16) or the Monte Carlo rows, times about max(d0, 8)/8.  The total is kept
    below input_pairs x 2^14 such units (about 2.5 s at the quick budget), with at
    least 8 pairs.
    """
    pairs = int(budget.input_pairs)
    if not arch.first_layer_masked:
        return pairs, None
    samples = int(min(1 << 14, 4096 * max(1, pairs // 64)))
    patterns = (1 << d0) if d0 <= EXACT_MAX_DIM else samples
    cost = patterns * max(d0, 8) / 8
    return int(min(pairs, max(8, (pairs << 14) // cost))), samples


# ------------------------------------------------------------------ numeric comparison
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
            parts.append(f"{label} NTK != {factor_text} x dense at a {worst['kind']} pair "
                         f"({worst['entry']}): {worst['pruned_ntk']:.6g} vs "
                         f"{worst['claimed_ntk']:.6g}, relative difference "
                         f"{worst['relative_difference']:.2g} > {REL_TOL:g}")
        else:
            parts.append(f"max relative difference {worst['relative_difference']:.2g} <= "
                         f"{REL_TOL:g} over {len(exact_rows)} exact entries")
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
            parts.append(f"Monte Carlo: |z| = {zs[worst_i]:.1f} > "
                         f"{decisions[0].data['z_critical']:.2f} (Bonferroni over "
                         f"{len(mc_rows)} entries, alpha = {DEFAULT_ALPHA:g})")
        else:
            ok = all(o.verdict is Verdict.VERIFIED for o in decisions)
            verified = verified and ok
            parts.append(f"Monte Carlo: max |z| = {zs[worst_i]:.2f} over {len(mc_rows)} entries"
                         + ("" if ok else f", but intervals wider than +-{MC_REL_TOL:g} "
                                       "of the pair's scale"))
    if witness is not None:
        data["witness"] = witness
    verdict = Verdict.REFUTED if refuted else Verdict.VERIFIED if verified else Verdict.INCONCLUSIVE
    text = f"{len(pairs)} pairs, d0 = {d0}: " + "; ".join(parts)
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
                            f"{worst['pruned_ntk']:.6g}, {factor_text} x dense is "
                            f"{worst['claimed_ntk']:.6g} (relative difference "
                            f"{worst['relative_difference']:.2g})", data)
    return CheckOutcome(Verdict.VERIFIED, "numeric",
                        f"mpmath ({MP_DPS} digits, {first}): {label} NTK = {factor_text} x dense "
                        f"to {worst['relative_difference']:.1g} at {len(rows)} entries", data)


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


# ------------------------------------------------------------------ symbolic check
@functools.lru_cache(maxsize=None)
def _induction(activation: str):
    return prove_scaling_induction(activation)


@functools.lru_cache(maxsize=None)
def _expansion(depth_max: int, depth_min: int = 1, activation: str = "relu"):
    return prove_scaling_expansion(depth_max, activation=activation, depth_min=depth_min)


@functools.lru_cache(maxsize=None)
def _rescaled_proof_at(depth: int):
    return prove_rescaled_equals_dense(depth)          # generic V, Vdot: any activation


def rescaled_proof(depth: int):
    """:func:`theory.prove_rescaled_equals_dense` at min(depth, RESCALED_PROOF_MAX_DEPTH).

    Its induction step (s V - V = 0 for s = r^2 q = 1) covers every depth; the
    structural comparison of the depth-L kernels is done up to L = 100 (SymPy's
    structural comparison of the nested kernels stalls somewhere between L = 140
    and L = 170).  Returns (proof, depth proved at).
    """
    at = min(int(depth), RESCALED_PROOF_MAX_DEPTH)
    return _rescaled_proof_at(at), at


def scale_proof(arch: Architecture) -> tuple[bool, str, dict]:
    """Prove ``NTK(arch) = prod_h s_h x dense`` (dense first layer); returns (holds, text, data).

    Every s_h = 1 (rescaled, or q = 1): :func:`theory.prove_rescaled_equals_dense`
    with generic dual maps.  ReLU: induction (every L) and expansion L = 1..10 (and
    the claim's own L up to 30).  Only the output layer scaled (L = 1, any
    activation): the expansion at that depth.
    """
    if all(s == 1 for s in arch.layer_scales()):
        proof, at = rescaled_proof(arch.depth)
        return (proof.holds, f"every s_h = 1: pruned = dense for any activation "
                             f"(generic V, Vdot; induction step, kernels compared at L={at})",
                {"proofs": {"rescaled_equals_dense": proof.holds},
                 "proof_seconds": proof.elapsed})
    if arch.activation == "relu":
        ind, exp = _induction("relu"), _expansion(_EXPANSION_DEPTH)
        proofs = {"induction": ind.holds, f"expansion_L1_{_EXPANSION_DEPTH}": exp.holds}
        seconds = ind.elapsed + exp.elapsed
        text = f"induction for every L, expansion L=1..{_EXPANSION_DEPTH}"
        if _EXPANSION_DEPTH < arch.depth <= _EXPANSION_MAX:
            own = _expansion(arch.depth, arch.depth)
            proofs[f"expansion_L{arch.depth}"] = own.holds
            seconds += own.elapsed
            text += f" and L={arch.depth}"
        return all(proofs.values()), text, {"proofs": proofs, "proof_seconds": seconds}
    own = _expansion(arch.depth, arch.depth, arch.activation)
    return (own.holds, f"only the output layer is scaled: full expansion at L={arch.depth}",
            {"proofs": {f"expansion_L{arch.depth}_{arch.activation}": own.holds},
             "proof_seconds": own.elapsed})


def _masked_power(arch: Architecture) -> int:
    """m with prod_h s_h = q^m (one keep probability q on every masked layer)."""
    scales = arch.layer_scales()
    return sum(1 for s in scales if s != 1)


def _symbolic(context: Context, p: dict) -> CheckOutcome:
    arch = architecture(p)
    q, k = check_keep_prob(p["keep_prob"]), as_exponent(p["exponent"])
    claimed = f"q^{k}"
    c = _power_mp(q, k)
    if arch.first_layer_masked:
        return multiprecision_check(arch, c, claimed, p["d0"])
    factor = theory_scale_factor(arch)
    if factor is None:
        return _not_a_multiple(arch, q, k, p["d0"])
    holds, proof_text, data = scale_proof(arch)
    m = _masked_power(arch)
    holds = holds and factor == q ** m       # one keep probability: prod s_h is a power of q
    data.update({"scale_factor": factor, "theory_exponent": m, "exponent": k, "keep_prob": q,
                 "proof": proof_text})
    if not holds:
        return CheckOutcome(Verdict.INCONCLUSIVE, "symbolic",
                            f"the symbolic proof did not go through ({proof_text})", data)
    if q == 1:
        return CheckOutcome(Verdict.VERIFIED, "symbolic",
                            f"q = 1: nothing is pruned, q^k = 1 = prod s_h for every k "
                            f"({proof_text})", data)
    if k == m:
        return CheckOutcome(Verdict.VERIFIED, "symbolic",
                            f"q^{k} = prod s_h = {factor} exactly ({proof_text})", data)
    data["witness"] = _exact_witness(arch, q, k, factor, p["d0"])
    return CheckOutcome(Verdict.REFUTED, "symbolic",
                        f"the limit is prod s_h = q^{m} = {factor} times dense ({proof_text}), "
                        f"and q^{k} != q^{m} since q = {q} < 1 and k != {m}", data)


def _power_mp(q: Fraction, k: Fraction):
    with mpmath.workdps(MP_DPS + 10):
        return mpmath.power(mpmath.mpf(q.numerator) / q.denominator,
                            mpmath.mpf(k.numerator) / k.denominator)


def _exact_witness(arch, q, k, factor, d0) -> dict:
    x, y = witness_inputs(d0)[0]
    Z = np.stack([x, y])
    p = float(limit_kernel(arch, Z).ntk[0, 1])
    d = float(limit_kernel(arch.dense(), Z).ntk[0, 1])
    claimed = _power_mp(q, k) * d
    return {"x": _vec(x), "y": _vec(y), "entry": "x,y", "pruned_ntk": p,
            "claimed_ntk": float(claimed), "dense_ntk": d, "claimed_factor": f"q^{k}",
            "relative_difference": _rel(p, claimed), "exact_ratio": factor}


def _not_a_multiple(arch, q, k, d0) -> CheckOutcome:
    """erf, plain pruning of a hidden layer: the ratio pruned/dense is not constant."""
    if d0 < 2 or arch.depth > _ERF_WITNESS_MAX_DEPTH:
        # d0 = 1: no angle between inputs, the mpmath entries compare norms instead;
        # deep nets: erf_witness expands the closed forms symbolically (seconds at L = 10)
        return multiprecision_check(arch, _power_mp(q, k), f"q^{k}", d0)
    w = erf_witness(arch.depth, q, n_angles=8, dps=2 * MP_DPS)
    r_diag, r_angle = (w.data["ratios"][name] for name in ("x = x'", "angle pi/3"))
    x = np.zeros(d0)
    x[0] = 1.0
    y = np.zeros(d0)
    y[:2] = (0.5, math.sqrt(3.0) / 2)
    data = {"erf_witness_holds": w.holds, "ratio_diagonal": float(r_diag),
            "ratio_angle_pi_3": float(r_angle), "difference": float(w.data["difference"]),
            "threshold": float(w.data["threshold"]), "digits": 2 * MP_DPS}
    if not w.holds:
        return CheckOutcome(Verdict.INCONCLUSIVE, "symbolic",
                            "no exact scale factor, and the erf witness did not separate the "
                            "ratios", data)
    data["witness"] = {"ratios": [{"x": _vec(x), "y": _vec(x), "entry": "x,x",
                                   "ratio": float(r_diag)},
                                  {"x": _vec(x), "y": _vec(y), "entry": "x,y",
                                   "ratio": float(r_angle)}],
                       "claimed_factor": f"q^{k}"}
    return CheckOutcome(Verdict.REFUTED, "symbolic",
                        f"{arch.activation} with plain pruning of hidden layers is no multiple "
                        f"of the dense NTK: ratio {float(r_diag):.6g} at x = x' and "
                        f"{float(r_angle):.6g} at 60 degrees ({2 * MP_DPS}-digit closed forms), "
                        f"so no exponent k fits", data)


def _numeric(context: Context, p: dict) -> CheckOutcome:
    arch = architecture(p)
    q, k = check_keep_prob(p["keep_prob"]), as_exponent(p["exponent"])
    return compare_with_dense(arch, _power_mp(q, k), f"q^{k}", context, d0=p["d0"])


# ------------------------------------------------------------------ summary and witness
def witness_of(outcomes) -> dict | None:
    """The witness of the first refuting check, if any (else of any check)."""
    ordered = [o for o in outcomes if o.verdict is Verdict.REFUTED] + list(outcomes)
    for o in ordered:
        if "witness" in o.data:
            return o.data["witness"]
    return None


def _summary(outcomes, p) -> str:
    parts = []
    for o in outcomes:
        d = o.data
        if o.kind == "symbolic" and "scale_factor" in d:
            k = d["exponent"]
            if o.verdict is Verdict.VERIFIED and d["keep_prob"] == 1:
                parts.append("exact: q = 1, q^k = 1 for every k")
            elif o.verdict is Verdict.VERIFIED:
                parts.append(f"exact: q^{k} = prod s_h = {d['scale_factor']} ({d['proof']})")
            elif o.verdict is Verdict.REFUTED:
                parts.append(f"exact: prod s_h = q^{d['theory_exponent']} = {d['scale_factor']}, "
                             f"not q^{k}")
            else:
                parts.append(o.explanation)
        elif o.kind == "symbolic" and "ratio_diagonal" in d:
            parts.append(f"no multiple: ratio {d['ratio_diagonal']:.4g} (x = x') vs "
                         f"{d['ratio_angle_pi_3']:.4g} (60 deg)")
        elif "digits" in d:       # multiprecision entries
            worst = max(r["relative_difference"] for r in d["entries"])
            parts.append(f"mpmath: max rel diff {worst:.2g} at {len(d['entries'])} entries")
        elif "pairs" in d:
            text = f"{d['pairs']} pairs"
            if "max_rel_diff" in d:
                text = f"max rel diff {d['max_rel_diff']:.2g} over " + text
            if "max_abs_z" in d:
                text += f", MC max |z| {d['max_abs_z']:.2f} ({d['monte_carlo_entries']} entries)"
            if d.get("not_a_multiple"):
                lo, hi = d["ratio_range"]
                text += f", ratio in [{lo:.4g}, {hi:.4g}]"
            parts.append(text)
        else:
            parts.append(o.explanation)
    return "; ".join(parts)


def describe(p: dict) -> str:
    """The settings for a title: L and q, then whatever differs from the defaults.

    >>> describe({"depth": 3, "keep_prob": "1/2", "prune_first_layer": True,
    ...           "activation": "relu", "d0": 3})
    'L=3, q=1/2, masked first layer'
    """
    parts = [f"L={p['depth']}", f"q={p['keep_prob']}"]
    if p.get("prune_first_layer"):
        parts.append("masked first layer")
    if p.get("rescale"):
        parts.append("rescaled")
    if p.get("activation") != "relu":
        parts.append(str(p.get("activation")))
    if p.get("d0") != 3:
        parts.append(f"d0={p.get('d0')}")
    return ", ".join(parts)


def _statement_latex(p: dict) -> str:
    try:
        q = sp.latex(sp.Rational(str(check_keep_prob(p["keep_prob"]))))
        k = sp.latex(sp.Rational(str(as_exponent(p["exponent"]))))
        L = str(int(p["depth"]))
        d0 = str(int(p["d0"]))
    except (InvalidArgument, TypeError, ValueError):
        q, k, L, d0 = "q", "k", "L", "d_0"
    return (rf"\Theta^{{({L})}}(x, x') = \left({q}\right)^{{{k}}} \, "
            rf"\Theta_{{\mathrm{{d}}}}^{{({L})}}(x, x') \quad \text{{for all nonzero }} "
            rf"x, x' \in \mathbb{{R}}^{{{d0}}}")


def scaling_claim(depth, keep_prob, exponent, *, prune_first_layer: bool = False,
                  rescale: bool = False, activation: str = "relu", d0: int = 3,
                  id: str = "C1", title: str | None = None) -> Claim:
    """Claim: the pruned limit NTK equals ``keep_prob**exponent`` times the dense limit NTK.

    Arguments are checked when the claim runs (outside its hypotheses the verdict
    is ``not_applicable``).  ``theory_exponent`` gives the exponent the theory
    predicts; the registry's C1 is ``scaling_claim(3, "1/2", 3)``.
    """
    L, q, k = sp.symbols("L q k", positive=True)
    x, xp = point_symbols()
    statement = sp.Eq(NTK(L, x, xp), q**k * DenseNTK(L, x, xp), evaluate=False)
    try:
        exponent = as_exponent(exponent)
    except InvalidArgument:
        pass                          # reported by the hypothesis at run time
    params = {"depth": depth, "keep_prob": keep_prob_param(keep_prob), "exponent": exponent,
              "prune_first_layer": bool(prune_first_layer), "rescale": bool(rescale),
              "activation": activation, "d0": d0}
    if title is None:
        title = f"Pruned limit NTK = q^{params['exponent']} x dense ({describe(params)})"
    return Claim(
        id=id, title=title, statement=statement, statement_latex=_statement_latex(params),
        hypotheses=common_hypotheses()[:2] + (
            Hypothesis("exponent k is a finite number", _exponent_problem),) +
        common_hypotheses()[2:],
        symbolic=_symbolic, numeric=_numeric, parameters=params,
        description=("Plain pruning multiplies each masked layer's covariance by q; for ReLU "
                     "(positively homogeneous) with a dense first layer the limit NTK is "
                     "q^(number of masked layers) times the dense one; rescaling by "
                     "1/sqrt(q) removes the factor.  Decided exactly where the theory gives "
                     "the factor, numerically (float64, 1e-12 relative) on sampled input "
                     "pairs always."),
        summarize=_summary)
