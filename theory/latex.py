"""LaTeX export: the pruned recursion, closed forms, scaling theorem and proof steps.

:func:`latex_document` returns a standalone document (``article``, amsmath/amssymb,
graphicx) or, with ``fragment=True``, only the equations and prose, for
``\\input`` into a paper whose preamble loads ``amsmath``, ``amssymb`` and
``graphicx``.  Every formula comes from the SymPy objects of ``theory.derivation``,
``theory.recursion`` and ``theory.proofs``; nothing is typed in by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import sympy as sp
from sympy.printing.latex import LatexPrinter

from .closed_forms import V_sym, Vdot_sym, c_sigma
from .config import Architecture
from .kernels import theory_scale_factor

__all__ = ["LatexOptions", "latex_document", "escape_text", "to_latex"]

_WIDE = 110  # characters of LaTeX source beyond which a display is scaled to the line

_UNICODE = {
    "θ": r"$\theta$", "σ": r"$\sigma$", "φ": r"$\varphi$", "π": r"$\pi$", "ε": r"$\varepsilon$",
    "α": r"$\alpha$", "ρ": r"$\rho$", "δ": r"$\delta$", "Σ": r"$\Sigma$", "Θ": r"$\Theta$",
    "Λ": r"$\Lambda$", "λ": r"$\lambda$", "∂": r"$\partial$", "≤": r"$\le$", "≥": r"$\ge$",
    "²": r"$^2$", "³": r"$^3$", "·": r"$\cdot$", "∞": r"$\infty$", "→": r"$\to$", "×": r"$\times$",
    "−": "-", "–": "--", "—": "---", "’": "'", "“": "``", "”": "''", "√": r"$\sqrt{}$",
    "∈": r"$\in$", "≠": r"$\ne$", "≈": r"$\approx$", "⊙": r"$\odot$", "Π": r"$\Pi$",
}
_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "_": r"\_", "^": r"\^{}",
            "#": r"\#", "&": r"\&", "%": r"\%", "~": r"\~{}", "<": r"$<$", ">": r"$>$",
            "|": r"$|$"}


def escape_text(text: str) -> str:
    r"""Escape prose for LaTeX.  Segments between ``$`` signs are kept as inline math;
    elsewhere special characters are escaped and Greek letters become math.

    >>> escape_text("q_h in (0, 1], 50% of θ, $s_h = r_h^2 q_h$")
    'q\\_h in (0, 1], 50\\% of $\\theta$, $s_h = r_h^2 q_h$'
    """
    out = []
    for k, part in enumerate(text.split("$")):
        if k % 2 == 1:          # inside $...$
            out.append("$" + part + "$")
            continue
        for ch in part:
            if ch in _SPECIAL:
                out.append(_SPECIAL[ch])
            elif ch in _UNICODE:
                out.append(_UNICODE[ch])
            elif ord(ch) < 128:
                out.append(ch)
            else:
                out.append("?")
    return "".join(out)


class _Printer(LatexPrinter):
    """SymPy's printer, with the Heaviside step written H (theta is the angle here)."""

    def _print_Heaviside(self, expr, exp=None):
        arg = self._print(expr.args[0])
        tex = r"\operatorname{H}\left(%s\right)" % arg
        return tex if exp is None else r"%s^{%s}" % (tex, exp)


def to_latex(expr) -> str:
    """LaTeX of a SymPy object with this module's printer."""
    return _Printer().doprint(expr)


def _display(expr) -> str:
    """A display; long ones are shrunk to the line width (never enlarged)."""
    body = expr if isinstance(expr, str) else to_latex(expr)
    if len(body) > _WIDE:
        return ("\\[\n\\resizebox{\\ifdim\\width>\\linewidth\\linewidth\\else\\width\\fi}{!}"
                "{$\\displaystyle " + body + "$}\n\\]\n")
    return "\\[\n" + body + "\n\\]\n"


@dataclass(frozen=True)
class LatexOptions:
    """What to include: ``symbolic_keep_prob`` prints q instead of its value;
    ``expansion_depth`` is the largest L of the direct-expansion check."""

    symbolic_keep_prob: bool = False
    expansion_depth: int = 10


