"""Gaussian four-point expectations of erf and its derivative, by quadrature.

E[erf(u)^2 erf(v)^2] and its relatives for (u, v) ~ N(0, [[a, c], [c, b]]) are
four-dimensional orthant-type integrals with no elementary closed form, so the
variance of an erf network is evaluated by quadrature of smooth (entire) integrands:

* float64: a tensor Gauss-Hermite rule on u = sqrt(a) z1, v = sqrt(b) (rho z1 +
  sqrt(1 - rho^2) z2).  erf(sqrt(a) z) approaches a step as a grows, which slows the
  rule down, so the number of nodes per axis grows like sqrt(max(a, b)) (96 up to
  a = 1, where the error is at rounding level; about 1e-11 at a = 4; at most 512 nodes);
  checked against mpmath and closed forms in the tests;
* mpmath: nested adaptive (tanh-sinh) quadrature at the working precision
  (:func:`erf_expectation_mp`): a reference to any precision, but slow (minutes for a
  two-dimensional product at 20 digits), so the toolkit's float64 path does not use it.

The two-point expectations (the means) are the closed forms of
:mod:`theory.closed_forms`; only fourth-order products need quadrature.
"""

from __future__ import annotations

from functools import lru_cache

import mpmath
import numpy as np
from scipy import special

__all__ = ["GH_NODES", "PRODUCTS", "erf_expectations", "erf_expectation_mp"]

GH_NODES = 96
_MAX_NODES = 512
_CHUNK = 64    # pairs per quadrature block (work space ~ 64 x nodes^2 floats per array)

# (power of erf(u), power of erf'(u), power of erf(v), power of erf'(v))
PRODUCTS = {
    "u4": (4, 0, 0, 0), "u3v1": (3, 0, 1, 0), "u2v2": (2, 0, 2, 0), "u1v3": (1, 0, 3, 0),
    "v4": (0, 0, 4, 0), "u2d": (2, 1, 0, 1), "uvd": (1, 1, 1, 1), "v2d": (0, 1, 2, 1),
    "dd2": (0, 2, 0, 2),
}


@lru_cache(maxsize=4)
def _rule(n: int):
    t, w = special.roots_hermite(n)      # NumPy's hermgauss gives NaN weights beyond ~300
    return np.sqrt(2.0) * t, w / np.sqrt(np.pi)


def _block(a, b, c, z, w):
    sa, sb = np.sqrt(a), np.sqrt(b)
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = np.where((a > 0) & (b > 0), c / np.sqrt(a * b), 0.0)
    rho = np.clip(rho, -1.0, 1.0)
    co = np.sqrt(1.0 - rho * rho)
    z1 = z[None, :, None]
    z2 = z[None, None, :]
    u = sa[:, None, None] * z1 + 0 * z2
    v = sb[:, None, None] * (rho[:, None, None] * z1 + co[:, None, None] * z2)
    W = (w[:, None] * w[None, :])[None]
    eu, ev = special.erf(u), special.erf(v)
    du = 2 / np.sqrt(np.pi) * np.exp(-u * u)
    dv = 2 / np.sqrt(np.pi) * np.exp(-v * v)
    out = {}
    for name, (pu, pdu, pv, pdv) in PRODUCTS.items():
        f = W * eu ** pu * du ** pdu * ev ** pv * dv ** pdv
        out[name] = f.sum(axis=(1, 2))
    return out


def _nodes_for(a, b) -> int:
    top = float(max(np.max(a, initial=1.0), np.max(b, initial=1.0)))
    return int(min(_MAX_NODES, 16 * np.ceil(GH_NODES * np.sqrt(top) / 16)))


def erf_expectations(a, b, c, nodes: int | None = None) -> dict:
    """E[erf(u)^i erf'(u)^j erf(v)^k erf'(v)^l] for every entry of :data:`PRODUCTS`.

    ``a, b, c`` are arrays of one shape (the pairs); returns arrays of that shape.
    ``nodes`` per axis defaults to a count that grows with the largest variance.

    Independent inputs (c = 0) factorise: E[erf(u)^2 erf(v)^2] = E[erf(u)^2]^2, and
    E[erf(u)^2] = (2/pi) asin(2a/(1+2a)) in closed form:

    >>> E = erf_expectations(np.array([1.0]), np.array([1.0]), np.array([0.0]))
    >>> bool(abs(E["u2v2"][0] - (2 / np.pi * np.arcsin(2 / 3)) ** 2) < 1e-14)
    True
    """
    a, b, c = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (a, b, c)))
    shape = a.shape
    a, b, c = a.ravel(), b.ravel(), c.ravel()
    parts = []
    for i in range(0, a.size, _CHUNK):
        sl = slice(i, i + _CHUNK)
        z, w = _rule(nodes or _nodes_for(a[sl], b[sl]))
        parts.append(_block(a[sl], b[sl], c[sl], z, w))
    if not parts:
        z, w = _rule(nodes or GH_NODES)
        parts = [_block(a, b, c, z, w)]
    return {k: np.concatenate([p[k] for p in parts]).reshape(shape) for k in PRODUCTS}


def erf_expectation_mp(name: str, a, b, c):
    """One expectation of :data:`PRODUCTS` by nested adaptive quadrature (mpmath)."""
    pu, pdu, pv, pdv = PRODUCTS[name]
    a, b, c = mpmath.mpf(a), mpmath.mpf(b), mpmath.mpf(c)
    rho = c / mpmath.sqrt(a * b) if a > 0 and b > 0 else mpmath.mpf(0)
    co = mpmath.sqrt(max(1 - rho * rho, mpmath.mpf(0)))
    sa, sb = mpmath.sqrt(a), mpmath.sqrt(b)
    k = 2 / mpmath.sqrt(mpmath.pi)
    phi = lambda z: mpmath.exp(-z * z / 2) / mpmath.sqrt(2 * mpmath.pi)  # noqa: E731
    span = mpmath.sqrt(2 * (mpmath.mp.dps + 5) * mpmath.log(10))

    def inner(z1):
        u = sa * z1
        fu = mpmath.erf(u) ** pu * (k * mpmath.exp(-u * u)) ** pdu

        def g(z2):
            v = sb * (rho * z1 + co * z2)
            return mpmath.erf(v) ** pv * (k * mpmath.exp(-v * v)) ** pdv * phi(z2)
        if pv == 0 and pdv == 0:
            return fu
        return fu * mpmath.quad(g, [-span, 0, span])

    return mpmath.quad(lambda z1: inner(z1) * phi(z1), [-span, 0, span])
