"""The registry: the built-in claims with the parameters ``pntk verify`` checks by default.

>>> claim_ids()  # doctest: +NORMALIZE_WHITESPACE
('C1', 'C2', 'C3-dense', 'C3', 'C3-exact', 'V-mean', 'V-masks', 'V-growth', 'C4', 'C5', 'R',
 'G-masks', 'G-ntk', 'G-constant', 'G-spectra', 'G-boundary')
"""

from __future__ import annotations

from .paper.c1_scaling import scaling_claim
from .paper.c2_rescaled import rescaled_equals_dense_claim
from .paper.c3_dense import dense_bound_claim
from .paper.c3_exact import exact_width_claim
from .paper.c3_sparsity import sparsity_claim
from .paper.c4_pseudo import pseudo_network_claim
from .paper.c5_first_layer import first_layer_claim
from .graphon.boundary import boundary_claim
from .graphon.constant import constant_graphon_claim
from .graphon.mask_limits import mask_limits_claim
from .graphon.ntk_convergence import ntk_convergence_claim
from .graphon.spectra import spectra_claim
from .structure.regions import regions_claim
from .variance.growth import growth_claim
from .variance.masks import masks_claim
from .variance.mean import mean_exact_claim

__all__ = ["registry", "claim_ids"]


def registry() -> tuple:
    """The built-in claims, in report order (fresh objects each call)."""
    return (
        scaling_claim(3, "3/10", 3),      # q^3 = 27/1000 is not a binary fraction
        rescaled_equals_dense_claim(3, "1/2"),
        dense_bound_claim(),
        sparsity_claim(),
        exact_width_claim(),
        mean_exact_claim(),
        masks_claim(),
        growth_claim(),
        pseudo_network_claim(),
        first_layer_claim(),
        regions_claim(),
        mask_limits_claim(),
        ntk_convergence_claim(),
        constant_graphon_claim(),
        spectra_claim(),
        boundary_claim(),
    )


def claim_ids() -> tuple[str, ...]:
    return tuple(c.id for c in registry())
