"""Unevaluated kernel objects, the symbolic recursion and its mpmath evaluation."""

from fractions import Fraction

import mpmath
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from theory.symbolic import maps as S
from theory._errors import InvalidArgument
from theory.closed_forms import V_sym, Vdot_sym
from theory.config import Architecture
from theory.kernels.mp import limit_kernel_mp
from theory.symbolic._dag import (
    dag_equal,
    dag_size,
    evaluate_mp,
    split_monomial,
    tree_size,
)
from theory.symbolic.recursion import (
    INPUT_LATEX,
    evaluate,
    expand_maps,
    input_symbols,
    keep_prob_symbol,
    numeric_kernel,
    symbolic_kernel,
)

a, b = sp.symbols("a b", positive=True)
c = sp.Symbol("c", real=True)
TOL = mpmath.mpf(10) ** -40


# ------------------------------------------------------------------ symbolic objects
@pytest.mark.parametrize("activation", ["relu", "erf"])
def test_maps_stay_unevaluated_until_doit(activation):
    V, Vdot = S.dual_maps(activation)
    expr = V(a, b, c) + Vdot(a, b, c)
    assert expr.has(V) and expr.has(Vdot)
    assert sp.simplify(expr.doit() - V_sym(activation, a, b, c) - Vdot_sym(activation, a, b, c)) == 0


@pytest.mark.parametrize("activation", ["relu", "erf"])
def test_map_derivative_in_c_is_price_theorem(activation):
    V, Vdot = S.dual_maps(activation)
    assert V(a, b, c).diff(c) == Vdot(a, b, c)
    assert sp.simplify(V(a, b, c).diff(c).doit() - V(a, b, c).doit().diff(c)) == 0


def test_generic_maps_never_evaluate():
    expr = S.NNGPMap(a, b, c)
    assert expr.doit() == expr and expr.diff(c) == S.DerivMap(a, b, c)
    assert isinstance(S.DerivMap(a, b, c).diff(c), sp.Derivative)


def test_latex_printing():
    x, xp = S.point_symbols()
    assert sp.latex(S.ReluNNGP(a, b, c)) == r"\mathcal{V}_{\mathrm{relu}}\left(a, b, c\right)"
    assert sp.latex(S.ErfDeriv(a, b, c)) == r"\dot{\mathcal{V}}_{\mathrm{erf}}\left(a, b, c\right)"
    assert sp.latex(S.Sigma(2, x, xp)) == r"\Sigma^{(2)}\left(x, x'\right)"
    assert sp.latex(S.SigmaDot(1, x, x)) == r"\dot{\Sigma}^{(1)}\left(x, x\right)"
    assert sp.latex(S.NTK(sp.Symbol("L"))) == r"\Theta^{(L)}"
    assert sp.latex(S.DenseNTK(3, x, xp)) == r"\Theta_{\mathrm{d}}^{(3)}\left(x, x'\right)"
    assert sp.latex(S.Theta(2, x, xp) ** 2) == r"\left(\Theta_{f}^{(2)}\left(x, x'\right)\right)^{2}"
    xx, yy, xy = input_symbols()
    assert sp.latex(xy / xx, symbol_names=INPUT_LATEX) == r"\frac{x \cdot x'}{\lVert x\rVert^{2}}"


def test_layer_notation_is_a_name():
    x, xp = S.point_symbols()
    assert S.Cov(2, x, xp).doit() == S.Cov(2, x, xp)
    with pytest.raises(InvalidArgument):
        S.dual_maps("tanh")


# ------------------------------------------------------------------ recursion structure
def test_kernel_shapes_and_relu_diagonals():
    arch = Architecture.pruned(3, "1/2")
    k = symbolic_kernel(arch, keep_prob_symbols=True)
    q = keep_prob_symbol()
    xx, yy, _ = input_symbols()
    assert (len(k.cov), len(k.sigma), len(k.sigma_dot), len(k.theta)) == (4, 3, 3, 4)
    assert k.scale_factor == q**3 and k.keep_probs == (1, q, q, q)
    # diagonals stay monomials: K^(h)(x,x) = q^(h-1) |x|^2 and Sigma-dot(x,x) = 1
    assert [e.xx for e in k.cov] == [xx, q * xx, q**2 * xx, q**3 * xx]
    assert all(e.yy == 1 for e in k.sigma_dot)
    assert k.ntk is k.theta[-1].xy and k.nngp is k.cov[-1].xy
    assert not k.mean_field_first_layer
    assert "distinct nodes" in repr(k) and len(repr(k)) < 400
    # the printed tree grows ~3x per layer while the DAG grows linearly
    sizes = [symbolic_kernel(Architecture.pruned(L, "1/2")).sizes() for L in (4, 8)]
    assert sizes[1]["tree_nodes"] > 50 * sizes[0]["tree_nodes"]
    assert sizes[1]["dag_nodes"] < 3 * sizes[0]["dag_nodes"]


