"""The verdict machinery itself: decision rules, their error rates, combination, hypotheses.

Calibration tests replay a decision rule many times on synthetic data for which the
claim is exactly true (the worst case for false alarms) and compare the number of
refutations K among R replications with the stated rate alpha by an exact binomial
test: the test fails only if P(Bin(R, alpha) >= K) < 1e-6, so a correctly
calibrated rule fails it with probability below 1e-6 (and the seeds are fixed).
"""

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from proofs_check.claim import Claim, Context, Hypothesis
from proofs_check.decisions import (
    bonferroni,
    exceedance_decision,
    interval_decision,
    mean_decision,
)
from proofs_check.verdict import CheckOutcome, ClaimResult, Verdict, combine, jsonable
from theory import InvalidArgument

REPLICATIONS = 4000
V, R, I, N = Verdict.VERIFIED, Verdict.REFUTED, Verdict.INCONCLUSIVE, Verdict.NOT_APPLICABLE


def _calibrated(refutations: int, alpha: float, replications: int = REPLICATIONS) -> bool:
    return stats.binom.sf(refutations - 1, replications, alpha) >= 1e-6


@pytest.mark.parametrize("alpha", [0.01, 0.05])
def test_mean_decision_refutes_a_true_mean_at_most_at_its_rate(alpha):
    rng = np.random.default_rng(20261121)
    target, se = 3.0, 0.2
    refuted = sum(mean_decision(float(rng.normal(target, se)), se, target, 0.5, alpha).verdict
                  is R for _ in range(REPLICATIONS))
    assert _calibrated(refuted, alpha), refuted
    # and it is not vacuous: the rate is close to alpha, not 0 (two-sided z rule)
    assert refuted >= stats.binom.ppf(1e-6, REPLICATIONS, alpha)


@pytest.mark.parametrize("alpha", [0.01, 0.05])
def test_interval_decision_refutes_a_true_value_at_most_at_its_rate(alpha):
    rng = np.random.default_rng(7)
    z = stats.norm.isf(alpha / 2)
    refuted = 0
    for _ in range(REPLICATIONS):
        est = float(rng.normal(1.0, 0.1))
        out = interval_decision(est, (est - z * 0.1, est + z * 0.1), 1.0, 0.0, alpha)
        refuted += out.verdict is R
    assert _calibrated(refuted, alpha), refuted
    # not vacuous: with tolerance 0 the refutation region has probability exactly alpha
    assert refuted >= stats.binom.ppf(1e-6, REPLICATIONS, alpha)


@pytest.mark.parametrize("delta, trials", [(0.1, 200), (0.2, 50), (0.05, 400)])
def test_exceedance_decision_at_the_boundary_is_calibrated(delta, trials):
    rng = np.random.default_rng(11)
    alpha = 0.01
    counts = rng.binomial(trials, delta, REPLICATIONS)
    refuted = sum(exceedance_decision(int(k), trials, delta, alpha).verdict is R for k in counts)
    assert _calibrated(refuted, alpha), refuted
    # not vacuous: the exact probability of the refutation region, computed independently
    # from the binomial law, is what the replications reproduce
    region = [k for k in range(trials + 1) if stats.binom.sf(k - 1, trials, delta) <= alpha]
    exact = float(stats.binom.pmf(region, trials, delta).sum())
    assert exact <= alpha
    assert stats.binom.ppf(1e-6, REPLICATIONS, exact) <= refuted <= \
        stats.binom.isf(1e-6, REPLICATIONS, exact)


