"""Timings of the symbolic layer (the numbers the tests do not assert).

* the DAG-aware direct expansion of claim C1 for L = 1..10 against SymPy's own
  ``factor_terms`` check at the largest depth both finish quickly (L = 4), in one run;
* ``derive_all`` (the dual kernels from their Gaussian integrals; a cold call, cached after);
* a depth-10 symbolic kernel evaluated with mpmath against the numeric recursion.

Run from the repository root: ``python benchmarks/bench_symbolic.py``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import best_times  # noqa: E402

from theory import Architecture  # noqa: E402
from theory.symbolic import derivation, proofs  # noqa: E402
from theory.symbolic.recursion import evaluate, numeric_kernel, symbolic_kernel  # noqa: E402


def main() -> None:
    t = best_times({
        "dag expansion, L = 4": lambda: proofs.prove_scaling_expansion(4, method="dag"),
        "factor_terms expansion, L = 4":
            lambda: proofs.prove_scaling_expansion(4, method="factor_terms"),
    }, repeat=3)
    dag, ft = t["dag expansion, L = 4"], t["factor_terms expansion, L = 4"]
    print(f"C1 expansion L = 1..4:  dag {dag:.3f} s, factor_terms {ft:.3f} s "
          f"(ratio dag / factor_terms {dag / ft:.3f})")
    t0 = time.perf_counter()
    proofs.prove_scaling_expansion(10)
    print(f"C1 expansion L = 1..10 (dag): {time.perf_counter() - t0:.3f} s")
    t0 = time.perf_counter()
    derivation.derive_all()
    print(f"derive_all (cold): {time.perf_counter() - t0:.3f} s")
    arch = Architecture.pruned(10, "1/2")
    t = best_times({"symbolic": lambda: evaluate(symbolic_kernel(arch), 1, 2, "0.3"),
                    "numeric": lambda: numeric_kernel(arch, 1, 2, "0.3")}, repeat=3)
    print(f"depth-10 kernel: symbolic + mpmath {t['symbolic']:.3f} s, numeric recursion "
          f"{t['numeric']:.4f} s (ratio {t['symbolic'] / t['numeric']:.1f})")


if __name__ == "__main__":
    main()
