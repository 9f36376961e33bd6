"""Predicted finite-width means and variances against Monte Carlo networks.

Every check is a set of z-tests under one union bound at false-alarm rate ALPHA (if the
theory is right, the chance that any test of a call fails is at most ALPHA, up to the
normal approximation of the sample moments with hundreds of trials); seeds are fixed, so
each run is the same.  Depth 1 is exact at every width; deeper nets are checked through
the intercept of a fit in 1/n.
"""

from __future__ import annotations

import numpy as np
import pytest

from numerics.sweeps.store import ResultStore
from numerics.variance.checks import check_variance
from numerics.variance.monte_carlo import moments, sample_entries
from theory.config import Architecture

ALPHA = 1e-3
X = np.array([[1.0, 0.0, 0.0], [0.6, 0.8, 0.0], [0.995, 0.0998749, 0.0]])
PAIRS = [(0, 1), (0, 2), (1, 1)]


def _report(check):
    return "; ".join(f"{e.pair}: {({k: round(v, 2) for k, v in e.z.items()})}"
                     for e in check.entries) + f" (z* = {check.z_threshold:.2f})"


@pytest.mark.parametrize("arch", [
    Architecture.pruned(1, "0.25", rescale=True),
    Architecture.pruned(1, "0.5", prune_first_layer=True),
    Architecture.pruned(1, "0.125", masked_layers=[2]),
    Architecture.pruned(1, "0.5", activation="erf", rescale=True),
], ids=lambda a: a.describe())
def test_depth_one_is_exact_at_every_width(arch):
    check = check_variance(arch, (32, 128), X, PAIRS, trials=300, seed=11, alpha=ALPHA)
    assert check.passed, _report(check)


def test_relu_diagonal_mean_has_no_correction_at_small_width():
    arch = Architecture.pruned(3, "0.25", rescale=True)
    check = check_variance(arch, (16, 32), X, [(1, 1)], trials=300, seed=5, alpha=ALPHA)
    e = check.entries[0]
    assert {"mean@16", "mean@32"} <= set(e.z) and check.passed, _report(check)


def test_a_wrong_variance_is_rejected():
    """The check has power: the same samples reject V scaled by 1.3 at depth 1."""
    arch = Architecture.pruned(1, "0.5", rescale=True)
    check = check_variance(arch, (64,), X, [(0, 1)], trials=600, seed=2, alpha=ALPHA)
    p = check.entries[0].points[0]
    z_wrong = (p.n_var - 1.3 * check.entries[0].n_var_pred) / p.n_var_se
    assert check.passed and abs(z_wrong) > check.z_threshold


def test_variance_standard_error_is_calibrated():
    """se(s^2) from the fourth moment against the spread of 400 replicate variances
    (chi-square data, heavy-tailed like NTK entries): agreement to 15 percent, which is
    over 4 standard errors of the spread's own estimate (1/sqrt(2 * 399) = 3.5%)."""
    rng = np.random.default_rng(0)
    data = rng.chisquare(3, size=(400, 200))
    reps = [moments(row) for row in data]
    spread = np.std([r.var for r in reps], ddof=1)
    assert abs(np.mean([r.var_se for r in reps]) / spread - 1) < 0.15


def test_store_resumes_without_recomputing(tmp_path):
    arch = Architecture.pruned(2, "0.5")
    with ResultStore(tmp_path / "mc.db") as store:
        first = sample_entries(arch, (8, 8), X, PAIRS, 5, seed=1, store=store)
    with ResultStore(tmp_path / "mc.db") as store:
        calls = []
        again = sample_entries(arch, (8, 8), X, PAIRS, 7, seed=1, store=store,
                               progress=lambda done, total: calls.append(total))
    assert np.array_equal(first, again[:5]) and calls == [2, 2]
    assert np.array_equal(again, sample_entries(arch, (8, 8), X, PAIRS, 7, seed=1))


@pytest.mark.slow
@pytest.mark.parametrize("arch", [
    Architecture.pruned(2),
    Architecture.pruned(2, "0.25", rescale=True),
    Architecture.pruned(2, "0.125", rescale=True, masked_layers=[2]),
    Architecture.pruned(2, "0.5", prune_first_layer=True),
    Architecture.pruned(2, "0.25", rescale=True, activation="erf"),
], ids=lambda a: a.describe())
def test_depth_two_leading_order_by_fit_in_one_over_n(arch):
    check = check_variance(arch, (64, 128, 256), X, [(0, 1), (1, 1)], trials=800, seed=7,
                           alpha=ALPHA)
    assert check.passed, _report(check)
