"""LaTeX text primitives: escaped prose, SymPy expressions, numbers and display math.

The bottom of every LaTeX export (the derivation document, the pseudo-network
formulas, the verification report): :func:`escape_text` for prose (English with
inline math between ``$`` signs), :func:`plain_text` for the same prose on a terminal,
:func:`to_latex` for SymPy objects, :func:`number_latex` for numbers and
:func:`display` for display math that breaks or shrinks to the line width.
"""

from __future__ import annotations

import mpmath
import sympy as sp
from sympy.printing.latex import LatexPrinter

from .plaintext import plain_text

__all__ = ["escape_text", "plain_text", "to_latex", "number_latex", "display", "DIGITS"]

_WIDE = 110  # characters of LaTeX source beyond which a display is scaled to the line
DIGITS = 6  # significant digits of floating-point numbers in displays

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


def to_latex(expr, **settings) -> str:
    """LaTeX of a SymPy object with this module's printer (``settings`` as for ``sympy.latex``)."""
    return _Printer(settings).doprint(expr)


def number_latex(value, digits: int = 3) -> str:
    r"""A number as LaTeX (no ``$``): ``m \cdot 10^{e}`` when very small or large.

    >>> number_latex(mpmath.mpf("1.234e-58")), number_latex(0), number_latex(0.5), number_latex(1.0)
    ('1.23 \\cdot 10^{-58}', '0', '0.5', '1')
    """
    value = mpmath.mpf(value)
    if value == 0:
        return "0"
    text = mpmath.nstr(value, digits)
    if "e" in text:
        mantissa, exponent = text.split("e")
        if "." in mantissa:
            mantissa = mantissa.rstrip("0").rstrip(".")
        return rf"{mantissa} \cdot 10^{{{int(exponent)}}}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _rounded(expr):
    """``expr`` with its floating-point numbers cut to :data:`DIGITS` significant digits."""
    floats = expr.atoms(sp.Float) if isinstance(expr, sp.Basic) else ()
    return expr.xreplace({f: sp.Float(f, DIGITS) for f in floats}) if floats else expr


def _fit(body: str) -> str:
    """``body`` in display style, shrunk to the line width if wider (never enlarged)."""
    return ("\\resizebox{\\ifdim\\width>\\linewidth\\linewidth\\else\\width\\fi}{!}"
            "{$\\displaystyle " + body + "$}")


def _add_lines(expr: sp.Add, count: int) -> str:
    """A sum over ``count`` lines of about equal length, aligned on the first term."""
    printer = _Printer()
    pieces = []
    for i, term in enumerate(printer._as_ordered_terms(expr)):
        sign = "" if i == 0 else " + "
        if i and term.could_extract_minus_sign():
            sign, term = " - ", -term
        tex = printer._print(term)
        if printer._needs_add_brackets(term):
            tex = r"\left(%s\right)" % tex
        pieces.append((sign, tex))
    budget = sum(len(sign) + len(tex) for sign, tex in pieces) / count
    lines, length = [[]], 0
    for sign, tex in pieces:
        if lines[-1] and length + len(tex) > budget and len(lines) < count:
            lines.append([])
            length = 0
        lines[-1].append(sign + tex)
        length += len(sign) + len(tex)
    rows = ["".join(lines[0])] + ["{}" + "".join(line) for line in lines[1:]]
    return r"\begin{aligned}& " + " \\\\\n& \\quad ".join(rows) + r"\end{aligned}"


def _broken(expr) -> str | None:
    """A multi-line layout of a long tuple (one entry a line) or sum, else None."""
    if isinstance(expr, sp.Tuple) and len(expr) > 1:
        return (r"\left(\begin{gathered}" + ", \\\\\n".join(to_latex(e) for e in expr)
                + r"\end{gathered}\right)")
    if isinstance(expr, sp.Add) and len(expr.args) > 2:
        return _add_lines(expr, min(len(expr.args), 2 + len(to_latex(expr)) // (5 * _WIDE)))
    return None


def display(expr) -> str:
    """A display.  A long one is measured by TeX: if it is wider than the line, a tuple
    is set one entry a line and a sum over several lines; whatever is still too wide
    is shrunk to the line width (never enlarged)."""
    if not isinstance(expr, str):
        expr = _rounded(expr)
    body = expr if isinstance(expr, str) else to_latex(expr)
    if len(body) <= _WIDE:
        return "\\[\n" + body + "\n\\]\n"
    broken = None if isinstance(expr, str) else _broken(expr)
    if broken is None:
        return "\\[\n" + _fit(body) + "\n\\]\n"
    return ("\\[\n\\sbox0{$\\displaystyle " + body + "$}%\n\\ifdim\\wd0>\\linewidth\n"
            + _fit(broken) + "\n\\else\n\\usebox0\n\\fi\n\\]\n")
