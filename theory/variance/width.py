"""C3 made exact: the width n*(eps, delta, q) a pruned network needs, predicted from V.

n*(eps, delta) is the smallest width with P(|Theta_n/Theta_lim - 1| > eps) <= delta.
With E Theta_n = Theta_lim + O(1/n) and Var Theta_n = V/n + O(1/n^2):

* Gaussian leading order:  n*_G = z^2 V / (eps Theta_lim)^2,  z = Phi^-1(1 - delta/2);
* Chebyshev (a sufficient width, rigorous where the mean and variance are exact - one
  hidden layer, any width):  n_C = V / (delta (eps Theta_lim)^2) >= n*.

Only V depends on the keep probabilities, so the elasticity of n* in 1/q is that of V:
rescaled pruning with the readout masked gives V = V_1 + (1/q - 1) R (identity V3),
d log n* / d log(1/q) = (R/q) / (V_1 - R + R/q), which tends to 1 as q -> 0 (n* is
asymptotically linear in 1/q, with the constant z^2 R/(eps Theta)^2), exceeds 1 when
V_1 < R and stays below 1 otherwise; :func:`predicted_slope` gives the least-squares
slope of log n* on log(1/q) over a set of q, the quantity the numeric C3 check fits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from scipy import stats as _st

from .._errors import InvalidArgument, check_keep_prob, check_unit_open
from ..config import Architecture
from .deep import variance_terms

__all__ = ["RequiredWidth", "required_width_prediction", "predicted_slope", "affine_in_inverse_q"]


@dataclass(frozen=True)
class RequiredWidth:
    """Predicted n* for one architecture: Gaussian leading order and Chebyshev bound."""

    keep_prob: Fraction
    n_var: float
    limit: float
    gaussian: float
    chebyshev: float
    rigorous: bool


def _check(eps, delta):
    if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not eps > 0:
        raise InvalidArgument("eps", eps, "must be a positive number", "pass e.g. eps=0.2")
    return float(eps), check_unit_open(delta, "delta", "0.1")


def _arch(depth, q, rescale, activation, masked_layers):
    return Architecture.pruned(depth, q, rescale=rescale, activation=activation,
                               masked_layers=masked_layers)


def required_width_prediction(depth: int, keep_prob, x, y, eps: float, delta: float, *,
                              rescale: bool = True, activation: str = "relu",
                              masked_layers=None) -> RequiredWidth:
    """Predicted n*(eps, delta) of relative error eps for the pair (x, y).

    >>> r = required_width_prediction(1, "1/4", [1, 0, 0], [0.6, 0.8, 0], 0.2, 0.1)
    >>> round(r.gaussian), round(r.chebyshev), r.rigorous
    (1382, 5109, True)
    """
    eps, delta = _check(eps, delta)
    q = check_keep_prob(keep_prob)
    arch = _arch(depth, q, rescale, activation, masked_layers)
    t = variance_terms(arch, np.asarray(x, float), np.asarray(y, float))
    V, lim = float(t.n_var[0]), float(t.limit[0])
    z = float(_st.norm.isf(delta / 2))
    scale = (eps * lim) ** 2
    return RequiredWidth(q, V, lim, z * z * V / scale, V / (delta * scale), arch.depth == 1)


def predicted_slope(depth: int, keep_probs, x, y, *, rescale: bool = True,
                    activation: str = "relu", masked_layers=None) -> float:
    """Least-squares slope of log n* (equivalently log V) on log(1/q) over ``keep_probs``.

    Independent of eps and delta at leading order (they scale n* by a constant).

    >>> round(predicted_slope(2, ["1", "1/2", "1/4", "1/8"], [1, 0, 0], [0.6, 0.8, 0]), 3)
    0.764
    """
    qs = [check_keep_prob(q, "keep_probs") for q in keep_probs]
    if len(set(qs)) < 2:
        raise InvalidArgument("keep_probs", list(keep_probs), "need two distinct values",
                              "pass e.g. ['1', '1/2', '1/4', '1/8']")
    logs = []
    for q in qs:
        t = variance_terms(_arch(depth, q, rescale, activation, masked_layers),
                           np.asarray(x, float), np.asarray(y, float))
        logs.append(math.log(float(t.n_var[0]) / float(t.limit[0]) ** 2))
    u = np.array([math.log(1 / float(q)) for q in qs])
    w = np.array(logs)
    return float(np.polyfit(u, w, 1)[0])


def affine_in_inverse_q(depth: int, x, y, *, activation: str = "relu", masked_layers=None):
    """(V_1, R) with V(q) = V_1 + (1/q - 1) R for rescaled pruning (identity V3); the
    local elasticity of n* in 1/q is (R/q)/(V_1 - R + R/q) and its q -> 0 limit is 1
    when R > 0 (the readout masked), 0 otherwise.

    >>> V1, R = affine_in_inverse_q(2, [1, 0, 0], [0.6, 0.8, 0])
    >>> round(V1, 4), round(R, 4)
    (22.3055, 12.362)
    """
    X, Y = np.asarray(x, float), np.asarray(y, float)
    v1 = variance_terms(_arch(depth, 1, True, activation, masked_layers), X, Y)
    vh = variance_terms(_arch(depth, Fraction(1, 2), True, activation, masked_layers), X, Y)
    V1 = float(v1.n_var[0])
    return V1, float(vh.n_var[0]) - V1
