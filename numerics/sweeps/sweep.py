"""Monte Carlo sweeps: T independent networks of one configuration, their eNTK entries stored.

Trial t samples ``sample_network(arch, widths, seed, trial=t)`` and computes the
2 x 2 empirical NTK of (x, y): Theta_n(x, y), Theta_n(x, x), Theta_n(y, y).
Networks are counter-based (see :mod:`numerics.networks.sampling`), so a trial's values
depend on (configuration, t) only, and are stored by trial index: the results are
the same bits for any number of workers and any completion order, and a rerun
with the same :class:`~numerics.sweeps.store.ResultStore` computes only missing trials.

``workers=1`` (the default) computes in this process: no start-up cost (a
worker imports NumPy, SciPy and the package, about a second), no extra memory,
and BLAS may still use several threads on wide layers.  ``workers=K > 1`` uses
K spawned processes with single-threaded BLAS (no oversubscription); pass it
when trials are many and cheap compared to a core's worth of BLAS.

``scheduler`` (a Dask scheduler address or a ``distributed.Client``) runs the
missing trials as tasks on a Dask cluster instead (:mod:`numerics.sweeps.cluster`); the
results are stored here as they complete and are the same bits as a local run.
``backend="cupy"`` computes each trial's eNTK on a CUDA GPU: the network is still
drawn with NumPy (seeds mean the same networks) and only converted
(:mod:`numerics.backend.devices`); such runs get their own key in the store.
"""

from __future__ import annotations

import os
import signal
from concurrent import futures
from contextlib import contextmanager
from multiprocessing import get_context

import numpy as np

from theory._errors import InvalidArgument, check_int

from ..backend.devices import check_backend, run_description, run_key
from .cluster import check_backend_on_cluster, connect, run_trials
from .config import (
    SWEEP_LAYOUT,
    SweepConfig,
    SweepResult,
    auto_workers,
    check_memory,
    trial_cost,
    trial_values,
)
from .progress import Progress
from .store import FORMAT_VERSION, ResultStore

__all__ = ["run_sweep"]

_BLAS_THREADS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _init_worker() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the parent's to handle


def _values(config: SweepConfig, trial: int, backend: str):
    # NumPy calls keep the two-argument form (tests substitute trial_values).
    return trial_values(config, trial) if backend == "numpy" else \
        trial_values(config, trial, backend)


def _task(config: SweepConfig, trial: int, backend: str = "numpy"):
    return trial, _values(config, trial, backend)


@contextmanager
def _single_threaded_blas_children():
    """Spawned children inherit the environment: give them one BLAS thread each."""
    saved = {k: os.environ.get(k) for k in _BLAS_THREADS}
    os.environ.update({k: "1" for k in _BLAS_THREADS})
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _run_pool(config, todo, workers, record, backend="numpy") -> None:
    with _single_threaded_blas_children():
        pool = futures.ProcessPoolExecutor(workers, mp_context=get_context("spawn"),
                                           initializer=_init_worker)
        try:
            pending, queue = set(), iter(todo)
            for t in queue:                         # a bounded window of tasks
                pending.add(pool.submit(_task, config, t, backend))
                if len(pending) >= 4 * workers:
                    break
            while pending:
                done, pending = futures.wait(pending, return_when=futures.FIRST_COMPLETED)
                for fut in done:
                    record(*fut.result())
                    nxt = next(queue, None)
                    if nxt is not None:
                        pending.add(pool.submit(_task, config, nxt, backend))
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def run_sweep(config: SweepConfig, trials: int, *, store: ResultStore | None = None,
              workers: int | None = 1, progress="auto", memory_limit: int | None = None,
              code_version: str | None = None, backend: str = "numpy",
              scheduler=None) -> SweepResult:
    """Run trials 0..trials-1 of ``config``, skipping those already in ``store``.

    Each finished trial is committed to ``store`` at once (default: a private
    in-memory store).  ``progress``: ``"auto"`` (an updating line on a TTY,
    periodic lines otherwise, on stderr), False (silent) or a
    :class:`~numerics.sweeps.progress.Progress`.  A request whose ``workers`` trials at
    once would exceed ``memory_limit`` (default half the RAM) is refused with
    InvalidArgument.  KeyboardInterrupt stops the sweep: finished trials stay
    stored, and the interrupt is re-raised.

    ``backend``: "numpy" (default) or "cupy" (a CUDA GPU; refused with
    InvalidArgument where unavailable); see :mod:`numerics.backend.devices`.
    ``scheduler``: None (local), a Dask scheduler address (connected for this
    call) or a ``distributed.Client`` (left open); ``workers`` is then unused.
    ``workers=None`` lets :func:`auto_workers` choose.

    >>> from theory import Architecture
    >>> from numerics.sweeps import SweepConfig
    >>> cfg = SweepConfig(Architecture.pruned(1, "0.5"), 32, [1.0, 0.0], [0.6, 0.8])
    >>> res = run_sweep(cfg, 3, progress=False)
    >>> res.theta_xy.shape, res.computed
    ((3,), 3)
    """
    if not isinstance(config, SweepConfig):
        raise InvalidArgument("config", type(config).__name__, "not a SweepConfig",
                              "build one with SweepConfig(arch, widths, x, y, seed)")
    trials = check_int(trials, "trials", 1)
    workers = auto_workers([config], trials) if workers is None else check_int(workers, "workers", 1)
    check_memory(config, 1 if scheduler is not None else workers, memory_limit)
    client, own_client = scheduler_client(scheduler)
    try:
        if client is None:
            check_backend(backend)
        else:
            check_backend_on_cluster(client, backend)
        return _run(config, trials, store, workers, progress, code_version, backend, client)
    finally:
        if own_client:
            client.close()


def scheduler_client(scheduler):
    """(Client or None, whether this call opened it)."""
    if scheduler is None:
        return None, False
    if isinstance(scheduler, str):
        return connect(scheduler), True
    return scheduler, False


def _run(config, trials, store, workers, progress, code_version, backend, client):
    own_store = store is None
    store = ResultStore() if own_store else store
    key = run_key(config, backend)
    store.ensure_run(key, run_description(config, backend), code_version or _code_version())
    done = set(store.done_trials(key))
    todo = [t for t in range(trials) if t not in done]
    cost = trial_cost(config)
    bar = Progress(trials, trials - len(todo), enabled=progress, total_cost=trials * cost) \
        if not isinstance(progress, Progress) else progress
    computed = 0

    def record(t, values):
        nonlocal computed
        store.add_trial(key, t, values)
        computed += 1
        bar.advance(cost=cost)

    try:
        if client is not None:
            if todo:
                run_trials(client, config, todo, record, backend=backend, run_key=key)
        elif workers == 1 or len(todo) <= 1:
            for t in todo:
                record(t, _values(config, t, backend))
        else:
            _run_pool(config, todo, min(workers, len(todo)), record, backend)
    finally:
        bar.close()
    vals = store.values(key, range(trials))
    arr = np.array([vals[t] for t in range(trials)], dtype=np.float64)
    if own_store:
        store.close()
    return SweepResult(config, trials, arr[:, 0].copy(), arr[:, 1].copy(), arr[:, 2].copy(),
                       computed)


def _code_version() -> str:
    try:
        from importlib.metadata import version
        pkg = version("pruned-ntk")
    except Exception:  # noqa: BLE001 - metadata is informative only
        pkg = "unknown"
    return f"pruned-ntk {pkg}; results format {FORMAT_VERSION}; {SWEEP_LAYOUT}"

