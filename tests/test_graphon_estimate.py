"""Graphon estimation from masks and cut-norm / cut-distance bounds (numerics.graphons).

References: brute-force enumeration of every (row set, column set) pair, the closed
form of a rank-one cut norm, the closed form for constant graphons, a naive loop
implementation of the degree-sorted histogram, and exhaustive block relabellings.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import stats

from numerics.graphons import (
    cut_distance_bounds,
    cut_norm,
    estimate_graphon,
    estimate_network_graphons,
    sample_graphon_network,
)
from theory import InvalidArgument
from theory.graphon import GraphonNetwork


def brute_cut_norm(D, mu, nu):
    best = 0.0
    for R in itertools.product([0.0, 1.0], repeat=D.shape[0]):
        for C in itertools.product([0.0, 1.0], repeat=D.shape[1]):
            best = max(best, abs(float((np.array(R) * mu) @ D @ (np.array(C) * nu))))
    return best


@pytest.mark.parametrize("seed", range(8))
def test_exact_cut_norm_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    r, c = (int(v) for v in rng.integers(1, 6, size=2))
    D = rng.normal(size=(r, c))
    mu, nu = rng.dirichlet(np.ones(r)), rng.dirichlet(np.ones(c))
    got = cut_norm(D, row_measure=mu, col_measure=nu)
    ref = brute_cut_norm(D, mu, nu)
    assert got.exact and got.value == pytest.approx(ref, rel=1e-13, abs=1e-15)
    bounds = cut_norm(D, row_measure=mu, col_measure=nu, exact_max=0)
    assert not bounds.exact
    assert bounds.lower <= ref * (1 + 1e-13) and ref <= bounds.upper * (1 + 1e-13)


def test_local_search_is_exact_on_rank_one_and_bounded_by_l1():
    rng = np.random.default_rng(3)
    u, v = rng.normal(size=64), rng.normal(size=64)
    closed = (max(u[u > 0].sum(), -u[u < 0].sum()) * max(v[v > 0].sum(), -v[v < 0].sum())
              / 64 / 64)
    got = cut_norm(np.outer(u, v))
    assert not got.exact and got.lower == pytest.approx(closed, rel=1e-12)
    assert closed <= got.upper <= np.mean(np.abs(np.outer(u, v))) * (1 + 1e-12)
    assert "lower bound: local search" in got.describe() and "upper bound" in got.describe()


def test_constant_graphons_have_closed_form_cut_distance():
    for c1, c2, k1, k2 in [(0.5, 0.2, 2, 3), (0.1, 0.9, 64, 64), (0.3, 0.3, 4, 8)]:
        b = cut_distance_bounds(np.full((k1, k1), c1), np.full((k2, k2), c2))
        assert b.lower == pytest.approx(abs(c1 - c2), abs=1e-15)
        assert b.upper == pytest.approx(abs(c1 - c2), abs=1e-15)


@pytest.mark.parametrize("seed", range(5))
def test_cut_distance_lower_bound_below_every_block_relabelling(seed):
    """delta_cut <= ||A - B relabelled||_cut for every block permutation, so the lower
    bound must stay below the smallest of those exact cut norms."""
    rng = np.random.default_rng(seed)
    A, B = rng.uniform(size=(3, 3)), rng.uniform(size=(3, 3))
    b = cut_distance_bounds(A, B)
    best = min(cut_norm(A - B[np.ix_(p, q)]).value
               for p in itertools.permutations(range(3)) for q in itertools.permutations(range(3)))
    assert b.lower <= best * (1 + 1e-12)
    assert b.aligned.exact and b.upper == pytest.approx(cut_norm(A - B).value, rel=1e-14)
    assert b.lower <= b.upper
    assert "lower bound from the degree distributions" in b.describe()


def naive_estimate(M, kr, kc):
    rows = sorted(range(M.shape[0]), key=lambda i: (-M[i].sum(), i))
    cols = sorted(range(M.shape[1]), key=lambda j: (-M[:, j].sum(), j))
    S = M[np.ix_(rows, cols)].astype(float)
    out = np.zeros((kr, kc))
    for a in range(kr):
        for b in range(kc):
            ri = [i for i in range(M.shape[0]) if i * kr // M.shape[0] == a]
            ci = [j for j in range(M.shape[1]) if j * kc // M.shape[1] == b]
            out[a, b] = S[np.ix_(ri, ci)].mean()
    return out


@pytest.mark.parametrize("shape, blocks", [((13, 7), (4, 3)), ((20, 20), (5, 5)), ((9, 30), (9, 1))])
def test_estimate_matches_a_naive_loop(shape, blocks):
    M = np.random.default_rng(1).random(shape) < 0.4
    est = estimate_graphon(M, blocks)
    assert np.allclose(est.values, naive_estimate(M, *blocks), rtol=0, atol=1e-15)
    assert est.density == pytest.approx(M.mean(), rel=1e-14)


def test_estimate_recovers_a_two_level_graphon():
    """Rows sorted by in-degree separate the two levels; with the columns left in
    place each block is an unbiased mean of 256 x 256 Bernoulli draws (z-test at 1e-6,
    Bonferroni over 4 blocks).  Sorting the columns too moves the halves apart by the
    order-statistic shift of the column degrees, sqrt(2/pi) sd each way (checked
    against its predicted size with the same z)."""
    net = GraphonNetwork.from_layers({2: [[0.8, 0.8], [0.2, 0.2]], 3: [[1.0, 1.0]]}, 2)
    M = sample_graphon_network(net, 512, seed=2, input_dim=3).masks[1]
    est = estimate_graphon(M, 2, sort_cols=False)
    z = stats.norm.isf(1e-6 / 2 / 4)
    for a, g in ((0, 0.8), (1, 0.2)):
        for b in range(2):
            se = math.sqrt(g * (1 - g) / (256 * 256))
            assert abs(est.values[a, b] - g) <= z * se
    both = estimate_graphon(M, 2).values
    col_sd = math.sqrt(256 * (0.16 + 0.16)) / 512       # sd of a column's kept fraction
    shift = (both[:, 0] - both[:, 1]).mean()             # top minus bottom column half
    se = math.sqrt(2 * (0.16 + 0.16) / 2 / (256 * 256))  # noise of that difference, roughly
    assert abs(shift - 2 * math.sqrt(2 / math.pi) * col_sd) <= z * (se + col_sd / math.sqrt(256))


def test_estimates_of_a_constant_graphon_approach_it_with_width():
    net = GraphonNetwork.constant(2, [1, 0.3, 0.3], blocks=1)
    dist = []
    for n in (128, 1024):
        M = sample_graphon_network(net, n, seed=5, input_dim=3).masks[1]
        dist.append(cut_distance_bounds(estimate_graphon(M, 8).values, np.full((1, 1), 0.3)))
    assert dist[1].upper < dist[0].upper and dist[1].l1 < dist[0].l1


def test_network_estimates_keep_input_columns_and_one_output_row():
    G1 = np.random.default_rng(0).uniform(size=(4, 5))
    net = GraphonNetwork.from_layers({1: G1, 2: np.full((4, 4), 0.5), 3: np.full((1, 4), 0.5)}, 2)
    sampled = sample_graphon_network(net, 64, seed=0)
    est = estimate_network_graphons(sampled.masks, 8)
    assert [e.values.shape for e in est] == [(8, 5), (8, 8), (1, 8)]
    assert np.array_equal(est[0].col_order, np.arange(5))
    assert estimate_network_graphons([None, sampled.masks[2]], 8)[0] is None


@pytest.mark.parametrize("call, match", [
    (lambda: estimate_graphon(np.ones((10, 10)), 11), "blocks=11 is invalid: larger than the mask's 10 rows"),
    (lambda: estimate_graphon(np.ones((10, 4)), 8), "larger than the mask's 4 columns"),
    (lambda: estimate_graphon(np.full((3, 3), 2), 2), "entries other than 0 and 1"),
    (lambda: estimate_graphon(np.ones(3), 1), "2-D mask"),
    (lambda: estimate_network_graphons([np.ones((8, 3)), np.ones((1, 8))], 16), "blocks=16.*layer 1"),
    (lambda: cut_norm(np.array([[np.nan]])), "finite"),
])
def test_bad_estimation_arguments(call, match):
    with pytest.raises(InvalidArgument, match=match) as err:
        call()
    assert "\n" not in str(err.value)


def test_second_moment_estimate_of_magnitude_selected_weights():
    from theory.graphon import magnitude_second_moment
    G2 = np.array([[0.9, 0.3], [0.5, 0.1]])
    net = GraphonNetwork.from_layers({2: G2, 3: np.full((1, 2), 0.5)}, 2)
    s = sample_graphon_network(net, 512, seed=4, input_dim=3, selection="magnitude")
    est = estimate_graphon(s.masks[1], 2, sort_rows=False, sort_cols=False,
                           weights=s.weights[1])
    V = magnitude_second_moment(G2)
    z = stats.norm.isf(1e-6 / 2 / 4)
    W2 = np.where(s.masks[1], s.weights[1] ** 2, 0.0)
    for a in range(2):
        for b in range(2):
            block = W2[256 * a:256 * (a + 1), 256 * b:256 * (b + 1)]
            se = block.std(ddof=1) / math.sqrt(block.size)
            assert abs(est.second_moment[a, b] - V[a, b]) <= z * se
            assert abs(est.values[a, b] - G2[a, b]) <= z * math.sqrt(G2[a, b] * (1 - G2[a, b])
                                                                    / block.size)
    assert np.all(est.second_moment > est.values)   # magnitude keeps large weights


def test_shared_order_chains_the_layers_and_per_layer_order_does_not():
    """Layer-2 neurons of block 0 have high in-degree but low out-degree.  One order per
    hidden layer (total degree) keeps each neuron's in- and out-profile together: the
    estimates are the truth relabelled consistently (z-tests at 1e-6, Bonferroni over 6
    blocks), so the Graphon NTK is recovered; sorting every mask on its own (the paper's
    estimator) pairs the wrong profiles and misses the NTK by a factor (and degrades the
    one-row output mask to sorted 0/1 entries)."""
    from numerics.graphons import to_graphon_network
    from theory.graphon import graphon_ntk
    G2, G3 = np.array([[0.9, 0.5], [0.3, 0.1]]), np.array([[0.2, 0.9]])
    net = GraphonNetwork.from_layers({2: G2, 3: G3}, 2)
    X = np.array([[1.0, 0.0, 0.0], [0.6, 0.8, 0.0]])
    truth = graphon_ntk(net, X).ntk
    s = sample_graphon_network(net, 512, seed=0, input_dim=3)
    shared = estimate_network_graphons(s.masks, 2, order="shared")
    # total degree counts: the one output row adds at most 1, so layer 2 is ordered by its
    # in-degree (block 0: 0.7 x 512 first) and layer 1 by its out-degree (block 0: 0.6 first)
    # - the identity relabelling here; the output mask's columns follow layer 2's order
    relabelled = [(shared[1].values, G2, 256 * 256), (shared[2].values, G3, 256)]
    z = stats.norm.isf(1e-6 / 2 / 6)
    for est, ref, count in relabelled:
        assert np.all(np.abs(est - ref) <= z * np.sqrt(ref * (1 - ref) / count))
    errors = {}
    for order, est in (("shared", shared),
                       ("per_layer", estimate_network_graphons(s.masks, 2, order="per_layer"))):
        k = graphon_ntk(to_graphon_network(est, input_dim=3), X).ntk
        errors[order] = float(np.max(np.abs(k / truth - 1)))
    assert errors["shared"] < errors["per_layer"] / 10


def test_unequal_blocks_match_the_neuron_level_expansion():
    """Blocks of unequal size (K not dividing the width) are compared on the common
    refinement: the same as expanding both graphons to one row/column per neuron."""
    from numerics.graphons import estimate_distance
    rng = np.random.default_rng(6)
    A, B = rng.uniform(size=(2, 3)), rng.uniform(size=(3, 2))
    ra, rb, ca, cb = [2, 3], [1, 2, 2], [1, 1, 3], [3, 2]
    got = cut_distance_bounds(A, B, row_sizes=(ra, rb), col_sizes=(ca, cb))
    Ae = np.repeat(np.repeat(A, ra, axis=0), ca, axis=1)
    Be = np.repeat(np.repeat(B, rb, axis=0), cb, axis=1)
    ref = cut_distance_bounds(Ae, Be)
    assert got.aligned.exact and ref.aligned.exact
    for field in ("lower", "upper", "l1"):
        assert getattr(got, field) == pytest.approx(getattr(ref, field), rel=1e-12)
    M1 = np.random.default_rng(0).random((101, 77)) < 0.3
    M2 = np.random.default_rng(1).random((150, 90)) < 0.3
    e1, e2 = estimate_graphon(M1, 4), estimate_graphon(M2, 4)
    d = estimate_distance(e1, e2)
    assert d.lower <= d.upper and d.l1 >= d.upper - 1e-15


def test_distances_to_reference():
    from numerics.graphons import distances_to_reference, estimate_distance
    net = GraphonNetwork.from_layers({2: [[0.9, 0.5], [0.3, 0.1]], 3: [[0.2, 0.9]]}, 2)
    est = {n: [estimate_network_graphons(sample_graphon_network(net, n, 0, t, input_dim=3).masks,
                                         4) for t in range(4)] for n in (64, 128, 256, 1024)}
    d = distances_to_reference(est, resamples=200)
    assert d.widths == (64, 128, 256) and d.reference_width == 1024 and d.layers == (2, 3)
    # the reference is the trial mean at 1024; a width-64 trial against it, recomputed
    ref = np.mean([t[1].values for t in est[1024]], axis=0)
    one = cut_distance_bounds(est[64][2][1].values, ref)
    assert d.cut_upper[64, 2][2] == pytest.approx(one.upper, rel=1e-14)
    assert d.cut_lower[64, 2][2] == pytest.approx(one.lower, rel=1e-14)
    assert np.all(d.cut_lower[64, 2] <= d.cut_upper[64, 2] + 1e-15)
    for h, (slope, (lo, hi)) in d.rates.items():
        assert lo <= slope <= hi
    assert "cut upper: cut norm of the aligned difference, exact" in d.table()
    # identical estimates at every width: every distance is 0
    same = {n: est[1024] for n in (64, 128, 1024)}
    zero = distances_to_reference({n: [est[1024][0]] * 2 for n in same}, resamples=100)
    assert all(np.all(v == 0) for v in zero.cut_upper.values())
    assert all(rate is None for rate in zero.rates.values()) and "no rate" in zero.table()
    assert estimate_distance(est[1024][0][1], est[1024][0][1]).upper == 0
    with pytest.raises(InvalidArgument, match="need two widths besides the reference"):
        distances_to_reference({64: est[64], 1024: est[1024]})
    with pytest.raises(InvalidArgument, match="reference_width=100"):
        distances_to_reference(est, reference_width=100)
