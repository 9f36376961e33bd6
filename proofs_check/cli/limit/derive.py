"""``pntk derive``: the symbolic derivation and proofs, exported to LaTeX."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from theory._errors import InvalidArgument

from .._common import heartbeat, parse_int
from .._network import add_network_arguments, architecture, describe_network
from .._outputs import write_atomic

__all__ = ["add_parser", "run"]


def add_parser(sub) -> None:
    p = sub.add_parser(
        "derive", help="derive the pruned NTK recursion and its proofs; export LaTeX",
        description="Derive the dual kernels from their Gaussian integrals, build the pruned "
                    "NTK recursion, prove the scaling claims symbolically and write it all "
                    "as LaTeX (a standalone document, or only the equations).")
    add_network_arguments(p, keep_prob_help=(
        "keep probability q in (0, 1] of the masked layers (decimals are exact: 0.3 is "
        "3/10), one value or one per masked layer (default: a symbolic q, the same on "
        "every masked layer)"))
    p.add_argument("--latex", required=True, metavar="FILE", help="where to write the .tex file")
    p.add_argument("--fragment", action="store_true",
                   help="only the equations and prose, for \\input (needs amsmath, amssymb, graphicx)")
    p.add_argument("--expansion-depth", default="10",
                   help="largest L of the direct-expansion check (default 10)")
    p.add_argument("--pdf", action="store_true", help="also compile FILE with pdflatex")
    p.set_defaults(run=run)


def _compile(path: Path) -> Path:
    exe = shutil.which("pdflatex")
    if exe is None:
        raise InvalidArgument("--pdf", True, "pdflatex is not on PATH",
                              "install a LaTeX distribution or drop --pdf")
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run([exe, "-interaction=nonstopmode", "-halt-on-error",
                               "-output-directory", tmp, str(path)], capture_output=True,
                              text=True, timeout=300)
        pdf = Path(tmp) / (path.stem + ".pdf")
        if proc.returncode != 0 or not pdf.exists():
            last = [l for l in proc.stdout.splitlines() if l.startswith("!")][:1]
            raise InvalidArgument("--latex", str(path), f"pdflatex failed: {last or proc.returncode}",
                                  "report this; the .tex file is kept for inspection")
        target = path.with_suffix(".pdf")
        shutil.copyfile(pdf, target)
    return target


def run(args) -> int:
    expansion = parse_int(args.expansion_depth, "--expansion-depth", 1)
    symbolic = args.keep_prob is None
    # a symbolic q is derived on an architecture with a placeholder value in its place
    arch = architecture(args, keep_prob="1/2" if symbolic else None)
    if args.fragment and args.pdf:
        raise InvalidArgument("--pdf", True, "a fragment is not a document",
                              "drop --fragment to compile, or drop --pdf")
    path = Path(args.latex)
    if path.is_dir() or not path.parent.exists():
        raise InvalidArgument("--latex", args.latex, "not a writable file path",
                              "give a file name in an existing directory")
    from theory.kernels.float64 import theory_scale_factor
    from theory.symbolic.latex import LatexOptions, latex_document
    print(f"pntk derive: deriving {describe_network(arch, symbolic=symbolic)} (symbolic "
          "work grows quickly with depth, fastest for ReLU)", file=sys.stderr, flush=True)
    try:
        with heartbeat("pntk derive"):
            text = latex_document(arch, fragment=args.fragment,
                                  options=LatexOptions(symbolic_keep_prob=symbolic,
                                                       expansion_depth=expansion))
    except RecursionError:
        raise InvalidArgument("--depth", args.depth,
                              "the symbolic expressions nest too deeply for SymPy at this "
                              "depth", "use a smaller --depth (the document's induction "
                              "covers every L; the numbers for deep networks come from "
                              "'pntk kernel')") from None
    write_atomic(path, text)
    factor = theory_scale_factor(arch, "mean_field")
    if factor is None:
        claim = "no scalar factor (plain pruning changes the kernel's shape)"
    elif symbolic and not arch.rescale:
        n = len(arch.masked_layers)
        claim = f"pruned NTK = q^{n} x dense NTK" if n else "pruned NTK = dense NTK"
    else:
        claim = f"pruned NTK = {factor} x dense NTK"
    if arch.first_layer_masked:
        claim += " (first layer masked: mean-field form; exact limits via 'pntk kernel')"
    print(f"wrote {path} ({len(text.splitlines())} lines): "
          f"{describe_network(arch, symbolic=symbolic)}; {claim}")
    if args.pdf:
        print(f"compiled {_compile(path)}")
    return 0