def _architecture_text(arch: Architecture, symbolic: bool) -> str:
    kind = "rescaled (kept weights times $1/\\sqrt{q_h}$)" if arch.rescale else "plain"
    masked = ", ".join(str(h) for h in arch.masked_layers) or "none"
    if symbolic:
        qtext = "a symbolic keep probability $q$ on every masked layer"
    else:
        qtext = "keep probabilities $(" + ", ".join(
            to_latex(sp.Rational(q.numerator, q.denominator)) for q in arch.keep_probs) + ")$"
    return (f"Fully connected {escape_text(arch.activation)} network with $L = {arch.depth}$ "
            f"hidden layers (weight layers $h = 1, \\dots, {arch.depth + 1}$), masked layers "
            f"{masked}, {qtext}, {kind} pruning. Weights $W^{{(h)}}_{{ij}} \\sim N(0, 1)$, "
            f"masks $M^{{(h)}}_{{ij}} \\sim \\mathrm{{Bernoulli}}(q_h)$, "
            f"$c_\\sigma = 1 / \\mathbb{{E}}[\\sigma(z)^2]$, NTK parameterisation; a masked layer "
            f"scales the covariance it forwards by $s_h = r_h^2 q_h$.\n\n")


def _closed_forms(activation: str) -> str:
    a, b = sp.symbols("a b", positive=True)
    c = sp.Symbol("c", real=True)
    V, Vd = sp.Function("V"), sp.Function(r"\dot{V}")
    out = [r"\subsection*{Dual kernels}",
           "For $(u, v) \\sim N\\left(0, \\begin{pmatrix} a & c \\\\ c & b \\end{pmatrix}\\right)$, "
           "$V = c_\\sigma \\mathbb{E}[\\sigma(u)\\sigma(v)]$ and "
           "$\\dot V = c_\\sigma \\mathbb{E}[\\sigma'(u)\\sigma'(v)]$:\n",
           _display(sp.Eq(sp.Symbol(r"c_\sigma"), c_sigma(activation), evaluate=False)),
           _display(sp.Eq(V(a, b, c), V_sym(activation, a, b, c), evaluate=False)),
           _display(sp.Eq(Vd(a, b, c), Vdot_sym(activation, a, b, c), evaluate=False))]
    return "".join(out)


def _steps(steps) -> str:
    out = []
    for text, expr in steps:
        out.append(escape_text(text) + ":\n" + _display(expr))
    return "".join(out)


_TITLES = {"nngp": "The NNGP map $V$", "ntk_derivative": r"The derivative map $\dot V$",
           "c_sigma": r"The constant $c_\sigma$"}


def _derivations(activation: str) -> str:
    from .derivation import check_price_theorem, derive, derive_c_sigma

    out = [r"\subsection*{Derivation of the dual kernels}"]
    items = [derive_c_sigma(activation), derive(activation, "nngp"),
             derive(activation, "ntk_derivative"), check_price_theorem(activation)]
    for d in items:
        verdict = "equal" if d.symbolic_equal else "NOT shown equal"
        out.append(f"\\paragraph{{{escape_text(_TITLES.get(d.quantity, d.quantity))}.}} ")
        out.append(_steps(d.steps))
        out.append(f"Derived and closed form are {verdict} symbolically; largest relative "
                   f"difference at 24 random points with 50 digits: "
                   f"${to_latex(sp.Float(float(d.max_numeric_discrepancy), 3))}$.\n\n")
    return "".join(out)


def _recursion(arch: Architecture, symbolic: bool) -> str:
    from .recursion import symbolic_kernel

    k = symbolic_kernel(arch, keep_prob_symbols="uniform" if symbolic else False)
    out = [r"\subsection*{The pruned recursion}",
           "With $\\Sigma^{(0)}(x, x') = x \\cdot x'$ "
           + ("(the first layer is masked: this is its mean-field form, exact only as "
              "$d_0 \\to \\infty$; at fixed $d_0$ the limit averages over the first-layer mask)"
              if arch.first_layer_masked else "")
           + ":\n"]
    out += [_display(eq) for eq in k.equations()]
    return "".join(out), k


