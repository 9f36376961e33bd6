"""Claim C2: with rescaled pruning (r_h = 1/sqrt(q_h)) the limit NTK is the dense one.

:func:`rescaled_equals_dense_claim` builds it for one architecture; the registry's
C2 is ``rescaled_equals_dense_claim(3, "1/2")`` (dense first layer).

* **symbolic**, dense first layer: :func:`theory.prove_rescaled_equals_dense`
  with undefined dual maps V, Vdot, so the proof covers every activation (each
  s_h = r_h^2 q_h = 1; the pruned and dense recursions are identical; its
  induction step covers every depth, the kernels are compared structurally at
  min(L, 100)).  With the
  first layer masked (q < 1) there is no such proof: the per-neuron first-layer
  covariance stays random at fixed d0 (claim C5); this slot then evaluates the
  exact mask average with mpmath at 30 digits on three entries whose inputs use
  at most three coordinates (exact at any d0), and a relative gap above 1e-20
  refutes the claim with that pair as witness.
* **numeric**: float64 limit kernels on ``budget.input_pairs`` sampled pairs of
  dimension d0 against the dense ones, at the 1e-12 relative threshold of
  :mod:`proofs_check.claims.paper.c1_scaling` (entries are accurate to 1e-14; with more
  than 16 non-zero coordinates a masked first layer is a Monte Carlo average,
  z-tested at alpha = 1% split over the entries).

With the first layer masked the claim is false at small d0 for every q < 1 (the
gap is several percent at d0 = 3) and holds only where nothing is masked (q = 1).

>>> from proofs_check.claim import Context
>>> rescaled_equals_dense_claim(3, "1/2").run(Context()).verdict.value
'verified'
>>> r = rescaled_equals_dense_claim(2, "1/2", prune_first_layer=True).run(Context())
>>> r.verdict.value, r.checks[0].data["witness"]["relative_difference"] > 1e-3
('refuted', True)

The claim has no hypotheses (every valid argument gives a true or a false
statement); invalid arguments raise :class:`theory._errors.InvalidArgument` when
the claim is built and when a check runs.
"""

from __future__ import annotations

import sympy as sp

from theory.symbolic.maps import NTK, DenseNTK, point_symbols

from ...claim import Claim, Context
from ...verdict import CheckOutcome, Verdict
from ._compare import (
    compare_with_dense,
    comparison_numbers,
    comparison_text,
    multiprecision_check,
    num,
)
from ._params import architecture, describe, validated
from ._proofs import rescaled_proof

__all__ = ["rescaled_equals_dense_claim"]

_LABEL = "rescaled"


def _symbolic(context: Context, p: dict) -> CheckOutcome:
    p = validated(p)
    arch = architecture(p, rescale=True)
    if arch.first_layer_masked:
        return multiprecision_check(arch, 1, "1", p["d0"], label=_LABEL)
    proof, at = rescaled_proof(arch.depth)
    data = {"proof": "prove_rescaled_equals_dense (generic V, Vdot)", "holds": proof.holds,
            "kernels_compared_at_depth": at,
            "layer_scales": [str(s) for s in arch.layer_scales()],
            "proof_seconds": proof.elapsed}
    if not proof.holds:
        return CheckOutcome(Verdict.INCONCLUSIVE, "symbolic",
                            "the symbolic proof did not go through", data)
    return CheckOutcome(Verdict.VERIFIED, "symbolic",
                        f"every $s_h = r_h^2 q_h = 1$, so the recursion is the dense one: "
                        f"proved for any activation (generic $V$, $\\dot V$; induction step, "
                        f"kernels compared at $L = {at}$)", data)


def _numeric(context: Context, p: dict) -> CheckOutcome:
    p = validated(p)
    arch = architecture(p, rescale=True)
    return compare_with_dense(arch, 1, "1", context, d0=p["d0"], label=_LABEL)


def _summary(outcomes, p) -> str:
    """One short line (under about 160 characters); the details are in each check's data."""
    parts = []
    for o in outcomes:
        d = o.data
        if o.kind == "symbolic" and "digits" not in d:
            parts.append("proved for any activation (generic $V$, $\\dot V$)" if o.verdict is
                         Verdict.VERIFIED else "symbolic proof did not go through")
        elif "digits" in d:
            worst = max(d["entries"], key=lambda r: r["relative_difference"])
            parts.append(f"mpmath exact mask average: relative gap "
                         f"${num(worst['relative_difference'])}$")
        elif "pairs" in d:
            parts.append(comparison_text(d, f"{d['pairs']} pairs ($d_0 = {p['d0']}$)"))
        else:
            parts.append(o.explanation)
    return "; ".join(parts)


def _numbers(outcomes, p) -> list:
    out = []
    for o in outcomes:
        d = o.data
        if o.kind == "symbolic" and "digits" not in d:
            out += [("layer scales $s_h = r_h^2 q_h$", d["layer_scales"]),
                    ("kernels compared structurally at depth", d["kernels_compared_at_depth"]),
                    ("symbolic proof (generic $V$, $\\dot V$) holds", d["holds"])]
        else:
            out += comparison_numbers(d)
    return out


def _statement_latex(p: dict) -> str:
    L, d0 = p["depth"], p["d0"]
    q = sp.latex(sp.Rational(p["keep_prob"].numerator, p["keep_prob"].denominator))
    return (rf"\Theta^{{({L})}}_{{r = 1/\sqrt{{q}},\, q = {q}}}(x, x') = "
            rf"\Theta_{{\mathrm{{d}}}}^{{({L})}}(x, x') \quad \text{{for all nonzero }} "
            rf"x, x' \in \mathbb{{R}}^{{{d0}}}")


def rescaled_equals_dense_claim(depth, keep_prob, *, prune_first_layer: bool = False,
                                d0: int = 3, activation: str = "relu", masked_layers=None,
                                id: str = "C2", title: str | None = None) -> Claim:
    """Claim: with rescaling by 1/sqrt(keep_prob) the limit NTK equals the dense limit NTK
    for all inputs of dimension ``d0``; ``masked_layers`` as in
    :func:`~proofs_check.claims.paper.c1_scaling.scaling_claim`.  Invalid arguments raise
    :class:`theory._errors.InvalidArgument` (here and when a check runs)."""
    L = sp.Symbol("L", positive=True)
    x, xp = point_symbols()
    params = validated({"depth": depth, "keep_prob": keep_prob,
                        "prune_first_layer": prune_first_layer, "activation": activation,
                        "d0": d0, "masked_layers": masked_layers})
    if title is None:
        title = f"Rescaled pruning: limit NTK = dense ({describe(params)})"
    return Claim(
        id=id, title=title,
        statement=sp.Eq(NTK(L, x, xp), DenseNTK(L, x, xp), evaluate=False),
        statement_latex=_statement_latex(params),
        symbolic=_symbolic, numeric=_numeric, parameters=params,
        description=("Kept weights multiplied by $1/\\sqrt{q}$: every masked layer forwards its "
                     "covariance unchanged ($s_h = 1$), for any activation, so the limit is the "
                     "dense NTK - when the first layer is dense.  A masked first layer at fixed "
                     "input dimension gives a mask average instead (claim C5)."),
        summarize=_summary, key_numbers=_numbers)
