"""The exact empirical NTK of a masked network (:func:`empirical_ntk`, a Khatri-Rao DGEMM
over input pairs) and its reference, the explicit parameter Jacobian
(:func:`parameter_jacobian`, :func:`empirical_ntk_bruteforce`).
"""

from theory._lazy import lazy_exports

_EXPORTS = {
    "empirical_ntk": "gram", "estimate_memory": "gram", "empirical_ntk_bruteforce": "gram",
    "DEFAULT_CHUNK_BYTES": "gram",
    "parameter_jacobian": "jacobian", "MAX_TANGENT_ENTRIES": "jacobian",
}

__getattr__, __dir__, __all__ = lazy_exports(__name__, _EXPORTS)
