"""Derive the dual kernels of ReLU and erf from their Gaussian integrals.

For (u, v) ~ N(0, [[a, c], [c, b]]) the maps of the recursion are
``V = c_sigma E[sigma(u) sigma(v)]`` and ``Vdot = c_sigma E[sigma'(u) sigma'(v)]``
with ``c_sigma = 1 / E_{z~N(0,1)}[sigma(z)^2]``.  Here SymPy *computes* them:

* ReLU: write ``u = sqrt(a) r cos(phi)``, ``v = sqrt(b) r cos(phi - theta)``
  (``cos(theta) = c/sqrt(ab)``, theta in [0, pi]); both are positive exactly for
  phi in (theta - pi/2, pi/2), so the integral splits into a radial and an
  angular integral, each done by SymPy.  ``c_sigma`` integrates z^2 phi(z) over z > 0.
* erf: ``Vdot`` is a Gaussian integral of ``(4/pi) exp(-u^2 - v^2)``, done as two
  nested 1-D integrals in a Cholesky parametrisation (non-degenerate case
  ab > c^2, written ``delta = ab - c^2 > 0``).  ``V`` follows from Price's theorem,
  ``dV/dc = Vdot`` with ``V = 0`` at c = 0 (erf is odd), so ``V = int_0^c Vdot``;
  ``c_sigma`` is the same integral at a = b = c = 1.

Each :class:`Derivation` records the steps, whether ``derived - closed_form``
simplifies to 0, and the largest relative discrepancy at 24 random points at
50 digits.  :func:`quadrature_check` compares with an independent 2-D mpmath
quadrature of the defining integral.

>>> d = derive("relu", "ntk_derivative")
>>> d.derived, d.symbolic_equal
((pi - acos(c/(sqrt(a)*sqrt(b))))/pi, True)
"""

from __future__ import annotations

import functools
import random
import time
from dataclasses import dataclass

import mpmath
import sympy as sp

from .._errors import InvalidArgument
from ..closed_forms import V_sym, Vdot_sym, c_sigma
from ._dag import evaluate_mp

__all__ = ["Derivation", "QuadratureCheck", "derive", "derive_c_sigma", "check_price_theorem",
           "derive_all", "quadrature_check", "sample_points", "DUAL_ARGS", "QUANTITIES"]

a, b = sp.symbols("a b", positive=True)
c = sp.Symbol("c", real=True)
DUAL_ARGS = (a, b, c)
QUANTITIES = ("nngp", "ntk_derivative")

_z, _z1, _z2, _t = sp.symbols("z z1 z2 t", real=True)
_r = sp.Symbol("r", positive=True)
_phi, _theta = sp.symbols("phi theta", real=True)
_delta = sp.Symbol("delta", positive=True)
_gauss2 = sp.exp(-(_z1**2 + _z2**2) / 2) / (2 * sp.pi)


@dataclass(frozen=True)
class Derivation:
    """One derived quantity and the evidence that it equals the stated closed form.

    ``integral`` is the defining integral (unevaluated), ``steps`` a sequence of
    (description, SymPy object) pairs, ``max_numeric_discrepancy`` the largest
    relative difference derived/closed at the sample points (50 digits).
    """

    activation: str
    quantity: str
    integral: sp.Basic
    derived: sp.Expr
    closed_form: sp.Expr
    steps: tuple[tuple[str, sp.Basic], ...]
    symbolic_equal: bool
    max_numeric_discrepancy: mpmath.mpf
    elapsed: float


def _check_activation(activation: str) -> str:
    if activation not in ("relu", "erf"):
        raise InvalidArgument("activation", activation, "no derivation for it",
                              "choose relu or erf")
    return activation


def _difference_is_zero(left: sp.Expr, right: sp.Expr) -> bool:
    diff = sp.simplify(left - right)
    if diff != 0:  # e.g. sqrt(4ab + 2a + 2b + 1) versus sqrt(2a + 1) sqrt(2b + 1)
        diff = sp.simplify(sp.factor(diff, deep=True))
    return diff == 0


