"""Exact limit kernels: float64 Gram matrices accurate to about 1e-15 (:func:`limit_kernel`,
angles from an accurate (cos, sin) pair), the mpmath reference at any precision
(:func:`limit_kernel_mp`), and the mask-averaged first layer of claim C5.
"""

from theory._lazy import lazy_exports

_EXPORTS = {
    "relu_step": "dual_np", "erf_step": "dual_np", "STEPS": "dual_np", "F_small": "dual_np",
    "propagate": "dual_np",
    "PARALLEL_LIMIT": "bulk_gram", "ANTIPARALLEL_LIMIT": "bulk_gram", "BulkGram": "bulk_gram",
    "plain_gram": "bulk_gram", "deterministic_gram": "bulk_gram",
    "FirstLayerStats": "first_layer", "first_layer_stats": "first_layer",
    "deterministic_description": "first_layer",
    "EXACT_MAX_DIM": "first_layer",
    "LimitKernel": "float64", "limit_kernel": "float64", "theory_scale_factor": "float64",
    "FIRST_LAYER_METHODS": "float64", "EXACT_BUDGET": "float64", "FirstLayerGap": "float64",
    "first_layer_gap": "float64",
    "PairGeometry": "geometry", "as_inputs": "geometry", "row_norms": "geometry",
    "MpKernel": "mp", "limit_kernel_mp": "mp", "limit_kernel_entries_mp": "mp", "gram_mp": "mp",
}

__getattr__, __dir__, __all__ = lazy_exports(__name__, _EXPORTS)
