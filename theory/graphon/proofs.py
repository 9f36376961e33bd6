"""Symbolic proofs that the Graphon NTK reduces to the dense NTK (G = 1) and to claim C1's
scaled kernel (constant graphons), returned as :class:`~theory.symbolic.result.ProofResult`.

Each proof has an induction over layers with a *symbolic* number of blocks K (so it
holds for every block count and depth) and a check of the fully built kernels for
concrete block counts and depths against :func:`theory.symbolic.recursion.symbolic_kernel`.

>>> prove_graphon_dense(depth=2).holds
True
"""

from __future__ import annotations

import time

import sympy as sp

from .._errors import InvalidArgument, check_depth
from ..config import ACTIVATIONS, Architecture
from ..symbolic._dag import dag_equal
from ..symbolic.proofs import check_monomial_factor
from ..symbolic.recursion import input_symbols, keep_prob_symbol, symbolic_kernel
from ..symbolic.result import ProofResult, activation_name
from .symbolic import graphon_ntk_sym

__all__ = ["prove_graphon_dense", "prove_graphon_constant"]


def _block_sum(term, K):
    """(1/K) sum_{b=1}^{K} term, with K a positive integer symbol, evaluated."""
    b = sp.Symbol("b", integer=True, positive=True)
    return sp.Sum(term, (b, 1, K)).doit() / K


def _blocks(depth: int, K: int):
    """Block counts (K_1..K_L) = K, K+1, ...: unequal counts exercise the averaging."""
    return [K + (h % 2) for h in range(depth)]


def prove_graphon_dense(depth: int = 3, blocks: int = 2) -> ProofResult:
    """G_h = 1 on every block gives the dense NTK, for any activation (generic V, V-dot).

    Step: if every block of layer h carries the dense entries (a, b, c) and Theta = t,
    block a of layer h+1 gets (1/K) sum_b 1 * V(a, b, c) = V(a, b, c) and
    (1/K) sum_b (V + Vdot t) = V + Vdot t, the dense recursion; base:
    sum_j 1 * x_j x'_j = x . x'.  Then the kernels at ``depth`` with ``blocks``,
    ``blocks + 1`` blocks per hidden layer are compared structurally with the dense ones.
    """
    started = time.perf_counter()
    depth = check_depth(depth)
    V, Vdot = sp.Function("V"), sp.Function("Vdot")
    K = sp.Symbol("K", integer=True, positive=True)
    d0 = sp.Symbol("d_0", integer=True, positive=True)
    a, b = sp.symbols("a b", positive=True)
    c, t = sp.symbols("c t", real=True)
    j = sp.Symbol("j", integer=True, positive=True)
    x, xp = sp.IndexedBase("x"), sp.IndexedBase("x'")
    base = sp.Sum(1 * x[j] * xp[j], (j, 1, d0)) - sp.Sum(x[j] * xp[j], (j, 1, d0))
    step_k = sp.simplify(_block_sum(V(a, b, c), K) - V(a, b, c))
    step_t = sp.simplify(_block_sum(V(a, b, c) + Vdot(a, b, c) * t, K)
                         - (V(a, b, c) + Vdot(a, b, c) * t))
    Ks = _blocks(depth, blocks)
    ones = [None] + [sp.ones(Ks[h], Ks[h - 1]) for h in range(1, depth)] + [sp.ones(1, Ks[-1])]
    for rescale in (False, True):
        g = graphon_ntk_sym(ones, entries=input_symbols(), maps=(V, Vdot), rescale=rescale)
        d = symbolic_kernel(Architecture.pruned(depth), dual_maps=(V, Vdot))
        if not (dag_equal(g.ntk, d.ntk) and dag_equal(g.nngp, d.nngp)):
            break
    else:
        rescale = None
    built = rescale is None
    holds = base == 0 and step_k == 0 and step_t == 0 and built
    statement = sp.Eq(sp.Function("Theta_G")(sp.Symbol("x"), sp.Symbol("x'")),
                      sp.Function("Theta")(sp.Symbol("x"), sp.Symbol("x'")), evaluate=False)
    steps = ((r"Base: $\sum_j 1 \cdot x_j x'_j - x \cdot x'$", base),
             (r"Step, forward: $\frac{1}{K}\sum_{b=1}^{K} V(a,b,c) - V(a,b,c)$", step_k),
             (r"Step, NTK: $\frac{1}{K}\sum_{b=1}^{K} (V + \dot V t) - (V + \dot V t)$", step_t),
             (f"Depth {depth}, blocks {tuple(Ks)}: graphon kernels (plain and rescaled) "
              "structurally equal to the dense ones", sp.true if built else sp.false))
    return ProofResult("Graphon-dense", "The Graphon NTK with $W = 1$ is the dense NTK",
                       statement, ("any activation (generic dual maps $V$, $\\dot V$)",
                                   "equal-sized blocks, any number $K$ per layer"),
                       steps, holds, time.perf_counter() - started)