@given(st.integers(1, 300), st.floats(0.01, 0.5), st.floats(0.001, 0.2), st.data())
def test_exceedance_verdicts_are_monotone_in_the_count(trials, delta, alpha, data):
    """More exceedances never move the verdict towards 'verified'."""
    rank = {V: 0, I: 1, R: 2}
    k = data.draw(st.integers(0, trials - 1))
    a = exceedance_decision(k, trials, delta, alpha)
    b = exceedance_decision(k + 1, trials, delta, alpha)
    assert rank[a.verdict] <= rank[b.verdict]
    # the verdict agrees with the stated one-sided Clopper-Pearson bounds
    if a.verdict is V:
        assert a.data["upper"] <= delta * (1 + 1e-9)
    elif a.verdict is R:
        assert a.data["lower"] >= delta * (1 - 1e-9)
    else:
        assert a.data["lower"] <= delta * (1 + 1e-9) and a.data["upper"] >= delta * (1 - 1e-9)


@given(st.floats(-5, 5), st.floats(0.01, 2.0), st.floats(0.001, 0.2))
def test_mean_decision_verdict_matches_its_interval(offset, se, alpha):
    out = mean_decision(1.0 + offset, se, 1.0, 0.3, alpha)
    lo, hi = out.data["ci"]
    if out.verdict is R:
        assert not lo <= 1.0 <= hi
    elif out.verdict is V:
        assert 0.7 <= lo and hi <= 1.3
    else:
        assert lo <= 1.0 <= hi


def test_mean_decision_with_zero_stderr_compares_within_the_tolerance():
    assert mean_decision(1.0 + 1e-15, 0.0, 1.0, 1e-12).verdict is V
    assert mean_decision(1.1, 0.0, 1.0, 1e-12).verdict is R


def test_bonferroni_splits_the_rate():
    assert bonferroni(0.01, 4) == 0.0025
    with pytest.raises(InvalidArgument, match="m=0"):
        bonferroni(0.01, 0)


@pytest.mark.parametrize("verdicts, expected", [
    ((), I), ((V,), V), ((V, V), V), ((V, I), I), ((V, R), R), ((I, R), R), ((N,), N),
    ((N, V), I), ((N, R), R),
])
def test_combine_table(verdicts, expected):
    assert combine([CheckOutcome(v, "numeric", "x") for v in verdicts]) is expected


def _claim(**kw) -> Claim:
    def never(ctx, p):
        raise AssertionError("a check ran although a hypothesis failed")
    return Claim(id="T", title="test", statement=sp.Eq(sp.Symbol("a"), 1),
                 hypotheses=(Hypothesis("a > 0", lambda p: None if p["a"] > 0 else f"a = {p['a']}"),),
                 symbolic=kw.get("symbolic", never), numeric=kw.get("numeric"),
                 parameters={"a": 1})


def test_a_failed_hypothesis_is_not_applicable_and_runs_no_check():
    res = _claim().with_parameters(a=-2).run(Context())
    assert res.verdict is N and res.explanation == "not applicable: a > 0 fails (a = -2)"
    assert [c.kind for c in res.checks] == ["hypotheses"]


def test_claim_result_carries_rates_seed_and_json():
    sym = lambda ctx, p: CheckOutcome(V, "symbolic", "exact", {"n": np.int64(3)})
    num = lambda ctx, p: CheckOutcome(I, "statistical", "wide CI", {"ci": (0.1, np.float64(0.2))},
                                      0.01)
    res = _claim(symbolic=sym, numeric=num).run(Context(seed=9))
    assert isinstance(res, ClaimResult) and res.verdict is I and res.seed == 9
    assert res.error_rate == 0.01 and res.explanation == "Not decided: statistical: wide CI"
    js = res.to_json()
    assert js["id"] == "T" and js["verdict"] == "inconclusive"
    assert js["evidence"]["checks"][0]["data"] == {"n": 3}
    assert js["evidence"]["checks"][1]["data"] == {"ci": [0.1, 0.2]}


def test_unknown_parameter_is_refused_in_one_line():
    with pytest.raises(InvalidArgument, match="claim T has no such parameter"):
        _claim().with_parameters(b=1)


def test_jsonable_handles_the_types_checks_produce():
    from fractions import Fraction
    assert jsonable({1: (Fraction(1, 3), float("inf"), np.arange(2), V)}) == \
        {"1": ["1/3", "inf", [0, 1], "verified"]}
