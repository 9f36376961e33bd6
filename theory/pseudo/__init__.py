"""Mask-induced pseudo-networks (claim C4, our working definition): the moments of the
per-neuron masked inner products derived from Bernoulli moments, ReLU product moments,
exact enumeration, width elasticity, and their LaTeX.
"""

from theory._lazy import lazy_exports

_EXPORTS = {
    "PseudoNetworkDerivation": "derivation", "derive_pseudo_network": "derivation",
    "KINDS": "derivation", "q": "derivation", "kappa": "derivation", "epsilon": "derivation",
    "pseudo_network_latex": "latex",
    "ReluMoments": "moments", "relu_product_moments": "moments",
    "masked_sum_moments_exact": "moments", "iid_masked_sum_moments_exact": "moments",
    "relative_fluctuation": "moments", "width_elasticity": "moments", "relu_kappa": "moments",
    "relu_correlation_map": "moments",
}

__getattr__, __dir__, __all__ = lazy_exports(__name__, _EXPORTS)
