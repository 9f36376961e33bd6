"""Gram matrices of a deterministic first layer: a plain recursion for the bulk of the
pairs, the accurate (cos, sin) path for the few whose correlation comes near +-1.

The accurate path (:class:`~theory.kernels.geometry.PairGeometry` and
:mod:`theory.kernels.dual_np`) keeps every angle as a (cos, sin) pair, accurate near
correlation +-1.  Away from +-1 that care buys nothing: with the correlation c of a
layer known to a few ulps in the absolute sense, the plain formulas (ReLU)

    pi - theta = arccos(-c),  sin theta = sqrt((1 - c)(1 + c)),
    J = (sin theta + (pi - theta) c) / pi,  Vdot = (pi - theta) / pi

lose at most a small constant factor while ``ANTIPARALLEL_LIMIT <= c <= PARALLEL_LIMIT``:
the angle's error is the correlation's divided by sin theta >= 0.43, ``pi - theta``
stays >= pi/3, and J cancels at most 2.5-fold (at c = -1/2).  (Measured against mpmath
on pairs just inside the limits, depths 1..5: below 3e-15 relative; the error grows like
1/sqrt(1 - c) towards +1 and like 1/(pi - theta)^2 towards -1, which is why the
limits sit where they do.)  So :func:`deterministic_gram`

1. runs the plain recursion on every pair at once: one BLAS product of unit vectors
   for the first layer's correlations, then, for ReLU, elementwise NumPy on
   cache-sized blocks of rows (``arccos`` and ``sqrt`` only, no ``sin``, no gathers;
   a symmetric Gram's upper triangle once); for erf, the steps of
   :mod:`~theory.kernels.dual_np` with sin theta = sqrt((1 - c)(1 + c));
2. marks the pairs whose correlation left [ANTIPARALLEL_LIMIT, PARALLEL_LIMIT] at some
   layer.  For ReLU the correlation map J is increasing with J(c) >= c and J >= 0,
   so that is ``c_1 < ANTIPARALLEL_LIMIT`` or ``c_L > PARALLEL_LIMIT`` (first and last
   layer's input).  For erf the layers after the first evaluate the same formulas on
   both paths, so only the first layer's correlation decides;
3. recomputes the marked pairs alone on the accurate path and writes them over.

A symmetric Gram matrix (``Y=None``) has an exact unit correlation on its diagonal,
where the plain formulas are exact (theta = 0, J = Vdot = 1); the diagonal is never
marked, and the result is exactly symmetric.

>>> import numpy as np
>>> from theory.config import Architecture
>>> X = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 1e-9]])
>>> g = deterministic_gram(Architecture.pruned(2, "0.5"), X)
>>> g.accurate.astype(int)          # only the pair 1e-9 rad from antiparallel
array([[0, 0, 1],
       [0, 0, 0],
       [1, 0, 0]])
"""

from __future__ import annotations

from dataclasses import dataclass
from math import pi, prod

import numpy as np

from ..config import Architecture
from .dual_np import STEPS, propagate
from .first_layer import FirstLayerStats, deterministic_stats
from .geometry import PairGeometry, row_norms

__all__ = ["PARALLEL_LIMIT", "ANTIPARALLEL_LIMIT", "BulkGram", "plain_gram",
           "deterministic_gram"]

PARALLEL_LIMIT = 0.9        # a correlation above this at some layer: accurate path
ANTIPARALLEL_LIMIT = -0.5   # a correlation below this at some layer: accurate path
_INV_PI = 1.0 / pi
_BLOCK = 8192               # elements per block of rows in the ReLU recursion


@dataclass(frozen=True)
class BulkGram:
    """NTK and NNGP Gram matrices, and where they came from.

    ``accurate`` marks the entries computed on the accurate (cos, sin) path: by
    :func:`plain_gram`, the entries that *need* it (not computed there); by
    :func:`deterministic_gram`, the entries that got it.
    """

    ntk: np.ndarray
    nngp: np.ndarray
    accurate: np.ndarray


def _correlations(X: np.ndarray, Y: np.ndarray | None, out: np.ndarray | None = None):
    """Row norms and the plain first-layer correlation matrix, written into ``out`` if
    given (exactly symmetric with a unit diagonal when ``Y`` is None)."""
    nx = row_norms(X)
    ux = X / nx[:, None]
    if Y is None:
        ny = nx
        c = np.matmul(ux, ux.T, out=out)     # one symmetric BLAS product (syrk)
        np.fill_diagonal(c, 1.0)
    else:
        ny = row_norms(Y)
        c = np.matmul(ux, (Y / ny[:, None]).T, out=out)
    np.clip(c, -1.0, 1.0, out=c)
    return nx, ny, c


def _relu_rows(depth: int, c, ntk, needs, eps, sin, tmp) -> None:
    """The normalised ReLU recursion on one block of rows, in place: ``c`` enters as the
    first layer's correlation and leaves as J_L; ``ntk`` and ``needs`` are outputs,
    ``eps``, ``sin`` and ``tmp`` scratch of the same shape."""
    np.less(c, ANTIPARALLEL_LIMIT, out=needs)
    for h in range(1, depth + 1):
        if h == depth:
            np.logical_or(needs, c > PARALLEL_LIMIT, out=needs)
        np.negative(c, out=eps)
        np.arccos(eps, out=eps)                      # pi - theta = arccos(-c)
        np.subtract(1.0, c, out=sin)
        np.add(1.0, c, out=tmp)
        sin *= tmp
        np.sqrt(sin, out=sin)                        # sin theta = sqrt((1 - c)(1 + c))
        np.multiply(eps, c, out=tmp)                 # eps c
        if h == 1:
            np.multiply(tmp, _INV_PI, out=ntk)       # Vdot_1 c_1
        tmp += sin                                   # pi J
        np.multiply(tmp, _INV_PI, out=c)             # J: the next correlation
        if h > 1:
            eps *= _INV_PI                           # Vdot
            ntk *= eps
        ntk += c