def prove_graphon_constant(activation: str = "relu", depth: int = 3,
                           blocks: int = 2) -> ProofResult:
    """Constant graphons G_h = c_h give claim C1's kernel.

    (i) any activation: the graphon recursion *is* the i.i.d. pruned recursion with
    q_h = c_h (step (1/K) sum_b c V(a, b, c) = c V(a, b, c); base sum_j c_1 x_j x'_j =
    c_1 x . x'); checked structurally at ``depth`` against ``symbolic_kernel``.
    (ii) ReLU: by positive homogeneity, if every block carries P times the dense
    entries, the next layer carries c P times them (V(Pa, Pb, Pc) = P V(a, b, c),
    Vdot(P.) = Vdot(.)), so the NTK is (prod_h c_h) times the dense NTK; checked on
    the fully built kernel with :func:`check_monomial_factor`.
    """
    started = time.perf_counter()
    if activation not in ACTIVATIONS:
        raise InvalidArgument("activation", activation, "unknown activation",
                              f"choose one of {', '.join(ACTIVATIONS)}")
    depth = check_depth(depth)
    V, Vdot = sp.Function("V"), sp.Function("Vdot")
    K = sp.Symbol("K", integer=True, positive=True)
    a, b, P, cc = sp.symbols("a b P c", positive=True)
    c, t = sp.symbols("c_{ab} t", real=True)
    step_iid = sp.simplify(_block_sum(cc * V(a, b, c), K) - cc * V(a, b, c))
    Ks = _blocks(depth, blocks)
    qs = [keep_prob_symbol(h) for h in range(2, depth + 2)]
    layers = ([None] + [sp.Matrix(Ks[h], Ks[h - 1], lambda i, k, q=qs[h - 1]: q)
                        for h in range(1, depth)] + [sp.Matrix(1, Ks[-1], lambda i, k: qs[-1])])
    g = graphon_ntk_sym(layers, entries=input_symbols(), maps=(V, Vdot))
    pruned = symbolic_kernel(Architecture.pruned(depth, "1/2"), keep_prob_symbols="per_layer",
                             dual_maps=(V, Vdot))
    iid_equal = dag_equal(g.ntk, pruned.ntk) and dag_equal(g.nngp, pruned.nngp)
    steps = [(r"Step, any activation: $\frac{1}{K}\sum_{b=1}^{K} c\,V(a,b,c_{ab}) - c\,V(a,b,c_{ab})$",
              step_iid),
             (f"Depth {depth}, blocks {tuple(Ks)}: the graphon kernel equals the i.i.d. pruned "
              "recursion with $q_h = c_h$ (structurally)", sp.true if iid_equal else sp.false)]
    holds = step_iid == 0 and iid_equal
    product = sp.Mul(*qs)
    if activation == "relu":
        from ..closed_forms import V_sym, Vdot_sym
        Vr = lambda *s: V_sym("relu", *s)         # noqa: E731
        Dr = lambda *s: Vdot_sym("relu", *s)      # noqa: E731
        step_v = sp.simplify(_block_sum(cc * Vr(P * a, P * b, P * c), K) - cc * P * Vr(a, b, c))
        step_t = sp.simplify(_block_sum(cc * (Vr(P * a, P * b, P * c)
                                              + Dr(P * a, P * b, P * c) * P * t), K)
                             - cc * P * (Vr(a, b, c) + Dr(a, b, c) * t))
        gr = graphon_ntk_sym(layers, entries=input_symbols(), activation="relu")
        dense = symbolic_kernel(Architecture.pruned(depth))
        check = check_monomial_factor(gr.ntk, dense.ntk, product)
        steps += [(r"ReLU step: $\frac{1}{K}\sum_b c\,V(Pa,Pb,Pc_{ab}) - cP\,V(a,b,c_{ab})$", step_v),
                  (r"ReLU step, NTK: $\frac{1}{K}\sum_b c\,(V + \dot V P t) - cP\,(V + \dot V t)$",
                   step_t),
                  (f"Depth {depth}: the graphon NTK is $\\prod_h c_h$ times the dense NTK "
                   f"({check.reason or 'monomial factor and remainder match'})",
                   sp.true if check.holds else sp.false)]
        holds = holds and step_v == 0 and step_t == 0 and check.holds
    h = sp.Symbol("h", integer=True, positive=True)
    L = sp.Symbol("L", integer=True, positive=True)
    factor = sp.Product(sp.IndexedBase("c")[h], (h, 2, L + 1))
    lhs = sp.Function("Theta_G")(sp.Symbol("x"), sp.Symbol("x'"))
    rhs = (factor * sp.Function("Theta")(sp.Symbol("x"), sp.Symbol("x'"))
           if activation == "relu" else sp.Function("Theta_q")(sp.Symbol("x"), sp.Symbol("x'")))
    statement = sp.Eq(lhs, rhs, evaluate=False)
    title = ("Constant graphons give claim C1's scaled NTK" if activation == "relu" else
             "Constant graphons give the i.i.d. pruned limit kernel")
    return ProofResult("Graphon-constant", title, statement,
                       (f"{activation_name(activation)} activation",
                        "dense first layer; constant graphon $c_h$ on layers $2..L+1$",
                        "plain pruning ($r_h = 1$); equal-sized blocks, any number per layer"),
                       tuple(steps), holds, time.perf_counter() - started,
                       {"product": product})
