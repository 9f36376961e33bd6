"""Networks pruned by a method at several widths: their graphon estimates, second moments
and empirical NTKs, trial by trial, stored so that an interrupted study resumes.

Trial t at width n draws the Gaussian weights of ``(d0, n, ..., n, 1)`` (seed, trial;
:func:`numerics.masks.draw_weights`), prunes them with the method
(:class:`numerics.masks.PruningSpec`) and records, for the masks AND weights the method
produced:

* per pruned layer h, the degree-sorted block histogram ``G{h}`` (K x K; 1 x K for the
  output layer; the first layer keeps its d0 input columns) and, in the same order,
  the block means of (M . W)^2, ``V{h}`` (the second-moment graphon);
* ``gap{h}``: the relative L1 gap sum |V - G| / sum G (block-size weighted), and
  ``null{h}``: the same gap after permuting the layer's weights (which makes them
  independent of the mask: the gap block noise alone produces);
* ``entk``: the exact empirical NTK entries (Theta(x, y), Theta(x, x), Theta(y, y));
* the Graphon NTK entries of the trial's own estimate (one neuron order per hidden
  layer, :func:`~numerics.graphons.estimate.estimate_network_graphons` with
  ``order="shared"``) in three versions: ``constant`` (K = 1: the random-mask limit
  at the kept densities, claim C1), ``density`` (the paper's graphon: kept weights
  N(0, 1)) and ``second`` (the second-moment graphon V drives the covariances).

Every trial is one row of a :class:`~numerics.sweeps.store.ResultStore` (array trials),
keyed by the method's settings, the width, the depth, K, the inputs and the seed.

>>> from numerics.masks import PruningSpec
>>> runs = pruned_graphon_trials(PruningSpec("magnitude", "0.5"), 2, [16, 32], 2,
...                              x=[1.0, 0.0, 0.0], y=[0.6, 0.8, 0.0], blocks=4)
>>> runs.layers, runs.histograms(32, 2).shape, runs.values(16, "entk").shape
((2, 3), (2, 4, 4), (2, 3))
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import numpy as np

from theory._errors import InvalidArgument, check_int
from theory.graphon.float64 import graphon_ntk

from ..entk.gram import empirical_ntk
from ..masks.pruning import PruningSpec, draw_weights
from ..sweeps.store import ResultStore
from .estimate import (
    DEFAULT_BLOCKS,
    GraphonEstimate,
    estimate_graphon,
    estimate_network_graphons,
    to_graphon_network,
)

__all__ = ["PrunedGraphonTrials", "pruned_graphon_trials", "VERSIONS", "CODE_VERSION"]

CODE_VERSION = "pruned-graphons-1"
#: the Graphon NTK versions recorded per trial (see the module docstring)
VERSIONS = ("constant", "density", "second")


@dataclass(frozen=True)
class PrunedGraphonTrials:
    """``records[n][t]``: the arrays of trial t at width n (see the module docstring).

    ``layers`` are the pruned layers; ``x``, ``y`` the inputs of the NTK entries."""

    spec: PruningSpec
    depth: int
    widths: tuple
    trials: int
    blocks: int
    input_dim: int
    seed: int
    x: np.ndarray
    y: np.ndarray
    layers: tuple
    records: dict

    def histograms(self, width: int, layer: int, second_moment: bool = False) -> np.ndarray:
        """(trials, K_r, K_c): every trial's histogram (or V) of ``layer`` at ``width``."""
        name = ("V" if second_moment else "G") + str(layer)
        return np.stack([r[name] for r in self.records[width]])

    def values(self, width: int, name: str) -> np.ndarray:
        """(trials, ...): the per-trial array ``name`` ("entk", a VERSION, "gap2", ...)."""
        return np.stack([np.asarray(r[name]) for r in self.records[width]])

    def estimates(self) -> dict:
        """``{width: [per-trial tuples of GraphonEstimate or None per layer]}``, the input
        of :func:`~numerics.graphons.study.distances_to_reference` (neuron orders are
        not stored: ``row_order``/``col_order`` are empty)."""
        empty = np.empty(0, dtype=np.int64)
        shape_of = lambda n, h: _shape(self.input_dim, n, self.depth)[h - 1:h + 1][::-1]  # noqa: E731
        out = {}
        for n in self.widths:
            out[n] = []
            for r in self.records[n]:
                layers = []
                for h in range(1, self.depth + 2):
                    if h not in self.layers:
                        layers.append(None)
                        continue
                    rows, cols = self.block_sizes(n, h)
                    layers.append(GraphonEstimate(r[f"G{h}"], empty, empty, shape_of(n, h),
                                                  rows, cols, r[f"V{h}"]))
                out[n].append(tuple(layers))
        return out

    def block_sizes(self, width: int, layer: int) -> tuple:
        """Neurons per row block and per column block of ``layer``'s estimate at ``width``."""
        rows, cols = self.records[width][0][f"G{layer}"].shape
        shape = _shape(self.input_dim, width, self.depth)
        return _sizes(shape[layer], rows), _sizes(shape[layer - 1], cols)


def _shape(d0: int, n: int, depth: int) -> tuple:
    return (d0,) + (n,) * depth + (1,)


