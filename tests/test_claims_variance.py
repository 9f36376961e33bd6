"""The variance claims (V-mean, V-masks, V-growth): each is verified at the quick budget
with seed 0, each refutes a deliberately wrong theory (a limit 10% off, a V 1.5 times too
large, a ratio outside its bounds), and bad arguments get one-line errors.

One in-memory ResultStore is shared by the module, so a wrong variant reads the true
variant's Monte Carlo trials back instead of recomputing them.  Every statistical
decision is a union bound at 1% (the claims' ALPHA): with fixed seeds the outcomes are
deterministic, and a true claim would be refuted with probability at most 1%.
"""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pytest

import numerics.variance.checks as checks_module
import proofs_check.claims.variance.growth as growth_module
from numerics.sweeps.store import ResultStore
from proofs_check.claim import Context
from proofs_check.claims.variance.growth import growth_claim
from proofs_check.claims.variance.masks import masks_claim
from proofs_check.claims.variance.mean import mean_exact_claim
from proofs_check.verdict import Verdict
from theory._errors import InvalidArgument


@pytest.fixture(scope="module")
def context():
    store = ResultStore()
    yield Context(seed=0, store=store)
    store.close()


def _checks(result):
    return {c.kind: c for c in result.checks}


def test_mean_claim_verified_and_sees_the_off_diagonal_correction(context):
    r = mean_exact_claim().run(context)
    assert r.verdict is Verdict.VERIFIED, r.explanation
    stat = _checks(r)["statistical"]
    assert stat.error_rate == 0.01 and len(stat.data["tests"]) == 10
    # the same Monte Carlo sees the correction where the theory says there is one
    off = stat.data["off_diagonal"]
    assert off["z_vs_limit"] > 2 and abs(off["z_vs_corrected"]) < 2
    assert set(_checks(r)["symbolic"].data) == {"V1, plain", "V1, rescaled", "V2"}


def test_mean_claim_refutes_a_limit_ten_percent_off(context, monkeypatch):
    one_layer, terms = checks_module.one_layer_moments, checks_module.variance_terms

    def shifted_one_layer(*a, **k):
        ex = one_layer(*a, **k)
        return SimpleNamespace(mean=1.1 * ex.mean, n_var=ex.n_var)

    def shifted_terms(*a, **k):
        t = terms(*a, **k)
        return dataclasses.replace(t, limit=1.1 * t.limit)

    monkeypatch.setattr(checks_module, "one_layer_moments", shifted_one_layer)
    monkeypatch.setattr(checks_module, "variance_terms", shifted_terms)
    r = mean_exact_claim().run(context)
    assert r.verdict is Verdict.REFUTED, r.explanation


def test_masks_claim_verified_and_the_readout_moves_v(context):
    r = masks_claim().run(context)
    assert r.verdict is Verdict.VERIFIED, r.explanation
    rows = _checks(r)["statistical"].data["rows"]
    assert rows["hidden"]["predicted"] == pytest.approx(_checks(r)["statistical"].data["dense_V"],
                                                        rel=1e-12)
    assert rows["readout"]["z_vs_dense"] > 5      # power against "every layer enters alike"
    assert all(v["holds"] for v in _checks(r)["symbolic"].data.values())


def test_masks_claim_refutes_a_wrong_variance(context, monkeypatch):
    terms = checks_module.variance_terms
    monkeypatch.setattr(checks_module, "variance_terms",
                        lambda *a, **k: dataclasses.replace(t := terms(*a, **k),
                                                            n_var=1.5 * t.n_var))
    r = masks_claim().run(context)
    assert r.verdict is Verdict.REFUTED, r.explanation


def test_growth_claim_verified_with_every_cell_between_its_bounds(context):
    r = growth_claim().run(context)
    assert r.verdict is Verdict.VERIFIED, r.explanation
    cells = _checks(r)["statistical"].data["cells"]
    assert len(cells) == 6
    for c in cells:
        assert c["lower"] < c["leading_order"] < c["upper"]
    assert _checks(r)["symbolic"].data["depth"] == 4          # the quick budget's depth


def test_growth_claim_refutes_a_ratio_above_its_bound(context, monkeypatch):
    true_ratio = growth_module.second_moment_ratio

    def inflated(values):
        ratio, se = true_ratio(values)
        return 2 * ratio, se          # e^{5 beta} < 2 * ratio at width 64, depth 3

    monkeypatch.setattr(growth_module, "second_moment_ratio", inflated)
    r = growth_claim().run(context)
    assert r.verdict is Verdict.REFUTED and "bound exceeded" in _checks(r)["statistical"].explanation


@pytest.mark.parametrize("make,argument", [
    (lambda: mean_exact_claim(depth=1), "depth"),
    (lambda: mean_exact_claim(widths=(8,)), "widths"),
    (lambda: mean_exact_claim(widths=(1, 8)), "widths"),
    (lambda: masks_claim(keep_prob="1"), "keep_prob"),
    (lambda: masks_claim(keep_prob="3/2"), "keep_prob"),
    (lambda: masks_claim(depth=1), "depth"),
    (lambda: masks_claim(widths=(64,)), "widths"),
    (lambda: growth_claim(depths=()), "depths"),
    (lambda: growth_claim(depths=(0,)), "depth"),
])
def test_bad_arguments_are_one_line_errors(make, argument):
    with pytest.raises(InvalidArgument) as err:
        make()
    assert err.value.argument == argument and "\n" not in str(err.value)
