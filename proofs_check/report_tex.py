r"""The LaTeX side of ``pntk verify``: ``formulas.tex``, a standalone article.

:func:`formulas_document` puts the caller's sections (LaTeX fragments, for
instance the one of :func:`theory.symbolic.latex.latex_document` with ``fragment=True``)
and a "Claims" section together: each claim's id, title, statement and, when a
result is known, its verdict.  It needs only ``amsmath``, ``amssymb``,
``graphicx`` and ``geometry``.

Statements are displayed with :func:`display_math`: TeX itself measures the
formula; one wider than the line is set over several lines, broken at its
top-level relations and signs, and whatever is still too wide is shrunk to the
line width (never enlarged).  A statement that is not a well-formed formula
(unbalanced braces, a ``$``, a bare ``&``, a non-ASCII character...) is printed as escaped source
instead of breaking the document.

>>> print(display_math("a = b"), end="")
\[
\sbox0{$\displaystyle a = b$}%
\ifdim\wd0>\linewidth
\fitwidth{a = b}
\else
\usebox0
\fi
\]
>>> text_latex("50% of $q_h$"), text_latex("costs $5")
('50\\% of $q_h$', 'costs \\$5')
"""

from __future__ import annotations

import re
from typing import Sequence

from theory.symbolic.latex import PREAMBLE as THEORY_PREAMBLE
from theory.texprint import escape_text

from .verdict import ClaimResult

__all__ = ["formulas_document", "display_math", "formula_lines", "formula_clauses", "continued",
           "text_latex", "PREAMBLE"]

# \fitwidth{math}: the math in display style, shrunk to the line width when wider.
PREAMBLE = THEORY_PREAMBLE + (
    "\\newcommand{\\fitwidth}[1]{\\resizebox{\\ifdim\\width>\\linewidth\\linewidth"
    "\\else\\width\\fi}{!}{$\\displaystyle #1$}}\n"
)

_LINE = 160  # characters of LaTeX source per line of a broken display (a rough width)

_TOKEN = re.compile(r"\\[A-Za-z]+\*?|\\.|\s+|.", re.S)
_RELATIONS = {
    "=", "<", ">", r"\le", r"\leq", r"\ge", r"\geq", r"\ne", r"\neq", r"\approx", r"\sim",
    r"\simeq", r"\equiv", r"\propto", r"\to", r"\rightarrow", r"\leqslant", r"\geqslant",
    r"\Rightarrow", r"\Leftrightarrow", r"\iff", r"\implies", r"\ll", r"\gg",
}
_SIGNS = {"+", "-", r"\pm", r"\mp", r"\wedge", r"\vee", r"\land", r"\lor"}
_OPEN = {r"\left", r"\bigl", r"\Bigl", r"\biggl", r"\Biggl"}
_CLOSE = {r"\right", r"\bigr", r"\Bigr", r"\biggr", r"\Biggr"}
# clause separators: a statement "A, \quad B" or "A \;\Longrightarrow\; B" reads best
# broken there, before any break at a relation or sign
_SEPARATORS = {r"\quad", r"\qquad", r"\Longrightarrow", r"\implies"}


def text_latex(text: str) -> str:
    """Prose for LaTeX, by :func:`theory.symbolic.latex.escape_text`: ``$...$`` segments stay math
    when the dollars pair up (and no segment is empty); otherwise every ``$`` is a literal."""
    parts = str(text).split("$")
    if len(parts) % 2 == 1 and all(p.strip() for p in parts[1::2]):
        return escape_text(str(text))
    return _plain(str(text))


def _plain(text: str) -> str:
    """``text`` with everything escaped, dollars included (no math at all)."""
    return "\\$".join(escape_text(part) for part in text.split("$"))


def _tt(text: str) -> str:
    """``text`` escaped for ``\\texttt`` (braces and backslash from the math fonts, which
    the default typewriter font lacks)."""
    return (_plain(text).replace("\\textbackslash{}", "$\\backslash$")
            .replace("\\{", "$\\{$").replace("\\}", "$\\}$"))


def _tokens(tex: str) -> list[str]:
    return _TOKEN.findall(tex)


