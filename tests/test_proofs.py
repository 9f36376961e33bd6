"""Symbolic proofs of C1 and C2, the erf witness, and checks that they can fail."""

from fractions import Fraction

import mpmath
import pytest
import sympy as sp

from theory.symbolic import proofs as P
from theory._errors import InvalidArgument
from theory.closed_forms import V_mp, Vdot_mp
from theory.config import Architecture
from theory.kernels.mp import limit_kernel_mp
from theory.symbolic.recursion import keep_prob_symbol, symbolic_kernel


def _well_formed(result):
    assert result.claim in ("C1", "C2", "C1-erf-witness")
    assert result.hypotheses and all(isinstance(h, str) for h in result.hypotheses)
    assert result.steps and all(isinstance(t, str) and isinstance(e, sp.Basic) for t, e in result.steps)
    assert isinstance(result.statement, sp.Basic) and result.elapsed >= 0


# ------------------------------------------------------------------ homogeneity
def test_homogeneity_holds_for_relu():
    result = P.prove_homogeneity("relu")
    _well_formed(result)
    assert result.holds and dict(result.steps)[r"$V(ta, tb, tc) - t \, V(a, b, c)$, simplified"] == 0


def test_homogeneity_fails_for_erf_with_an_independent_witness():
    result = P.prove_homogeneity("erf")
    assert not result.holds
    with mpmath.workdps(30):
        v_gap = V_mp("erf", 2, 2, 1) - 2 * V_mp("erf", 1, 1, mpmath.mpf(1) / 2)
        d_gap = Vdot_mp("erf", 2, 2, 1) - Vdot_mp("erf", 1, 1, mpmath.mpf(1) / 2)
    assert abs(float(result.data["V_difference"]) - float(v_gap)) < 1e-12 and abs(v_gap) > 0.1
    assert abs(float(result.data["Vdot_difference"]) - float(d_gap)) < 1e-12 and abs(d_gap) > 0.1


# ------------------------------------------------------------------ induction
def test_induction_proves_c1_for_relu():
    result = P.prove_scaling_induction("relu")
    _well_formed(result)
    assert result.holds
    steps = dict(result.steps)
    assert steps[r"$K^{(h+1)} - sP \, K_{\mathrm{d}}^{(h+1)}$, entrywise, simplified"] == sp.Tuple(0, 0, 0)
    assert any("mean-field" in h for h in result.hypotheses)


def test_induction_fails_for_erf():
    result = P.prove_scaling_induction("erf")
    assert not result.holds
    assert any(abs(d) > 1e-3 for d in result.data["differences"])


# ------------------------------------------------------------------ expansion
def test_expansion_depths_1_to_10_hold_on_a_small_dag():
    result = P.prove_scaling_expansion(10)
    _well_formed(result)
    rows = result.data["rows"]
    assert result.holds and [r["depth"] for r in rows] == list(range(1, 11))
    assert all(r["holds"] for r in rows)
    assert rows[-1]["tree_nodes"] > 10**6 and rows[-1]["dag_nodes"] < 500


def test_expansion_with_per_layer_keep_probabilities():
    result = P.prove_scaling_expansion(6, per_layer=True)
    assert result.holds


def test_expansion_fails_for_erf_beyond_one_layer():
    """With a dense first layer and L = 1 the output mask alone scales by q for any activation."""
    result = P.prove_scaling_expansion(3, activation="erf")
    holds = [r["holds"] for r in result.data["rows"]]
    assert holds == [True, False, False] and not result.holds
    assert "mixes different powers" in result.data["rows"][1]["reason"]


@pytest.mark.parametrize("activation, depth_max", [("relu", 5), ("erf", 2)])
def test_fast_check_agrees_with_factor_terms(activation, depth_max):
    """The canonical check is slow (erf at L = 3 alone takes ~10 s), hence the small depths."""
    fast = P.prove_scaling_expansion(depth_max, activation=activation)
    slow = P.prove_scaling_expansion(depth_max, method="factor_terms", activation=activation)
    assert [r["holds"] for r in fast.data["rows"]] == [r["holds"] for r in slow.data["rows"]]
    assert fast.holds == (activation == "relu")


@pytest.mark.parametrize("depth", [1, 3, 6])
def test_fast_check_rejects_wrong_claims(depth):
    arch = Architecture.pruned(depth, "1/2")
    pruned = symbolic_kernel(arch, keep_prob_symbols=True)
    dense = symbolic_kernel(arch.dense())
    q = keep_prob_symbol()
    assert P.check_monomial_factor(pruned.ntk, dense.ntk, q**depth).holds
    for wrong in (q ** (depth + 1), q ** (depth - 1) if depth > 1 else q**2, q ** sp.Rational(1, 2)):
        check = P.check_monomial_factor(pruned.ntk, dense.ntk, wrong)
        assert not check.holds and "powers differ" in check.reason
        if depth <= 3:  # the canonical check agrees (it is too slow for deeper nets)
            assert not P._factor_terms_check(pruned.ntk, dense.ntk, wrong)
    other = symbolic_kernel(Architecture.pruned(depth, "1/2", activation="erf").dense())
    check = P.check_monomial_factor(pruned.ntk, other.ntk, q**depth)
    assert not check.holds and "differs from the reference" in check.reason


