"""The finite-width variance theory (theory.variance) against independent computations.

References: SciPy double quadrature of the Gaussian integrals, mpmath quadrature, SymPy
differentiation of the stated dual maps, brute-force enumeration of first-layer masks, the
SymPy recursion against the float64 one, and exact identities.
"""

from __future__ import annotations

import itertools
import warnings
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from scipy import integrate

from theory import closed_forms
from theory._errors import InvalidArgument
from theory.variance.mean import mean_correction
from theory.config import Architecture
from theory.variance.deep import variance_pairs, variance_terms
from theory.variance.duals import dual_jacobian, neuron_stats
from theory.variance.erf_moments import PRODUCTS, erf_expectation_mp, erf_expectations
from theory.variance.first_layer import first_layer_components
from theory.variance.identities import (
    check_dense_growth,
    prove_keep_prob_structure,
    prove_one_layer_exact,
    prove_relu_diagonal_mean,
)
from theory.variance.latex import variance_latex
from theory.variance.one_layer import one_layer_moments
from theory.variance.ops import MPMATH, NUMPY
from theory.variance.relu_gauss import MOMENT_INDICES, prove_relu_moments, relu_moments
from theory.variance.symbolic import symbolic_variance

COVS = [(1.0, 1.0, 0.3), (2.0, 0.5, -0.7), (1.0, 4.0, 1.9), (0.7, 0.7, 0.65)]


def _gauss_quadrant(f, a, b, c):
    """E[f(u, v) 1{u>0, v>0}] by SciPy double quadrature of the bivariate density."""
    det = a * b - c * c
    dens = lambda v, u: np.exp(-(b * u * u - 2 * c * u * v + a * v * v) / (2 * det)) \
        / (2 * np.pi * np.sqrt(det))  # noqa: E731
    val, _ = integrate.dblquad(lambda v, u: f(u, v) * dens(v, u), 0, np.inf, 0, np.inf,
                               epsabs=1e-12, epsrel=1e-11)
    return val


def test_relu_closed_forms_are_their_integrals():
    assert prove_relu_moments().holds


@pytest.mark.parametrize("a,b,c", COVS)
def test_relu_moments_match_double_quadrature(a, b, c):
    J = relu_moments(NUMPY, np.float64(a), np.float64(b), np.float64(c))
    for m, k in MOMENT_INDICES:
        ref = _gauss_quadrant(lambda u, v: u ** m * v ** k, a, b, c)
        assert abs(float(J[(m, k)]) - ref) <= 1e-8 * max(1.0, abs(ref))


@pytest.mark.parametrize("theta", ["1e-3", "1.5", "3.14"])
def test_relu_moments_numeric_code_is_the_closed_form(theta):
    """The float/mpmath code (angle from atan2) against the SymPy closed form, near-parallel too."""
    from theory.variance.relu_gauss import relu_moment_closed
    a, b = sp.Rational(3, 2), sp.Rational(2, 3)
    th = sp.Rational(theta)
    with mpmath.workdps(40):
        c = mpmath.sqrt(mpmath.mpf(1)) * mpmath.cos(mpmath.mpf(theta))
        J = relu_moments(MPMATH, mpmath.mpf(3) / 2, mpmath.mpf(2) / 3, c)
        for mk in MOMENT_INDICES:
            ref = sp.N(relu_moment_closed(*mk).subs({sp.Symbol("a", positive=True): a,
                                                     sp.Symbol("b", positive=True): b,
                                                     sp.Symbol("theta", positive=True): th}), 40)
            assert abs(J[mk] - mpmath.mpf(str(ref))) < mpmath.mpf(10) ** -30


def test_relu_moments_of_a_masked_out_input_vanish():
    J = relu_moments(NUMPY, np.array([0.0, 1.0]), np.array([1.0, 1.0]), np.array([0.0, 0.5]))
    assert all(v[0] == 0 for v in J.values())


