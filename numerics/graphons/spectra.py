"""Spectra of NTK Gram matrices of pruned networks on real inputs, with seed uncertainty.

For each cell (pruning method, density) - and the dense network - and each seed s (the
network of trial s: its Gaussian weights pruned by the method), two kernels on the
inputs X (N x d0):

* ``entk``: the exact empirical NTK Gram of the pruned finite network (the width and
  depth given; the paper's setting is depth 4, width 1024);
* ``graphon``: the Graphon NTK Gram of that network's estimated graphon (density
  version, one neuron order per hidden layer, K blocks), the infinite-width kernel the
  Graphon Limit Hypothesis assigns to the method.

Metrics of the eigenvalues l_1 >= l_2 >= ... (:func:`spectral_metrics`): the power-law
decay rate a (least squares of log l_k on log k over the stated index range
k = k0..k1, 1-based: l_k ~ k^-a), the effective rank tr / l_1, the gap l_1 / l_2 and
the top-5 energy share sum_{k<=5} l_k / tr.  :func:`spectrum_trends` fits each metric
against log(1/density) over all (density, seed) points per method (ordinary least
squares; its t-test at ``alpha``, one-sided for "increases with sparsity") and compares
each method's slope with random pruning's (normal approximation), the test of the
paper's observation that SNIP and SynFlow concentrate spectral energy as sparsity
grows while random pruning does not.

>>> l = np.array([1.0, 0.5, 0.25, 0.125, 0.0625, 0.03125])
>>> m = spectral_metrics(l, fit_range=(1, 6))
>>> round(m["effective_rank"], 4), m["gap"], round(m["top5"], 4)
(1.9688, 2.0, 0.9841)
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

from ..entk.gram import empirical_ntk
from ..masks.mask import Mask
from ..masks.pruning import PruningSpec, draw_weights
from ..sweeps.store import ResultStore
from .estimate import estimate_network_graphons, to_graphon_network

__all__ = ["spectral_metrics", "SpectrumStudy", "spectrum_study", "spectrum_trends",
           "METRICS", "KERNELS", "DEFAULT_DENSITIES"]

METRICS = ("decay", "effective_rank", "gap", "top5")
KERNELS = ("entk", "graphon")
DEFAULT_DENSITIES = ("0.5", "0.3", "0.2", "0.1", "0.05")
CODE_VERSION = "spectra-1"


def spectral_metrics(eigenvalues, *, fit_range: tuple) -> dict:
    """The four metrics of a spectrum (any order; sorted here); ``fit_range`` = (k0, k1),
    1-based and inclusive, the indices of the power-law fit (eigenvalues <= 0, below
    the Gram's numerical rank, are left out of it; NaN when fewer than two remain)."""
    lam = np.sort(np.asarray(eigenvalues, dtype=np.float64))[::-1]
    k0, k1 = (check_int(v, "fit_range", 1) for v in fit_range)
    if not k0 < k1 <= lam.size:
        raise InvalidArgument("fit_range", f"{k0}:{k1}", f"need 1 <= k0 < k1 <= N = {lam.size}",
                              "give an index range inside the spectrum")
    seg = lam[k0 - 1:k1]
    k = np.arange(k0, k1 + 1, dtype=float)
    keep = seg > 0                   # below the numerical rank: left out of the fit
    decay = -float(np.polyfit(np.log(k[keep]), np.log(seg[keep]), 1)[0]) \
        if np.count_nonzero(keep) >= 2 else float("nan")
    trace = float(np.sum(lam))
    return {"decay": decay, "effective_rank": float(trace / lam[0]),
            "gap": float(lam[0] / lam[1]),
            "top5": float(np.sum(lam[:5]) / trace)}


@dataclass(frozen=True)
class SpectrumStudy:
    """``eigenvalues[(method, density, kernel)]``: (seeds, N) descending;
    ``grams[(method, density, kernel)]``: seed 0's Gram; ``metrics[...]``: per seed
    dicts of :func:`spectral_metrics`.  The dense network is method "dense", density
    "1"."""

    cells: tuple
    kernels: tuple
    seeds: int
    width: int
    depth: int
    blocks: int
    fit_range: tuple
    eigenvalues: dict
    grams: dict
    metrics: dict

    def summary(self, method: str, density: str, kernel: str) -> dict:
        """metric -> (mean, standard error over seeds)."""
        rows = self.metrics[method, density, kernel]
        out = {}
        for m in METRICS:
            v = np.array([r[m] for r in rows])
            out[m] = (float(v.mean()), float(v.std(ddof=1) / math.sqrt(v.size))
                      if v.size > 1 else math.nan)
        return out


def _cell_spec(method: str, density: str, layers, activation: str):
    return None if method == "dense" else PruningSpec(method, density, layers=layers,
                                                      activation=activation)


def _one(spec, shape, seed, trial, X, kernels, blocks, activation) -> dict:
    weights = draw_weights(shape, seed, trial)
    mask = Mask.dense(shape) if spec is None else spec.mask(shape, seed, trial, weights)
    out = {}
    if "entk" in kernels:
        net = mask.network(weights, activation=activation)
        out["entk"] = empirical_ntk(net, X)
    if "graphon" in kernels:
        est = estimate_network_graphons(mask, blocks, order="shared")
        gnet = to_graphon_network(est, input_dim=shape[0], activation=activation)
        with np.errstate(invalid="ignore", divide="ignore"):
            out["graphon"] = graphon_ntk(gnet, X).ntk
    return out


def spectrum_study(methods, densities, X, *, width: int = 1024, depth: int = 4,
                   seeds: int = 3, kernels=KERNELS, blocks: int = 64, layers=None,
                   fit_range=None, activation: str = "relu", seed: int = 0,
                   store: ResultStore | None = None, progress=None) -> SpectrumStudy:
    """Eigenvalues and metrics of every (method, density) cell and the dense network.

    ``X``: the inputs (N x d0; the scoring data of SNIP and GraSP are the digits unless
    the methods say otherwise).  ``fit_range`` default (2, min(N // 4, 100)).
    ``progress(cell, trial)`` is called after each computed (cell, seed).  Each (cell,
    seed) is one array trial of ``store`` (eigenvalues; seed 0 keeps its Grams too).
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] < 6:
        raise InvalidArgument("X", f"array of shape {X.shape}", "need at least 6 inputs "
                              "(rows) for the top-5 share and a gap", "pass more inputs")
    N = X.shape[0]
    kernels = tuple(kernels)
    bad = [k for k in kernels if k not in KERNELS]
    if bad or not kernels:
        raise InvalidArgument("kernels", bad or kernels, "unknown kernel",
                              f"choose from {', '.join(KERNELS)}")
    width, depth = check_int(width, "width", 1), check_int(depth, "depth", 1)
    seeds = check_int(seeds, "seeds", 1)
    blocks = check_int(blocks, "blocks", 1)
    if "graphon" in kernels and blocks > width:
        raise InvalidArgument("blocks", blocks, f"larger than the width {width}",
                              f"use K <= {width}")
    fit_range = (2, min(N // 4, 100)) if fit_range is None else tuple(fit_range)
    cells = [("dense", "1")] + [(m, str(d)) for m in methods for d in densities]
    specs = {c: _cell_spec(c[0], c[1], layers, activation) for c in cells}
    shape = (X.shape[1],) + (width,) * depth + (1,)
    own = store is None
    store = ResultStore() if own else store
    eig, grams, metrics = {}, {}, {}
    try:
        for cell in cells:
            spec = specs[cell]
            desc = {"kind": "spectrum", "method": "dense" if spec is None else
                    spec.description(), "shape": list(shape), "kernels": list(kernels),
                    "blocks": blocks, "seed": seed,
                    "inputs": hashlib.sha256(np.ascontiguousarray(X).tobytes()).hexdigest()}
            key = hashlib.sha256(json.dumps(desc, sort_keys=True).encode()).hexdigest()
            store.ensure_run(key, desc, CODE_VERSION)
            done = set(store.done_array_trials(key))
            for t in range(seeds):
                if t in done:
                    continue
                K = _one(spec, shape, seed, t, X, kernels, blocks, activation)
                arrays = {f"eig_{k}": np.linalg.eigvalsh(K[k])[::-1] for k in kernels}
                if t == 0:
                    arrays.update({f"gram_{k}": K[k] for k in kernels})
                store.add_arrays(key, t, arrays)
                if progress is not None:
                    progress(cell, t)
            stored = store.arrays(key, range(seeds))
            for k in kernels:
                eig[(*cell, k)] = np.stack([stored[t][f"eig_{k}"] for t in range(seeds)])
                grams[(*cell, k)] = stored[0][f"gram_{k}"]
                metrics[(*cell, k)] = [spectral_metrics(e, fit_range=fit_range)
                                       for e in eig[(*cell, k)]]
    finally:
        if own:
            store.close()
    return SpectrumStudy(tuple(cells), kernels, seeds, width, depth, blocks, fit_range, eig,
                         grams, metrics)


def spectrum_trends(study: SpectrumStudy, metric: str = "top5", kernel: str = "entk", *,
                    reference: str = "random", alpha: float = 0.01) -> dict:
    """Per method: OLS slope of ``metric`` against log(1/density) over all (density, seed)
    points, its standard error, the one-sided p-value of "increases with sparsity"
    (t-test, n - 2 degrees of freedom), and the difference with ``reference``'s slope
    (z, two-sided p, normal approximation); ``increases`` / ``differs`` are the
    decisions at ``alpha`` per test (no multiplicity correction: apply one across the
    methods you compare)."""
    if metric not in METRICS:
        raise InvalidArgument("metric", metric, "unknown metric", f"choose one of {METRICS}")
    alpha = check_unit_open(alpha, "alpha")
    if study.seeds < 2:
        raise InvalidArgument("seeds", study.seeds, "a trend's uncertainty needs seeds",
                              "run the study with at least 2 seeds")
    fits = {}
    for method in sorted({m for m, _ in study.cells if m != "dense"}):
        xs, ys = [], []
        for m, d in study.cells:
            if m == method:
                for r in study.metrics[m, d, kernel]:
                    xs.append(math.log(1.0 / float(d)))
                    ys.append(r[metric])
        if len(set(xs)) < 2:
            continue
        fit = _st.linregress(xs, ys)
        df = len(xs) - 2
        p_up = float(_st.t.sf(fit.slope / fit.stderr, df)) if fit.stderr > 0 else \
            (0.0 if fit.slope > 0 else 1.0)
        fits[method] = {"slope": float(fit.slope), "stderr": float(fit.stderr),
                        "p_increases": p_up, "increases": p_up < alpha, "points": len(xs)}
    ref = fits.get(reference)
    for method, f in fits.items():
        if ref is None or method == reference:
            continue
        se = math.hypot(f["stderr"], ref["stderr"])
        z = (f["slope"] - ref["slope"]) / se if se > 0 else math.inf
        f["vs_reference"] = {"reference": reference, "difference": f["slope"] - ref["slope"],
                             "z": z, "p": float(2 * _st.norm.sf(abs(z))),
                             "differs": bool(2 * _st.norm.sf(abs(z)) < alpha)}
    return {"metric": metric, "kernel": kernel, "alpha": alpha,
            "x": "log(1/density)", "methods": fits}
