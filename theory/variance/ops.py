"""Elementwise arithmetic back ends: float64 NumPy arrays or mpmath numbers.

The variance recursion is written once against a tiny namespace (``sqrt``, ``atan2``,
``asin``, ``exp``, ``erf``, ``pi``, ``where``), so the same code evaluates a whole
Gram matrix in float64 and one pair at any precision.

>>> float(NUMPY.atan2(NUMPY.sqrt(3.0), 1.0) * 3 / NUMPY.pi)
1.0
>>> MPMATH.where(True, 1, 2)
1
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import mpmath
import numpy as np
from scipy import special

__all__ = ["Ops", "NUMPY", "MPMATH"]


@dataclass(frozen=True)
class Ops:
    """An arithmetic back end; ``vector`` is True for NumPy arrays."""

    name: str
    sqrt: Callable
    atan2: Callable
    asin: Callable
    exp: Callable
    erf: Callable
    where: Callable
    pi: object
    vector: bool

    def number(self, value):
        """``value`` as a number of this back end."""
        return np.float64(value) if self.vector else mpmath.mpf(value)


def _mp_where(cond, x, y):
    return x if cond else y


NUMPY = Ops("float64", np.sqrt, np.arctan2, np.arcsin, np.exp, special.erf, np.where, np.pi,
            True)
MPMATH = Ops("mpmath", mpmath.sqrt, mpmath.atan2, mpmath.asin, mpmath.exp, mpmath.erf,
             _mp_where, mpmath.pi, False)
