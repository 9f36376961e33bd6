"""The authors' three experiments (width convergence, sparsity scaling, all layers
masked) run by Monte Carlo and judged by stated rules, with their figures.
"""

from theory._lazy import lazy_exports

_EXPORTS = {
    "plot_width_convergence": "plots", "plot_sparsity_scaling": "plots",
    "plot_all_layers": "plots", "plot": "plots",
    "Series": "runs", "WidthConvergence": "runs", "Schedule": "runs", "SparsityScaling": "runs",
    "AllLayers": "runs", "width_convergence": "runs", "sparsity_scaling": "runs",
    "all_layers": "runs", "EXPERIMENTS": "runs", "Z_RULE": "runs", "LEVEL": "runs",
    "Grid": "grids", "grid": "grids", "describe_grid": "grids", "EXPERIMENT_NAMES": "grids",
}

__getattr__, __dir__, __all__ = lazy_exports(__name__, _EXPORTS)
