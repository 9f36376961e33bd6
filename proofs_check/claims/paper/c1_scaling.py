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
exact: q^2 = prod s_h = 1/4 (induction + expansion); max rel diff 0 over 64 pairs
>>> scaling_claim(2, "1/2", 3).run(Context()).verdict.value
'refuted'

The claim has no hypotheses: every valid (depth, q, k, activation, d0) makes a
statement that is true or false (erf with plain pruning of hidden layers is
*refuted*: no exponent fits).  Invalid arguments raise
:class:`theory._errors.InvalidArgument`, when the claim is built and when a check
runs (after :meth:`~proofs_check.claim.Claim.with_parameters`):

>>> scaling_claim(0, "1/2", 1)
Traceback (most recent call last):
...
theory._errors.InvalidArgument: depth=0 is invalid: must be >= 1; fix: pass an integer >= 1
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
import sympy as sp

from theory import Architecture, erf_witness, limit_kernel, theory_scale_factor
from theory.symbolic.maps import NTK, DenseNTK, point_symbols

from ...claim import Claim, Context
from ...verdict import CheckOutcome, Verdict
from ._compare import (
    FLOAT_ERROR,
    MC_REL_TOL,
    MP_DPS,
    MP_TOL,
    REL_TOL,
    _rel,
    _vec,
    compare_with_dense,
    comparison_numbers,
    comparison_text,
    jackknife_alpha,
    multiprecision_check,
    num,
    short_vector,
    witness_of,
)
from ._pairs import PAIR_KINDS, sample_pairs, witness_inputs
from ._params import architecture, as_exponent, describe, validated
from ._proofs import RESCALED_PROOF_MAX_DEPTH, rescaled_proof, scale_proof

__all__ = ["scaling_claim", "theory_exponent", "sample_pairs", "compare_with_dense",
           "multiprecision_check", "witness_of", "REL_TOL", "FLOAT_ERROR", "MP_TOL",
           "MC_REL_TOL", "PAIR_KINDS", "short_vector", "as_exponent", "rescaled_proof",
           "jackknife_alpha",
           "RESCALED_PROOF_MAX_DEPTH"]

_ERF_WITNESS_MAX_DEPTH = 6   # erf_witness takes about 0.7 s at L = 6 and grows quickly


def theory_exponent(depth: int, *, prune_first_layer: bool = False, rescale: bool = False,
                    masked_layers=None) -> int:
    """The k with limit NTK = q^k x dense NTK: the number of layers scaled by q.

    Plain pruning: the number of masked layers, L (layers 2..L+1) by default, one more
    with the first layer masked (then only in the mean-field idealisation, see claim
    C5); rescaled pruning: 0.

    >>> theory_exponent(3), theory_exponent(3, prune_first_layer=True)
    (3, 4)
    >>> theory_exponent(3, masked_layers=(2, 4)), theory_exponent(3, rescale=True)
    (2, 0)
    """
    if rescale:
        return 0
    if masked_layers is None:
        return int(depth) + (1 if prune_first_layer else 0)
    return len(set(masked_layers) | ({1} if prune_first_layer else set()))


def _masked_power(arch: Architecture) -> int:
    """m with prod_h s_h = q^m (one keep probability q on every masked layer)."""
    scales = arch.layer_scales()
    return sum(1 for s in scales if s != 1)


def _symbolic(context: Context, p: dict) -> CheckOutcome:
    p = validated(p)
    arch = architecture(p)
    q, k = p["keep_prob"], p["exponent"]
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
                 "proof": proof_text, "proof_short": _proof_label(arch)})
    if not holds:
        return CheckOutcome(Verdict.INCONCLUSIVE, "symbolic",
                            f"the symbolic proof did not go through ({proof_text})", data)
    if q == 1:
        return CheckOutcome(Verdict.VERIFIED, "symbolic",
                            f"$q = 1$: nothing is pruned, $q^k = 1 = \\prod s_h$ for every $k$ "
                            f"({proof_text})", data)
    if k == m:
        return CheckOutcome(Verdict.VERIFIED, "symbolic",
                            f"$q^{{{k}}} = \\prod s_h = {factor}$ exactly ({proof_text})",
                            data)
    data["witness"] = _exact_witness(arch, q, k, factor, p["d0"])
    return CheckOutcome(Verdict.REFUTED, "symbolic",
                        f"the limit is $\\prod s_h = q^{{{m}}} = {factor}$ times dense "
                        f"({proof_text}), and $q^{{{k}}} \\ne q^{{{m}}}$ since "
                        f"$q = {q} < 1$ and $k \\ne {m}$", data)


def _proof_label(arch: Architecture) -> str:
    """A few words naming the proof of :func:`scale_proof` (for the summary)."""
    if all(s == 1 for s in arch.layer_scales()):
        return "rescaled = dense proof"
    return "induction + expansion" if arch.activation == "relu" else "full expansion"


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
                        f"of the dense NTK: ratio {float(r_diag):.6g} at $x = x'$ and "
                        f"{float(r_angle):.6g} at $60^\\circ$ ({2 * MP_DPS}-digit closed forms), "
                        f"so no exponent $k$ fits", data)


def _numeric(context: Context, p: dict) -> CheckOutcome:
    p = validated(p)
    arch = architecture(p)
    q, k = p["keep_prob"], p["exponent"]
    return compare_with_dense(arch, _power_mp(q, k), f"q^{k}", context, d0=p["d0"])


