"""A grid of Monte Carlo sweeps (depths x keep_probs x widths) and their relative deviations.

Every cell of the grid is one :class:`~numerics.sweeps.sweep.SweepConfig` run by
:func:`~numerics.sweeps.sweep.run_sweep` into one shared
:class:`~numerics.sweeps.store.ResultStore`, so a rerun with the same store computes only
the missing trials of every cell.  One progress display counts the trials of the
whole grid.  For each cell the result holds the relative deviations
``|Theta_n(x, y) / limit - 1|`` per trial, with ``limit`` the infinite-width NTK
entry from :func:`theory.limit_kernel` for that cell's architecture (for rescaled
pruning with a dense first layer this is the dense limit; for plain pruning it
carries the keep-probability factor, so relative deviations compare either kind).

Cells of the same width share their weights and mask uniforms across keep
probabilities (common random numbers, see :mod:`numerics.networks.sampling`); cells of
different widths are independent.

``backend`` and ``scheduler`` are those of :func:`~numerics.sweeps.sweep.run_sweep`;
an address is connected once for the whole grid.  ``mask`` (a
:class:`~numerics.masks.PruningSpec`) replaces the Bernoulli masks: the cell of keep
probability q prunes each trial's weights with the method at density q, and its
reference limit stays the random-mask limit at q.

>>> res = run_grid(["1", "0.5"], [16, 32], [1.0, 0.0], [0.6, 0.8], 3, progress=False)
>>> sorted(res.deviations(1)), sorted(res.deviations(1)[0.5]), res.computed
([0.5, 1.0], [16, 32], 12)
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Iterable

import numpy as np

from theory._errors import InvalidArgument, check_int, check_keep_prob
from theory.config import Architecture
from theory.kernels.float64 import limit_kernel

from ..backend.devices import check_backend, run_key
from ..sweeps.config import (
    SweepConfig,
    auto_workers,
    check_memory,
    trial_cost,
    trial_memory,
)
from ..sweeps.progress import Progress
from ..sweeps.store import ResultStore
from ..sweeps.sweep import _client, run_sweep

__all__ = ["GridCell", "GridResult", "grid_configs", "run_grid"]


@dataclass(frozen=True)
class GridCell:
    """One configuration of the grid: its sweep, the limit and the relative deviations."""

    depth: int
    keep_prob: Fraction
    width: int
    config: SweepConfig
    limit: float
    theta_xy: np.ndarray
    rel_dev: np.ndarray      # |theta_xy / limit - 1|, indexed by trial
    computed: int            # trials computed by this call (the rest came from the store)


@dataclass(frozen=True)
class GridResult:
    """The cells of a grid, keyed by (depth, keep_prob, width)."""

    cells: dict
    trials: int

    @property
    def computed(self) -> int:
        return sum(c.computed for c in self.cells.values())

    def deviations(self, depth: int) -> dict[float, dict[int, np.ndarray]]:
        """``{keep_prob (float): {width: relative deviations}}`` at one depth, the layout
        :mod:`numerics.scaling.analysis` and :mod:`numerics.scaling.plots` take."""
        out: dict[float, dict[int, np.ndarray]] = {}
        for (d, q, n), cell in sorted(self.cells.items()):
            if d == depth:
                out.setdefault(float(q), {})[n] = cell.rel_dev
        return out


class _GridProgress(Progress):
    """One display for the whole grid: run_sweep closes its bar after each
    configuration, which is ignored here; :meth:`finish` closes it."""

    def close(self) -> None:
        pass

    def finish(self) -> None:
        super().close()


def _distinct(values, argument: str, parse) -> tuple:
    try:
        items = list(values)
    except TypeError:
        raise InvalidArgument(argument, values, "not a sequence",
                              "pass a list of values") from None
    if not items:
        raise InvalidArgument(argument, values, "empty", "pass at least one value")
    parsed = [parse(v) for v in items]
    if len(set(parsed)) != len(parsed):
        raise InvalidArgument(argument, items, "has repeated values", "list each value once")
    return tuple(sorted(parsed))


def _method(mask, q):
    """The pruning spec of cell q: ``mask`` at density q (None: Bernoulli)."""
    if mask is None:
        return None
    from dataclasses import replace

    from ..masks.pruning import PruningSpec
    if not isinstance(mask, PruningSpec):
        raise InvalidArgument("mask", type(mask).__name__, "a grid varies the widths, which a "
                              "fixed mask cannot follow", "pass a PruningSpec (a method)")
    return replace(mask, density=q)


def grid_configs(keep_probs: Iterable, widths: Iterable[int], x, y, *,
                 depths: Iterable[int] = (1,), rescale: bool = False,
                 activation: str = "relu", seed: int = 0, mask=None) -> list[SweepConfig]:
    """The grid's configurations, in (depth, keep_prob, width) order.

    Masked layers are the hidden-to-hidden and output layers (the first layer is dense).
    ``mask``: None (Bernoulli masks) or a PruningSpec, used at density q in cell q.

    >>> [c.widths for c in grid_configs(["1/2"], [8, 4], [1.0], [0.5], depths=[2])]
    [(4, 4), (8, 8)]
    """
    qs = _distinct(keep_probs, "keep_probs", lambda q: check_keep_prob(q, "keep_probs"))
    ns = _distinct(widths, "widths", lambda n: check_int(n, "widths", 1))
    Ls = _distinct(depths, "depths", lambda d: check_int(d, "depths", 1))
    specs = {q: _method(mask, q) for q in qs}
    return [SweepConfig(Architecture.pruned(L, q, rescale=rescale, activation=activation),
                        n, x, y, seed, specs[q])
            for L in Ls for q in qs for n in ns]


def _limit(arch: Architecture, x, y) -> float:
    lim = float(limit_kernel(arch, [x], [y]).ntk[0, 0])
    scale = float(np.sqrt(limit_kernel(arch, [x]).ntk[0, 0] * limit_kernel(arch, [y]).ntk[0, 0]))
    if not abs(lim) > 1e-12 * scale:
        raise InvalidArgument("y", list(y), "the limit NTK entry Theta(x, y) is 0, so relative "
                              "deviations are undefined",
                              "choose inputs x, y whose limit kernel entry is non-zero")
    return lim


def run_grid(keep_probs: Iterable, widths: Iterable[int], x, y, trials: int, *,
             depths: Iterable[int] = (1,), rescale: bool = False, activation: str = "relu",
             seed: int = 0, store: ResultStore | None = None, workers: int = 1,
             progress="auto", memory_limit: int | None = None, backend: str = "numpy",
             scheduler=None, mask=None) -> GridResult:
    """Run trials 0..trials-1 of every configuration of the grid; see the module docstring.

    ``progress``: ``"auto"``/True (one display for the grid, on stderr), False
    (silent).  The memory needed by the widest configuration is checked before
    any trial runs (InvalidArgument on ``widths``).  KeyboardInterrupt stops the
    grid; trials finished so far stay in ``store``.  ``backend``: "numpy" or "cupy";
    ``scheduler``: None, a Dask scheduler address or a ``distributed.Client``.
    """
    configs = grid_configs(keep_probs, widths, x, y, depths=depths, rescale=rescale,
                           activation=activation, seed=seed, mask=mask)
    trials = check_int(trials, "trials", 1)
    workers = auto_workers(configs, trials) if workers is None else check_int(workers, "workers", 1)
    check_memory(max(configs, key=trial_memory), 1 if scheduler is not None else workers,
                 memory_limit)
    limits = {}
    for c in configs:
        if c.arch not in limits:
            limits[c.arch] = _limit(c.arch, c.x, c.y)
    if scheduler is None:
        check_backend(backend)
    client, own_client = _client(scheduler)
    own_store = store is None
    store = ResultStore() if own_store else store
    try:
        if client is not None:
            from ..sweeps.cluster import check_backend_on_cluster
            check_backend_on_cluster(client, backend)
        done = {c.key: sum(1 for t in store.done_trials(run_key(c, backend)) if t < trials)
                for c in configs}
        bar = _GridProgress(trials * len(configs), sum(done.values()), enabled=bool(progress),
                            total_cost=sum(trials * trial_cost(c) for c in configs),
                            done_cost=sum(done[c.key] * trial_cost(c) for c in configs))
        cells = {}
        try:
            for c in configs:
                res = run_sweep(c, trials, store=store, workers=workers, progress=bar,
                                memory_limit=memory_limit, backend=backend, scheduler=client)
                lim = limits[c.arch]
                q = c.arch.keep_probs[-1]
                cells[(c.arch.depth, q, c.widths[0])] = GridCell(
                    c.arch.depth, q, c.widths[0], c, lim, res.theta_xy,
                    np.abs(res.theta_xy / lim - 1.0), res.computed)
        finally:
            bar.finish()
    finally:
        if own_store:
            store.close()
        if own_client:
            client.close()
    return GridResult(cells, trials)
