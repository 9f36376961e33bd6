"""Make masks by name, and networks with given masks: the front of :mod:`numerics.masks`.

* :class:`PruningSpec`: a method and its settings (density, scope, pruned layers,
  data, rounds), validated once; ``spec.mask(shape, seed, trial)`` prunes the
  network of that seed and trial.  It is what a command needs to make a fresh mask
  per Monte Carlo trial (``spec.network(...)``) and what its run key records
  (``spec.description()``).
* :func:`prune`: the same in one call.
* :func:`draw_weights`: the Gaussian weights of trial ``trial``, the very draws of
  :func:`numerics.networks.sampling.sample_network` (same seed, shape, trial).
* :func:`masked_network`: those weights under a given :class:`Mask`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from theory._errors import InvalidArgument, check_int
from theory.config import ACTIVATIONS

from ..networks.network import MaskedNetwork
from ..networks.sampling import DTYPES, layer_generator, network_key
from .data import ScoringData, load_scoring_data
from .job import SCOPES, WEIGHT_STREAM, PruneJob
from .mask import Mask
from .methods import METHODS

__all__ = ["PruningSpec", "prune", "draw_weights", "masked_network", "check_density",
           "default_layers"]


def check_density(value, argument: str = "density") -> Fraction:
    """A target density (kept fraction) in (0, 1], exactly ("0.2" is 1/5).

    >>> check_density("0.2")
    Fraction(1, 5)
    """
    try:
        d = Fraction(value.strip()) if isinstance(value, str) else \
            (value if isinstance(value, Fraction) else Fraction(repr(float(value))))
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        raise InvalidArgument(argument, value, "not a number",
                              "give the kept fraction d with 0 < d <= 1 (e.g. 0.2)") from None
    if isinstance(value, bool) or not 0 < d <= 1:
        raise InvalidArgument(argument, value, "a density (kept fraction) must lie in (0, 1]",
                              "give 0 < d <= 1 (0.2 keeps a fifth of the weights)")
    return d


def _densities(value):
    """One density, or a tuple of them from a sequence or a comma-separated string."""
    if isinstance(value, str) and "," in value:
        value = [v for v in value.replace(" ", "").split(",") if v]
    if isinstance(value, (list, tuple)):
        if not value:
            raise InvalidArgument("density", value, "no density given",
                                  "give one density, or one per pruned layer")
        values = tuple(check_density(v) for v in value)
        return values[0] if len(values) == 1 else values
    return check_density(value)


def default_layers(depth: int) -> tuple[int, ...]:
    """The pruned layers by default: 2..L+1 (the first layer dense), as in THEORY.md."""
    return tuple(range(2, depth + 2))


def _shape(shape) -> tuple[int, ...]:
    try:
        values = tuple(shape)
    except TypeError:
        raise InvalidArgument("shape", shape, "not a sequence",
                              "give (d0, n_1, ..., n_L, 1)") from None
    values = tuple(check_int(n, "shape", 1) for n in values)
    if len(values) < 3 or values[-1] != 1:
        raise InvalidArgument("shape", shape, "need (d0, n_1, ..., n_L, 1) with L >= 1",
                              "give the input dimension, the hidden widths and 1")
    return values


def draw_weights(shape, seed: int, trial: int = 0, dtype: str = "float64") -> tuple:
    """W^(1)..W^(L+1) of trial ``trial``: iid N(0, 1), the draws ``sample_network`` makes.

    >>> from theory import Architecture
    >>> from numerics.networks.sampling import sample_network
    >>> W = draw_weights((3, 8, 1), seed=5, trial=2)
    >>> net = sample_network(Architecture.pruned(1), 8, 5, 2, input_dim=3)
    >>> all(bool((a == b).all()) for a, b in zip(W, net.weights))
    True
    """
    shape = _shape(shape)
    if dtype not in DTYPES:
        raise InvalidArgument("dtype", dtype, "unsupported float type",
                              f"choose one of {', '.join(DTYPES)}")
    key = network_key(shape, dtype)
    seed, trial = check_int(seed, "seed"), check_int(trial, "trial")
    return tuple(layer_generator(seed, key, trial, h, WEIGHT_STREAM).standard_normal(
        (shape[h], shape[h - 1]), dtype=np.dtype(dtype)) for h in range(1, len(shape)))


def masked_network(mask: Mask, seed: int, trial: int = 0, *, rescale: bool = False,
                   keep_probs="kept", activation: str = "relu",
                   dtype: str = "float64") -> MaskedNetwork:
    """Fresh Gaussian weights of trial ``trial`` (:func:`draw_weights` for the mask's shape)
    under ``mask``.  A mask made by method ``random`` with the same seed and trial gives
    bit for bit the network ``sample_network`` draws at those densities.
    """
    if not isinstance(mask, Mask):
        raise InvalidArgument("mask", type(mask).__name__, "not a Mask",
                              "make one with numerics.masks.prune or load_mask")
    return mask.network(draw_weights(mask.shape, seed, trial, dtype), rescale=rescale,
                        keep_probs=keep_probs, activation=activation)


@dataclass(frozen=True, eq=False)
class PruningSpec:
    """A pruning method and its settings.

    ``method``: a name of :data:`numerics.masks.methods.METHODS`; ``density``: the
    kept fraction in (0, 1], or one per pruned layer (a sequence or "0.5,0.2"; a
    per-layer budget); ``scope``: 'per-layer' or 'global' (None: the method's
    default); ``layers``: the pruned layers (None: 2..L+1); ``data``: 'digits', a file
    (see :func:`numerics.masks.data.load_scoring_data`) or :class:`ScoringData`, read
    only by methods that score on data; ``samples``: use only the first ``samples``
    inputs; ``rounds``: rounds of iterative methods; ``activation`` of the network.

    >>> spec = PruningSpec("magnitude", "0.25")
    >>> m = spec.mask((4, 16, 16, 1), seed=0)
    >>> m.method, m.masked_layers, sum(m.kept[1:]), spec.scope    # round(272 / 4) kept
    ('magnitude', (2, 3), 68, 'global')
    """

    method: str
    density: object
    scope: str | None = None
    layers: tuple | None = None
    data: object = "digits"
    labels: str | None = None
    samples: int | None = None
    rounds: int = 100
    activation: str = "relu"
    _resolved: dict = field(default_factory=dict, repr=False, init=False)

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise InvalidArgument("method", self.method, "unknown pruning method",
                                  f"choose one of {', '.join(METHODS)}")
        info = METHODS[self.method]
        density = _densities(self.density)
        object.__setattr__(self, "density", density)
        scope = info.scopes[0] if self.scope is None else self.scope
        if isinstance(density, tuple):
            if self.scope is None and "per-layer" in info.scopes:
                scope = "per-layer"
            if scope != "per-layer":
                raise InvalidArgument("density", ",".join(map(str, density)), "one density "
                                      f"per layer needs a per-layer budget ({self.method}: "
                                      f"{' or '.join(info.scopes)})",
                                      "give one density for a global budget")
        if scope not in SCOPES:
            raise InvalidArgument("scope", self.scope, "unknown scope",
                                  "choose 'per-layer' or 'global'")
        if scope not in info.scopes:
            raise InvalidArgument("scope", scope, f"{self.method} does not prune with a "
                                  f"{scope} budget", f"use {' or '.join(info.scopes)}")
        object.__setattr__(self, "scope", scope)
        if self.layers is not None:
            layers = tuple(sorted({check_int(h, "layers", 1) for h in self.layers}))
            if not layers:
                raise InvalidArgument("layers", self.layers, "no layer to prune",
                                      "give at least one layer (1..L+1)")
            object.__setattr__(self, "layers", layers)
        if self.activation not in ACTIVATIONS:
            raise InvalidArgument("activation", self.activation, "unknown activation",
                                  f"choose one of {', '.join(ACTIVATIONS)}")
        object.__setattr__(self, "rounds", check_int(self.rounds, "rounds", 1))
        if self.samples is not None:
            object.__setattr__(self, "samples", check_int(self.samples, "samples", 1))
        data = None
        if info.uses_data:
            data = load_scoring_data(self.data, self.labels).subset(self.samples)
        object.__setattr__(self, "_resolved", {"data": data})

    @property
    def scoring_data(self) -> ScoringData | None:
        """The data the method scores on (None for data-free methods)."""
        return self._resolved["data"]

    def description(self) -> dict:
        """JSON-able settings: everything a mask depends on besides seed, trial, shape."""
        info = METHODS[self.method]
        density = ",".join(map(str, self.density)) if isinstance(self.density, tuple) \
            else str(self.density)
        out = {"method": self.method, "density": density, "scope": self.scope,
               "layers": None if self.layers is None else list(self.layers),
               "activation": self.activation}
        if info.iterative:
            out["rounds"] = self.rounds
        data = self.scoring_data
        if data is not None:
            out.update(data=data.source, samples=int(data.inputs.shape[0]),
                       classes=data.classes)
        return out

    def pruned_layers(self, depth: int) -> tuple[int, ...]:
        """The pruned layers of a network of depth ``depth`` (checked against it)."""
        layers = default_layers(depth) if self.layers is None else self.layers
        if layers[-1] > depth + 1:
            raise InvalidArgument("layers", list(layers), f"layer {layers[-1]} does not exist "
                                  f"(depth {depth} has weight layers 1..{depth + 1})",
                                  f"give layers between 1 and {depth + 1}")
        if isinstance(self.density, tuple) and len(self.density) != len(layers):
            raise InvalidArgument("density", ",".join(map(str, self.density)),
                                  f"{len(self.density)} densities for {len(layers)} pruned "
                                  f"layers ({', '.join(map(str, layers))})",
                                  "give one density per pruned layer, or one for all")
        return layers

    def mask(self, shape, seed: int = 0, trial: int = 0, weights=None, *,
             progress=None) -> Mask:
        """Prune the network of shape (d0, n_1, ..., n_L, 1) whose weights are
        ``weights`` (default: :func:`draw_weights` of ``seed`` and ``trial``);
        ``progress(done, total)`` is called after each round of an iterative method."""
        shape = _shape(shape)
        seed, trial = check_int(seed, "seed"), check_int(trial, "trial")
        data = self.scoring_data
        if data is not None and data.input_dim != shape[0]:
            raise InvalidArgument("shape", shape, f"input dimension {shape[0]}, but the "
                                  f"scoring data ({data.source}) has {data.input_dim} features",
                                  f"use input dimension {data.input_dim}")
        layers = self.pruned_layers(len(shape) - 2)
        if weights is None:
            weights = draw_weights(shape, seed, trial)
        weights = Mask.dense(shape).check_weights(weights)
        job = PruneJob(shape, layers, self.density, self.scope, weights, seed, trial, data,
                       self.rounds, self.activation, progress)
        info = METHODS[self.method]
        kept = info.run(job)
        arrays = tuple(kept.get(h) for h in range(1, len(shape)))
        targets = info.nominal(job) if info.nominal else {h: job.target(h) for h in layers}
        nominal = tuple(targets.get(h, Fraction(1)) for h in range(1, len(shape)))
        params = {**self.description(), "layers": list(layers), "seed": seed, "trial": trial}
        return Mask(arrays, shape=shape, method=self.method, params=params, nominal=nominal)

    def network(self, shape, seed: int, trial: int = 0, *, rescale: bool = False,
                keep_probs="kept") -> MaskedNetwork:
        """The network of ``seed`` and ``trial`` pruned by this method (its own weights)."""
        weights = draw_weights(_shape(shape), seed, trial)
        return self.mask(shape, seed, trial, weights).network(
            weights, rescale=rescale, keep_probs=keep_probs, activation=self.activation)


def prune(method: str, shape, density, *, seed: int = 0, trial: int = 0, weights=None,
          **settings) -> Mask:
    """Prune the network (d0, n_1, ..., n_L, 1) of ``seed`` and ``trial`` with ``method``
    at ``density``; ``settings`` are those of :class:`PruningSpec`.

    >>> m = prune("uniform", (5, 10, 10, 1), "0.3", seed=1)
    >>> m.masked_layers, m.kept
    ((2, 3), (50, 30, 3))
    >>> prune("magnitude", (5, 10, 10, 1), "0.5,0.2").kept       # one density per layer
    (50, 50, 2)
    """
    return PruningSpec(method, density, **settings).mask(shape, seed, trial, weights)