def sample_points(count: int = 24, seed: int = 20240611) -> tuple[tuple[mpmath.mpf, ...], ...]:
    """``count`` random covariances (a, b, c), a, b in [0.05, 4], |correlation| <= 0.95.

    Built from decimal strings, so each point is exact and reproducible at any precision.

    >>> len(sample_points()), sample_points(1) == sample_points(1)
    (24, True)
    """
    rng = random.Random(seed)
    with mpmath.workdps(60):
        points = []
        for _ in range(count):
            va = mpmath.mpf(f"{rng.uniform(0.05, 4):.12f}")
            vb = mpmath.mpf(f"{rng.uniform(0.05, 4):.12f}")
            rho = mpmath.mpf(f"{rng.uniform(-0.95, 0.95):.12f}")
            points.append((va, vb, rho * mpmath.sqrt(va * vb)))
    return tuple(points)


def _max_discrepancy(derived: sp.Expr, closed: sp.Expr, dps: int = 50) -> mpmath.mpf:
    worst = mpmath.mpf(0)
    points = sample_points() if derived.free_symbols | closed.free_symbols else ((1, 1, 1),)
    for point in points:
        env = dict(zip(DUAL_ARGS, point))
        left = evaluate_mp(derived, env, dps + 10)
        right = evaluate_mp(closed, env, dps + 10)
        with mpmath.workdps(dps + 10):
            worst = max(worst, abs(left - right) / max(abs(right), mpmath.mpf(10) ** -dps))
    return worst


def _result(activation, quantity, integral, derived, closed, steps, started) -> Derivation:
    equal = _difference_is_zero(derived, closed)
    steps = steps + (("Derived minus closed form, simplified", sp.simplify(derived - closed)
                      if equal else sp.factor(derived - closed, deep=True)),)
    return Derivation(activation, quantity, integral, derived, closed, tuple(steps), equal,
                      _max_discrepancy(derived, closed), time.perf_counter() - started)


# ------------------------------------------------------------------ c_sigma
@functools.lru_cache(maxsize=None)
def derive_c_sigma(activation: str) -> Derivation:
    """Derive c_sigma = 1 / E[sigma(z)^2] for z ~ N(0, 1).

    >>> derive_c_sigma("relu").derived
    2
    """
    started = time.perf_counter()
    if _check_activation(activation) == "relu":
        density = sp.exp(-_z**2 / 2) / sp.sqrt(2 * sp.pi)
        integral = sp.Integral(_z**2 * density, (_z, 0, sp.oo))
        second_moment = integral.doit()
        steps = ((r"$\mathbb{E}[\operatorname{relu}(z)^2]$, where $\operatorname{relu}(z)^2 = z^2$ "
                  r"for $z > 0$ and $0$ otherwise", integral),
                 ("Integrated", second_moment))
    else:
        vdot_raw = _erf_vdot_raw()
        integral = sp.Integral(vdot_raw.subs({a: 1, b: 1, c: _t}), (_t, 0, 1))
        second_moment = integral.doit()
        steps = ((r"Price's theorem at $a = b = 1$, $c = t$: $\mathbb{E}[\operatorname{erf}(z)^2] = "
                  r"\int_0^1 \mathbb{E}[\operatorname{erf}'(u) \operatorname{erf}'(v)] \, dt$, since "
                  r"$\mathbb{E}[\operatorname{erf}(u) \operatorname{erf}(v)] = 0$ at $t = 0$ "
                  r"(erf is odd)", integral),
                 ("Integrated", second_moment))
    derived = 1 / second_moment
    steps += ((r"$c_\sigma = 1 / \mathbb{E}[\sigma(z)^2]$", derived),)
    return _result(activation, "c_sigma", integral, derived, c_sigma(activation), steps, started)


