"""What a constant graphon predicts for the spectrum of a random mask, and where random
masks become near-Ramanujan.

A Bernoulli(c) mask of shape m x n (the step function of a constant graphon W = c) is a
rank-one signal c 1 1^T, whose only singular value theta = c sqrt(mn) is of order n,
plus noise with i.i.d. entries of variance s^2 = c (1 - c).  Random-matrix theory gives,
as m, n -> infinity (with c m, c n -> infinity):

* the noise's largest singular value, i.e. mu_hat, at the bulk edge s (sqrt m + sqrt n),
  of order sqrt(n);
* the top one pushed out by the signal (the rectangular spiked-model formula):
  mu_0 = sqrt((theta^2 + s^2 m)(theta^2 + s^2 n)) / theta, i.e. c n + (1 - c) when m = n.

With mean degrees d_L = c m (input neurons) and d_R = c n (output neurons) the
Ramanujan gap is then Delta_r = sqrt(c m - 1) + sqrt(c n - 1) - s (sqrt m + sqrt n); for a
square mask Delta_r > 0 exactly when c^2 n > 1, i.e. above the density 1/sqrt(n).
:func:`ramanujan_threshold` solves the rectangular case; the measured thresholds are
in the README and checked in ``tests/test_topology.py``.

>>> round(ramanujan_threshold(1024, 1024), 6)
0.03125
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.optimize import brentq

from theory._errors import InvalidArgument, check_int

__all__ = ["GraphonPrediction", "constant_graphon_prediction", "ramanujan_threshold"]


@dataclass(frozen=True)
class GraphonPrediction:
    """Leading-order mu_0, mu_hat and Delta_r of a Bernoulli(``density``) n_out x n_in mask."""

    mu_0: float
    mu_hat: float
    delta_r: float
    delta_s: float


def constant_graphon_prediction(n_out: int, n_in: int, density: float) -> GraphonPrediction:
    """The leading-order prediction (see the module doc); m = n_out rows, n = n_in columns."""
    m, n = check_int(n_out, "n_out", 1), check_int(n_in, "n_in", 1)
    c = float(density)
    if not 0 < c < 1:
        raise InvalidArgument("density", density, "must lie strictly between 0 and 1",
                              "give 0 < density < 1 (density 1 is a complete graph)")
    theta, s2 = c * math.sqrt(m * n), c * (1 - c)
    mu_0 = math.sqrt((theta ** 2 + s2 * m) * (theta ** 2 + s2 * n)) / theta
    mu_hat = math.sqrt(s2) * (math.sqrt(m) + math.sqrt(n))
    d_left, d_right = c * m, c * n          # input neurons see m outputs, outputs see n inputs
    delta_r = math.sqrt(max(d_left - 1, 0)) + math.sqrt(max(d_right - 1, 0)) - mu_hat
    return GraphonPrediction(mu_0, mu_hat, delta_r, 2 * math.sqrt(mu_0 - 1) - mu_hat)


def ramanujan_threshold(n_out: int, n_in: int) -> float:
    """The density above which the predicted Delta_r is positive (1/sqrt(n) when square)."""
    m, n = check_int(n_out, "n_out", 2), check_int(n_in, "n_in", 2)

    def gap(c: float) -> float:
        return constant_graphon_prediction(m, n, c).delta_r

    low = 1.0 / min(m, n) + 1e-12                # below this a degree is under 1
    if gap(low) > 0:
        return low
    return brentq(gap, low, 1 - 1e-12, xtol=1e-15, rtol=1e-14)