def _relu_plain(arch: Architecture, nx, ny, c, symmetric: bool, ntk=None):
    """The ReLU recursion on whole matrices, normalised by |x||y| prod_h s_h.

    With the correlation c_h entering layer h, J_h = J(c_h) = c_{h+1}, and
    Vdot_h = Vdot(c_h): NTK/(|x||y| prod s) = n with n = J_1 + Vdot_1 c_1, then
    n <- n Vdot_h + J_h, and NNGP/(|x||y| prod s) = J_L (ReLU is homogeneous, so the
    scales factor out).  Blocks of rows keep the scratch arrays small (in cache, and
    reused by the allocator instead of mapped afresh).  Returns (ntk, nngp,
    needs_accurate); ``c`` is overwritten by the NNGP.
    """
    N, M = c.shape
    ntk = np.empty_like(c) if ntk is None else ntk
    needs = np.zeros(c.shape, dtype=bool)
    rows = max(1, _BLOCK // M)
    size = min(rows, N) * M
    scratch = np.empty(3 * size)
    scratch = [scratch[k * size:(k + 1) * size] for k in range(3)]
    scale = float(prod(arch.layer_scales()))
    for r0 in range(0, N, rows):
        r1 = min(N, r0 + rows)
        c0 = r0 if symmetric else 0          # symmetric: the blocks on and above the diagonal
        block = (slice(r0, r1), slice(c0, M))
        work = [b[:(r1 - r0) * (M - c0)].reshape(r1 - r0, M - c0) for b in scratch]
        _relu_rows(arch.depth, c[block], ntk[block], needs[block], *work)
        root = np.multiply.outer(nx[r0:r1], ny[c0:], out=work[0])   # symmetric in x, y
        if scale != 1:
            root *= scale
        ntk[block] *= root
        c[block] *= root
        if symmetric:                        # mirror the block's right part below
            for a in (ntk, c, needs):
                a[r1:, r0:r1] = a[r0:r1, r1:].T
    if symmetric:
        np.fill_diagonal(needs, False)
    return ntk, c, needs


def plain_gram(arch: Architecture, X: np.ndarray, Y: np.ndarray | None = None) -> BulkGram:
    """The plain recursion on every pair (first layer dense or mean-field), and the
    mask of the pairs whose correlation leaves [ANTIPARALLEL_LIMIT, PARALLEL_LIMIT].

    Inputs are validated float64 arrays (see :func:`~theory.kernels.geometry.as_inputs`).
    The marked entries are *not* accurate here: :func:`deterministic_gram` replaces them.
    """
    s1 = float(arch.layer_scales()[0])
    if arch.activation == "relu":   # NTK and NNGP in one allocation (fewer page faults)
        out = np.empty((2, X.shape[0], X.shape[0] if Y is None else Y.shape[0]))
        nx, ny, c = _correlations(X, Y, out[1])
        return BulkGram(*_relu_plain(arch, nx, ny, c, Y is None, out[0]))
    nx, ny, c = _correlations(X, Y)
    if Y is None:               # the upper triangle, as a list of pairs
        rows, cols = np.triu_indices(X.shape[0])
        c = c[rows, cols]
        var_x, var_y = (nx * nx)[rows], (nx * nx)[cols]
    else:
        var_x, var_y = (nx * nx)[:, None], (ny * ny)[None, :]
    needs = (c < ANTIPARALLEL_LIMIT) | (c > PARALLEL_LIMIT)
    g0 = PairGeometry(var_x, var_y, c, np.sqrt((1.0 - c) * (1.0 + c))).scaled(s1)
    nngp, deriv, g1 = STEPS[arch.activation](g0)
    deriv *= g0.cov
    ntk, nngp = propagate(arch, FirstLayerStats(g1.var_x, g1.var_y, nngp, deriv, g1))
    if Y is None:
        needs &= rows != cols
        ntk, nngp, needs = (_unpack(v, rows, cols, X.shape[0]) for v in (ntk, nngp, needs))
    return BulkGram(ntk, nngp, needs)


def _unpack(values, rows, cols, n: int) -> np.ndarray:
    """The symmetric n x n matrix whose upper triangle (rows, cols) holds ``values``."""
    full = np.empty((n, n), dtype=values.dtype)
    full[rows, cols] = values
    full[cols, rows] = values
    return full


def deterministic_gram(arch: Architecture, X: np.ndarray,
                       Y: np.ndarray | None = None) -> BulkGram:
    """NTK and NNGP Gram matrices of a dense or mean-field first layer, every entry as
    accurate as on the (cos, sin) path (see the module docstring).

    ``X`` (N x d) and ``Y`` (M x d, or None for the symmetric N x N Gram of X) are
    validated float64 inputs with non-zero rows.
    """
    bulk = plain_gram(arch, X, Y)
    if not bulk.accurate.any():
        return bulk
    rows, cols = np.nonzero(bulk.accurate)
    if Y is None:                    # the upper triangle, mirrored below
        upper = rows < cols
        rows, cols = rows[upper], cols[upper]
    if rows.size:
        stats = deterministic_stats(X, Y, float(arch.layer_scales()[0]), arch.activation,
                               (rows, cols))
        ntk, nngp = propagate(arch, stats)
        bulk.ntk[rows, cols], bulk.nngp[rows, cols] = ntk, nngp
        if Y is None:
            bulk.ntk[cols, rows], bulk.nngp[cols, rows] = ntk, nngp
    return bulk
