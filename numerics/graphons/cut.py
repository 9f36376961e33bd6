r"""Cut norms and honest bounds on the cut distance of step graphons.

A (bipartite) step graphon here is a matrix of block values with block measures
(``mu`` for rows, ``nu`` for columns, each summing to 1).  For the difference D of two
step graphons on a common refinement,

    ||D||_cut = sup_{S, T} | int_{S x T} D |  =  max over row sets R, column sets C of
               | sum_{a in R, b in C} mu_a nu_b D[a, b] |,

because the integral is bilinear in the measures |S cap I_a| in [0, mu_a] and
|T cap J_b| in [0, nu_b], so its extremes sit at vertices (whole blocks).  What this
module computes, and labels:

* ``cut_norm``: the cut norm of D - **exact** by enumerating the row sets of the
  smaller side (for each, the best column set is read off the signs of the column
  sums) when that side has at most ``exact_max`` blocks; otherwise a **lower bound**
  from an alternating local search (every value it reports is attained by some S x T)
  and an **upper bound** from the L1 norm int |D| >= ||D||_cut, tightened to the
  smallest of: the larger of the total positive and negative masses, and
  sum_b max(positive, negative mass of column b) (and the same over rows) - each is
  >= |sum over R x C| for every R, C and <= the L1 norm.
* ``cut_distance_bounds(A, B)``: the cut *distance* delta_cut(A, B) is the infimum of
  ||A - B^(phi, psi)||_cut over measure-preserving relabellings phi of the rows and
  psi of the columns (a bipartite layer is relabelled on each side separately).
  Upper bound: the cut norm of the difference of the two estimates as aligned (both
  degree-sorted), i.e. the identity relabelling - exact or bounded as above.  Lower
  bound: with row degrees d(x) = int W(x, y) dy, for every relabelling
  sup_S |int_S (d_A - d_B o phi)| >= (W1(d_A, d_B) + |int A - int B|) / 2, where W1 is
  the Wasserstein-1 distance of the degree distributions (the infimum of
  int |d_A - d_B o phi| over phi); the same for columns; the larger one is reported.

>>> import numpy as np
>>> cut_distance_bounds(np.full((2, 2), 0.5), np.full((3, 3), 0.2)).interval
(0.3, 0.3)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from theory._errors import InvalidArgument, check_int

__all__ = ["CutNorm", "CutDistanceBounds", "cut_norm", "cut_distance_bounds", "refine",
           "estimate_distance", "EXACT_MAX_BLOCKS"]

EXACT_MAX_BLOCKS = 16
_CHUNK = 1 << 14


def _uniform(n: int) -> np.ndarray:
    return np.full(n, 1.0 / n)


def _as_step(G, argument: str) -> np.ndarray:
    try:
        arr = np.asarray(G, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidArgument(argument, G, "not an array of numbers",
                              "pass a 2-D array of block values") from None
    if arr.ndim != 2 or 0 in arr.shape or not np.all(np.isfinite(arr)):
        raise InvalidArgument(argument, f"array of shape {arr.shape}",
                              "need a non-empty finite 2-D array", "pass block values")
    return arr


def refine(G: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """An equal-block step graphon on a finer grid (``rows``, ``cols`` multiples of its shape).

    >>> refine(np.array([[1.0, 0.0]]), 2, 4)
    array([[1., 1., 0., 0.],
           [1., 1., 0., 0.]])
    """
    r, c = G.shape
    if rows % r or cols % c:
        raise InvalidArgument("rows", (rows, cols), f"not a refinement of {G.shape}",
                              "pass multiples of the block counts")
    return np.repeat(np.repeat(G, rows // r, axis=0), cols // c, axis=1)


def _measures(sizes, n: int, argument: str) -> np.ndarray:
    """Block measures from block sizes (None: n equal blocks), as exact-sum floats."""
    if sizes is None:
        return np.full(n, 1.0 / n)
    arr = np.asarray(sizes, dtype=np.float64)
    if arr.shape != (n,) or np.any(arr <= 0) or not np.all(np.isfinite(arr)):
        raise InvalidArgument(argument, f"array of shape {arr.shape}",
                              f"need {n} positive block sizes", "pass one size per block")
    return arr / arr.sum()


def _merge(mu_a: np.ndarray, mu_b: np.ndarray):
    """Common refinement of two partitions of [0, 1]: (index into a, index into b, measure)
    of each piece, from the union of the cumulative breakpoints."""
    ca, cb = np.cumsum(mu_a), np.cumsum(mu_b)
    ca[-1] = cb[-1] = 1.0
    cuts = np.union1d(ca, cb)
    cuts = cuts[np.concatenate([[True], np.diff(cuts) > 1e-12])]
    cuts[-1] = 1.0
    lengths = np.diff(np.concatenate([[0.0], cuts]))
    mids = cuts - lengths / 2
    ia = np.minimum(np.searchsorted(ca, mids), mu_a.size - 1)
    ib = np.minimum(np.searchsorted(cb, mids), mu_b.size - 1)
    return ia, ib, lengths


@dataclass(frozen=True)
class CutNorm:
    """``value`` is the exact cut norm (None when only bounds are known); ``lower`` and
    ``upper`` always bound it (equal to ``value`` when exact); ``method`` says how."""

    value: float | None
    lower: float
    upper: float
    method: str

    @property
    def exact(self) -> bool:
        return self.value is not None

    def describe(self) -> str:
        if self.exact:
            return f"cut norm = {self.value:.6g} (exact: {self.method})"
        return (f"cut norm in [{self.lower:.6g}, {self.upper:.6g}] (lower bound: local search, "
                f"attained; upper bound: signed-mass bound <= L1 norm)")


def _exact(P: np.ndarray) -> float:
    """max over row subsets R of max(sum of positive, -sum of negative) column sums."""
    k = P.shape[0]
    best = 0.0
    for start in range(0, 1 << k, _CHUNK):
        codes = np.arange(start, min(1 << k, start + _CHUNK), dtype=np.int64)
        sel = ((codes[:, None] >> np.arange(k)) & 1).astype(np.float64)
        sums = sel @ P
        best = max(best, float(np.max(np.sum(np.maximum(sums, 0.0), axis=1))),
                   float(np.max(np.sum(np.maximum(-sums, 0.0), axis=1))))
    return best


def _local_search(P: np.ndarray, restarts: int, seed: int) -> float:
    """Alternating maximisation of sum_{R x C} P (and of its negative) from random starts
    and from the signs of the leading singular vectors; returns the best attained value."""
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    u, _, vt = np.linalg.svd(P, full_matrices=False)
    starts = [u[:, 0] > 0, u[:, 0] < 0] + [rng.random(P.shape[0]) < 0.5
                                             for _ in range(restarts)]
    best = 0.0
    for sign in (1.0, -1.0):
        Q = sign * P
        for R in starts:
            value = -1.0
            for _ in range(100):
                C = (R.astype(float) @ Q) > 0
                R = (Q @ C.astype(float)) > 0
                new = float(R.astype(float) @ Q @ C.astype(float))
                if new <= value:
                    break
                value = new
            best = max(best, value)
    return best


def cut_norm(D, *, row_measure=None, col_measure=None, exact_max: int = EXACT_MAX_BLOCKS,
             restarts: int = 64, seed: int = 0) -> CutNorm:
    """The cut norm of the step function with block values ``D`` (measures default equal)."""
    D = _as_step(D, "D")
    mu = _uniform(D.shape[0]) if row_measure is None else np.asarray(row_measure, float)
    nu = _uniform(D.shape[1]) if col_measure is None else np.asarray(col_measure, float)
    exact_max = check_int(exact_max, "exact_max", 0)
    P = mu[:, None] * D * nu[None, :]
    upper = float(np.sum(np.abs(P)))
    if min(P.shape) <= exact_max:
        Q = P if P.shape[0] <= P.shape[1] else P.T
        value = _exact(Q)
        return CutNorm(value, value, value,
                       f"enumeration of the 2^{Q.shape[0]} block subsets of the smaller side")
    lower = _local_search(P, check_int(restarts, "restarts", 1), seed)
    pos, neg = np.maximum(P, 0.0), np.maximum(-P, 0.0)
    upper = min(upper, float(max(pos.sum(), neg.sum())),
                float(np.sum(np.maximum(pos.sum(axis=0), neg.sum(axis=0)))),
                float(np.sum(np.maximum(pos.sum(axis=1), neg.sum(axis=1)))))
    return CutNorm(None, lower, upper, "local search (lower), signed-mass bound <= L1 (upper)")


def _w1_degrees(dA: np.ndarray, wA: np.ndarray, dB: np.ndarray, wB: np.ndarray) -> float:
    """Wasserstein-1 distance of two weighted discrete distributions (values, weights):
    the integral of |F_A^-1 - F_B^-1| over the merged quantile breakpoints."""
    oa, ob = np.argsort(dA, kind="stable"), np.argsort(dB, kind="stable")
    ia, ib, lengths = _merge(wA[oa], wB[ob])
    return float(np.sum(lengths * np.abs(dA[oa][ia] - dB[ob][ib])))


@dataclass(frozen=True)
class CutDistanceBounds:
    """Bounds on the cut distance delta_cut(A, B) (see the module docstring).

    ``lower``: the degree-distribution bound (rigorous); ``upper``: the cut norm of
    the aligned difference (exact when ``aligned.exact``, else its upper bound);
    ``aligned``: that cut norm with its own bounds; ``l1``: int |A - B| aligned.
    """

    lower: float
    upper: float
    aligned: CutNorm
    l1: float

    @property
    def interval(self) -> tuple:
        return (round(float(self.lower), 12), round(float(self.upper), 12))

    def describe(self) -> str:
        return (f"cut distance in [{self.lower:.6g}, {self.upper:.6g}]: lower bound from the "
                f"degree distributions (any relabelling), upper bound = cut norm of the aligned "
                f"difference ({'exact' if self.aligned.exact else 'its upper bound'}); "
                f"aligned {self.aligned.describe()}; L1 distance {self.l1:.6g}")


def cut_distance_bounds(A, B, *, row_sizes=(None, None), col_sizes=(None, None),
                        exact_max: int = EXACT_MAX_BLOCKS, restarts: int = 64,
                        seed: int = 0) -> CutDistanceBounds:
    """Bounds on the cut distance of two step graphons with any block counts.

    Blocks are equal unless ``row_sizes``/``col_sizes`` give, for A and for B, the
    neurons per block (e.g. :attr:`GraphonEstimate.row_sizes` when K does not divide
    the width); both are compared on the common refinement of their partitions.
    """
    A, B = _as_step(A, "A"), _as_step(B, "B")
    mu_a = _measures(row_sizes[0], A.shape[0], "row_sizes")
    mu_b = _measures(row_sizes[1], B.shape[0], "row_sizes")
    nu_a = _measures(col_sizes[0], A.shape[1], "col_sizes")
    nu_b = _measures(col_sizes[1], B.shape[1], "col_sizes")
    ra, rb, mu = _merge(mu_a, mu_b)
    ca, cb, nu = _merge(nu_a, nu_b)
    if mu.size * nu.size > 1 << 24:
        raise InvalidArgument("B", f"shape {B.shape}",
                              f"the common refinement with {A.shape} has {mu.size} x {nu.size} "
                              "blocks", "estimate both with the same number of blocks")
    D = A[np.ix_(ra, ca)] - B[np.ix_(rb, cb)]
    aligned = cut_norm(D, row_measure=mu, col_measure=nu, exact_max=exact_max,
                       restarts=restarts, seed=seed)
    l1 = float(mu @ np.abs(D) @ nu)
    m = abs(float(mu_a @ A @ nu_a - mu_b @ B @ nu_b))
    rows = (_w1_degrees(A @ nu_a, mu_a, B @ nu_b, mu_b) + m) / 2
    cols = (_w1_degrees(mu_a @ A, nu_a, mu_b @ B, nu_b) + m) / 2
    upper = aligned.value if aligned.exact else aligned.upper
    return CutDistanceBounds(max(rows, cols), upper, aligned, l1)


def estimate_distance(a, b, **kwargs) -> CutDistanceBounds:
    """:func:`cut_distance_bounds` of two :class:`~numerics.graphons.estimate.GraphonEstimate`
    (e.g. width n against a reference width), with their block sizes as measures."""
    return cut_distance_bounds(a.values, b.values, row_sizes=(a.row_sizes, b.row_sizes),
                               col_sizes=(a.col_sizes, b.col_sizes), **kwargs)
