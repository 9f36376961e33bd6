"""Finite-width masked networks: the :class:`MaskedNetwork` container with its forward and
backward passes, counter-based sampling (:func:`sample_network`), and a user's NET.npz file
(:func:`load_network`).
"""

from theory._lazy import lazy_exports

_EXPORTS = {
    "LoadedNetwork": "netfile", "load_network": "netfile",
    "MaskedNetwork": "network", "Forward": "network", "forward": "network",
    "backward": "network", "as_batch": "network",
    "sample_network": "sampling", "network_key": "sampling", "layer_generator": "sampling",
    "DTYPES": "sampling",
}

__getattr__, __dir__, __all__ = lazy_exports(__name__, _EXPORTS)