def _sizes(n: int, k: int) -> np.ndarray:
    starts = -((-np.arange(k, dtype=np.int64) * n) // k)
    return np.diff(np.append(starts, n))


def _gap(V, G, rows, cols) -> float:
    w = np.outer(rows, cols)
    total = float(np.sum(w * G))
    return float(np.sum(w * np.abs(V - G)) / total) if total > 0 else 0.0


def _trial(spec, shape, seed, t, blocks, X, layers) -> dict:
    weights = draw_weights(shape, seed, t)
    mask = spec.mask(shape, seed, t, weights)
    net = mask.network(weights, activation=spec.activation)
    est = estimate_network_graphons(mask, blocks, weights=weights)
    out = {}
    rng = np.random.default_rng([seed, t, shape[1], 7])
    for h in layers:
        e = est[h - 1]
        out[f"G{h}"], out[f"V{h}"] = e.values, e.second_moment
        W = weights[h - 1]
        Wp = W.reshape(-1)[rng.permutation(W.size)].reshape(W.shape)
        null = estimate_graphon(mask.array(h), e.values.shape, weights=Wp,
                                row_order=e.row_order, col_order=e.col_order)
        out[f"gap{h}"] = _gap(e.second_moment, e.values, e.row_sizes, e.col_sizes)
        out[f"null{h}"] = _gap(null.second_moment, null.values, null.row_sizes, null.col_sizes)
    K = empirical_ntk(net, X)
    out["entk"] = np.array([K[0, 1], K[0, 0], K[1, 1]])
    for version, k in (("constant", 1), ("density", blocks), ("second", blocks)):
        shared = estimate_network_graphons(mask, k, weights=weights, order="shared")
        gnet = to_graphon_network(shared, input_dim=shape[0], activation=spec.activation,
                                  second_moment=version == "second")
        with np.errstate(invalid="ignore", divide="ignore"):   # dead blocks: 0/0 guarded
            G = graphon_ntk(gnet, X).ntk
        out[version] = np.array([G[0, 1], G[0, 0], G[1, 1]])
    return out


def _description(spec, depth, width, blocks, x, y, seed) -> dict:
    return {"kind": "pruned-graphons", "method": spec.description(), "depth": depth,
            "width": width, "blocks": blocks, "seed": seed,
            "x": [float(v) for v in x], "y": [float(v) for v in y]}


def pruned_graphon_trials(spec: PruningSpec, depth: int, widths, trials: int, *, x, y,
                          blocks: int = DEFAULT_BLOCKS, seed: int = 0,
                          store: ResultStore | None = None, progress=None,
                          input_dim: int | None = None) -> PrunedGraphonTrials:
    """Run (or read back from ``store``) trials 0..trials-1 at every width.

    ``x``, ``y``: the inputs of the NTK entries (their dimension is d0; the scoring
    data of a data-driven method must have it).  ``blocks`` (K) must not exceed the
    smallest width.  ``progress(width, trial)`` is called after each computed trial.
    """
    if not isinstance(spec, PruningSpec):
        raise InvalidArgument("spec", type(spec).__name__, "not a PruningSpec",
                              "build one with numerics.masks.PruningSpec(method, density)")
    depth = check_int(depth, "depth", 1)
    trials = check_int(trials, "trials", 2)
    seed = check_int(seed, "seed", 0)
    blocks = check_int(blocks, "blocks", 1)
    widths = tuple(sorted({check_int(n, "widths", 1) for n in widths}))
    if len(widths) < 2:
        raise InvalidArgument("widths", list(widths), "need at least two widths",
                              "pass e.g. 100,500,1000,2000")
    if blocks > widths[0]:
        raise InvalidArgument("blocks", blocks, f"larger than the width {widths[0]}",
                              f"use K <= {widths[0]} (a block needs at least one neuron)")
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    if x.shape != y.shape:
        raise InvalidArgument("y", f"length {y.size}", f"x has length {x.size}",
                              "give two inputs of the same dimension")
    d0 = x.size if input_dim is None else check_int(input_dim, "input_dim", 1)
    if d0 != x.size:
        raise InvalidArgument("x", f"length {x.size}", f"the input dimension is {d0}",
                              f"give inputs with {d0} coordinates")
    layers = spec.pruned_layers(depth)
    X = np.stack([x, y])
    own = store is None
    store = ResultStore() if own else store
    records = {}
    try:
        for n in widths:
            desc = _description(spec, depth, n, blocks, x, y, seed)
            key = hashlib.sha256(json.dumps(desc, sort_keys=True).encode()).hexdigest()
            store.ensure_run(key, desc, CODE_VERSION)
            done = set(store.done_array_trials(key))
            for t in range(trials):
                if t in done:
                    continue
                store.add_arrays(key, t, _trial(spec, _shape(d0, n, depth), seed, t, blocks,
                                                X, layers))
                if progress is not None:
                    progress(n, t)
            stored = store.arrays(key, range(trials))
            records[n] = [stored[t] for t in range(trials)]
    finally:
        if own:
            store.close()
    return PrunedGraphonTrials(spec, depth, widths, trials, blocks, d0, seed, x, y, layers,
                               records)
