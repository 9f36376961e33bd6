"""Exact count of the linear (activation) regions of a ReLU network on a triangle.

The triangle x(s, t) = x_0 + s (x_1 - x_0) + t (x_2 - x_0), s, t >= 0, s + t <= 1, is
cut layer by layer into convex polygons.  A cell carries its vertices in integer
homogeneous coordinates (X, Y, W), W > 0 (the point (X/W, Y/W)), the supporting line
(a, b, c) of each edge (a s + b t + c >= 0 inside), and the integer affine map of the
current layer's pre-activations on it (see :mod:`numerics.regions.exact`).  Each
neuron's zero line cuts every cell that has vertices strictly on both sides of it;
a new vertex is the cross product of the cut edge's line and the neuron's line, so
coordinates stay products of two lines' coefficients (no growth from repeated
interpolation).  Every sign is an exact integer sign: no tolerance.  A neuron whose
line only touches a cell (at a vertex or along an edge) does not cut it; a neuron
that vanishes on a whole cell is inactive there.

Cells of one activation pattern are convex on a convex domain, so the number of
cells after the last layer is the number of linear regions met.  Every layer given
counts (pass the hidden layers of a network with a linear output).

>>> A = np.array([[1.0, 0.0], [0.0, 1.0]])            # the two coordinate axes
>>> count_triangle([A], [-1.0, -1.0], [2.0, -1.0], [-1.0, 2.0]).count
4
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from theory._errors import InvalidArgument

from .exact import check_matrices, integer_affine_points, integer_matrix

__all__ = ["TriangleCount", "count_triangle", "edge_pieces"]


@dataclass(frozen=True)
class TriangleCount:
    """Convex cells of the triangle with a constant activation pattern.

    ``count``: regions met; ``per_layer``: cells after each layer; ``cells``: per cell
    (vertices as (X, Y, W) integer triples, pattern as a tuple of active-neuron tuples).
    """

    count: int
    per_layer: tuple
    cells: tuple
    method: str = "exact (integer homogeneous vertices, integer signs)"


def _cross(l1, l2) -> tuple[int, int, int]:
    a1, b1, c1 = l1
    a2, b2, c2 = l2
    X, Y, W = b1 * c2 - c1 * b2, c1 * a2 - a1 * c2, a1 * b2 - b1 * a2
    if W < 0:
        X, Y, W = -X, -Y, -W
    g = math.gcd(math.gcd(X, Y), W)
    return (X // g, Y // g, W // g) if g > 1 else (X, Y, W)


def _value(line, P) -> int:
    return line[0] * P[0] + line[1] * P[1] + line[2] * P[2]


def _clip(vertices, lines, values, cut):
    """The part of the polygon where ``values`` >= 0 (``cut`` is the line, >= 0 inside)."""
    out_v, out_l = [], []
    n = len(vertices)
    for k in range(n):
        P, vp = vertices[k], values[k]
        vq = values[(k + 1) % n]
        if vp > 0:
            out_v.append(P)
            out_l.append(lines[k])
            if vq < 0:
                out_v.append(_cross(lines[k], cut))
                out_l.append(cut)
        elif vp == 0:
            out_v.append(P)
            out_l.append(cut if vq < 0 else lines[k])
        elif vq > 0:
            out_v.append(_cross(lines[k], cut))
            out_l.append(lines[k])
    return out_v, out_l


def count_triangle(matrices, x0, x1, x2) -> TriangleCount:
    """Regions of the ReLU layers ``matrices`` met by the triangle x0, x1, x2 (exact)."""
    P = np.stack([np.asarray(x, dtype=np.float64).ravel() for x in (x0, x1, x2)])
    layers = check_matrices(matrices, P.shape[1])
    if not np.all(np.isfinite(P)):
        raise InvalidArgument("points", "NaN or infinity", "not finite", "give finite points")
    ints = [integer_matrix(A)[0] for A in layers]
    X = integer_affine_points(P)                       # columns [x0, x1 - x0, x2 - x0]
    u, v = X[:, 1], X[:, 2]
    if u.dot(u) * v.dot(v) == u.dot(v) ** 2:          # Cauchy-Schwarz equality, exactly
        raise InvalidArgument("points", "three collinear points", "the triangle is flat",
                              "give three affinely independent points")
    vertices = [(0, 0, 1), (1, 0, 1), (0, 1, 1)]
    lines = [(0, 1, 0), (-1, -1, 1), (1, 0, 0)]        # t >= 0, 1 - s - t >= 0, s >= 0
    cells = [(vertices, lines, ints[0].dot(X), ())]
    per_layer = []
    for l in range(len(layers)):
        out = []
        for verts, edges, Z, pattern in cells:
            parts = [(verts, edges, [])]                # (vertices, lines, active neurons)
            for i, (u, v, w) in enumerate(Z):
                line = (v, w, u)                        # v s + w t + u (coefficients of s, t, 1)
                nxt = []
                for pv, pe, act in parts:
                    vals = [_value(line, Q) for Q in pv]
                    if max(vals) > 0 and min(vals) < 0:
                        nxt.append((*_clip(pv, pe, vals, line), act + [i]))
                        neg = (-line[0], -line[1], -line[2])
                        nxt.append((*_clip(pv, pe, [-x for x in vals], neg), act))
                    else:
                        nxt.append((pv, pe, act + [i] if max(vals) > 0 else act))
                parts = nxt
            for pv, pe, act in parts:
                if l + 1 < len(layers):
                    Zn = ints[l + 1][:, act].dot(Z[act]) if act else \
                        np.zeros((ints[l + 1].shape[0], 3), dtype=object)
                else:
                    Zn = None
                out.append((pv, pe, Zn, pattern + (tuple(act),)))
        cells = out
        per_layer.append(len(cells))
    return TriangleCount(len(cells), tuple(per_layer),
                         tuple((tuple(c[0]), c[3]) for c in cells))


def edge_pieces(result: TriangleCount, edge: int = 0) -> int:
    """How many cells of ``result`` meet edge ``edge`` of the triangle along a segment:
    edge 0 is x0 -> x1 (t = 0), 1 is x1 -> x2 (s + t = 1), 2 is x2 -> x0 (s = 0).  Equals
    the segment count along that edge (a cross-check of the two counters)."""
    line = ((0, 1, 0), (-1, -1, 1), (1, 0, 0))[edge]
    # vertices are kept in lowest terms with W > 0, so equal points are equal triples
    return sum(1 for vertices, _ in result.cells
               if len({Q for Q in vertices if _value(line, Q) == 0}) >= 2)