def test_keep_prob_symbol_options():
    arch = Architecture.pruned(2, [1, "1/2", "1/3"])
    per_layer = symbolic_kernel(arch, keep_prob_symbols="per_layer")
    assert per_layer.scale_factor == keep_prob_symbol(2) * keep_prob_symbol(3)
    t = sp.Symbol("t", positive=True)
    mapped = symbolic_kernel(arch, keep_prob_symbols={3: t})
    assert mapped.layer_scales == (1, sp.Rational(1, 2), t)
    numeric = symbolic_kernel(arch)
    assert numeric.scale_factor == sp.Rational(1, 6) == sp.Rational(str(arch.scale_factor()))
    with pytest.raises(InvalidArgument):
        symbolic_kernel(arch, keep_prob_symbols="uniform")  # the masked layers differ
    with pytest.raises(InvalidArgument):
        symbolic_kernel(arch, keep_prob_symbols={1: t})  # layer 1 is dense
    with pytest.raises(InvalidArgument):
        symbolic_kernel(arch, keep_prob_symbols="sometimes")


def test_rescaled_layers_have_scale_one_and_masked_first_layer_is_flagged():
    arch = Architecture.pruned(2, "1/5", rescale=True, prune_first_layer=True)
    k = symbolic_kernel(arch, keep_prob_symbols="per_layer")
    assert k.layer_scales == (1, 1, 1) and k.mean_field_first_layer
    plain = symbolic_kernel(Architecture.pruned(2, "1/5", prune_first_layer=True),
                            keep_prob_symbols=True)
    assert plain.cov[0].xy == keep_prob_symbol() * input_symbols().xy


def test_equations_in_layer_notation():
    k = symbolic_kernel(Architecture.pruned(2, "1/2", activation="erf"), keep_prob_symbols=True)
    eqs = k.equations()
    assert len(eqs) == 2 + 4 * 2 + 1
    x, xp = S.point_symbols()
    assert eqs[-1].lhs == S.NTK(2, x, xp) and eqs[-1].rhs == S.Theta(3, x, xp)
    assert eqs[2].rhs.func is S.ErfNNGP
    assert "\\Sigma^{(2)}" in sp.latex(eqs[-2])


def test_bad_arguments():
    arch = Architecture.pruned(1, "1/2")
    with pytest.raises(InvalidArgument):
        symbolic_kernel("relu")
    with pytest.raises(InvalidArgument):
        symbolic_kernel(arch, inputs=(1, 2))
    with pytest.raises(InvalidArgument):
        symbolic_kernel(arch, dual_maps="closed-ish")
    with pytest.raises(InvalidArgument):
        evaluate(symbolic_kernel(arch), 1, 1, 2)  # Cauchy-Schwarz
    with pytest.raises(InvalidArgument):
        evaluate(symbolic_kernel(arch), 0, 1, 0)
    with pytest.raises(InvalidArgument):
        evaluate(symbolic_kernel(arch, keep_prob_symbols=True), 1, 1, 0)  # q has no value
    with pytest.raises(InvalidArgument):
        evaluate(symbolic_kernel(arch, dual_maps="generic"), 1, 1, 0)
    with pytest.raises(InvalidArgument):
        evaluate(symbolic_kernel(arch), 1, 1, 0, dps=5)


# ------------------------------------------------------------------ numbers
_coord = st.fractions(Fraction(-3), Fraction(3), max_denominator=50)


def _usable(v):
    """Both vectors away from 0 and not (nearly) collinear: |sin(angle)| > 1/100."""
    nx, ny = v[0] ** 2 + v[1] ** 2, v[2] ** 2 + v[3] ** 2
    return nx > Fraction(1, 100) and ny > Fraction(1, 100) and \
        (v[0] * v[3] - v[1] * v[2]) ** 2 > Fraction(1, 10**4) * nx * ny


pairs = st.tuples(_coord, _coord, _coord, _coord).filter(_usable)
keep = st.fractions(Fraction(1, 1000), Fraction(1), max_denominator=1000).filter(lambda q: q > 0)


def _gram(v):
    x, y = (v[0], v[1]), (v[2], v[3])
    return x, y, x[0] ** 2 + x[1] ** 2, y[0] ** 2 + y[1] ** 2, x[0] * y[0] + x[1] * y[1]


