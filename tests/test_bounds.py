"""Width bounds: safe parsing, the symbolic analysis, the Monte Carlo verdict and its calibration.

Monte Carlo here stays small (depth <= 2, width <= 256, trials <= 200).
"""

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from proofs_check.bounds import (
    DEFAULT_POINTS,
    SamplePoint,
    analyze_bound,
    check_bound,
    parse_bound,
    parse_points,
    solve_constant,
)
from proofs_check.budgets import BUDGETS
from proofs_check.claim import Context
from proofs_check.decisions import DEFAULT_ALPHA, bonferroni, exceedance_decision
from proofs_check.verdict import CheckOutcome, Verdict
from theory import InvalidArgument

ARORA = "C*L**6/eps**4*log(L/delta)"


def _exponents(report) -> dict:
    return {e.variable: e.value for e in report.exponents}


# ----------------------------------------------------------------------------- symbolic
def test_arora_bound_matches_itself_exactly():
    r = analyze_bound(ARORA, {"C": 1})
    assert r.ratio == "1" and r.polylog is True
    assert all(e.method == "symbolic limit" for e in r.ratio_log_exponents)
    assert _exponents(r) == {"1/eps": 4.0, "1/delta": 0.0, "L": 6.0}
    assert r.q_exponent.value == 0.0 and r.linear_in_inv_q is False
    assert not r.depends_on_keep_prob
    assert [(m.variable, m.holds, m.method) for m in r.monotone] == [
        ("eps", True, "symbolic"), ("delta", True, "symbolic"), ("L", True, "symbolic"),
        ("q", True, "symbolic")]
    out = r.to_outcome()                       # q-free: linearity in 1/q is not required
    assert out.verdict is Verdict.VERIFIED and out.kind == "symbolic" and out.error_rate == 0


def test_linear_in_inverse_keep_prob():
    r = analyze_bound("C*L**6/(q*eps**4)*log(L/delta)", {"C": 3})
    assert r.q_exponent.value == 1.0 and r.q_exponent.exact == "1"
    assert r.q_exponent.method == "symbolic limit" and r.linear_in_inv_q is True
    assert r.ratio == "3" and r.polylog is True
    assert _exponents(r) == {"1/eps": 4.0, "1/delta": 0.0, "L": 6.0}
    assert r.to_outcome().verdict is Verdict.VERIFIED


def test_quadratic_in_inverse_keep_prob_fails_linearity_and_the_dense_match():
    r = analyze_bound("C/(q**2*eps**2)", {"C": 1})
    assert r.q_exponent.value == 2.0 and r.linear_in_inv_q is False
    assert _exponents(r) == {"1/eps": 2.0, "1/delta": 0.0, "L": 0.0}
    assert r.polylog is False                     # eps^2 / (L^6 log(L/delta)) is a power
    out = r.to_outcome()
    assert out.verdict is Verdict.REFUTED and "dense_match" in out.explanation
    assert "linear_in_inv_q" in out.explanation
    only_monotone = r.to_outcome(require=("monotone",))
    assert only_monotone.verdict is Verdict.VERIFIED


def test_gap_dominates_the_keep_prob_exponent_as_eps_goes_to_zero():
    # 1/(q eps^2) dominates 1/(q^2 eps) as eps -> 0: linear in 1/q in that limit.
    r = analyze_bound("1/(q*eps**2) + 1/(q**2*eps)")
    assert r.q_exponent.value == 1.0 and r.linear_in_inv_q is True


def test_polylog_factors_are_ignored_by_the_exponents():
    r = analyze_bound("L**6/eps**4*log(L/delta)*log(1/eps)**3/q")
    assert r.polylog is True
    assert {e.variable: e.value for e in r.ratio_log_exponents}["1/eps"] == 3.0
    assert _exponents(r)["1/eps"] == 4.0 and r.linear_in_inv_q is True


def test_custom_keep_prob_symbol_and_numeric_fallbacks():
    r = analyze_bound("Max(1/eps**2, L/s)*log(1/delta)", keep_prob_symbol="s")
    assert r.keep_prob_symbol == "s"
    # eps -> 0 first: 1/eps^2 wins, so no dependence on s remains
    assert r.q_exponent.value == pytest.approx(0.0, abs=1e-2)
    assert _exponents(r)["1/eps"] == pytest.approx(2.0, abs=1e-2)
    assert _exponents(r)["L"] == pytest.approx(1.0, abs=1e-2)
    assert any(m.method.startswith("numeric grid") for m in r.monotone)
    assert all(m.holds for m in r.monotone)
    assert r.to_outcome(require=("monotone",)).kind == "numeric"


def test_monotonicity_violations_are_found():
    r = analyze_bound("q/eps")                     # grows with the keep probability
    q_mono = [m for m in r.monotone if m.variable == "q"][0]
    assert q_mono.holds is False and q_mono.method == "symbolic"
    grid = analyze_bound("L**2*log(L/delta)/eps**2 - 5*L")     # dips in L near L = 1
    L_mono = [m for m in grid.monotone if m.variable == "L"][0]
    assert L_mono.holds is False and L_mono.witness is not None
    assert L_mono.witness["L"] >= 1
    assert grid.to_outcome(require=("monotone",)).verdict is Verdict.REFUTED