def _top_level(tokens: list[str]) -> list[bool] | None:
    """For each token, whether it sits outside every group, ``\\left..\\right`` pair and
    environment; None when the formula is not well formed for an inline-math box."""
    braces = lefts = envs = 0
    flags = []
    for tok in tokens:
        top = braces == lefts == envs == 0
        if tok == "{":
            braces += 1
        elif tok == "}":
            braces -= 1
        elif tok in _OPEN:
            lefts += 1
        elif tok in _CLOSE:
            lefts -= 1
        elif tok == r"\begin":
            envs += 1
        elif tok == r"\end":
            envs -= 1
        elif tok in ("$", "%", "#") or tok in (r"\[", r"\]", r"\(", r"\)", r"\par"):
            return None
        elif top and tok in ("&", "\\\\"):
            return None
        elif tok.isspace() and tok.count("\n") > 1:
            return None                      # a blank line ends the paragraph
        if min(braces, lefts, envs) < 0:
            return None
        flags.append(top)
    return flags if braces == lefts == envs == 0 else None


def _pieces(tokens: list[str], top: list[bool]) -> list[str]:
    """The formula cut before each top-level relation and each binary sign."""
    pieces, current, previous = [], [], None
    for tok, is_top in zip(tokens, top):
        if tok.isspace():
            current.append(" ")
            continue
        binary = tok in _SIGNS and previous is not None and previous not in _RELATIONS \
            and previous not in _SIGNS
        if is_top and current and previous is not None and (tok in _RELATIONS or binary):
            pieces.append("".join(current).strip())
            current = []
        current.append(tok)
        previous = tok if is_top else "x"
    pieces.append("".join(current).strip())
    return [p for p in pieces if p]


