"""Claims C1 (scaling), C2 (rescaled = dense) and C5 (masked first layer) as registry claims."""

import json
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from proofs_check.budgets import BUDGETS, Budget
from proofs_check.claim import Context
from proofs_check.claims.paper import c5_first_layer
from proofs_check.claims.paper._compare import FLOAT_ERROR, REL_TOL, witness_of
from proofs_check.claims.paper._pairs import sample_pairs
from proofs_check.claims.paper.c1_scaling import scaling_claim, theory_exponent
from proofs_check.claims.paper.c2_rescaled import rescaled_equals_dense_claim
from proofs_check.claims.paper.c5_first_layer import first_layer_claim, gap_trend
from proofs_check.verdict import Verdict
from theory import Architecture, InvalidArgument, first_layer_gap, limit_kernel

# A small budget keeps the property tests fast; the registry runs at "quick" (64 pairs).
SMALL = Budget("test", trials=10, max_width=64, widths=(64,), input_pairs=16,
               keep_probs=("1", "0.5"), max_depth=2)
QS = [Fraction(1, 8), Fraction(1, 4), Fraction(1, 3), Fraction(1, 2), Fraction(2, 3),
      Fraction(3, 4), Fraction(7, 8)]
keep_probs = st.sampled_from(QS)
keep_probs_or_one = st.sampled_from(QS + [Fraction(1)])
depths = st.integers(1, 4)
seeds = st.integers(0, 2**16)


def run(claim, seed=0, budget=SMALL):
    result = claim.run(Context(budget=budget, seed=seed))
    json.dumps(result.to_json())                 # evidence is JSON-able
    return result


# ------------------------------------------------------------------ C1
@given(depths, keep_probs_or_one, st.booleans(), st.sampled_from(["relu", "erf"]), seeds)
def test_true_scaling_claims_are_verified(depth, q, rescale, activation, seed):
    if activation == "erf" and not rescale and depth > 1 and q < 1:
        return                                   # no exponent is right there (next test)
    k = theory_exponent(depth, rescale=rescale)
    r = run(scaling_claim(depth, q, k, rescale=rescale, activation=activation), seed)
    assert r.verdict is Verdict.VERIFIED, r.explanation
    assert [c.kind for c in r.checks] == ["symbolic", "numeric"]
    assert r.error_rate == 0
    numeric = r.checks[1].data
    # the tolerance argument: a true identity stays within the float64 error bound
    assert numeric["max_rel_diff"] <= FLOAT_ERROR
    assert numeric["pairs"] == SMALL.input_pairs


@given(depths, keep_probs, st.booleans(),
       st.one_of(st.integers(-3, 8).map(Fraction),
                 st.fractions(-3, 8, max_denominator=7)), seeds)
def test_wrong_exponents_are_refuted_with_a_witness(depth, q, rescale, k, seed):
    true_k = theory_exponent(depth, rescale=rescale)
    if k == true_k:
        k += Fraction(1, 2)
    r = run(scaling_claim(depth, q, k, rescale=rescale), seed)
    assert r.verdict is Verdict.REFUTED
    assert all(c.verdict is Verdict.REFUTED for c in r.checks)    # exactly and numerically
    w = witness_of(r.checks)
    assert len(w["x"]) == 3 and len(w["y"]) == 3
    expected = abs(1 - float(q) ** float(true_k - k))             # |q^m - q^k| / max(..)
    expected = expected / max(1.0, float(q) ** float(true_k - k))
    assert w["relative_difference"] == pytest.approx(expected, rel=1e-9)
    assert r.checks[1].data["max_rel_diff"] > REL_TOL


@given(depths, st.integers(-5, 20), st.booleans())
def test_keep_prob_one_makes_every_exponent_true(depth, k, rescale):
    r = run(scaling_claim(depth, 1, k, rescale=rescale))
    assert r.verdict is Verdict.VERIFIED
    assert "q = 1" in r.checks[0].explanation


@pytest.mark.parametrize("depth", [2, 3])
@pytest.mark.parametrize("k", [0, 1, 2, 3, 4, Fraction(5, 2)])
def test_erf_with_plain_pruning_is_no_multiple_for_any_exponent(depth, k):
    r = run(scaling_claim(depth, "1/2", k, activation="erf"))
    assert r.verdict is Verdict.REFUTED
    sym = r.checks[0]
    assert sym.verdict is Verdict.REFUTED and sym.kind == "symbolic"
    ratios = sym.data["witness"]["ratios"]
    assert abs(ratios[0]["ratio"] - ratios[1]["ratio"]) > 1e-3
    assert r.checks[1].data["not_a_multiple"]


