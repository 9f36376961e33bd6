"""Exact region counters: hand-derivable cases, segment = triangle edge, grid lower bounds,
and the counts against the deterministic bound of the networks' own ranks and Theorem 1."""

from fractions import Fraction
from math import sqrt

import numpy as np
import pytest
from hypothesis import given, strategies as st

from numerics.regions.average import count_regions, mask_trials, random_relu_stack
from numerics.regions.data import data_points
from numerics.regions.lower import grid_pattern_count
from numerics.regions.polygon import count_triangle, edge_pieces
from numerics.regions.segment import count_segment
from theory._errors import InvalidArgument
from theory.regions.bound import region_bound
from theory.regions.ranks import exact_rank_distribution, full_rank_distribution


def lifted(breaks):
    """One layer relu(x - b_i) on inputs (x, 1): the bias is the second coordinate."""
    return np.array([[1.0, -b] for b in breaks])


def test_segment_hand_cases():
    layer = lifted([0.5, 1.5, 2.5, 2.5])                  # breakpoints 0.5, 1.5, 2.5 (twice)
    r = count_segment([layer], [0.0, 1.0], [2.0, 1.0])      # x from 0 to 2 meets 0.5 and 1.5
    assert r.count == 3 and r.breakpoints == (Fraction(1, 4), Fraction(3, 4))
    assert count_segment([layer], [0.0, 1.0], [3.0, 1.0]).count == 4   # 2.5 counted once
    assert count_segment([layer], [0.5, 1.0], [1.5, 1.0]).count == 1   # endpoints only


def test_second_layer_hand_case():
    # layer 1: a = relu(x), b = relu(x - 1); layer 2: relu(a - 2b - 1/2) is positive on
    # (1/2, 3/2) only (a - 2b = x on [0, 1], 2 - x on [1, 2]); pieces of [-1, 3]:
    # x < 0 | 0 < x < 1/2 | 1/2 < x < 1 | 1 < x < 3/2 | 3/2 < x  -> 5 regions
    first = np.array([[1.0, 0.0], [1.0, -1.0], [0.0, 1.0]])      # third unit carries the 1
    second = np.array([[1.0, -2.0, -0.5]])
    r = count_segment([first, second], [-1.0, 1.0], [3.0, 1.0])
    assert r.count == 5 and r.per_layer == (3, 5)
    assert r.breakpoints == (Fraction(1, 4), Fraction(3, 8), Fraction(1, 2), Fraction(5, 8))


def test_lines_through_the_origin_cut_a_triangle_around_it_into_2n():
    angles = np.arange(5) * np.pi / 5 + 0.1
    layer = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    assert count_triangle([layer], [-3.0, -3.0], [6.0, -3.0], [-3.0, 6.0]).count == 10
    assert count_triangle([layer], [1.0, 1.0], [2.0, 1.0], [1.0, 2.0]).count >= 1


def test_lines_in_general_position_give_zaslavskys_count_in_a_big_triangle():
    rng = np.random.default_rng(3)
    n = 6
    layer = np.concatenate([rng.standard_normal((n, 2)), rng.uniform(-1, 1, (n, 1))], axis=1)
    big = 1e4          # every intersection (coordinates O(10)) lies inside
    r = count_triangle([layer], [-big, -big, 1.0], [2 * big, -big, 1.0], [-big, 2 * big, 1.0])
    assert r.count == 1 + n + n * (n - 1) // 2


@pytest.mark.parametrize("seed", range(4))
def test_segment_count_equals_the_triangles_edge_pieces(seed):
    rng = np.random.default_rng(seed)
    layers = random_relu_stack((8, 10, 8, 6), (1, "0.5", "0.5"), seed)
    P = rng.standard_normal((3, 8))
    tri = count_triangle(layers, *P)
    pairs = [(P[0], P[1]), (P[1], P[2]), (P[2], P[0])]
    assert [edge_pieces(tri, e) for e in range(3)] == \
        [count_segment(layers, a, b).count for a, b in pairs]
    patterns = [p for _, p in tri.cells]
    assert len(set(patterns)) == len(patterns)          # one cell per activation pattern


