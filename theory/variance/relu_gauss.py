"""Gaussian four-point expectations of ReLU and its derivative, derived and in closed form.

For (u, v) ~ N(0, [[a, c], [c, b]]) with angle theta = atan2(sqrt(ab - c^2), c)::

    J_mk(a, b, c) = E[u^m v^k 1{u > 0} 1{v > 0}]

Writing u = sqrt(a) r cos(phi), v = sqrt(b) r cos(phi - theta) with (r, phi) the
polar coordinates of a standard Gaussian in the plane, both are positive exactly on
the wedge theta - pi/2 < phi < pi/2, so (m + k = 2p even)::

    J_mk = a^(m/2) b^(k/2) 2^p p! / (2 pi) * int_{theta-pi/2}^{pi/2} cos^m(phi) cos^k(phi-theta) dphi

(:func:`derive_wedge_integral` does the integral in SymPy).  Because relu'(z) = 1{z > 0}
(0 at the kink), relu(z) relu'(z) = relu(z) and relu'(z)^2 = relu'(z), so every product
of ReLU and its derivative that the variance needs is one of these J_mk.  With
e = pi - theta and sqrt(D) = sqrt(ab - c^2) (:func:`relu_moments` in float64 or mpmath)::

    J00 = e / (2 pi)                              J11 = (sqrt(D) + c e) / (2 pi)
    J20 = (a e + c sqrt(D)/b) / (2 pi)            J02 = (b e + c sqrt(D)/a) / (2 pi)
    J22 = (3 c sqrt(D) + (ab + 2c^2) e) / (2 pi)
    J31 = (3 a c e + sqrt(D) (2a + c^2/b)) / (2 pi)   J13 = (3 b c e + sqrt(D) (2b + c^2/a)) / (2 pi)

J00 and J11 are the arc-cosine kernels of degrees 0 and 1 (Cho and Saul 2009), J22 the one
of degree 2; :func:`prove_relu_moments` proves every closed form equal to its integral.
"""

from __future__ import annotations

import time
from functools import lru_cache

import mpmath
import numpy as np
import sympy as sp

from ..symbolic.result import ProofResult

__all__ = ["MOMENT_INDICES", "derive_wedge_integral", "relu_moment_sym", "relu_moment_closed",
           "relu_angle", "relu_moments", "prove_relu_moments"]

MOMENT_INDICES = ((0, 0), (1, 1), (2, 0), (0, 2), (2, 2), (3, 1), (1, 3))

_a, _b, _theta = sp.symbols("a b theta", positive=True)


@lru_cache(maxsize=None)
def derive_wedge_integral(m: int, k: int) -> sp.Expr:
    """int_{theta - pi/2}^{pi/2} cos(phi)^m cos(phi - theta)^k dphi, by SymPy.

    >>> derive_wedge_integral(0, 0)
    pi - theta
    """
    phi = sp.Symbol("phi", real=True)
    integrand = sp.expand_trig(sp.cos(phi) ** m * sp.cos(phi - _theta) ** k)
    return sp.simplify(sp.integrate(integrand, (phi, _theta - sp.pi / 2, sp.pi / 2)))


def relu_moment_sym(m: int, k: int) -> sp.Expr:
    """J_mk(a, b, theta) = E[u^m v^k 1{u>0, v>0}] derived from its polar integral.

    >>> sp.simplify(relu_moment_sym(1, 1) - sp.sqrt(_a*_b)*(sp.sin(_theta)
    ...     + (sp.pi - _theta)*sp.cos(_theta))/(2*sp.pi))
    0
    """
    if (m + k) % 2:
        raise ValueError("m + k must be even")
    p = (m + k) // 2
    radial = sp.Integer(2) ** p * sp.factorial(p)
    return _a ** sp.Rational(m, 2) * _b ** sp.Rational(k, 2) * radial / (2 * sp.pi) \
        * derive_wedge_integral(m, k)


def relu_moment_closed(m: int, k: int) -> sp.Expr:
    """The stated closed form of J_mk in (a, b, theta) (the formulas of the module docstring)."""
    a, b, t = _a, _b, _theta
    c = sp.sqrt(a * b) * sp.cos(t)
    rD = sp.sqrt(a * b) * sp.sin(t)
    e = sp.pi - t
    forms = {
        (0, 0): e,
        (1, 1): rD + c * e,
        (2, 0): a * e + c * rD / b,
        (0, 2): b * e + c * rD / a,
        (2, 2): 3 * c * rD + (a * b + 2 * c ** 2) * e,
        (3, 1): 3 * a * c * e + rD * (2 * a + c ** 2 / b),
        (1, 3): 3 * b * c * e + rD * (2 * b + c ** 2 / a),
    }
    return forms[(m, k)] / (2 * sp.pi)


