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

from ._errors import InvalidArgument
from .closed_forms import V_mp, V_sym, Vdot_mp, Vdot_sym, c_sigma, positively_homogeneous
from .config import ACTIVATIONS, Architecture
from .derivation import (Derivation, check_price_theorem, derive, derive_all, derive_c_sigma,
                         quadrature_check)
from .first_layer import EXACT_MAX_DIM
from .geometry import PairGeometry
from .kernels import (EXACT_BUDGET, FIRST_LAYER_METHODS, FirstLayerGap, LimitKernel,
                      first_layer_gap, limit_kernel, theory_scale_factor)
from .kernels_mp import MpKernel, gram_mp, limit_kernel_entries_mp, limit_kernel_mp
from .latex import LatexOptions, latex_document
from .proofs import (ProofResult, check_monomial_factor, prove_homogeneity,
                     prove_rescaled_equals_dense, prove_scaling_expansion,
                     prove_scaling_induction)
from .pseudo_latex import pseudo_network_latex
from .pseudo_moments import (ReluMoments, iid_masked_sum_moments_exact, masked_sum_moments_exact,
                             relative_fluctuation, relu_correlation_map, relu_kappa,
                             relu_product_moments, width_elasticity)
from .pseudo_networks import PseudoNetworkDerivation, derive_pseudo_network
from .recursion import SymbolicKernel, numeric_kernel, symbolic_kernel
from .recursion import evaluate as evaluate_kernel
from .witness import RatioProfile, erf_witness, ratio_profile

__all__ = [
    "ACTIVATIONS", "Architecture", "Derivation", "EXACT_BUDGET", "EXACT_MAX_DIM",
    "FIRST_LAYER_METHODS", "FirstLayerGap", "InvalidArgument", "LatexOptions", "LimitKernel",
    "MpKernel", "PairGeometry", "ProofResult", "RatioProfile", "SymbolicKernel", "V_mp",
    "V_sym", "Vdot_mp", "Vdot_sym", "c_sigma", "check_monomial_factor", "check_price_theorem",
    "derive", "derive_all", "derive_c_sigma", "erf_witness", "evaluate_kernel",
    "first_layer_gap", "gram_mp", "latex_document", "limit_kernel", "limit_kernel_entries_mp",
    "limit_kernel_mp", "numeric_kernel", "positively_homogeneous", "prove_homogeneity",
    "prove_rescaled_equals_dense", "prove_scaling_expansion", "prove_scaling_induction",
    "quadrature_check", "ratio_profile", "symbolic_kernel", "theory_scale_factor",
    "PseudoNetworkDerivation", "ReluMoments", "derive_pseudo_network",
    "iid_masked_sum_moments_exact", "masked_sum_moments_exact", "pseudo_network_latex",
    "relative_fluctuation", "relu_correlation_map", "relu_kappa", "relu_product_moments",
    "width_elasticity",
]
