"""Rank distributions P(k | R, C, S) of random masks, in exact rationals.

An R x C weight matrix whose entries are kept independently with probability S
(the density) and drawn from a continuous law (Gaussian) has, almost surely, the
*structural rank* of its mask: the size of a maximum matching of the bipartite
graph rows - columns with an edge per kept entry.  Three ways to get its law are
offered, each labelled by :attr:`RankDistribution.method`:

* ``"exact"`` - :func:`exact_rank_distribution`: every mask is enumerated (up to
  the order of the rows, with multinomial weights) and its structural rank found by
  Koenig's theorem (maximum matching = minimum vertex cover = the minimum over
  column sets T of |T| + the number of rows with a kept entry outside T).  The
  result is N[k][m], the number of masks with rank k and m kept entries, so
  P(k) = sum_m N[k][m] S^m (1 - S)^(RC - m) exactly for any rational S.
* ``"rowcount"`` - :func:`rowcount_rank_distribution`: the rank approximated by the
  number Z of non-empty rows, capped at C: min(Z, C), Z ~ Binomial(R, 1 - (1-S)^C).
  This is our reading of the paper's row-count approximation.  Since the
  structural rank never exceeds min(Z, C), this law dominates the exact one and the
  bound computed from it can only be larger.
* ``"full"`` - :func:`full_rank_distribution`: the point mass at min(R, C) (a dense
  layer; with it Theorem 1 is Serra et al.'s bound).

Sampling the structural rank of random masks (maximum bipartite matching) lives in
``numerics.regions.ranks``.

>>> exact_rank_distribution(2, 2, "1/2").probabilities
(Fraction(1, 16), Fraction(1, 2), Fraction(7, 16))
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from itertools import chain, combinations_with_replacement
from math import comb, factorial, prod

import mpmath
import numpy as np

from theory._errors import InvalidArgument, check_int

__all__ = ["RankDistribution", "exact_rank_distribution", "exact_rank_counts",
           "rowcount_rank_distribution", "full_rank_distribution", "point_rank_distribution",
           "exact_enumeration_size", "exact_feasible", "check_density", "EXACT_LIMIT", "rowcount_law_mp"]

EXACT_LIMIT = 400_000      # multisets of rows enumerated at most (a few seconds)
METHODS = ("exact", "sampled", "rowcount", "full", "point")


def check_density(value, argument: str = "density") -> Fraction:
    """A density (keep probability) in [0, 1] as an exact fraction ("0.1" is 1/10)."""
    try:
        if isinstance(value, bool):
            raise TypeError
        S = value if isinstance(value, Fraction) else Fraction(str(value).strip())
    except (TypeError, ValueError, ZeroDivisionError):
        raise InvalidArgument(argument, value, "not a number",
                              "give a density 0 <= S <= 1 (the kept fraction)") from None
    if not 0 <= S <= 1:
        raise InvalidArgument(argument, value, "a density must lie in [0, 1]",
                              "give a density 0 <= S <= 1 (the kept fraction)")
    return S


@dataclass(frozen=True)
class RankDistribution:
    """The law of the rank k = 0..min(R, C) of one R x C layer, exactly.

    P(k) = ``numerators[k] / denominator`` (integers over one common denominator, so
    laws of large layers such as (9/10)^(300 * 784) need no gcd at every step);
    ``method`` says how the law was obtained; ``samples`` is the number of masks drawn
    (``sampled`` only, else 0).  A law may be *truncated* at ``top``: then
    ``numerators[top]`` holds P(k >= top).  Theorem 1 on a d-dimensional input needs
    only min(k, d), so laws truncated at ``top >= d`` give the same bound, and the
    exact tail of a large layer (P(k < 4) of a 300 x 784 mask at density 1/10 is about
    10^-10600) costs a few big-integer powers instead of hundreds.
    """

    rows: int
    cols: int
    density: Fraction
    numerators: tuple
    denominator: int
    method: str
    samples: int = 0
    top: int | None = None

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise InvalidArgument("method", self.method, "unknown rank method",
                                  f"use one of {', '.join(METHODS)}")
        top = min(self.rows, self.cols) if self.top is None else self.top
        if not 0 <= top <= min(self.rows, self.cols):
            raise InvalidArgument("top", self.top, f"not in 0..{min(self.rows, self.cols)}",
                                  "truncate at a rank the layer can reach")
        object.__setattr__(self, "top", top)
        if len(self.numerators) != top + 1:
            raise InvalidArgument("numerators", len(self.numerators),
                                  f"need one entry per rank 0..{top}",
                                  "give P(k) for every k (the last: P(k >= top))")
        if self.denominator < 1 or any(n < 0 for n in self.numerators) \
                or sum(self.numerators) != self.denominator:
            raise InvalidArgument("numerators", "...", "not a probability vector",
                                  "give P(k) >= 0 summing to 1")

    @property
    def max_rank(self) -> int:
        return min(self.rows, self.cols)

    @property
    def truncated(self) -> bool:
        return self.top < self.max_rank

    def truncate(self, top: int) -> "RankDistribution":
        """The law of min(k, top) (a no-op when ``top`` >= the current top)."""
        if top >= self.top:
            return self
        numerators = self.numerators[:top] + (sum(self.numerators[top:]),)
        return RankDistribution(self.rows, self.cols, self.density, numerators,
                                self.denominator, self.method, self.samples, top)

    @property
    def probabilities(self) -> tuple:
        """P(k) as Fractions (normalised; slow for huge denominators)."""
        return tuple(Fraction(n, self.denominator) for n in self.numerators)

    def tail(self, t: int) -> Fraction:
        """P(k >= t) for t <= top."""
        return Fraction(sum(self.numerators[t:]), self.denominator)

    def as_floats(self) -> list[float]:
        return [float(Fraction(n, self.denominator)) for n in self.numerators]


def _shape(rows, cols) -> tuple[int, int]:
    return check_int(rows, "rows", 1), check_int(cols, "cols", 1)


def exact_enumeration_size(rows: int, cols: int) -> int:
    """Multisets of rows :func:`exact_rank_counts` enumerates (after putting the short side
    in the columns): C(2^c + r - 1, r) with c = min(rows, cols), r = max(rows, cols)."""
    r, c = max(rows, cols), min(rows, cols)
    return comb(2 ** c + r - 1, r)


def exact_feasible(rows: int, cols: int) -> bool:
    """Whether :func:`exact_rank_counts` enumerates at most ``EXACT_LIMIT`` multisets (decided
    without forming the huge binomial of a wide layer: the count is at least 2^c).

    >>> exact_feasible(5, 5), exact_feasible(300, 784)
    (True, False)
    """
    c = min(rows, cols)
    if 2 ** min(c, 64) > EXACT_LIMIT:
        return False
    return exact_enumeration_size(rows, cols) <= EXACT_LIMIT


@lru_cache(maxsize=64)
def exact_rank_counts(rows: int, cols: int) -> tuple[tuple[int, ...], ...]:
    """N[k][m]: the number of 0/1 ``rows`` x ``cols`` masks with structural rank k and m ones.

    Masks are enumerated as multisets of row patterns (bit masks over the shorter
    side), each weighted by its number of orderings r! / prod(multiplicity!).

    >>> exact_rank_counts(1, 2)      # rank 0: the empty mask; rank 1: the three others
    ((1, 0, 0), (0, 2, 1))
    """
    rows, cols = _shape(rows, cols)
    if not exact_feasible(rows, cols):
        raise InvalidArgument("shape", f"{rows} x {cols}",
                              f"exact enumeration needs more than {EXACT_LIMIT} row multisets",
                              "use the sampled or rowcount rank method")
    size = exact_enumeration_size(rows, cols)
    r, c = max(rows, cols), min(rows, cols)   # the rank is symmetric under transposition
    n_patterns = 2 ** c
    flat = np.fromiter(chain.from_iterable(combinations_with_replacement(range(n_patterns), r)),
                       dtype=np.int64, count=size * r)
    multisets = flat.reshape(size, r)
    popcount = np.array([bin(p).count("1") for p in range(n_patterns)], dtype=np.int64)
    # Koenig: rank = min over column sets T of |T| + #rows with a one outside T
    rank = np.full(size, c, dtype=np.int64)
    for T in range(n_patterns):
        cover = popcount[T] + np.count_nonzero(multisets & ~T, axis=1)
        np.minimum(rank, cover, out=rank)
    ones = popcount[multisets].sum(axis=1)
    multiplicity = np.stack([np.count_nonzero(multisets == p, axis=1)
                             for p in range(n_patterns)], axis=1)
    if r <= 20:      # prod(multiplicity!) <= r! < 2^63: the denominator is its own key
        table = np.array([factorial(m) for m in range(r + 1)], dtype=np.int64)
        signature = np.prod(table[multiplicity], axis=1)

        def weight(sig: int) -> int:
            return factorial(r) // sig
    else:            # then c <= 2: at most 4 patterns, sorted multiplicities in base r + 1
        multiplicity.sort(axis=1)
        signature = multiplicity @ ((r + 1) ** np.arange(n_patterns, dtype=np.int64))

        def weight(sig: int) -> int:
            digits = [(sig // (r + 1) ** i) % (r + 1) for i in range(n_patterns)]
            return factorial(r) // prod(factorial(m) for m in digits)
    keys, tallies = np.unique(np.stack([rank, ones, signature], axis=1), axis=0,
                              return_counts=True)
    counts = [[0] * (rows * cols + 1) for _ in range(c + 1)]
    for (k, m, sig), tally in zip(keys.tolist(), tallies.tolist()):
        counts[k][m] += tally * weight(sig)
    return tuple(tuple(row) for row in counts)


def exact_rank_distribution(rows: int, cols: int, density, top: int | None = None
                            ) -> RankDistribution:
    """P(k | rows, cols, density) exactly, by enumerating every mask (small shapes only);
    truncated at ``top`` if given."""
    S = check_density(density)
    counts = exact_rank_counts(*_shape(rows, cols))
    n = rows * cols
    a, b = S.numerator, S.denominator           # S = a/b: S^m (1-S)^(n-m) = a^m (b-a)^(n-m) / b^n
    weights = [a ** m * (b - a) ** (n - m) for m in range(n + 1)]
    numerators = tuple(sum(N * w for N, w in zip(row, weights)) for row in counts)
    law = RankDistribution(rows, cols, S, numerators, b ** n, "exact")
    return law if top is None else law.truncate(check_int(top, "top", 0))


def rowcount_rank_distribution(rows: int, cols: int, density, top: int | None = None
                               ) -> RankDistribution:
    """min(Z, cols) with Z ~ Binomial(rows, 1 - (1 - S)^cols): the non-empty-row approximation
    (truncated at ``top`` if given: only P(Z = z), z < top, is computed term by term).

    >>> rowcount_rank_distribution(2, 1, "1/2").probabilities
    (Fraction(1, 4), Fraction(3, 4))
    """
    rows, cols = _shape(rows, cols)
    S = check_density(density)
    a, b = S.numerator, S.denominator
    cap = min(rows, cols)
    top = cap if top is None else min(check_int(top, "top", 0), cap)
    empty = (b - a) ** cols                    # P(row empty) = empty / b^cols
    nonempty = b ** cols - empty
    denominator = b ** (cols * rows)
    numerators = [comb(rows, z) * nonempty ** z * empty ** (rows - z) for z in range(top)]
    numerators.append(denominator - sum(numerators))      # P(min(Z, cols) >= top)
    return RankDistribution(rows, cols, S, tuple(numerators), denominator, "rowcount",
                            top=top)


def rowcount_law_mp(rows: int, cols: int, density, top: int) -> tuple:
    """The row-count law truncated at ``top`` in mpmath numbers: (probabilities, 1, top),
    the form :func:`theory.regions.bound.bound_log2_mp` takes (searches over densities)."""
    rows, cols = _shape(rows, cols)
    S = check_density(density)
    top = min(check_int(top, "top", 0), rows, cols)
    with mpmath.workdps(30):
        S = mpmath.mpf(S.numerator) / S.denominator
        empty = (1 - S) ** cols
        probs = [comb(rows, z) * (1 - empty) ** z * empty ** (rows - z) for z in range(top)]
        probs.append(1 - mpmath.fsum(probs))
    return probs, 1, top


def full_rank_distribution(rows: int, cols: int, density=1, top: int | None = None
                           ) -> RankDistribution:
    """The point mass at min(rows, cols): a dense layer (Serra et al.'s setting)."""
    rows, cols = _shape(rows, cols)
    law = point_rank_distribution(rows, cols, min(rows, cols), density, method="full")
    return law if top is None else law.truncate(check_int(top, "top", 0))


def point_rank_distribution(rows: int, cols: int, rank: int, density=1,
                            method: str = "point") -> RankDistribution:
    """The point mass at ``rank`` (a given network's actual rank)."""
    rows, cols = _shape(rows, cols)
    rank = check_int(rank, "rank", 0)
    if rank > min(rows, cols):
        raise InvalidArgument("rank", rank, f"exceeds min({rows}, {cols})",
                              "give a rank at most the smaller side")
    numerators = [0] * (min(rows, cols) + 1)
    numerators[rank] = 1
    return RankDistribution(rows, cols, check_density(density), tuple(numerators), 1, method)
