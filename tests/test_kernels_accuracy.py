"""The float64 evaluator against the adaptive-precision mpmath reference.

Acceptance: relative error <= 1e-14 on every entry of the NTK and NNGP Gram
matrices, the diagonal included, for inputs of any non-zero norm and for pairs at
angles 1e-6 .. 1e-12 rad from parallel and from antiparallel.
"""

import mpmath
import numpy as np
import pytest

from theory.config import Architecture
from theory.kernels.float64 import limit_kernel
from theory.kernels.mp import gram_mp

REL_TOL = 1e-14
ANGLES = [1e-6, 1e-8, 1e-10, 1e-12]


def _rotated(x, angle, rng):
    """A vector at (about) ``angle`` rad from x, with a different norm."""
    v = rng.normal(size=x.size)
    v -= (v @ x) / (x @ x) * x
    v /= np.linalg.norm(v)
    u = x / np.linalg.norm(x)
    return 2.75 * (np.cos(angle) * u + np.sin(angle) * v)


def _hard_inputs(dim=32, seed=20231):
    rng = np.random.default_rng(seed)
    X = [rng.normal(size=dim) * s for s in (1e-3, 1.0, 1.0, 7.0, 1e3)]
    base = X[1]
    for a in ANGLES:
        X.append(_rotated(base, a, rng))     # near-parallel to base
        X.append(-_rotated(base, a, rng))    # near-antiparallel to base
    return np.array(X)


def _angle_mp(x, y):
    with mpmath.workdps(60):
        xs, ys = [mpmath.mpf(float(v)) for v in x], [mpmath.mpf(float(v)) for v in y]
        c = mpmath.fsum(a * b for a, b in zip(xs, ys))
        a = mpmath.fsum(v * v for v in xs)
        b = mpmath.fsum(v * v for v in ys)
        return mpmath.atan2(mpmath.sqrt(a * b - c * c), c)


def test_hard_inputs_cover_the_stated_angles():
    X = _hard_inputs()
    for k, a in enumerate(ANGLES):
        par = float(_angle_mp(X[1], X[5 + 2 * k]))
        anti = float(mpmath.pi - _angle_mp(X[1], X[6 + 2 * k]))
        assert 0.5 * a < par < 2 * a
        assert 0.5 * a < anti < 2 * a


CASES = [
    Architecture.pruned(1),
    Architecture.pruned(2, "0.5"),
    Architecture.pruned(3, "0.3"),
    Architecture.pruned(5, "0.7", rescale=True),
    Architecture.pruned(3, ["1", "0.2", "0.9", "0.5"]),
    Architecture.pruned(2, "0.4", prune_first_layer=True),  # mean-field first layer below
    Architecture.pruned(1, activation="erf"),
    Architecture.pruned(3, "0.5", activation="erf"),
    Architecture.pruned(2, "0.25", rescale=True, activation="erf"),
]


def _rel_err(values, reference):
    """Relative error per entry; an exactly zero reference must be matched exactly."""
    ref = np.array([[float(v) for v in row] for row in reference])
    zero = ref == 0
    err = np.abs(values - ref) / np.where(zero, 1.0, np.abs(ref))
    err[zero] = np.where(values[zero] == 0, 0.0, np.inf)
    return err, ref


@pytest.mark.parametrize("arch", CASES, ids=lambda a: a.describe())
def test_gram_matches_mpmath_to_1e_14(arch):
    X = _hard_inputs()
    method = "mean_field" if arch.first_layer_masked else "auto"
    k = limit_kernel(arch, X, first_layer=method)
    t, n = gram_mp(arch, X, dps=30, first_layer="mean_field" if arch.first_layer_masked else "exact")
    for name, values, ref in (("ntk", k.ntk, t), ("nngp", k.nngp, n)):
        err, refarr = _rel_err(values, ref)
        worst = np.unravel_index(np.argmax(err), err.shape)
        assert err.max() <= REL_TOL, f"{name} entry {worst}: rel err {err.max():.2e}"


def test_rectangular_gram_matches_mpmath():
    X = _hard_inputs()
    arch = Architecture.pruned(3, "0.6")
    k = limit_kernel(arch, X[:6], X[4:])
    t, n = gram_mp(arch, X[:6], X[4:], dps=30)
    assert _rel_err(k.ntk, t)[0].max() <= REL_TOL
    assert _rel_err(k.nngp, n)[0].max() <= REL_TOL


def test_exactly_parallel_and_antiparallel_rows():
    x = np.array([0.3, -1.2, 2.0])
    X = np.array([x, 4 * x, -x, -0.5 * x])
    for arch in (Architecture.pruned(1), Architecture.pruned(3, "0.5")):
        k = limit_kernel(arch, X, X)
        t, n = gram_mp(arch, X, X, dps=30)
        assert _rel_err(k.ntk, t)[0].max() <= REL_TOL
        assert _rel_err(k.nngp, n)[0].max() <= REL_TOL
        if arch.depth == 1:  # depth-1 NNGP and NTK of antiparallel inputs are exactly 0
            anti = np.array([[False, False, True, True]] * 2 + [[True, True, False, False]] * 2)
            assert np.all(k.nngp[anti] == 0) and np.all(k.ntk[anti] == 0)