@given(depth=st.integers(1, 4), keep_prob=keep, v=pairs)
def test_relu_symbolic_kernel_is_scale_factor_times_dense(depth, keep_prob, v):
    """C1 by numbers: pruned (SymPy, then mpmath) = prod q x dense (plain mpmath route)."""
    arch = Architecture.pruned(depth, keep_prob)
    _, _, xx, yy, xy = _gram(v)
    pruned = evaluate(symbolic_kernel(arch), xx, yy, xy)
    dense = numeric_kernel(arch.dense(), xx, yy, xy)
    with mpmath.workdps(50):
        factor = mpmath.mpf(keep_prob.numerator) / keep_prob.denominator
        assert abs(pruned.ntk - factor**depth * dense.ntk) <= TOL * abs(dense.ntk) + TOL
        assert abs(pruned.nngp - factor**depth * dense.nngp) <= TOL * abs(dense.nngp) + TOL


@given(depth=st.integers(1, 3), keep_prob=keep, v=pairs, activation=st.sampled_from(["relu", "erf"]),
       rescale=st.booleans())
def test_evaluation_matches_the_vector_mpmath_kernel(depth, keep_prob, v, activation, rescale):
    """Symbolic kernel at (|x|^2, |x'|^2, x.x') versus the vector-input mpmath reference."""
    arch = Architecture.pruned(depth, keep_prob, rescale=rescale, activation=activation)
    x, y, xx, yy, xy = _gram(v)
    ours = evaluate(symbolic_kernel(arch, keep_prob_symbols=True), xx, yy, xy, dps=30,
                    keep_probs={"q": keep_prob})
    ref = limit_kernel_mp(arch, [float(t) for t in x], [float(t) for t in y], dps=30)
    # the reference converts the float vectors exactly; compare at float-input accuracy
    assert abs(ours.ntk - ref.ntk) <= 1e-13 * max(1, abs(ref.ntk))
    assert abs(ours.nngp - ref.nngp) <= 1e-13 * max(1, abs(ref.nngp))


def test_masked_first_layer_is_mean_field_not_exact():
    """The recursion's s_1 matches the mean-field reference but not the exact mask average."""
    arch = Architecture.pruned(2, "1/2", prune_first_layer=True)
    k = symbolic_kernel(arch)
    ours = evaluate(k, 2, 1, 1, dps=30)  # x = (1, 1), y = (1, 0)
    mean_field = limit_kernel_mp(arch, [1, 1], [1, 0], dps=30, first_layer="mean_field")
    exact = limit_kernel_mp(arch, [1, 1], [1, 0], dps=30, first_layer="exact")
    assert abs(ours.ntk - mean_field.ntk) < 1e-25
    assert abs(ours.ntk - exact.ntk) > 1e-3


@pytest.mark.parametrize("activation", ["relu", "erf"])
def test_unevaluated_maps_give_the_same_numbers(activation):
    arch = Architecture.pruned(3, "2/3", activation=activation)
    closed = evaluate(symbolic_kernel(arch), "1.5", "0.5", "-0.3")
    lazy_kernel = symbolic_kernel(arch, dual_maps="unevaluated")
    assert lazy_kernel.ntk.has(S.dual_maps(activation)[0])
    lazy = evaluate(lazy_kernel, "1.5", "0.5", "-0.3")
    assert abs(closed.ntk - lazy.ntk) < TOL and abs(closed.nngp - lazy.nngp) < TOL
    assert dag_equal(expand_maps(lazy_kernel.ntk), symbolic_kernel(arch).ntk)


def test_collinear_inputs_use_the_diagonal_entry():
    arch = Architecture.pruned(3, "1/2")
    k = symbolic_kernel(arch)
    diag = evaluate(k, 2, 2, 2, entry="xx")
    assert diag.ntk == evaluate(k, 2, 3, 2, entry="xx").ntk  # depends on |x|^2 only
    ref = numeric_kernel(arch, 2, 2, 2)
    assert abs(diag.ntk - ref.ntk) < TOL and abs(diag.nngp - ref.nngp) < TOL
    one_layer = evaluate(symbolic_kernel(Architecture.pruned(1, "1/2")), 2, 2, 2)  # clamped
    assert isinstance(one_layer.ntk, mpmath.mpf)


def test_deep_kernel_evaluates_to_the_numeric_recursion():
    arch = Architecture.pruned(10, "1/2")
    value = evaluate(symbolic_kernel(arch), 1, 2, "0.3")
    ref = numeric_kernel(arch, 1, 2, "0.3")
    assert abs(value.ntk - ref.ntk) < TOL * abs(ref.ntk)


