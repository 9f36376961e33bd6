"""Benchmark: 200 x 200 limit NTK Gram matrix, depth 3, float64, inputs of dimension 32.

Prints the best-of-R wall time of ``theory.limit_kernel`` and its ratio to a plain
NumPy baseline measured in the same run: the textbook vectorised recursion with
``arccos(clip(c / sqrt(ab)))`` (fast, but loses ~8 digits of the angle near
correlation +-1).  The two are timed in alternation, and each keeps its best time,
so a busy spell on a shared machine does not favour either.  Also prints how many
pairs took the accurate path, the worst relative difference between the two, and
each one's error on a near-parallel pair against the mpmath reference.

Run:  python benchmarks/bench_limit_gram.py [--n 200] [--dim 32] [--depth 3] [--repeat 200]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import best_times  # noqa: E402

from theory import Architecture, limit_kernel, limit_kernel_mp
from theory.kernels import deterministic_gram


def plain_numpy_ntk(X: np.ndarray, depth: int) -> np.ndarray:
    """Dense ReLU NTK by the textbook recursion (the baseline)."""
    K = X @ X.T
    d = np.sqrt(np.diag(K))
    norm = np.outer(d, d)
    theta_f = K.copy()
    for _ in range(depth):
        cos = np.clip(K / norm, -1.0, 1.0)
        theta = np.arccos(cos)
        sigma = norm * (np.sin(theta) + (np.pi - theta) * cos) / np.pi
        dot = (np.pi - theta) / np.pi
        theta_f = sigma + dot * theta_f
        K = sigma
    return theta_f


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--dim", type=int, default=32)
    ap.add_argument("--depth", type=int, default=3)
    ap.add_argument("--repeat", type=int, default=200)
    args = ap.parse_args()

    rng = np.random.default_rng(0)
    X = rng.normal(size=(args.n, args.dim))
    arch = Architecture.pruned(args.depth)

    best = best_times({"ours": lambda: limit_kernel(arch, X),
                       "base": lambda: plain_numpy_ntk(X, args.depth)}, args.repeat)
    t_ours, t_base = best["ours"], best["base"]
    ours, base = limit_kernel(arch, X).ntk, plain_numpy_ntk(X, args.depth)

    # accuracy on a pair 1e-9 rad apart
    v = rng.normal(size=args.dim)
    v -= (v @ X[0]) / (X[0] @ X[0]) * X[0]
    u = X[0] / np.linalg.norm(X[0])
    y = np.cos(1e-9) * u + np.sin(1e-9) * v / np.linalg.norm(v)
    pair = np.array([X[0], y])
    ref = float(limit_kernel_mp(arch, pair[0], pair[1], dps=30).ntk)
    err_ours = abs(limit_kernel(arch, pair).ntk[0, 1] - ref) / ref
    err_base = abs(plain_numpy_ntk(pair, args.depth)[0, 1] - ref) / ref

    print(f"problem: {args.n} x {args.n} NTK Gram, depth {args.depth}, dim {args.dim}, float64")
    print(f"theory.limit_kernel     {t_ours * 1e3:8.3f} ms  (best of {args.repeat})")
    print(f"plain NumPy baseline    {t_base * 1e3:8.3f} ms")
    print(f"ratio ours / baseline   {t_ours / t_base:8.2f}   (target <= 1.1)")
    routed = int(np.count_nonzero(np.triu(deterministic_gram(arch, X).accurate)))
    print(f"pairs on the accurate path (correlation near +-1): {routed} of "
          f"{args.n * (args.n + 1) // 2}")
    print(f"max rel. difference on the random inputs: "
          f"{np.max(np.abs(ours - base) / np.abs(ours)):.1e}")
    print(f"rel. error at a 1e-9 rad pair vs mpmath: ours {err_ours:.1e}, baseline {err_base:.1e}")


if __name__ == "__main__":
    main()