@pytest.mark.parametrize("activation", ["relu", "erf"])
@pytest.mark.parametrize("a,b,c", COVS)
def test_dual_derivatives_match_sympy(activation, a, b, c):
    A, B, C = sp.symbols("A B C", positive=True)
    V = closed_forms.V_sym(activation, A, B, C)
    Vd = closed_forms.Vdot_sym(activation, A, B, C)
    point = {A: a, B: b, C: c}
    J = dual_jacobian(activation, NUMPY, np.float64(a), np.float64(c), np.float64(b))
    for got, sym in zip(J["dVxy"], (A, C, B)):
        assert abs(float(got) - float(sp.diff(V, sym).subs(point))) < 1e-12
    for got, sym in zip(J["dVd"], (A, C, B)):
        assert abs(float(got) - float(sp.diff(Vd, sym).subs(point))) < 1e-11
    diag = closed_forms.V_sym(activation, A, A, A)
    assert abs(float(J["dVxx_da"]) - float(sp.diff(diag, A).subs({A: a}))) < 1e-12


@pytest.mark.parametrize("a,b,c", [(1.0, 1.0, 0.4), (0.6, 1.3, -0.5)])
def test_erf_gauss_hermite_matches_double_quadrature(a, b, c):
    from scipy import special
    E = erf_expectations(np.array([a]), np.array([b]), np.array([c]))
    det = a * b - c * c
    k = 2 / np.sqrt(np.pi)
    for name, (pu, pdu, pv, pdv) in PRODUCTS.items():
        f = lambda v, u: (special.erf(u) ** pu * (k * np.exp(-u * u)) ** pdu  # noqa: E731
                          * special.erf(v) ** pv * (k * np.exp(-v * v)) ** pdv
                          * np.exp(-(b * u * u - 2 * c * u * v + a * v * v) / (2 * det))
                          / (2 * np.pi * np.sqrt(det)))
        ref, _ = integrate.dblquad(f, -12, 12, -12, 12, epsabs=1e-13, epsrel=1e-12)
        assert abs(E[name][0] - ref) < 1e-10, name


def test_erf_mpmath_reference_one_dimensional_case():
    E = erf_expectations(np.array([0.8]), np.array([1.0]), np.array([0.1]))
    with mpmath.workdps(20):
        # the Gauss-Hermite rule is good to about 1e-13 (module docstring)
        assert abs(float(erf_expectation_mp("u4", 0.8, 1.0, 0.1)) - E["u4"][0]) < 1e-13


def test_erf_means_are_the_closed_forms():
    st = neuron_stats("erf", NUMPY, np.array([0.8]), np.array([0.3]), np.array([1.2]), 1.0)
    assert abs(st["m2"][0] - float(closed_forms.V_mp("erf", 0.8, 1.2, 0.3))) < 1e-14


def test_first_layer_enumeration_matches_brute_force():
    arch = Architecture.pruned(1, "0.3", prune_first_layer=True, rescale=True)
    x, y = np.array([[0.5, -1.0, 0.0, 2.0]]), np.array([[1.0, 0.5, 0.0, -0.25]])
    w, A, C, B = first_layer_components(arch, x, y, NUMPY)
    assert abs(w.sum() - 1) < 1e-15 and A.shape == (1, 8)
    seen = {}
    for bits in itertools.product((0, 1), repeat=3):     # coordinate 3 is zero in both
        m = np.array([bits[0], bits[1], 0, bits[2]], dtype=float)
        p = np.prod([0.3 if t else 0.7 for t in bits])
        key = (round(float((m * x[0] * x[0]).sum() / 0.3), 12),
               round(float((m * x[0] * y[0]).sum() / 0.3), 12))
        seen[key] = seen.get(key, 0) + p
    got = {}
    for wi, ai, ci in zip(w, A[0], C[0]):
        key = (round(float(ai), 12), round(float(ci), 12))
        got[key] = got.get(key, 0) + wi
    assert got.keys() == seen.keys()
    assert all(abs(got[k] - seen[k]) < 1e-15 for k in seen)


