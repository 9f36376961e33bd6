"""Benchmark: the leading-order variance V on a 200 x 200 Gram at depth 3 against the limit Gram.

Prints the best-of-R wall time of ``theory.variance.deep.variance_gram`` (V and Theta_lim
for every pair) and of ``theory.limit_kernel`` (the limit NTK Gram alone), measured in the
same run, and their ratio (the target: within 3x), plus the worst relative difference of
the two limit Grams (they are computed by different code) and the time of the symbolic
derivation (``symbolic_variance``) at depths 1..6.

Run:  python benchmarks/bench_variance_gram.py [--n 200] [--dim 32] [--depth 3] [--repeat 20]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import best_time  # noqa: E402

from theory import Architecture, limit_kernel  # noqa: E402
from theory.variance.deep import variance_gram  # noqa: E402
from theory.variance.symbolic import symbolic_variance  # noqa: E402


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=200)
    p.add_argument("--dim", type=int, default=32)
    p.add_argument("--depth", type=int, default=3)
    p.add_argument("--repeat", type=int, default=20)
    args = p.parse_args(argv)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((args.n, args.dim))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    arch = Architecture.pruned(args.depth, "0.5", rescale=True)
    t_lim = best_time(lambda: limit_kernel(arch, X), args.repeat)
    t_var = best_time(lambda: variance_gram(arch, X), args.repeat)
    lim, V = variance_gram(arch, X)
    ref = limit_kernel(arch, X).ntk
    diff = float(np.max(np.abs(lim - ref) / np.abs(ref)))
    print(f"{args.n} x {args.n} Gram, depth {args.depth}, d0 = {args.dim}")
    print(f"limit NTK Gram (limit_kernel):        {1e3 * t_lim:8.2f} ms")
    print(f"V and limit Gram (variance_gram):     {1e3 * t_var:8.2f} ms")
    print(f"ratio variance / limit:               {t_var / t_lim:8.2f}x  (target <= 3x)")
    print(f"worst relative difference of the two limit Grams: {diff:.1e}")
    for L in range(1, 7):
        t0 = time.perf_counter()
        symbolic_variance(L)
        print(f"symbolic derivation depth {L}: {time.perf_counter() - t0:6.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
