"""The split Gram evaluator: plain recursion for the bulk, accurate path near +-1.

Which pairs take the accurate path is predicted here independently, from each pair's
layer correlations evaluated in mpmath (the ReLU correlation map
J(c) = (sqrt(1 - c^2) + (pi - arccos c) c) / pi), and every entry, whichever path
computed it, is held to 1e-14 against the mpmath reference.
"""

import mpmath
import numpy as np
import pytest

from theory.config import Architecture
from theory.kernels.bulk_gram import (ANTIPARALLEL_LIMIT, PARALLEL_LIMIT, deterministic_gram,
                                      plain_gram)
from theory.kernels.float64 import limit_kernel
from theory.kernels.mp import gram_mp

REL_TOL = 1e-14
MARGIN = 1e-4          # test correlations stay this far from the routing limits


def _J(c):
    return (mpmath.sqrt(1 - c * c) + (mpmath.pi - mpmath.acos(c)) * c) / mpmath.pi


def _correlation(x, y):
    with mpmath.workdps(40):
        xs, ys = [mpmath.mpf(float(v)) for v in x], [mpmath.mpf(float(v)) for v in y]
        dot = mpmath.fsum(a * b for a, b in zip(xs, ys))
        return dot / mpmath.sqrt(mpmath.fsum(a * a for a in xs) * mpmath.fsum(b * b for b in ys))


def _routing_correlations(arch, x, y):
    """(first layer's correlation, the one the accurate-path test reads on the + side)."""
    with mpmath.workdps(40):
        c0 = _correlation(x, y)
        c = c0
        if arch.activation == "relu":        # the correlation entering layer L
            for _ in range(arch.depth - 1):
                c = _J(c)
        return c0, c


def _first_layer_target(arch, c_last):
    """The first-layer correlation whose ReLU image entering layer L is ``c_last``."""
    with mpmath.workdps(40):
        def image(c):
            for _ in range(arch.depth - 1):
                c = _J(c)
            return c
        lo, hi = mpmath.mpf(-1), mpmath.mpf(1)
        for _ in range(120):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if image(mid) < c_last else (lo, mid)
        return float(lo)


def _partner(base, cos, sin, norm, rng):
    """An input at the angle (cos, sin) from ``base``, of the given norm."""
    v = rng.normal(size=base.size)
    v -= (v @ base) / (base @ base) * base
    u = base / np.linalg.norm(base)
    return norm * (cos * u + sin * v / np.linalg.norm(v))


def _inputs(arch, seed=5):
    """One base input and partners at correlations on both sides of both limits, near
    +-1 (1e-6 and 1e-9 rad), and in the bulk, with norms from 1e-3 to 1e3."""
    rng = np.random.default_rng(seed)
    base = 7.0 * rng.normal(size=6)
    par = _first_layer_target(arch, PARALLEL_LIMIT) if arch.activation == "relu" \
        else PARALLEL_LIMIT
    cosines = [ANTIPARALLEL_LIMIT - MARGIN, ANTIPARALLEL_LIMIT + MARGIN,
               par - MARGIN, min(par + MARGIN, 1.0), 0.1, 0.3, 0.6, -0.2]
    angles = [(c, np.sqrt((1 - c) * (1 + c))) for c in cosines]
    angles += [(np.cos(a), np.sin(a)) for a in (1e-6, 1e-9)]
    angles += [(-np.cos(a), np.sin(a)) for a in (1e-6, 1e-9)]
    norms = 10.0 ** np.linspace(-3, 3, len(angles))
    return base[None, :], np.array([_partner(base, c, s, n, rng)
                                    for (c, s), n in zip(angles, norms)])


def _expected_routing(arch, X, Y):
    out = np.zeros((len(X), len(Y)), dtype=bool)
    for i, x in enumerate(X):
        for j, y in enumerate(Y):
            c0, c_last = _routing_correlations(arch, x, y)
            for c, limit in ((c0, ANTIPARALLEL_LIMIT), (c_last, PARALLEL_LIMIT)):
                assert abs(c - limit) > 1e-9, "test input too close to a routing limit"
            out[i, j] = c0 < ANTIPARALLEL_LIMIT or c_last > PARALLEL_LIMIT
    return out


ARCHS = [
    Architecture.pruned(1),
    Architecture.pruned(2, "0.5"),
    Architecture.pruned(3, "0.3"),
    Architecture.pruned(5, "0.7", rescale=True),
    Architecture.pruned(3, ["1", "0.2", "0.9", "0.5"]),
    Architecture.pruned(2, "0.4", prune_first_layer=True),   # mean-field first layer
    Architecture.pruned(1, activation="erf"),
    Architecture.pruned(3, "0.5", activation="erf"),
    Architecture.pruned(2, "0.25", rescale=True, activation="erf"),
]


