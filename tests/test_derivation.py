"""The dual kernels derived from their Gaussian integrals equal the stated closed forms."""

import mpmath
import pytest
import sympy as sp

from theory.symbolic import derivation as D
from theory._errors import InvalidArgument
from theory.closed_forms import V_mp, Vdot_mp, c_sigma
from theory.symbolic._dag import evaluate_mp

CASES = [(act, qty) for act in ("relu", "erf") for qty in D.QUANTITIES]


@pytest.mark.parametrize("activation, quantity", CASES)
def test_derived_kernel_equals_closed_form(activation, quantity):
    d = D.derive(activation, quantity)
    assert d.symbolic_equal
    assert d.steps[-1][1] == 0
    assert d.max_numeric_discrepancy < mpmath.mpf(10) ** -45
    # the result is a function of the covariance alone: no angle or delta left over
    assert d.derived.free_symbols <= set(D.DUAL_ARGS)
    assert isinstance(d.integral, sp.Basic) and d.integral.has(sp.Integral)


@pytest.mark.parametrize("activation, quantity", CASES)
def test_derived_kernel_matches_mpmath_closed_form(activation, quantity):
    """Against the separately written mpmath closed forms, at 50 digits."""
    d = D.derive(activation, quantity)
    reference = V_mp if quantity == "nngp" else Vdot_mp
    with mpmath.workdps(50):
        for point in D.sample_points(6, seed=3):
            got = evaluate_mp(d.derived, dict(zip(D.DUAL_ARGS, point)), 50)
            want = reference(activation, *point)
            assert abs(got - want) <= mpmath.mpf(10) ** -45 * abs(want)


@pytest.mark.parametrize("activation, quantity, count",
                         [("relu", "nngp", 2), ("relu", "ntk_derivative", 2),
                          ("erf", "nngp", 1), ("erf", "ntk_derivative", 1)])
def test_derived_kernel_matches_2d_quadrature(activation, quantity, count):
    check = D.quadrature_check(activation, quantity, count=count)
    assert len(check.quadrature) == count
    assert check.max_relative_discrepancy < 1e-12


def test_c_sigma_derivations():
    relu, erf = D.derive_c_sigma("relu"), D.derive_c_sigma("erf")
    assert relu.derived == 2 and relu.symbolic_equal
    assert erf.symbolic_equal and sp.simplify(erf.derived - c_sigma("erf")) == 0
    # independent: 1/c_sigma = E[sigma(z)^2] by 1-D quadrature
    with mpmath.workdps(30):
        second = mpmath.quad(lambda z: mpmath.erf(z) ** 2 * mpmath.npdf(z), [-mpmath.inf, 0, mpmath.inf])
        assert abs(1 / second - evaluate_mp(erf.derived, {}, 30)) < mpmath.mpf(10) ** -25


def test_relu_radial_and_angular_steps_against_quadrature():
    d = D.derive("relu", "nngp")
    steps = dict(d.steps)
    radial = steps["Radial integral"]
    assert radial.rhs == 1 / sp.pi
    with mpmath.workdps(25):
        numeric = mpmath.quad(lambda r: r**3 * mpmath.exp(-r * r / 2), [0, mpmath.inf]) / (2 * mpmath.pi)
        assert abs(numeric - 1 / mpmath.pi) < mpmath.mpf(10) ** -20
        angular = steps["Angular integral"]
        theta = sp.Symbol("theta", real=True)
        for value in (sp.Rational(1, 3), sp.Rational(5, 2)):
            lhs = angular.lhs.subs({theta: value, D.a: 1, D.b: 1})
            phi = lhs.variables[0]
            f = sp.lambdify(phi, lhs.function, "mpmath")
            lo, hi = (float(v) for v in lhs.limits[0][1:])
            closed = sp.N(angular.rhs.subs({theta: value, D.a: 1, D.b: 1}), 25)
            assert abs(mpmath.quad(f, [lo, hi]) - closed) < 1e-20


def test_relu_integration_region():
    """u > 0 and v > 0 exactly for phi in (theta - pi/2, pi/2), as the polar step states."""
    import random

    rng = random.Random(11)
    region = dict(D.derive("relu", "nngp").steps[1:2])
    interval = next(iter(region.values()))
    theta = sp.Symbol("theta", real=True)
    for _ in range(2000):
        th, ph = rng.uniform(0, 3.14159), rng.uniform(-3.14159, 3.14159)
        u_pos = mpmath.cos(ph) > 0
        v_pos = mpmath.cos(th) * mpmath.cos(ph) + mpmath.sin(th) * mpmath.sin(ph) > 0
        inside = float(interval.start.subs(theta, th)) < ph < float(interval.end)
        assert (u_pos and v_pos) == inside


@pytest.mark.parametrize("activation", ["relu", "erf"])
def test_price_theorem(activation):
    d = D.check_price_theorem(activation)
    assert d.symbolic_equal and d.max_numeric_discrepancy < mpmath.mpf(10) ** -45
    # independent: numerical differentiation of the mpmath closed form in c
    with mpmath.workdps(30):
        va, vb, vc = mpmath.mpf("0.7"), mpmath.mpf("1.9"), mpmath.mpf("-0.4")
        slope = mpmath.diff(lambda t: V_mp(activation, va, vb, t), vc)
        assert abs(slope - Vdot_mp(activation, va, vb, vc)) < mpmath.mpf(10) ** -20


def test_checks_can_fail():
    """A wrong closed form is caught symbolically and numerically."""
    d = D.derive("erf", "nngp")
    wrong = d.closed_form * (1 + D.c**2 / 1000)
    assert not D._difference_is_zero(d.derived, wrong)
    assert D._max_discrepancy(d.derived, wrong) > 1e-6
    relu = D.derive("relu", "ntk_derivative")
    assert not D._difference_is_zero(relu.derived, relu.closed_form.subs(D.c, D.c / 2))


def test_derive_all_is_complete_and_cached():
    results = D.derive_all()
    assert {(r.activation, r.quantity) for r in results} == {
        (act, qty) for act in ("relu", "erf")
        for qty in ("c_sigma", "nngp", "ntk_derivative", "price_theorem")}
    assert all(r.symbolic_equal for r in results)
    assert all(r.steps and all(isinstance(s, str) and isinstance(e, sp.Basic) for s, e in r.steps)
               for r in results)
    assert D.derive("erf", "nngp") is D.derive("erf", "nngp")


def test_sample_points_are_valid_covariances():
    points = D.sample_points()
    assert len(points) >= 20
    for va, vb, vc in points:
        assert va > 0 and vb > 0 and vc * vc < 0.95**2 * va * vb * (1 + 1e-12)


@pytest.mark.parametrize("call", [lambda: D.derive("tanh", "nngp"), lambda: D.derive("relu", "ntk"),
                                  lambda: D.derive_c_sigma("gelu"),
                                  lambda: D.quadrature_check("relu", "nngp", count=0)])
def test_bad_arguments(call):
    with pytest.raises(InvalidArgument):
        call()