# ------------------------------------------------------------------ DAG helpers
def test_dag_sizes_against_sympy_traversal():
    xx, yy, xy = input_symbols()
    expr = symbolic_kernel(Architecture.pruned(2, "1/2")).ntk
    walk = list(sp.preorder_traversal(expr))
    assert tree_size(expr) == len(walk)
    assert dag_size(expr) == len(set(walk))


def test_dag_equal_agrees_with_sympy_equality():
    k1 = symbolic_kernel(Architecture.pruned(3, "1/2")).ntk
    k2 = symbolic_kernel(Architecture.pruned(3, "1/2")).ntk
    k3 = symbolic_kernel(Architecture.pruned(3, "1/3")).ntk
    assert dag_equal(k1, k2) and k1 == k2
    assert not dag_equal(k1, k3) and k1 != k3


def test_split_monomial_rules():
    q, x = sp.symbols("q x", positive=True)
    ok = split_monomial(q**3 * sp.sin(x) / sp.sqrt(q * x), [q])
    assert ok.ok and ok.exponents == (sp.Rational(5, 2),) and not ok.rest.has(q)
    assert not split_monomial(sp.exp(q), [q]).ok
    assert not split_monomial(q + 1, [q]).ok
    assert not split_monomial(x**q, [q]).ok
    with pytest.raises(InvalidArgument):
        split_monomial(q, [sp.Symbol("r")])  # not declared positive


_q, _x = sp.Symbol("q", positive=True), sp.Symbol("x", positive=True)
_powers = st.sampled_from([-1, 2, sp.Rational(1, 2), sp.Rational(-3, 2)])
expressions = st.recursive(st.sampled_from([_q, _x, sp.Integer(2), sp.Integer(3), sp.Rational(1, 2)]),
                           lambda inner: st.one_of(
    st.tuples(inner, inner).map(lambda t: t[0] + t[1]),
    st.tuples(inner, inner).map(lambda t: t[0] * t[1]),
    st.tuples(inner, _powers).map(lambda t: t[0] ** t[1]),
    inner.map(sp.sin), inner.map(sp.atan)), max_leaves=12)
# (expression, degree) pairs that are homogeneous in q by construction
_hleaves = [(_q, 1), (_x, 0), (sp.Integer(2), 0), (_q * _x, 1), (sp.sqrt(_q), sp.Rational(1, 2))]
homogeneous = st.recursive(
    st.sampled_from(_hleaves),
    lambda inner: st.one_of(
        st.tuples(inner, inner).map(lambda t: (t[0][0] + t[1][0] * _q ** (t[0][1] - t[1][1]), t[0][1])),
        st.tuples(inner, inner).map(lambda t: (t[0][0] * t[1][0], t[0][1] + t[1][1])),
        st.tuples(inner, _powers).map(lambda t: (t[0][0] ** t[1], t[0][1] * t[1])),
        inner.map(lambda t: (sp.sin(t[0] / _q ** t[1]), 0)),
        inner.map(lambda t: (sp.atan(t[0] / _q ** t[1]) * _q**3, 3))), max_leaves=12)


def _same_value(expr, split):
    point = {_q: sp.Rational(7, 10), _x: sp.Rational(13, 10)}
    lhs = sp.N(expr.subs(point), 30)
    rhs = sp.N((_q ** split.exponents[0] * split.rest).subs(point), 30)
    return abs(lhs - rhs) <= 1e-25 * max(1, abs(lhs))


@given(expr=expressions)
def test_split_monomial_is_sound(expr):
    """Whenever the split succeeds, expr == q**k * rest (at a positive point) and rest is q-free."""
    split = split_monomial(expr, [_q])
    if split.ok:
        assert not split.rest.has(_q) and _same_value(expr, split)
    else:
        assert split.reason and split.offending is not None


@given(pair=homogeneous)
def test_split_monomial_finds_the_degree_of_homogeneous_expressions(pair):
    expr, degree = pair
    split = split_monomial(expr, [_q])
    assert split.ok and split.exponents == (degree,)
    assert not split.rest.has(_q) and _same_value(expr, split)


def test_evaluate_mp_refuses_unknown_nodes():
    with pytest.raises(InvalidArgument):
        evaluate_mp(S.ReluNNGP(a, b, c), {a: 1, b: 1, c: 0})
    with pytest.raises(InvalidArgument):
        evaluate_mp(sp.sin(a), {})