def _summary(outcomes, p) -> str:
    """One short line (under about 160 characters); the details are in each check's data."""
    parts = []
    for o in outcomes:
        d = o.data
        if o.kind == "symbolic" and "scale_factor" in d:
            k = d["exponent"]
            if o.verdict is Verdict.VERIFIED and d["keep_prob"] == 1:
                parts.append("exact: $q = 1$, $q^k = 1$ for every $k$")
            elif o.verdict is Verdict.VERIFIED:
                parts.append(f"exact: $q^{{{k}}} = \\prod s_h = {d['scale_factor']}$ "
                             f"({d['proof_short']})")
            elif o.verdict is Verdict.REFUTED:
                parts.append(f"exact: $\\prod s_h = q^{{{d['theory_exponent']}}} = "
                             f"{d['scale_factor']}$, not $q^{{{k}}}$")
            else:
                parts.append("symbolic proof did not go through")
        elif o.kind == "symbolic" and "ratio_diagonal" in d:
            parts.append(f"no multiple: ratio {d['ratio_diagonal']:.4g} ($x = x'$) vs "
                         f"{d['ratio_angle_pi_3']:.4g} ($60^\\circ$)")
        elif o.kind == "symbolic" and "erf_witness_holds" in d:
            parts.append("erf witness did not separate the ratios")
        elif "digits" in d:       # multiprecision entries
            worst = max(r["relative_difference"] for r in d["entries"])
            parts.append(f"mpmath: max rel diff ${num(worst)}$ at {len(d['entries'])} entries")
        elif "pairs" in d:
            parts.append(comparison_text(d, f"{d['pairs']} pairs"))
        else:
            parts.append(o.explanation)
    return "; ".join(parts)


def _numbers(outcomes, p) -> list:
    out = []
    for o in outcomes:
        d = o.data
        if o.kind == "symbolic" and "scale_factor" in d:
            out += [("exact factor $\\prod s_h$", d["scale_factor"]),
                    ("exponent $m$ of $q$ in it (masked layers)", d["theory_exponent"]),
                    ("claimed exponent $k$", d["exponent"]),
                    ("symbolic proof", d["proof"])]
        elif o.kind == "symbolic" and "ratio_diagonal" in d:
            out += [("ratio pruned / dense at $x = x'$", d["ratio_diagonal"]),
                    ("ratio pruned / dense at $60^\\circ$", d["ratio_angle_pi_3"]),
                    ("digits of the closed forms", d["digits"])]
        else:
            out += comparison_numbers(d)
    return out


def _statement_latex(p: dict) -> str:
    q = sp.latex(sp.Rational(p["keep_prob"].numerator, p["keep_prob"].denominator))
    k = sp.latex(sp.Rational(p["exponent"].numerator, p["exponent"].denominator))
    return (rf"\Theta^{{({p['depth']})}}(x, x') = \left({q}\right)^{{{k}}} \, "
            rf"\Theta_{{\mathrm{{d}}}}^{{({p['depth']})}}(x, x') \quad \text{{for all nonzero }} "
            rf"x, x' \in \mathbb{{R}}^{{{p['d0']}}}")


def scaling_claim(depth, keep_prob, exponent, *, prune_first_layer: bool = False,
                  rescale: bool = False, activation: str = "relu", d0: int = 3,
                  masked_layers=None, id: str = "C1", title: str | None = None) -> Claim:
    """Claim: the pruned limit NTK equals ``keep_prob**exponent`` times the dense limit NTK.

    ``masked_layers``: the weight layers masked with ``keep_prob`` (None: 2..L+1, plus
    layer 1 with ``prune_first_layer``).  Invalid arguments raise
    :class:`theory._errors.InvalidArgument` here and when a check runs; the claim has no
    hypotheses.  ``theory_exponent`` gives the exponent the theory predicts; the
    registry's C1 is ``scaling_claim(3, "3/10", 3)``.
    """
    L, q, k = sp.symbols("L q k", positive=True)
    x, xp = point_symbols()
    statement = sp.Eq(NTK(L, x, xp), q**k * DenseNTK(L, x, xp), evaluate=False)
    params = validated({"depth": depth, "keep_prob": keep_prob, "exponent": exponent,
                        "prune_first_layer": prune_first_layer, "rescale": rescale,
                        "activation": activation, "d0": d0, "masked_layers": masked_layers})
    if title is None:
        title = (f"Pruned limit NTK $= q^{{{params['exponent']}}} \\times$ dense "
                 f"({describe(params)})")
    return Claim(
        id=id, title=title, statement=statement, statement_latex=_statement_latex(params),
        symbolic=_symbolic, numeric=_numeric, parameters=params,
        description=("Plain pruning multiplies each masked layer's covariance by $q$; for ReLU "
                     "(positively homogeneous) with a dense first layer the limit NTK is "
                     "$q^m$ times the dense one, $m$ the number of masked layers; rescaling by "
                     "$1/\\sqrt{q}$ removes the factor.  Decided exactly where the theory "
                     "gives the factor, numerically (float64, $10^{-12}$ relative) on sampled "
                     "input pairs always."),
        summarize=_summary, key_numbers=_numbers)
