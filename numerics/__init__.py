"""Finite-width masked networks, their empirical NTKs and statistics (imports theory only).

>>> from theory import Architecture
>>> from numerics import empirical_ntk, sample_network
>>> net = sample_network(Architecture.pruned(2, "0.5"), 16, seed=0, input_dim=3)
>>> empirical_ntk(net, [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]).shape
(2, 2)
"""

from theory._lazy import lazy_exports

_EXPORTS = {
    "BACKENDS": "backend.devices", "check_backend": "backend.devices",
    "run_key": "backend.devices",
    "DEFAULT_CHUNK_BYTES": "entk.gram", "empirical_ntk": "entk.gram",
    "estimate_memory": "entk.gram",
    "empirical_ntk_bruteforce": "entk.jacobian", "parameter_jacobian": "entk.jacobian",
    "EXPERIMENTS": "experiments.runs", "AllLayers": "experiments.runs",
    "SparsityScaling": "experiments.runs", "WidthConvergence": "experiments.runs",
    "all_layers": "experiments.runs", "sparsity_scaling": "experiments.runs",
    "width_convergence": "experiments.runs",
    "LoadedNetwork": "networks.netfile", "load_network": "networks.netfile",
    "Forward": "networks.network", "MaskedNetwork": "networks.network",
    "backward": "networks.network", "forward": "networks.network",
    "layer_generator": "networks.sampling", "network_key": "networks.sampling",
    "sample_network": "networks.sampling",
    "FluctuationFit": "pseudo.fits", "PredictedWidthSlope": "pseudo.fits",
    "WidthSparsity": "pseudo.fits", "fit_fluctuation_slope": "pseudo.fits",
    "predicted_width_slope": "pseudo.fits", "width_sparsity_slope": "pseudo.fits",
    "FluctuationCell": "pseudo.grid", "FluctuationGrid": "pseudo.grid",
    "fluctuation_grid": "pseudo.grid", "gaussian_kappa": "pseudo.grid",
    "MaskedInnerProducts": "pseudo.networks", "SumStats": "pseudo.networks",
    "masked_inner_products": "pseudo.networks",
    "plot_fluctuation": "pseudo.plots",
    "LogLogFit": "scaling.analysis", "RequiredWidth": "scaling.analysis",
    "fit_loglog": "scaling.analysis", "required_width": "scaling.analysis",
    "slope_with_bootstrap": "scaling.analysis",
    "GridCell": "scaling.grid", "GridResult": "scaling.grid", "grid_configs": "scaling.grid",
    "run_grid": "scaling.grid",
    "Deviation": "stats", "Summary": "stats", "clopper_pearson": "stats", "deviation": "stats",
    "summarize": "stats",
    "Progress": "sweeps.progress",
    "FORMAT_VERSION": "sweeps.store", "ResultStore": "sweeps.store",
    "SweepConfig": "sweeps.config", "SweepResult": "sweeps.config",
    "auto_workers": "sweeps.config", "check_memory": "sweeps.config",
    "trial_cost": "sweeps.config",
    "trial_memory": "sweeps.config", "trial_values": "sweeps.config",
    "run_sweep": "sweeps.sweep",
}

__getattr__, __dir__, __all__ = lazy_exports(__name__, _EXPORTS)
