"""ReLU moments, float64 formulas and exact enumeration for pseudo-networks (claim C4).

The moments of the masked inner products are derived in
:mod:`theory.pseudo.derivation`; this module holds what fixes and checks them.

For ReLU in the Gaussian limit (a_j proportional to relu(u) relu(v) with (u, v)
standard bivariate normal with correlation cos theta), :func:`relu_product_moments`
derives E[relu(u)^k relu(v)^k] for k = 1, 2 from polar integrals, so
kappa(theta) = 2 pi J_2(theta) / J_1(theta)^2 (Cho and Saul's J_n) and kappa(0) = 6
(for x = x': E[relu^4] / E[relu^2]^2 = (3/2) / (1/2)^2).

:func:`relative_fluctuation`, :func:`width_elasticity`, :func:`relu_kappa` and
:func:`relu_correlation_map` evaluate the closed forms in float64.

:func:`masked_sum_moments_exact` and :func:`iid_masked_sum_moments_exact` are a
second algorithm: exact rational enumeration over all 2^n masks (and all value
assignments), used to cross-check the formulas for small n.
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

import sympy as sp

from .._errors import InvalidArgument, check_int, check_keep_prob
from ..texprint import to_latex

__all__ = ["ReluMoments", "relu_product_moments", "masked_sum_moments_exact",
           "iid_masked_sum_moments_exact", "relative_fluctuation", "width_elasticity",
           "relu_kappa", "relu_correlation_map"]


@dataclass(frozen=True)
class ReluMoments:
    """E[relu(u)^k relu(v)^k] (k = 1, 2) for unit-variance (u, v) at angle theta, and kappa.

    ``first`` and ``second`` are derived from polar integrals; ``kappa`` =
    second / first^2 as a function of theta; ``kappa_parallel`` = E[relu^4] /
    E[relu^2]^2 from two one-dimensional integrals (the case x = x').
    """

    theta: sp.Symbol
    first: sp.Expr
    second: sp.Expr
    kappa: sp.Expr
    kappa_parallel: sp.Expr
    steps: tuple
    checks: dict

    @property
    def holds(self) -> bool:
        return all(self.checks.values())


@functools.lru_cache(maxsize=None)
def relu_product_moments() -> ReluMoments:
    """Derive the ReLU moments that fix kappa in the Gaussian limit.

    >>> m = relu_product_moments()
    >>> m.kappa_parallel, m.holds
    (6, True)
    """
    theta = sp.Symbol("theta", positive=True)
    phi = sp.Symbol("phi", real=True)
    r = sp.Symbol("r", positive=True)
    z = sp.Symbol("z", real=True)
    moments, steps = [], []
    for power in (1, 2):
        radial = sp.integrate(r**(2 * power + 1) * sp.exp(-r**2 / 2), (r, 0, sp.oo))
        angular = sp.simplify(sp.integrate(sp.cos(phi)**power * sp.cos(phi - theta)**power,
                                           (phi, theta - sp.pi / 2, sp.pi / 2)))
        value = sp.simplify(radial * angular / (2 * sp.pi))
        moments.append(value)
        steps.append((f"$E[\\operatorname{{relu}}(u)^{power} \\operatorname{{relu}}(v)^{power}]$: "
                      f"$u = r \\cos\\phi$, $v = r \\cos(\\phi - \\theta)$, both positive for "
                      f"$\\phi \\in (\\theta - \\pi/2, \\pi/2)$; radial integral "
                      f"${to_latex(radial)}$", value))
    j1 = sp.sin(theta) + (sp.pi - theta) * sp.cos(theta)
    j2 = 3 * sp.sin(theta) * sp.cos(theta) + (sp.pi - theta) * (1 + 2 * sp.cos(theta)**2)
    density = sp.exp(-z**2 / 2) / sp.sqrt(2 * sp.pi)
    m2, m4 = (sp.integrate(z**p * density, (z, 0, sp.oo)) for p in (2, 4))
    kappa_parallel = sp.simplify(m4 / m2**2)
    kappa_theta = sp.simplify(moments[1] / moments[0]**2)
    checks = {
        "E[relu relu] = J_1/(2 pi)": sp.simplify(moments[0] - j1 / (2 * sp.pi)) == 0,
        "E[relu^2 relu^2] = J_2/(2 pi)":
            sp.simplify(sp.expand_trig(moments[1] - j2 / (2 * sp.pi))) == 0,
        "kappa(theta -> 0) = E[relu^4]/E[relu^2]^2": sp.simplify(
            sp.limit(kappa_theta, theta, 0, "+") - kappa_parallel) == 0,
    }
    steps += [("For $x = x'$: $E[\\operatorname{relu}(z)^2]$, $E[\\operatorname{relu}(z)^4]$",
               sp.Tuple(m2, m4)),
              ("so $\\kappa(0) = E[\\operatorname{relu}^4] / E[\\operatorname{relu}^2]^2$",
               kappa_parallel),
              ("In general $\\kappa(\\theta)$", kappa_theta)]
    if all(checks.values()):        # shown in Cho and Saul's form once proven equal
        moments = [j1 / (2 * sp.pi), j2 / (2 * sp.pi)]
        kappa_theta = 2 * sp.pi * j2 / j1**2
    return ReluMoments(theta, moments[0], moments[1], kappa_theta, kappa_parallel, tuple(steps),
                       checks)


# ------------------------------------------------------------------ numbers
def relative_fluctuation(kappa_value: float, keep_prob, n: float) -> float:
    """sqrt((kappa - q) / (q n)): sd/mean of a masked sum of n iid terms with kappa = m2/m1^2.

    >>> relative_fluctuation(6.0, "0.5", 1100)
    0.1
    """
    qv = float(check_keep_prob(keep_prob))
    k = _kappa_value(kappa_value)
    if not (isinstance(n, (int, float)) and not isinstance(n, bool) and n > 0):
        raise InvalidArgument("n", n, "the number of terms must be positive",
                              "pass the fan-in (or fan-out) of the masked layer")
    return math.sqrt((k - qv) / (qv * n))


def width_elasticity(kappa_value: float, keep_prob) -> float:
    """kappa / (kappa - q) = d log n* / d log(1/q); 1 in the limit q -> 0.

    >>> width_elasticity(6.0, 1)
    1.2
    """
    qv = float(check_keep_prob(keep_prob))
    k = _kappa_value(kappa_value)
    if k <= qv:
        raise InvalidArgument("kappa", kappa_value, f"kappa must exceed keep_prob = {qv:g} "
                              "(kappa >= 1 >= q by Jensen, equality only for constant terms)",
                              "pass m2/m1^2 of the summed terms")
    return k / (k - qv)


def _kappa_value(value) -> float:
    try:
        k = float(value)
    except (TypeError, ValueError):
        raise InvalidArgument("kappa", value, "not a number", "pass m2/m1^2 >= 1") from None
    if not (math.isfinite(k) and k >= 1):
        raise InvalidArgument("kappa", value, "must be finite and >= 1 (Jensen: m2 >= m1^2)",
                              "pass m2/m1^2 of the summed terms")
    return k


def relu_kappa(cos_angle: float) -> float:
    """kappa = 2 pi J_2 / J_1^2 of a_j ~ relu(u) relu(v), corr(u, v) = cos_angle (float64).

    The angle is taken as atan2(sqrt(1 - c^2), c); antiparallel inputs (c = -1)
    have E[a] = 0 and no finite kappa.

    >>> relu_kappa(1.0), round(relu_kappa(0.0), 12) == round(math.pi**2, 12)
    (6.0, True)
    """
    try:
        c = float(cos_angle)
    except (TypeError, ValueError):
        raise InvalidArgument("cos_angle", cos_angle, "not a number",
                              "pass a correlation in (-1, 1]") from None
    if not -1 < c <= 1:
        raise InvalidArgument("cos_angle", cos_angle, "must lie in (-1, 1] (at -1 E[a] = 0)",
                              "pass the cosine of the angle between the two inputs")
    theta = math.atan2(math.sqrt(max(0.0, 1 - c * c)), c)
    s = math.sin(theta)
    j1 = s + (math.pi - theta) * c
    j2 = 3 * s * c + (math.pi - theta) * (1 + 2 * c * c)
    return 2 * math.pi * j2 / (j1 * j1)


def relu_correlation_map(cos_angle: float, steps: int = 1) -> float:
    """The correlation of the next layer's pre-activations in the Gaussian limit (ReLU):
    c -> J_1(theta) / pi, applied ``steps`` times.  Masks and norms do not change it
    (ReLU is positively homogeneous and a masked layer scales the covariance).

    >>> relu_correlation_map(1.0, 3), round(relu_correlation_map(0.0), 12) == round(1 / math.pi, 12)
    (1.0, True)
    """
    steps = check_int(steps, "steps", 0)
    c = float(cos_angle)
    if not -1 <= c <= 1:
        raise InvalidArgument("cos_angle", cos_angle, "must lie in [-1, 1]",
                              "pass the cosine of an angle")
    for _ in range(steps):
        theta = math.atan2(math.sqrt(max(0.0, 1 - c * c)), c)
        c = min(1.0, (math.sin(theta) + (math.pi - theta) * c) / math.pi)
    return c


# ------------------------------------------------------------------ exact enumeration
def _fractions(values, argument: str) -> tuple[Fraction, ...]:
    try:
        out = tuple(v if isinstance(v, Fraction) else Fraction(str(v)) if isinstance(v, str)
                    else Fraction(v) for v in values)
    except (TypeError, ValueError, ZeroDivisionError):
        raise InvalidArgument(argument, values, "not a sequence of finite numbers",
                              "pass rationals, integers or finite floats") from None
    return out


def masked_sum_moments_exact(weights: Sequence, keep_prob) -> tuple[Fraction, Fraction]:
    """E and Var of sum_j M_j a_j by enumerating all 2^n masks, in exact arithmetic.

    An independent check of the conditional formulas (n <= 16).

    >>> masked_sum_moments_exact([1, 2, 3], "1/2")
    (Fraction(3, 1), Fraction(7, 2))
    """
    a = _fractions(weights, "weights")
    if not 1 <= len(a) <= 16:
        raise InvalidArgument("weights", f"{len(a)} values", "enumeration needs 1 to 16 terms",
                              "use the closed forms for more terms")
    qv = check_keep_prob(keep_prob)
    first = second = Fraction(0)
    for mask in itertools.product((0, 1), repeat=len(a)):
        kept = sum(mask)
        prob = qv**kept * (1 - qv)**(len(a) - kept)
        value = sum(x for x, m in zip(a, mask) if m)
        first += prob * value
        second += prob * value * value
    return first, second - first * first


def iid_masked_sum_moments_exact(values: Sequence, probabilities: Sequence, n: int,
                                 keep_prob) -> tuple[Fraction, Fraction]:
    """E and Var of sum_{j<=n} M_j a_j with a_j iid on ``values`` (with ``probabilities``),
    by enumerating every assignment of values and masks (|values|^n 2^n terms).

    >>> iid_masked_sum_moments_exact([0, 1], ["1/2", "1/2"], 2, 1)
    (Fraction(1, 1), Fraction(1, 2))
    """
    vals = _fractions(values, "values")
    probs = _fractions(probabilities, "probabilities")
    if len(vals) != len(probs) or not vals:
        raise InvalidArgument("probabilities", probabilities,
                              f"need one probability per value ({len(vals)})",
                              "give matching, non-empty sequences")
    if any(p < 0 for p in probs) or sum(probs) != 1:
        raise InvalidArgument("probabilities", probabilities, "not a probability vector",
                              "give non-negative probabilities that sum to 1")
    n = check_int(n, "n", 1)
    if len(vals)**n * 2**n > 1 << 20:
        raise InvalidArgument("n", n, "too many terms to enumerate",
                              "keep |values|^n 2^n <= 2^20")
    qv = check_keep_prob(keep_prob)
    per_term = [(v * m, p * (qv if m else 1 - qv)) for v, p in zip(vals, probs) for m in (0, 1)]
    first = second = Fraction(0)
    for combo in itertools.product(per_term, repeat=n):
        prob = math.prod((p for _, p in combo), start=Fraction(1))
        value = sum(v for v, _ in combo)
        first += prob * value
        second += prob * value * value
    return first, second - first * first