def test_erf_depth_one_only_scales_the_output_layer():
    assert run(scaling_claim(1, "1/2", 1, activation="erf")).verdict is Verdict.VERIFIED
    assert run(scaling_claim(1, "1/2", 2, activation="erf")).verdict is Verdict.REFUTED


@pytest.mark.parametrize("d0", [2, 3])
@pytest.mark.parametrize("rescale", [False, True])
def test_masked_first_layer_breaks_the_scaling_at_small_d0(d0, rescale):
    depth = 2
    k = theory_exponent(depth, prune_first_layer=True, rescale=rescale)   # mean-field exponent
    r = run(scaling_claim(depth, "1/2", k, prune_first_layer=True, rescale=rescale, d0=d0))
    assert r.verdict is Verdict.REFUTED
    mp, num = r.checks
    assert mp.verdict is Verdict.REFUTED and mp.data["digits"] == 30
    w = mp.data["witness"]
    assert w["relative_difference"] > 1e-3 and len(w["x"]) == d0
    assert num.verdict is Verdict.REFUTED and num.data["not_a_multiple"]


def test_masked_first_layer_in_one_dimension_is_exactly_the_mean_field():
    """d0 = 1: a mask row keeps x_1 or not, and ReLU is homogeneous, so E_m V(m K) = q V(K)."""
    r = run(scaling_claim(2, "1/2", 3, prune_first_layer=True, d0=1))
    assert r.verdict is Verdict.VERIFIED


def test_monte_carlo_first_layer_uses_a_stated_error_rate():
    budget = Budget("t", 10, 64, (64,), 8, ("1",), 1)
    r = run(scaling_claim(1, "1/2", 2, prune_first_layer=True, d0=20), budget=budget)
    assert r.verdict is Verdict.REFUTED           # the pairs on two coordinates are exact
    num = r.checks[1]
    assert num.kind == "statistical" and num.error_rate == pytest.approx(0.01)
    assert num.data["monte_carlo_entries"] > 0 and num.data["exact_entries"] > 0
    assert 0 < num.data["alpha_per_entry"] < 0.01


# ------------------------------------------------------------------ invalid arguments
C1 = (scaling_claim, (2, "1/2", 2), {})
C2 = (rescaled_equals_dense_claim, (2, "1/2"), {})
C5 = (first_layer_claim, (), {})
BAD_ARGUMENTS = [         # (claim, the bad argument, its value)
    (C1, "depth", 0), (C1, "depth", True), (C1, "depth", 2.5),
    (C1, "keep_prob", "3/2"), (C1, "keep_prob", 0), (C1, "keep_prob", "abc"),
    (C1, "exponent", float("nan")), (C1, "exponent", "k"), (C1, "exponent", "1/0"),
    (C1, "activation", "tanh"), (C1, "d0", 0), (C1, "d0", "3"),
    (C1, "prune_first_layer", "yes"), (C1, "rescale", 1),
    (C2, "keep_prob", 2), (C2, "depth", -1), (C2, "activation", None), (C2, "d0", 1.5),
    (C5, "depth", 0), (C5, "keep_prob", "1.5"), (C5, "activation", "tanh"), (C5, "d0", 0),
    (C5, "d0", 17), (C5, "mc_d0", 1), (C5, "mc_d0", 20), (C5, "d0_grid", (8, 4)),
    (C5, "d0_grid", (4,)), (C5, "d0_grid", (1, 4)), (C5, "d0_grid", (2, 32)),
    (C5, "d0_grid", "2,4"), (C5, "d0_grid", 8),
]


def _build(spec, **changes):
    factory, args, kwargs = spec
    names = {scaling_claim: ("depth", "keep_prob", "exponent"),
             rescaled_equals_dense_claim: ("depth", "keep_prob")}.get(factory, ())
    args = list(args)
    for i, name in enumerate(names):
        if name in changes:
            args[i] = changes.pop(name)
    return factory(*args, **kwargs, **changes)


