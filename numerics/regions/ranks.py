"""Structural ranks of masks and networks, and the sampled rank law P(k | R, C, S).

The structural rank of a 0/1 mask is the size of a maximum matching of its
bipartite graph (rows - columns, one edge per kept entry), found with
:func:`scipy.sparse.csgraph.maximum_bipartite_matching`: no tolerance is involved.
A matrix W . M with W drawn from a continuous law has this rank almost surely, and
never more (every non-zero minor needs a matching), so it is the rank Theorem 1
uses.  :func:`sampled_rank_distribution` is the law's method (b): the observed
frequencies of the structural ranks of ``samples`` Bernoulli(S) masks.

>>> structural_rank(np.array([[1, 1, 0], [1, 1, 0], [1, 1, 0]]))
2
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sps
from scipy.sparse.csgraph import maximum_bipartite_matching

from theory._errors import InvalidArgument, check_int
from theory.regions.ranks import RankDistribution, check_density

__all__ = ["structural_rank", "sampled_rank_distribution", "layer_ranks"]


def structural_rank(mask) -> int:
    """The size of a maximum matching of the mask's bipartite graph (non-zeros are edges)."""
    M = sps.csr_matrix(np.asarray(mask) != 0)
    if M.nnz == 0:
        return 0
    matching = maximum_bipartite_matching(M, perm_type="column")
    return int(np.count_nonzero(matching >= 0))


def sampled_rank_distribution(rows: int, cols: int, density, samples: int = 2000,
                              seed: int = 0, top: int | None = None) -> RankDistribution:
    """The frequencies of the structural rank over ``samples`` Bernoulli(density) masks
    (seeded: the same ``seed`` gives the same law), truncated at ``top`` if given (then
    a mask whose first rows already reach rank ``top`` needs no more rows drawn).

    >>> law = sampled_rank_distribution(3, 3, "1", samples=5)
    >>> law.numerators, law.denominator, law.method
    ((0, 0, 0, 5), 5, 'sampled')
    """
    rows, cols = check_int(rows, "rows", 1), check_int(cols, "cols", 1)
    samples = check_int(samples, "samples", 1)
    S = check_density(density)
    rng = np.random.default_rng([check_int(seed, "seed", 0), rows, cols])
    cap = min(rows, cols)
    top = cap if top is None else min(check_int(top, "top", 0), cap)
    counts = [0] * (top + 1)
    threshold = float(S)
    head = min(rows, max(4 * top, 16))
    for _ in range(samples):
        # Rows are independent: draw the first ``head`` rows; if they already hold a
        # matching of size ``top``, min(rank, top) = top whatever the other rows are.
        first = rng.random((head, cols)) < threshold
        rank = structural_rank(first)
        if rank < top and head < rows:
            rest = rng.random((rows - head, cols)) < threshold
            rank = structural_rank(np.concatenate([first, rest]))
        counts[min(rank, top)] += 1
    return RankDistribution(rows, cols, S, tuple(counts), samples, "sampled", samples, top)


def layer_ranks(matrices) -> tuple[tuple[int, int], ...]:
    """(structural rank, numerical rank) of every matrix (the kept weights W . M).

    The structural rank bounds the rank from above for any weights; for weights
    drawn from a continuous law the two agree almost surely.  The numerical rank is
    NumPy's SVD rank (default tolerance), reported for comparison only.
    """
    out = []
    for h, A in enumerate(matrices, start=1):
        A = np.asarray(A, dtype=np.float64)
        if A.ndim != 2:
            raise InvalidArgument("matrices", f"layer {h} of shape {A.shape}",
                                  "not a matrix", "give 2-D weight matrices")
        out.append((structural_rank(A), int(np.linalg.matrix_rank(A))))
    return tuple(out)