def _theorem(arch: Architecture, kernel, symbolic: bool) -> str:
    from .proofs import MEAN_FIELD_NOTE  # noqa: F401  (documents the same caveat)

    x, xp = sp.symbols("x x'")
    out = [r"\subsection*{Scaling theorem}"]
    exact = theory_scale_factor(arch, "mean_field")
    if exact is not None:
        factor = kernel.scale_factor if symbolic else sp.Rational(exact.numerator, exact.denominator)
        out.append("For every pair of inputs the pruned limit NTK is the dense one times\n")
        out.append(_display(r"\Theta_{\mathrm{pruned}}(x, x') = " + to_latex(factor)
                            + r" \, \Theta_{\mathrm{dense}}(x, x')"))
        reason = ("rescaling makes every $s_h = 1$ (any activation)" if arch.rescale else
                  "ReLU is positively homogeneous" if arch.activation == "relu" else
                  "only the output layer is scaled")
        out.append(f"because {reason}. ")
        if arch.first_layer_masked:
            out.append("With the first layer masked this holds in the mean-field treatment only; "
                       "at fixed input dimension the exact limit is a mask average without a "
                       "scalar factor in general. ")
        out.append("\n\n")
    else:
        out.append("No scalar factor: plain pruning of hidden layers changes the shape of the "
                   f"{escape_text(arch.activation)} kernel, not only its scale.\n\n")
    return "".join(out)


def _proofs(arch: Architecture, opts: LatexOptions) -> str:
    from .proofs import (prove_homogeneity, prove_rescaled_equals_dense,
                         prove_scaling_expansion, prove_scaling_induction)

    out = [r"\subsection*{Symbolic proof}"]
    for result in (prove_homogeneity(arch.activation), prove_scaling_induction(arch.activation)):
        out.append(f"\\paragraph{{{escape_text(result.title)} "
                   f"({'holds' if result.holds else 'fails'}).}} ")
        out.append("Hypotheses: " + "; ".join(escape_text(h) for h in result.hypotheses) + ".\n\n")
        out.append(_steps(result.steps))
    if arch.activation == "relu":
        exp = prove_scaling_expansion(opts.expansion_depth)
        out.append(f"\\paragraph{{Direct expansion, $L = 1, \\dots, {opts.expansion_depth}$ "
                   f"({'holds' if exp.holds else 'fails'}).}} ")
        out.append("Pruned and dense kernels expanded in $(\\|x\\|^2, \\|x'\\|^2, x \\cdot x')$ "
                   "with a symbolic $q$; the pruned NTK and NNGP equal $q^L$ times the dense ones.\n")
        out.append("\\begin{center}\\begin{tabular}{rrrr}\n$L$ & holds & distinct nodes & "
                   "tree nodes \\\\ \\hline\n")
        for row in exp.data["rows"]:
            out.append(f"{row['depth']} & {'yes' if row['holds'] else 'no'} & {row['dag_nodes']} "
                       f"& {row['tree_nodes']} \\\\\n")
        out.append("\\end{tabular}\\end{center}\n")
    resc = prove_rescaled_equals_dense(arch.depth, None)
    out.append(f"\\paragraph{{{escape_text(resc.title)}, any activation "
               f"({'holds' if resc.holds else 'fails'}).}} ")
    out.append(_steps(resc.steps))
    if arch.activation == "erf" and not arch.rescale:
        out.append(_erf_witness(arch))
    return "".join(out)


def _erf_witness(arch: Architecture) -> str:
    from .witness import erf_witness

    w = erf_witness(depth=max(2, arch.depth))
    return ("\\paragraph{erf: not a scalar multiple.} " + escape_text(w.summary()) + "\n\n"
            if hasattr(w, "summary") else "")


def latex_document(arch: Architecture, *, fragment: bool = False,
                   options: LatexOptions = LatexOptions()) -> str:
    """The LaTeX source: recursion, closed forms, scaling theorem with its factor, proof."""
    recursion, kernel = _recursion(arch, options.symbolic_keep_prob)
    body = "".join([
        r"\section*{Limit NTK of a randomly pruned network}" + "\n",
        _architecture_text(arch, options.symbolic_keep_prob),
        recursion,
        _closed_forms(arch.activation),
        _theorem(arch, kernel, options.symbolic_keep_prob),
        _derivations(arch.activation),
        _proofs(arch, options),
    ])
    if fragment:
        return body
    return ("\\documentclass[11pt]{article}\n\\usepackage[margin=2.2cm]{geometry}\n"
            "\\usepackage{amsmath,amssymb,graphicx}\n\\allowdisplaybreaks\n"
            "\\begin{document}\n" + body + "\\end{document}\n")
