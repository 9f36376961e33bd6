"""The O(1/n) mean correction of erf networks (theory.variance.mean) against independent
computations: its Stein factors against Gauss-Hermite quadrature of the differentiated
integrands, its Hessians against finite differences of the dual maps, and m itself against
Monte Carlo networks (fit of the sample means in 1/n, z-tests under one union bound)."""

from __future__ import annotations

import numpy as np
import pytest

from numerics.variance.checks import check_variance
from theory.config import Architecture
from theory.variance.duals import dual_jacobian
from theory.variance.mean import _hessians, _stein_factors
from theory.variance.ops import NUMPY

COVS = [(1.0, 0.3, 1.0), (0.7, -0.4, 1.6), (2.0, 1.2, 0.9)]


def _gauss(f, a, c, b, n=120):
    """E f(u, v) for (u, v) ~ N(0, [[a, c], [c, b]]) by tensor Gauss-Hermite quadrature."""
    t, w = np.polynomial.hermite.hermgauss(n)
    z1, z2 = np.meshgrid(np.sqrt(2) * t, np.sqrt(2) * t, indexing="ij")
    W = np.outer(w, w) / np.pi
    rho = c / np.sqrt(a * b)
    u = np.sqrt(a) * z1
    v = np.sqrt(b) * (rho * z1 + np.sqrt(1 - rho * rho) * z2)
    return float(np.sum(W * f(u, v)))


def _erf_derivatives():
    from scipy.special import erf
    d1 = lambda z: 2 / np.sqrt(np.pi) * np.exp(-z * z)  # noqa: E731
    d2 = lambda z: -2 * z * d1(z)                       # noqa: E731
    return erf, d1, d2


@pytest.mark.parametrize("a,c,b", COVS)
def test_erf_stein_factors_match_quadrature(a, c, b):
    s, d1, d2 = _erf_derivatives()
    d = dual_jacobian("erf", NUMPY, np.float64(a), np.float64(c), np.float64(b))
    A, B = _stein_factors("erf", (a, c, b), d)
    # H_x = s(u) s'(u), H_y = s(v) s'(u), H'_x = s'(v) s(u), H'_y = s'(v) s(v)
    ref_A = [[lambda u, v: d1(u) ** 2 + s(u) * d2(u), lambda u, v: 0 * u],
             [lambda u, v: s(v) * d2(u), lambda u, v: d1(v) * d1(u)]]
    ref_B = [[lambda u, v: d1(v) * d1(u), lambda u, v: d2(v) * s(u)],
             [lambda u, v: 0 * u, lambda u, v: d1(v) ** 2 + s(v) * d2(v)]]
    for got, ref in ((A, ref_A), (B, ref_B)):
        for i in range(2):
            for j in range(2):
                assert abs(float(got[i][j]) - _gauss(ref[i][j], a, c, b)) < 1e-10


@pytest.mark.parametrize("a,c,b", COVS)
def test_erf_hessians_match_finite_differences(a, c, b):
    hv, hd, hxx = _hessians("erf")
    h = 1e-4
    K = np.array([a, c, b])

    def duals(k):
        d = dual_jacobian("erf", NUMPY, *map(np.float64, k))
        return np.array([d["V"][0], d["V"][1], d["Vd"]])

    H = np.zeros((3, 3, 3))
    for i in range(3):
        for j in range(3):
            ei, ej = np.eye(3)[i] * h, np.eye(3)[j] * h
            H[:, i, j] = (duals(K + ei + ej) - duals(K + ei - ej) - duals(K - ei + ej)
                          + duals(K - ei - ej)) / (4 * h * h)
    # central differences: truncation ~ h^2 times fourth derivatives, round-off ~ eps/h^2
    assert np.allclose(np.array(hv(a, c, b), float), H[1], rtol=1e-5, atol=1e-6)
    assert np.allclose(np.array(hd(a, c, b), float), H[2], rtol=1e-5, atol=1e-6)
    assert abs(float(hxx(a)) - H[0, 0, 0]) < 1e-6


ALPHA = 1e-3
X = np.array([[1.0, 0.0, 0.0], [0.6, 0.8, 0.0], [0.995, 0.0998749, 0.0]])


@pytest.mark.slow
def test_erf_mean_correction_against_monte_carlo():
    """Depth 2, every layer masked at q = 1/2 (plain): intercept and slope of
    mean = Theta_lim + m/n over widths 16..128 (10000 networks each) against the theory,
    all z-tests under one union bound at ALPHA; and the slopes are far from 0, so the
    test could tell a missing correction."""
    arch = Architecture.pruned(2, "0.5", activation="erf", prune_first_layer=True)
    check = check_variance(arch, (16, 32, 64, 128), X, [(0, 1), (0, 2), (1, 1)],
                           trials=10000, seed=3, alpha=ALPHA)
    assert check.passed, [(e.pair, e.z) for e in check.entries]
    for e in check.entries:
        slope, se = e.fit_m
        assert abs(slope) / se > check.z_threshold          # m = 0 would be rejected
