"""Ramanujan-graph topology of masks (Hoang et al., ICLR 2023) and the constant-graphon view.

* ``layer_metrics`` - per layer: isolated nodes removed, the mean-degree >= 3 rule,
  mu_0, mu_hat, Delta_r, Delta_s, the weighted spectral gap; ``top_singular_values``
  (Lanczos, checked against scipy's svds and dense SVD).
* ``iterative_mean`` - the gaps averaged over input-degree classes.
* ``constant_graphon_prediction``, ``ramanujan_threshold`` - what a constant graphon
  predicts (one singular value of order n, the rest O(sqrt n); Delta_r > 0 above
  density 1/sqrt(n) for square masks).
* ``read_masks`` - masks from NET.npz, an .npz of masks, or random Bernoulli masks.
* ``mask_topology``, ``density_sweep``, ``plot_sweep`` - reports and the plot.
"""

from theory._lazy import lazy_exports

_EXPORTS = {
    "ClassMean": "classes", "iterative_mean": "classes",
    "GraphonPrediction": "graphon", "constant_graphon_prediction": "graphon",
    "ramanujan_threshold": "graphon",
    "MaskSet": "inputs", "read_masks": "inputs",
    "layer_report": "report", "mask_topology": "report", "density_sweep": "report",
    "plot_sweep": "report", "SweepRow": "report",
    "LayerMetrics": "spectral", "layer_metrics": "spectral",
    "top_singular_values": "spectral", "DENSE_LIMIT": "spectral",
}

__getattr__, __dir__, __all__ = lazy_exports(__name__, _EXPORTS)
