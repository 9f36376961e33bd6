"""The O(1/n) mean correction m(x, y) of the empirical NTK of a masked ReLU or erf network.

E Theta_n = Theta_lim + m/n + O(1/n^2).  Exact relations (given the layers below, the
weights of a row are Gaussian given its mask, D = diag of the row's S^2):

    E Theta_out = s_{L+1} (E G_L,xy + E P_L)
    E[G_h | F_{h-1}] = E_mask V(K_i),                       K_i = g' D g (per-row covariance)
    E[P_h | F_{h-1}] = E_mask[ Vd(K_i)(K_i,xy + tr D Psi) + 2 dVd/da T_xx
                                + dVd/dc (T_xy + T_yx) + 2 dVd/db T_yy ],
    T_ab = g(a)' D Psi D g(b)       (Gaussian integration by parts, Price's theorem)

expanded to second order in the fluctuations: the collective ones (Cov of (G, P) of the
layer below, propagated by the Jacobian of the limit maps), the row-mask ones
(s^2 (1/q - 1) times fourth moments of the layer below: here a hidden layer's keep
probability enters), and T, which needs the neuron-off-diagonal NTK through
Z_h(a, b) = sum_{j != l} g_j(a) Psi_jl g_l(b), with Z_1 = 0 and
Z_h = c^2 s_h^2 sum E[d_c H_a] E[d_d H'_b] (diag_{h-1} + Z_{h-1})(c, d).
The activation enters through its dual maps V, Vdot and their first and second
derivatives (SymPy, from :mod:`theory.closed_forms`; erf's V_xx = V(a, a, a) is not linear
in a, unlike ReLU's, so its Hessian enters too), through c_s and through the Stein
factors E[d H] of :func:`_stein_factors` (closed forms for both activations).  float64.
Status: derived here, checked by Monte Carlo (see the tests); not proved.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

from ..closed_forms import V_sym, Vdot_sym
from ..config import Architecture
from ..kernels.geometry import row_norms, unit_cos_sin
from .first_layer import _first_layer_stats, check_width_ratios
from .duals import c_sigma_value, dual_jacobian, neuron_stats
from .ops import NUMPY

__all__ = ["mean_correction"]

_IDX = {("x", "x"): 0, ("x", "y"): 1, ("y", "y"): 2}


@lru_cache(maxsize=None)
def _hessians(activation: str):
    """Lambdified second derivatives in (a, c, b) of V_xy and Vdot, and d^2 V_xx / da^2
    (V_xx(a) = V(a, a, a): 0 for ReLU, whose V_xx = a)."""
    a, b, c = sp.symbols("a b c", positive=True)
    order = (a, c, b)
    V, Vd = V_sym(activation, a, b, c), Vdot_sym(activation, a, b, c)
    hv = [[sp.diff(V, u, w) for w in order] for u in order]
    hd = [[sp.diff(Vd, u, w) for w in order] for u in order]
    hxx = sp.diff(V.subs({b: a, c: a}, simultaneous=True), a, 2)
    return (sp.lambdify((a, c, b), hv, "numpy"), sp.lambdify((a, c, b), hd, "numpy"),
            sp.lambdify(a, hxx, "numpy"))


def _S(st, i, j):
    i, j = min(i, j), max(i, j)
    return st[f"S{i + 1}{j + 1}"]


def _hess_V(K, hv, hxx):
    """Hessians of (V_xx, V_xy, V_yy) with respect to (a, c, b); V_xx depends on a only."""
    zero = 0 * K[0]
    Hxy = [[np.asarray(v) + zero for v in row] for row in hv(*K)]
    Hxx = [[zero] * 3 for _ in range(3)]
    Hyy = [[zero] * 3 for _ in range(3)]
    Hxx[0][0] = np.asarray(hxx(K[0])) + zero
    Hyy[2][2] = np.asarray(hxx(K[2])) + zero
    return [Hxx, Hxy, Hyy]


def _stein_factors(activation: str, K, d):
    """A[al][ga] = E d_ga H_al, B[be][de] = E d_de H'_be (ga, de: derivative in u or v) for
    H_x = s(u) s'(u), H_y = s(v) s'(u), H'_x = s'(v) s(u), H'_y = s'(v) s(v), (u, v) ~ N(0, K).

    ReLU: E relu'(u)^2... = 1/2, E[delta(u) relu(v)] = sqrt(D)/(2 pi a), E relu'(u) relu'(v)
    = (pi - theta)/(2 pi).  erf (s'' = -2 z s', so Stein's E[u f] = a E d_u f + c E d_v f
    closes every term): E[s'(u)^2 + s s''(u)] = E1(a)/(1 + 2a), E1(a) = E s'(u)^2
    = 4/(pi sqrt(1 + 4a)); E[s''(u) s(v)] = -2c E11/(1 + 2a), E11 = E s'(u) s'(v)
    = 4/(pi sqrt(Q)) = Vdot / c_s.
    """
    a, c, b = K
    zero = 0 * a
    if activation == "relu":
        rD = d["_rD"]
        J00 = d["_e"] / (2 * np.pi)
        A = [[0.5 + zero, zero], [rD / (2 * np.pi * a), J00]]
        B = [[J00, rD / (2 * np.pi * b)], [zero, 0.5 + zero]]
        return A, B
    E11 = d["Vd"] / c_sigma_value(activation, NUMPY)
    E1a = 4 / (np.pi * np.sqrt(1 + 4 * a))
    E1b = 4 / (np.pi * np.sqrt(1 + 4 * b))
    A = [[E1a / (1 + 2 * a), zero], [-2 * c * E11 / (1 + 2 * a), E11]]
    B = [[E11, -2 * c * E11 / (1 + 2 * b)], [zero, E1b / (1 + 2 * b)]]
    return A, B


# Below this angle (rad) the ReLU expansion cancels: its relative error grows like
# eps / theta^4 (measured against homogeneity, m(x, t y) = t m(x, y): 1e-7 at 0.01 rad,
# 2e-5 at 0.003, 5e-4 at 0.001, 25% at 3e-4).  There m(theta) / theta is extrapolated
# linearly from _SMALL_ANGLE and 2 _SMALL_ANGLE (error about 1e-5 relative), and
# m(x, t x) = 0 exactly for t > 0 (homogeneity and identity V2).
_SMALL_ANGLE = 4e-3


def _angles(x: np.ndarray, y: np.ndarray):
    """Angles between the rows of x and y (accurate near 0 and pi: cos and sin from the
    difference and sum of the unit rows), the unit rows of x, and the unit components of y
    orthogonal to x."""
    u = x / row_norms(x)[:, None]
    v = y / row_norms(y)[:, None]
    cos, sin = unit_cos_sin(u, v)
    theta = np.arctan2(sin, cos)
    w = v - cos[:, None] * u
    norm = np.linalg.norm(w, axis=1, keepdims=True)
    return theta, u, np.divide(w, norm, out=np.zeros_like(w), where=norm > 0)


def mean_correction(arch: Architecture, x, y, *, width_ratios=None) -> np.ndarray:
    """m(x, y) at any depth (0 at depth 1), ReLU or erf, float64 arrays of pairs.

    For ReLU, pairs closer than ``_SMALL_ANGLE`` rad to parallel are extrapolated from
    that angle (m -> 0 linearly in the angle; 0 exactly for parallel inputs).

    >>> m = mean_correction(Architecture.pruned(1, "0.5"), [[1.0, 0.0]], [[0.6, 0.8]])
    >>> float(m[0])
    0.0
    >>> m = mean_correction(Architecture.pruned(2, "0.5"), [[1.0, 0.0]] * 2, [[2.0, 0.0], [1.0, 1e-6]])
    >>> float(m[0]), round(float(m[1]) / 1e-6, 4)
    (0.0, 0.3183)
    """
    if arch.depth == 1:
        return np.zeros(np.atleast_2d(np.asarray(x, float)).shape[0])
    x, y = np.atleast_2d(np.asarray(x, float)), np.atleast_2d(np.asarray(y, float))
    if arch.activation != "relu":
        return _expansion(arch, x, y, width_ratios)
    theta, u, w = _angles(x, y)
    small = theta < _SMALL_ANGLE
    out = np.zeros(theta.shape)
    if not np.all(small):
        out[~small] = _expansion(arch, x[~small], y[~small], width_ratios)
    near = small & np.any(w != 0, axis=1)          # exactly parallel pairs keep m = 0
    if np.any(near):
        ny = np.linalg.norm(y[near], axis=1, keepdims=True)
        slopes = []
        for t in (_SMALL_ANGLE, 2 * _SMALL_ANGLE):
            yt = ny * (np.cos(t) * u[near] + np.sin(t) * w[near])
            slopes.append(_expansion(arch, x[near], yt, width_ratios) / t)
        th = theta[near]
        out[near] = th * (slopes[0] + (slopes[1] - slopes[0]) * (th / _SMALL_ANGLE - 1))
    return out


def _expansion(arch: Architecture, x, y, width_ratios) -> np.ndarray:
    """The leading-order expansion of m for pairs of rows of x and y (depth >= 2)."""
    alphas = [float(a) for a in check_width_ratios(arch, width_ratios)]
    L = arch.depth
    s = [float(v) for v in arch.layer_scales()]
    qs = [float(q) if h in arch.masked_layers else 1.0
          for h, q in enumerate(arch.keep_probs, start=1)]
    act = arch.activation
    cs2 = float(c_sigma_value(act, NUMPY)) ** 2
    hv, hd, hxx = _hessians(act)
    st = _first_layer_stats(arch, x, y, NUMPY)
    m = [st["m1"], st["m2"], st["m3"], st["m4"]]
    cov_z = [[_S(st, i, j) - m[i] * m[j] for j in range(4)] for i in range(4)]
    C = [[cov_z[i][j] / alphas[0] for j in range(4)] for i in range(4)]     # n Cov(G_1, P_1)
    mu = [0 * m[0]] * 4                                                     # n (E - lim) at 1
    Z = [[0 * m[0]] * 2 for _ in range(2)]                                  # n Z_1 = 0
    for h in range(2, L + 1):
        sh, kq = s[h - 1], 1 / qs[h - 1] - 1
        a_prev = alphas[h - 2]
        G = m[:3]
        K = (sh * G[0], sh * G[1], sh * G[2])
        theta = sh * (G[1] + m[3])
        d = dual_jacobian(act, NUMPY, *K)
        gV = [(d["dVxx_da"], 0 * K[0], 0 * K[0]), d["dVxy"], (0 * K[0], 0 * K[0], d["dVyy_db"])]
        gVd = d["dVd"]
        HV = _hess_V(K, hv, hxx)
        HVd = [[np.asarray(v) + 0 * K[0] for v in row] for row in hd(*K)]
        # row-mask fluctuations (n times their covariances)
        xi = [[sh * sh * kq * _S(st, i, j) / a_prev for j in range(3)] for i in range(3)]
        xi_eta = [sh * sh * kq * _S(st, i, 3) / a_prev for i in range(3)]
        diag = {(0, 0): _S(st, 0, 3) / a_prev, (0, 1): _S(st, 1, 3) / a_prev,
                (1, 0): _S(st, 1, 3) / a_prev, (1, 1): _S(st, 2, 3) / a_prev}
        T = {k: sh * sh * ((1 / qs[h - 1]) * diag[k] + Z[k[0]][k[1]]) for k in diag}
        # Jacobian of (G_h, P_h) with respect to (G_{h-1}, P_{h-1})
        J = [[sh * gV[k][l] for l in range(3)] + [0 * K[0]] for k in range(3)]
        J.append([sh * sh * gVd[l] * theta / sh + (sh * d["Vd"] if l == 1 else 0)
                  for l in range(3)] + [sh * d["Vd"]])
        # mean of G_h
        new_mu = []
        for k in range(3):
            val = sum(J[k][l] * mu[l] for l in range(3))
            for i in range(3):
                for j in range(3):
                    val = val + 0.5 * HV[k][i][j] * (sh * sh * C[i][j] + xi[i][j])
            new_mu.append(val)
        # mean of P_h
        val = sum(J[3][l] * mu[l] for l in range(4))
        for i in range(3):
            for j in range(3):
                hN = sh ** 3 * HVd[i][j] * theta / sh
                hN = hN + sh * sh * ((gVd[i] if j == 1 else 0) + (gVd[j] if i == 1 else 0))
                val = val + 0.5 * hN * C[i][j]
            val = val + sh * sh * gVd[i] * C[i][3]          # cross G-P terms (both orders)
        for i in range(3):
            val = val + gVd[i] * (xi[i][1] + xi_eta[i])
            for j in range(3):
                val = val + 0.5 * theta * HVd[i][j] * xi[i][j]
        val = val + 2 * gVd[0] * T[(0, 0)] + gVd[1] * (T[(0, 1)] + T[(1, 0)]) \
            + 2 * gVd[2] * T[(1, 1)]
        new_mu.append(val)
        # Z recursion and the collective covariance, then move up a layer
        st_new = neuron_stats(act, NUMPY, *K, theta, d)
        A, B = _stein_factors(act, K, d)
        Znew = [[0 * K[0]] * 2 for _ in range(2)]
        for al in range(2):
            for be in range(2):
                tot = 0 * K[0]
                for ga in range(2):
                    for de in range(2):
                        tot = tot + A[al][ga] * B[be][de] * (diag[(ga, de)] + Z[ga][de])
                Znew[al][be] = cs2 * sh * sh * tot
        m = [st_new["m1"], st_new["m2"], st_new["m3"], st_new["m4"]]
        cz = [[_S(st_new, i, j) - m[i] * m[j] for j in range(4)] for i in range(4)]
        C = [[cz[i][j] / alphas[h - 1] + sum(J[i][k] * C[k][l] * J[j][l]
                                             for k in range(4) for l in range(4))
              for j in range(4)] for i in range(4)]
        mu, Z, st = new_mu, Znew, st_new
    s_out = s[L]
    return s_out * (mu[1] + mu[3])
