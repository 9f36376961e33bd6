"""Leading-order finite-width fluctuations of the empirical NTK of a masked network, any depth.

Widths n_h = alpha_h n (h = 1..L), n -> infinity.  Derivation (ours; see the LaTeX
export for the full text).  Let F_h be everything drawn up to weight layer h.  By the law
of total variance, Var Theta = sum_{h=1}^{L+1} E Var(E[Theta | F_h] | F_{h-1}).

* Hidden layer h <= L.  Up to o_p(n^-1/2), E[Theta | F_h] = N_h(G_h, P_h), where
  G_h = (1/n_h) sum_i z_i[1:3] is the layer's post-activation kernel at (xx, xy, yy),
  P_h = (1/n_h) sum_i z_i[4] its back-propagated NTK (z of :mod:`theory.variance.duals`),
  and N_h is the limit recursion from layer h to the output.  Given F_{h-1} the neurons
  of layer h are i.i.d. and, to leading order, Gaussian with covariance K^(h) and
  neuron-diagonal NTK Theta^(h) (the limit values; a masked first layer is the exact
  mixture over mask rows).  So layer h adds (1/alpha_h) g_h' Cov(z) g_h to n Var Theta,
  g_h the gradient of N_h, computed backwards through the dual maps.  A hidden layer's
  keep probability enters only through s_h = r_h^2 q_h: the per-neuron fluctuation of a
  masked row (of order 1/sqrt(q n)) averages out over the n_h neurons, an O(1/(q n^2))
  effect.
* Readout layer.  Theta = sum_j S_j^2 A_j + w' Psi w with w the masked readout weights
  (E w^2 = s, E w^4 = 3 s^2/q), A_j = g_j(x) g_j(y), Psi_jl = g'_j(x) g'_l(y) Theta^(L)_jl
  (the neuron matrix of the layer-L NTK, off-diagonal entries of order n^-1/2).  Hence
  Var(Theta | F_L) = s^2 (X_L + Y_L) + s^2 (1/q - 1) sum_j (A_j^2 + 2 A_j Psi_jj + 3 Psi_jj^2)
  with X = sum_jl Psi_jl^2, Y = sum_jl Psi_jl Psi_lj, which obey, to leading order,
  n X_h = s_h^2 d2_h(x) d2_h(y) n X_{h-1} + S44_h/alpha_h, n Y_h = s_h^2 Vdot_h^2 n Y_{h-1}
  + S44_h/alpha_h, n X_1 = n Y_1 = S44_1/alpha_1 (the first layer's NTK is neuron-diagonal).
  The readout is the only layer whose keep probability enters V beyond s.

Mean: E[Theta_n] = Theta_lim exactly at depth 1 (any width) and for the ReLU diagonal
(any depth and width, :mod:`theory.variance.identities`); the O(1/n) correction m of the
other entries at depth >= 2 (every erf entry, the diagonal included) is
:func:`theory.variance.mean.mean_correction` (derived, checked by Monte Carlo).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .._errors import InvalidArgument
from ..config import Architecture
from .duals import dual_jacobian, neuron_stats
from .first_layer import _first_layer_stats, check_width_ratios
from .mean import mean_correction
from .ops import MPMATH, NUMPY

__all__ = ["VarianceTerms", "variance_terms", "variance_pairs", "variance_gram",
           "check_width_ratios"]


@dataclass(frozen=True)
class VarianceTerms:
    """Leading-order statistics of Theta_n(x, y) with n_h = alpha_h n.

    ``limit``: Theta_lim; ``n_var``: V = lim n Var Theta_n; ``hidden``: the share of
    each hidden layer 1..L; ``readout_offdiag``: s^2 n (X_L + Y_L); ``readout_mask``:
    the readout mask's share s^2 (1/q - 1) (...); ``mean_1_over_n``: m with
    E Theta_n = Theta_lim + m/n + O(1/n^2) (computed in float64 also on the mpmath
    path).  Arrays (one entry per pair) in float64, numbers with mpmath.
    """

    limit: object
    n_var: object
    hidden: tuple
    readout_offdiag: object
    readout_mask: object
    mean_1_over_n: object
    width_ratios: tuple

    def std_at_width(self, width: int):
        """The leading-order standard deviation sqrt(V / n) at reference width n."""
        return (self.n_var / width) ** 0.5


def _num(ops, f: Fraction):
    return ops.number(f.numerator) / f.denominator


def _quad(st, g):
    """g' Cov(z) g = g' S g - (g . m)^2 from the neuron's moments (i <= j entries of S)."""
    gm = g[0] * st["m1"] + g[1] * st["m2"] + g[2] * st["m3"] + g[3] * st["m4"]
    total = -gm * gm
    for i in range(4):
        row = g[i] * st[f"S{i + 1}{i + 1}"]
        for j in range(i + 1, 4):
            row = row + 2 * g[j] * st[f"S{i + 1}{j + 1}"]
        total = total + g[i] * row
    return total


