"""Summary statistics of Monte Carlo samples of a kernel entry, and their deviation from a limit.

:func:`summarize` gives the mean, the sample standard deviation, the standard
error, a Student-t confidence interval for the mean and sample quantiles.
:func:`deviation` compares the samples with a limit value: the mean absolute
deviation E|Theta_n - limit| (with its standard error) and, for a threshold
``eps``, the probability P(|Theta_n - limit| > eps) with an exact
Clopper-Pearson interval (:func:`clopper_pearson`).

>>> s = summarize([1.0, 2.0, 3.0, 4.0])
>>> s.mean, round(s.std, 6), s.quantiles[0.5]
(2.5, 1.290994, 2.5)
>>> d = deviation([1.0, 2.0, 3.0, 4.0], limit=2.0, eps=1.5)
>>> d.mean_abs_deviation, d.exceed_count, d.p_exceed
(1.0, 1, 0.25)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real

import numpy as np
from scipy import stats as _st

from theory._errors import InvalidArgument, check_int, check_unit_open

__all__ = ["Summary", "Deviation", "summarize", "deviation", "clopper_pearson",
           "DEFAULT_QUANTILES"]

DEFAULT_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def _samples(values, argument: str = "values") -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidArgument(argument, values, "not an array of numbers",
                              "pass a 1-D sequence of real numbers") from None
    if arr.ndim != 1 or arr.size < 2:
        raise InvalidArgument(argument, f"array of shape {arr.shape}",
                              "need a 1-D sample of at least 2 values",
                              "run at least 2 trials")
    if not np.all(np.isfinite(arr)):
        raise InvalidArgument(argument, f"{np.count_nonzero(~np.isfinite(arr))} non-finite values",
                              "NaN or infinite samples", "check the trials that produced them")
    return arr


@dataclass(frozen=True)
class Summary:
    """Mean, sample std (ddof=1), stderr = std/sqrt(n), a t interval for the mean, quantiles."""

    n: int
    mean: float
    std: float
    stderr: float
    ci: tuple[float, float]
    level: float
    quantiles: dict


@dataclass(frozen=True)
class Deviation:
    """Deviations |Theta_n - limit| of the samples from a limit value.

    ``mean_abs_deviation`` is their mean and ``mean_abs_deviation_stderr`` its
    standard error.  With a threshold ``eps``: ``exceed_count`` samples of ``n``
    deviate by more than ``eps``, ``p_exceed`` = exceed_count / n, and
    ``p_exceed_ci`` is its exact Clopper-Pearson interval at ``level``
    (all three None without ``eps``).
    """

    limit: float
    n: int
    mean_abs_deviation: float
    mean_abs_deviation_stderr: float
    eps: float | None = None
    exceed_count: int | None = None
    p_exceed: float | None = None
    p_exceed_ci: tuple[float, float] | None = None
    level: float = 0.95


def clopper_pearson(successes: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Exact (Clopper-Pearson) two-sided interval for a binomial proportion.

    The bounds are the alpha/2 quantile of Beta(k, n-k+1) and the 1-alpha/2
    quantile of Beta(k+1, n-k) (alpha = 1 - level), with 0 for k = 0 and 1 for k = n.

    >>> lo, hi = clopper_pearson(0, 10)
    >>> lo, round(hi, 6)            # 1 - 0.025**(1/10)
    (0.0, 0.308497)
    """
    successes, n = check_int(successes, "successes"), check_int(n, "n")
    if n < 1 or not 0 <= successes <= n:
        raise InvalidArgument("successes", successes, f"must lie in 0..n with n={n} >= 1",
                              "pass 0 <= successes <= n")
    alpha = 1.0 - check_unit_open(level, "level")
    k, n = int(successes), int(n)
    lo = 0.0 if k == 0 else float(_st.beta.ppf(alpha / 2, k, n - k + 1))
    hi = 1.0 if k == n else float(_st.beta.ppf(1 - alpha / 2, k + 1, n - k))
    return lo, hi


def summarize(values, *, quantiles=DEFAULT_QUANTILES, level: float = 0.95) -> Summary:
    """Summary statistics of a 1-D sample (at least 2 finite values).

    The interval is mean -/+ t_{n-1, (1+level)/2} stderr; quantiles use NumPy's
    default (linear) interpolation and are keyed by the probabilities.

    >>> s = summarize([2.0, 4.0, 6.0], quantiles=(0.5,))
    >>> s.n, s.mean, s.std, s.quantiles
    (3, 4.0, 2.0, {0.5: 4.0})
    >>> round(s.ci[0], 4), round(s.ci[1], 4)
    (-0.9683, 8.9683)
    """
    arr = _samples(values)
    level = check_unit_open(level, "level")
    probs = tuple(float(p) for p in quantiles)
    if any(not 0 <= p <= 1 for p in probs):
        raise InvalidArgument("quantiles", quantiles, "probabilities must lie in [0, 1]",
                              "pass e.g. (0.05, 0.5, 0.95)")
    n = arr.size
    mean = float(arr.mean())
    std = float(arr.std(ddof=1))
    stderr = std / math.sqrt(n)
    half = float(_st.t.ppf(0.5 + level / 2, n - 1)) * stderr
    qs = np.quantile(arr, probs) if probs else []
    return Summary(n, mean, std, stderr, (mean - half, mean + half), level,
                   {p: float(v) for p, v in zip(probs, qs)})


def deviation(values, limit: float, *, eps: float | None = None,
              level: float = 0.95) -> Deviation:
    """How far the samples lie from ``limit``: mean |x - limit| and P(|x - limit| > eps).

    >>> d = deviation([0.0, 1.0, 3.0], limit=1.0, eps=0.5)
    >>> d.mean_abs_deviation, d.exceed_count, d.n
    (1.0, 2, 3)
    """
    arr = _samples(values)
    limit_f = float(limit)
    if not math.isfinite(limit_f):
        raise InvalidArgument("limit", limit, "not finite", "pass the finite limit value")
    level = check_unit_open(level, "level")
    dev = np.abs(arr - limit_f)
    mad = float(dev.mean())
    mad_se = float(dev.std(ddof=1)) / math.sqrt(arr.size)
    if eps is None:
        return Deviation(limit_f, arr.size, mad, mad_se, level=level)
    if isinstance(eps, bool) or not isinstance(eps, Real) or not (math.isfinite(eps) and eps > 0):
        raise InvalidArgument("eps", eps, "the threshold must be a positive finite number",
                              "pass eps > 0")
    k = int(np.count_nonzero(dev > float(eps)))
    return Deviation(limit_f, arr.size, mad, mad_se, float(eps), k, k / arr.size,
                     clopper_pearson(k, arr.size, level), level)
