"""Per-layer densities under a global budget: uniform, or chosen to raise Theorem 1's bound.

Cai et al. choose the density of each layer to maximise their bound at a fixed
total number of kept weights and report that it often improves accuracy over the
same density in every layer.  The paper calls its procedure a heuristic; its exact
steps were not available to us, so :func:`allocate_densities` implements *our*
documented version, named ``"three-point"``:

1. start from the uniform allocation p_l = D (D the global density), so the kept
   weights total K = D sum_l n_l n_{l-1};
2. for every ordered pair of layers (a, b), compare three points: the current
   allocation and the two that move ``step`` kept weights from a to b or from b to a
   (the total never exceeds K; every p_l stays in [1/(n_l n_{l-1}), 1]); keep the best of the
   three by the bound's log2 at ``dim``;
3. when a full pass over the pairs improves nothing, halve the step; stop when the
   step falls below ``min_step`` kept weights.

The objective is the bound's log2 with the row-count rank law evaluated in mpmath
(30 digits; :func:`~theory.regions.ranks.rowcount_law_mp`), or any other ``rank_law``
returning the same (probabilities, 1, top) form.  Densities move on a grid of
1/``grid``; the budget actually used is reported.  A local search: the result is a better allocation than uniform whenever
it reports a larger bound, not a proven maximiser.

>>> a = allocate_densities((2, 4, 4), "1/2", 2, method="uniform")
>>> [str(p) for p in a.densities], a.kept_weights
(['1/2', '1/2'], Fraction(12, 1))
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable

from theory._errors import InvalidArgument, check_int

from .bound import bound_log2_mp, check_widths
from .ranks import check_density, rowcount_law_mp

__all__ = ["Allocation", "allocate_densities", "ALLOCATIONS"]

ALLOCATIONS = ("uniform", "three-point")


@dataclass(frozen=True)
class Allocation:
    """Densities per layer, the kept weights they use and the bound's log2 at ``dim``."""

    method: str
    densities: tuple
    kept_weights: Fraction
    dim: int
    log2_bound: float
    evaluations: int

    def to_json(self) -> dict:
        return {"method": self.method, "densities": [float(p) for p in self.densities],
                "kept_weights": float(self.kept_weights), "dim": self.dim,
                "log2_bound": self.log2_bound, "evaluations": self.evaluations}


def allocate_densities(widths, density, dim: int, method: str = "three-point",
                       rank_law: Callable = rowcount_law_mp,
                       min_step: int = 1, grid: int = 4096) -> Allocation:
    """Densities for layers 1..L with the global density ``density`` (see the module doc)."""
    widths = check_widths(widths)
    D = check_density(density)
    if D == 0:
        raise InvalidArgument("density", density, "a global density of 0 keeps nothing",
                              "give 0 < density <= 1")
    dim = min(check_int(dim, "dim", 1), widths[0])
    if method not in ALLOCATIONS:
        raise InvalidArgument("method", method, "unknown allocation",
                              f"use one of {', '.join(ALLOCATIONS)}")
    sizes = [widths[l] * widths[l - 1] for l in range(1, len(widths))]
    evaluations = 0
    cache: dict = {}

    def score(ps: tuple) -> float:
        nonlocal evaluations
        if ps not in cache:
            evaluations += 1
            laws = [rank_law(widths[l], widths[l - 1], p, dim)
                    for l, p in enumerate(ps, start=1)]
            cache[ps] = bound_log2_mp(widths, laws, dim)
        return cache[ps]

    current = tuple(D for _ in sizes)
    best = score(current)
    if method == "three-point" and len(sizes) > 1:
        step = Fraction(D * sum(sizes)) / 4
        while step >= check_int(min_step, "min_step", 1):
            improved = False
            for a in range(len(sizes)):
                for b in range(len(sizes)):
                    if a == b:
                        continue
                    moved = list(current)
                    moved[a] = _snap(moved[a] - step / sizes[a], grid, math.ceil)
                    freed = (current[a] - moved[a]) * sizes[a]     # the weights a gives up
                    moved[b] = _snap(moved[b] + freed / sizes[b], grid, math.floor)
                    if moved[a] * sizes[a] < 1 or moved[b] > 1 or moved[a] == current[a]:
                        continue
                    trial = tuple(moved)
                    if score(trial) > best:
                        current, best, improved = trial, score(trial), True
            if not improved:
                step /= 2
    kept = sum((p * n for p, n in zip(current, sizes)), Fraction(0))
    return Allocation(method, current, kept, dim, best, evaluations)


def _snap(p: Fraction, grid: int, rounding) -> Fraction:
    """``p`` on the grid 1/``grid``, rounded so the budget is never exceeded."""
    return Fraction(rounding(p * grid), grid)
