"""Linear regions of sparse ReLU networks, counted exactly, and sampled rank laws.

* ``count_segment`` / ``count_triangle`` / ``count_regions`` - exact counts of the
  activation regions met by a segment or a triangle of input points (integer signs,
  no tolerance); ``edge_pieces`` reads a segment count off a triangle's cells.
* ``grid_pattern_count`` - distinct patterns at grid points: a lower bound only.
* ``structural_rank``, ``sampled_rank_distribution``, ``layer_ranks`` - maximum
  bipartite matchings (scipy), the sampled law P(k | R, C, S).
* ``data_points`` - digits (scikit-learn) spanning the counted subspaces.
* ``mask_trials`` - random sparse networks: exact counts next to their own bounds.
"""

from theory._lazy import lazy_exports

_EXPORTS = {
    "Trial": "average", "random_relu_stack": "average", "count_regions": "average",
    "mask_trials": "average", "Looseness": "average", "looseness": "average",
    "data_points": "data", "digits": "data",
    "integer_matrix": "exact", "hidden_matrices": "exact", "check_matrices": "exact",
    "GridCount": "lower", "grid_pattern_count": "lower",
    "TriangleCount": "polygon", "count_triangle": "polygon", "edge_pieces": "polygon",
    "structural_rank": "ranks", "sampled_rank_distribution": "ranks", "layer_ranks": "ranks",
    "SegmentCount": "segment", "count_segment": "segment",
}

__getattr__, __dir__, __all__ = lazy_exports(__name__, _EXPORTS)