def _lines(pieces: list[str]) -> list[str]:
    """Pieces joined greedily into lines of about equal length, at most about
    :data:`_LINE` source characters each."""
    total = sum(len(p) + 1 for p in pieces)
    budget = total / -(-total // _LINE)
    lines = [pieces[0]]
    for piece in pieces[1:]:
        if len(lines[-1]) + len(piece) > budget:
            lines.append(piece)
        else:
            lines[-1] += " " + piece
    return lines


def formula_clauses(tex: str) -> list[str] | None:
    r"""``tex`` cut into its clauses: before each top-level ``\quad`` (the comma stays
    with the clause it ends) and around ``\Longrightarrow``; None when it is not a
    well-formed formula.

    >>> formula_clauses(r"a = b, \quad c \le d \;\Longrightarrow\; \Pr\bigl[x > y\bigr] \le e")
    ['a = b,', '\\quad c \\le d \\;\\Longrightarrow\\;', '\\Pr\\bigl[x > y\\bigr] \\le e']
    """
    body = " ".join(str(tex).split("\n")).strip()
    tokens = _tokens(body)
    top = _top_level(tokens) if body and body.isascii() else None   # pdflatex: no Unicode
    if top is None:
        return None
    clauses, current, after = [], [], False
    for tok, is_top in zip(tokens, top):
        if is_top and tok in (r"\quad", r"\qquad") and "".join(current).strip():
            clauses.append("".join(current).strip())
            current = []
        if after and not tok.isspace() and tok not in (r"\;", r"\,", r"\ "):
            clauses.append("".join(current).strip())
            current, after = [], False
        current.append(tok)
        if is_top and tok in (r"\Longrightarrow", r"\implies"):
            after = True
    clauses.append("".join(current).strip())
    return [c for c in clauses if c]


def formula_lines(tex: str) -> list[str] | None:
    """``tex`` cut into lines of about equal length (one line when short): into its
    clauses (:func:`formula_clauses`) first, then a clause still too long at top-level
    relations and binary signs; None when it is not a well-formed formula (see module)."""
    clauses = formula_clauses(tex)
    if clauses is None:
        return None
    lines = []
    for clause in clauses:
        tokens = _tokens(clause)
        top = _top_level(tokens)
        lines += [clause] if top is None or len(clause) <= _LINE else _lines(_pieces(tokens, top))
    return lines


def continued(lines: list[str]) -> list[str]:
    """The lines of a broken formula, each after the first indented by a ``\\quad``
    (a clause that starts with its own ``\\quad`` keeps just that one)."""
    return [lines[0]] + [line if line.startswith(("\\quad", "\\qquad")) else "\\quad {}" + line
                         for line in lines[1:]]


def display_math(tex: str) -> str:
    """A display of the formula ``tex`` that never runs into the margin (see the module)."""
    body = " ".join(str(tex).split("\n")).strip()
    lines = formula_lines(body)
    if lines is None:
        note = "empty statement" if not body else "LaTeX source, not a well-formed formula"
        return ("\\begin{quote}\\small (" + note + ")\\\\\n\\texttt{" + _tt(body)
                + "}\\end{quote}\n")
    if len(lines) == 1:
        wide = "\\fitwidth{" + body + "}"
    else:
        wide = ("\\fitwidth{\\begin{aligned}& " + " \\\\\n& ".join(continued(lines))
                + "\\end{aligned}}")
    return ("\\[\n\\sbox0{$\\displaystyle " + body + "$}%\n\\ifdim\\wd0>\\linewidth\n"
            + wide + "\n\\else\n\\usebox0\n\\fi\n\\]\n")


def _entry(item, verdicts: dict[str, ClaimResult]):
    """(id, title, statement LaTeX, result or None, hypotheses, description) of a claim."""
    if isinstance(item, ClaimResult):
        return (item.claim_id, item.marked("title"), item.statement_latex, item,
                item.marked("hypotheses"), item.marked("description"))
    hypotheses = tuple(h.name for h in getattr(item, "hypotheses", ()))
    return (item.id, item.title, item.latex, verdicts.get(item.id), hypotheses,
            getattr(item, "description", ""))


def _verdict_name(result: ClaimResult) -> str:
    return result.verdict.value.replace("_", " ")


def _overview(entries) -> str:
    rows = "".join(f"\\texttt{{{_tt(cid)}}} & {text_latex(title)} & "
                   f"{_verdict_name(res) if res is not None else '--'} \\\\\n"
                   for cid, title, _, res, _, _ in entries)
    return ("\\begin{center}\n\\begin{tabular}{@{}l p{0.6\\linewidth} l@{}}\n\\hline\n"
            "claim & title & verdict \\\\\n\\hline\n" + rows + "\\hline\n\\end{tabular}\n"
            "\\end{center}\n")


def _claim_section(cid, title, statement, result, hypotheses, description) -> str:
    out = [f"\\subsection*{{\\texttt{{{_tt(cid)}}}: {text_latex(title)}}}\n"]
    if description:
        out.append(text_latex(description) + "\n")
    if hypotheses:
        out.append("Hypotheses: " + "; ".join(text_latex(h) for h in hypotheses) + ".\n")
    out.append("Statement:\n" + display_math(statement))
    if result is not None:
        out.append(f"\\noindent Verdict: \\textbf{{{_verdict_name(result)}}} --- "
                   f"{text_latex(result.marked('explanation'))}\n")
    return "".join(out) + "\n"


def formulas_document(sections: Sequence[tuple[str, str]], claims: Sequence, *,
                      title: str = "Formulas of the pruned NTK theory",
                      results: Sequence[ClaimResult] | None = None,
                      note: str = "") -> str:
    """A complete LaTeX article: ``sections`` then a "Claims" section.

    ``sections`` are ``(title, body)`` pairs: ``title`` is prose (escaped; ``$...$``
    stays math; empty for no heading, e.g. when the body brings its own) and ``body``
    a LaTeX fragment needing at most amsmath, amssymb and graphicx.  ``claims`` holds
    :class:`~proofs_check.claim.Claim` or :class:`~proofs_check.verdict.ClaimResult`
    objects; a result shows its verdict, and so does a claim whose id is among
    ``results``.  ``note`` is a line of prose under the title (the run's parameters).
    """
    verdicts = {r.claim_id: r for r in (results or ())}
    out = [PREAMBLE, "\\begin{document}\n",
           f"\\begin{{center}}{{\\Large\\bfseries {text_latex(title)}}}"
           + (f"\\\\[1ex]\n{text_latex(note)}" if note else "") + "\\end{center}\n\n"]
    for heading, body in sections:
        if heading:
            out.append(f"\\section*{{{text_latex(heading)}}}\n")
        out.append(body.rstrip("\n") + "\n\n")
    entries = [_entry(item, verdicts) for item in claims]
    if entries:
        out.append("\\section*{Claims}\n")
        if any(e[3] is not None for e in entries):
            out.append(_overview(entries))
        out.extend(_claim_section(*e) for e in entries)
    out.append("\\end{document}\n")
    return "".join(out)
