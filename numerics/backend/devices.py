"""Where a sweep's eNTKs are computed: NumPy on the CPU, or CuPy on a CUDA GPU.

Networks are always drawn with NumPy on the CPU (:mod:`numerics.networks.sampling`), so a
seed means the same network on every device; a non-NumPy backend only converts
the drawn arrays (:meth:`~numerics.networks.network.MaskedNetwork.to_namespace`) and the
two inputs, and the eNTK code is the same array-API code for every backend.

Backends: ``"numpy"`` (the default), ``"cupy"`` (needs CuPy and a CUDA device) and
``"strict"`` (``array_api_strict``: a stand-in non-NumPy namespace for tests, not
offered on the command line).  GPU results agree with CPU ones to rounding, not
bit for bit, so a non-NumPy backend is part of a run's key in a results store
(:func:`run_description`); NumPy runs keep the key of their
:class:`~numerics.sweeps.sweep.SweepConfig`.

>>> backend_namespace("numpy") is None
True
"""

from __future__ import annotations

import hashlib
import json

from theory._errors import InvalidArgument

__all__ = ["BACKENDS", "DEVICES", "backend_namespace", "backend_problem", "check_backend",
           "device_backend", "run_description", "run_key"]

BACKENDS = ("numpy", "cupy", "strict")
DEVICES = {"cpu": "numpy", "gpu": "cupy"}        # the command line's --device
_NO_GPU = "CuPy with a CUDA device is not available"
_NO_GPU_FIX = "install cupy-cuda12x on a machine with an NVIDIA GPU, or use --device cpu"


def backend_problem(backend: str) -> str | None:
    """Why ``backend`` cannot run in this process (None if it can); never raises.

    Returns plain strings so that a Dask worker can answer it (see
    :func:`check_backend`).
    """
    if backend == "numpy":
        return None
    if backend == "cupy":
        try:
            import cupy
            if cupy.cuda.runtime.getDeviceCount() < 1:  # pragma: no cover - needs CuPy
                return _NO_GPU
        except Exception:  # noqa: BLE001 - no CuPy, no driver, no device: all the same here
            return _NO_GPU
        return None                                       # pragma: no cover - needs a GPU
    if backend == "strict":
        try:
            import array_api_strict  # noqa: F401
        except ImportError:
            return "array_api_strict is not installed"
        return None
    return f"unknown backend (one of {', '.join(BACKENDS)})"


_HERE = object()          # check_backend: ask this process


def check_backend(backend, *, argument: str = "backend", value=None, problem=_HERE) -> str:
    """``backend`` if it can run, else one-line InvalidArgument naming ``argument``.

    ``value`` is what the message shows (default ``backend``; the command line
    passes its ``--device`` value).  ``problem``: an answer of
    :func:`backend_problem` obtained elsewhere (e.g. on a cluster's worker).
    """
    shown = backend if value is None else value
    if backend not in BACKENDS:
        raise InvalidArgument(argument, shown, "unknown backend",
                              f"choose one of {', '.join(BACKENDS[:2])}")
    problem = backend_problem(backend) if problem is _HERE else problem
    if problem == _NO_GPU:
        raise InvalidArgument(argument, shown, _NO_GPU, _NO_GPU_FIX)
    if problem is not None:
        raise InvalidArgument(argument, shown, problem, "pip install array-api-strict")
    return backend


def device_backend(device: str, argument: str = "--device") -> str:
    """The backend of a command-line device ('cpu' or 'gpu'), checked to be usable here."""
    if device not in DEVICES:
        raise InvalidArgument(argument, device, "unknown device", "choose cpu or gpu")
    return check_backend(DEVICES[device], argument=argument, value=device)


def backend_namespace(backend: str):
    """The array namespace trials are computed in; None for NumPy (no conversion)."""
    if backend == "numpy":
        return None
    if backend == "cupy":                                 # pragma: no cover - needs a GPU
        import cupy
        return cupy
    if backend == "strict":
        import array_api_strict
        return array_api_strict
    raise InvalidArgument("backend", backend, "unknown backend",
                          f"choose one of {', '.join(BACKENDS[:2])}")


def run_description(config, backend: str = "numpy") -> dict:
    """What a store records for ``config`` computed on ``backend``."""
    desc = config.description()
    if backend != "numpy":
        desc["backend"] = backend
    return desc


def run_key(config, backend: str = "numpy") -> str:
    """The store key of ``config`` on ``backend``: ``config.key`` for NumPy."""
    if backend == "numpy":
        return config.key
    text = json.dumps(run_description(config, backend), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
