"""Statistical decision rules with stated error rates, shared by every numeric check.

Each rule returns a :class:`~proofs_check.verdict.CheckOutcome` whose
``error_rate`` bounds the probability of refuting a claim that is true:

* :func:`exceedance_decision` - "P(|Theta_n - limit| > error) <= delta" from k
  exceedances in T trials, by the exact one-sided binomial test at level
  ``alpha``: refuted when P(Bin(T, delta) >= k) <= alpha, verified when
  P(Bin(T, delta) <= k) <= alpha (the one-sided Clopper-Pearson upper bound lies
  below delta), inconclusive otherwise.  Its false-alarm rate is at most alpha
  (exactly: the test is conservative for any true rate <= delta).
* :func:`mean_decision` - "the mean equals ``target``" from a sample mean and its
  standard error, by a two-sided z rule at level ``alpha``: refuted when
  |z| > z_{1-alpha/2}; verified when, in addition, the confidence interval lies
  inside ``target +- tolerance``.
* :func:`interval_decision` - a fitted quantity (a slope) with its confidence
  interval at level 1 - alpha against a target value and a tolerance.
* :func:`bonferroni` - the per-test level for m tests at family-wise rate alpha.

>>> exceedance_decision(0, 200, delta=0.1, alpha=0.01).verdict
<Verdict.VERIFIED: 'verified'>
>>> exceedance_decision(40, 200, delta=0.1, alpha=0.01).verdict
<Verdict.REFUTED: 'refuted'>
>>> exceedance_decision(22, 200, delta=0.1, alpha=0.01).verdict
<Verdict.INCONCLUSIVE: 'inconclusive'>
"""

from __future__ import annotations

import math

from scipy import stats as _st

from theory._errors import InvalidArgument, check_int, check_unit_open

from .verdict import CheckOutcome, Verdict

__all__ = ["exceedance_decision", "mean_decision", "interval_decision", "bonferroni",
           "DEFAULT_ALPHA"]

DEFAULT_ALPHA = 0.01   # family-wise false-alarm rate of each claim's statistical check


def bonferroni(alpha: float, m: int) -> float:
    """Per-test level so that m tests together refute a true claim with probability <= alpha.

    >>> bonferroni(0.01, 4)
    0.0025
    """
    alpha = check_unit_open(alpha, "alpha")
    m = check_int(m, "m", 1)
    return alpha / m


def exceedance_decision(exceed: int, trials: int, delta: float, alpha: float = DEFAULT_ALPHA,
                        *, what: str = "P(exceed)") -> CheckOutcome:
    """Exact binomial test of "the exceedance probability is at most ``delta``"."""
    trials = check_int(trials, "trials", 1)
    exceed = check_int(exceed, "exceed", 0)
    if exceed > trials:
        raise InvalidArgument("exceed", exceed, f"more exceedances than trials ({trials})",
                              "count exceedances among the trials")
    delta = check_unit_open(delta, "delta")
    alpha = check_unit_open(alpha, "alpha")
    p_refute = float(_st.binom.sf(exceed - 1, trials, delta))     # P(Bin >= k)
    p_verify = float(_st.binom.cdf(exceed, trials, delta))        # P(Bin <= k)
    lower = 0.0 if exceed == 0 else float(_st.beta.ppf(alpha, exceed, trials - exceed + 1))
    upper = 1.0 if exceed == trials else float(_st.beta.ppf(1 - alpha, exceed + 1,
                                                           trials - exceed))
    data = {"exceed": exceed, "trials": trials, "p_hat": exceed / trials, "delta": delta,
            "alpha": alpha, "lower": lower, "upper": upper,
            "p_value_refute": p_refute, "p_value_verify": p_verify}
    shown = f"{what} = {exceed}/{trials}, one-sided {1 - alpha:.4g} bounds [{lower:.3g}, {upper:.3g}]"
    if p_refute <= alpha:
        return CheckOutcome(Verdict.REFUTED, "statistical",
                            f"{shown} > delta = {delta:g} (p = {p_refute:.2g})", data, alpha)
    if p_verify <= alpha:
        return CheckOutcome(Verdict.VERIFIED, "statistical",
                            f"{shown} < delta = {delta:g}", data, alpha)
    return CheckOutcome(Verdict.INCONCLUSIVE, "statistical",
                        f"{shown} contains delta = {delta:g}", data, alpha)