# ----------------------------------------------------------------------------- parsing
@pytest.mark.parametrize("text", [
    "__import__('os')", "eps.real", "lambda: 1", "eps[0]", "eps; 1", "'a'", "eps < 1",
    "eps, 1", "0x10", "1j", "eps if L else q", "10**10**10", "(eps", "", "eps(2)", "log*eps",
    "1/0", "sqrt(-1)", "open('f')", "x = 1", "eps # comment",
])
def test_unsafe_or_malformed_expressions_are_refused_in_one_line(text):
    with pytest.raises(InvalidArgument) as err:
        parse_bound(text, argument="--expr")
    assert err.value.argument == "--expr" and "\n" not in str(err.value)


def test_unknown_symbol_names_the_symbol_and_the_fix():
    with pytest.raises(InvalidArgument) as err:
        parse_bound("K*L/eps", argument="--expr")
    msg = str(err.value)
    assert "'K'" in msg and "--constant K=VALUE" in msg and err.value.argument == "--expr"
    assert str(parse_bound("K*L/eps", {"K": "2.5"}).value_expr) == "5*L/(2*eps)"


def test_constants_are_exact_and_powers_are_guarded():
    b = parse_bound("C*eps**2", [("C", "0.1")])
    assert b.value_expr == sp.Rational(1, 10) * b.symbols["eps"] ** 2
    with pytest.raises(InvalidArgument, match="too large"):
        parse_bound("C**C**C**C", {"C": 10})
    with pytest.raises(InvalidArgument, match="reserved"):
        parse_bound("eps", {"L": 1})
    with pytest.raises(InvalidArgument, match="reserved"):
        parse_bound("eps", keep_prob_symbol="log")


def test_points_parse_and_validate():
    pts = parse_points("L=2,eps=0.25,delta=0.2,s=0.5", keep_prob_symbol="s")
    assert pts == (SamplePoint(2, 0.25, 0.2, pts[0].keep_prob),)
    assert float(pts[0].keep_prob) == 0.5
    assert len(DEFAULT_POINTS) == 12 and {pt.depth for pt in DEFAULT_POINTS} == {1, 2}
    for bad in ("L=1,eps=0.5", "L=1.5,eps=0.5,delta=0.1", "L=1,eps=-1,delta=0.1",
                "L=1,eps=0.5,delta=0.1,q=0", "L=1,eps=0.5,delta=0.1,w=1", "L=1;L=1"):
        with pytest.raises(InvalidArgument):
            parse_points(bad)


def test_solve_constant_linear_and_by_root_finding():
    point = SamplePoint(2, 0.5, 0.1)
    lin = parse_bound("C*L/eps", {"C": 1})
    assert solve_constant(lin, "C", point, 100.0) == pytest.approx(25.0)
    root = parse_bound("sqrt(C)*L/eps + C**2", {"C": 1})
    c = solve_constant(root, "C", point, 100.0)
    assert math.sqrt(c) * 4 + c ** 2 == pytest.approx(100.0, rel=1e-9)


# ----------------------------------------------------------------------------- Monte Carlo
def test_check_bound_report_and_outcomes():
    ctx = Context(budget=BUDGETS["quick"], seed=3)
    r = check_bound(ARORA, {"C": 1}, points="L=1,eps=0.5,delta=0.1,q=1;L=1,eps=0.5,delta=0.2,"
                    "q=0.5", context=ctx, trials=120, max_width=128)
    j = r.to_json()
    assert {"verdict", "witness", "symbolic", "implied_constant", "points", "error_rate",
            "seed"} <= set(j)
    assert j["seed"] == 3 and j["error"] == "eps" and j["error_rate"] == DEFAULT_ALPHA
    assert j["symbolic"]["ratio_to_dense"] == "1" and j["symbolic"]["verdict"] == "verified"
    for pt in j["points"]:
        assert pt["status"] == "tested" and pt["width"] == math.ceil(pt["bound"])
        assert pt["ci"][0] <= pt["p_hat"] <= pt["ci"][1] and pt["trials"] == 120
    assert j["per_point_alpha"] == bonferroni(DEFAULT_ALPHA, 2)
    sym, emp = r.outcomes()
    assert isinstance(emp, CheckOutcome) and emp.kind == "statistical"
    assert emp.error_rate == DEFAULT_ALPHA and sym.kind == "symbolic"
    assert r.to_outcome().verdict is r.verdict
    assert j["implied_constant"]["name"] == "C" and "definition" in j["implied_constant"]
    c = r.implied
    assert c.value is not None and c.value <= c.estimate <= c.sufficient
    if c.sufficient == math.inf:                  # JSON has no infinity: written as a string
        assert j["implied_constant"]["sufficient"] == "inf"
    if r.verdict is Verdict.REFUTED:          # the constant never contradicts the verdict
        assert c.value >= 1.0
        assert j["witness"]["exceed"] / j["witness"]["trials"] > j["witness"]["delta"]


