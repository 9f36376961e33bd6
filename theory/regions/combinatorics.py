"""Closed-form region counts that check the recursion of Cai et al. independently.

* Zaslavsky (1975): n affine hyperplanes in general position cut R^d into
  sum_{j=0}^{d} C(n, j) regions; one ReLU layer on a d-dimensional input has at most
  that many activation regions.
* Serra, Tjandraatmadja and Ramalingam (ICML 2018, Theorem 1): a ReLU network with
  input dimension n_0 and layers of widths n_1..n_L has at most
  sum over (j_1..j_L) in J of prod_l C(n_l, j_l) linear regions, where J is the set of
  integer tuples with 0 <= j_l <= min(n_0, n_1 - j_1, ..., n_{l-1} - j_{l-1}, n_l).
  :func:`serra_bound` enumerates J literally (a second algorithm for the recursion).

>>> zaslavsky_count(3, 2)       # three lines in general position: 1 + 3 + 3
7
>>> serra_bound((1, 3, 4))      # 1-D input: (3 + 1)(4 + 1)
20
"""

from __future__ import annotations

from math import comb

from theory._errors import InvalidArgument, check_int

__all__ = ["zaslavsky_count", "serra_index_set", "serra_bound"]

_ENUMERATION_LIMIT = 2_000_000


def zaslavsky_count(n: int, d: int) -> int:
    """Regions of ``n`` hyperplanes in general position in R^``d``: sum_{j<=d} C(n, j)."""
    n, d = check_int(n, "n", 0), check_int(d, "d", 0)
    return sum(comb(n, j) for j in range(min(n, d) + 1))


def serra_index_set(widths) -> list[tuple[int, ...]]:
    """The index set J of Serra et al.'s bound for ``widths`` = (n_0, n_1, ..., n_L).

    >>> serra_index_set((1, 2, 2))
    [(0, 0), (0, 1), (1, 0), (1, 1)]
    """
    widths = tuple(check_int(w, "widths", 1) for w in widths)
    if len(widths) < 2:
        raise InvalidArgument("widths", widths, "need the input width and at least one layer",
                              "give (n_0, n_1, ..., n_L)")
    out: list[tuple[int, ...]] = []

    def extend(prefix: tuple[int, ...], cap: int) -> None:
        layer = len(prefix) + 1
        if layer == len(widths):
            out.append(prefix)
            if len(out) > _ENUMERATION_LIMIT:
                raise InvalidArgument("widths", widths, "the index set is too large to enumerate",
                                      "use region_bound (the recursion) for large widths")
            return
        n_l = widths[layer]
        for j in range(min(cap, n_l) + 1):
            extend(prefix + (j,), min(cap, n_l - j))

    extend((), widths[0])
    return out


def serra_bound(widths) -> int:
    """Serra et al.'s dense bound: sum over J of prod_l C(n_l, j_l) (by enumeration of J)."""
    widths = tuple(widths)
    total = 0
    for js in serra_index_set(widths):
        term = 1
        for n_l, j in zip(widths[1:], js):
            term *= comb(n_l, j)
        total += term
    return total