def variance_terms(arch: Architecture, x, y, *, width_ratios=None, ops=NUMPY,
                   mean: bool = True, _first=None) -> VarianceTerms:
    """Leading-order mean and variance of Theta_n(x, y) (see the module docstring).

    With ``ops=NUMPY`` ``x`` and ``y`` are (P, d0) arrays of P pairs (or single
    vectors); with ``ops=MPMATH`` one pair at the working precision.  ``mean=False``
    skips the mean correction (``mean_1_over_n`` is then None).

    >>> import numpy as np
    >>> t = variance_terms(Architecture.pruned(1), np.array([1.0, 0.0]), np.array([1.0, 0.0]))
    >>> float(t.limit[0]), float(t.n_var[0])   # T = 2 relu(u)^2 + 2 w^2 1{u>0}: E T^2 - 4 = 12
    (2.0, 12.0)
    """
    if not isinstance(arch, Architecture):
        raise InvalidArgument("arch", type(arch).__name__, "not an Architecture",
                              "build one with Architecture.pruned(...)")
    alphas = check_width_ratios(arch, width_ratios)
    if ops.vector:
        x, y = np.atleast_2d(np.asarray(x, dtype=float)), np.atleast_2d(np.asarray(y, dtype=float))
        if x.shape != y.shape:
            raise InvalidArgument("y", f"shape {y.shape}", f"x has shape {x.shape}",
                                  "give pairs of inputs of one shape")
    L = arch.depth
    s = [_num(ops, v) for v in arch.layer_scales()]          # s_1..s_{L+1}
    alpha = [_num(ops, v) for v in alphas]
    stats = [_first_layer_stats(arch, x, y, ops) if _first is None else _first]
    states = [None]                                           # (K, Theta, duals) of layers >= 2
    for h in range(2, L + 1):
        prev = stats[-1]
        sh = s[h - 1]
        K = (sh * prev["m1"], sh * prev["m2"], sh * prev["m3"])
        theta = sh * (prev["m2"] + prev["m4"])
        duals = dual_jacobian(arch.activation, ops, K[0], K[1], K[2])
        stats.append(neuron_stats(arch.activation, ops, K[0], K[1], K[2], theta, duals))
        states.append((K, theta, duals))
    last = stats[-1]
    s_out = s[L]
    limit = s_out * (last["m2"] + last["m4"])
    # backward pass: gradients of the output with respect to (G_h, P_h)
    gG = [0 * limit, s_out + 0 * limit, 0 * limit]
    gP = s_out + 0 * limit
    hidden = [None] * L
    for h in range(L, 0, -1):
        st = stats[h - 1]
        hidden[h - 1] = _quad(st, (gG[0], gG[1], gG[2], gP)) / alpha[h - 1]
        if h == 1:
            break
        K, theta, d = states[h - 1]
        lam_theta = gP * d["Vd"]
        lam_K = [d["dVxx_da"] * gG[0] + d["dVxy"][0] * gG[1] + gP * theta * d["dVd"][0],
                 d["dVxy"][1] * gG[1] + gP * theta * d["dVd"][1],
                 d["dVyy_db"] * gG[2] + d["dVxy"][2] * gG[1] + gP * theta * d["dVd"][2]]
        sh = s[h - 1]
        gG = [sh * lam_K[0], sh * (lam_K[1] + lam_theta), sh * lam_K[2]]
        gP = sh * lam_theta
    # readout: off-diagonal NTK recursion and the readout mask
    nX = stats[0]["S44"] / alpha[0]
    nY = nX
    for h in range(2, L + 1):
        st = stats[h - 1]
        _, _, d = states[h - 1]
        sh2 = s[h - 1] ** 2
        nX = sh2 * st["d2x"] * st["d2y"] * nX + st["S44"] / alpha[h - 1]
        nY = sh2 * d["Vd"] ** 2 * nY + st["S44"] / alpha[h - 1]
    offdiag = s_out ** 2 * (nX + nY)
    q_out = arch.keep_probs[L] if (L + 1) in arch.masked_layers else Fraction(1)
    mask_factor = _num(ops, 1 / q_out - 1)
    readout_mask = s_out ** 2 * mask_factor * (last["S22"] + 2 * last["S24"] + 3 * last["S44"]) \
        / alpha[L - 1]
    total = offdiag + readout_mask
    for part in hidden:
        total = total + part
    return VarianceTerms(limit, total, tuple(hidden), offdiag, readout_mask,
                         _mean_correction(arch, x, y, ops, limit, alphas) if mean else None, alphas)