# ------------------------------------------------------------------ ReLU
def _relu(quantity: str, started: float) -> Derivation:
    u = sp.sqrt(a) * _z1
    v = sp.sqrt(b) * (sp.cos(_theta) * _z1 + sp.sin(_theta) * _z2)
    if quantity == "nngp":  # u v = sqrt(ab) r^2 cos(phi) cos(phi - theta); Jacobian r
        integrand = sp.Max(u, 0) * sp.Max(v, 0)
        angular_part, radial_power = sp.sqrt(a * b) * sp.cos(_phi) * sp.cos(_phi - _theta), 3
    else:
        integrand = sp.Heaviside(u) * sp.Heaviside(v)
        angular_part, radial_power = sp.Integer(1), 1
    cs = derive_c_sigma("relu").derived
    integral = cs * sp.Integral(integrand * _gauss2, (_z1, -sp.oo, sp.oo), (_z2, -sp.oo, sp.oo))
    radial = sp.Integral(_r**radial_power * sp.exp(-_r**2 / 2), (_r, 0, sp.oo)) / (2 * sp.pi)
    angular = sp.Integral(angular_part, (_phi, _theta - sp.pi / 2, sp.pi / 2))
    radial_value = radial.doit()
    angular_value = sp.simplify(angular.doit())
    in_theta = cs * radial_value * angular_value
    derived = in_theta.subs(_theta, sp.acos(c / sp.sqrt(a * b)))
    steps = (
        (r"Defining integral, with $u = \sqrt{a} \, z_1$, "
         r"$v = \sqrt{b} \, (\cos\theta \, z_1 + \sin\theta \, z_2)$ and "
         r"$\cos\theta = c / \sqrt{ab}$", integral),
        (r"In polar coordinates $z = r (\cos\phi, \sin\phi)$, $u = \sqrt{a} \, r \cos\phi$ and "
         r"$v = \sqrt{b} \, r \cos(\phi - \theta)$; both are positive exactly for $\phi$ "
         r"in the interval",
         sp.Interval.open(_theta - sp.pi / 2, sp.pi / 2)),
        ("The integral in polar coordinates", cs * sp.Mul(radial, angular, evaluate=False)),
        ("Radial integral", sp.Eq(radial, radial_value, evaluate=False)),
        ("Angular integral", sp.Eq(angular, angular_value, evaluate=False)),
        (r"Times $c_\sigma$, as a function of $\theta$", in_theta),
        (r"Substituting $\theta = \arccos(c / \sqrt{ab}) \in [0, \pi]$", derived),
    )
    closed = (V_sym if quantity == "nngp" else Vdot_sym)("relu", a, b, c)
    return _result("relu", quantity, integral, derived, closed, steps, started)


# ------------------------------------------------------------------ erf
def _erf_vdot_steps():
    u = sp.sqrt(a) * _z1
    v = c / sp.sqrt(a) * _z1 + sp.sqrt(_delta / a) * _z2
    integrand = 4 / sp.pi * sp.exp(-u**2 - v**2) * _gauss2
    inner = sp.simplify(sp.integrate(integrand, (_z2, -sp.oo, sp.oo), conds="none"))
    inner = sp.powsimp(inner, combine="exp")
    exponentials = inner.atoms(sp.exp)
    if len(exponentials) != 1:
        raise RuntimeError(f"expected one Gaussian factor after the z2 integral, got {inner}")
    (exponential,) = exponentials
    rate = sp.factor(sp.cancel(exponential.args[0].subs(c**2, a * b - _delta) / _z1**2))
    inner = inner.subs(exponential, sp.exp(rate * _z1**2))
    outer = sp.integrate(inner, (_z1, -sp.oo, sp.oo), conds="none")
    raw = sp.factor(outer.subs(_delta, a * b - c**2))
    steps = (
        (r"$\mathbb{E}[\operatorname{erf}'(u) \operatorname{erf}'(v)]$ with "
         r"$\operatorname{erf}'(z) = (2 / \sqrt{\pi}) \, e^{-z^2}$, in the Cholesky parametrisation "
         r"$u = \sqrt{a} \, z_1$, $v = (c / \sqrt{a}) \, z_1 + \sqrt{\delta / a} \, z_2$, "
         r"$\delta = ab - c^2 > 0$",
         sp.Integral(integrand.subs(_delta, a * b - c**2), (_z2, -sp.oo, sp.oo), (_z1, -sp.oo, sp.oo))),
        (r"Inner Gaussian integral, over $z_2$", inner),
        (r"Its exponent is $-\lambda z_1^2$, with $\lambda > 0$ evident from $\delta > 0$",
         sp.Eq(sp.Symbol("lambda"), -rate, evaluate=False)),
        (r"Outer Gaussian integral, over $z_1$", outer),
        (r"Substituting $\delta = ab - c^2$", raw),
    )
    return raw, steps


