"""Symbolic proofs of the scaling claims, returned as data.

* **C1** (ReLU, plain pruning): the pruned NTK is ``prod_h s_h`` times the dense
  NTK, where s_h = q_h on masked layers (with a dense first layer: the product
  of q_2..q_{L+1}).  :func:`prove_homogeneity` proves the lemma
  ``V(t.) = t V(.)``, ``Vdot(t.) = Vdot(.)`` for t > 0, :func:`prove_scaling_induction`
  the induction step for every depth, :func:`prove_scaling_expansion` checks the
  fully expanded kernels for L = 1..10.
* **C2** (rescaled pruning, any activation): the pruned NTK *is* the dense NTK;
  :func:`prove_rescaled_equals_dense` proves it with undefined V, V-dot.
* **C1-erf-witness**: for erf, plain pruning is not a scalar multiple of the dense
  kernel; :func:`erf_witness` (in :mod:`theory.symbolic.witness`) gives numbers.

A masked first layer enters through s_1 = r_1^2 q_1, the *mean-field* treatment,
exact only as the input dimension grows with delocalised inputs; at fixed input
dimension the exact limit is a mask average computed elsewhere.

>>> prove_homogeneity("relu").holds, prove_homogeneity("erf").holds
(True, False)
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass

import sympy as sp

from .._errors import InvalidArgument, check_depth
from ..closed_forms import V_sym, Vdot_sym
from ..config import ACTIVATIONS, Architecture
from ._dag import dag_equal, dag_free_symbols, dag_size, split_monomial, tree_size
from .maps import NTK, DenseNTK, dual_maps, point_symbols
from .recursion import symbolic_kernel
from .result import MEAN_FIELD_NOTE, ProofResult, activation_name
from .witness import RatioProfile, erf_witness, ratio_profile

__all__ = ["ProofResult", "MonomialCheck", "check_monomial_factor", "prove_homogeneity",
           "prove_scaling_induction", "prove_scaling_expansion", "prove_rescaled_equals_dense",
           "erf_witness", "ratio_profile", "RatioProfile", "EXPANSION_METHODS", "MEAN_FIELD_NOTE"]

EXPANSION_METHODS = ("dag", "factor_terms")
def _activation(activation: str) -> str:
    if activation not in ACTIVATIONS:
        raise InvalidArgument("activation", activation, "unknown activation",
                              f"choose one of {', '.join(ACTIVATIONS)}")
    return activation


def _zero(expr: sp.Expr) -> sp.Expr:
    return sp.simplify(expr) if expr != 0 else expr


def _witness(expr: sp.Expr, values: dict) -> sp.Float:
    return sp.N(expr.subs(values), 30)


# ------------------------------------------------------------------ lemma
def prove_homogeneity(activation: str) -> ProofResult:
    """Show ``V(ta,tb,tc) - t V(a,b,c)`` and ``Vdot(t.) - Vdot(.)`` simplify to 0 for t > 0.

    Holds for ReLU; for erf both differences are nonzero (witness at a = b = 1,
    c = 1/2, t = 2 in ``data``).
    """
    started = time.perf_counter()
    _activation(activation)
    a, b, t = sp.symbols("a b t", positive=True)
    c = sp.Symbol("c", real=True)
    Vmap, Dmap = dual_maps(activation)
    diff_v = _zero(V_sym(activation, t * a, t * b, t * c) - t * V_sym(activation, a, b, c))
    diff_d = _zero(Vdot_sym(activation, t * a, t * b, t * c) - Vdot_sym(activation, a, b, c))
    holds = diff_v == 0 and diff_d == 0
    point = {a: 1, b: 1, c: sp.Rational(1, 2), t: 2}
    data = {} if holds else {"witness_point": point, "V_difference": _witness(diff_v, point),
                             "Vdot_difference": _witness(diff_d, point)}
    statement = sp.And(sp.Eq(Vmap(t * a, t * b, t * c), t * Vmap(a, b, c), evaluate=False),
                       sp.Eq(Dmap(t * a, t * b, t * c), Dmap(a, b, c), evaluate=False))
    steps = (("$V(ta, tb, tc)$ from the closed form", V_sym(activation, t * a, t * b, t * c)),
             (r"$V(ta, tb, tc) - t \, V(a, b, c)$, simplified", diff_v),
             (r"$\dot V(ta, tb, tc) - \dot V(a, b, c)$, simplified", diff_d))
    if not holds:
        steps += (("The differences at $a = b = 1$, $c = 1/2$, $t = 2$ (nonzero)",
                   sp.Tuple(data["V_difference"], data["Vdot_difference"])),)
    return ProofResult("C1", f"Positive homogeneity of the {activation_name(activation)} dual maps",
                       statement, ("$t > 0$", "$a, b > 0$ and $c$ real (a covariance)"), steps,
                       holds, time.perf_counter() - started, data)


# ------------------------------------------------------------------ induction
def prove_scaling_induction(activation: str = "relu") -> ProofResult:
    """Prove C1 for every depth by induction on the layer.

    Hypothesis at layer h: ``K^(h) = P K_d^(h)`` entrywise and ``Theta_f^(h) = P Theta_d^(h)``
    with P > 0 (dense entries a, b > 0, c and t real).  Step: with layer scale s > 0,
    ``K^(h+1) = (sP) K_d^(h+1)`` and ``Theta_f^(h+1) = (sP) Theta_d^(h+1)``.  Base case
    ``K^(1) = s_1 x.x'``.  Hence NTK and NNGP of the pruned net are prod_h s_h times dense.
    """
    started = time.perf_counter()
    _activation(activation)
    a, b, P, s = sp.symbols("a b P s", positive=True)
    c, t = sp.symbols("c t", real=True)
    V, Vdot = functools.partial(V_sym, activation), functools.partial(Vdot_sym, activation)
    pruned_cov = (s * V(P * a, P * a, P * a), s * V(P * b, P * b, P * b), s * V(P * a, P * b, P * c))
    dense_cov = (V(a, a, a), V(b, b, b), V(a, b, c))
    pruned_theta = s * (V(P * a, P * b, P * c) + Vdot(P * a, P * b, P * c) * P * t)
    dense_theta = V(a, b, c) + Vdot(a, b, c) * t
    diffs = [_zero(p - s * P * d) for p, d in zip(pruned_cov + (pruned_theta,),
                                                  dense_cov + (dense_theta,))]
    # base case, read off the recursion module with a symbolic masked first layer
    base_arch = Architecture.pruned(1, "1/2", prune_first_layer=True, activation=activation)
    base_p = symbolic_kernel(base_arch, keep_prob_symbols="per_layer")
    base_d = symbolic_kernel(base_arch.dense())
    s1 = base_p.layer_scales[0]
    base = [_zero(base_p.cov[0][i] - s1 * base_d.cov[0][i]) for i in range(3)]
    base.append(_zero(base_p.theta[0].xy - s1 * base_d.theta[0].xy))
    holds = all(d == 0 for d in diffs + base)
    data = {}
    if not holds:
        point = {a: 1, b: 1, c: sp.Rational(1, 2), t: 1, P: sp.Rational(1, 2), s: 1}
        data = {"witness_point": point, "differences": tuple(_witness(d, point) for d in diffs)}
    L, h = sp.Symbol("L", integer=True, positive=True), sp.Symbol("h", integer=True, positive=True)
    x, xp = point_symbols()
    product = sp.Product(sp.IndexedBase("s")[h], (h, 1, L + 1))
    statement = sp.Eq(NTK(L, x, xp), product * DenseNTK(L, x, xp), evaluate=False)
    steps = (
        (r"Base case: $K^{(1)} - s_1 K_{\mathrm{d}}^{(1)}$ entrywise, and "
         r"$\Theta_f^{(1)} - s_1 \Theta_{f,\mathrm{d}}^{(1)}$", sp.Tuple(*base)),
        (r"Hypothesis: $K^{(h)} = P \, (a, b, c)$ and $\Theta_f^{(h)}(x, x') = P \, t$, with "
         r"$(a, b, c)$ and $t$ the dense values; the pruned $K^{(h+1)}$",
         sp.Tuple(*pruned_cov)),
        (r"The pruned $\Theta_f^{(h+1)}(x, x')$", pruned_theta),
        (r"$K^{(h+1)} - sP \, K_{\mathrm{d}}^{(h+1)}$, entrywise, simplified", sp.Tuple(*diffs[:3])),
        (r"$\Theta_f^{(h+1)} - sP \, \Theta_{f,\mathrm{d}}^{(h+1)}$, simplified", diffs[3]),
    )
    # the conclusion is a step only when every difference vanished; otherwise the last
    # step shows the non-zero differences and nothing is concluded
    if holds:
        steps += ((r"So $P_{h+1} = s_{h+1} P_h$ with $P_1 = s_1$; at $h = L + 1$", statement),)
    else:
        steps += ((r"The four differences at $a = b = 1$, $c = 1/2$, $t = 1$, $P = 1/2$, $s = 1$: "
                   r"not all zero, so the step fails and nothing follows from it",
                   sp.Tuple(*data["differences"])),)
    hypotheses = (f"{activation_name(activation)} activation (the step needs positive homogeneity)",
                  "keep probabilities and rescaling factors positive: $s_h = r_h^2 q_h > 0$",
                  "nonzero inputs, so diagonal covariances $a, b > 0$; $c$ and $t$ real",
                  MEAN_FIELD_NOTE)
    return ProofResult("C1", "Scaling of the pruned NTK, induction over layers", statement,
                       hypotheses, steps, holds, time.perf_counter() - started, data)


# ------------------------------------------------------------------ expansion
@dataclass(frozen=True)
class MonomialCheck:
    """Outcome of :func:`check_monomial_factor`: does ``expr == factor * reference``?"""

    holds: bool
    expected: tuple[sp.Rational, ...]
    found: tuple[sp.Rational, ...] | None
    reason: str


def check_monomial_factor(expr: sp.Expr, reference: sp.Expr, factor: sp.Expr) -> MonomialCheck:
    """Decide ``expr == factor * reference`` for a monomial ``factor`` in positive symbols.

    Splits ``expr`` into ``monomial * rest`` with :func:`theory.symbolic._dag.split_monomial`
    (linear in the number of distinct subexpressions) and compares ``rest`` with
    ``reference`` structurally.  It never accepts a false identity; it can reject
    a true one whose two sides SymPy builds differently.

    >>> q, x = sp.symbols("q x", positive=True)
    >>> check_monomial_factor(q**2 * sp.sqrt(q**2 * x), sp.sqrt(x), q**3).holds
    True
    >>> check_monomial_factor(q**2 * sp.sqrt(q**2 * x), sp.sqrt(x), q**2).reason
    'the powers differ: expected (2,), found (3,)'
    """
    factor = sp.sympify(factor)
    symbols = tuple(sorted(factor.free_symbols, key=str))
    powers = factor.as_powers_dict()
    expected = tuple(sp.Rational(powers.get(q, 0)) for q in symbols)
    if sp.Mul(*(q**e for q, e in zip(symbols, expected))) != factor:
        raise InvalidArgument("factor", factor, "not a monomial with coefficient 1",
                              "pass a product of powers of positive symbols, e.g. q**3")
    if dag_free_symbols(reference) & set(symbols):
        raise InvalidArgument("reference", "...", "contains the factor's symbols",
                              "pass the dense kernel, free of keep-probability symbols")
    split = split_monomial(expr, symbols)
    if not split.ok:
        return MonomialCheck(False, expected, None, split.reason)
    if split.exponents != expected:
        return MonomialCheck(False, expected, split.exponents,
                             f"the powers differ: expected {expected}, found {split.exponents}")
    if not dag_equal(split.rest, reference):
        return MonomialCheck(False, expected, split.exponents,
                             "the remaining factor differs from the reference")
    return MonomialCheck(True, expected, split.exponents, "")


def _factor_terms_check(expr: sp.Expr, reference: sp.Expr, factor: sp.Expr) -> bool:
    ratio = sp.simplify(sp.factor_terms(expr) / sp.factor_terms(reference))
    return sp.simplify(ratio - factor) == 0


def prove_scaling_expansion(depth_max: int = 10, method: str = "dag", activation: str = "relu",
                            per_layer: bool = False, depth_min: int = 1) -> ProofResult:
    """Expand the pruned and dense kernels for L = depth_min..depth_max; check pruned = q^L dense.

    The first layer is dense and layers 2..L+1 are masked with a symbolic keep
    probability (one ``q``, or ``q_h`` per layer when ``per_layer``).  Both the NTK
    and the NNGP are checked.  ``method="dag"`` uses :func:`check_monomial_factor`
    (about a millisecond per depth); ``"factor_terms"`` compares
    ``simplify(factor_terms(p) / factor_terms(d))`` with the factor, which walks the
    expression tree and is only practical up to L of about 6.  ``data["rows"]``
    lists depth, result, seconds and the DAG / tree sizes of the pruned NTK.
    """
    started = time.perf_counter()
    depth_max, depth_min = check_depth(depth_max, "depth_max"), check_depth(depth_min, "depth_min")
    _activation(activation)
    if method not in EXPANSION_METHODS:
        raise InvalidArgument("method", method, "unknown method",
                              f"choose one of {', '.join(EXPANSION_METHODS)}")
    rows, steps = [], []
    x, xp = point_symbols()
    q = sp.Symbol("q", positive=True)
    L = sp.Symbol("L", integer=True, positive=True)
    for depth in range(depth_min, depth_max + 1):
        tick = time.perf_counter()
        arch = Architecture.pruned(depth, "1/2", activation=activation)
        pruned = symbolic_kernel(arch, keep_prob_symbols="per_layer" if per_layer else "uniform")
        dense = symbolic_kernel(arch.dense())
        factor = pruned.scale_factor
        reasons = []
        for name in ("ntk", "nngp"):
            p, d = getattr(pruned, name), getattr(dense, name)
            if method == "dag":
                check = check_monomial_factor(p, d, factor)
                ok, why = check.holds, check.reason
            else:
                ok, why = _factor_terms_check(p, d, factor), "factor_terms ratio differs"
            reasons.append("" if ok else f"{name}: {why}")
        ok = not any(reasons)
        rows.append({"depth": depth, "holds": ok, "seconds": time.perf_counter() - tick,
                     "dag_nodes": dag_size(pruned.ntk), "tree_nodes": tree_size(pruned.ntk),
                     "reason": "; ".join(r for r in reasons if r)})
        if ok:
            steps.append((f"$L = {depth}$: pruned equals the factor times dense, for the NTK "
                          f"and the NNGP (holds)",
                          sp.Eq(NTK(depth, x, xp), factor * DenseNTK(depth, x, xp),
                                evaluate=False)))
        else:       # never display an identity that was not established
            steps.append((f"$L = {depth}$: the structural check could not write the pruned NTK "
                          f"and NNGP as this factor times the dense ones (fails)", factor))
    h = sp.Symbol("h", integer=True, positive=True)
    claimed = sp.Product(sp.IndexedBase("q")[h], (h, 2, L + 1)) if per_layer else q**L
    statement = sp.Eq(NTK(L, x, xp), claimed * DenseNTK(L, x, xp), evaluate=False)
    hypotheses = (f"{activation_name(activation)} activation, plain pruning, first layer dense",
                  rf"$L = {depth_min}, \dots, {depth_max}$", "keep probabilities are positive symbols",
                  f"method: {method}")
    return ProofResult("C1", "Scaling of the pruned NTK, full expansion", statement, hypotheses,
                       tuple(steps), all(r["holds"] for r in rows), time.perf_counter() - started,
                       {"rows": tuple(rows), "method": method})


# ------------------------------------------------------------------ C2
def prove_rescaled_equals_dense(depth: int, activation: str | None = None,
                                prune_first_layer: bool = False) -> ProofResult:
    """Prove that rescaled pruning (r_h = 1/sqrt(q_h)) leaves the NTK and NNGP unchanged.

    With ``activation=None`` the dual maps are undefined functions ``V``, ``Vdot``,
    so the proof covers every activation; ``"relu"``/``"erf"`` use the closed forms.
    The induction step is shown for generic maps, then the depth-``depth``
    kernels are compared structurally (per-layer symbolic keep probabilities).
    """
    started = time.perf_counter()
    depth = check_depth(depth)
    if activation is not None:
        _activation(activation)
    arch = Architecture.pruned(depth, "1/2", rescale=True, prune_first_layer=prune_first_layer,
                               activation=activation or "relu")
    V, Vdot = sp.Function("V"), sp.Function("Vdot")
    maps = (V, Vdot) if activation is None else None
    pruned = symbolic_kernel(arch, keep_prob_symbols="per_layer", dual_maps=maps)
    dense = symbolic_kernel(arch.dense(), dual_maps=maps)
    q = sp.Symbol("q_h", positive=True)
    r = 1 / sp.sqrt(q)
    a, b = sp.symbols("a b", positive=True)
    c, t = sp.symbols("c t", real=True)
    s = r**2 * q
    step_k = s * V(a, b, c) - V(a, b, c)
    step_theta = s * (V(a, b, c) + Vdot(a, b, c) * t) - (V(a, b, c) + Vdot(a, b, c) * t)
    equal = dag_equal(pruned.ntk, dense.ntk) and dag_equal(pruned.nngp, dense.nngp)
    scales_one = all(v == 1 for v in pruned.layer_scales)
    holds = equal and scales_one and step_k == 0 and step_theta == 0
    x, xp = point_symbols()
    statement = sp.Eq(NTK(depth, x, xp), DenseNTK(depth, x, xp), evaluate=False)
    scale_names = ("(" + ", ".join(f"s_{h}" for h in range(1, depth + 2)) + ")" if depth <= 2
                   else rf"(s_1, \dots, s_{{{depth + 1}}})")
    steps = ((r"$s_h = r_h^2 q_h$ with $r_h = 1 / \sqrt{q_h}$",
              sp.Eq(sp.Symbol("s_h"), s, evaluate=False)),
             (r"Induction step for generic $V$: $s \, V(a, b, c) - V(a, b, c)$", step_k),
             (r"The same for the NTK: $s \, (V + \dot V t) - (V + \dot V t)$", step_theta),
             (f"Layer scales ${scale_names}$ at depth $L = {depth}$", sp.Tuple(*pruned.layer_scales)),
             (f"Pruned minus dense NTK at depth $L = {depth}$", pruned.ntk - dense.ntk),
             (f"Pruned minus dense NNGP at depth $L = {depth}$", pruned.nngp - dense.nngp))
    hypotheses = (r"rescaled pruning: kept weights multiplied by $r_h = 1 / \sqrt{q_h}$",
                  r"any activation with finite $c_\sigma$" if activation is None
                  else f"{activation_name(activation)} activation", "keep probabilities $q_h > 0$")
    if prune_first_layer:
        hypotheses += (MEAN_FIELD_NOTE,)
    return ProofResult("C2", "Rescaled pruning leaves the limit kernels unchanged", statement,
                       hypotheses, steps, holds, time.perf_counter() - started,
                       {"depth": depth, "activation": activation or "generic"})