def _mean_correction(arch, x, y, ops, limit, alphas):
    """m: 0 where the mean is exact at every width (depth 1; the ReLU diagonal), the
    leading-order correction of :mod:`theory.variance.mean` for the other entries
    (computed in float64 also on the mpmath path)."""
    if arch.depth == 1:
        return 0 * limit
    if arch.activation != "relu":         # no exact diagonal: every pair gets the expansion
        if ops.vector:
            return mean_correction(arch, x, y, width_ratios=alphas)
        xs = np.array([[float(v) for v in x]])
        ys = np.array([[float(v) for v in y]])
        return float(mean_correction(arch, xs, ys, width_ratios=alphas)[0])
    if ops.vector:
        diag = np.all(x == y, axis=1)
        out = np.zeros(np.shape(limit))
        if not np.all(diag):
            off = ~diag
            out[off] = mean_correction(arch, x[off], y[off], width_ratios=alphas)
        return out
    if all(a == b for a, b in zip(x, y)):
        return 0 * limit
    xs = np.array([[float(v) for v in x]])
    ys = np.array([[float(v) for v in y]])
    return float(mean_correction(arch, xs, ys, width_ratios=alphas)[0])


def variance_pairs(arch: Architecture, x, y, *, width_ratios=None, dps: int | None = None):
    """:func:`variance_terms` in float64 (``dps=None``) or with mpmath at ``dps`` digits."""
    if dps is None:
        return variance_terms(arch, x, y, width_ratios=width_ratios, ops=NUMPY)
    import mpmath
    with mpmath.workdps(dps):
        return variance_terms(arch, list(x), list(y), width_ratios=width_ratios, ops=MPMATH)


