"""``pntk derive``: the symbolic derivation and proofs, exported to LaTeX.

``--variance`` exports instead the derivation of the finite-width variance of the
empirical NTK and its leading-order value V for one input pair
(:func:`theory.variance.latex.variance_latex`).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from theory._errors import InvalidArgument

from .._common import heartbeat, parse_int, parse_vector
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
        "every masked layer; with --variance, whose V is a number, 1: no pruning)"))
    p.add_argument("--latex", required=True, metavar="FILE", help="where to write the .tex file")
    p.add_argument("--fragment", action="store_true",
                   help="only the equations and prose, for \\input (needs amsmath, amssymb, graphicx)")
    p.add_argument("--expansion-depth", default="10",
                   help="largest L of the direct-expansion check (default 10)")
    p.add_argument("--pdf", action="store_true", help="also compile FILE with pdflatex")
    p.add_argument("--variance", action="store_true",
                   help="derive the finite-width variance of the empirical NTK instead, with "
                        "V = lim n Var Theta_n(x, y) and its layer shares for the pair --x, --y "
                        "(default: off, the limit recursion)")
    p.add_argument("--x", default=None,
                   help="first input of --variance, comma-separated, e.g. 1,0,0 (default: "
                        "none; required with --variance)")
    p.add_argument("--y", default=None,
                   help="second input of --variance (default: none; required with "
                        "--variance, and may equal --x)")
    p.add_argument("--width-ratios", default=None,
                   help="n_h / n for h = 1..L, comma-separated, for --variance (default all 1)")
    p.add_argument("--width", default=None,
                   help="reference width n of --variance: also state sqrt(V/n) (default: none)")
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


def _variance_options(args):
    """(x, y, width ratios, width) of --variance, after checking that they belong together."""
    if not args.variance:
        for flag, value in (("--x", args.x), ("--y", args.y), ("--width-ratios", args.width_ratios),
                            ("--width", args.width)):
            if value is not None:
                raise InvalidArgument(flag, value, "only --variance uses it",
                                      f"add --variance, or drop {flag}")
        return None
    for flag, value in (("--x", args.x), ("--y", args.y)):
        if value is None:
            raise InvalidArgument(flag, "missing", "--variance depends on the input pair",
                                  "give both inputs, e.g. --x 1,0,0 --y 0.6,0.8,0")
    x, y = parse_vector(args.x, "--x"), parse_vector(args.y, "--y")
    if x.shape != y.shape:
        raise InvalidArgument("--y", args.y, f"has {y.size} entries but --x has {x.size}",
                              "give x and y the same length")
    width = None if args.width is None else parse_int(args.width, "--width", 1)
    return x, y, args.width_ratios, width


def _run_variance(args, options, path: Path) -> int:
    from theory.variance.first_layer import check_width_ratios
    from theory.variance.latex import variance_latex
    x, y, ratios_text, width = options
    arch = architecture(args, keep_prob=args.keep_prob or "1")
    try:
        ratios = None if ratios_text is None else \
            check_width_ratios(arch, str(ratios_text).split(","))
    except InvalidArgument as exc:
        raise InvalidArgument("--width-ratios", ratios_text, exc.problem, exc.fix) from None
    print(f"pntk derive: finite-width variance of {describe_network(arch)}",
          file=sys.stderr, flush=True)
    with heartbeat("pntk derive"):
        text = variance_latex(arch, x, y, width_ratios=ratios, width=width,
                              fragment=args.fragment)
    write_atomic(path, text)
    print(f"wrote {path} ({len(text.splitlines())} lines): finite-width variance of "
          f"{describe_network(arch)} at x = {args.x}, y = {args.y}")
    if args.pdf:
        print(f"compiled {_compile(path)}")
    return 0


def run(args) -> int:
    variance = _variance_options(args)
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
    if variance is not None:
        return _run_variance(args, variance, path)
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
