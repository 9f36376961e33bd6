"""Benchmark: graphon estimation (degree sort + K x K block histogram) is linear in the
number of mask entries.

For square masks of width n (n^2 entries, density 0.2) the time of
``estimate_graphon(M, K)`` - and with ``weights=`` (the second-moment histogram too) - is
measured next to one pass over the mask (``M.sum()``, the baseline: it touches every
entry once) in the same run.  Reported per width: the times, the time per entry and the
ratio to the baseline; overall the log-log slope of time against entries over the
widths from --fit-from on (default 1024: smaller masks sit in the CPU caches and run
faster per entry; target: at most 1.15, i.e. linear up to the degree sort's n log n).
Timings on a loaded machine scatter: rerun when the load average exceeds the cores.

Run:  python benchmarks/bench_graphon_estimate.py [--widths 512,1024,2048,4096] [--blocks 64]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import best_time  # noqa: E402

from numerics.graphons import estimate_graphon  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--widths", default="512,1024,2048,4096")
    ap.add_argument("--blocks", type=int, default=64)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--fit-from", type=int, default=1024)
    args = ap.parse_args()
    widths = [int(w) for w in args.widths.split(",")]
    rng = np.random.default_rng(0)
    rows, entries, plain, second = [], [], [], []
    for n in widths:
        M = rng.random((n, n)) < 0.2
        W = rng.standard_normal((n, n))
        base = best_time(lambda: M.sum(), args.repeat)
        t = best_time(lambda: estimate_graphon(M, args.blocks), args.repeat)
        tw = best_time(lambda: estimate_graphon(M, args.blocks, weights=W), args.repeat)
        entries.append(n * n)
        plain.append(t)
        second.append(tw)
        rows.append((n, base, t, tw))
    print(f"square masks of density 0.2, K = {args.blocks}; best of {args.repeat}")
    print(f"{'width':>6} {'entries':>10} {'pass (s)':>10} {'estimate (s)':>13} "
          f"{'ns/entry':>9} {'/pass':>7} {'with V (s)':>11} {'ns/entry':>9}")
    for (n, base, t, tw), e in zip(rows, entries):
        print(f"{n:>6} {e:>10} {base:>10.4f} {t:>13.4f} {1e9 * t / e:>9.2f} "
              f"{t / base:>7.1f} {tw:>11.4f} {1e9 * tw / e:>9.2f}")
    use = [i for i, n in enumerate(widths) if n >= args.fit_from]
    fit = lambda t: float(np.polyfit(np.log([entries[i] for i in use]),  # noqa: E731
                                     np.log([t[i] for i in use]), 1)[0])
    slope, slope_w = fit(plain), fit(second)
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; slopes fitted "
          f"over widths >= {args.fit_from}")
    ok = slope <= 1.15 and slope_w <= 1.15
    print(f"log-log slope of time vs entries: {slope:.3f} (densities), {slope_w:.3f} (with "
          f"second moments); target <= 1.15: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