CONFIGS = [
    Architecture.pruned(1, "0.25", rescale=True),
    Architecture.pruned(1, "0.5", prune_first_layer=True),
    Architecture.pruned(1, "0.5", activation="erf"),
    Architecture.pruned(1, "0.5", activation="erf", rescale=True, prune_first_layer=True),
]
X = np.array([[1.0, 0.0, 0.5], [0.6, 0.8, -0.2], [0.9, 0.1, 0.45]])


@pytest.mark.parametrize("arch", CONFIGS, ids=lambda a: a.describe())
def test_one_layer_exact_equals_recursion_at_depth_one(arch):
    pairs = [(0, 1), (0, 2), (1, 1)]
    xs, ys = X[[p[0] for p in pairs]], X[[p[1] for p in pairs]]
    exact = one_layer_moments(arch, xs, ys)
    rec = variance_terms(arch, xs, ys)
    assert np.allclose(exact.n_var, rec.n_var, rtol=1e-13, atol=0)
    assert np.allclose(exact.mean, rec.limit, rtol=1e-13, atol=0)


def test_one_layer_limit_is_the_toolkit_limit_kernel():
    from theory.kernels.float64 import limit_kernel
    for arch in CONFIGS:
        ex = one_layer_moments(arch, X[:1], X[1:2])
        lk = limit_kernel(arch, X[:1], X[1:2], first_layer="exact" if arch.first_layer_masked
                          else "auto")
        assert abs(ex.mean[0] - lk.ntk[0, 0]) < 1e-13 * abs(lk.ntk[0, 0])


# ReLU only: erf's mpmath path at depth 2 is a two-dimensional quadrature that takes
# minutes (its depth-1 values are checked above), and pntk variance refuses --dps for erf.
@pytest.mark.parametrize("arch", [Architecture.pruned(3, "0.5"),
                                  Architecture.pruned(2, "0.25", prune_first_layer=True,
                                                      rescale=True)],
                         ids=lambda a: a.describe())
def test_mpmath_path_agrees_with_float64(arch):
    f64 = variance_terms(arch, X[0], X[1], width_ratios=[1] * (arch.depth - 1) + [2])
    mp = variance_pairs(arch, X[0], X[1], width_ratios=[1] * (arch.depth - 1) + [2], dps=30)
    assert abs(float(mp.n_var) - f64.n_var[0]) < 1e-12 * abs(float(mp.n_var))
    assert abs(float(mp.limit) - f64.limit[0]) < 1e-13 * abs(float(mp.limit))


@pytest.mark.parametrize("depth,rescale", [(1, False), (2, True), (3, False)])
def test_symbolic_recursion_matches_float64(depth, rescale):
    sv = symbolic_variance(depth, rescale=rescale)
    qs = [Fraction(1, 2), Fraction(1, 4), Fraction(1, 3)][:depth]
    alphas = [Fraction(1), Fraction(3, 2), Fraction(1, 2)][:depth]
    theta, na, nb = 0.9, 1.0, 1.5
    x = np.array([na, 0.0])
    y = nb * np.array([np.cos(theta), np.sin(theta)])
    arch = Architecture(depth, (Fraction(1), *qs), tuple(range(2, depth + 2)), rescale)
    num = variance_terms(arch, x, y, width_ratios=alphas)
    values = {"a": na ** 2, "b": sp.Rational(9, 4), "theta_1": sp.Rational(9, 10),
              **{f"q_{h + 2}": sp.Rational(q.numerator, q.denominator) for h, q in enumerate(qs)},
              **{f"alpha_{h + 1}": sp.Rational(a.numerator, a.denominator)
                 for h, a in enumerate(alphas)}}
    assert abs(float(sv.evaluate(values)) - num.n_var[0]) < 1e-11 * num.n_var[0]


