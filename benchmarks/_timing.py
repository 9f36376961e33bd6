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
