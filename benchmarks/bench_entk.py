"""Benchmark: the exact masked empirical NTK, and one Monte Carlo trial.

1. The 200 x 200 empirical NTK Gram matrix of a masked ReLU network (inputs of
   dimension 32, width 1024, depth 3, keep_prob 0.5, float64), next to a plain
   DGEMM with the same flop count as the masked layers' pair products, timed in
   the same run (target: within 1.5x).
2. The same Gram matrix end to end through the command line: ``pntk entk
   --weights NET.npz --inputs X.npy --json`` in a fresh process (start-up, reading
   and validating the files, the eNTK, writing the JSON), next to the same DGEMM
   (target: within 1.5x).  Its start-up (``pntk entk --help``, and Python importing
   the modules the command computes with) is printed too, as a breakdown.
3. One Monte Carlo trial for 2 inputs at width 4096, depth 3 (draw the network,
   then its 2 x 2 empirical NTK), next to drawing the network alone (target:
   within 1.3x).

Each comparison interleaves the contenders (one call of each per round, best of
the rounds), so a busy spell on a shared machine hits both alike.  All run with
the same BLAS threads (set OPENBLAS_NUM_THREADS to compare thread counts).

Run:  python benchmarks/bench_entk.py [--n 200] [--width 1024] [--mc-width 4096] [--repeat 3]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import best_times  # noqa: E402

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
    flops = masked_flops(net, args.n)
    k = args.width
    m = max(1, round(flops / (2.0 * k * k)))
    A = np.random.default_rng(1).normal(size=(m, k))
    B = np.random.default_rng(2).normal(size=(k, k))
    best = best_times({"entk": lambda: empirical_ntk(net, X), "gemm": lambda: A @ B},
                      args.repeat)
    t_entk, t_gemm = best["entk"], best["gemm"]
    print(f"exact masked eNTK: {args.n} x {args.n} Gram, dim {args.dim}, width {k}, depth "
          f"{args.depth}, keep_prob {args.keep_prob}, float64 (best of {args.repeat})")
    print(f"  empirical_ntk           {t_entk:8.3f} s   ({flops / t_entk / 1e9:6.1f} GFLOP/s)")
    print(f"  DGEMM ({m} x {k}) @ ({k} x {k}), same flops "
          f"{t_gemm:8.3f} s   ({2.0 * m * k * k / t_gemm / 1e9:6.1f} GFLOP/s)")
    print(f"  ratio eNTK / DGEMM      {t_entk / t_gemm:8.2f}   (target <= 1.5)")

    with tempfile.TemporaryDirectory() as tmp:
        cli_end_to_end(net, X, Path(tmp), args.repeat, lambda: A @ B)

    X2 = X[:2]
    w = args.mc_width
    best = best_times({
        "draw": lambda: sample_network(arch, w, seed=0, trial=1, input_dim=args.dim),
        "trial": lambda: empirical_ntk(sample_network(arch, w, seed=0, trial=1,
                                                      input_dim=args.dim), X2)}, args.repeat)
    t_draw, t_trial = best["draw"], best["trial"]
    print(f"Monte Carlo trial: 2 inputs, width {w}, depth {args.depth} (best of {args.repeat})")
    print(f"  draw weights and masks  {t_draw:8.3f} s")
    print(f"  draw + 2 x 2 eNTK       {t_trial:8.3f} s")
    print(f"  ratio trial / draw      {t_trial / t_draw:8.2f}   (target <= 1.3)")


def pntk_command() -> list[str]:
    """The installed ``pntk`` console script, else the same entry point via python -m."""
    exe = shutil.which("pntk")
    return [exe] if exe else [sys.executable, "-m", "proofs_check.cli"]


def cli_end_to_end(net, X, tmp: Path, repeat: int, gemm) -> None:
    """Time ``pntk entk`` in fresh processes against the DGEMM floor, interleaved."""
    arrays = {}
    for h, (W, M) in enumerate(zip(net.weights, net.masks), start=1):
        arrays[f"W{h}"] = np.asarray(W)
        if M is not None:
            arrays[f"M{h}"] = np.asarray(M)
    np.savez(tmp / "net.npz", **arrays)
    np.save(tmp / "X.npy", X)
    base = pntk_command() + ["entk", "--weights", str(tmp / "net.npz"),
                             "--inputs", str(tmp / "X.npy")]
    out = tmp / "K.json"

    def cli():
        with open(out, "w") as fh:
            subprocess.run(base + ["--json"], stdout=fh, check=True)

    def start_up():
        subprocess.run(base + ["--help"], stdout=subprocess.DEVNULL, check=True)

    def core_imports():
        subprocess.run([sys.executable, "-c", "import numerics.entk.gram, "
                        "numerics.networks.netfile, numerics.backend.xp"], check=True)

    best = best_times({"cli": cli, "gemm": gemm, "start": start_up, "core": core_imports},
                      repeat)
    work = best["cli"] - max(best["start"], best["core"])
    print(f"pntk entk end to end (fresh process, --json to a file; best of {repeat})")
    print(f"  pntk entk ... --json    {best['cli']:8.3f} s")
    print(f"  DGEMM, same flops       {best['gemm']:8.3f} s")
    print(f"  ratio CLI / DGEMM       {best['cli'] / best['gemm']:8.2f}   (target <= 1.5)")
    print(f"  start-up: 'pntk entk --help' {best['start']:.3f} s; Python importing the "
          f"modules the command computes with {best['core']:.3f} s")
    print(f"  the rest (read NET.npz, eNTK, write JSON): {work:.3f} s = "
          f"{work / best['gemm']:.2f} x DGEMM")


if __name__ == "__main__":
    main()
