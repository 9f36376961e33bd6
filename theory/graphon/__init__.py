"""The Graphon NTK: infinite-width kernels of networks whose masks are sampled from step
graphons (Pham et al., NeurIPS 2025), derived in this toolkit's conventions.

* :class:`GraphonNetwork` - per-layer step graphons G_1..G_{L+1}, rescaling, activation;
  :func:`load_graphon_file` reads and validates a ``G.npz``
  (:func:`save_graphon_file` writes one).
* :func:`graphon_ntk` (float64 Gram matrices), :func:`graphon_ntk_mp` (mpmath, any
  precision), :func:`graphon_ntk_sym` (exact SymPy for symbolic step graphons).
* Proofs: :func:`prove_graphon_dense` (G = 1 gives the dense NTK),
  :func:`prove_graphon_constant` (constant graphons give claim C1's product).
* :func:`graphon_latex` - the derivation as a LaTeX document or fragment.
* :func:`magnitude_second_moment` - the second-moment profile of magnitude-selected
  weights, for the Graphon NTK with ``variances`` (selection instead of independent masks).
* :func:`graphon_first_layer_gap` - the graphon first layer against the exact mask
  average at fixed d0 (the hypothesis boundary of claim C5).
"""

from theory._lazy import lazy_exports

_EXPORTS = {
    "GraphonNetwork": "spec", "validate_graphon": "spec",
    "GraphonKernel": "float64", "graphon_ntk": "float64", "graphon_memory": "float64",
    "effective_layers": "float64", "GRAPHON_FIRST_LAYER": "float64",
    "DEFAULT_WORK_BYTES": "float64",
    "graphon_ntk_mp": "mp",
    "SymbolicGraphonKernel": "symbolic", "graphon_ntk_sym": "symbolic",
    "as_symbolic_layers": "symbolic",
    "prove_graphon_dense": "proofs", "prove_graphon_constant": "proofs",
    "graphon_latex": "latex",
    "load_graphon_file": "npzfile", "save_graphon_file": "npzfile",
    "FirstLayerGraphonGap": "boundary", "graphon_first_layer_gap": "boundary",
    "magnitude_threshold": "selection", "magnitude_second_moment": "selection",
}

__getattr__, __dir__, __all__ = lazy_exports(__name__, _EXPORTS)
