"""Graphons on finite networks: masks sampled from step graphons and the convergence of
their empirical NTK to the Graphon NTK; graphon estimation from a mask (degree-sorted
block histograms) and distances between estimates, with labelled bounds on the cut
distance; networks pruned by a method at several widths (``pruned``), what they say
(``findings``: second-moment against density graphon, distance to a constant graphon,
convergence of the eNTK to the Graphon NTK of the estimate) and their figures.
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
    "PrunedGraphonTrials": "pruned", "pruned_graphon_trials": "pruned", "VERSIONS": "pruned",
    "SecondMomentGap": "findings", "ConstantDeviation": "findings",
    "PrunedNTKConvergence": "findings", "second_moment_gap": "findings",
    "constant_deviation": "findings", "pruned_ntk_convergence": "findings",
    "loglog_slope": "findings",
    "plot_histograms": "plots", "plot_second_moment": "plots", "plot_distances": "plots",
    "plot_ntk_deviation": "plots", "plot_eigen_decay": "plots",
    "plot_spectral_metrics": "plots",
    "spectral_metrics": "spectra", "SpectrumStudy": "spectra", "spectrum_study": "spectra",
    "spectrum_trends": "spectra", "METRICS": "spectra", "KERNELS": "spectra",
    "DEFAULT_DENSITIES": "spectra",
}

__getattr__, __dir__, __all__ = lazy_exports(__name__, _EXPORTS)