def test_check_monomial_factor_arguments():
    q = keep_prob_symbol()
    arch = Architecture.pruned(2, "1/2")
    dense = symbolic_kernel(arch.dense()).ntk
    with pytest.raises(InvalidArgument):
        P.check_monomial_factor(dense, dense, 2 * q)
    with pytest.raises(InvalidArgument):
        P.check_monomial_factor(dense, q * dense, q)
    with pytest.raises(InvalidArgument):
        P.prove_scaling_expansion(2, method="expand")
    with pytest.raises(InvalidArgument):
        P.prove_scaling_expansion(0)


# ------------------------------------------------------------------ C2
@pytest.mark.parametrize("activation", [None, "relu", "erf"])
@pytest.mark.parametrize("depth", [1, 4])
def test_rescaled_pruning_equals_dense(activation, depth):
    result = P.prove_rescaled_equals_dense(depth, activation)
    _well_formed(result)
    assert result.holds and result.claim == "C2"
    assert dict(result.steps)[f"Pruned minus dense NTK at depth $L = {depth}$"] == 0


def test_rescaled_with_masked_first_layer_states_mean_field():
    result = P.prove_rescaled_equals_dense(3, None, prune_first_layer=True)
    assert result.holds and any("mean-field" in h for h in result.hypotheses)


def test_plain_pruning_is_not_dense_for_generic_maps():
    """The structural comparison of C2 can say no: plain pruning changes the kernel."""
    V, Vdot = sp.Function("V"), sp.Function("Vdot")
    arch = Architecture.pruned(2, "1/2")
    plain = symbolic_kernel(arch, keep_prob_symbols="per_layer", dual_maps=(V, Vdot))
    dense = symbolic_kernel(arch.dense(), dual_maps=(V, Vdot))
    assert plain.ntk != dense.ntk
    assert not P.check_monomial_factor(plain.ntk, dense.ntk, plain.scale_factor).holds


# ------------------------------------------------------------------ erf witness
def test_erf_witness_default():
    result = P.erf_witness()
    _well_formed(result)
    assert result.holds and result.claim == "C1-erf-witness"
    ratios = result.data["ratios"]
    assert abs(ratios["x = x'"] - ratios["angle pi/3"]) > 1e-2
    assert result.data["cross_check"] < 1e-45
    # independent: the vector-input mpmath kernel at unit inputs 60 degrees apart
    arch = Architecture.pruned(2, Fraction(1, 2), activation="erf")
    x, y = [1.0, 0.0], [0.5, 3**0.5 / 2]
    ratio = limit_kernel_mp(arch, x, y, dps=30).ntk / limit_kernel_mp(arch.dense(), x, y, dps=30).ntk
    assert abs(ratio - ratios["angle pi/3"]) < 1e-12
    profile = result.data["profile"]
    assert profile.minimax_error > 1e-2 and profile.minimax_error <= profile.least_squares_error
    assert profile.diag_range[1] - profile.diag_range[0] > 1e-2


def test_summary_lists_the_numbers():
    text = P.erf_witness().summary()
    assert text.startswith("C1-erf-witness") and ": holds." in text and "Minimax scalar" in text
    assert P.prove_scaling_induction("erf").summary().split(":")[1].strip().startswith("fails")


def test_erf_witness_needs_two_hidden_layers_or_a_masked_first_layer():
    assert not P.erf_witness(depth=1).holds
    assert P.erf_witness(depth=1, prune_first_layer=True).holds


def test_relu_ratio_profile_is_constant():
    arch = Architecture.pruned(3, "1/3")
    profile = P.ratio_profile(arch, n_angles=20, dps=30)
    assert profile.minimax_error < 1e-25
    with mpmath.workdps(30):
        assert abs(profile.minimax_scalar - mpmath.mpf(1) / 27) < 1e-28
    assert abs(profile.diag_range[1] - profile.diag_range[0]) < 1e-25


@pytest.mark.parametrize("call", [lambda: P.prove_homogeneity("tanh"),
                                  lambda: P.prove_scaling_induction("sigmoid"),
                                  lambda: P.prove_rescaled_equals_dense(0),
                                  lambda: P.erf_witness(dps=3)])
def test_bad_arguments(call):
    with pytest.raises(InvalidArgument):
        call()
