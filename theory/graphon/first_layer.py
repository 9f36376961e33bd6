"""The first layer of the Graphon NTK on a tile of input pairs, for each distinct block.

* :func:`weighted_geometry` - the angle geometry of the weighted inner products
  ``sum_j g_j x_j y_j`` for many weight rows g at once (one matrix product for the
  whole tile), accurate near correlation +-1 like
  :meth:`theory.kernels.geometry.PairGeometry.from_inputs`: pairs with cos > 0.9 or
  cos < -0.5 are recomputed from the weighted norms of the difference and the sum of the
  unit vectors, and pairs with cos < -0.99 from exact rational arithmetic.  In between,
  1 - cos >= 0.1 and 1 + cos >= 0.5, so the plain quotient loses no more than a few ulps
  of either (the bands of the dense bulk Gram, :mod:`theory.kernels.bulk_gram`).
* :func:`first_layer_mean_field` / :func:`first_layer_exact` - the block statistics
  that start the graphon recursion (mean-field covariance, or the exact average over
  Bernoulli(G_1[a, j]) masks of the input coordinates, as in claim C5).

>>> import numpy as np
>>> g = weighted_geometry(np.array([[1.0, 0.5]]), np.array([[1.0, 2.0]]), np.array([[1.0, 2.0]]))
>>> float(g.var_x[0, 0, 0]), float(g.cos[0, 0, 0]), float(g.sin[0, 0, 0])
(3.0, 1.0, 0.0)
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from ..kernels.first_layer import finish_stats, pattern_sums
from ..kernels.geometry import PairGeometry

__all__ = ["weighted_gram", "weighted_geometry", "first_layer_mean_field", "first_layer_exact"]

_PARALLEL = 0.9          # refine cos above this
_OPPOSITE = -0.5         # and below this
_ANTIPARALLEL = -0.99
_CHUNK = 1 << 20       # elements of difference vectors per refinement chunk


def _exact_cos_sin(g, x, y):
    fg = [Fraction(float(v)) for v in g]
    fx = [Fraction(float(v)) for v in x]
    fy = [Fraction(float(v)) for v in y]
    a = sum(w * u * u for w, u in zip(fg, fx))
    b = sum(w * v * v for w, v in zip(fg, fy))
    c = sum(w * u * v for w, u, v in zip(fg, fx, fy))
    ab = a * b
    sin = float(np.sqrt(float((ab - c * c) / ab)))
    cos = float(np.sqrt(float(c * c / ab)))
    return (cos if c >= 0 else -cos), sin


def _unit_norms(W: np.ndarray) -> np.ndarray:
    """Row norms of differences and sums of unit vectors (entries at most 2 in size:
    nothing overflows, and squares under 1e-300 add nothing to a norm that matters)."""
    return np.sqrt(np.einsum("ij,ij->i", W, W))


def weighted_gram(G: np.ndarray, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """``sum_j G[e, j] x_j y_j`` as an (E, T, C) array, by one matrix product."""
    E, d = G.shape
    T, C = X.shape[0], Y.shape[0]
    gram = ((X[:, None, :] * G[None, :, :]).reshape(T * E, d) @ Y.T).reshape(T, E, C)
    return np.ascontiguousarray(gram.transpose(1, 0, 2))


def weighted_geometry(G: np.ndarray, X: np.ndarray, Y: np.ndarray) -> PairGeometry:
    """Geometry of ``K_e(x, y) = sum_j G[e, j] x_j y_j`` for every row e of ``G`` (E, d),
    row x of ``X`` (T, d) and row y of ``Y`` (C, d): arrays shaped (E, T, 1), (E, 1, C)
    and (E, T, C).  A zero weighted norm gives variance 0, cos 1, sin 0."""
    d = G.shape[1]
    gram = weighted_gram(G, X, Y)
    vx = (X * X) @ G.T                       # (T, E)
    vy = (Y * Y) @ G.T                       # (C, E)
    nx, ny = np.sqrt(vx).T, np.sqrt(vy).T    # (E, T), (E, C)
    live = (nx[:, :, None] > 0) & (ny[:, None, :] > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.where(live, gram / (nx[:, :, None] * ny[:, None, :]), 1.0)
    np.clip(cos, -1.0, 1.0, out=cos)
    sin = np.sqrt((1.0 - cos) * (1.0 + cos))
    e, t, c = np.nonzero(live & ((cos > _PARALLEL) | (cos < _OPPOSITE)))
    root = np.sqrt(G)
    step = max(1, _CHUNK // max(1, d))
    for s0 in range(0, e.size, step):
        ee, tt, cc = e[s0:s0 + step], t[s0:s0 + step], c[s0:s0 + step]
        u = root[ee] * X[tt] / nx[ee, tt][:, None]
        v = root[ee] * Y[cc] / ny[ee, cc][:, None]
        dd, ss = _unit_norms(u - v), _unit_norms(u + v)
        cos[ee, tt, cc] = np.clip(0.25 * (ss - dd) * (ss + dd), -1.0, 1.0)
        sin[ee, tt, cc] = 0.5 * dd * ss
    for ee, tt, cc in zip(*np.nonzero(live & (cos < _ANTIPARALLEL))):
        cos[ee, tt, cc], sin[ee, tt, cc] = _exact_cos_sin(G[ee], X[tt], Y[cc])
    return PairGeometry(np.ascontiguousarray(vx.T)[:, :, None],
                        np.ascontiguousarray(vy.T)[:, None, :], cos, sin)


def first_layer_mean_field(rows1: np.ndarray, X: np.ndarray, Y: np.ndarray,
                           r2: float) -> PairGeometry:
    """The geometry of K^(1)_a = r_1^2 sum_j G_1[a, j] x_j y_j for the distinct rows of G_1."""
    return weighted_geometry(rows1, X, Y).scaled(r2)


def first_layer_exact(rows1: np.ndarray, X: np.ndarray, Y: np.ndarray, r2: float,
                      activation: str):
    """Per distinct row of G_1, the exact mask average over Bernoulli(G_1[a, j]) patterns of
    the non-zero coordinates: (var_x, var_y, Sigma, drive, cos, sin) stacked over rows."""
    relevant = np.flatnonzero(np.any(X != 0, axis=0) | np.any(Y != 0, axis=0))
    k = relevant.size
    codes = np.arange(1 << k, dtype=np.int64)
    masks = ((codes[:, None] >> np.arange(k)) & 1).astype(bool)
    parts = []
    for row in rows1:
        q = row[relevant]
        weights = np.prod(np.where(masks, q, 1.0 - q), axis=1)
        st = finish_stats(pattern_sums(X[:, relevant], Y[:, relevant], masks, weights, r2,
                                   activation, False))
        g = st.geometry_of_sigma()
        parts.append((st.var_x, st.var_y, st.sigma, st.drive, g.cos, g.sin))
    return tuple(np.stack([p[i] for p in parts]) for i in range(6))
