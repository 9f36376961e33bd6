"""Deviations |Theta_n(x, y) - limit| of sampled networks at a sample point and a width.

One :class:`Sampler` serves a whole bound check: it keeps one results store, so a
(depth, keep_prob, width) configuration is simulated once however many sample
points (differing only in eps or delta) or width grids ask for it, and trial t of
a configuration is the same network in every request.  Networks are
``Architecture.pruned(L, q, rescale=..., masked_layers=...)``: by default a dense first
layer and layers 2..L+1 masked; ``masked_layers`` picks the weight layers q masks.  The limit is ``theory.limit_kernel`` of that architecture - with plain
pruning (the default) the dense limit times prod_h q_h (claim C1), with rescaled
pruning the dense limit itself.

Default inputs x = (1, 0, 0), y = (0.6, 0.8, 0): both of norm 1, as Theorem 3.1
of Arora et al. (2019) requires ||x||, ||x'|| <= 1.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

import numpy as np

from numerics.sweeps.config import SECONDS_PER_UNIT, SweepConfig, check_memory
from numerics.sweeps.store import ResultStore
from numerics.sweeps.sweep import run_sweep
from theory.config import Architecture
from theory.kernels.float64 import limit_kernel

from .points import SamplePoint

__all__ = ["Sampler", "DEFAULT_X", "DEFAULT_Y"]

DEFAULT_X = (1.0, 0.0, 0.0)
DEFAULT_Y = (0.6, 0.8, 0.0)
LONG_SWEEP_SECONDS = 10.0      # sweeps estimated longer than this show their own progress


@dataclass
class Sampler:
    """Runs (and caches) the Monte Carlo of one bound check."""

    x: tuple = DEFAULT_X
    y: tuple = DEFAULT_Y
    rescale: bool = False
    seed: int = 0
    backend: str = "numpy"
    workers: int | None = 1
    progress: object = False
    scheduler: object = None
    store: ResultStore | None = None
    width_argument: str = "max_width"
    label: str = "pntk bound"
    masked_layers: tuple | None = None
    _limits: dict = field(default_factory=dict)
    _own_store: bool = False
    computed: int = 0

    def __post_init__(self):
        if self.store is None:
            self.store = ResultStore()
            self._own_store = True

    def close(self) -> None:
        if self._own_store and self.store is not None:
            self.store.close()
            self.store = None

    def say(self, message: str) -> None:
        """A progress line on stderr (when progress is on)."""
        if self.progress:
            print(f"{self.label}: {message}", file=sys.stderr, flush=True)

    def arch(self, point: SamplePoint) -> Architecture:
        return Architecture.pruned(point.depth, point.keep_prob, rescale=self.rescale,
                                   masked_layers=self.masked_layers)

    def config(self, point: SamplePoint, width: int) -> SweepConfig:
        return SweepConfig(self.arch(point), int(width), self.x, self.y, self.seed)

    def limit(self, point: SamplePoint) -> float:
        key = (point.depth, point.keep_prob)
        if key not in self._limits:
            k = limit_kernel(self.arch(point), [list(self.x)], [list(self.y)])
            self._limits[key] = float(k.ntk[0, 0])
        return self._limits[key]

    def check_memory(self, point: SamplePoint, width: int) -> None:
        """Refuse a width whose trials would not fit in memory (names the width argument)."""
        workers = 1 if self.workers is None or self.scheduler is not None else self.workers
        check_memory(self.config(point, width), workers, argument=self.width_argument)

    def deviations(self, point: SamplePoint, width: int, trials: int) -> np.ndarray:
        """|Theta_n(x, y) - limit| of trials 0..trials-1 at this point and width."""
        cfg = self.config(point, width)
        shape = (cfg.input_dim, *cfg.widths, 1)
        seconds = sum(a * b for a, b in zip(shape[1:], shape[:-1])) * trials * SECONDS_PER_UNIT
        show = "auto" if (self.progress and not hasattr(self.progress, "advance")
                          and seconds > LONG_SWEEP_SECONDS) else False
        res = run_sweep(cfg, trials, store=self.store, workers=self.workers, progress=show,
                        backend=self.backend, scheduler=self.scheduler)
        self.computed += res.computed
        return np.abs(res.theta_xy - self.limit(point))
