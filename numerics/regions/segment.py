"""Exact count of the linear (activation) regions of a ReLU network along a segment.

The segment x(t) = x_0 + t (x_1 - x_0), t in [0, 1], is split layer by layer: on a
piece where the layers so far have a fixed activation pattern, every pre-activation
of the next layer is an affine function u + v t with *integer* u, v (see
:mod:`numerics.regions.exact`), so its zero t* = -u / v is an exact rational.  A
piece is cut at every zero strictly inside it; each sub-piece gets the pattern of
its midpoint (exact integer signs) and its next-layer affine map.  The regions are
the pieces after the last layer: on a convex domain each activation pattern is one
convex piece, so this is the number of distinct patterns met, with no tolerance.

Every layer given counts (all are ReLU layers); for a network with a linear output
layer pass only its hidden layers (:func:`numerics.regions.exact.hidden_matrices`).

>>> A = np.array([[1.0], [-1.0], [1.0]])          # breakpoints of x, -x, x at 0
>>> count_segment([A], [[-1.0]], [[1.0]]).count
2
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from theory._errors import InvalidArgument

from .exact import check_matrices, integer_affine_points, integer_matrix

__all__ = ["SegmentCount", "count_segment"]


@dataclass(frozen=True)
class SegmentCount:
    """Pieces of [0, 1] with a constant activation pattern.

    ``count``: the number of regions met; ``per_layer``: the pieces after each layer;
    ``breakpoints``: the interior cut points t (exact Fractions, increasing);
    ``patterns``: one tuple of active-neuron tuples per piece (layer by layer).
    """

    count: int
    per_layer: tuple
    breakpoints: tuple
    patterns: tuple
    method: str = "exact (integer signs, rational breakpoints)"


def _sign_at(u: int, v: int, t: Fraction) -> int:
    value = u * t.denominator + v * t.numerator       # (u + v t) * denominator
    return (value > 0) - (value < 0)


def count_segment(matrices, start, end) -> SegmentCount:
    """Regions of the ReLU layers ``matrices`` met by the segment from ``start`` to ``end``."""
    start = np.asarray(start, dtype=np.float64).ravel()
    end = np.asarray(end, dtype=np.float64).ravel()
    layers = check_matrices(matrices, start.size)
    if start.shape != end.shape:
        raise InvalidArgument("end", f"a point of dimension {end.size}",
                              f"the start has dimension {start.size}",
                              "give two points of the same dimension")
    if not (np.all(np.isfinite(start)) and np.all(np.isfinite(end))):
        raise InvalidArgument("points", "NaN or infinity", "not finite", "give finite points")
    if np.array_equal(start, end):
        raise InvalidArgument("end", "the start point", "the segment has length 0",
                              "give two different points")
    ints = [integer_matrix(A)[0] for A in layers]
    X = integer_affine_points(np.stack([start, end]))        # columns [x0, x1 - x0]
    pieces = [(Fraction(0), Fraction(1), ints[0].dot(X), ())]
    per_layer = []
    for l in range(len(layers)):
        out = []
        for lo, hi, Z, pattern in pieces:
            cuts = set()
            for u, v in Z:
                if v != 0:
                    t = Fraction(-u, v)
                    if lo < t < hi:
                        cuts.add(t)
            ends = [lo, *sorted(cuts), hi]
            for a, b in zip(ends, ends[1:]):
                mid = (a + b) / 2
                active = tuple(i for i, (u, v) in enumerate(Z) if _sign_at(u, v, mid) > 0)
                if l + 1 < len(layers):
                    nxt = ints[l + 1][:, list(active)].dot(Z[list(active)]) if active else \
                        np.zeros((ints[l + 1].shape[0], 2), dtype=object)
                else:
                    nxt = None
                out.append((a, b, nxt, pattern + (active,)))
        pieces = out
        per_layer.append(len(pieces))
    breaks = tuple(p[0] for p in pieces[1:])
    return SegmentCount(len(pieces), tuple(per_layer), breaks, tuple(p[3] for p in pieces))
