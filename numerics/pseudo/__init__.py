"""Mask-induced pseudo-networks measured on sampled networks (claim C4): the per-neuron
masked inner products, their fluctuation grid over widths and keep probabilities, the
fits of the fluctuation slope and the width requirement, and the figure.
"""

from theory._lazy import lazy_exports

_EXPORTS = {
    "FluctuationFit": "fits", "fit_fluctuation_slope": "fits", "WidthSparsity": "fits",
    "width_sparsity_slope": "fits", "PredictedWidthSlope": "fits",
    "predicted_width_slope": "fits",
    "FluctuationCell": "grid", "FluctuationGrid": "grid", "fluctuation_grid": "grid",
    "gaussian_kappa": "grid",
    "MaskedInnerProducts": "networks", "masked_inner_products": "networks",
    "SumStats": "networks", "SUM_KINDS": "networks",
    "plot_fluctuation": "plots",
}

__getattr__, __dir__, __all__ = lazy_exports(__name__, _EXPORTS)
