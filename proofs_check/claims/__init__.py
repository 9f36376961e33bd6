"""The claims registry: C1-C5, C3-dense and C3-exact of the project's mathematical contract,
the finite-width identities V-mean, V-masks and V-growth (:mod:`theory.variance`),
R (linear regions of sparse ReLU networks, THEORY section 6), and the graphon claims
G-masks, G-ntk, G-constant, G-spectra, G-boundary (Graphon NTK, THEORY section 5).

Each entry is a :class:`~proofs_check.claim.Claim` built by its module's factory
with the parameters ``pntk verify`` checks by default; the factories also build
user claims with other parameters (``pntk claim ...``).

>>> from proofs_check.claims import claim_ids
>>> claim_ids()  # doctest: +NORMALIZE_WHITESPACE
('C1', 'C2', 'C3-dense', 'C3', 'C3-exact', 'V-mean', 'V-masks', 'V-growth', 'C4', 'C5', 'R',
 'G-masks', 'G-ntk', 'G-constant', 'G-spectra', 'G-boundary')
"""

from theory._lazy import lazy_exports

_EXPORTS = {
    "registry": "builtin", "claim_ids": "builtin",
    "scaling_claim": "paper.c1_scaling",
    "rescaled_equals_dense_claim": "paper.c2_rescaled",
    "dense_bound_claim": "paper.c3_dense",
    "sparsity_claim": "paper.c3_sparsity",
    "exact_width_claim": "paper.c3_exact",
    "pseudo_network_claim": "paper.c4_pseudo",
    "first_layer_claim": "paper.c5_first_layer",
    "regions_claim": "structure.regions",
    "mean_exact_claim": "variance.mean",
    "masks_claim": "variance.masks",
    "growth_claim": "variance.growth",
    "mask_limits_claim": "graphon.mask_limits",
    "ntk_convergence_claim": "graphon.ntk_convergence",
    "constant_graphon_claim": "graphon.constant",
    "spectra_claim": "graphon.spectra",
    "boundary_claim": "graphon.boundary",
}

__getattr__, __dir__, __all__ = lazy_exports(__name__, _EXPORTS)
