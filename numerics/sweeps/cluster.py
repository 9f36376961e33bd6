"""Running a sweep's trials on a Dask distributed cluster.

:func:`connect` opens a ``dask.distributed.Client`` on a scheduler address (a
short timeout, and a one-line :class:`~theory.InvalidArgument` when nothing
answers).  :func:`run_trials` submits one task per missing trial, keyed by the
run and the trial index, a bounded window at a time, and hands each result to
the caller as it completes, so the caller stores it at once (and a rerun
resumes).  A trial's values are a pure function of (configuration, trial index)
(:mod:`numerics.networks.sampling`), so a cluster computes the same bits as a local run.

The workers need this package (the same version) importable; results return to
the client, which alone writes the store.  Needs the optional dependency
``distributed`` (``pip install 'pruned-ntk[dask]'``).
"""

from __future__ import annotations

from theory._errors import InvalidArgument

from ..backend.devices import BACKENDS, backend_problem, check_backend
from .config import trial_values

__all__ = ["connect", "run_trials", "check_backend_on_cluster", "CONNECT_TIMEOUT"]

CONNECT_TIMEOUT = 5.0            # seconds to wait for a scheduler to answer


def _distributed(argument: str, address):
    try:
        import distributed
    except ImportError:
        raise InvalidArgument(argument, address, "Dask distributed is not installed",
                              "pip install 'pruned-ntk[dask]' (or pip install distributed), "
                              "or leave out the scheduler to run locally") from None
    return distributed


def connect(address: str, *, argument: str = "scheduler", timeout: float | None = None):
    """A Client connected to the scheduler at ``address``; InvalidArgument if none answers
    within ``timeout`` seconds (default :data:`CONNECT_TIMEOUT`)."""
    distributed = _distributed(argument, address)
    timeout = CONNECT_TIMEOUT if timeout is None else timeout
    if not isinstance(address, str) or not address.strip():
        raise InvalidArgument(argument, address, "not a scheduler address",
                              "give the address a Dask scheduler prints, e.g. tcp://HOST:8786")
    try:
        return distributed.Client(address.strip(), timeout=timeout, set_as_default=False)
    except Exception as exc:  # noqa: BLE001 - OSError, TimeoutError, ValueError, ...
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if len(reason) > 120:
            reason = reason[:117] + "..."
        raise InvalidArgument(argument, address,
                              f"no Dask scheduler answered within {timeout:g} s ({reason})",
                              "start one (dask scheduler; dask worker ADDRESS) and give the "
                              "address it prints, e.g. tcp://HOST:8786, or leave out "
                              f"{argument} to run locally") from None


def check_backend_on_cluster(client, backend: str, *, argument: str = "backend", value=None):
    """Refuse (InvalidArgument) a backend that a worker of ``client`` cannot run."""
    if backend not in BACKENDS or backend == "numpy":
        return check_backend(backend, argument=argument, value=value)
    problem = client.submit(backend_problem, backend, pure=False).result()
    return check_backend(backend, argument=argument, value=value, problem=problem)


def _task(config, trial: int, backend: str):
    return trial, trial_values(config, trial, backend)


def run_trials(client, config, todo, record, *, backend: str = "numpy",
               run_key: str | None = None) -> None:
    """Compute trials ``todo`` of ``config`` on the cluster, ``record(t, values)`` each as
    it completes.  On any exception (KeyboardInterrupt included) the outstanding tasks
    are cancelled and it propagates; recorded trials stay recorded."""
    from distributed import as_completed
    prefix = f"pntk-{(run_key or config.key)[:16]}-{backend}"
    try:
        threads = max(1, sum(client.nthreads().values()))
    except Exception:  # noqa: BLE001 - informative only: size of the window
        threads = 1
    window = max(8, 4 * threads)
    queue = iter(todo)
    pending = set()

    def submit(t):
        fut = client.submit(_task, config, t, backend, key=f"{prefix}-{t}", pure=False)
        pending.add(fut)
        return fut

    first = [submit(t) for _, t in zip(range(window), queue)]
    done = as_completed(first, loop=client.loop)
    try:
        for fut in done:
            t, values = fut.result()
            record(t, values)
            pending.discard(fut)
            fut.release()
            nxt = next(queue, None)
            if nxt is not None:
                done.add(submit(nxt))
    finally:
        if pending:
            client.cancel(list(pending))
