"""Theorem 1 of Cai et al. against independent computations: Serra et al.'s set formula by
enumeration, Zaslavsky's count, prod(n_l + 1) for 1-D input, the literal double sum,
brute-force rank enumeration with scipy's matchings, and sampled ranks."""

from fractions import Fraction
from itertools import product
from math import comb, prod, sqrt

import numpy as np
import pytest
from hypothesis import given, strategies as st

from numerics.regions.ranks import sampled_rank_distribution, structural_rank
from theory._errors import InvalidArgument
from theory.regions.allocation import allocate_densities
from theory.regions.bound import (_literal_bound, deterministic_bound, region_bound,
                                  region_bounds)
from theory.regions.combinatorics import serra_bound, zaslavsky_count
from theory.regions.ranks import (RankDistribution, exact_rank_counts, exact_rank_distribution,
                                  full_rank_distribution, rowcount_rank_distribution)

small_widths = st.lists(st.integers(1, 6), min_size=2, max_size=5)
densities = st.fractions(min_value=0, max_value=1, max_denominator=12)


def full_laws(widths):
    return [full_rank_distribution(widths[l], widths[l - 1]) for l in range(1, len(widths))]


@given(small_widths)
def test_full_rank_recursion_is_serras_set_formula(widths):
    for d in range(1, widths[0] + 1):
        widths_d = (d, *widths[1:])          # a d-dimensional input space
        assert region_bound(widths_d, full_laws(widths_d), d).value == serra_bound(widths_d)


@given(st.integers(1, 30), st.integers(1, 30), st.integers(1, 30))
def test_one_layer_is_zaslavskys_count(n0, n1, d):
    d = min(d, n0)
    expected = sum(comb(n1, j) for j in range(min(n1, d) + 1))      # written out here
    assert region_bound((n0, n1), full_laws((n0, n1)), d).value == expected
    assert zaslavsky_count(n1, d) == expected


@given(st.lists(st.integers(2, 40), min_size=1, max_size=6))
def test_one_dimensional_input_gives_the_product(widths):
    assert region_bound((1, *widths), full_laws((1, *widths)), 1).value == \
        prod(n + 1 for n in widths)


def test_serra_counts_a_hand_example():
    # n0 = 2, widths 3, 3: J = {(j1, j2): j1 <= 2, j2 <= min(2, 3 - j1)}
    by_hand = sum(comb(3, j1) * comb(3, j2) for j1 in range(3) for j2 in range(min(2, 3 - j1) + 1))
    assert serra_bound((2, 3, 3)) == by_hand == 1 * 7 + 3 * 7 + 3 * 4


@pytest.mark.parametrize("rows,cols", [(1, 1), (2, 2), (2, 3), (3, 3), (3, 4), (4, 3)])
def test_exact_rank_counts_match_brute_force_matchings(rows, cols):
    """Every mask enumerated and matched with scipy (a second algorithm)."""
    n = rows * cols
    counts = np.zeros((min(rows, cols) + 1, n + 1), dtype=np.int64)
    for bits in product((0, 1), repeat=n):
        M = np.array(bits).reshape(rows, cols)
        counts[structural_rank(M), sum(bits)] += 1
    assert [list(r) for r in exact_rank_counts(rows, cols)] == counts.tolist()


def test_exact_law_is_a_polynomial_in_the_density():
    law = exact_rank_distribution(2, 2, Fraction(1, 3))
    S = Fraction(1, 3)
    # rank 2 needs a perfect matching: diagonal or antidiagonal (inclusion-exclusion)
    assert law.probabilities[2] == 2 * S ** 2 - S ** 4
    assert law.probabilities[0] == (1 - S) ** 4


def test_sampled_law_agrees_with_the_exact_law():
    """Each P(k) within z * its binomial standard error; z = 4.0 gives a false-alarm rate
    below 6.4e-5 per k (normal approximation), 4e-4 over the 6 ranks (Bonferroni)."""
    T = 4000
    exact = exact_rank_distribution(4, 5, "0.3").as_floats()
    sampled = sampled_rank_distribution(4, 5, "0.3", samples=T, seed=1).as_floats()
    for p, f in zip(exact, sampled):
        assert abs(f - p) <= 4.0 * sqrt(max(p * (1 - p), 1 / T) / T)


def test_truncated_sampling_agrees_with_the_truncated_exact_law():
    """Sampling min(rank, top) from the first rows only is exact in law: P(min(k, 2) = t)
    within 4 binomial standard errors of the exact law (false-alarm rate < 2e-4)."""
    T = 4000
    exact = exact_rank_distribution(5, 5, "0.2", top=2).as_floats()
    sampled = sampled_rank_distribution(5, 5, "0.2", samples=T, seed=3, top=2)
    assert sampled.top == 2 and sampled.truncated
    for p, f in zip(exact, sampled.as_floats()):
        assert abs(f - p) <= 4.0 * sqrt(max(p * (1 - p), 1 / T) / T)