@pytest.mark.parametrize("spec,name,value", BAD_ARGUMENTS,
                         ids=[f"{s[0].__name__}-{n}={v!r}" for s, n, v in BAD_ARGUMENTS])
def test_invalid_arguments_raise_when_the_claim_is_built(spec, name, value):
    with pytest.raises(InvalidArgument) as err:
        _build(spec, **{name: value})
    assert err.value.argument == name
    text = str(err.value)
    assert "\n" not in text and text.startswith(f"{name}=") and "fix:" in text


@pytest.mark.parametrize("spec,name,value", BAD_ARGUMENTS,
                         ids=[f"{s[0].__name__}-{n}={v!r}" for s, n, v in BAD_ARGUMENTS])
def test_invalid_arguments_raise_after_with_parameters(spec, name, value):
    """with_parameters replaces parameters unchecked: the checks validate them again."""
    claim = _build(spec).with_parameters(**{name: value})
    with pytest.raises(InvalidArgument) as err:
        claim.run(Context(budget=SMALL))
    assert err.value.argument == name


def test_c1_and_c2_have_no_hypotheses_so_never_not_applicable():
    """Every valid argument makes C1 or C2 true or false; erf's C1 is refuted, not 'outside'."""
    assert scaling_claim(2, "1/2", 2).hypotheses == ()
    assert rescaled_equals_dense_claim(2, "1/2").hypotheses == ()
    assert run(scaling_claim(2, "1/2", 2, activation="erf")).verdict is Verdict.REFUTED


@pytest.mark.parametrize("kwargs,reason", [({"keep_prob": 1}, "q < 1"),
                                           ({"keep_prob": "1"}, "masks nothing"),
                                           ({"d0": 1}, "d_0 >= 2")])
def test_c5_outside_its_hypotheses_is_not_applicable(kwargs, reason):
    r = first_layer_claim(**kwargs).run(Context())
    assert r.verdict is Verdict.NOT_APPLICABLE, r.explanation
    assert r.explanation.startswith("not applicable:") and reason in r.explanation
    assert [c.kind for c in r.checks] == ["hypotheses"]          # no check ran
    assert run(first_layer_claim().with_parameters(**kwargs)).verdict is Verdict.NOT_APPLICABLE


def test_with_parameters_changes_the_decision():
    claim = scaling_claim(3, "1/2", 3)
    assert claim.id == "C1"
    assert run(claim.with_parameters(exponent=Fraction(2))).verdict is Verdict.REFUTED
    assert run(claim.with_parameters(prune_first_layer=True)).verdict is Verdict.REFUTED


def test_statement_and_latex():
    claim = scaling_claim(3, "1/2", 3)
    assert r"\left(\frac{1}{2}\right)^{3}" in claim.latex and r"\mathbb{R}^{3}" in claim.latex
    assert {s.name for s in claim.statement.free_symbols} >= {"q", "k", "L"}
    assert "Theta" in rescaled_equals_dense_claim(2, "1/2").latex


# ------------------------------------------------------------------ sampled pairs
@given(st.integers(1, 40), st.integers(1, 12), seeds)
def test_sampled_pairs_cover_the_hard_geometries(n, d0, seed):
    pairs = sample_pairs(n, d0, seed)
    assert len(pairs) == n
    again = sample_pairs(n, d0, seed)
    assert all(np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
               for a, b in zip(pairs, again))
    for x, y, kind in pairs:
        assert x.shape == y.shape == (d0,)
        for v in (x, y):
            assert 10**-1.5 <= np.linalg.norm(v) <= 10**1.5 * (1 + 1e-12)
        cos = x @ y / (np.linalg.norm(x) * np.linalg.norm(y))
        if kind == "near-parallel":
            assert cos > 1 - 1e-5
        elif kind == "near-antiparallel":
            assert cos < -1 + 1e-5
        elif kind == "sparse":
            assert np.count_nonzero(x) <= 2 and np.count_nonzero(y) <= 2
    kinds = {k for *_, k in pairs}
    if n >= 4:
        assert {"near-parallel", "near-antiparallel"} <= kinds


