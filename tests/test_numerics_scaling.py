"""Width-versus-sparsity analysis on synthetic deviations with a known answer.

Model: dev = |Z| c / sqrt(q^k n), Z ~ N(0,1).  Then P(dev > eps) <= delta exactly when
n >= n* = (z c / eps)^2 / q^k with z = Phi^{-1}(1 - delta/2): slope k against 1/q and
slope 2 against 1/eps.
"""

import numpy as np
import pytest
from scipy import stats

from numerics.scaling.analysis import required_width, slope_with_bootstrap
from theory import InvalidArgument

WIDTHS = [2 ** k for k in range(5, 14)]


def _devs(rng, T, scale=1.0):
    return {n: np.abs(rng.normal(size=T)) * scale / np.sqrt(n) for n in WIDTHS}


def test_required_width_matches_the_model():
    """Relative standard error of n*: n* ~ Q^2, Q the 0.9 quantile of |Z| from T = 2000
    samples: se(Q)/Q = sqrt(0.9 * 0.1 / T) / (2 phi(1.645) 1.645) = 1.98%, so 3.96% for n*.
    Tolerance 4 se (two-sided false-alarm rate 6e-5)."""
    rng = np.random.default_rng(11)
    eps, delta = 0.05, 0.1
    truth = (stats.norm.ppf(1 - delta / 2) / eps) ** 2
    rw = required_width(_devs(rng, 2000), eps, delta)
    assert abs(rw.n_star / truth - 1) < 4 * 0.0396
    assert rw.lower <= rw.grid_n_star <= rw.upper
    lo, hi = rw.interval
    assert lo < truth <= hi
    assert rw.grid_n_star >= rw.n_star > rw.grid_n_star / 2


@pytest.mark.parametrize("power,keep_probs,contains_one", [
    (1, (1, 0.5, 0.25, 0.125), True),
    (2, (1, 0.7, 0.5, 0.35), False),
])
def test_slope_against_inverse_keep_prob(power, keep_probs, contains_one):
    """eps = 0.1: n* = 271 / q^power stays inside the 32..8192 grid for these q."""
    rng = np.random.default_rng(3 + power)
    cells = {q: _devs(rng, 400, q ** (-power / 2)) for q in keep_probs}
    fit = slope_with_bootstrap(cells, eps=0.1, delta=0.1, resamples=200)
    assert fit.points == 4
    assert fit.contains(float(power))
    assert fit.contains(1.0) is contains_one


def test_slope_against_inverse_eps_is_two():
    rng = np.random.default_rng(5)
    base = _devs(rng, 400)
    fit = slope_with_bootstrap({e: base for e in (0.2, 0.1, 0.05, 0.025)}, eps=None,
                               delta=0.1, resamples=200, eps_of=lambda e: e,
                               x_of=lambda e: 1 / e)
    assert fit.contains(2.0)


def test_bootstrap_interval_is_not_overconfident():
    """Coverage of the 95% slope interval over R = 30 independent data sets.  Fail only if
    the exact 99.9% upper bound of the coverage is below 0.95 (false-alarm rate <= 5e-4)."""
    R, hits = 30, 0
    for r in range(R):
        rng = np.random.default_rng(1000 + r)
        cells = {q: _devs(rng, 200, q ** -0.5) for q in (1, 0.5, 0.25)}
        hits += slope_with_bootstrap(cells, eps=0.07, delta=0.1, resamples=100, seed=r).contains(1.0)
    upper = stats.beta.ppf(1 - 5e-4, hits + 1, R - hits) if hits < R else 1.0
    assert upper >= 0.95, (hits, R)


def test_off_grid_is_reported_as_none():
    rng = np.random.default_rng(0)
    rw = required_width(_devs(rng, 200), eps=1e-4, delta=0.1)
    assert rw.n_star is None and rw.grid_n_star is None and rw.upper is None


@pytest.mark.parametrize("kwargs,argument", [
    (dict(eps=0.0, delta=0.1), "eps"), (dict(eps=-1, delta=0.1), "eps"),
    (dict(eps=0.1, delta=0.0), "delta"), (dict(eps=0.1, delta=1.0), "delta"),
    (dict(eps=0.1, delta=0.1, level=1.5), "level"), (dict(eps=0.1, delta=0.1, level=0.5), "level"),
])
def test_bad_arguments(kwargs, argument):
    with pytest.raises(InvalidArgument, match=argument):
        required_width(_devs(np.random.default_rng(0), 10), **kwargs)


def test_figures_are_written(tmp_path):
    from numerics.scaling.plots import plot_deviation_vs_width, plot_required_width

    rng = np.random.default_rng(2)
    cells = {q: _devs(rng, 100, q ** -0.5) for q in (1, 0.5, 0.25)}
    paths = plot_deviation_vs_width(cells, tmp_path / "dev")
    fit = slope_with_bootstrap(cells, eps=0.1, delta=0.1, resamples=60)
    paths += plot_required_width({q: required_width(cells[q], 0.1, 0.1) for q in cells}, fit,
                                 tmp_path / "nstar")
    for path in paths:
        assert path.stat().st_size > 5000
        assert path.read_bytes()[:4] in (b"\x89PNG", b"%PDF")
