"""The Monte Carlo grid of the finite-width variance theory (an experiment, not a test).

    python benchmarks/variance_grid.py [--db variance.db] [--trials 400] [--full]
        [--depths 1,2,3,4] [--widths 32,64,128,256,512] [--activation relu|erf]

For every configuration - depths, keep probabilities {1, 1/2, 1/4, 1/8}, masked-layer
patterns (default 2..L+1, all layers, readout only), plain and rescaled pruning - and three
input pairs (angle 0.93 rad, near-parallel 0.1 rad, the diagonal) it runs
:func:`numerics.variance.checks.check_variance`: at depth 1 z-tests of the exact mean and
n Var at each width, deeper the intercepts of the fits n s^2 = V + b/n and
mean = Theta_lim + m/n.  One union bound at ALPHA covers the whole grid (every z-test of
every configuration).  Each line prints the worst |z| of a configuration, the fitted 1/n
coefficient b of n Var (the remainder, whose shrinking the fit shows) and the measured mean
correction m where the theory does not give it.  With ``--db`` every trial is stored as it
finishes; an interrupted run resumes.  Without ``--full`` plain pruning is run at
q = 1/4 only (for ReLU plain = rescaled times (prod q)^2 exactly, identity V3; for erf,
whose plain network is not a multiple of the rescaled one, q = 1/4 covers every pattern).
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
from scipy import stats

from numerics.sweeps.store import ResultStore
from numerics.variance.checks import check_variance
from theory.config import Architecture

ALPHA = 0.01
X = np.array([[1.0, 0.0, 0.0], [0.6, 0.8, 0.0], [np.cos(0.1), np.sin(0.1), 0.0]])
PAIRS = [(0, 1), (0, 2), (1, 1)]
KEEP = ("1", "1/2", "1/4", "1/8")


def configs(depths, full: bool, activation: str = "relu"):
    seen = set()
    for L in depths:
        patterns = {"default": None, "all": list(range(1, L + 2)), "readout": [L + 1]}
        for q in KEEP:
            for name, masked in patterns.items():
                for rescale in (True, False):
                    if q == "1" and (name != "default" or not rescale):
                        continue
                    if not rescale and not full and q != "1/4":
                        continue
                    arch = Architecture.pruned(L, q, rescale=rescale, masked_layers=masked,
                                               activation=activation)
                    key = (arch.depth, arch.keep_probs, arch.masked_layers, arch.rescale)
                    if key not in seen:
                        seen.add(key)
                        yield name, arch


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", default=None)
    p.add_argument("--trials", type=int, default=400)
    p.add_argument("--depths", default="1,2,3,4")
    p.add_argument("--widths", default="32,64,128,256,512")
    p.add_argument("--full", action="store_true")
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--activation", default="relu", choices=("relu", "erf"))
    args = p.parse_args(argv)
    depths = [int(v) for v in args.depths.split(",")]
    widths = tuple(int(v) for v in args.widths.split(","))
    store = ResultStore(args.db) if args.db else None
    results = []
    start = time.time()
    for name, arch in configs(depths, args.full, args.activation):
        check = check_variance(arch, widths, X, PAIRS, args.trials, seed=args.seed, store=store)
        results.append((name, arch, check))
        worst = max(e.worst_z() for e in check.entries)
        e = check.entries[0]
        b = "" if e.fit_b is None else f" b={e.fit_b[0]:+.3g}+-{e.fit_b[1]:.2g}"
        m = "" if e.fit_m is None or e.mean_1_over_n_pred is not None else \
            f" m~{e.fit_m[0]:+.3g}+-{e.fit_m[1]:.2g}"
        print(f"{time.time() - start:7.0f}s L={arch.depth} q={arch.keep_probs[-1]} {name:8s} "
              f"{'resc' if arch.rescale else 'plain'}: V={e.n_var_pred:.5g} worst|z|={worst:.2f}"
              f"{b}{m}", flush=True)
    tests = sum(c.tests for _, _, c in results)
    z_star = float(stats.norm.isf(ALPHA / (2 * tests)))
    bad = [(n, a) for n, a, c in results if max(e.worst_z() for e in c.entries) > z_star]
    print(f"{len(results)} configurations, {tests} z-tests, union bound alpha={ALPHA}: "
          f"|z| <= {z_star:.2f}; failures: {len(bad)}")
    for name, arch in bad:
        print(f"  FAIL {name}: {arch.describe()}")
    if store is not None:
        store.close()
    return 0 if not bad else 1


if __name__ == "__main__":
    sys.exit(main())