# ------------------------------------------------------------------ C2
@given(depths, keep_probs_or_one, st.sampled_from(["relu", "erf"]), seeds)
def test_rescaled_equals_dense_with_a_dense_first_layer(depth, q, activation, seed):
    r = run(rescaled_equals_dense_claim(depth, q, activation=activation), seed)
    assert r.verdict is Verdict.VERIFIED
    assert r.checks[0].kind == "symbolic" and r.checks[1].data["max_rel_diff"] <= FLOAT_ERROR


@given(depths, keep_probs, st.sampled_from([2, 3]), st.sampled_from(["relu", "erf"]), seeds)
def test_rescaled_with_a_masked_first_layer_is_refuted_at_small_d0(depth, q, d0, activation, seed):
    r = run(rescaled_equals_dense_claim(depth, q, prune_first_layer=True, d0=d0,
                                        activation=activation), seed)
    assert r.verdict is Verdict.REFUTED
    w = witness_of(r.checks)
    assert w["relative_difference"] > REL_TOL
    arch = Architecture.pruned(depth, q, rescale=True, prune_first_layer=True,
                               activation=activation)
    Z = np.array([w["x"], w["y"]])
    assert limit_kernel(arch, Z).ntk[0, 1] == pytest.approx(w["pruned_ntk"], rel=1e-12)
    assert limit_kernel(arch.dense(), Z).ntk[0, 1] == pytest.approx(w["dense_ntk"], rel=1e-12)


def test_rescaled_with_keep_prob_one_and_a_masked_first_layer_is_dense():
    r = run(rescaled_equals_dense_claim(2, 1, prune_first_layer=True))
    assert r.verdict is Verdict.VERIFIED


def test_registry_claims_at_the_quick_budget_are_right():
    for claim, verdict in ((scaling_claim(3, "1/2", 3), Verdict.VERIFIED),
                           (rescaled_equals_dense_claim(3, "1/2"), Verdict.VERIFIED)):
        r = run(claim, budget=BUDGETS["quick"])
        assert r.verdict is verdict and r.claim_id in ("C1", "C2")
        assert "64 pairs" in r.key_evidence


# ------------------------------------------------------------------ C5
def test_first_layer_claim_is_verified_at_the_quick_budget():
    r = run(first_layer_claim(), budget=BUDGETS["quick"])
    assert r.claim_id == "C5" and r.verdict is Verdict.VERIFIED, r.explanation
    assert r.error_rate == pytest.approx(0.01)
    data = r.checks[1].data
    assert set(data["parts"].values()) == {"verified"}
    for name in ("plain", "rescaled"):
        gaps = data["gap_shrinks"]["max_gap"][name]
        assert all(b < a for a, b in zip(gaps, gaps[1:])) and gaps[-1] > REL_TOL
        assert data["gap_shrinks"]["slope"][name] < -0.5
        lo, hi = data["not_a_multiple"][name]["ratio_range"]
        assert hi - lo > 1e-3
    assert data["monte_carlo_agrees"]["max_abs_z"] < data["monte_carlo_agrees"]["z_critical"]
    # the two gap figures come from different inputs, and the summary says which
    assert "d_0 = 3 pairs" in r.key_evidence and "spread d_0 = 2 -> 16" in r.key_evidence
    assert "MC max|z|" in r.key_evidence and len(r.key_evidence) < 160
    assert "mean-field reference" in r.checks[0].explanation


@pytest.mark.parametrize("seed,kwargs", [(1, {}), (2, {"activation": "erf", "depth": 3}),
                                         (3, {"keep_prob": "7/8", "depth": 4})])
def test_first_layer_claim_other_seeds_and_settings(seed, kwargs):
    r = run(first_layer_claim(**kwargs), seed=seed)
    assert r.verdict is Verdict.VERIFIED, r.explanation


def test_rescaled_witness_is_the_first_layer_gap():
    """C2's witness is C5's gap: with ReLU the mean-field kernel of the rescaled net is dense."""
    r = run(rescaled_equals_dense_claim(2, "1/2", prune_first_layer=True))
    w = r.checks[0].data["witness"]
    arch = Architecture.pruned(2, "1/2", rescale=True, prune_first_layer=True)
    gap = first_layer_gap(arch, np.array([w["x"], w["y"]]))
    assert gap.exact.ntk[0, 1] == pytest.approx(w["pruned_ntk"], rel=1e-13)
    assert gap.mean_field.ntk[0, 1] == pytest.approx(w["dense_ntk"], rel=1e-13)
    assert abs(gap.relative_gap[0, 1]) > 0.05


