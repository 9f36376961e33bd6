"""Claim R: verified with its defaults, refuted when the statement is false (a planted
recursion error or a bound that is too small), invalid settings rejected."""

import pytest

import proofs_check.claims.structure.regions as claim_module
from proofs_check.claim import Context
from proofs_check.claims.structure.regions import regions_claim
from theory._errors import InvalidArgument


def test_defaults_are_verified_with_ratios_per_density():
    r = regions_claim().run(Context())
    assert r.verdict.value == "verified"
    rows = r.checks[1].data["rows"]
    assert [row["density"] for row in rows] == ["1/4", "1/2", "1"]
    assert all(row["upper"] <= row["theorem_1"] and row["ratio"] > 1 for row in rows)


def test_a_bound_that_is_too_small_is_refuted(monkeypatch):
    """Replace Theorem 1 by the one-region bound: the mean count exceeds it."""
    class Tiny:
        value = 1
    monkeypatch.setattr(claim_module, "region_bound", lambda *a, **k: Tiny())
    r = regions_claim(serra_widths=()).run(Context())
    assert r.checks[1].verdict.value == "refuted"


def test_a_wrong_recursion_is_refuted_by_the_exact_check(monkeypatch):
    monkeypatch.setattr(claim_module, "serra_bound", lambda w: -1)
    assert regions_claim().run(Context()).checks[0].verdict.value == "refuted"


@pytest.mark.parametrize("override, argument", [
    (dict(widths=(64, 30, 30)), "widths"),
    (dict(widths=(64,)), "widths"),
    (dict(densities=("0",)), "densities"),
    (dict(dim=3), "dim"),
])
def test_invalid_settings_name_themselves(override, argument):
    with pytest.raises(InvalidArgument) as info:
        regions_claim(**override).run(Context())
    assert info.value.argument == argument


def test_unknown_parameter():
    with pytest.raises(InvalidArgument):
        regions_claim(depth=3)
