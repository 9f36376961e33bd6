"""Region counts of random sparse ReLU networks next to their bounds.

Each trial draws a ReLU stack with layer widths (n_0, n_1, ..., n_L) (every layer
counts, as in Theorem 1), weights i.i.d. N(0, 1) and masks i.i.d. Bernoulli(p_l) per
layer, counts its regions exactly on the segment or triangle of the given points, and
records the structural ranks and the deterministic bound at those ranks (the bound
of that very network).  Trials are seeded per (seed, trial), so results do not
depend on how many are run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from theory._errors import InvalidArgument, check_int
from theory.regions.bound import check_widths, deterministic_bound
from theory.regions.ranks import check_density

from .polygon import count_triangle
from .ranks import structural_rank
from .segment import count_segment

__all__ = ["Trial", "random_relu_stack", "count_regions", "mask_trials", "Looseness", "looseness"]


@dataclass(frozen=True)
class Trial:
    """One network: its exact count, its layers' structural ranks and its own bound."""

    count: int
    ranks: tuple
    deterministic_bound: int


def random_relu_stack(widths, densities, seed: int, trial: int = 0) -> tuple[np.ndarray, ...]:
    """Kept weights W . M of one random sparse ReLU stack (see the module doc)."""
    widths = check_widths(widths)
    densities = tuple(check_density(p, "densities") for p in densities)
    if len(densities) != len(widths) - 1:
        raise InvalidArgument("densities", densities, f"need one per layer ({len(widths) - 1})",
                              "give a density for every layer 1..L")
    rng = np.random.default_rng([check_int(seed, "seed", 0), check_int(trial, "trial", 0)])
    out = []
    for l, p in enumerate(densities, start=1):
        W = rng.standard_normal((widths[l], widths[l - 1]))
        out.append(W * (rng.random(W.shape) < float(p)))
    return tuple(out)


def count_regions(matrices, points):
    """The exact count on the segment (2 points) or triangle (3 points)."""
    points = np.asarray(points, dtype=np.float64)
    if points.ndim != 2 or len(points) not in (2, 3):
        raise InvalidArgument("points", f"an array of shape {points.shape}",
                              "need 2 points (a segment) or 3 points (a triangle), one per row",
                              "give 2 or 3 points")
    if len(points) == 2:
        return count_segment(matrices, points[0], points[1])
    return count_triangle(matrices, points[0], points[1], points[2])


def mask_trials(widths, densities, points, trials: int, seed: int = 0) -> tuple[Trial, ...]:
    """``trials`` random networks: exact counts, ranks and deterministic bounds."""
    widths = check_widths(widths)
    points = np.asarray(points, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != widths[0]:
        raise InvalidArgument("points", f"an array of shape {points.shape}",
                              f"need points of dimension n_0 = {widths[0]}",
                              f"give 2 or 3 rows of {widths[0]} coordinates")
    dim = len(points) - 1
    out = []
    for t in range(check_int(trials, "trials", 1)):
        layers = random_relu_stack(widths, densities, seed, t)
        ranks = tuple(structural_rank(A) for A in layers)
        out.append(Trial(count_regions(layers, points).count, ranks,
                         deterministic_bound(widths, ranks, dim)))
    return tuple(out)


@dataclass(frozen=True)
class Looseness:
    """At one density: the mean exact count over the trials (with its standard error),
    the mean of the networks' own bounds, Theorem 1, and Theorem 1 / mean count."""

    density: str
    mean_count: float
    stderr: float
    mean_own_bound: float
    theorem_1: float
    ratio: float
    rank_methods: tuple


def looseness(widths, densities, points, trials: int = 20, seed: int = 0,
              samples: int = 4000) -> tuple[Looseness, ...]:
    """How loose Theorem 1 is: for each density p, layer 1 dense and layers 2..L masked
    at p, the mean exact count next to Theorem 1 (exact rank laws where the enumeration
    is small, else sampled laws of ``samples`` masks)."""
    from theory.regions.bound import region_bound
    from theory.regions.ranks import (exact_feasible, exact_rank_distribution,
                                      full_rank_distribution)

    from .ranks import sampled_rank_distribution

    widths = check_widths(widths)
    dim = len(points) - 1
    out = []
    for p in densities:
        p = str(p)
        ps = (1,) + (p,) * (len(widths) - 2)
        runs = mask_trials(widths, ps, points, trials, seed)
        counts = np.array([t.count for t in runs], dtype=float)
        laws = [full_rank_distribution(widths[1], widths[0], top=dim)]
        for l in range(2, len(widths)):
            if exact_feasible(widths[l], widths[l - 1]):
                laws.append(exact_rank_distribution(widths[l], widths[l - 1], p, top=dim))
            else:
                laws.append(sampled_rank_distribution(widths[l], widths[l - 1], p, samples,
                                                      seed, top=dim))
        theorem = float(region_bound(widths, laws, dim).value)
        out.append(Looseness(p, float(counts.mean()),
                             float(counts.std(ddof=1) / np.sqrt(len(counts))),
                             float(np.mean([t.deterministic_bound for t in runs])), theorem,
                             theorem / float(counts.mean()), tuple(law.method for law in laws)))
    return tuple(out)
