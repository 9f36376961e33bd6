"""Does the empirical NTK of graphon-sampled networks converge to the Graphon NTK?

For one input pair (x, y), each trial draws a network with
:func:`~numerics.graphons.sampling.sample_graphon_network` (fresh masks and weights)
and records the exact empirical NTK entries (Theta(x, y), Theta(x, x), Theta(y, y)).
Trials are stored one at a time in a :class:`~numerics.sweeps.store.ResultStore`
(one run per width), so an interrupted study resumes where it stopped.

:func:`analyse_convergence` then reports, per width, the mean of each entry with its
standard error and the z-score of (mean - Graphon NTK), and over the widths:

* the slope of log E|Theta_n(x, y) - Theta_inf(x, y)| against log n (expected -1/2,
  central-limit fluctuations), with a percentile-bootstrap interval (trials resampled
  within each width);
* a test of the mean that allows the O(1/n) finite-width bias: the per-width means
  are fitted by weighted least squares as ``Theta_inf' + c / n`` and the intercept
  compared with the Graphon NTK, a two-sided z-test at ``alpha`` per entry
  (Bonferroni over the three entries: family-wise false-alarm rate <= alpha).

>>> import numpy as np
>>> from theory.graphon import GraphonNetwork
>>> g = GraphonNetwork.from_layers({2: [[0.9, 0.2], [0.3, 0.6]], 3: [[0.8, 0.4]]}, 2)
>>> runs = graphon_trials(g, [1.0, 0.0, 0.0], [0.6, 0.8, 0.0], widths=[64, 128], trials=3)
>>> runs.values[64].shape, round(float(runs.limit[0]), 6)
((3, 3), 0.478769)
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass

import numpy as np
from scipy import stats as _st

from theory._errors import InvalidArgument, check_int, check_unit_open
from theory.graphon.float64 import graphon_ntk
from theory.graphon.spec import GraphonNetwork

from ..entk.gram import empirical_ntk
from ..sweeps.store import ResultStore
from .sampling import sample_graphon_network

__all__ = ["GraphonTrials", "GraphonConvergence", "graphon_trials", "analyse_convergence",
           "ENTRIES", "CODE_VERSION"]

ENTRIES = ("theta_xy", "theta_xx", "theta_yy")
CODE_VERSION = "graphon-trials-1"


@dataclass(frozen=True)
class GraphonTrials:
    """``values[n]`` (trials x 3): the eNTK entries ENTRIES per trial at width n;
    ``limit`` the Graphon NTK entries in the same order."""

    net: GraphonNetwork
    x: np.ndarray
    y: np.ndarray
    widths: tuple
    values: dict
    limit: np.ndarray
    seed: int


def _description(net: GraphonNetwork, x, y, width: int, seed: int) -> dict:
    digest = hashlib.sha256()
    for G in net.layers:
        digest.update(b"dense" if G is None else np.ascontiguousarray(G).tobytes()
                      + str(G.shape).encode())
    return {"kind": "graphon-entk", "graphons": digest.hexdigest()[:32], "depth": net.depth,
            "rescale": net.rescale, "activation": net.activation, "width": int(width),
            "seed": int(seed), "x": [float(v) for v in x], "y": [float(v) for v in y]}


def graphon_trials(net: GraphonNetwork, x, y, widths, trials: int, *, seed: int = 0,
                   store: ResultStore | None = None, progress=None,
                   selection: str = "bernoulli", limit_net: GraphonNetwork | None = None
                   ) -> GraphonTrials:
    """Sample ``trials`` networks at each width and record their eNTK entries.

    Networks are drawn from ``net`` with the ``selection`` rule of
    :func:`~numerics.graphons.sampling.sample_graphon_network`; the limit is the
    Graphon NTK of ``limit_net`` (default ``net``; e.g. ``net`` with the magnitude
    second-moment profile for magnitude-selected weights).  With a ``store`` the
    finished trials are read back and only missing ones run; ``progress(width, done,
    total)`` is called after each trial.
    """
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    if x.shape != y.shape:
        raise InvalidArgument("y", f"length {y.size}", f"x has length {x.size}",
                              "give two inputs of the same dimension")
    trials = check_int(trials, "trials", 2)
    seed = check_int(seed, "seed")
    widths = tuple(sorted({check_int(n, "widths", 1) for n in widths}))
    if len(widths) < 2:
        raise InvalidArgument("widths", list(widths), "need at least two widths",
                              "pass a grid such as 64,128,...,4096")
    X = np.stack([x, y])
    k = graphon_ntk(net if limit_net is None else limit_net, X)
    limit = np.array([k.ntk[0, 1], k.ntk[0, 0], k.ntk[1, 1]])
    own = store is None
    store = ResultStore() if own else store
    values = {}
    try:
        for n in widths:
            desc = dict(_description(net, x, y, n, seed), selection=selection)
            key = hashlib.sha256(json.dumps(desc, sort_keys=True).encode()).hexdigest()
            store.ensure_run(key, desc, CODE_VERSION)
            done = set(store.done_trials(key))
            for t in range(trials):
                if t in done:
                    continue
                sampled = sample_graphon_network(net, n, seed, t, input_dim=x.size,
                                                 selection=selection)
                K = empirical_ntk(sampled, X)
                store.add_trial(key, t, (K[0, 1], K[0, 0], K[1, 1]))
                if progress is not None:
                    progress(n, t + 1, trials)
            stored = store.values(key, range(trials))
            values[n] = np.array([stored[t] for t in range(trials)])
    finally:
        if own:
            store.close()
    return GraphonTrials(net, x, y, widths, values, limit, seed)


@dataclass(frozen=True)
class GraphonConvergence:
    """Per-width means, standard errors and z-scores (rows: widths; columns: ENTRIES),
    the fitted deviation slope with its bootstrap interval, and the bias-allowing test
    of the mean (intercept of mean = Theta' + c/n, its z-score and p-value per entry)."""

    widths: tuple
    limit: np.ndarray
    means: np.ndarray
    stderrs: np.ndarray
    z: np.ndarray
    mean_abs_dev: np.ndarray
    slope: float
    slope_ci: tuple
    level: float
    intercept: np.ndarray
    intercept_z: np.ndarray
    intercept_p: np.ndarray
    alpha: float
    mean_consistent: bool

    def table(self) -> str:
        """A plain-text table of the per-width results."""
        lines = [f"{'width':>6} {'E Theta_n(x,y)':>15} {'stderr':>9} {'z':>6} "
                 f"{'E|dev|':>9}   (Graphon NTK {self.limit[0]:.6f})"]
        for i, n in enumerate(self.widths):
            lines.append(f"{n:>6} {self.means[i, 0]:>15.6f} {self.stderrs[i, 0]:>9.2e} "
                         f"{self.z[i, 0]:>6.2f} {self.mean_abs_dev[i]:>9.3e}")
        lo, hi = self.slope_ci
        lines.append(f"slope of log E|dev| vs log n: {self.slope:.3f} "
                     f"({self.level:.0%} bootstrap CI [{lo:.3f}, {hi:.3f}]; expected -0.5)")
        lines.append("intercept of mean = Theta + c/n: "
                     + ", ".join(f"{e} z = {z:.2f}" for e, z in zip(ENTRIES, self.intercept_z))
                     + f"; mean consistent with the Graphon NTK at family-wise alpha = "
                     f"{self.alpha:g}: {'yes' if self.mean_consistent else 'no'}")
        return "\n".join(lines)


def _intercept(widths, means, ses):
    """Weighted least squares of mean on 1/n: (intercept, its standard error)."""
    A = np.column_stack([np.ones(len(widths)), 1.0 / np.asarray(widths, dtype=float)])
    w = 1.0 / np.asarray(ses) ** 2
    cov = np.linalg.inv(A.T @ (A * w[:, None]))
    beta = cov @ (A.T @ (w * np.asarray(means)))
    return beta[0], math.sqrt(cov[0, 0])


def analyse_convergence(runs: GraphonTrials, *, level: float = 0.95, alpha: float = 0.01,
                        resamples: int = 2000, seed: int = 0) -> GraphonConvergence:
    """Deviation slope with a bootstrap interval at ``level``; tests of the mean at
    family-wise false-alarm rate ``alpha`` (see the module docstring)."""
    level = check_unit_open(level, "level")
    alpha = check_unit_open(alpha, "alpha", "0.01")
    resamples = check_int(resamples, "resamples", 100)
    widths = runs.widths
    vals = [runs.values[n] for n in widths]
    means = np.array([v.mean(axis=0) for v in vals])
    ses = np.array([v.std(axis=0, ddof=1) / math.sqrt(len(v)) for v in vals])
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (means - runs.limit) / ses
    devs = [np.abs(v[:, 0] - runs.limit[0]) for v in vals]
    mad = np.array([d.mean() for d in devs])
    logn = np.log(np.asarray(widths, dtype=float))
    slope = float(np.polyfit(logn, np.log(mad), 1)[0])
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    boot = np.empty(resamples)
    for r in range(resamples):
        m = [d[rng.integers(0, d.size, d.size)].mean() for d in devs]
        boot[r] = np.polyfit(logn, np.log(m), 1)[0]
    a = (1 - level) / 2
    lo, hi = np.quantile(boot, [a, 1 - a])
    icpt, iz, ip = [], [], []
    for e in range(3):
        if np.all(ses[:, e] > 0):
            b0, se0 = _intercept(widths, means[:, e], ses[:, e])
            zz = (b0 - runs.limit[e]) / se0
        else:                                  # a deterministic entry: exact comparison
            b0 = float(means[-1, e])
            zz = 0.0 if abs(b0 - runs.limit[e]) <= 1e-12 * abs(runs.limit[e]) else math.inf
        icpt.append(b0)
        iz.append(zz)
        ip.append(float(2 * _st.norm.sf(abs(zz))))
    consistent = all(p > alpha / 3 for p in ip)
    return GraphonConvergence(widths, runs.limit, means, ses, z, mad, slope,
                              (float(lo), float(hi)), level, np.array(icpt), np.array(iz),
                              np.array(ip), alpha, consistent)
