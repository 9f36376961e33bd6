"""Helpers shared by the graphon claims: stored trials, a weighted log-log slope, and the
verdict of a list of per-item decisions.

>>> import numpy as np
>>> b, se = weighted_slope([64, 128, 256], np.log([4.0, 2.0, 1.0]), [0.1, 0.1, 0.1])
>>> round(b, 6), round(se, 4)
(-1.0, 0.102)
"""

from __future__ import annotations

import hashlib
import json
import math

import numpy as np

from theory._errors import InvalidArgument, check_int

from ...verdict import Verdict

__all__ = ["stored_trials", "weighted_slope", "overall", "check_param_int", "CODE_VERSION"]

CODE_VERSION = "graphon-claims-1"


def stored_trials(context, description: dict, trials: int, compute) -> np.ndarray:
    """``trials`` rows of three numbers, ``compute(t)`` for trial t, read back from the
    context's :class:`numerics.sweeps.store.ResultStore` when it holds them (so an
    interrupted ``pntk verify`` resumes), stored there as they finish."""
    store = context.store
    if store is None:
        return np.array([compute(t) for t in range(trials)], dtype=np.float64)
    desc = dict(description, seed=int(context.seed))
    key = hashlib.sha256(json.dumps(desc, sort_keys=True).encode()).hexdigest()
    store.ensure_run(key, desc, CODE_VERSION)
    done = set(store.done_trials(key))
    for t in range(trials):
        if t not in done:
            store.add_trial(key, t, compute(t))
    values = store.values(key, range(trials))
    return np.array([values[t] for t in range(trials)], dtype=np.float64)


def weighted_slope(x, y, se) -> tuple[float, float]:
    """Weighted least-squares slope of ``y`` on log ``x`` (weights 1/se^2) and its standard
    error sqrt(1 / sum w (u - u_w)^2), u = log x: the slope of a log-log fit when ``y``
    holds logarithms with standard errors ``se``."""
    u = np.log(np.asarray(x, dtype=np.float64))
    y = np.asarray(y, dtype=np.float64)
    w = 1.0 / np.asarray(se, dtype=np.float64) ** 2
    ubar = np.sum(w * u) / np.sum(w)
    sxx = float(np.sum(w * (u - ubar) ** 2))
    slope = float(np.sum(w * (u - ubar) * y) / sxx)
    return slope, math.sqrt(1.0 / sxx)


def overall(verdicts) -> Verdict:
    """Refuted if any item refutes, verified if all verify, else inconclusive."""
    verdicts = list(verdicts)
    if Verdict.REFUTED in verdicts:
        return Verdict.REFUTED
    if verdicts and all(v is Verdict.VERIFIED for v in verdicts):
        return Verdict.VERIFIED
    return Verdict.INCONCLUSIVE


def check_param_int(value, name: str, minimum: int = 1):
    """None (the budget decides) or an int >= ``minimum``."""
    return None if value is None else check_int(value, name, minimum)


def check_choice(value, name: str, choices) -> str:
    if value not in choices:
        raise InvalidArgument(name, value, "unknown choice", f"choose one of {', '.join(choices)}")
    return value
