"""Cached symbolic proofs that a pruned limit NTK is a fixed multiple of the dense one.

:func:`scale_proof` (claim C1) proves ``NTK = prod_h s_h x dense`` for a dense
first layer; :func:`rescaled_proof` (claims C1, C2) proves rescaled = dense at
min(depth, ``RESCALED_PROOF_MAX_DEPTH``).
"""

from __future__ import annotations

import functools

from theory import (
    Architecture,
    prove_rescaled_equals_dense,
    prove_scaling_expansion,
    prove_scaling_induction,
)

__all__ = ["scale_proof", "rescaled_proof", "RESCALED_PROOF_MAX_DEPTH"]

_EXPANSION_DEPTH = 10   # prove_scaling_expansion always covers L = 1..10
_EXPANSION_MAX = 30     # and the claim's own depth up to this (about 0.3 s at L = 20)
RESCALED_PROOF_MAX_DEPTH = 100


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
        return (proof.holds, f"every $s_h = 1$: pruned = dense for any activation "
                             f"(generic $V$, $\\dot V$; induction step, kernels compared at "
                             f"$L = {at}$)",
                {"proofs": {"rescaled_equals_dense": proof.holds},
                 "proof_seconds": proof.elapsed})
    if arch.activation == "relu":
        ind, exp = _induction("relu"), _expansion(_EXPANSION_DEPTH)
        proofs = {"induction": ind.holds, f"expansion_L1_{_EXPANSION_DEPTH}": exp.holds}
        seconds = ind.elapsed + exp.elapsed
        text = f"induction for every $L$, expansion $L = 1, \\dots, {_EXPANSION_DEPTH}$"
        if _EXPANSION_DEPTH < arch.depth <= _EXPANSION_MAX:
            own = _expansion(arch.depth, arch.depth)
            proofs[f"expansion_L{arch.depth}"] = own.holds
            seconds += own.elapsed
            text += f" and $L = {arch.depth}$"
        return all(proofs.values()), text, {"proofs": proofs, "proof_seconds": seconds}
    own = _expansion(arch.depth, arch.depth, arch.activation)
    return (own.holds, f"only the output layer is scaled: full expansion at $L = {arch.depth}$",
            {"proofs": {f"expansion_L{arch.depth}_{arch.activation}": own.holds},
             "proof_seconds": own.elapsed})
