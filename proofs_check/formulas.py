"""``formulas.tex`` of a verification run: the derived formulas and the claims' statements.

The document holds the pruned NTK recursion with its symbolic keep probability
(plain and rescaled pruning, dense first layer, depth 3), the closed forms and
proofs from :func:`theory.latex_document`, the mask-induced pseudo-network
moment formulas (claim C4, :func:`theory.pseudo.latex.pseudo_network_latex`),
and every claim's statement with its verdict.
"""

from __future__ import annotations

from typing import Sequence

from theory.config import Architecture
from theory.pseudo.latex import pseudo_network_latex
from theory.symbolic.latex import LatexOptions, latex_document

from .report_tex import formulas_document
from .verdict import ClaimResult

__all__ = ["formulas_tex", "FORMULAS_DEPTH"]

FORMULAS_DEPTH = 3


def formulas_tex(results: Sequence[ClaimResult], *, depth: int = FORMULAS_DEPTH) -> str:
    """The complete LaTeX document (compiles with pdflatex) for ``results``."""
    symbolic = LatexOptions(symbolic_keep_prob=True)
    plain = latex_document(Architecture.pruned(depth, "1/2"), fragment=True, options=symbolic)
    rescaled = latex_document(Architecture.pruned(depth, "1/2", rescale=True), fragment=True,
                              options=symbolic)
    sections = [
        ("", plain),
        ("Rescaled pruning", rescaled.replace(
            r"\section*{Limit NTK of a randomly pruned network}",
            r"\subsection*{The same network with kept weights rescaled by $1/\sqrt{q_h}$}", 1)),
        ("Mask-induced pseudo-networks (claim C4)", pseudo_network_latex()),
    ]
    return formulas_document(sections, list(results),
                             title="Pruned neural tangent kernels: formulas and verified claims")