@functools.lru_cache(maxsize=None)
def _erf_vdot_raw_and_steps():
    return _erf_vdot_steps()


def _erf_vdot_raw() -> sp.Expr:
    return _erf_vdot_raw_and_steps()[0]


def _erf(quantity: str, started: float) -> Derivation:
    cs = derive_c_sigma("erf").derived
    raw_vdot, vdot_steps = _erf_vdot_raw_and_steps()
    if quantity == "ntk_derivative":
        integral = cs * vdot_steps[0][1]
        derived = cs * raw_vdot
        steps = vdot_steps + ((r"Times $c_\sigma$", derived),)
        return _result("erf", quantity, integral, derived, Vdot_sym("erf", a, b, c), steps, started)
    integral = cs * sp.Integral(raw_vdot.subs(c, _t), (_t, 0, c))
    raw_v = sp.integrate(raw_vdot.subs(c, _t), (_t, 0, c))
    derived = sp.factor(cs * raw_v, deep=True)
    steps = (
        (r"Price's theorem for $E(c) = \mathbb{E}[\operatorname{erf}(u) \operatorname{erf}(v)]$: "
         r"$E'(c) = \mathbb{E}[\operatorname{erf}'(u) \operatorname{erf}'(v)]$",
         sp.Eq(sp.Derivative(sp.Function("E")(c), c), raw_vdot, evaluate=False)),
        (r"At $c = 0$, $u$ and $v$ are independent and $\mathbb{E}[\operatorname{erf}(u)] = 0$ "
         r"(erf is odd)", sp.Eq(sp.Function("E")(0), 0, evaluate=False)),
        (r"Hence $V = c_\sigma E(c) = c_\sigma \int_0^c E'(t) \, dt$", integral),
        ("Integrated", cs * raw_v),
        ("Factored", derived),
    )
    return _result("erf", quantity, integral, derived, V_sym("erf", a, b, c), steps, started)


@functools.lru_cache(maxsize=None)
def derive(activation: str, quantity: str) -> Derivation:
    """Derive V (``"nngp"``) or V-dot (``"ntk_derivative"``) of ``activation``.

    The result is cached; ``derive(...).derived`` is a SymPy expression in
    :data:`DUAL_ARGS` = (a, b, c) with a, b positive and c real.
    """
    started = time.perf_counter()
    _check_activation(activation)
    if quantity not in QUANTITIES:
        raise InvalidArgument("quantity", quantity, "unknown kernel quantity",
                              "choose nngp (V, Sigma) or ntk_derivative (V-dot, Sigma-dot)")
    return (_relu if activation == "relu" else _erf)(quantity, started)


@functools.lru_cache(maxsize=None)
def check_price_theorem(activation: str) -> Derivation:
    """Check d V/d c == V-dot on the closed forms (Price's theorem), symbolically.

    >>> check_price_theorem("relu").symbolic_equal
    True
    """
    started = time.perf_counter()
    _check_activation(activation)
    closed_v = V_sym(activation, a, b, c)
    integral = sp.Derivative(closed_v, c)
    derived = sp.diff(closed_v, c)
    steps = ((r"Differentiating the closed-form $V$ in $c$", integral), ("Derivative", derived))
    return _result(activation, "price_theorem", integral, derived,
                   Vdot_sym(activation, a, b, c), steps, started)