def _rel_err(values, reference):
    ref = np.array([[float(v) for v in row] for row in reference])
    return np.abs(values - ref) / np.abs(ref)


@pytest.mark.parametrize("arch", ARCHS, ids=lambda a: a.describe())
def test_accurate_path_takes_exactly_the_pairs_beyond_the_limits(arch):
    X, Y = _inputs(arch)
    gram = deterministic_gram(arch, X, Y)
    expected = _expected_routing(arch, X, Y)
    assert np.array_equal(gram.accurate, expected)
    assert 4 <= expected.sum() <= expected.size - 6      # both paths are exercised


@pytest.mark.parametrize("arch", ARCHS, ids=lambda a: a.describe())
def test_both_paths_meet_1e_14_against_mpmath(arch):
    X, Y = _inputs(arch)
    gram = deterministic_gram(arch, X, Y)
    method = "mean_field" if arch.first_layer_masked else "exact"
    t, n = gram_mp(arch, X, Y, dps=30, first_layer=method)
    for name, values, ref in (("ntk", gram.ntk, t), ("nngp", gram.nngp, n)):
        err = _rel_err(values, ref)
        worst = int(np.argmax(err))
        assert err.max() <= REL_TOL, (f"{name} partner {worst} "
                                      f"(accurate path: {gram.accurate.flat[worst]}): "
                                      f"rel err {err.max():.2e}")


@pytest.mark.parametrize("arch", ARCHS[:4], ids=lambda a: a.describe())
def test_the_plain_recursion_alone_fails_near_plus_minus_one(arch):
    """The fallback is needed: without it the pairs 1e-9 rad from (anti)parallel are
    off by far more than 1e-14 (arccos of a correlation rounded near +-1)."""
    X, Y = _inputs(arch)
    plain = plain_gram(arch, X, Y)
    t, n = gram_mp(arch, X, Y[-3::2], dps=30)          # 1e-9 rad parallel, antiparallel
    err = np.maximum(_rel_err(plain.ntk[:, -3::2], t), _rel_err(plain.nngp[:, -3::2], n))
    assert np.all(err > 100 * REL_TOL), err
    assert np.all(plain.accurate[:, -3::2])


@pytest.mark.parametrize("arch", ARCHS, ids=lambda a: a.describe())
def test_symmetric_gram_routes_the_upper_triangle_and_is_exactly_symmetric(arch):
    X, Y = _inputs(arch)
    Z = np.vstack([X, Y])
    gram = deterministic_gram(arch, Z)
    expected = _expected_routing(arch, Z, Z)
    np.fill_diagonal(expected, False)                     # c = 1 exactly: plain is exact
    assert np.array_equal(gram.accurate, expected)
    assert np.array_equal(gram.ntk, gram.ntk.T) and np.array_equal(gram.nngp, gram.nngp.T)


def test_dense_relu_diagonal_is_exact():
    """Theta(x, x) = (L + 1) |x|^2 prod_h s_h and NNGP(x, x) = |x|^2 prod_h s_h for ReLU:
    the plain recursion is exact at correlation 1 (theta = 0, J = Vdot = 1)."""
    X = np.array([[3.0, 4.0], [0.0, 0.5], [-2.0, 0.0]])      # |x|^2 exactly 25, 1/4, 4
    sq = np.array([25.0, 0.25, 4.0])
    for depth in (1, 2, 5):
        arch = Architecture.pruned(depth, "0.5")
        k = limit_kernel(arch, X)
        scale = float(arch.scale_factor())
        assert np.array_equal(np.diag(k.ntk), (depth + 1) * sq * scale)
        assert np.array_equal(np.diag(k.nngp), sq * scale)


def test_pair_geometry_in_chunks_equals_the_matrix_geometry(monkeypatch):
    """The accurate path's pair list, computed a chunk of pairs at a time, gives the
    geometry of the full (cos, sin) matrix (near-parallel and antiparallel pairs too)."""
    import theory.kernels.geometry as geometry
    X, Y = _inputs(Architecture.pruned(2))
    Z = np.vstack([X, Y])
    full = geometry.PairGeometry.from_inputs(Z, Y)
    rows, cols = np.nonzero(np.ones((len(Z), len(Y)), dtype=bool))
    monkeypatch.setattr(geometry, "_CHUNK", 3 * Z.shape[1])       # three pairs per chunk
    pairs = geometry.PairGeometry.from_input_pairs(Z, rows, cols, Y)
    np.testing.assert_allclose(pairs.cos, full.cos[rows, cols], rtol=0, atol=4e-16)
    np.testing.assert_allclose(pairs.sin, full.sin[rows, cols], rtol=4e-16, atol=0)