def _relu_unit_gram(arch: Architecture, cos, alphas):
    """(Theta_lim, V) of ReLU with a dense first layer for unit inputs at cosines ``cos``.

    The recursion of :func:`variance_terms` specialised to K_xx = K_yy = a_h, one number
    per layer (unit inputs, ReLU keeps a_{h+1} = s_{h+1} a_h): the x and y halves of the
    moments and of the backward gradient coincide, so the quadratic form runs on
    w = z_1 + z_3, z_2, z_4, with u = g_P T:

        Q = g_x^2 (12 a^2 + 2 S13) + 4 g_x g_c S12 + 4 g_x u J + g_c^2 S13 + 4 g_c u V_xy
            + 2 u^2 Vdot - (2 a g_x + g_c V_xy + u Vdot)^2,

    J = (2/pi)(a e + c sqrt(D)/a) (= 4 J20 / T), S12 = 4 J31, S13 = 4 J22; at the top
    layer g_x = 0.  Each layer's angle terms are computed once and shared by the limit,
    the moments and the backward pass.  Checked against :func:`variance_terms`.
    """
    L = arch.depth
    s = [float(v) for v in arch.layer_scales()]
    alpha = [float(v) for v in alphas]
    k = 2 / np.pi
    tol = 8 * np.finfo(float).eps                  # the round-off cut of relu_angle
    layers = []                        # (a, c, cc, T, rD, e, ce, Vxy, Vd) of layers 1..L
    a, c, T = 1.0, cos, cos
    for h in range(1, L + 1):
        cc = c * c
        D = a * a - cc
        D[D <= tol * a * a] = 0.0
        rD = np.sqrt(D)
        e = np.arctan2(rD, -c)
        ce = c * e
        Vd = e * (1 / np.pi)
        Vxy = (rD + ce) * (1 / np.pi)
        layers.append((a, c, cc, T, rD, e, ce, Vxy, Vd))
        if h < L:
            sh = s[h]
            VdT = Vd * T
            VdT += Vxy
            a, c, T = (a, Vxy, VdT) if sh == 1 else (sh * a, sh * Vxy, sh * VdT)
    s_out = s[L]
    Vxy, Vd, T = layers[-1][7], layers[-1][8], layers[-1][3]
    limit = Vd * T
    limit += Vxy
    if s_out != 1:
        limit *= s_out
    gx, gc, gP = 0.0, s_out, s_out
    total = None
    for h in range(L, 0, -1):
        a, c, cc, T, rD, e, ce, Vxy, Vd = layers[h - 1]
        crD = c * rD
        S13 = (k * a * a + 2 * k * cc) * e
        S13 += (3 * k) * crD
        u = gP * T
        uVd = u * Vd
        gm = gc * Vxy
        gm += uVd
        Q = (gc * gc) * S13
        Q += u * ((4 * gc) * Vxy + 2 * uVd)
        if h < L:
            gm += (2 * a) * gx
            S12 = rD * ((k / a) * cc + 2 * k * a)
            S12 += (3 * a * k) * ce
            J = (k * a) * e
            J += (k / a) * crD
            inner = 2 * S13 + 12 * a * a
            inner *= gx
            inner += 4 * gc * S12
            inner += 4 * u * J
            Q += gx * inner
        else:
            readout = 4 * Vxy * T + 6 * Vd * T * T     # S22 + 2 S24 + 3 S44
            readout += S13
        Q -= gm * gm
        if alpha[h - 1] != 1:
            Q *= 1 / alpha[h - 1]
        total = Q if total is None else total + Q
        if h == 1:
            break
        w = np.divide(u, np.pi * rD, out=np.zeros_like(rD), where=rD > 0)   # 0 where D = 0
        lam_theta = gP * Vd
        lam_x = (gc * (1 / (2 * np.pi * a))) * rD
        lam_x += gx
        lam_x -= (1 / (2 * a)) * (w * c)
        lam_c = gc * Vd
        lam_c += w
        lam_c += lam_theta
        sh = s[h - 1]
        gx, gc, gP = (lam_x, lam_c, lam_theta) if sh == 1 else \
            (sh * lam_x, sh * lam_c, sh * lam_theta)
    S44 = 2 * layers[0][8] * layers[0][3] ** 2
    nX = nY = S44 / alpha[0]
    for h in range(2, L + 1):
        Vd, T = layers[h - 1][8], layers[h - 1][3]
        S44 = (2 / alpha[h - 1]) * Vd * T * T
        sh2 = s[h - 1] ** 2
        nX = sh2 * nX + S44
        nY = (sh2 * Vd * Vd) * nY + S44
    total += s_out ** 2 * (nX + nY)
    q_out = arch.keep_probs[L] if (L + 1) in arch.masked_layers else Fraction(1)
    if q_out != 1:
        total += (s_out ** 2 * float(1 / q_out - 1) / alpha[L - 1]) * readout
    return limit, total


