"""Symbolic derivations and exact limit kernels of randomly pruned networks.

The bottom layer of the toolkit: it imports nothing from ``numerics`` or
``proofs_check``.

* ``Architecture`` - depth, masked layers, keep probabilities, rescaling.
* Exact numbers: ``limit_kernel`` (float64 Gram matrices), ``limit_kernel_mp`` /
  ``gram_mp`` (mpmath, any precision), ``first_layer_gap`` (claim C5).
* Symbols: ``derive`` (dual kernels from their Gaussian integrals),
  ``symbolic_kernel`` (the pruned recursion), the ``prove_*`` functions (claims C1,
  C2) and ``erf_witness``; ``latex_document`` exports them.
* Mask-induced pseudo-networks (claim C4): ``derive_pseudo_network`` (moments of the
  per-neuron masked inner products), ``relu_product_moments``, ``width_elasticity``,
  ``pseudo_network_latex``.
"""

from ._lazy import lazy_exports

_EXPORTS = {
    "InvalidArgument": "_errors",
    "V_mp": "closed_forms", "V_sym": "closed_forms", "Vdot_mp": "closed_forms",
    "Vdot_sym": "closed_forms", "c_sigma": "closed_forms",
    "positively_homogeneous": "closed_forms",
    "ACTIVATIONS": "config", "Architecture": "config",
    "EXACT_MAX_DIM": "kernels.first_layer",
    "EXACT_BUDGET": "kernels.float64", "FIRST_LAYER_METHODS": "kernels.float64",
    "FirstLayerGap": "kernels.float64", "LimitKernel": "kernels.float64",
    "first_layer_gap": "kernels.float64", "limit_kernel": "kernels.float64",
    "theory_scale_factor": "kernels.float64",
    "PairGeometry": "kernels.geometry",
    "MpKernel": "kernels.mp", "gram_mp": "kernels.mp", "limit_kernel_entries_mp": "kernels.mp",
    "limit_kernel_mp": "kernels.mp",
    "PseudoNetworkDerivation": "pseudo.derivation",
    "derive_pseudo_network": "pseudo.derivation",
    "pseudo_network_latex": "pseudo.latex",
    "ReluMoments": "pseudo.moments", "iid_masked_sum_moments_exact": "pseudo.moments",
    "masked_sum_moments_exact": "pseudo.moments", "relative_fluctuation": "pseudo.moments",
    "relu_correlation_map": "pseudo.moments", "relu_kappa": "pseudo.moments",
    "relu_product_moments": "pseudo.moments", "width_elasticity": "pseudo.moments",
    "Derivation": "symbolic.derivation", "check_price_theorem": "symbolic.derivation",
    "derive": "symbolic.derivation", "derive_all": "symbolic.derivation",
    "derive_c_sigma": "symbolic.derivation", "quadrature_check": "symbolic.derivation",
    "LatexOptions": "symbolic.latex", "latex_document": "symbolic.latex",
    "ProofResult": "symbolic.proofs", "check_monomial_factor": "symbolic.proofs",
    "prove_homogeneity": "symbolic.proofs", "prove_rescaled_equals_dense": "symbolic.proofs",
    "prove_scaling_expansion": "symbolic.proofs", "prove_scaling_induction": "symbolic.proofs",
    "SymbolicKernel": "symbolic.recursion", "numeric_kernel": "symbolic.recursion",
    "symbolic_kernel": "symbolic.recursion", "evaluate_kernel": "symbolic.recursion:evaluate",
    "RatioProfile": "symbolic.witness", "erf_witness": "symbolic.witness",
    "ratio_profile": "symbolic.witness",
}

__getattr__, __dir__, __all__ = lazy_exports(__name__, _EXPORTS)
