"""Symbolic derivations and exact limit kernels of randomly pruned networks.

The bottom layer of the toolkit: it imports nothing from ``numerics`` or
``proofs_check``.
"""

from ._errors import InvalidArgument
from .closed_forms import V_mp, V_sym, Vdot_mp, Vdot_sym, c_sigma, positively_homogeneous
from .config import ACTIVATIONS, Architecture
from .first_layer import EXACT_MAX_DIM
from .geometry import PairGeometry
from .kernels import (EXACT_BUDGET, FIRST_LAYER_METHODS, FirstLayerGap, LimitKernel,
                      first_layer_gap, limit_kernel, theory_scale_factor)
from .kernels_mp import MpKernel, gram_mp, limit_kernel_mp

__all__ = [
    "ACTIVATIONS", "Architecture", "EXACT_BUDGET", "EXACT_MAX_DIM", "FIRST_LAYER_METHODS",
    "FirstLayerGap", "InvalidArgument", "LimitKernel", "MpKernel", "PairGeometry", "V_mp", "V_sym", "Vdot_mp",
    "Vdot_sym", "c_sigma", "first_layer_gap", "gram_mp", "limit_kernel", "limit_kernel_mp",
    "positively_homogeneous", "theory_scale_factor",
]