_BLOCK = 4096          # entries per block of the ReLU Gram: its arrays stay small and in cache


def _relu_gram(arch: Architecture, G, alphas):
    """(Theta_lim, V) of ReLU with a dense first layer from the input Gram G (N x N), in
    row blocks of the upper triangle (rows r0..r1, columns r0..N) of about ``_BLOCK``
    entries, each mirrored into the lower triangle.  Small blocks keep every
    intermediate array in cache and inside the allocator's reused memory (whole-triangle
    arrays of 20,000 entries were twice as slow, mostly in fresh pages)."""
    N = G.shape[0]
    norm = np.sqrt(np.diag(G))
    lim = np.empty((N, N))
    V = np.empty_like(lim)
    r0 = 0
    while r0 < N:
        r1 = min(N, r0 + max(1, _BLOCK // (N - r0)))
        scale = norm[r0:r1, None] * norm[None, r0:]
        cos = np.clip(G[r0:r1, r0:] / scale, -1.0, 1.0)
        np.fill_diagonal(cos, 1.0)                    # entries (k, r0 + k): x with itself
        lim_b, V_b = _relu_unit_gram(arch, cos, alphas)
        lim_b *= scale
        V_b *= scale * scale
        lim[r0:r1, r0:] = lim_b
        lim[r0:, r0:r1] = lim_b.T
        V[r0:r1, r0:] = V_b
        V[r0:, r0:r1] = V_b.T
        r0 = r1
    return lim, V


def variance_gram(arch: Architecture, X, *, width_ratios=None):
    """(Theta_lim, V) as N x N matrices over the rows of X (float64; upper triangle
    computed, then mirrored; no mean correction).

    A dense first layer needs only the input Gram.  For ReLU with a dense first layer
    (and non-zero inputs) the recursion runs on unit inputs (:func:`_relu_unit_gram`):
    ReLU is positively homogeneous, so Theta(x, y) = |x| |y| Theta(x/|x|, y/|y|) and
    V(x, y) = |x|^2 |y|^2 V(x/|x|, y/|y|) (every moment of layer h is homogeneous in the
    inputs).

    >>> lim, V = variance_gram(Architecture.pruned(1), np.eye(2))
    >>> float(V[0, 0]), bool(V[0, 1] == V[1, 0])
    (12.0, True)
    """
    X = np.atleast_2d(np.asarray(X, dtype=float))
    alphas = check_width_ratios(arch, width_ratios)
    N = X.shape[0]
    if not arch.first_layer_masked:
        G = X @ X.T
        if arch.activation == "relu" and np.all(np.diag(G) > 0):
            return _relu_gram(arch, G, alphas)
    i, j = np.triu_indices(N)
    if arch.first_layer_masked:
        t = variance_terms(arch, X[i], X[j], width_ratios=alphas, mean=False)
    else:
        a, c, b = G[i, i], G[i, j], G[j, j]
        first = neuron_stats(arch.activation, NUMPY, a, c, b, c)
        t = variance_terms(arch, X[:1], X[:1], width_ratios=alphas, mean=False, _first=first)
    lim = np.empty((N, N))
    V = np.empty_like(lim)
    lim[i, j] = lim[j, i] = t.limit
    V[i, j] = V[j, i] = t.n_var
    return lim, V
