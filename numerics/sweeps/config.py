"""What one Monte Carlo trial is: a sweep's configuration, a trial's values, its cost.

A :class:`SweepConfig` fixes an architecture, hidden widths, two inputs and a seed;
trial t of it is network ``sample_network(arch, widths, seed, trial=t)`` and its
2 x 2 empirical NTK (:func:`trial_values`).  With a mask source (``mask``: a
:class:`~numerics.masks.Mask` or a :class:`~numerics.masks.PruningSpec`) trial t is
:func:`numerics.masks.trial_network` instead: fresh weights under the fixed mask, or
the trial's own weights pruned by the method.  :func:`trial_memory`,
:func:`check_memory` and :func:`auto_workers` estimate what running trials costs.
The runners (:mod:`numerics.sweeps.sweep`, :mod:`numerics.sweeps.cluster`) import this
module; it imports neither.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass

import numpy as np

from theory._errors import InvalidArgument, check_int
from theory.config import Architecture

from ..backend.devices import backend_namespace
from ..backend.xp import default_memory_limit
from ..entk.gram import empirical_ntk, estimate_memory
from ..networks.network import MaskedNetwork
from ..networks.sampling import sample_network

__all__ = ["SweepConfig", "SweepResult", "trial_values", "trial_memory", "trial_cost",
           "auto_workers",
           "check_memory", "SWEEP_LAYOUT", "SECONDS_PER_UNIT"]

SWEEP_LAYOUT = "network.v1+entk2x2.v1"    # bump when a trial's values would change


def _vector(v, argument: str) -> tuple[float, ...]:
    try:
        arr = np.asarray(v, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidArgument(argument, v, "not a vector of numbers", "pass real numbers") from None
    if arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr)):
        raise InvalidArgument(argument, v, "need a non-empty 1-D vector of finite numbers",
                              "pass e.g. [1.0, 0.0, 0.0]")
    return tuple(float(a) for a in arr)


@dataclass(frozen=True)
class SweepConfig:
    """One Monte Carlo configuration: architecture, hidden widths, the inputs x, y and the seed.

    ``mask`` (optional) replaces the Bernoulli masks of ``arch``: a Mask of the
    network's shape or a PruningSpec; ``arch`` still gives the depth, the rescaling
    and the activation (its keep probabilities are then the reference densities of
    the random-mask limit).  The source's description enters the key; without one
    the key is that of a Bernoulli run as before.

    >>> cfg = SweepConfig(Architecture.pruned(2, "0.5"), 16, [1.0, 0.0], [0.6, 0.8], seed=3)
    >>> cfg.widths, cfg.input_dim, len(cfg.key)
    ((16, 16), 2, 64)
    >>> from numerics.masks import PruningSpec
    >>> snip = SweepConfig(cfg.arch, 16, cfg.x, cfg.y, 3, PruningSpec("magnitude", "0.5"))
    >>> snip.key != cfg.key, snip.description()["mask"]["method"]
    (True, 'magnitude')
    """

    arch: Architecture
    widths: tuple[int, ...]
    x: tuple[float, ...]
    y: tuple[float, ...]
    seed: int = 0
    mask: object = None

    def __post_init__(self):
        if not isinstance(self.arch, Architecture):
            raise InvalidArgument("arch", type(self.arch).__name__, "not an Architecture",
                                  "build one with theory.Architecture.pruned(...)")
        widths = self.widths
        if isinstance(widths, (list, tuple)):
            if len(widths) != self.arch.depth:
                raise InvalidArgument("widths", widths, f"need {self.arch.depth} hidden widths",
                                      "give one width per hidden layer, or one integer")
        else:
            widths = (widths,) * self.arch.depth
        object.__setattr__(self, "widths", tuple(check_int(n, "widths", 1) for n in widths))
        x, y = _vector(self.x, "x"), _vector(self.y, "y")
        if len(x) != len(y):
            raise InvalidArgument("y", self.y, f"has {len(y)} entries but x has {len(x)}",
                                  "give x and y the same length")
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "seed", check_int(self.seed, "seed", 0))
        if self.mask is not None:
            self._check_mask()

    def _check_mask(self) -> None:
        from ..masks.mask import Mask
        from ..masks.pruning import PruningSpec
        shape = (self.input_dim, *self.widths, 1)
        if isinstance(self.mask, Mask):
            if self.mask.shape != shape:
                raise InvalidArgument("mask", f"a mask of shape {list(self.mask.shape)}",
                                      f"the network has shape {list(shape)}",
                                      "use the mask's input dimension, depth and widths")
        elif isinstance(self.mask, PruningSpec):
            self.mask.pruned_layers(self.arch.depth)
            data = self.mask.scoring_data
            if data is not None and data.input_dim != self.input_dim:
                raise InvalidArgument("x", f"inputs of dimension {self.input_dim}",
                                      f"{self.mask.method} scores on {data.source} with "
                                      f"{data.input_dim} features",
                                      f"give inputs of dimension {data.input_dim}")
        else:
            raise InvalidArgument("mask", type(self.mask).__name__, "not a mask source",
                                  "pass a Mask or a PruningSpec (numerics.masks.mask_source)")

    @property
    def input_dim(self) -> int:
        return len(self.x)

    def description(self) -> dict:
        """A JSON-able description: everything a trial's values depend on."""
        a = self.arch
        return {"layout": SWEEP_LAYOUT, "depth": a.depth,
                "keep_probs": [str(q) for q in a.keep_probs],
                "masked_layers": list(a.masked_layers), "rescale": a.rescale,
                "activation": a.activation, "widths": list(self.widths),
                "x": list(self.x), "y": list(self.y), "seed": self.seed, "dtype": "float64",
                **self._mask_description()}

    def _mask_description(self) -> dict:
        if self.mask is None:
            return {}                  # Bernoulli runs keep their keys
        from ..masks.sources import source_description
        return {"mask": source_description(self.mask)}

    def network(self, trial: int) -> MaskedNetwork:
        """Network ``trial`` of this configuration (Bernoulli masks or the mask source)."""
        if self.mask is None:
            return sample_network(self.arch, self.widths, self.seed, trial,
                                  input_dim=self.input_dim)
        from ..masks.sources import trial_network
        return trial_network(self.mask, (self.input_dim, *self.widths, 1), self.seed, trial,
                             rescale=self.arch.rescale, activation=self.arch.activation)

    @property
    def key(self) -> str:
        """SHA-256 (hex) of the canonical JSON description: the run's key in a store."""
        text = json.dumps(self.description(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class SweepResult:
    """Values of trials 0..trials-1 (arrays indexed by trial) and the work this call did.

    ``computed`` trials were computed by this call, the others read from the store.
    """

    config: SweepConfig
    trials: int
    theta_xy: np.ndarray
    theta_xx: np.ndarray
    theta_yy: np.ndarray
    computed: int


def trial_values(config: SweepConfig, trial: int,
                 backend: str = "numpy") -> tuple[float, float, float]:
    """(Theta_n(x, y), Theta_n(x, x), Theta_n(y, y)) of network ``trial`` of ``config``.

    The network is drawn with NumPy; for another ``backend`` (see
    :mod:`numerics.backend.devices`) its arrays and the inputs are converted to that
    namespace, and everything else is the same code.

    >>> cfg = SweepConfig(Architecture.pruned(1, "0.5"), 32, [1.0, 0.0], [0.0, 1.0])
    >>> trial_values(cfg, 4) == trial_values(cfg, 4)
    True
    """
    net = config.network(trial)
    X = np.array([config.x, config.y])
    xp = backend_namespace(backend)
    if xp is not None:
        net = net.to_namespace(xp)
        X = xp.asarray(X)
    K = empirical_ntk(net, X)
    return float(K[0, 1]), float(K[0, 0]), float(K[1, 1])


SECONDS_PER_UNIT = 2.7e-8   # measured: one trial costs ~ this x sum of n_h n_{h-1} (2 cores)
WORKER_START_SECONDS = 1.0  # measured: start-up of one spawned worker (imports)


def trial_cost(config: SweepConfig) -> int:
    """Work units of one trial's arithmetic: sum of n_h n_{h-1} over the weight layers
    (input dimension first, one output last); about ``SECONDS_PER_UNIT`` each, plus a
    fixed part per trial (drawing the network, Python, the store).  The progress display
    fits both parts to the trials it has seen for its ETA.

    >>> from theory import Architecture
    >>> trial_cost(SweepConfig(Architecture.pruned(2, "0.5"), 64, (1.0, 0.0), (0.0, 1.0)))
    4288
    """
    shape = (config.input_dim, *config.widths, 1)
    return sum(a * b for a, b in zip(shape[1:], shape[:-1]))


def auto_workers(configs, trials: int, cpus: int | None = None) -> int:
    """Worker processes for a sweep: every core when the estimated serial time exceeds
    ten times the start-up cost of the workers, else 1 (results are identical either way).

    >>> from theory import Architecture
    >>> small = SweepConfig(Architecture.pruned(2, "0.5"), 64, (1.0, 0.0), (0.0, 1.0), 0)
    >>> auto_workers([small], trials=10, cpus=2)
    1
    >>> big = SweepConfig(Architecture.pruned(3, "0.5"), 4096, (1.0, 0.0), (0.0, 1.0), 0)
    >>> auto_workers([big], trials=200, cpus=2)
    2
    """
    cpus = cpus or os.cpu_count() or 1
    units = sum(trial_cost(c) for c in configs)
    serial = units * trials * SECONDS_PER_UNIT
    return cpus if cpus > 1 and serial > 10 * WORKER_START_SECONDS * cpus else 1


def trial_memory(config: SweepConfig) -> int:
    """Peak bytes of one trial: the network (float64 weights, bool masks) and the eNTK work."""
    shape = (config.input_dim, *config.widths, 1)
    layers = [(shape[h], shape[h - 1]) for h in range(1, len(shape))]
    weights = [np.broadcast_to(np.zeros(()), s) for s in layers]       # shapes only, no memory
    masks = [np.broadcast_to(np.zeros((), bool), s) if h in config.arch.masked_layers else None
             for h, s in enumerate(layers, start=1)]
    ghost = MaskedNetwork._trusted(weights, masks, config.arch.rescale, config.arch.keep_probs,
                                   config.arch.activation)
    network = sum(9 * a * b for a, b in layers) + (1 << 16) * 16       # + sampling blocks
    return network + estimate_memory(ghost, 2)


def check_memory(config: SweepConfig, workers: int, memory_limit: int | None = None, *,
                 argument: str = "widths") -> int:
    """Refuse (InvalidArgument on ``argument``) if ``workers`` trials at once exceed the limit.

    The limit defaults to half the physical memory.  Returns the bytes needed.
    """
    need = trial_memory(config) * workers
    limit = default_memory_limit() if memory_limit is None else memory_limit
    if need > limit:
        value = config.widths[0] if len(set(config.widths)) == 1 else list(config.widths)
        raise InvalidArgument(argument, value,
                              f"{workers} trial(s) at once need about {need / 2**30:.3g} GiB, "
                              f"over the limit of {limit / 2**30:.3g} GiB",
                              "use a smaller width or fewer workers")
    return need
