"""Lower bounds on region counts by sampling points (labelled as lower bounds).

Distinct activation patterns seen at sampled points are distinct regions, so their
number never exceeds the true count; regions thinner than the grid spacing are
missed, and a point within rounding of a boundary may show a neighbour's pattern.
The exact counters (:mod:`~numerics.regions.segment`, :mod:`~numerics.regions.polygon`)
are the counts; this is their independent check from below.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from theory._errors import InvalidArgument, check_int

from .exact import check_matrices

__all__ = ["GridCount", "grid_pattern_count"]


@dataclass(frozen=True)
class GridCount:
    """Distinct patterns at ``points`` sample points: a lower bound on the region count."""

    lower_bound: int
    points: int
    method: str = "distinct activation patterns at grid points: a LOWER BOUND only"


def grid_pattern_count(matrices, corners, resolution: int = 1000) -> GridCount:
    """Patterns on a uniform grid of the segment (2 corners) or triangle (3 corners)."""
    corners = np.asarray(corners, dtype=np.float64)
    layers = check_matrices(matrices, corners.shape[1])
    resolution = check_int(resolution, "resolution", 1)
    grid = np.linspace(0.0, 1.0, resolution + 1)
    if len(corners) == 2:
        coeffs = np.stack([grid], axis=1)
    elif len(corners) == 3:
        s, t = np.meshgrid(grid, grid)
        keep = s + t <= 1.0
        coeffs = np.stack([s[keep], t[keep]], axis=1)
    else:
        raise InvalidArgument("corners", f"{len(corners)} points", "need 2 or 3 points",
                              "give a segment (2 points) or a triangle (3 points)")
    seen: set = set()
    for chunk in np.array_split(coeffs, max(1, len(coeffs) // 20000)):
        h = (corners[0] + chunk @ (corners[1:] - corners[0])).T
        bits = []
        for A in layers:
            z = A @ h
            bits.append(z > 0)
            h = np.maximum(z, 0.0)
        packed = np.packbits(np.concatenate(bits, axis=0).T, axis=1)
        seen.update(row.tobytes() for row in packed)
    return GridCount(len(seen), len(coeffs))
