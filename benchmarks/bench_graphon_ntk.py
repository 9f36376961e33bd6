"""Benchmark: Graphon NTK Gram of N inputs, depth L, K blocks per layer, against K times the
dense limit Gram measured in the same run.

Inputs are scikit-learn's bundled handwritten digits (the first N of 1797, 64 pixels,
each row scaled to unit norm) when scikit-learn is installed, else i.i.d. Gaussian
vectors of dimension --dim.  The graphons are i.i.d. uniform block values (G1 of shape
(K, d0), G2..G_L of shape (K, K), G_{L+1} of shape (1, K)), so no two blocks coincide
and the full K-block recursion runs.  Targets: time ratio graphon / (K * dense) <= 2,
peak traced memory of the graphon call < 2 GiB.  Also shows the refusal of a Gram too
large for the machine, with its estimate.

Run:  python benchmarks/bench_graphon_ntk.py [--n 1024] [--depth 4] [--blocks 64] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import best_time  # noqa: E402

from theory import Architecture, InvalidArgument, limit_kernel
from theory.graphon import GraphonNetwork, graphon_ntk


def inputs(n: int, dim: int, seed: int):
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        X = np.random.default_rng(seed).normal(size=(n, dim))
        return X, f"{n} Gaussian inputs of dimension {dim} (scikit-learn not installed)"
    X = load_digits().data[:n].astype(np.float64)
    return X / np.linalg.norm(X, axis=1, keepdims=True), f"{n} digits images (64 pixels)"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1024)
    ap.add_argument("--dim", type=int, default=64)
    ap.add_argument("--depth", type=int, default=4)
    ap.add_argument("--blocks", type=int, default=64)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    X, what = inputs(args.n, args.dim, args.seed)
    K, L, d0 = args.blocks, args.depth, X.shape[1]
    rng = np.random.default_rng(args.seed)
    layers = {1: rng.uniform(size=(K, d0)), L + 1: rng.uniform(size=(1, K))}
    layers.update({h: rng.uniform(size=(K, K)) for h in range(2, L + 1)})
    net = GraphonNetwork.from_layers(layers, L)
    arch = Architecture.pruned(L)

    t_dense = best_time(lambda: limit_kernel(arch, X), args.repeat)
    tracemalloc.start()
    t0 = time.perf_counter()
    k = graphon_ntk(net, X)
    t_first = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    times = [t_first]
    for _ in range(args.repeat - 1):
        t0 = time.perf_counter()
        graphon_ntk(net, X)
        times.append(time.perf_counter() - t0)
    t_graphon = min(times)
    t_dense_after = best_time(lambda: limit_kernel(arch, X), args.repeat)
    t_dense = min(t_dense, t_dense_after)       # the same machine state before and after

    ratio = t_graphon / (K * t_dense)
    print(f"problem: {what}; depth {L}; K = {K} blocks per layer; float64")
    print(f"dense limit Gram (theory.limit_kernel)   {t_dense:9.3f} s  (best of {2 * args.repeat})")
    print(f"Graphon NTK Gram (theory.graphon)        {t_graphon:9.3f} s  (best of {args.repeat}, "
          f"effective blocks {k.effective_blocks})")
    print(f"ratio graphon / (K x dense)              {ratio:9.2f}   (target <= 2: "
          f"{'met' if ratio <= 2 else 'NOT met'})")
    print(f"peak traced memory of the graphon call  {peak / 2**30:9.3f} GiB (target < 2: "
          f"{'met' if peak < 2 << 30 else 'NOT met'})")
    try:
        graphon_ntk(net, np.ones((400_000, d0)))
    except InvalidArgument as exc:
        print(f"a 400000-input Gram is refused: {exc}")


if __name__ == "__main__":
    main()
