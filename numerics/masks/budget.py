"""How many weights each pruned layer keeps, and which: exact counts, ERK, top-k selection.

* :func:`kept_count`: a density d of N weights keeps round(d N) of them (halves round
  up; at least one), computed exactly from the density's fraction.
* :func:`erk_densities`: the Erdos-Renyi(-Kernel) allocation for fully connected
  layers: layer h gets density eps (n_in + n_out) / (n_in n_out), eps chosen so that
  the kept weights add up to the global budget; a layer whose density would exceed 1
  is made dense and eps is recomputed over the others (redistribution).
* :func:`keep_top`: the k largest scores over one or several arrays, exactly k of
  them; ties at the threshold go to the lowest positions (layers in order, row-major),
  so the selection is deterministic.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Sequence

import numpy as np

from theory._errors import InvalidArgument

__all__ = ["kept_count", "erk_densities", "erk_counts", "keep_top"]


def kept_count(density: Fraction, size: int) -> int:
    """round(density * size), halves up, at least 1 and at most ``size``.

    >>> kept_count(Fraction(1, 5), 12), kept_count(Fraction(1, 4), 2), kept_count(Fraction(1, 10), 3)
    (2, 1, 1)
    """
    exact = Fraction(density) * size
    return min(size, max(1, int(exact + Fraction(1, 2))))


def erk_densities(shapes: Sequence[tuple[int, int]], density: Fraction) -> tuple[float, ...]:
    """ERK layer densities for fully connected layers of ``shapes`` (n_out, n_in).

    The kept weights sum to density * (total weights); layers capped at 1 are dense.

    >>> [round(d, 6) for d in erk_densities([(100, 10), (1, 100)], Fraction(1, 2))]
    [0.45, 1.0]
    """
    sizes = [n_out * n_in for n_out, n_in in shapes]
    raw = [(n_out + n_in) / (n_out * n_in) for n_out, n_in in shapes]
    budget = float(density) * sum(sizes)
    dense: set[int] = set()
    while True:
        free = [i for i in range(len(shapes)) if i not in dense]
        if not free:
            return (1.0,) * len(shapes)
        eps = (budget - sum(sizes[i] for i in dense)) / sum(raw[i] * sizes[i] for i in free)
        over = [i for i in free if eps * raw[i] > 1]
        if not over:
            return tuple(1.0 if i in dense else eps * raw[i] for i in range(len(shapes)))
        dense.update(over)


def erk_counts(shapes: Sequence[tuple[int, int]], density: Fraction) -> tuple[int, ...]:
    """Kept weights per layer under ERK, summing exactly to :func:`kept_count` of the total.

    Each layer gets floor(d_h N_h); the remaining weights go to the layers with the
    largest fractional parts (largest remainders), never above N_h.

    >>> erk_counts([(100, 10), (1, 100)], Fraction(1, 2))
    (450, 100)
    """
    sizes = [n_out * n_in for n_out, n_in in shapes]
    target = kept_count(Fraction(density), sum(sizes))
    exact = [d * n for d, n in zip(erk_densities(shapes, density), sizes)]
    counts = [min(n, int(np.floor(x))) for x, n in zip(exact, sizes)]
    order = sorted(range(len(sizes)), key=lambda i: (-(exact[i] - counts[i]), i))
    short = target - sum(counts)
    for i in order * 2:
        if short <= 0:
            break
        if counts[i] < sizes[i]:
            counts[i] += 1
            short -= 1
    return tuple(counts)


def _kth_largest(arrays: Sequence[np.ndarray], k: int) -> float:
    """The k-th largest value over ``arrays`` (1 <= k <= total size).

    A random sample of 2^17 entries brackets the value (6 standard deviations of the
    sample rank either side); counting passes check the bracket, and only the
    entries strictly inside it are partitioned.  A full partition is the fallback
    when the bracket misses (probability below 1e-8).
    """
    flat = [a.reshape(-1) for a in arrays if a.size]
    total = sum(a.size for a in flat)
    if total <= 1 << 19:
        return float(np.partition(np.concatenate(flat), total - k)[total - k])
    rng = np.random.default_rng(0)
    m = 1 << 17
    sample = np.concatenate([a[rng.integers(0, a.size, max(1, round(m * a.size / total)))]
                             for a in flat])
    s = sample.size
    pos = (k - 0.5) / total * s                       # the k-th largest's rank in the sample
    margin = 6 * np.sqrt(s * (k / total) * (1 - k / total)) + 8
    i_hi = min(s - 1, max(0, int(s - 1 - (pos - margin))))    # ascending order indices
    i_lo = min(s - 1, max(0, int(s - 1 - (pos + margin))))
    part = np.partition(sample, (i_lo, i_hi))
    lo, hi = part[i_lo], part[i_hi]
    gt_hi = [a > hi for a in flat]
    gt_lo = [a > lo for a in flat]
    above = sum(int(np.count_nonzero(g)) for g in gt_hi)
    over_lo = sum(int(np.count_nonzero(g)) for g in gt_lo)
    if above < k and k > over_lo:                     # the answer is lo itself (ties at lo)
        if sum(int(np.count_nonzero(a >= lo)) for a in flat) >= k:
            return float(lo)
    elif above < k <= over_lo:                        # strictly above lo, at most hi
        inside = np.concatenate([a[np.logical_and(g, ~e, out=g)]
                                 for a, g, e in zip(flat, gt_lo, gt_hi)])
        r = k - above                                  # r-th largest strictly above lo
        return float(np.partition(inside, inside.size - r)[inside.size - r])
    return float(np.partition(np.concatenate(flat), total - k)[total - k])


def keep_top(scores: Sequence[np.ndarray], k: int, check: bool = True) -> list[np.ndarray]:
    """Boolean masks keeping exactly the ``k`` largest entries over all ``scores``
    (``check``: refuse NaN or infinite scores).

    >>> [m.astype(int).tolist() for m in keep_top([np.array([[3., 1.]]), np.array([[2., 2.]])], 2)]
    [[[1, 0]], [[1, 0]]]
    """
    scores = [np.asarray(s) for s in scores]
    total = sum(s.size for s in scores)
    if not 0 <= k <= total:
        raise InvalidArgument("k", k, f"must lie in 0..{total}", "keep between 0 and all weights")
    for s in scores if check else ():
        if not np.all(np.isfinite(s)):
            raise InvalidArgument("scores", "an array with NaN or infinite entries",
                                  "scores must be finite", "check the weights and the data")
    if k == 0:
        return [np.zeros(s.shape, dtype=bool) for s in scores]
    if k == total:
        return [np.ones(s.shape, dtype=bool) for s in scores]
    t = _kth_largest(scores, k)
    keep = [s > t for s in scores]
    short = k - sum(int(np.count_nonzero(m)) for m in keep)
    for s, m in zip(scores, keep):                     # ties at t: lowest positions first
        if short <= 0:
            break
        ties = np.flatnonzero(s.reshape(-1) == t)[:short]
        np.put(m, ties, True)
        short -= ties.size
    return keep
