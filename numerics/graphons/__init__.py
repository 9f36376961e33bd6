"""Graphons on finite networks: masks sampled from step graphons and the convergence of
their empirical NTK to the Graphon NTK; graphon estimation from a mask (degree-sorted
block histograms) and distances between estimates, with labelled bounds on the cut
distance.
"""

from theory._lazy import lazy_exports

_EXPORTS = {
    "sample_graphon_network": "sampling", "block_index": "sampling",
    "sample_graphon_mask": "sampling",
    "GraphonTrials": "convergence", "GraphonConvergence": "convergence",
    "graphon_trials": "convergence", "analyse_convergence": "convergence",
    "ENTRIES": "convergence",
    "GraphonEstimate": "estimate", "estimate_graphon": "estimate",
    "estimate_network_graphons": "estimate", "DEFAULT_BLOCKS": "estimate",
    "to_graphon_network": "estimate", "ORDERS": "estimate", "SELECTIONS": "sampling",
    "CutNorm": "cut", "CutDistanceBounds": "cut", "cut_norm": "cut",
    "cut_distance_bounds": "cut", "refine": "cut", "EXACT_MAX_BLOCKS": "cut",
    "estimate_distance": "cut",
    "WidthDistances": "study", "distances_to_reference": "study",
}

__getattr__, __dir__, __all__ = lazy_exports(__name__, _EXPORTS)
