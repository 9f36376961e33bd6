"""The symbolic layer: unevaluated dual maps and NTK objects, the pruned recursion as SymPy
expressions, the dual kernels derived from their Gaussian integrals, the proofs of claims
C1 and C2 as data (:class:`ProofResult`), the erf witness, and the LaTeX document.
"""

from theory._lazy import lazy_exports

_EXPORTS = {
    "Derivation": "derivation", "QuadratureCheck": "derivation", "derive": "derivation",
    "derive_c_sigma": "derivation", "check_price_theorem": "derivation",
    "derive_all": "derivation", "quadrature_check": "derivation", "sample_points": "derivation",
    "DUAL_ARGS": "derivation", "QUANTITIES": "derivation",
    "LatexOptions": "latex", "latex_document": "latex",
    "latex_rescaled_companion": "latex", "PREAMBLE": "latex",
    "NNGPMap": "maps", "DerivMap": "maps", "ReluNNGP": "maps", "ReluDeriv": "maps",
    "ErfNNGP": "maps", "ErfDeriv": "maps", "dual_maps": "maps", "LayerKernel": "maps",
    "Cov": "maps", "Sigma": "maps", "SigmaDot": "maps", "Theta": "maps", "NTK": "maps",
    "DenseCov": "maps", "DenseSigma": "maps", "DenseSigmaDot": "maps", "DenseTheta": "maps",
    "DenseNTK": "maps", "point_symbols": "maps",
    "ProofResult": "proofs", "MonomialCheck": "proofs", "check_monomial_factor": "proofs",
    "prove_homogeneity": "proofs", "prove_scaling_induction": "proofs",
    "prove_scaling_expansion": "proofs", "prove_rescaled_equals_dense": "proofs",
    "erf_witness": "proofs", "ratio_profile": "proofs", "RatioProfile": "proofs",
    "EXPANSION_METHODS": "proofs", "MEAN_FIELD_NOTE": "proofs",
    "KernelEntries": "recursion", "SymbolicKernel": "recursion", "KernelValues": "recursion",
    "symbolic_kernel": "recursion", "evaluate": "recursion", "numeric_kernel": "recursion",
    "expand_maps": "recursion", "input_symbols": "recursion", "keep_prob_symbol": "recursion",
    "INPUT_LATEX": "recursion",
    "ACTIVATION_NAMES": "result", "activation_name": "result",
}

__getattr__, __dir__, __all__ = lazy_exports(__name__, _EXPORTS)
