"""Second-moment profiles of weights kept by *selection* rather than by independent masks.

The paper's Graphon NTK assumes kept weights are N(0, 1) whatever the mask (the mask
replaced by its density).  Magnitude pruning keeps a weight when it is large: in a
block kept with probability g, ``M = 1{|W| > t}`` with ``P(|W| > t) = g``, i.e.
``t = Phi^-1(1 - g/2)``, and the kept weights' second moment is

    V(g) = E[W^2 1{|W| > t}] = 2 (t phi(t) + (1 - Phi(t))) = g + 2 t phi(t)  >  g,

(integration by parts of w^2 phi(w) over |w| > t).  In the Graphon NTK the forward
covariances and the backward signal then scale with V, while the count of trainable
weights still scales with g: :class:`~theory.graphon.spec.GraphonNetwork` takes V as
its ``variances`` and :func:`numerics.graphons.sampling.sample_graphon_network` draws
such networks with ``selection="magnitude"``.

>>> import numpy as np
>>> v = magnitude_second_moment(np.array([[1.0, 0.5, 0.0]]))
>>> [round(float(x), 6) for x in v[0]]
[1.0, 0.928674, 0.0]
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np

from .spec import validate_graphon

__all__ = ["magnitude_threshold", "magnitude_second_moment"]

_NORMAL = NormalDist()


def magnitude_threshold(G) -> np.ndarray:
    """t with P(|W| > t) = g for W ~ N(0, 1), entrywise (t = inf for g = 0, 0 for g = 1)."""
    G = validate_graphon(G, "G")
    out = np.empty_like(G)
    for idx, g in np.ndenumerate(G):
        out[idx] = math.inf if g == 0 else 0.0 if g == 1 else _NORMAL.inv_cdf(1 - g / 2)
    return out


def magnitude_second_moment(G) -> np.ndarray:
    """V(g) = E[W^2 1{|W| > t(g)}] = g + 2 t phi(t) for W ~ N(0, 1), entrywise."""
    G = validate_graphon(G, "G")
    t = magnitude_threshold(G)
    finite = np.isfinite(t)
    tt = np.where(finite, t, 0.0)
    phi = np.exp(-0.5 * tt * tt) / math.sqrt(2 * math.pi)
    return np.where(finite, G + 2 * tt * phi, 0.0)
