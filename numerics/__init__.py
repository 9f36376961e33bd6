"""Finite-width masked networks, their empirical NTKs and statistics (imports theory only).

>>> from theory import Architecture
>>> net = sample_network(Architecture.pruned(2, "0.5"), 16, seed=0, input_dim=3)
>>> empirical_ntk(net, [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]).shape
(2, 2)
"""

from .entk import DEFAULT_CHUNK_BYTES, empirical_ntk, estimate_memory
from .jacobian import empirical_ntk_bruteforce, parameter_jacobian
from .netfile import LoadedNetwork, load_network
from .network import Forward, MaskedNetwork, backward, forward
from .sampling import layer_generator, network_key, sample_network

__all__ = [
    "DEFAULT_CHUNK_BYTES", "Forward", "LoadedNetwork", "MaskedNetwork", "backward",
    "empirical_ntk", "empirical_ntk_bruteforce", "estimate_memory", "forward",
    "layer_generator", "load_network", "network_key", "parameter_jacobian", "sample_network",
]
