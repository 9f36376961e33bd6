"""Benchmark: linear regions and mask topology (targets from the issue).

1. Theorem 1 for widths [784, 300, 100, 10], d = 1..4, density 0.1, exactly, with the
   row-count laws and with sampled laws (auto's choice), next to the dense bound
   (full-rank laws, the same recursion) timed in the same run (target: under 10 s).
2. The exact 2-D region count of a 64-20-20-10 ReLU network on the triangle of three
   digits, next to evaluating the network at the ~500k points of a 1000-step grid
   (a lower bound only) in the same run (target: under 30 s).
3. The topology of a 4096 x 4096 mask (density 0.1 and 0.5): Lanczos (ours) next to
   scipy's svds (ARPACK) on the same matrix, and the full layer report with the
   degree-class mean (target: under 10 s).

Run:  python benchmarks/bench_regions.py [--repeat 1]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import best_time  # noqa: E402

from numerics.regions import count_regions, data_points, grid_pattern_count, random_relu_stack
from numerics.regions.ranks import sampled_rank_distribution
from numerics.topology import layer_report, top_singular_values
from theory.regions.bound import region_bounds
from theory.regions.ranks import full_rank_distribution, rowcount_rank_distribution


def bound_part(repeat: int) -> None:
    w, dims = (784, 300, 100, 10), (1, 2, 3, 4)

    def with_laws(make):
        return region_bounds(w, [make(w[l], w[l - 1]) for l in (1, 2, 3)], dims)

    t0 = time.perf_counter()
    values = {}
    cases = {
        "dense (full rank)": lambda r, c: full_rank_distribution(r, c, top=4),
        "rowcount (exact)": lambda r, c: rowcount_rank_distribution(r, c, "0.1", top=4),
        "sampled, 2000 masks": lambda r, c: sampled_rank_distribution(r, c, "0.1", 2000,
                                                                      top=4),
    }
    times = {}
    for name, make in cases.items():
        times[name] = best_time(lambda make=make: values.__setitem__(name, with_laws(make)),
                                repeat)
    base = times["dense (full rank)"]
    print("1. Theorem 1, widths [784, 300, 100, 10], density 0.1, d = 1..4 (one pass)")
    for name, t in times.items():
        logs = ", ".join(f"{b.log2:.6f}" for b in values[name])
        print(f"   {name:<20} {t:8.3f} s  ({t / base:7.1f}x dense)  log2 bounds {logs}")
    print(f"   total {time.perf_counter() - t0:.1f} s (target: each under 10 s)")


def count_part(repeat: int) -> None:
    layers = random_relu_stack((64, 20, 20, 10), (1, 1, 1), seed=0)
    P = data_points(3, seed=0)
    out = {}
    t_exact = best_time(lambda: out.__setitem__("exact", count_regions(layers, P)), repeat)
    t_grid = best_time(lambda: out.__setitem__("grid", grid_pattern_count(layers, P, 1000)),
                       repeat)
    print("2. exact regions of a dense 64-20-20-10 ReLU network on a digits triangle")
    print(f"   exact count {out['exact'].count} (after each layer {out['exact'].per_layer}): "
          f"{t_exact:.2f} s (target: under 30 s)")
    print(f"   grid of {out['grid'].points} points: {out['grid'].lower_bound} patterns (a lower "
          f"bound): {t_grid:.2f} s; exact / grid time = {t_exact / t_grid:.2f}")
    G = np.random.default_rng(0).standard_normal((3, 64))
    t_g = best_time(lambda: out.__setitem__("gauss", count_regions(layers, G)), repeat)
    print(f"   same network, triangle of three Gaussian points: {out['gauss'].count} regions, "
          f"{t_g:.2f} s")


def topology_part(repeat: int) -> None:
    print("3. topology of a 4096 x 4096 mask")
    for density in (0.1, 0.5):
        M = np.random.default_rng(0).random((4096, 4096)) < density
        import scipy.sparse as sps
        B = sps.csr_matrix(M, dtype=np.float64)
        vals = {}
        t_l = best_time(lambda: vals.__setitem__("lanczos", top_singular_values(B)), repeat)
        t_s = best_time(lambda: vals.__setitem__("svds", top_singular_values(B, solver="svds")),
                        repeat)
        t_r = best_time(lambda: vals.__setitem__("report", layer_report(M)), repeat)
        diff = np.max(np.abs(vals["lanczos"] - vals["svds"]) / vals["svds"])
        print(f"   density {density}: Lanczos {t_l:.2f} s, svds {t_s:.2f} s (ratio "
              f"{t_l / t_s:.2f}, max rel. difference {diff:.1e}); full report with "
              f"degree classes {t_r:.2f} s (target: under 10 s); Delta_r "
              f"{vals['report']['delta_r']:.4f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    bound_part(args.repeat)
    count_part(args.repeat)
    topology_part(args.repeat)


if __name__ == "__main__":
    main()
