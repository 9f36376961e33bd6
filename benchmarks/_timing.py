"""Shared timing helper of the benchmark scripts (run them from the repository root)."""

from __future__ import annotations

import time


def best_time(fn, repeat: int) -> float:
    """Best-of-``repeat`` wall time of ``fn()`` in seconds, after one warm-up call."""
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def best_times(fns: dict, repeat: int) -> dict:
    """Best-of-``repeat`` wall time of each callable in ``fns`` (name -> fn), in seconds.

    The calls are interleaved (one round calls each function once, in turn) after
    one warm-up round, so a slow spell on a shared machine hits every contender
    alike; the minimum over rounds is each one's undisturbed time.
    """
    for fn in fns.values():
        fn()
    best = dict.fromkeys(fns, float("inf"))
    for _ in range(repeat):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - t0)
    return best
