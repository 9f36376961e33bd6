"""Input pairs of the numeric checks of claims C1, C2 and C5.

:func:`sample_pairs` draws the seeded pairs (generic, near-parallel,
near-antiparallel, sparse), :func:`witness_inputs` gives fixed inputs on at most
three coordinates, and ``_mask_plan`` sizes a check with a masked first layer.
"""

from __future__ import annotations

import math

import numpy as np

from theory import Architecture
from theory.kernels.first_layer import EXACT_MAX_DIM

__all__ = ["PAIR_KINDS", "sample_pairs", "witness_inputs"]

PAIR_KINDS = ("generic", "near-parallel", "near-antiparallel", "sparse")
_WITNESS_X = (1.0, 0.5, -0.3)
_WITNESS_YS = ((0.2, -1.0, 0.7), (0.6, 0.8, 0.0))


def sample_pairs(n: int, d0: int, seed: int) -> list[tuple[np.ndarray, np.ndarray, str]]:
    """``n`` input pairs (x, y, kind) of dimension ``d0``, cycling through PAIR_KINDS.

    generic: independent Gaussian directions; near-parallel / near-antiparallel:
    y at 1e-3..1e-9 rad from +-x (for d0 = 1 exactly +-x); sparse: both on the same
    two random coordinates (d0 >= 3; otherwise generic).  Norms are 10^U(-1.5, 1.5),
    drawn independently for x and y.

    >>> [k for _, _, k in sample_pairs(5, 3, seed=0)]
    ['generic', 'near-parallel', 'near-antiparallel', 'sparse', 'generic']
    """
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), int(d0), 20230401]))
    out = []
    for i in range(int(n)):
        kind = PAIR_KINDS[i % len(PAIR_KINDS)]
        if kind == "sparse" and d0 < 3:
            kind = "generic"
        u = _unit(rng.normal(size=d0))
        if kind == "generic":
            v = _unit(rng.normal(size=d0))
        elif kind == "sparse":
            u, v = np.zeros(d0), np.zeros(d0)
            support = rng.choice(d0, size=2, replace=False)
            u[support], v[support] = rng.normal(size=2), rng.normal(size=2)
            u, v = _unit(u), _unit(v)
        else:
            sign = 1.0 if kind == "near-parallel" else -1.0
            if d0 == 1:
                v = sign * u
            else:
                delta = 10.0 ** -rng.integers(3, 10)
                w = rng.normal(size=d0)
                w = _unit(w - (w @ u) * u)
                v = sign * (math.cos(delta) * u + math.sin(delta) * w)
        nx, ny = 10.0 ** rng.uniform(-1.5, 1.5, size=2)
        out.append((nx * u, ny * v, kind))
    return out


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


def witness_inputs(d0: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Fixed inputs on the first min(d0, 3) coordinates: (x, y1), (x, y2), (x, x)."""
    k = min(int(d0), 3)

    def pad(v):
        out = np.zeros(int(d0))
        out[:k] = v[:k]
        return out

    x = pad(_WITNESS_X)
    return [(x, pad(y)) for y in _WITNESS_YS] + [(x, x.copy())]


def _mask_plan(arch: Architecture, d0: int, budget) -> tuple[int, int | None]:
    """(number of pairs, Monte Carlo mask rows) so that a check stays within its budget.

    A dense first layer costs little per pair; a masked one costs 2^d0 mask patterns
    (d0 <= 16) or the Monte Carlo rows, times about max(d0, 8)/8.  The total is kept
    below input_pairs x 2^14 such units (about 2.5 s at the quick budget), with at
    least 8 pairs.
    """
    pairs = int(budget.input_pairs)
    if not arch.first_layer_masked:
        return pairs, None
    samples = int(min(1 << 14, 4096 * max(1, pairs // 64)))
    patterns = (1 << d0) if d0 <= EXACT_MAX_DIM else samples
    cost = patterns * max(d0, 8) / 8
    return int(min(pairs, max(8, (pairs << 14) // cost))), samples
