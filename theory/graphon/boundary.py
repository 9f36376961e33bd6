"""Where the graphon treatment of the first layer stops being exact (claim C5 at fixed d0).

The Graphon NTK gives a first-layer neuron of block a the covariance
``K_a = r_1^2 sum_j G_1[a, j] x_j x'_j``, the mask *average*, and then applies the dual
maps: ``V(E_m[K_m])``.  At fixed input dimension d0 the per-neuron covariance
``K_m = r_1^2 sum_j m_j x_j x'_j`` (m_j ~ Bernoulli(G_1[a, j])) stays random at infinite
width, and the exact limit is ``E_m[V(K_m)]`` (and ``E_m[K_m Vdot(K_m)]`` for the
first layer's own weights).  The two agree only when V is linear in the covariance
(never for ReLU or erf) or when K_m concentrates (d0 -> infinity, delocalised inputs).
:func:`graphon_first_layer_gap` measures the difference on given inputs.

>>> import numpy as np
>>> from .spec import GraphonNetwork
>>> net = GraphonNetwork.constant(1, [0.5, 1], input_dim=2)
>>> gap = graphon_first_layer_gap(net, np.array([[1.0, 0.0], [0.6, 0.8]]))
>>> round(gap.max_scaled_gap, 4)
0.0249
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._errors import InvalidArgument
from .float64 import GraphonKernel, graphon_ntk
from .spec import GraphonNetwork

__all__ = ["FirstLayerGraphonGap", "graphon_first_layer_gap"]


@dataclass(frozen=True)
class FirstLayerGraphonGap:
    """Graphon (mean-field) NTK against the exact mask-averaged first layer.

    ``scaled_gap`` is (exact - graphon) / sqrt(exact(x,x) exact(y,y)) entrywise (the
    kernel's own scale, defined even where an entry is near 0), ``max_scaled_gap``
    its largest absolute value, ``diagonal_ratio`` graphon / exact on the diagonal.
    """

    graphon: GraphonKernel
    exact: GraphonKernel
    scaled_gap: np.ndarray
    max_scaled_gap: float
    diagonal_ratio: np.ndarray


def graphon_first_layer_gap(net: GraphonNetwork, X) -> FirstLayerGraphonGap:
    """Compare the Graphon NTK with the exact first-layer mask average (d0 <= 16 coordinates)."""
    if not isinstance(net, GraphonNetwork):
        raise InvalidArgument("net", type(net).__name__, "not a GraphonNetwork",
                              "build one with GraphonNetwork.from_layers(...)")
    if net.layers[0] is None or np.all(net.layers[0] == 1):
        raise InvalidArgument("net", net.describe(), "the first layer is dense, so there is "
                              "no first-layer mask to average", "give a graphon G1 with values < 1")
    graphon = graphon_ntk(net, X)
    exact = graphon_ntk(net, X, first_layer="exact")
    diag = np.diag(exact.ntk)
    scale = np.sqrt(np.outer(diag, diag))
    gap = (exact.ntk - graphon.ntk) / scale
    return FirstLayerGraphonGap(graphon, exact, gap, float(np.max(np.abs(gap))),
                                np.diag(graphon.ntk) / diag)
