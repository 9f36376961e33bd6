"""Composite Hypothesis strategies for architectures and inputs."""

from fractions import Fraction

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from theory.config import Architecture

keep_probs = st.fractions(min_value=Fraction(1, 50), max_value=1, max_denominator=64).filter(
    lambda q: q > 0)


@st.composite
def architectures(draw, activation=None, rescale=None, prune_first_layer=False, max_depth=5):
    depth = draw(st.integers(1, max_depth))
    act = activation or draw(st.sampled_from(["relu", "erf"]))
    resc = draw(st.booleans()) if rescale is None else rescale
    per_layer = draw(st.booleans())
    first = 1 if prune_first_layer else 2
    if per_layer:
        qs = [draw(keep_probs) if h >= first else Fraction(1) for h in range(1, depth + 2)]
        return Architecture.pruned(depth, qs, rescale=resc, prune_first_layer=prune_first_layer,
                                   activation=act)
    return Architecture.pruned(depth, draw(keep_probs), rescale=resc,
                               prune_first_layer=prune_first_layer, activation=act)


# Entries are 0 or of magnitude in [1e-60, 10]: squared norms stay representable
# (inputs whose |x|^2 underflows are refused with an error, tested elsewhere).
_magnitudes = st.floats(min_value=1e-60, max_value=10, allow_nan=False, allow_infinity=False)
finite = st.one_of(st.just(0.0), _magnitudes, _magnitudes.map(lambda v: -v))


@st.composite
def input_sets(draw, max_n=6, max_dim=6, min_dim=1):
    n = draw(st.integers(1, max_n))
    d = draw(st.integers(min_dim, max_dim))
    X = draw(arrays(np.float64, (n, d), elements=finite))
    # Inputs must be non-zero; nudge any zero row (keeps the draw shrinkable).
    for i in range(n):
        if not np.any(X[i] != 0):
            X[i, 0] = 1.0
    return X
