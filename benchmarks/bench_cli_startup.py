"""Start-up time of ``pntk --help`` against a bare ``python -c pass``, in the same run.

Run from the repository root (with the package installed, ``pntk`` on PATH or not):

    python benchmarks/bench_cli_startup.py [--repeat 7]

Prints the best-of-N wall times of the interpreter alone, ``pntk --help``, ``pntk kernel
--help`` and an in-process import of the parser, and the extra cost of the command line
over the bare interpreter (the goal: ``pntk --help`` under 0.5 s).  Also lists the heavy
libraries (SymPy, SciPy, matplotlib, mpmath, NumPy) that building the parser loaded: none
is expected, as every command imports its heavy modules inside its ``run``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import best_time  # noqa: E402


def _command(*args: str) -> list[str]:
    exe = shutil.which("pntk")
    return [exe, *args] if exe else [sys.executable, "-m", "proofs_check.cli", *args]


def _run(cmd: list[str]) -> None:
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=7, help="timed runs per case (default 7)")
    repeat = p.parse_args().repeat
    bare = best_time(lambda: _run([sys.executable, "-c", "pass"]), repeat)
    cases = {
        "pntk --help": _command("--help"),
        "pntk kernel --help": _command("kernel", "--help"),
        "import + build_parser": [sys.executable, "-c",
                                  "import proofs_check.cli as c; c.build_parser()"],
    }
    print(f"{'python -c pass':<24} {bare * 1e3:8.1f} ms   (baseline, same run)")
    for name, cmd in cases.items():
        t = best_time(lambda cmd=cmd: _run(cmd), repeat)
        print(f"{name:<24} {t * 1e3:8.1f} ms   {t / bare:5.1f}x baseline, "
              f"+{(t - bare) * 1e3:.1f} ms over it")
    probe = ("import sys, proofs_check.cli as c; c.build_parser(); "
             "print(sorted({m.split('.')[0] for m in sys.modules} & "
             "{'sympy', 'scipy', 'matplotlib', 'mpmath', 'numpy'}))")
    loaded = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True,
                            text=True).stdout.strip()
    print(f"heavy libraries loaded by the parser: {loaded}")


if __name__ == "__main__":
    main()
