"""Dual maps with their first derivatives, and the per-neuron moments of one layer.

A layer's state for an input pair (x, y) is its pre-activation covariance
K = (K_xx, K_xy, K_yy) = (a, c, b) and its neuron-diagonal NTK value T.  One neuron
contributes to the next layer's collective variables the vector

    z = (c_s s(u)^2, c_s s(u) s(v), c_s s(v)^2, c_s s'(u) s'(v) T),   (u, v) ~ N(0, K)

(s the activation, c_s = 1/E[s(z)^2]).  :func:`neuron_stats` returns its mean, its
second moments and c_s E[s'(u)^2], c_s E[s'(v)^2]; :func:`dual_jacobian` the
derivatives of the means (the dual maps V and Vdot) with respect to (a, c, b).

ReLU (c_s = 2): V_xx = a, V_yy = b, V_xy = (sqrt(D) + c e)/pi, Vdot = e/pi with
D = ab - c^2, e = pi - theta, and dV_xy = (sqrt(D)/(2 pi a), e/pi, sqrt(D)/(2 pi b)),
dVdot = (-c/(2 pi a sqrt(D)), 1/(pi sqrt(D)), -c/(2 pi b sqrt(D))).  The derivative
of Vdot is singular for parallel inputs (D = 0), where its coefficient in the variance
vanishes (the fluctuations stay on the cone D = 0); it is set to 0 there, and D below
its round-off is taken as 0 (:func:`theory.variance.relu_gauss.relu_angle`).
erf (c_s = pi/(2 asin(2/3)), kappa = 1/asin(2/3)): V_xy = kappa asin(2c/sqrt(R)),
R = (1+2a)(1+2b), Q = R - 4c^2, Vdot = 2 kappa / sqrt(Q).
"""

from __future__ import annotations

import math

import mpmath
import numpy as np

from .erf_moments import PRODUCTS, erf_expectation_mp, erf_expectations
from .relu_gauss import relu_angle, relu_moments

__all__ = ["dual_jacobian", "neuron_stats", "STAT_KEYS", "c_sigma_value"]

STAT_KEYS = ("m1", "m2", "m3", "m4", "S11", "S12", "S13", "S14", "S22", "S23", "S24", "S33",
             "S34", "S44", "d2x", "d2y")


def c_sigma_value(activation: str, ops):
    """c_sigma as a number of the back end."""
    if activation == "relu":
        return ops.number(2)
    if ops.vector:
        return ops.number(math.pi / (2 * math.asin(2 / 3)))
    return mpmath.pi / (2 * mpmath.asin(mpmath.mpf(2) / 3))


def _erf_kappa(ops):
    return ops.number(1 / math.asin(2 / 3)) if ops.vector else 1 / mpmath.asin(mpmath.mpf(2) / 3)


def dual_jacobian(activation: str, ops, a, c, b, derivatives: bool = True) -> dict:
    """V_xx, V_xy, V_yy, Vdot_xy and their derivatives with respect to (a, c, b).

    Keys: ``V`` (the three values), ``Vd``, ``dVxx_da``, ``dVyy_db``, ``dVxy`` and
    ``dVd`` (triples in the order a, c, b); ``derivatives=False`` leaves out the
    derivatives (the first layer, whose covariance does not fluctuate, needs none).

    >>> from theory.variance.ops import NUMPY
    >>> J = dual_jacobian("relu", NUMPY, 1.0, 0.0, 1.0)
    >>> [round(float(v), 12) for v in J["dVxy"]], round(float(J["Vd"]), 12)
    ([0.159154943092, 0.5, 0.159154943092], 0.5)
    """
    if activation == "relu":
        rD, e = relu_angle(ops, a, b, c)
        pi = ops.pi
        one = 1 + 0 * a
        Vxy = (rD + c * e) / pi
        Vd = e / pi
        if not derivatives:
            return {"V": (a, Vxy, b), "Vd": Vd, "_rD": rD, "_e": e}
        if _all_positive(ops, a) and _all_positive(ops, b):
            safe_a, safe_b = a, b
        else:
            safe_a = ops.where(a > 0, a, one)
            safe_b = ops.where(b > 0, b, one)
        ia, ib = 1 / (2 * pi * safe_a), 1 / (2 * pi * safe_b)
        dVxy = (rD * ia, Vd, rD * ib)
        if ops.vector:
            inv = 1 / np.where(rD > 0, rD, np.inf)
        else:
            inv = 1 / rD if rD > 0 else 0 * a
        ci = c * inv
        dVd = (-ci * ia, inv / pi, -ci * ib)
        return {"V": (a, Vxy, b), "Vd": Vd, "dVxx_da": one, "dVyy_db": one,
                "dVxy": dVxy, "dVd": dVd, "_rD": rD, "_e": e}
    k = _erf_kappa(ops)
    A, B = 1 + 2 * a, 1 + 2 * b
    R = A * B
    Q = R - 4 * c * c
    rQ = ops.sqrt(Q)
    Vxx = k * ops.asin(2 * a / A)
    Vyy = k * ops.asin(2 * b / B)
    Vxy = k * ops.asin(2 * c / ops.sqrt(R))
    Vd = 2 * k / rQ
    if not derivatives:
        return {"V": (Vxx, Vxy, Vyy), "Vd": Vd}
    dVxy = (-2 * k * c / (rQ * A), 2 * k / rQ, -2 * k * c / (rQ * B))
    q32 = -k / (Q * rQ)      # d(2k Q^-1/2) = -k Q^-3/2 dQ
    dVd = (q32 * 2 * B, q32 * (-8 * c), q32 * 2 * A)
    return {"V": (Vxx, Vxy, Vyy), "Vd": Vd, "dVxx_da": 2 * k / (A * ops.sqrt(1 + 4 * a)),
            "dVyy_db": 2 * k / (B * ops.sqrt(1 + 4 * b)), "dVxy": dVxy, "dVd": dVd}