def _z(alpha: float) -> float:
    return float(_st.norm.isf(alpha / 2))


def mean_decision(mean: float, stderr: float, target: float, tolerance: float,
                  alpha: float = DEFAULT_ALPHA, *, what: str = "mean") -> CheckOutcome:
    """Two-sided z rule: is a Monte Carlo mean equal to ``target``?

    Refuted when |mean - target| > z se (false-alarm rate alpha for an unbiased,
    approximately normal mean); verified when the interval mean +- z se also lies
    within target +- tolerance (the data pin the mean down to that accuracy).  With
    ``stderr == 0`` (no sampling error) the mean is compared with target +- tolerance.
    """
    alpha = check_unit_open(alpha, "alpha")
    if not (math.isfinite(stderr) and stderr >= 0):
        raise InvalidArgument("stderr", stderr, "must be finite and >= 0", "pass a standard error")
    z = _z(alpha)
    if stderr == 0:        # no sampling error: the mean is exact up to rounding
        score = 0.0 if abs(mean - target) <= tolerance else math.copysign(math.inf,
                                                                          mean - target)
    else:
        score = (mean - target) / stderr
    lo, hi = mean - z * stderr, mean + z * stderr
    data = {"mean": mean, "stderr": stderr, "target": target, "z": score, "z_critical": z,
            "ci": (lo, hi), "tolerance": tolerance, "alpha": alpha}
    shown = (f"{what} $= {mean:.6g} \\pm {stderr:.2g}$ vs ${target:.6g}$ "
             f"($z = {score:+.2f}$)")
    if abs(score) > z:
        return CheckOutcome(Verdict.REFUTED, "statistical", f"{shown}, $|z| > {z:.2f}$", data,
                            alpha)
    if target - tolerance <= lo and hi <= target + tolerance:
        return CheckOutcome(Verdict.VERIFIED, "statistical",
                            f"{shown}, CI within $\\pm {tolerance:.2g}$", data, alpha)
    return CheckOutcome(Verdict.INCONCLUSIVE, "statistical",
                        f"{shown}, CI wider than $\\pm {tolerance:.2g}$", data, alpha)


def interval_decision(estimate: float, ci: tuple[float, float], target: float, tolerance: float,
                      alpha: float, *, what: str = "slope") -> CheckOutcome:
    """A fitted value with a (1 - alpha) interval against ``target``.

    Refuted when the interval excludes target +- tolerance entirely (false-alarm
    rate <= alpha when the interval has its coverage); verified when the interval
    lies inside target +- tolerance; inconclusive otherwise.
    """
    lo, hi = float(ci[0]), float(ci[1])
    data = {"estimate": estimate, "ci": (lo, hi), "target": target, "tolerance": tolerance,
            "alpha": alpha}
    shown = (f"{what} $= {estimate:.3f}$ $[{lo:.3f}, {hi:.3f}]$ vs "
             f"${target:g} \\pm {tolerance:g}$")
    if hi < target - tolerance or lo > target + tolerance:
        return CheckOutcome(Verdict.REFUTED, "statistical", f"{shown}: excluded", data, alpha)
    if target - tolerance <= lo and hi <= target + tolerance:
        return CheckOutcome(Verdict.VERIFIED, "statistical", f"{shown}: inside", data, alpha)
    return CheckOutcome(Verdict.INCONCLUSIVE, "statistical", f"{shown}: overlaps", data, alpha)
