"""Pair geometry of a covariance: variances, and the angle as an accurate (cos, sin).

Every dual-kernel step needs the angle theta between two pre-activations.  Taking
``arccos(c / sqrt(ab))`` throws away about half the digits as the correlation nears
+-1 (a 1e-12 rad angle comes back with a 1e-8 error).  This module keeps the angle
as a pair (cos theta, sin theta), both accurate to a few ulps in the *absolute*
sense, with ``sin`` accurate in the *relative* sense near theta = pi as well, so
that ``theta = atan2(sin, cos)`` and ``pi - theta = atan2(sin, -cos)`` are both
accurate where they are small.

First-layer geometry comes from the inputs themselves:

* ``|cos| <= 1/2``: cos from a BLAS Gram of unit vectors, sin = sqrt((1-cos)(1+cos));
* ``cos > 1/2`` or ``cos < -1/2``: from the difference and sum of the unit vectors,
  ``sin = |u-v| |u+v| / 2`` and ``cos = (|u+v|^2 - |u-v|^2) / 4``;
* ``cos < -0.99`` (nearly antiparallel, where pi - theta must be accurate relative to
  itself): from exact rational arithmetic on the float64 inputs, then rounded.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction

import numpy as np

from .._errors import InvalidArgument

__all__ = ["PairGeometry", "as_inputs", "row_norms", "unit_cos_sin"]

_PARALLEL = 0.5     # |cos| beyond this: use difference/sum vectors
_ANTIPARALLEL = -0.99  # cos below this: exact rational arithmetic
_CHUNK = 1 << 20    # elements per chunk of difference vectors


def as_inputs(X, argument: str = "inputs", *, allow_zero: bool = False) -> np.ndarray:
    """Validate a 2-D float64 array of inputs, one per row (a 1-D array is one input)."""
    try:
        arr = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidArgument(argument, X, "not an array of numbers",
                              "pass real numbers, one input per row") from None
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise InvalidArgument(argument, f"array of shape {arr.shape}", "need a non-empty 2-D array",
                              "pass one input vector per row")
    if not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise InvalidArgument(argument, f"row {bad[0]} entry {bad[1]} = {arr[tuple(bad)]}",
                              "NaN or infinite entry", "remove or replace non-finite values")
    nonzero = np.any(arr != 0, axis=1)
    if not allow_zero and not np.all(nonzero):
        zero = int(np.flatnonzero(~nonzero)[0])
        raise InvalidArgument(argument, f"row {zero} (all zeros)",
                              "the kernels need non-zero inputs (the angle is undefined)",
                              "drop zero vectors or add a constant feature")
    sq = row_norms(arr) ** 2
    bad = np.flatnonzero(nonzero & ((sq == 0) | ~np.isfinite(sq)))
    if bad.size:
        i = int(bad[0])
        raise InvalidArgument(argument, f"row {i} with norm {row_norms(arr)[i]:.3g}",
                              "its squared norm under- or overflows float64",
                              "rescale the inputs into 1e-150 < |x| < 1e150 (ReLU kernels "
                              "are homogeneous: Theta(tx, sy) = ts Theta(x, y))")
    return arr


def row_norms(X: np.ndarray) -> np.ndarray:
    """Euclidean norms of the rows, safe from overflow and underflow."""
    scale = np.max(np.abs(X), axis=-1)
    safe = np.where(scale > 0, scale, 1.0)
    return scale * np.sqrt(np.sum((X / safe[..., None]) ** 2, axis=-1))


def _exact_cos_sin(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """cos and sin of the angle between two float64 vectors, from exact rationals."""
    fx = [Fraction(float(v)) for v in x]
    fy = [Fraction(float(v)) for v in y]
    a = sum(v * v for v in fx)
    b = sum(v * v for v in fy)
    c = sum(u * v for u, v in zip(fx, fy))
    ab = a * b
    # sin^2 = (ab - c^2)/ab and cos^2 = c^2/ab, each rounded once; signs restored.
    sin = float(np.sqrt(float((ab - c * c) / ab)))
    cos = float(np.sqrt(float(c * c / ab)))
    return (cos if c >= 0 else -cos), sin


def unit_cos_sin(row_x: np.ndarray, row_y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(cos, sin) of unit rows from their difference and sum: accurate near +-1."""
    d = row_norms(row_x - row_y)
    s = row_norms(row_x + row_y)
    return np.clip(0.25 * (s - d) * (s + d), -1.0, 1.0), 0.5 * d * s


