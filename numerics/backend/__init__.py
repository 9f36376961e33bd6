"""Where arrays live: the array-API namespace plumbing (NumPy, CuPy, array-api-strict) and the
backends a sweep can compute on (``numpy``, ``cupy``).
"""

from theory._lazy import lazy_exports

_EXPORTS = {
    "BACKENDS": "devices", "DEVICES": "devices", "backend_namespace": "devices",
    "backend_problem": "devices", "check_backend": "devices", "device_backend": "devices",
    "run_description": "devices", "run_key": "devices",
    "namespace": "xp", "device": "xp", "activation": "xp", "activation_derivative": "xp",
    "c_sigma_float": "xp", "default_memory_limit": "xp", "is_numpy_namespace": "xp",
}

__getattr__, __dir__, __all__ = lazy_exports(__name__, _EXPORTS)
