"""Theorem 1 of Cai et al. (CPAIOR 2023, arXiv:2301.07966): the expected-maximum bound.

Widths (n_0, n_1, ..., n_L): the input dimension, then every ReLU layer (the last
counts as layer L).  With P_l(k) = P(k | n_l, n_{l-1}, p_l) the law of layer l's rank,

    R(L, d) = sum_k P_L(k) sum_{j=0}^{min(k, d)} C(n_L, j)
    R(l, d) = sum_k P_l(k) sum_{j=0}^{min(k, d)} C(n_l, j) R(l+1, min(n_l - j, d, k))

and the bound on the expected maximal number of linear regions on a d-dimensional
input (sub)space is R(1, d) (d = n_0 for the whole input space).  Set R(L+1, .) = 1 and
both lines are one.  Because t = min(k, d) <= d, the inner sum depends on k and d only
through t:

    R(l, d) = sum_{t<d} P_l(k = t) F_l(t) + P_l(k >= d) F_l(d),
    F_l(t)  = sum_{j=0}^{t} C(n_l, j) R(l+1, min(n_l - j, t)),

which this module evaluates (O(L K^2) exact integer and rational operations, K the
largest rank) instead of the literal double sum (:func:`_literal_bound` keeps that
form as a cross-check).  F_l is non-decreasing, so the bound grows when a rank law is
replaced by a stochastically larger one (for instance the row-count approximation, or
a denser mask).  With point masses at full rank it equals Serra et al.'s bound; with
point masses at a network's actual ranks it is that network's deterministic bound.

>>> from theory.regions.ranks import full_rank_distribution
>>> region_bound((1, 3, 4), [full_rank_distribution(3, 1), full_rank_distribution(4, 3)],
...              1).value
Fraction(20, 1)
>>> deterministic_bound((2, 3, 3), (2, 1), 2)   # 4 + 3*4 + 3*4: R(2, d>=1) = 1 + 3
28
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import comb

import mpmath

from theory._errors import InvalidArgument, check_int

from .ranks import RankDistribution, point_rank_distribution

__all__ = ["RegionBound", "region_bound", "region_bounds", "deterministic_bound", "check_widths",
           "log2_exact", "log2_ratio", "bound_log2_mp"]


def check_widths(widths, argument: str = "widths") -> tuple[int, ...]:
    """(n_0, n_1, ..., n_L) as positive integers, at least one layer after the input."""
    try:
        values = tuple(widths)
    except TypeError:
        raise InvalidArgument(argument, widths, "not a sequence",
                              "give the input width then every layer, e.g. 784,20,20,10") from None
    if len(values) < 2:
        raise InvalidArgument(argument, widths, "need the input width and at least one layer",
                              "give the input width then every layer, e.g. 784,20,20,10")
    return tuple(check_int(w, argument, 1) for w in values)


def log2_exact(value) -> float:
    """log2 of a non-negative exact number (int or Fraction), any size, via mpmath."""
    value = Fraction(value)
    return log2_ratio(value.numerator, value.denominator)


def log2_ratio(numerator: int, denominator: int) -> float:
    """log2(numerator / denominator) for huge integers: each is cut to its top 96 bits
    (relative error below 2^-95) before mpmath takes the logarithm."""
    if numerator <= 0:
        return float("-inf")
    total = 0
    parts = []
    for value in (numerator, denominator):
        shift = max(value.bit_length() - 96, 0)
        parts.append(value >> shift)
        total += shift if value is numerator else -shift
    with mpmath.workdps(30):
        return float(total + mpmath.log(mpmath.mpf(parts[0]), 2)
                     - mpmath.log(mpmath.mpf(parts[1]), 2))


@dataclass(frozen=True)
class RegionBound:
    """R(1, d) for one dimension ``dim``, exactly: ``numerator / denominator``."""

    widths: tuple
    dim: int
    numerator: int
    denominator: int
    methods: tuple

    @property
    def value(self) -> Fraction:
        return Fraction(self.numerator, self.denominator)

    @property
    def log2(self) -> float:
        return log2_ratio(self.numerator, self.denominator)

    def decimal(self, digits: int = 20) -> str:
        """The value as a decimal string with ``digits`` significant digits (mpmath)."""
        with mpmath.workdps(digits + 10):
            return mpmath.nstr(mpmath.mpf(self.numerator) / mpmath.mpf(self.denominator), digits)

    def to_json(self) -> dict:
        return {"dim": self.dim, "log2_bound": self.log2, "bound": self.decimal(),
                "rank_methods": list(self.methods)}


def _check(widths, distributions) -> tuple[tuple[int, ...], tuple[RankDistribution, ...]]:
    widths = check_widths(widths)
    distributions = tuple(distributions)
    if len(distributions) != len(widths) - 1:
        raise InvalidArgument("distributions", f"{len(distributions)} laws",
                              f"need one rank law per layer ({len(widths) - 1})",
                              "give one RankDistribution per layer 1..L")
    for l, dist in enumerate(distributions, start=1):
        if not isinstance(dist, RankDistribution) or \
                (dist.rows, dist.cols) != (widths[l], widths[l - 1]):
            shape = getattr(dist, "rows", "?"), getattr(dist, "cols", "?")
            raise InvalidArgument("distributions", f"layer {l} of shape {shape}",
                                  f"layer {l} is {widths[l]} x {widths[l - 1]}",
                                  "give each layer's law for its (n_l, n_{l-1}) shape")
    return widths, distributions


def _tables(widths, laws, top: int) -> tuple[list, object]:
    """R(1, d) for d = 0..top over one common denominator, from layer L up to layer 1.

    ``laws[l-1]`` is (numerators, denominator, law_top) of layer l: exact integers (then
    so is every value) or mpmath numbers with denominator 1 (a fast approximation).
    """
    below, below_den = [1] * (top + 1), 1            # R(L+1, .) = 1
    for l in range(len(widths) - 1, 0, -1):
        n, (probs, denominator, law_top) = widths[l], laws[l - 1]
        if law_top < min(top, widths[l], widths[l - 1]):
            raise InvalidArgument("distributions", f"layer {l} truncated at rank {law_top}",
                                  f"the bound at dimension {top} needs P(k) up to k = {top}",
                                  f"truncate the laws at top >= {top} (or not at all)")
        kmax = min(law_top, top)
        F = [sum(comb(n, j) * below[min(n - j, t)] for j in range(t + 1))
             for t in range(kmax + 1)]
        row, head = [], 0
        tail = denominator                            # P(k >= d) * denominator
        for d in range(top + 1):
            if d <= kmax:
                row.append(head + tail * F[d])
                head += probs[d] * F[d]
                tail -= probs[d]
            else:
                row.append(row[-1])                   # P(k >= d) = 0: nothing changes
        below, below_den = row, below_den * denominator
    return below, below_den


def region_bound(widths, distributions, dim) -> RegionBound:
    """Theorem 1: R(1, dim) with one :class:`RankDistribution` per layer (exact)."""
    return region_bounds(widths, distributions, (dim,))[0]


def region_bounds(widths, distributions, dims) -> tuple[RegionBound, ...]:
    """R(1, d) for every d in ``dims`` from one pass of the recursion (exact)."""
    widths, distributions = _check(widths, distributions)
    dims = tuple(check_int(d, "dim", 1) for d in dims)
    for d in dims:
        if d > widths[0]:
            raise InvalidArgument("dim", d, f"exceeds the input width n_0 = {widths[0]}",
                                  f"give a subspace dimension 1 <= d <= {widths[0]}")
    laws = [(dist.numerators, dist.denominator, dist.top) for dist in distributions]
    values, denominator = _tables(widths, laws, max(dims))
    methods = tuple(d.method for d in distributions)
    return tuple(RegionBound(widths, d, values[d], denominator, methods) for d in dims)


def bound_log2_mp(widths, laws, dim: int) -> float:
    """log2 R(1, dim) from mpmath laws ((probabilities, 1, top) per layer): a fast float
    evaluation for searches; the reported values use :func:`region_bounds`."""
    values, _ = _tables(check_widths(widths), laws, dim)
    with mpmath.workdps(30):
        return float(mpmath.log(values[dim], 2))


def deterministic_bound(widths, ranks, dim) -> int:
    """The bound of one network whose layer l has rank ``ranks[l-1]`` (an integer)."""
    widths = check_widths(widths)
    ranks = tuple(ranks)
    if len(ranks) != len(widths) - 1:
        raise InvalidArgument("ranks", ranks, f"need one rank per layer ({len(widths) - 1})",
                              "give the rank of every layer 1..L")
    dists = [point_rank_distribution(widths[l], widths[l - 1], k)
             for l, k in enumerate(ranks, start=1)]
    bound = region_bound(widths, dists, dim)
    return bound.numerator // bound.denominator     # point masses: denominator 1


def _literal_bound(widths, distributions, dim) -> Fraction:
    """The recursion exactly as written (double sum over k and j), for cross-checks."""
    widths, distributions = _check(widths, distributions)
    memo: dict = {}

    def R(l: int, d: int) -> Fraction:
        if l == len(widths):
            return Fraction(1)
        if (l, d) not in memo:
            n = widths[l]
            memo[l, d] = sum((p * sum((comb(n, j) * R(l + 1, min(n - j, d, k))
                                       for j in range(min(k, d) + 1)), Fraction(0))
                              for k, p in enumerate(distributions[l - 1].probabilities) if p),
                             Fraction(0))
        return memo[l, d]

    return R(1, dim)