def test_identities_hold():
    assert prove_one_layer_exact().holds
    assert prove_one_layer_exact(rescale=True).holds
    assert prove_relu_diagonal_mean().holds
    r = prove_keep_prob_structure(2)
    assert r.holds and r.data["readout_slope_nonnegative"]
    assert check_dense_growth(3).holds


def test_variance_scales_inversely_with_all_widths():
    arch = Architecture.pruned(3, "0.5", rescale=True)
    one = variance_terms(arch, X[0], X[1], width_ratios=[1, 2, 1])
    two = variance_terms(arch, X[0], X[1], width_ratios=[2, 4, 2])
    assert abs(one.n_var[0] - 2 * two.n_var[0]) < 1e-13 * one.n_var[0]


def test_near_parallel_inputs_approach_the_diagonal():
    arch = Architecture.pruned(3, "0.5", rescale=True)
    x = np.array([1.0, 0.0])
    diag = variance_terms(arch, x, x).n_var[0]
    vals = []
    for theta in (1e-1, 1e-2, 1e-3):
        y = np.array([np.cos(theta), np.sin(theta)])
        f64 = variance_terms(arch, x, y).n_var[0]
        mp = float(variance_pairs(arch, x, y, dps=40).n_var)
        assert abs(f64 - mp) < 1e-8 * mp           # float64 loses ~ eps / theta^2
        vals.append(abs(mp - diag))
    assert vals[0] > vals[1] > vals[2] and vals[2] < 1e-2 * diag


def test_mean_correction_where_proved():
    arch = Architecture.pruned(3, "0.5")
    t = variance_terms(arch, X[[0, 0]], X[[0, 1]])
    assert t.mean_1_over_n[0] == 0 and np.isfinite(t.mean_1_over_n[1])
    assert np.all(variance_terms(Architecture.pruned(1, "0.5"), X[[0]], X[[1]]).mean_1_over_n == 0)
    # erf: derived for every entry, the diagonal included (it has no exact diagonal);
    # its values are checked in test_variance_erf_mean.py
    erf = variance_terms(Architecture.pruned(2, "0.5", activation="erf"), X[[0, 0]], X[[1, 0]])
    assert np.all(np.isfinite(erf.mean_1_over_n)) and erf.mean_1_over_n[1] != 0


def test_mean_correction_properties():
    """m vanishes continuously at the diagonal (where V2 proves it 0), scales like the
    NTK under plain pruning (ReLU: Theta_plain = prod q Theta_rescaled sample by sample),
    halves when every width doubles, and ignores the last hidden layer's width and the
    readout mask (their fluctuations enter E Theta linearly)."""
    from theory.variance.mean import mean_correction
    x = np.array([[1.0, 0.0, 0.3]])
    ms = []
    for theta in (1e-1, 1e-2, 1e-3):
        y = np.array([[np.cos(theta), np.sin(theta), 0.3]])
        ms.append(abs(mean_correction(Architecture.pruned(3, "0.5", rescale=True), x, y)[0]))
    assert ms[0] > ms[1] > ms[2] and ms[2] < 0.02 * ms[0]       # m is O(angle)
    y = X[[1]]
    resc = mean_correction(Architecture.pruned(3, "0.5", rescale=True), x, y)[0]
    plain = mean_correction(Architecture.pruned(3, "0.5"), x, y)[0]
    assert abs(plain - resc / 8) < 1e-13 * abs(resc)
    arch = Architecture.pruned(2, "0.25", rescale=True)
    one = mean_correction(arch, x, y, width_ratios=[1, 1])[0]
    assert abs(mean_correction(arch, x, y, width_ratios=[2, 2])[0] - one / 2) < 1e-13 * abs(one)
    assert mean_correction(arch, x, y, width_ratios=[1, 5])[0] == one
    readout_only = Architecture.pruned(2, "0.25", rescale=True, masked_layers=[3])
    assert abs(mean_correction(readout_only, x, y)[0]
               - mean_correction(Architecture.pruned(2), x, y)[0]) < 1e-13


