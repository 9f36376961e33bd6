"""Benchmark: the leading-order variance V on a 200 x 200 Gram at depth 3 against the limit Gram.

Prints the best-of-R wall time of ``theory.variance.deep.variance_gram`` (V and Theta_lim
for every pair) and of ``theory.limit_kernel`` (the limit NTK Gram alone), measured in the
same run with the calls interleaved, and their ratio (the target: within 3x), plus the
worst relative difference of the two limit Grams (they are computed by different code),
and at depths 1..6 the time of the symbolic derivation (``symbolic_variance``) and of
evaluating the derived expression at one point with mpmath (``SymbolicVariance.evaluate``).

BLAS runs on one thread (OPENBLAS_NUM_THREADS etc. default to 1 here): on a shared
machine a multi-threaded BLAS waiting for busy cores made the 200 x 32 input Gram of
both contenders take 4-9 ms instead of 0.2 ms, which measured the machine's load rather
than either code.

Run:  python benchmarks/bench_variance_gram.py [--n 200] [--dim 32] [--depth 3] [--repeat 20]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
import sympy as sp  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import best_times  # noqa: E402

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
    best = best_times({"limit": lambda: limit_kernel(arch, X),
                       "variance": lambda: variance_gram(arch, X)}, args.repeat)
    t_lim, t_var = best["limit"], best["variance"]
    lim, V = variance_gram(arch, X)
    ref = limit_kernel(arch, X).ntk
    diff = float(np.max(np.abs(lim - ref) / np.abs(ref)))
    print(f"{args.n} x {args.n} Gram, depth {args.depth}, d0 = {args.dim}")
    print(f"limit NTK Gram (limit_kernel):        {1e3 * t_lim:8.2f} ms")
    print(f"V and limit Gram (variance_gram):     {1e3 * t_var:8.2f} ms")
    print(f"ratio variance / limit:               {t_var / t_lim:8.2f}x  (target <= 3x)")
    print(f"worst relative difference of the two limit Grams: {diff:.1e}")
    point = {"a": 1, "b": sp.Rational(9, 4), "theta_1": sp.Rational(9, 10),
             "q_2": sp.Rational(1, 2)}
    for L in range(1, 7):
        t0 = time.perf_counter()
        sv = symbolic_variance(L)
        t1 = time.perf_counter()
        sv.evaluate(point, dps=30)
        t2 = time.perf_counter()
        print(f"symbolic depth {L}: derivation {t1 - t0:6.2f} s, evaluation (30 digits) "
              f"{t2 - t1:6.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
