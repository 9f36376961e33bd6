"""Vectorised float64 dual-kernel steps (ReLU and erf) on a :class:`PairGeometry`,
and the layer recursion :func:`propagate` that chains them.

Each step maps the geometry of K^(h) to

* ``nngp``  = V(K)    (Sigma^(h), shape (N, M)),
* ``deriv`` = Vdot(K) (Sigma-dot^(h)),
* the geometry of Sigma^(h) (its diagonal variances and angle),

keeping relative accuracy near correlation +-1.

ReLU.  With eps = pi - theta and F(t) = sin t - t cos t,
``J(theta) = (sin theta + (pi - theta) cos theta)/pi = F(eps)/pi``,
``Vdot = eps/pi``, ``V = sqrt(ab) J``; the next correlation is J, and since
``V(a, a, a) = a`` the variances carry over.  F cancels catastrophically for small t,
so it is summed as a series there.  ``1 - J`` (needed for the next sine when theta is
small) is ``sin^2/(1 + cos) - F(theta)/pi``, free of cancellation.

erf.  ``V = c (2/pi) atan2(2c_ab, D)``, ``Vdot = c (4/pi)/D`` with
``D^2 = (1+2a)(1+2b) - 4c_ab^2 = 1 + 2a + 2b + 4 ab sin^2``, written so the
determinant never cancels.
"""

from __future__ import annotations

from math import asin, factorial, pi

import numpy as np

from .geometry import PairGeometry

__all__ = ["relu_step", "erf_step", "STEPS", "F_small", "propagate"]

_SERIES_CUT = 0.5
# F(t) = t^3 * sum_k C_k t^(2k-2),  C_k = (-1)^(k+1) 2k/(2k+1)!   (k = 1..8: at t = 0.5 the
# ninth term is 1e-20 of F, and the sum agrees with mpmath to 4e-16 relative on 1e-8..0.5)
_F_COEFFS = [(-1) ** (k + 1) * 2 * k / factorial(2 * k + 1) for k in range(1, 9)]
_WHOLE = 0.2     # above this share of small arguments, the series runs on the whole array


def F_small(t: np.ndarray) -> np.ndarray:
    """sin t - t cos t by its Taylor series (accurate to an ulp for |t| <= 0.5).

    >>> import mpmath
    >>> t = 0.3
    >>> abs(float(F_small(np.array(t))) / float(mpmath.sin(t) - t * mpmath.cos(t)) - 1) < 1e-15
    True
    """
    t2 = t * t
    acc = np.zeros_like(t)
    for coef in reversed(_F_COEFFS):
        acc = acc * t2 + coef
    return acc * t2 * t


def _F(t: np.ndarray, direct: np.ndarray) -> np.ndarray:
    """F(t) = sin t - t cos t: ``direct`` is the plain formula, replaced by the series
    where it cancels (t < 0.5; rare in practice, so only that subset is touched)."""
    small = t < _SERIES_CUT
    share = np.count_nonzero(small) / max(small.size, 1)
    if share == 0:
        return direct
    if share > _WHOLE:      # gathering and scattering most of the array costs more
        return np.where(small, F_small(np.minimum(t, _SERIES_CUT)), direct)
    direct = direct.copy()
    direct[small] = F_small(t[small])
    return direct


def relu_step(g: PairGeometry, need_next: bool = True):
    c, s = g.cos, g.sin
    acute = c >= 0
    t = np.arctan2(s, np.abs(c))              # in [0, pi/2]
    pt = pi - t
    theta = np.where(acute, t, pt)            # each accurate where it is small
    eps = np.where(acute, pt, t)              # pi - theta
    Fe = eps * c
    Fe += s                                   # sin eps - eps cos eps (sin eps = s, cos eps = -c)
    J = _F(eps, Fe)
    J *= 1.0 / pi
    eps *= 1.0 / pi                           # Vdot = eps / pi
    root = np.sqrt(g.var_x * g.var_y)
    nngp = root * J if root.shape == J.shape else np.multiply(root, J)
    if not need_next:
        return nngp, eps, None
    Ft = theta * c
    np.subtract(s, Ft, out=Ft)
    Ft = _F(theta, Ft)
    with np.errstate(divide="ignore", invalid="ignore"):
        near_one = s * s
        near_one /= 1.0 + c
        near_one -= Ft * (1.0 / pi)
    one_minus_J = np.where(acute, near_one, 1.0 - J)
    np.maximum(one_minus_J, 0.0, out=one_minus_J)
    one_minus_J *= 1.0 + J
    sin_next = np.sqrt(one_minus_J, out=one_minus_J)
    nxt = PairGeometry(g.var_x, g.var_y, np.minimum(J, 1.0), sin_next)
    return nngp, eps, nxt


_ERF_C = pi / (2.0 * asin(2.0 / 3.0))


def _erf_var(v: np.ndarray) -> np.ndarray:
    return _ERF_C * (2.0 / pi) * np.arctan2(2.0 * v, np.sqrt(1.0 + 4.0 * v))


def erf_step(g: PairGeometry, need_next: bool = True):
    a, b = g.var_x, g.var_y
    root = np.sqrt(a * b)
    D = np.sqrt(1.0 + 2.0 * (a + b) + 4.0 * (root * g.sin) ** 2)  # symmetric in (a, b)
    nngp = _ERF_C * (2.0 / pi) * np.arctan2(2.0 * root * g.cos, D)
    deriv = _ERF_C * (4.0 / pi) / D
    if not need_next:
        return nngp, deriv, None
    nxt = PairGeometry.from_covariance(_erf_var(a), _erf_var(b), nngp)
    return nngp, deriv, nxt


STEPS = {"relu": relu_step, "erf": erf_step}


def propagate(arch, stats):
    """Layers 2..L+1 of ``arch`` from its first-layer statistics (a
    :class:`~theory.kernels.first_layer.FirstLayerStats`): returns (ntk, nngp), of the
    statistics' shape (a Gram matrix, or 1-D for a list of pairs)."""
    scales = [float(s) for s in arch.layer_scales()]
    step = STEPS[arch.activation]
    s2 = scales[1]
    sigma = stats.sigma
    ntk = s2 * (sigma + stats.drive)
    geom = stats.geometry_of_sigma().scaled(s2)     # K^(2)
    s = s2
    for h in range(2, arch.depth + 1):
        sigma, deriv, nxt = step(geom, need_next=h < arch.depth)
        s = scales[h]
        ntk *= deriv
        ntk += sigma
        if s != 1:
            ntk *= s
        geom = nxt.scaled(s) if nxt is not None else None
    nngp = s * sigma
    return ntk, nngp