@pytest.mark.parametrize("call,argument", [
    (lambda: variance_terms("arch", X[0], X[1]), "arch"),
    (lambda: variance_terms(Architecture.pruned(2), X[0], X[1], width_ratios=[1]), "width_ratios"),
    (lambda: variance_terms(Architecture.pruned(2), X[0], X[1], width_ratios=[1, -2]),
     "width_ratios"),
    (lambda: variance_terms(Architecture.pruned(1), X[:2], X[:1]), "y"),
    (lambda: variance_terms(Architecture.pruned(1, "0.5", prune_first_layer=True),
                            np.ones(20), np.ones(20)), "x"),
    (lambda: one_layer_moments(Architecture.pruned(2), X[0], X[1]), "arch"),
])
def test_bad_arguments_name_themselves(call, argument):
    with pytest.raises(InvalidArgument) as info:
        call()
    assert info.value.argument == argument and "fix:" in str(info.value)


def test_latex_compiles(tmp_path, compile_latex):
    tex = variance_latex(Architecture.pruned(1, "0.5"), [1.0, 0.0], [0.6, 0.8], width=64)
    tex2 = variance_latex(Architecture.pruned(3, "0.25", rescale=True), [1.0, 0.0], [0.6, 0.8],
                          width_ratios=[1, 2, 1])
    for name, text in (("one", tex), ("three", tex2)):
        (tmp_path / f"{name}.tex").write_text(text)
        compile_latex(tmp_path / f"{name}.tex")


def test_mpmath_ops_back_end_is_used_for_scalars():
    with mpmath.workdps(25):
        J = relu_moments(MPMATH, mpmath.mpf(1), mpmath.mpf(1), mpmath.mpf("0.5"))
    assert isinstance(J[(0, 0)], mpmath.mpf)


@pytest.mark.parametrize("depth", [2, 3])
def test_relu_mean_correction_near_parallel_is_continuous_and_homogeneous(depth):
    """m -> 0 linearly as the angle closes (0 exactly for parallel inputs, by homogeneity
    and V2), without the float64 breakdown of the expansion below about 1e-3 rad (which
    gave -336 at 1e-6 rad, depth 2): m/theta is smooth across the switch at 4e-3 rad, and
    m(x, t y) = t m(x, y) (ReLU homogeneity) holds to 3e-5 at every angle."""
    arch = Architecture.pruned(depth, "0.5")
    x = np.array([[1.0, 0.0]])
    angles = np.array([1e-9, 1e-6, 1e-4, 1e-3, 3.99e-3, 4.01e-3, 1e-2, 3e-2])
    y = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = mean_correction(arch, np.repeat(x, len(angles), axis=0), y)
        scaled = mean_correction(arch, np.repeat(3.7 * x, len(angles), axis=0), 0.3 * y)
    slope = m / angles
    assert np.all(np.isfinite(m)) and np.all(slope > 0)
    # m/theta = c0 + c1 theta + ...: across the switch (3.99e-3 -> 4.01e-3 rad) it may move by
    # c1 * 2e-5 (about 1e-5 relative), not by the float64 garbage of the expansion
    assert abs(slope[5] - slope[4]) < 2e-5 * slope[0]
    assert np.all(np.diff(slope) > -1e-5 * slope[0])     # rising, up to the extrapolation's 1e-5
    # the expansion's own error at 4e-3 rad is about 7e-6 relative (eps/theta^4 from 5e-4 at
    # 1e-3 rad), at 8e-3 rad 5e-7; the linear extrapolation at most doubles it
    assert np.allclose(scaled / (3.7 * 0.3), m, rtol=3e-5, atol=0)
    assert mean_correction(arch, x, 2 * x)[0] == 0.0
