"""Exact combinatorics of linear regions of sparse ReLU networks (Cai et al. 2023).

* ``region_bound`` - Theorem 1 of Cai et al.: the recursion R(l, d) over layers with a
  rank distribution per layer, in exact rationals; ``deterministic_bound`` the same with
  given ranks (a point mass per layer); ``serra_bound`` the dense bound of Serra et al.
  (2018) by enumerating its index set; ``zaslavsky_count`` the regions of n hyperplanes
  in general position in R^d.
* Rank distributions P(k | R, C, S) of an R x C mask with entries kept with probability
  S: ``exact_rank_distribution`` (enumeration of masks, exact in S),
  ``rowcount_rank_distribution`` (the non-empty-row approximation) and
  ``full_rank_distribution`` (the dense case); ``RankDistribution`` holds one.
* ``allocate_densities`` - per-layer densities under a global budget: uniform or the
  three-point search (our documented version).
"""

from theory._lazy import lazy_exports

_EXPORTS = {
    "zaslavsky_count": "combinatorics", "serra_bound": "combinatorics",
    "serra_index_set": "combinatorics",
    "RankDistribution": "ranks", "exact_rank_distribution": "ranks",
    "exact_rank_counts": "ranks", "rowcount_rank_distribution": "ranks",
    "full_rank_distribution": "ranks", "point_rank_distribution": "ranks",
    "exact_enumeration_size": "ranks", "exact_feasible": "ranks", "check_density": "ranks",
    "RegionBound": "bound", "region_bound": "bound", "deterministic_bound": "bound",
    "check_widths": "bound", "log2_exact": "bound", "region_bounds": "bound",
    "bound_log2_mp": "bound", "log2_ratio": "bound", "rowcount_law_mp": "ranks",
    "Allocation": "allocation", "allocate_densities": "allocation",
}

__getattr__, __dir__, __all__ = lazy_exports(__name__, _EXPORTS)
