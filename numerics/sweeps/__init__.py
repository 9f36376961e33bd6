"""Monte Carlo sweeps: what a trial is (:class:`SweepConfig`, :func:`trial_values`), running
trials locally, in worker processes or on a Dask cluster (:func:`run_sweep`), the SQLite
store that makes every run resumable (:class:`ResultStore`) and the progress display.
"""

from theory._lazy import lazy_exports

_EXPORTS = {
    "connect": "cluster", "run_trials": "cluster", "check_backend_on_cluster": "cluster",
    "CONNECT_TIMEOUT": "cluster",
    "SweepConfig": "config", "SweepResult": "config", "trial_values": "config",
    "trial_memory": "config", "auto_workers": "config", "check_memory": "config",
    "trial_cost": "config",
    "SWEEP_LAYOUT": "config", "SECONDS_PER_UNIT": "config",
    "Progress": "progress",
    "ResultStore": "store", "FORMAT_VERSION": "store", "VALUE_COLUMNS": "store",
    "APPLICATION_ID": "store",
    "run_sweep": "sweep",
}

__getattr__, __dir__, __all__ = lazy_exports(__name__, _EXPORTS)
