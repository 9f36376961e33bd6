"""Monte Carlo moments of empirical NTK entries: samples, means and variances with errors.

:func:`sample_entries` draws T networks (:func:`numerics.networks.sampling.sample_network`,
counter-based: trial t is the same network whatever else runs) and records Theta_n(x, y),
Theta_n(x, x), Theta_n(y, y) of each requested pair from one exact eNTK Gram
(:func:`numerics.entk.gram.empirical_ntk`).  With a :class:`~numerics.sweeps.store.ResultStore`
every trial is committed as it finishes (one run per pair and configuration), so an
interrupted run loses nothing and a rerun computes only the missing trials.

:func:`moments` estimates the mean (standard error s/sqrt(T)) and the variance with the
standard error of the sample variance from the fourth central moment,
se(s^2)^2 = (m4 - s^4 (T - 3)/(T - 1)) / T (exact for the variance of s^2 up to the
plug-in of m4 and s^2).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import numpy as np

from theory._errors import InvalidArgument, check_int
from theory.config import Architecture

from ..entk.gram import empirical_ntk
from ..networks.sampling import sample_network

__all__ = ["Moments", "moments", "second_moment_ratio", "sample_entries", "hidden_widths",
           "CODE_VERSION"]

CODE_VERSION = "variance-mc-1"


@dataclass(frozen=True)
class Moments:
    """Sample mean and variance of T values, with standard errors."""

    trials: int
    mean: float
    mean_se: float
    var: float
    var_se: float


def moments(values) -> Moments:
    """Mean, variance (ddof = 1) and their standard errors.

    >>> m = moments([1.0, 2.0, 3.0, 4.0])
    >>> m.mean, round(m.var, 6), round(m.mean_se, 6)
    (2.5, 1.666667, 0.645497)
    """
    v = np.asarray(values, dtype=float)
    if v.ndim != 1 or v.size < 4:
        raise InvalidArgument("values", f"{v.size} samples", "need at least 4 samples",
                              "run more trials")
    T = v.size
    mean = float(v.mean())
    c = v - mean
    var = float(c @ c / (T - 1))
    m4 = float(np.mean(c ** 4))
    var_of_var = max(m4 - var * var * (T - 3) / (T - 1), 0.0) / T
    return Moments(T, mean, float(np.sqrt(var / T)), var, float(np.sqrt(var_of_var)))


def second_moment_ratio(values) -> tuple[float, float]:
    """E[v^2] / E[v]^2 and its standard error (delta method: the influence function
    (v^2 - m2)/m1^2 - 2 m2 (v - m1)/m1^3, whose sample standard deviation over sqrt(T)
    is the error to first order).

    >>> r, se = second_moment_ratio([1.0, 3.0, 1.0, 3.0])
    >>> r, round(se, 6)
    (1.25, 0.125)
    """
    v = np.asarray(values, dtype=float)
    if v.ndim != 1 or v.size < 4:
        raise InvalidArgument("values", f"{v.size} samples", "need at least 4 samples",
                              "run more trials")
    m1, m2 = float(v.mean()), float(np.mean(v * v))
    if m1 == 0:
        raise InvalidArgument("values", "mean 0", "the ratio E[v^2]/E[v]^2 is undefined",
                              "pass samples with a nonzero mean")
    influence = (v * v - m2) / m1 ** 2 - 2 * m2 * (v - m1) / m1 ** 3
    return m2 / m1 ** 2, float(influence.std() / np.sqrt(v.size))


def hidden_widths(arch: Architecture, width: int, width_ratios=None) -> tuple[int, ...]:
    """n_h = round(alpha_h n), at least 1."""
    width = check_int(width, "width", 1)
    if width_ratios is None:
        return (width,) * arch.depth
    return tuple(max(1, int(round(float(a) * width))) for a in width_ratios)


def _run_key(arch, widths, x, y, seed):
    desc = {"kind": "variance-pair", "depth": arch.depth,
            "keep_probs": [str(q) for q in arch.keep_probs],
            "masked_layers": list(arch.masked_layers), "rescale": arch.rescale,
            "activation": arch.activation, "widths": list(widths),
            "x": [float(v) for v in x], "y": [float(v) for v in y], "seed": seed}
    text = json.dumps(desc, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:24], desc


def sample_entries(arch: Architecture, widths, X, pairs, trials: int, *, seed: int = 0,
                   store=None, progress=None) -> np.ndarray:
    """Theta_n entries of T networks: an array (trials, len(pairs), 3) of
    (Theta(x_i, x_j), Theta(x_i, x_i), Theta(x_j, x_j)) for each pair (i, j) of rows of X.

    >>> arch = Architecture.pruned(1, "0.5")
    >>> vals = sample_entries(arch, 16, np.eye(2), [(0, 1)], trials=3, seed=0)
    >>> vals.shape
    (3, 1, 3)
    """
    X = np.atleast_2d(np.asarray(X, dtype=float))
    trials = check_int(trials, "trials", 1)
    widths = widths if isinstance(widths, tuple) else (check_int(widths, "width", 1),) * arch.depth
    pairs = [(int(i), int(j)) for i, j in pairs]
    out = np.empty((trials, len(pairs), 3))
    keys = None
    todo = range(trials)
    if store is not None:
        keys = []
        for i, j in pairs:
            key, desc = _run_key(arch, widths, X[i], X[j], seed)
            store.ensure_run(key, desc, CODE_VERSION)
            keys.append(key)
        stored = [store.values(k) for k in keys]
        todo = [t for t in range(trials) if not all(t in s for s in stored)]
        for t in set(range(trials)) - set(todo):
            out[t] = [stored[p][t] for p in range(len(pairs))]
    for count, t in enumerate(todo):
        net = sample_network(arch, widths, seed, t, input_dim=X.shape[1])
        K = np.asarray(empirical_ntk(net, X))
        for p, (i, j) in enumerate(pairs):
            out[t, p] = (K[i, j], K[i, i], K[j, j])
            if keys is not None:
                store.add_trial(keys[p], t, tuple(float(v) for v in out[t, p]))
        if progress is not None:
            progress(count + 1, len(todo))
    return out
