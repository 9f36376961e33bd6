"""Closed forms of the dual kernels of ReLU and erf (THEORY section 2).

For (u, v) ~ N(0, [[a, c], [c, b]]) and c_sigma = 1 / E_{z~N(0,1)}[sigma(z)^2]:

* ``V(a, b, c)    = c_sigma E[sigma(u) sigma(v)]``   (the NNGP map, Sigma)
* ``Vdot(a, b, c) = c_sigma E[sigma'(u) sigma'(v)]`` (the derivative map, Sigma-dot)

ReLU (arc-cosine kernels of degree 1 and 0, c_sigma = 2), with theta the angle
between the pre-activations::

    V    = sqrt(ab) (sin(theta) + (pi - theta) cos(theta)) / pi
    Vdot = (pi - theta) / pi

erf (arcsine kernel, c_sigma = pi / (2 asin(2/3)))::

    V    = c_sigma (2/pi) asin(2c / sqrt((1+2a)(1+2b)))
    Vdot = c_sigma (4/pi) / sqrt((1+2a)(1+2b) - 4c^2)

These are *stated* here; ``theory.symbolic.derivation`` derives them from the Gaussian
integrals and proves the two agree.  The symbolic forms use ``acos``; the mpmath
forms take pi - theta = atan2(sqrt(ab - c^2), -c), which keeps every digit near
correlation +-1 and is exactly 0 for exactly antiparallel inputs.
"""

from __future__ import annotations

import mpmath
import sympy as sp

from ._errors import InvalidArgument

__all__ = ["c_sigma", "V_sym", "Vdot_sym", "V_mp", "Vdot_mp", "positively_homogeneous"]


def _check(activation: str) -> str:
    if activation not in ("relu", "erf"):
        raise InvalidArgument("activation", activation, "no closed form for it",
                              "choose relu or erf")
    return activation


def c_sigma(activation: str) -> sp.Expr:
    """Exact c_sigma = 1 / E[sigma(z)^2].

    >>> c_sigma("relu"), c_sigma("erf")
    (2, pi/(2*asin(2/3)))
    """
    if _check(activation) == "relu":
        return sp.Integer(2)
    return sp.pi / (2 * sp.asin(sp.Rational(2, 3)))


def positively_homogeneous(activation: str) -> bool:
    """True when sigma(t z) = t sigma(z) for t > 0 (ReLU), the premise of claim C1."""
    return _check(activation) == "relu"


# ---------------------------------------------------------------------- SymPy
def V_sym(activation: str, a: sp.Expr, b: sp.Expr, c: sp.Expr) -> sp.Expr:
    """Symbolic NNGP map Sigma(a, b, c)."""
    if _check(activation) == "relu":
        theta = sp.acos(c / sp.sqrt(a * b))
        return sp.sqrt(a * b) * (sp.sin(theta) + (sp.pi - theta) * sp.cos(theta)) / sp.pi
    return c_sigma("erf") * 2 / sp.pi * sp.asin(2 * c / sp.sqrt((1 + 2 * a) * (1 + 2 * b)))


def Vdot_sym(activation: str, a: sp.Expr, b: sp.Expr, c: sp.Expr) -> sp.Expr:
    """Symbolic derivative map Sigma-dot(a, b, c)."""
    if _check(activation) == "relu":
        theta = sp.acos(c / sp.sqrt(a * b))
        return (sp.pi - theta) / sp.pi
    return c_sigma("erf") * 4 / sp.pi / sp.sqrt((1 + 2 * a) * (1 + 2 * b) - 4 * c**2)


# ---------------------------------------------------------------------- mpmath
def _relu_supplement(a, b, c):
    """pi - theta = atan2(sqrt(ab - c^2), -c): exactly 0 for antiparallel inputs."""
    det = a * b - c * c
    if det < 0:  # rounding of an exactly degenerate pair
        det = mpmath.mpf(0)
    return mpmath.atan2(mpmath.sqrt(det), -c)


def V_mp(activation: str, a, b, c):
    """mpmath NNGP map at the working precision (``mpmath.mp.dps``).

    A zero variance (a masked-out input) gives 0.
    """
    a, b, c = mpmath.mpf(a), mpmath.mpf(b), mpmath.mpf(c)
    if _check(activation) == "relu":
        if a == 0 or b == 0:
            return mpmath.mpf(0)
        # sin(theta) + (pi - theta) cos(theta) with eps = pi - theta
        eps = _relu_supplement(a, b, c)
        return mpmath.sqrt(a * b) * (mpmath.sin(eps) - eps * mpmath.cos(eps)) / mpmath.pi
    cs = mpmath.pi / (2 * mpmath.asin(mpmath.mpf(2) / 3))
    return cs * 2 / mpmath.pi * mpmath.asin(2 * c / mpmath.sqrt((1 + 2 * a) * (1 + 2 * b)))


def Vdot_mp(activation: str, a, b, c):
    """mpmath derivative map at the working precision.

    For ReLU with a zero variance the angle is undefined; the value returned (1) is
    only ever multiplied by a zero covariance.
    """
    a, b, c = mpmath.mpf(a), mpmath.mpf(b), mpmath.mpf(c)
    if _check(activation) == "relu":
        if a == 0 or b == 0:
            return mpmath.mpf(1)
        return _relu_supplement(a, b, c) / mpmath.pi
    cs = mpmath.pi / (2 * mpmath.asin(mpmath.mpf(2) / 3))
    return cs * 4 / mpmath.pi / mpmath.sqrt((1 + 2 * a) * (1 + 2 * b) - 4 * c * c)
