"""Benchmark: every pruning method on a width-2048, depth-4 network (target: each under 30 s).

For each registered method, the time to make its mask (global density 0.2 over
layers 2..5, SNIP and GraSP scoring the 1797 digits, SynFlow with 100 rounds),
next to the time to draw the Gaussian weights of the same network, measured in
the same run.  Each method is timed once (its work is deterministic and long);
the weights are drawn once by the benchmark and passed in, so the times are the
pruning alone.  Besides the wall time it prints the process's CPU time (all its
threads): on a machine shared with other work the wall time grows with the load,
the CPU time hardly, and on an idle machine the wall time is at most the CPU time.
The load average is printed before and after.  Set OPENBLAS_NUM_THREADS to compare
thread counts.

Run:  python benchmarks/bench_masks.py [--width 2048] [--depth 4] [--density 0.2]
                                       [--methods snip,synflow]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import best_time  # noqa: E402

from numerics.masks import METHODS, PruningSpec, draw_weights, digits


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--width", type=int, default=2048)
    ap.add_argument("--depth", type=int, default=4)
    ap.add_argument("--density", default="0.2")
    ap.add_argument("--methods", default=",".join(METHODS))
    args = ap.parse_args()

    data = digits()
    shape = (data.input_dim, *([args.width] * args.depth), 1)
    t_draw = best_time(lambda: draw_weights(shape, seed=0), 2)
    weights = draw_weights(shape, seed=0)
    print(f"network {shape}, global density {args.density} over layers 2..{args.depth + 1}; "
          f"drawing its Gaussian weights: {t_draw:.3f} s")
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    total = cpu_total = 0.0
    for name in args.methods.split(","):
        scope = "global" if "global" in METHODS[name].scopes else "per-layer"
        spec = PruningSpec(name, args.density, scope=scope, data=data)
        t0, c0 = time.perf_counter(), time.process_time()
        mask = spec.mask(shape, seed=0, weights=weights)
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
        total += elapsed
        cpu_total += cpu
        print(f"{name:10s} {scope:9s} wall {elapsed:7.2f} s = {elapsed / t_draw:6.1f} x drawing "
              f"the weights; CPU {cpu:7.2f} s   (density {float(mask.density()):.4f})")
    print(f"all methods: wall {total:.1f} s, CPU {cpu_total:.1f} s; load average after: "
          f"{os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
