"""Summary statistics: Clopper-Pearson against an independent construction, t-interval coverage."""

import math

import numpy as np
import pytest
from scipy import optimize, stats

from numerics import clopper_pearson, deviation, summarize
from theory import InvalidArgument


def _cp_by_bisection(k, n, level):
    """Clopper-Pearson from its definition: the binomial tail probabilities equal alpha/2."""
    a = (1 - level) / 2
    lo = 0.0 if k == 0 else optimize.brentq(lambda p: stats.binom.sf(k - 1, n, p) - a,
                                            1e-15, 1 - 1e-15, xtol=1e-15, rtol=1e-14)
    hi = 1.0 if k == n else optimize.brentq(lambda p: stats.binom.cdf(k, n, p) - a,
                                            1e-15, 1 - 1e-15, xtol=1e-15, rtol=1e-14)
    return lo, hi


@pytest.mark.parametrize("k,n,level", [(0, 10, 0.95), (1, 10, 0.95), (5, 10, 0.9),
                                       (10, 10, 0.95), (3, 200, 0.99), (117, 250, 0.95)])
def test_clopper_pearson_matches_the_binomial_tail_definition(k, n, level):
    lo, hi = clopper_pearson(k, n, level)
    ref_lo, ref_hi = _cp_by_bisection(k, n, level)
    assert lo == pytest.approx(ref_lo, rel=1e-9, abs=1e-14)
    assert hi == pytest.approx(ref_hi, rel=1e-9, abs=1e-14)


def test_clopper_pearson_closed_forms_at_the_edges():
    # k = 0: hi = 1 - (alpha/2)^(1/n); k = n: lo = (alpha/2)^(1/n)
    assert clopper_pearson(0, 10) == (0.0, pytest.approx(1 - 0.025 ** 0.1, rel=1e-12))
    assert clopper_pearson(20, 20, 0.9) == (pytest.approx(0.05 ** (1 / 20), rel=1e-12), 1.0)


def test_t_interval_covers_the_mean_at_its_nominal_rate():
    # 4000 samples of size 5 from N(1, 2^2): the coverage count is Binomial(4000, 0.95),
    # sd 0.0034; |coverage - 0.95| <= 4.5 sd fails by chance with probability ~7e-6.
    # A normal-quantile interval covers only ~0.88 at n = 5, so it would fail.
    rng = np.random.default_rng(2024)
    samples = rng.normal(1.0, 2.0, size=(4000, 5))
    hits = 0
    for row in samples:
        lo, hi = summarize(row).ci
        hits += lo <= 1.0 <= hi
    sd = math.sqrt(0.95 * 0.05 / 4000)
    assert abs(hits / 4000 - 0.95) <= 4.5 * sd


def test_summary_and_deviation_against_direct_formulas():
    v = np.random.default_rng(3).normal(size=50)
    s = summarize(v, quantiles=(0.1, 0.5))
    assert s.n == 50 and s.mean == pytest.approx(v.mean(), rel=1e-15)
    assert s.std == pytest.approx(np.std(v, ddof=1), rel=1e-14)
    assert s.stderr == pytest.approx(np.std(v, ddof=1) / math.sqrt(50), rel=1e-14)
    half = stats.t.ppf(0.975, 49) * s.stderr
    assert s.ci == (pytest.approx(s.mean - half, rel=1e-13), pytest.approx(s.mean + half, rel=1e-13))
    assert s.quantiles == {0.1: np.quantile(v, 0.1), 0.5: np.median(v)}
    d = deviation(v, 0.2, eps=1.0)
    dev = np.abs(v - 0.2)
    assert d.mean_abs_deviation == pytest.approx(dev.mean(), rel=1e-14)
    assert d.mean_abs_deviation_stderr == pytest.approx(dev.std(ddof=1) / math.sqrt(50), rel=1e-13)
    assert d.exceed_count == int((dev > 1.0).sum()) and d.p_exceed == d.exceed_count / 50
    assert d.p_exceed_ci == clopper_pearson(d.exceed_count, 50)
    assert deviation(v, 0.2).p_exceed is None


@pytest.mark.parametrize("call,argument", [
    (lambda: summarize([1.0]), "values"),
    (lambda: summarize([1.0, float("nan")]), "values"),
    (lambda: summarize([1.0, 2.0], level=1.5), "level"),
    (lambda: deviation([1.0, 2.0], 0.0, eps=0.0), "eps"),
    (lambda: clopper_pearson(11, 10), "successes"),
])
def test_bad_input_names_the_argument(call, argument):
    with pytest.raises(InvalidArgument) as err:
        call()
    assert err.value.argument == argument
