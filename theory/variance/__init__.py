"""Finite-width fluctuations of the empirical NTK of masked networks (issue: exact C3).

* ``variance_terms`` / ``variance_pairs``: leading-order n Var Theta_n -> V(x, y) at any
  depth (float64 Gram-vectorised or mpmath), per-layer shares, equal or unequal widths.
* ``one_layer_moments`` / ``one_layer_sym``: depth 1, exact at every width.
* ``symbolic_variance``: the ReLU recursion in SymPy with one angle symbol per layer.
* ``relu_moments`` and ``prove_relu_moments``: Gaussian four-point expectations of ReLU;
  ``erf_expectations`` (Gauss-Hermite) and ``erf_expectation_mp`` (mpmath) for erf.
* Identities as :class:`~theory.symbolic.result.ProofResult`: ``prove_one_layer_exact``,
  ``prove_relu_diagonal_mean``, ``prove_keep_prob_structure``, ``check_dense_growth``.
* ``variance_latex``: the derivation and V of one configuration as a LaTeX document.
"""

from theory._lazy import lazy_exports

_EXPORTS = {
    "VarianceTerms": "deep", "variance_terms": "deep", "variance_pairs": "deep",
    "variance_gram": "deep",
    "dual_jacobian": "duals", "neuron_stats": "duals",
    "erf_expectations": "erf_moments", "erf_expectation_mp": "erf_moments",
    "first_layer_components": "first_layer", "check_width_ratios": "first_layer",
    "mean_correction": "mean",
    "prove_one_layer_exact": "identities", "prove_relu_diagonal_mean": "identities",
    "prove_keep_prob_structure": "identities", "check_dense_growth": "identities",
    "OneLayerMoments": "one_layer", "one_layer_moments": "one_layer", "one_layer_sym": "one_layer",
    "NUMPY": "ops", "MPMATH": "ops", "Ops": "ops",
    "relu_moments": "relu_gauss", "prove_relu_moments": "relu_gauss",
    "relu_moment_sym": "relu_gauss", "relu_moment_closed": "relu_gauss",
    "SymbolicVariance": "symbolic", "symbolic_variance": "symbolic",
    "variance_latex": "latex", "DERIVATION_TEX": "latex",
}

__getattr__, __dir__, __all__ = lazy_exports(__name__, _EXPORTS)