def derive_all() -> tuple[Derivation, ...]:
    """Every derivation: c_sigma, V and V-dot of ReLU and erf, and Price's theorem."""
    out = []
    for activation in ("relu", "erf"):
        out.append(derive_c_sigma(activation))
        out.extend(derive(activation, quantity) for quantity in QUANTITIES)
        out.append(check_price_theorem(activation))
    return tuple(out)


# ------------------------------------------------------------------ quadrature
@dataclass(frozen=True)
class QuadratureCheck:
    """Derived kernel values against a 2-D mpmath quadrature of the defining integral."""

    activation: str
    quantity: str
    points: tuple[tuple[mpmath.mpf, mpmath.mpf, mpmath.mpf], ...]
    quadrature: tuple[mpmath.mpf, ...]
    derived: tuple[mpmath.mpf, ...]
    max_relative_discrepancy: mpmath.mpf
    dps: int


def _quadrature(activation: str, quantity: str, va, vb, vc):
    if activation == "relu":  # over the quadrant u, v > 0, with the density of (u, v)
        det = va * vb - vc * vc
        norm = 2 * mpmath.pi * mpmath.sqrt(det)

        def density(x, y):
            return mpmath.exp(-(vb * x * x - 2 * vc * x * y + va * y * y) / (2 * det)) / norm

        weight = (lambda x, y: x * y) if quantity == "nngp" else (lambda x, y: 1)
        value = mpmath.quad(lambda x, y: 2 * weight(x, y) * density(x, y), [0, mpmath.inf],
                            [0, mpmath.inf])
        return value
    cs = mpmath.pi / (2 * mpmath.asin(mpmath.mpf(2) / 3))  # erf: z ~ N(0, I) over the plane
    sa, slope, sd = mpmath.sqrt(va), vc / mpmath.sqrt(va), mpmath.sqrt(vb - vc * vc / va)
    if quantity == "nngp":
        def sig(x, y):
            return mpmath.erf(sa * x) * mpmath.erf(slope * x + sd * y)
    else:
        def sig(x, y):
            return 4 / mpmath.pi * mpmath.exp(-(sa * x) ** 2 - (slope * x + sd * y) ** 2)
    return mpmath.quad(lambda x, y: cs * sig(x, y) * mpmath.exp(-(x * x + y * y) / 2) / (2 * mpmath.pi),
                       [-mpmath.inf, mpmath.inf], [-mpmath.inf, mpmath.inf], maxdegree=5)


def quadrature_check(activation: str, quantity: str, count: int = 2, dps: int = 15,
                     seed: int = 7) -> QuadratureCheck:
    """Integrate the defining Gaussian integral numerically at ``count`` sample points.

    ReLU integrates ``c_sigma u v`` (or ``c_sigma``) times the bivariate normal density
    over the quadrant u, v > 0; erf integrates ``c_sigma erf(u) erf(v)`` (or the
    derivative product) against the standard normal density of (z1, z2) over the
    plane.  Neither uses the closed forms.  Takes about 1 s (ReLU) or 3 s (erf) per point.
    """
    derivation = derive(activation, quantity)
    if not 1 <= int(count) <= 24:
        raise InvalidArgument("count", count, "between 1 and 24 sample points",
                              "pass a small count; each point costs a 2-D quadrature")
    points = sample_points(int(count), seed)
    quad_values, derived_values = [], []
    with mpmath.workdps(dps):
        for va, vb, vc in points:
            va, vb, vc = +va, +vb, +vc
            quad_values.append(_quadrature(activation, quantity, va, vb, vc))
            env = dict(zip(DUAL_ARGS, (va, vb, vc)))
            derived_values.append(evaluate_mp(derivation.derived, env, dps))
        worst = max(abs(q - d) / abs(d) for q, d in zip(quad_values, derived_values))
    return QuadratureCheck(activation, quantity, points, tuple(quad_values), tuple(derived_values),
                           worst, dps)