@given(st.integers(1, 5), st.integers(1, 5), densities)
def test_rowcount_law_dominates_the_exact_law(rows, cols, S):
    exact, rowcount = exact_rank_distribution(rows, cols, S), rowcount_rank_distribution(rows, cols, S)
    assert all(rowcount.tail(t) >= exact.tail(t) for t in range(min(rows, cols) + 1))


@given(st.lists(st.integers(1, 4), min_size=2, max_size=4), st.data())
def test_literal_double_sum_and_truncation_agree(widths, data):
    laws = [exact_rank_distribution(widths[l], widths[l - 1], data.draw(densities))
            for l in range(1, len(widths))]
    for d in range(1, widths[0] + 1):
        value = region_bound(widths, laws, d).value
        assert value == _literal_bound(widths, laws, d)
        assert value == region_bound(widths, [law.truncate(d) for law in laws], d).value


@given(st.lists(st.integers(1, 4), min_size=2, max_size=4), st.data())
def test_bound_is_monotone_in_each_density(widths, data):
    ps = [data.draw(densities) for _ in widths[1:]]
    layer = data.draw(st.integers(0, len(ps) - 1))
    higher = list(ps)
    higher[layer] = data.draw(st.fractions(min_value=ps[layer], max_value=1, max_denominator=12))

    def bound(qs):
        return region_bound(widths, [exact_rank_distribution(widths[l], widths[l - 1], q)
                                     for l, q in enumerate(qs, start=1)], 1).value
    assert bound(higher) >= bound(ps)


def test_bound_lies_between_its_rank_extremes():
    widths, d = (3, 4, 4, 3), 2
    exact = [exact_rank_distribution(widths[l], widths[l - 1], "1/2") for l in (1, 2, 3)]
    rowcount = [rowcount_rank_distribution(widths[l], widths[l - 1], "1/2") for l in (1, 2, 3)]
    b = region_bound(widths, exact, d).value
    assert deterministic_bound(widths, (0, 0, 0), d) < b <= region_bound(widths, rowcount, d).value
    assert region_bound(widths, rowcount, d).value < region_bound(widths, full_laws(widths), d).value


def test_large_shape_bound_is_exact():
    w = (784, 300, 100, 10)
    laws = [rowcount_rank_distribution(w[l], w[l - 1], "0.1", top=4) for l in (1, 2, 3)]
    bounds = region_bounds(w, laws, (1, 2, 3, 4))
    dense = region_bounds(w, full_laws(w), (1, 2, 3, 4))
    for b, f in zip(bounds, dense):
        assert b.value < f.value and abs(b.log2 - f.log2) < 1e-9   # rank < 4: about 10^-10600


def test_allocation_keeps_the_budget_and_never_loses_to_uniform():
    for D in ("0.01", "0.1"):
        uni = allocate_densities((784, 20, 20, 10), D, 2, method="uniform")
        tp = allocate_densities((784, 20, 20, 10), D, 2)
        assert tp.kept_weights <= uni.kept_weights and tp.log2_bound >= uni.log2_bound
        assert all(0 < p <= 1 for p in tp.densities)


@pytest.mark.parametrize("call, argument", [
    (lambda: region_bound((3,), [], 1), "widths"),
    (lambda: region_bound((3, 2), full_laws((3, 2)), 4), "dim"),
    (lambda: region_bound((3, 2), full_laws((2, 2)), 1), "distributions"),
    (lambda: region_bound((3, 0), [], 1), "widths"),
    (lambda: exact_rank_distribution(2, 2, "1.5"), "density"),
    (lambda: exact_rank_distribution(2, 2, "x"), "density"),
    (lambda: exact_rank_counts(9, 9), "shape"),
    (lambda: RankDistribution(2, 2, Fraction(1), (1, 1, 1), 2, "exact"), "numerators"),
    (lambda: region_bound((4, 3, 3), [full_rank_distribution(3, 4, top=1),
                                     full_rank_distribution(3, 3)], 2), "distributions"),
    (lambda: allocate_densities((4, 3), "0", 1), "density"),
    (lambda: allocate_densities((4, 3), "0.5", 1, method="best"), "method"),
])
def test_bad_arguments_name_themselves(call, argument):
    with pytest.raises(InvalidArgument) as info:
        call()
    assert info.value.argument == argument and "fix:" in str(info.value)