@dataclass(frozen=True)
class PairGeometry:
    """The 2x2 covariances of all pairs (x_i, y_j) in angle form.

    ``var_x`` has shape (N, 1), ``var_y`` shape (1, M), ``cos`` and ``sin`` shape
    (N, M) with cos**2 + sin**2 = 1 and sin >= 0.  A zero variance (a masked-out
    input) is stored with cos = 1, sin = 0; every kernel value involving it is 0.
    """

    var_x: np.ndarray
    var_y: np.ndarray
    cos: np.ndarray
    sin: np.ndarray

    @property
    def cov(self) -> np.ndarray:
        return np.sqrt(self.var_x * self.var_y) * self.cos

    def scaled(self, s: float) -> "PairGeometry":
        """Geometry of s times the covariance (s > 0): variances scale, angles do not."""
        if s == 1:
            return self
        return replace(self, var_x=self.var_x * s, var_y=self.var_y * s)

    # ------------------------------------------------------------ constructors
    @classmethod
    def from_covariance(cls, var_x, var_y, cov) -> "PairGeometry":
        """From covariance entries: ``var_x`` shaped (..., N, 1), ``var_y`` (..., 1, M).

        The angle is accurate to about sqrt(ulp) near correlation +-1; use
        :meth:`from_inputs` for first-layer covariances.
        """
        var_x = np.asarray(var_x, dtype=np.float64)
        var_y = np.asarray(var_y, dtype=np.float64)
        denom = np.sqrt(var_x * var_y)
        live = denom > 0
        with np.errstate(invalid="ignore", divide="ignore"):
            cos = np.where(live, cov / np.where(live, denom, 1.0), 1.0)
        cos = np.clip(cos, -1.0, 1.0)
        sin = np.sqrt((1.0 - cos) * (1.0 + cos))
        return cls(var_x, var_y, cos, sin)

    @classmethod
    def from_inputs(cls, X: np.ndarray, Y: np.ndarray | None = None, *,
                    exact_antiparallel: bool = True) -> "PairGeometry":
        """Geometry of the dot-product covariance x . y, accurate near correlation +-1.

        ``X`` has shape (..., N, d) and ``Y`` shape (..., M, d); leading axes batch
        (e.g. over first-layer mask patterns).  ``Y=None`` means Y = X, whose diagonal
        is then exactly cos = 1, sin = 0.  Rows may be zero (masked-out inputs).
        """
        symmetric = Y is None
        Y = X if symmetric else Y
        nx, ny = row_norms(X), row_norms(Y)
        ux = X / np.where(nx > 0, nx, 1.0)[..., None]
        uy = Y / np.where(ny > 0, ny, 1.0)[..., None]
        cos = np.clip(ux @ np.swapaxes(uy, -1, -2), -1.0, 1.0)
        sin = np.sqrt((1.0 - cos) * (1.0 + cos))
        live = (nx[..., :, None] > 0) & (ny[..., None, :] > 0)
        idx = np.nonzero(live & (np.abs(cos) > _PARALLEL))
        if symmetric and idx[0].size:
            off = idx[-2] != idx[-1]
            idx = tuple(k[off] for k in idx)
        step = max(1, _CHUNK // max(1, X.shape[-1]))
        for start in range(0, idx[0].size, step):
            part = tuple(k[start:start + step] for k in idx)
            cos[part], sin[part] = unit_cos_sin(ux[part[:-1]], uy[part[:-2] + part[-1:]])
        if exact_antiparallel:
            for part in zip(*np.nonzero(live & (cos < _ANTIPARALLEL))):
                cos[part], sin[part] = _exact_cos_sin(X[part[:-1]], Y[part[:-2] + part[-1:]])
        if symmetric:  # mirror the upper triangle: exactly symmetric, unit diagonal
            n = X.shape[-2]
            upper = np.triu(np.ones((n, n), dtype=bool), 1)
            cos = np.where(upper, cos, np.swapaxes(cos, -1, -2))
            sin = np.where(upper, sin, np.swapaxes(sin, -1, -2))
            cos[..., np.arange(n), np.arange(n)] = 1.0
            sin[..., np.arange(n), np.arange(n)] = 0.0
        cos = np.where(live, cos, 1.0)
        sin = np.where(live, sin, 0.0)
        return cls((nx**2)[..., :, None], (ny**2)[..., None, :], cos, sin)

    @classmethod
    def from_input_pairs(cls, X: np.ndarray, rows: np.ndarray, cols: np.ndarray,
                         Y: np.ndarray | None = None) -> "PairGeometry":
        """Geometry of the pairs (X[rows[k]], Y[cols[k]]) only, as 1-D arrays (Y = X by
        default), with the same accuracy guarantees as :meth:`from_inputs`.

        Only the listed pairs are computed: this serves the few ill-conditioned pairs of
        a large Gram matrix (see :mod:`theory.kernels.bulk_gram`).  Rows must be
        non-zero; a pair of one row with itself (Y = X) is exactly cos = 1, sin = 0.
        """
        rows, cols = np.asarray(rows, dtype=np.intp), np.asarray(cols, dtype=np.intp)
        nx = row_norms(X)
        ux = X / nx[:, None]
        if Y is None:
            Y, ny, uy = X, nx, ux
            same = rows == cols
        else:
            ny = row_norms(Y)
            uy = Y / ny[:, None]
            same = np.zeros(rows.shape, dtype=bool)
        step = max(1, _CHUNK // max(1, X.shape[1]))      # pairs per chunk of gathered rows
        cos = np.empty(rows.shape)
        for start in range(0, rows.size, step):
            part = slice(start, start + step)
            cos[part] = np.einsum("kd,kd->k", ux[rows[part]], uy[cols[part]])
        np.clip(cos, -1.0, 1.0, out=cos)
        sin = np.sqrt((1.0 - cos) * (1.0 + cos))
        k = np.flatnonzero((np.abs(cos) > _PARALLEL) & ~same)
        for start in range(0, k.size, step):
            part = k[start:start + step]
            cos[part], sin[part] = unit_cos_sin(ux[rows[part]], uy[cols[part]])
        for i in np.flatnonzero(cos < _ANTIPARALLEL):
            cos[i], sin[i] = _exact_cos_sin(X[rows[i]], Y[cols[i]])
        cos[same], sin[same] = 1.0, 0.0
        return cls((nx * nx)[rows], (ny * ny)[cols], cos, sin)
