"""Monte Carlo sweeps: T independent networks of one configuration, their eNTK entries stored.

Trial t samples ``sample_network(arch, widths, seed, trial=t)`` and computes the
2 x 2 empirical NTK of (x, y): Theta_n(x, y), Theta_n(x, x), Theta_n(y, y).
Networks are counter-based (see :mod:`numerics.sampling`), so a trial's values
depend on (configuration, t) only, and are stored by trial index: the results are
the same bits for any number of workers and any completion order, and a rerun
with the same :class:`~numerics.store.ResultStore` computes only missing trials.

``workers=1`` (the default) computes in this process: no start-up cost (a
worker imports NumPy, SciPy and the package, about a second), no extra memory,
and BLAS may still use several threads on wide layers.  ``workers=K > 1`` uses
K spawned processes with single-threaded BLAS (no oversubscription); pass it
when trials are many and cheap compared to a core's worth of BLAS.

``scheduler`` (a Dask scheduler address or a ``distributed.Client``) runs the
missing trials as tasks on a Dask cluster instead (:mod:`numerics.cluster`); the
results are stored here as they complete and are the same bits as a local run.
``backend="cupy"`` computes each trial's eNTK on a CUDA GPU: the network is still
drawn with NumPy (seeds mean the same networks) and only converted
(:mod:`numerics.devices`); such runs get their own key in the store.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
from concurrent import futures
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import get_context

import numpy as np

from theory._errors import InvalidArgument, check_int
from theory.config import Architecture

from ._xp import default_memory_limit
from .devices import backend_namespace, check_backend, run_description, run_key
from .entk import empirical_ntk, estimate_memory
from .network import MaskedNetwork
from .progress import Progress
from .sampling import sample_network
from .store import FORMAT_VERSION, ResultStore

__all__ = ["SweepConfig", "SweepResult", "run_sweep", "trial_values", "trial_memory",
           "auto_workers",
           "check_memory", "SWEEP_LAYOUT"]

SWEEP_LAYOUT = "network.v1+entk2x2.v1"    # bump when a trial's values would change
_BLAS_THREADS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


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

    >>> cfg = SweepConfig(Architecture.pruned(2, "0.5"), 16, [1.0, 0.0], [0.6, 0.8], seed=3)
    >>> cfg.widths, cfg.input_dim, len(cfg.key)
    ((16, 16), 2, 64)
    """

    arch: Architecture
    widths: tuple[int, ...]
    x: tuple[float, ...]
    y: tuple[float, ...]
    seed: int = 0

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
                "x": list(self.x), "y": list(self.y), "seed": self.seed, "dtype": "float64"}

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
    :mod:`numerics.devices`) its arrays and the inputs are converted to that
    namespace, and everything else is the same code.

    >>> cfg = SweepConfig(Architecture.pruned(1, "0.5"), 32, [1.0, 0.0], [0.0, 1.0])
    >>> trial_values(cfg, 4) == trial_values(cfg, 4)
    True
    """
    net = sample_network(config.arch, config.widths, config.seed, trial,
                         input_dim=config.input_dim)
    X = np.array([config.x, config.y])
    xp = backend_namespace(backend)
    if xp is not None:
        net = net.to_namespace(xp)
        X = xp.asarray(X)
    K = empirical_ntk(net, X)
    return float(K[0, 1]), float(K[0, 0]), float(K[1, 1])


SECONDS_PER_UNIT = 2.7e-8   # measured: one trial costs ~ this x sum of n_h n_{h-1} (2 cores)
WORKER_START_SECONDS = 1.0  # measured: start-up of one spawned worker (imports)


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
    units = 0
    for c in configs:
        shape = (c.input_dim, *c.widths, 1)
        units += sum(a * b for a, b in zip(shape[1:], shape[:-1]))
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
    :class:`~numerics.progress.Progress`.  A request whose ``workers`` trials at
    once would exceed ``memory_limit`` (default half the RAM) is refused with
    InvalidArgument.  KeyboardInterrupt stops the sweep: finished trials stay
    stored, and the interrupt is re-raised.

    ``backend``: "numpy" (default) or "cupy" (a CUDA GPU; refused with
    InvalidArgument where unavailable); see :mod:`numerics.devices`.
    ``scheduler``: None (local), a Dask scheduler address (connected for this
    call) or a ``distributed.Client`` (left open); ``workers`` is then unused.
    ``workers=None`` lets :func:`auto_workers` choose.

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
    client, own_client = _client(scheduler)
    try:
        if client is None:
            check_backend(backend)
        else:
            from .cluster import check_backend_on_cluster
            check_backend_on_cluster(client, backend)
        return _run(config, trials, store, workers, progress, code_version, backend, client)
    finally:
        if own_client:
            client.close()


def _client(scheduler):
    """(Client or None, whether this call opened it)."""
    if scheduler is None:
        return None, False
    if isinstance(scheduler, str):
        from .cluster import connect
        return connect(scheduler), True
    return scheduler, False


def _run(config, trials, store, workers, progress, code_version, backend, client):
    own_store = store is None
    store = ResultStore() if own_store else store
    key = run_key(config, backend)
    store.ensure_run(key, run_description(config, backend), code_version or _code_version())
    done = set(store.done_trials(key))
    todo = [t for t in range(trials) if t not in done]
    bar = Progress(trials, trials - len(todo), enabled=progress) \
        if not isinstance(progress, Progress) else progress
    computed = 0

    def record(t, values):
        nonlocal computed
        store.add_trial(key, t, values)
        computed += 1
        bar.advance()

    try:
        if client is not None:
            if todo:
                from .cluster import run_trials
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

