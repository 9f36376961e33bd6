"""Finite-width masked networks, their empirical NTKs and statistics (imports theory only).

>>> from theory import Architecture
>>> net = sample_network(Architecture.pruned(2, "0.5"), 16, seed=0, input_dim=3)
>>> empirical_ntk(net, [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]).shape
(2, 2)
"""

from .entk import DEFAULT_CHUNK_BYTES, empirical_ntk, estimate_memory
from .jacobian import empirical_ntk_bruteforce, parameter_jacobian
from .netfile import LoadedNetwork, load_network
from .network import Forward, MaskedNetwork, backward, forward
from .progress import Progress
from .sampling import layer_generator, network_key, sample_network
from .stats import Deviation, Summary, clopper_pearson, deviation, summarize
from .store import FORMAT_VERSION, ResultStore
from .devices import BACKENDS, check_backend, run_key
from .experiments import (EXPERIMENTS, AllLayers, SparsityScaling, WidthConvergence, all_layers,
                          sparsity_scaling, width_convergence)
from .grid import GridCell, GridResult, grid_configs, run_grid
from .pseudo_fits import (FluctuationFit, PredictedWidthSlope, WidthSparsity,
                          fit_fluctuation_slope, predicted_width_slope, width_sparsity_slope)
from .pseudo_grid import FluctuationCell, FluctuationGrid, fluctuation_grid, gaussian_kappa
from .pseudo_networks import MaskedInnerProducts, SumStats, masked_inner_products
from .pseudo_plots import plot_fluctuation
from .scaling import LogLogFit, RequiredWidth, fit_loglog, required_width, slope_with_bootstrap
from .sweep import (SweepConfig, SweepResult, auto_workers, check_memory, run_sweep, trial_memory,
                    trial_values)

__all__ = [
    "auto_workers", "AllLayers", "EXPERIMENTS", "SparsityScaling", "WidthConvergence", "all_layers",
    "sparsity_scaling", "width_convergence",
    "BACKENDS", "GridCell", "GridResult", "LogLogFit", "RequiredWidth", "check_backend",
    "fit_loglog", "grid_configs", "required_width", "run_grid", "run_key",
    "slope_with_bootstrap",
    "DEFAULT_CHUNK_BYTES", "Deviation", "FORMAT_VERSION", "Forward", "LoadedNetwork",
    "MaskedNetwork", "Progress", "ResultStore", "Summary", "SweepConfig", "SweepResult",
    "backward", "check_memory", "clopper_pearson", "deviation", "empirical_ntk",
    "empirical_ntk_bruteforce", "estimate_memory", "forward", "layer_generator",
    "load_network", "network_key", "parameter_jacobian", "run_sweep", "sample_network",
    "summarize", "trial_memory", "trial_values",
    "FluctuationCell", "FluctuationFit", "FluctuationGrid", "MaskedInnerProducts",
    "PredictedWidthSlope", "SumStats", "WidthSparsity", "fit_fluctuation_slope",
    "fluctuation_grid", "gaussian_kappa", "masked_inner_products", "plot_fluctuation",
    "predicted_width_slope", "width_sparsity_slope",
]
