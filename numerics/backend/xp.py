"""Array-namespace plumbing shared by the numerical core.

The finite-width code is written against the Python array API: it takes the
namespace ``xp`` of its input arrays (``array_api_compat.array_namespace``) and
uses only standard functions, so the same code runs on NumPy and on CuPy.  The
one non-standard function it needs, ``erf``, is dispatched here.
"""

from __future__ import annotations

import math
import os

import numpy as np
from array_api_compat import (
    array_namespace,
    device,
    is_cupy_namespace,
    is_numpy_namespace,
)

from theory._errors import InvalidArgument

__all__ = ["namespace", "device", "activation", "activation_derivative", "c_sigma_float",
           "default_memory_limit", "is_numpy_namespace"]

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


# NumPy >= 2.1 is itself an array-API namespace (astype, device= keywords); for plain
# ndarrays it is used directly, which spares each process the ~0.1 s import of the
# array_api_compat wrapper (it clones NumPy's whole namespace, submodules included).
_NUMPY_IS_ARRAY_API = tuple(int(v) for v in np.__version__.split(".")[:2]) >= (2, 1)


def namespace(*arrays):
    """The array-API namespace shared by ``arrays`` (an error names mixed libraries)."""
    if _NUMPY_IS_ARRAY_API and arrays and all(type(a) is np.ndarray for a in arrays):
        return np
    try:
        return array_namespace(*arrays)
    except TypeError as exc:
        kinds = sorted({type(a).__module__.split(".")[0] + "." + type(a).__name__
                        for a in arrays})
        raise InvalidArgument("arrays", ", ".join(kinds), f"no common array namespace ({exc})",
                              "pass arrays of one library (NumPy, CuPy, ...) on one device") \
            from None


_C_SIGMA = {"relu": 2.0, "erf": math.pi / (2.0 * math.asin(2.0 / 3.0))}


def c_sigma_float(name: str) -> float:
    """c_sigma = 1 / E[sigma(z)^2] as a float: 2 for ReLU, pi / (2 asin(2/3)) for erf.

    The float formulas of :func:`theory.closed_forms.c_sigma` (which is symbolic, and
    would load SymPy into every finite-network computation); a test holds the two equal.

    >>> c_sigma_float("relu")
    2.0
    """
    if name not in _C_SIGMA:
        raise InvalidArgument("activation", name, "no closed form for it", "choose relu or erf")
    return _C_SIGMA[name]


def _erf(xp, z):
    """erf elementwise: SciPy on NumPy, cupyx on CuPy (not part of the array API)."""
    if is_numpy_namespace(xp):
        from scipy.special import erf
        return xp.asarray(erf(z))
    if is_cupy_namespace(xp):  # pragma: no cover - needs a GPU
        from cupyx.scipy.special import erf
        return erf(z)
    raise InvalidArgument("activation", "erf", f"no erf is known for arrays of {xp.__name__}",
                          "use NumPy or CuPy arrays for erf networks (ReLU works everywhere)")


def activation(xp, name: str, z):
    """sigma(z) elementwise for ``name`` in ('relu', 'erf')."""
    if name == "relu":
        return xp.where(z > 0, z, xp.zeros_like(z))
    if name == "erf":
        return _erf(xp, z)
    raise InvalidArgument("activation", name, "unknown activation", "choose relu or erf")


def activation_derivative(xp, name: str, z):
    """sigma'(z) elementwise: 1[z > 0] for ReLU (0 at the kink), 2/sqrt(pi) exp(-z^2) for erf."""
    if name == "relu":
        return xp.astype(z > 0, z.dtype)
    if name == "erf":
        return xp.exp(-(z * z)) * _TWO_OVER_SQRT_PI
    raise InvalidArgument("activation", name, "unknown activation", "choose relu or erf")


def default_memory_limit(xp=None) -> int:
    """Half of the memory that holds the arrays: physical RAM, or the GPU's for CuPy.

    >>> default_memory_limit() > 0
    True
    """
    if xp is not None and is_cupy_namespace(xp):  # pragma: no cover - needs a GPU
        import cupy
        return int(cupy.cuda.Device().mem_info[1]) // 2
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2
    except (AttributeError, ValueError, OSError):  # pragma: no cover - non-POSIX
        return 4 << 30