@pytest.mark.parametrize("corners", [2, 3])
def test_grid_counts_are_lower_bounds_that_reach_the_exact_count(corners):
    layers = random_relu_stack((64, 12, 8), (1, "0.5"), 7)
    P = data_points(corners, seed=2)
    exact = count_regions(layers, P).count
    lower = grid_pattern_count(layers, P, 2000 if corners == 3 else 200000).lower_bound
    assert lower <= exact and lower >= 0.9 * exact


def test_counts_never_exceed_the_networks_own_bound():
    P = data_points(3, seed=0)
    for density in ("0.3", "0.6", "1"):
        for trial in mask_trials((64, 10, 8, 6), (1, density, density), P, 5, seed=1):
            assert 1 <= trial.count <= trial.deterministic_bound


def test_mask_average_stays_below_theorem_1():
    """Upper 99.9% t-limit of the mean count (20 networks, one-sided, false-alarm rate
    1e-3) below Theorem 1 with the exact rank laws; the bound is loose (ratio > 10)."""
    widths, P = (64, 6, 4, 3), data_points(3, seed=0)
    for density in ("1/4", "1/2", "1"):
        counts = np.array([t.count for t in mask_trials(widths, (1, density, density), P, 20)])
        laws = [full_rank_distribution(6, 64)] + [
            exact_rank_distribution(widths[l], widths[l - 1], density) for l in (2, 3)]
        theorem = float(region_bound(widths, laws, 2).value)
        upper = counts.mean() + 3.579 * counts.std(ddof=1) / sqrt(len(counts))   # t_{0.999,19}
        assert upper <= theorem and theorem / counts.mean() > 10


def test_looseness_rows_are_theorem_over_mean():
    from numerics.regions.average import looseness
    rows = looseness((64, 6, 4), ("1/2", "1"), data_points(3, seed=1), trials=6)
    for r in rows:
        assert r.ratio == pytest.approx(r.theorem_1 / r.mean_count)
        assert r.mean_count <= r.mean_own_bound and r.rank_methods == ("full", "exact")


@pytest.mark.parametrize("call, argument", [
    (lambda: count_segment([np.ones((2, 3))], [0, 0, 0], [0, 0, 0]), "end"),
    (lambda: count_segment([np.ones((2, 3))], [0, 0], [1, 1]), "matrices"),
    (lambda: count_triangle([np.ones((2, 2))], [0, 0], [1, 1], [2, 2]), "points"),
    (lambda: count_regions([np.ones((2, 2))], np.ones((4, 2))), "points"),
    (lambda: count_segment([np.ones((2, 2)), np.ones((2, 3))], [0, 1], [1, 0]), "matrices"),
    (lambda: data_points(5000), "count"),
])
def test_bad_inputs_name_themselves(call, argument):
    with pytest.raises(InvalidArgument) as info:
        call()
    assert info.value.argument == argument


@st.composite
def small_networks(draw):
    """Small sparse ReLU stacks (dead units and empty rows included) and 3 points."""
    widths = [draw(st.integers(2, 5))] + draw(st.lists(st.integers(1, 6), min_size=1,
                                                        max_size=3))
    seed = draw(st.integers(0, 2 ** 16))
    density = draw(st.sampled_from(["0.3", "0.6", "1"]))
    layers = random_relu_stack(widths, ["1"] + [density] * (len(widths) - 2), seed)
    points = np.random.default_rng(seed + 1).integers(-4, 5, (3, widths[0])).astype(float)
    return widths, layers, points


@given(small_networks())
def test_property_counts_respect_the_own_bound_and_the_two_counters_agree(case):
    from numerics.regions.ranks import structural_rank
    from theory.regions.bound import deterministic_bound
    widths, layers, P = case
    ranks = [structural_rank(A) for A in layers]
    u, v = P[1] - P[0], P[2] - P[0]
    if not np.array_equal(P[0], P[1]):
        seg = count_segment(layers, P[0], P[1]).count
        assert 1 <= seg <= deterministic_bound(widths, ranks, 1)
    if np.dot(u, u) * np.dot(v, v) != np.dot(u, v) ** 2:       # not collinear (exact: ints)
        tri = count_triangle(layers, *P)
        assert tri.count <= deterministic_bound(widths, ranks, min(2, widths[0]))
        assert edge_pieces(tri, 0) == count_segment(layers, P[0], P[1]).count