def relu_angle(ops, a, b, c):
    """(sqrt(D), e) = (sqrt(ab - c^2), pi - theta), with D set to +0 below its round-off.

    D = ab - c^2 of (nearly) parallel inputs is a difference of equal numbers, so its
    computed value is round-off (about eps ab) of either sign; it is set to exactly +0
    when below 8 eps ab (eps of the back end: float64 or the mpmath working precision),
    which only changes angles under about 4 sqrt(eps) rad, where the computed D carries
    no information.  (+0, not -0: atan2(-0.0, -c) would give -pi.)

    >>> from theory.variance.ops import NUMPY
    >>> rD, e = relu_angle(NUMPY, 1.0, 1.0, float(np.nextafter(1.0, 0.0)))
    >>> float(rD), float(e) == float(np.pi)
    (0.0, True)
    """
    ab = a * b
    D = ab - c * c
    tol = 8 * (np.finfo(float).eps if ops.vector else mpmath.mp.eps)
    D = ops.where(D > tol * ab, D, ops.number(0))
    rD = ops.sqrt(D)
    return rD, ops.atan2(rD, -c)


def relu_moments(ops, a, b, c, angle=None) -> dict:
    """All J_mk of :data:`MOMENT_INDICES` at (a, b, c), elementwise.

    ``ops`` supplies ``sqrt``, ``atan2``, ``pi`` and ``where`` (see
    :mod:`theory.variance.ops`); a zero variance (a masked-out input) gives 0 for
    every J, since then u = 0 and relu'(0) = 0.

    >>> from theory.variance.ops import NUMPY
    >>> J = relu_moments(NUMPY, 1.0, 1.0, 1.0)          # u = v: E[u^4 1{u>0}] = 3/2
    >>> float(J[(2, 2)]), float(J[(0, 0)])
    (1.5, 0.5)
    """
    rD, e = relu_angle(ops, a, b, c) if angle is None else angle
    alive = (a > 0) & (b > 0) if ops.vector else (a > 0 and b > 0)
    everywhere = bool(np.all(alive)) if ops.vector else alive
    sa = a if everywhere else ops.where(alive, a, 1 + 0 * a)
    sb = b if everywhere else ops.where(alive, b, 1 + 0 * b)
    two_pi = 2 * ops.pi
    raw = {
        (0, 0): e,
        (1, 1): rD + c * e,
        (2, 0): a * e + c * rD / sb,
        (0, 2): b * e + c * rD / sa,
        (2, 2): 3 * c * rD + (a * b + 2 * c * c) * e,
        (3, 1): 3 * a * c * e + rD * (2 * a + c * c / sb),
        (1, 3): 3 * b * c * e + rD * (2 * b + c * c / sa),
    }
    if everywhere:
        return {key: value / two_pi for key, value in raw.items()}
    zero = 0 * e
    return {key: ops.where(alive, value / two_pi, zero) for key, value in raw.items()}


def prove_relu_moments() -> ProofResult:
    """Every closed form J_mk equals its polar Gaussian integral (SymPy, exact).

    >>> prove_relu_moments().holds
    True
    """
    start = time.perf_counter()
    steps = []
    holds = True
    for m, k in MOMENT_INDICES:
        derived = relu_moment_sym(m, k)
        diff = sp.simplify(sp.expand_trig(derived - relu_moment_closed(m, k)))
        holds &= diff == 0
        steps.append((f"$J_{{{m}{k}}}$: integral minus closed form", diff))
    statement = sp.Eq(sp.Symbol("J_22"), relu_moment_closed(2, 2))
    return ProofResult(
        claim="V0", title="Gaussian four-point expectations of ReLU",
        statement=statement,
        hypotheses=("$(u, v)$ centred Gaussian with variances $a, b > 0$ and angle $\\theta$",
                    "$\\mathrm{relu}'(0) = 0$"),
        steps=tuple(steps), holds=bool(holds), elapsed=time.perf_counter() - start)