def _all_positive(ops, v) -> bool:
    return bool(np.all(v > 0)) if ops.vector else v > 0


def _erf_fourth(ops, a, b, c) -> dict:
    if ops.vector:
        return erf_expectations(a, b, c)
    return {name: erf_expectation_mp(name, a, b, c) for name in PRODUCTS}


def neuron_stats(activation: str, ops, a, c, b, T, duals: dict | None = None) -> dict:
    """Mean ``m1..m4``, second moments ``Sij`` (i <= j) of z, and ``d2x``, ``d2y``.

    ``duals``: :func:`dual_jacobian` at the same (a, c, b), if already computed.

    >>> from theory.variance.ops import NUMPY
    >>> st = neuron_stats("relu", NUMPY, 1.0, 1.0, 1.0, 2.0)     # x = y, |x| = 1
    >>> float(st["S11"]), float(st["m1"]), float(st["S44"])   # E[4 relu^4] = 6, 4 T^2/2
    (6.0, 1.0, 8.0)
    """
    cs = c_sigma_value(activation, ops)
    cs2 = cs * cs
    if duals is None:
        duals = dual_jacobian(activation, ops, a, c, b, derivatives=False)
    Vxx, Vxy, Vyy = duals["V"]
    out = {"m1": Vxx, "m2": Vxy, "m3": Vyy, "m4": duals["Vd"] * T}
    if activation == "relu":
        if _all_positive(ops, a) and _all_positive(ops, b):
            out.update(_relu_second_moments(ops, a, c, b, T, duals))
            return out
        J = relu_moments(ops, a, b, c, (duals["_rD"], duals["_e"]))
        alive_x = ops.where(a > 0, 1 + 0 * a, 0 * a)
        alive_y = ops.where(b > 0, 1 + 0 * b, 0 * b)
        out.update(S11=6 * a * a, S12=4 * J[(3, 1)], S13=4 * J[(2, 2)], S14=4 * J[(2, 0)] * T,
                   S22=4 * J[(2, 2)], S23=4 * J[(1, 3)], S24=4 * J[(1, 1)] * T,
                   S33=6 * b * b, S34=4 * J[(0, 2)] * T, S44=4 * J[(0, 0)] * T * T,
                   d2x=alive_x, d2y=alive_y)
        return out
    E = _erf_fourth(ops, a, b, c)
    four_over_pi = 4 / ops.pi
    out.update(S11=cs2 * E["u4"], S12=cs2 * E["u3v1"], S13=cs2 * E["u2v2"], S14=cs2 * E["u2d"] * T,
               S22=cs2 * E["u2v2"], S23=cs2 * E["u1v3"], S24=cs2 * E["uvd"] * T,
               S33=cs2 * E["v4"], S34=cs2 * E["v2d"] * T, S44=cs2 * E["dd2"] * T * T,
               d2x=cs * four_over_pi / ops.sqrt(1 + 4 * a),
               d2y=cs * four_over_pi / ops.sqrt(1 + 4 * b))
    return out


def _same_number(a, b) -> bool:
    """True when a and b are one number (not arrays): the pair's two inputs then have
    equal variances and the u <-> v mirror images coincide."""
    return a is b or (np.ndim(a) == 0 and np.ndim(b) == 0 and a == b)


def _relu_second_moments(ops, a, c, b, T, duals) -> dict:
    """The S_ij of ReLU (c_s = 2) for a, b > 0: 4 J_mk of :mod:`theory.variance.relu_gauss`
    with its 1/(2 pi) folded in, 4 J11 = 2 V_xy and 4 J00 = 2 Vdot reused from the duals,
    and the mirror images (J31/J13, J20/J02) computed once when a = b is one number."""
    rD, e = duals["_rD"], duals["_e"]
    k = 2 / ops.pi
    ce, cc = c * e, c * c
    crD = c * rD
    S13 = k * (3 * crD + (a * b + 2 * cc) * e)
    S12 = k * (3 * a * ce + rD * (2 * a + cc / b))
    J20 = k * (a * e + crD / b)
    if _same_number(a, b):
        S23, J02 = S12, J20
    else:
        S23 = k * (3 * b * ce + rD * (2 * b + cc / a))
        J02 = k * (b * e + crD / a)
    S14 = J20 * T
    S34 = S14 if J02 is J20 else J02 * T
    return {"S11": 6 * a * a, "S12": S12, "S13": S13, "S14": S14, "S22": S13,
            "S23": S23, "S24": 2 * duals["V"][1] * T, "S33": 6 * b * b, "S34": S34,
            "S44": 2 * duals["Vd"] * T * T, "d2x": 1 + 0 * a, "d2y": 1 + 0 * b}


def mix(stats: list[dict], weights) -> dict:
    """The moments of a mixture: the weighted sum of each component's moments."""
    out = {}
    for key in STAT_KEYS:
        total = 0
        for st, w in zip(stats, weights):
            total = total + w * st[key]
        out[key] = total
    return out


def mix_axis(stats: dict, weights: np.ndarray) -> dict:
    """Mixture over the last axis of NumPy arrays (components), weights of that length."""
    return {key: np.asarray(stats[key]) @ weights if np.ndim(stats[key]) else stats[key]
            for key in STAT_KEYS}