@pytest.mark.parametrize("values,verdict,why", [
    ((0.3, 0.2, 0.1, 0.05), Verdict.VERIFIED, "strictly decreasing"),
    ((0.3, 0.35, 0.1, 0.05), Verdict.INCONCLUSIVE, "not monotone (rises at $d_0 = 4$)"),
    ((0.3, 0.1, 0.1, 0.05), Verdict.INCONCLUSIVE, "rises at $d_0 = 8$"),
    ((0.3, 0.2, 0.1, 0.3), Verdict.REFUTED, "no decrease"),
    ((0.3, 0.2, 0.4, 0.5), Verdict.REFUTED, "no decrease"),
    ((0.3, 0.4, 0.6, 0.29), Verdict.REFUTED, "slope $0."),          # lower at the end, slope > 0
    ((0.3, 0.2, 0.1, 1e-13), Verdict.INCONCLUSIVE, "float error"),
    ((1e-15, 1e-15, 1e-15, 1e-15), Verdict.INCONCLUSIVE, "float error"),
])
def test_gap_trend_refutes_only_when_there_is_no_decrease(values, verdict, why):
    """The claim is a limit: a bump on the grid is not a contradiction, no decrease is."""
    got, slope, reason = gap_trend((2, 4, 8, 16), values)
    assert got is verdict and why in reason, reason


def test_a_non_monotone_gap_makes_c5_inconclusive_not_refuted(monkeypatch):
    real = c5_first_layer.first_layer_gap
    bump = {2: 1.0, 4: 2.0, 8: 1.0, 16: 1.0}     # the gap at d0 = 4 doubled: above d0 = 2

    class Scaled:
        def __init__(self, gap, factor):
            self.max_relative_gap = gap.max_relative_gap * factor

    def fake(arch, Z, **kw):
        gap = real(arch, Z, **kw)
        return Scaled(gap, bump[Z.shape[1]]) if Z.shape[0] == 3 else gap

    monkeypatch.setattr(c5_first_layer, "first_layer_gap", fake)
    r = run(first_layer_claim())
    assert r.verdict is Verdict.INCONCLUSIVE, r.explanation
    data = r.checks[1].data
    assert data["parts"]["gap_shrinks"] == "inconclusive"
    assert "not monotone" in data["gap_shrinks"]["trend"]["plain"]["reason"]
    assert "(inconclusive)" in r.key_evidence


@pytest.mark.parametrize("activation", ["relu", "erf"])
def test_plain_equals_rescaled_is_reported_only_when_it_holds(activation):
    r = run(first_layer_claim(activation=activation))
    data = r.checks[1].data
    gaps = data["gap_shrinks"]["max_gap"]
    diff = max(abs(a - b) for a, b in zip(gaps["plain"], gaps["rescaled"]))
    if activation == "relu":                     # homogeneity: the factor cancels in the gap
        assert data["plain_equals_rescaled"] and diff <= REL_TOL
        assert "plain = rescaled (ReLU homogeneity)" in r.key_evidence
    else:
        assert not data["plain_equals_rescaled"] and diff > 1e-3
        assert "plain = rescaled" not in r.key_evidence


def test_summaries_are_short():
    claims = [scaling_claim(3, "3/10", 3), scaling_claim(2, "1/2", 3), scaling_claim(2, 1, 4),
              scaling_claim(3, "1/2", 0, rescale=True), scaling_claim(2, "1/2", 2, activation="erf"),
              scaling_claim(2, "1/2", 3, prune_first_layer=True),
              scaling_claim(1, "1/2", 2, prune_first_layer=True, d0=20),
              rescaled_equals_dense_claim(3, "1/2"),
              rescaled_equals_dense_claim(2, "1/2", prune_first_layer=True),
              first_layer_claim(), first_layer_claim(activation="erf", depth=3)]
    for claim in claims:
        r = run(claim)
        assert len(r.key_evidence) < 160, r.key_evidence
        assert "\n" not in r.key_evidence
        # the plain texts read on a terminal: no LaTeX left; the marked ones carry math
        for text in (r.title, r.explanation, r.key_evidence, r.description, *r.hypotheses):
            assert not set(text) & set("\\{}$"), text
        assert "$" in r.marked("key_evidence") and "$" in r.marked("title")
