"""Finite networks with graphon-sampled masks (numerics.graphons): the sampler, and the
convergence of the exact empirical NTK to the Graphon NTK (theory.graphon).

Statistical decisions use fixed seeds and state their false-alarm rates: per-block
mask frequencies are z-tested at 1e-6 per test (Bonferroni over blocks), the
deviation slope's interval is a 99% bootstrap interval, and the test of the mean has
a family-wise rate of 1% over its three entries.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from numerics.graphons import analyse_convergence, block_index, graphon_trials, sample_graphon_network
from numerics.sweeps.store import ResultStore
from theory import InvalidArgument
from theory.graphon import GraphonNetwork

X_PAIR = ([1.0, 0.0, 0.0], [0.6, 0.8, 0.0])


def test_block_frequencies_match_the_graphon():
    G1 = np.array([[0.9, 0.0, 0.5], [0.2, 1.0, 0.5], [0.4, 0.7, 0.1]])
    G2 = np.array([[0.9, 0.2, 0.7], [0.3, 0.6, 0.05]])
    G3 = np.array([[0.8, 0.4]])
    net = GraphonNetwork.from_layers({1: G1, 2: G2, 3: G3}, 2)
    n1, n2 = 301, 256                     # 301 is not divisible by K_1 = 3: blocks of 101, 100, 100
    sampled = sample_graphon_network(net, [n1, n2], seed=4, trial=0)
    checks = [(sampled.masks[0], block_index(n1, 3), np.arange(3), G1),
              (sampled.masks[1], block_index(n2, 2), block_index(n1, 3), G2),
              (sampled.masks[2], np.zeros(1, int), block_index(n2, 2), G3)]
    z_crit = stats.norm.isf(1e-6 / 2 / 17)   # 17 blocks in all
    for M, rows, cols, G in checks:
        for a in range(G.shape[0]):
            for b in range(G.shape[1]):
                block = M[np.ix_(rows == a, cols == b)]
                g = G[a, b]
                if g in (0.0, 1.0):
                    assert np.all(block == bool(g))
                    continue
                se = math.sqrt(g * (1 - g) / block.size)
                assert abs(block.mean() - g) <= z_crit * se


def test_sampling_is_counter_based_and_coupled():
    low = GraphonNetwork.from_layers({2: [[0.2, 0.5], [0.1, 0.3]], 3: [[0.5, 0.5]]}, 2)
    high = GraphonNetwork.from_layers({2: [[0.6, 0.9], [0.4, 0.3]], 3: [[0.5, 1.0]]}, 2)
    a = sample_graphon_network(low, 64, seed=1, trial=2, input_dim=3)
    b = sample_graphon_network(low, 64, seed=1, trial=2, input_dim=3)
    c = sample_graphon_network(high, 64, seed=1, trial=2, input_dim=3)
    assert all(np.array_equal(x, y) for x, y in zip(a.weights, b.weights))
    for Ml, Mh in zip(a.masks[1:], c.masks[1:]):      # a larger graphon keeps a superset
        assert np.all(Mh[Ml])
    d = sample_graphon_network(low, 64, seed=1, trial=3, input_dim=3)
    assert not np.array_equal(a.masks[1], d.masks[1])


def test_rescaled_layers_use_the_graphon_density():
    net = GraphonNetwork.from_layers({2: [[0.2, 0.6], [0.4, 0.8]], 3: [[0.5, 1.0]]}, 2,
                                     rescale=True)
    sampled = sample_graphon_network(net, 8, seed=0, input_dim=2)
    assert sampled.layer_factors() == pytest.approx((1.0, 1 / math.sqrt(0.5), 1 / math.sqrt(0.75)),
                                                    rel=1e-15)


def test_bad_sampling_arguments():
    net = GraphonNetwork.from_layers({2: np.full((4, 4), 0.5), 3: np.full((1, 4), 0.5)}, 2)
    with pytest.raises(InvalidArgument, match="widths=3 is invalid: layer 1 has 4"):
        sample_graphon_network(net, 3, seed=0, input_dim=2)
    with pytest.raises(InvalidArgument, match="input_dim"):
        sample_graphon_network(net, 8, seed=0)


def _study(net, seed):
    runs = graphon_trials(net, *X_PAIR, widths=[64, 128, 256, 512, 1024], trials=40, seed=seed)
    return runs, analyse_convergence(runs, level=0.99, alpha=0.01, resamples=1000)


@pytest.mark.parametrize("activation, rescale", [("relu", False), ("erf", True)])
def test_entk_converges_to_the_graphon_ntk(activation, rescale):
    G2 = np.array([[1.0, 0.1], [0.1, 0.1]])
    G3 = np.array([[1.0, 0.2]])
    net = GraphonNetwork.from_layers({2: G2, 3: G3}, 2, activation=activation, rescale=rescale)
    runs, report = _study(net, seed=11)
    assert report.slope_ci[0] <= -0.5 <= report.slope_ci[1], report.table()
    assert report.mean_consistent, report.table()
    # the test of the mean has power: the best constant graphon's NTK is rejected
    const = GraphonNetwork.constant(2, [1, G2.mean(), G3.mean()], activation=activation,
                                    rescale=rescale)
    from theory.graphon import graphon_ntk
    k = graphon_ntk(const, np.array(X_PAIR)).ntk
    wrong = type(runs)(runs.net, runs.x, runs.y, runs.widths, runs.values,
                       np.array([k[0, 1], k[0, 0], k[1, 1]]), runs.seed)
    assert not analyse_convergence(wrong, alpha=0.01, resamples=200).mean_consistent


def test_trials_resume_from_the_store(tmp_path):
    net = GraphonNetwork.from_layers({2: [[0.5, 0.9]], 3: [[0.7]]}, 2)
    db = tmp_path / "runs.sqlite"
    with ResultStore(db) as store:
        first = graphon_trials(net, *X_PAIR, widths=[16, 32], trials=3, store=store)
    calls = []
    with ResultStore(db) as store:
        more = graphon_trials(net, *X_PAIR, widths=[16, 32], trials=5, store=store,
                              progress=lambda n, t, total: calls.append((n, t)))
    assert sorted(calls) == [(16, 4), (16, 5), (32, 4), (32, 5)]      # only the new trials ran
    assert np.array_equal(more.values[16][:3], first.values[16])


def test_magnitude_selected_weights_follow_the_second_moment_profile():
    """Same densities, weights kept by magnitude: the eNTK converges to the Graphon NTK
    with the magnitude second-moment profile, and the paper's density-only prediction
    is rejected (family-wise 1% tests; 99% bootstrap slope interval)."""
    from theory.graphon import graphon_ntk, magnitude_second_moment
    G2 = np.array([[1.0, 0.1], [0.1, 0.1]])
    G3 = np.array([[1.0, 0.2]])
    net = GraphonNetwork.from_layers({2: G2, 3: G3}, 2)
    profiled = GraphonNetwork.from_layers({2: G2, 3: G3}, 2, variances={
        2: magnitude_second_moment(G2), 3: magnitude_second_moment(G3)})
    runs = graphon_trials(net, *X_PAIR, widths=[64, 128, 256, 512, 1024], trials=40, seed=3,
                          selection="magnitude", limit_net=profiled)
    report = analyse_convergence(runs, level=0.99, alpha=0.01, resamples=1000)
    assert report.mean_consistent and report.slope_ci[0] <= -0.5 <= report.slope_ci[1], \
        report.table()
    k = graphon_ntk(net, np.array(X_PAIR)).ntk
    density_only = type(runs)(runs.net, runs.x, runs.y, runs.widths, runs.values,
                              np.array([k[0, 1], k[0, 0], k[1, 1]]), runs.seed)
    assert not analyse_convergence(density_only, alpha=0.01, resamples=200).mean_consistent
    with pytest.raises(InvalidArgument, match="selection"):
        sample_graphon_network(net, 8, seed=0, input_dim=3, selection="snip")
