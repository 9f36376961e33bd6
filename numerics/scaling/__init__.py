"""The width-versus-sparsity study: a grid of sweeps over depths, keep probabilities and
widths (:func:`run_grid`), the required width n*(eps, delta) with its Clopper-Pearson grid
interval, log-log fits with bootstrap intervals, and the study's figures.
"""

from theory._lazy import lazy_exports

_EXPORTS = {
    "RequiredWidth": "analysis", "LogLogFit": "analysis", "required_width": "analysis",
    "fit_loglog": "analysis", "slope_with_bootstrap": "analysis",
    "GridCell": "grid", "GridResult": "grid", "grid_configs": "grid", "run_grid": "grid",
    "plot_deviation_vs_width": "plots", "plot_required_width": "plots",
    "plot_predicted_required_width": "plots",
    "deviation_slope": "plots",
}

__getattr__, __dir__, __all__ = lazy_exports(__name__, _EXPORTS)