def test_every_point_above_the_cap_is_inconclusive_with_the_reason():
    r = check_bound(ARORA, {"C": 1}, points="L=2,eps=0.25,delta=0.1", max_width=64,
                    implied=False, symbolic=False)
    assert r.verdict is Verdict.INCONCLUSIVE and r.witness is None
    assert "no sample point could be tested" in r.empirical.explanation
    assert r.empirical.points[0].status == "skipped"
    assert r.to_outcome().error_rate == 0.0


_common = dict(depth=st.integers(1, 2), keep_prob=st.sampled_from(["1", "1/2", "1/4"]),
               delta=st.sampled_from([0.1, 0.2]), seed=st.integers(0, 1000))


@settings(max_examples=6)
@given(eps=st.floats(0.5, 1.0), rescale=st.booleans(), **_common)
def test_a_generous_bound_is_never_refuted(depth, keep_prob, delta, rescale, eps, seed):
    # width 128..256 against the error (L+1) eps of Arora et al.'s theorem: P(exceed) ~ 0
    r = check_bound("C/eps", {"C": 128}, error="(L+1)*eps",
                    points=[(depth, eps, delta, keep_prob)], trials=100, rescale=rescale,
                    implied=False, symbolic=False, context=Context(seed=seed))
    assert r.verdict is not Verdict.REFUTED
    assert r.empirical.points[0].width <= 256


@settings(max_examples=6)
@given(eps=st.floats(0.1, 0.3), **_common)
def test_a_much_too_small_width_is_refuted(depth, keep_prob, delta, eps, seed):
    # width 4 at the dense scale (rescaled pruning): most networks miss the limit by > eps
    r = check_bound("C", {"C": 4}, points=[(depth, eps, delta, keep_prob)], trials=100,
                    rescale=True, implied=False, symbolic=False, context=Context(seed=seed))
    assert r.verdict is Verdict.REFUTED
    w = r.witness.to_json()
    assert w["width"] == 4 and w["ci"][0] > delta and w["exceed"] <= w["trials"] == 100


# ----------------------------------------------------------------------------- calibration
@pytest.mark.parametrize("trials,delta,alpha", [(200, 0.1, 0.01), (100, 0.2, 0.01),
                                                 (200, 0.1, 0.01 / 12), (50, 0.05, 0.05)])
def test_exceedance_decision_is_calibrated_at_the_boundary(trials, delta, alpha):
    """True exceedance rate exactly delta: the test refutes with probability <= alpha.

    Exact part: the refutation region {k : refuted} has binomial mass <= alpha.
    Monte Carlo part: 20000 seeded Binomial(trials, delta) draws are refuted at a rate
    whose exact (Clopper-Pearson) one-sided lower bound at level 1 - 1e-6 does not
    exceed alpha; if the true rate is <= alpha this comparison itself fails with
    probability <= 1e-6 (and the seed makes it deterministic)."""
    refuted = np.array([exceedance_decision(k, trials, delta, alpha).verdict
                        is Verdict.REFUTED for k in range(trials + 1)])
    exact_rate = float(stats.binom.pmf(np.flatnonzero(refuted), trials, delta).sum())
    assert 0 < exact_rate <= alpha
    draws = np.random.default_rng(20240601).binomial(trials, delta, size=20000)
    hits = int(refuted[draws].sum())
    lower = 0.0 if hits == 0 else float(stats.beta.ppf(1e-6, hits, draws.size - hits + 1))
    assert lower <= alpha, (hits, draws.size, alpha)


def test_bonferroni_family_is_calibrated():
    """m points all at the boundary rate delta, each tested at alpha / m: the family refutes
    (some point refuted) at a rate <= alpha (exact union bound; checked by simulation)."""
    m, trials, delta = 6, 200, 0.1
    level = bonferroni(DEFAULT_ALPHA, m)
    refuted = np.array([exceedance_decision(k, trials, delta, level).verdict
                        is Verdict.REFUTED for k in range(trials + 1)])
    draws = np.random.default_rng(7).binomial(trials, delta, size=(20000, m))
    hits = int(refuted[draws].any(axis=1).sum())
    lower = 0.0 if hits == 0 else float(stats.beta.ppf(1e-6, hits, 20000 - hits + 1))
    assert lower <= DEFAULT_ALPHA
    # not vacuous: the family's exact refutation rate (independent points) is reproduced
    single = float(stats.binom.pmf(np.flatnonzero(refuted), trials, delta).sum())
    family = 1 - (1 - single) ** m
    assert 0 < family <= DEFAULT_ALPHA
    assert stats.binom.ppf(1e-6, 20000, family) <= hits <= stats.binom.isf(1e-6, 20000, family)
