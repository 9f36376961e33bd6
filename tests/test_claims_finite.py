"""The finite-width registry claims C3 and C3-dense: true versions verify, wrong ones are refuted.

Both run real Monte Carlo at the quick budget with fixed seeds; a module-wide
ResultStore lets the wrong-claim variants reuse the trials of the true one (the
verdicts depend only on the trials and the claimed values).
"""

import pytest

from numerics import ResultStore
from proofs_check import BUDGETS, Context, Verdict
from proofs_check.bounds import SamplePoint
from proofs_check.claims import dense_bound_claim, sparsity_claim
from theory import InvalidArgument
from theory.plaintext import plain_text


@pytest.fixture(scope="module")
def context():
    store = ResultStore()
    yield Context(budget=BUDGETS["quick"], seed=0, store=store)
    store.close()


def test_c3_is_verified_at_the_quick_budget(context):
    res = sparsity_claim().run(context)
    assert res.verdict is Verdict.VERIFIED, res.explanation
    (stat,) = [c for c in res.checks if c.kind == "statistical"]
    depth1 = stat.data["depths"][1]
    lo, hi = depth1["slope_ci"]
    assert 0.75 <= lo <= depth1["slope"] <= hi <= 1.25
    # n* grows as q falls, at every keep_prob of the grid
    by_q = sorted(depth1["n_star"].items(), key=lambda kv: -float(kv[0]))
    assert [float(q) for q, _ in by_q] == [1 / 4, 1 / 6, 1 / 10, 1 / 16]
    n_star = [n for _, n in by_q]
    assert n_star == sorted(n_star) and len(set(n_star)) == 4
    assert stat.error_rate == 0.01


@pytest.mark.parametrize("exponent", [2, 0.5])
def test_c3_with_a_wrong_exponent_is_refuted(context, exponent):
    res = sparsity_claim(exponent=exponent).run(context)
    assert res.verdict is Verdict.REFUTED
    assert {c.kind: c.verdict for c in res.checks} == {"symbolic": Verdict.REFUTED,
                                                       "statistical": Verdict.REFUTED}
    assert "grows like (1/q)^" in res.title


@pytest.mark.parametrize("changes, reason", [
    ({"keep_probs": ("1", "1/2")}, "not small"),
    ({"keep_probs": ("1/4",)}, "two distinct"),
])
def test_c3_outside_its_hypotheses_is_not_applicable(changes, reason):
    res = sparsity_claim().with_parameters(**changes).run(Context())
    assert res.verdict is Verdict.NOT_APPLICABLE and reason in res.explanation


@pytest.mark.parametrize("kwargs, argument", [
    ({"tolerance": 2.0}, "tolerance"), ({"exponent": -1}, "exponent"),
    ({"exponent": float("nan")}, "exponent"), ({"depth": True}, "depth"),
    ({"depth": 0}, "depth"), ({"keep_probs": "1/4"}, "keep_probs"),
    ({"keep_probs": ("1/4", "2")}, "keep_probs"),
])
def test_c3_bad_arguments_are_errors_not_verdicts(kwargs, argument):
    with pytest.raises(InvalidArgument) as err:
        sparsity_claim(**kwargs)
    assert err.value.argument == argument and "fix:" in str(err.value)
    with pytest.raises(InvalidArgument):          # also when set after construction
        sparsity_claim().with_parameters(**kwargs).run(Context())


def test_c3_with_a_keep_prob_off_the_width_grid_is_inconclusive(context):
    res = sparsity_claim(keep_probs=("1/4", "1/8", "1/1024")).run(context)
    assert res.verdict is Verdict.INCONCLUSIVE
    assert "off the width grid" in res.explanation


def test_c3_dense_is_verified_with_constant_one(context):
    res = dense_bound_claim().run(context)
    assert res.verdict is Verdict.VERIFIED, res.explanation
    (stat,) = [c for c in res.checks if c.kind == "statistical"]
    assert stat.data["tested"] == 4 and stat.data["skipped"] == 0
    implied = stat.data["implied_constant"]["value"]
    assert 0 < float(implied) < 1        # C = 1 is more than the data need


def test_c3_dense_with_a_tiny_constant_is_refuted_with_a_witness(context):
    res = dense_bound_claim(constant=1e-3).run(context)
    assert res.verdict is Verdict.REFUTED
    (stat,) = [c for c in res.checks if c.kind == "statistical"]
    witness = stat.data["witness"]
    assert witness is not None and witness["width"] <= 2


def test_c3_dense_with_a_bound_slower_than_the_central_limit_rate_is_refuted():
    res = dense_bound_claim(expr="C*L**6/eps*log(L/delta)", error="eps").run(Context())
    sym = [c for c in res.checks if c.kind == "symbolic"][0]
    assert sym.verdict is Verdict.REFUTED
    assert "exponent of 1/eps is 1 < 2" in plain_text(sym.explanation)
    assert res.verdict is Verdict.REFUTED


@pytest.mark.parametrize("kwargs, argument", [
    ({"constant": 0}, "constant"), ({"constant": float("inf")}, "constant"),
    ({"points": ()}, "points"), ({"expr": "C*x"}, "expr"),
])
def test_c3_dense_bad_arguments_are_errors(kwargs, argument):
    with pytest.raises(InvalidArgument) as err:
        dense_bound_claim(**kwargs)
    assert err.value.argument == argument


def test_c3_dense_on_a_pruned_point_is_not_applicable():
    res = dense_bound_claim(points=(SamplePoint(1, 0.5, 0.1, keep_prob=0.5),)).run(Context())
    assert res.verdict is Verdict.NOT_APPLICABLE and "dense" in res.explanation
