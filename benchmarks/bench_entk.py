"""Benchmark: the exact masked empirical NTK, and one Monte Carlo trial.

1. The 200 x 200 empirical NTK Gram matrix of a masked ReLU network (inputs of
   dimension 32, width 1024, depth 3, keep_prob 0.5, float64), next to a plain
   DGEMM with the same flop count as the masked layers' pair products, timed in
   the same run (target: within 1.5x).
2. One Monte Carlo trial for 2 inputs at width 4096, depth 3 (draw the network,
   then its 2 x 2 empirical NTK), next to drawing the network alone (target:
   within 1.3x).

Both comparisons are measured in the same process, so they use the same BLAS
threads (set OPENBLAS_NUM_THREADS to compare thread counts).

Run:  python benchmarks/bench_entk.py [--n 200] [--width 1024] [--mc-width 4096] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import best_time  # noqa: E402

from numerics import empirical_ntk, sample_network
from theory import Architecture


def masked_flops(net, n: int) -> float:
    """Flops of the pair products: 2 (pairs) n_h n_{h-1} per masked layer."""
    pairs = n * (n + 1) // 2
    return sum(2.0 * pairs * net.weights[h - 1].shape[0] * net.weights[h - 1].shape[1]
               for h in net.masked_layers)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--dim", type=int, default=32)
    ap.add_argument("--width", type=int, default=1024)
    ap.add_argument("--depth", type=int, default=3)
    ap.add_argument("--keep-prob", default="0.5")
    ap.add_argument("--mc-width", type=int, default=4096)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    arch = Architecture.pruned(args.depth, args.keep_prob)
    X = np.random.default_rng(0).normal(size=(args.n, args.dim))
    net = sample_network(arch, args.width, seed=0, input_dim=args.dim)
    t_entk = best_time(lambda: empirical_ntk(net, X), args.repeat)
    flops = masked_flops(net, args.n)
    k = args.width
    m = max(1, round(flops / (2.0 * k * k)))
    A = np.random.default_rng(1).normal(size=(m, k))
    B = np.random.default_rng(2).normal(size=(k, k))
    t_gemm = best_time(lambda: A @ B, args.repeat)
    print(f"exact masked eNTK: {args.n} x {args.n} Gram, dim {args.dim}, width {k}, depth "
          f"{args.depth}, keep_prob {args.keep_prob}, float64 (best of {args.repeat})")
    print(f"  empirical_ntk           {t_entk:8.3f} s   ({flops / t_entk / 1e9:6.1f} GFLOP/s)")
    print(f"  DGEMM ({m} x {k}) @ ({k} x {k}), same flops "
          f"{t_gemm:8.3f} s   ({2.0 * m * k * k / t_gemm / 1e9:6.1f} GFLOP/s)")
    print(f"  ratio eNTK / DGEMM      {t_entk / t_gemm:8.2f}   (target <= 1.5)")

    X2 = X[:2]
    w = args.mc_width
    t_draw = best_time(lambda: sample_network(arch, w, seed=0, trial=1, input_dim=args.dim),
                       args.repeat)
    t_trial = best_time(lambda: empirical_ntk(
        sample_network(arch, w, seed=0, trial=1, input_dim=args.dim), X2), args.repeat)
    print(f"Monte Carlo trial: 2 inputs, width {w}, depth {args.depth} (best of {args.repeat})")
    print(f"  draw weights and masks  {t_draw:8.3f} s")
    print(f"  draw + 2 x 2 eNTK       {t_trial:8.3f} s")
    print(f"  ratio trial / draw      {t_trial / t_draw:8.2f}   (target <= 1.3)")


if __name__ == "__main__":
    main()
