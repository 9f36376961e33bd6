"""Prose with inline LaTeX math for a terminal: :func:`plain_text`.

The toolkit writes its prose (claim titles, evidence, proof steps) in English with
inline math between ``$`` signs, the convention of :func:`theory.texprint.escape_text`.
The LaTeX and Markdown reports print the math as math; a terminal gets
:func:`plain_text`, which reads the small LaTeX subset the toolkit writes and spells
it in ASCII.  No third-party imports, so the command line stays fast to start.
"""

from __future__ import annotations

import re

__all__ = ["plain_text"]

_PLAIN_WORDS = {
    "varepsilon": "eps", "epsilon": "eps", "infty": "infinity", "le": "<=", "leq": "<=",
    "ge": ">=", "geq": ">=", "ne": "!=", "neq": "!=", "to": "->", "rightarrow": "->",
    "times": "x", "cdot": ".", "approx": "~", "sim": "~", "pm": "+-", "in": "in",
    "ldots": "...", "dots": "...", "cdots": "...", "lvert": "|", "rvert": "|", "vert": "|",
    "mid": "|", "Longrightarrow": "=>", "Rightarrow": "=>", "odot": "(.)", "langle": "<",
    "rangle": ">", "quad": " ", "qquad": " ", "%": "%", "{": "{", "}": "}", "|": "||",
    "$": "$", "_": "_", "&": "&", "#": "#",
}
_PLAIN_DROP = {"left", "right", "big", "bigl", "bigr", "Big", "Bigl", "Bigr", "displaystyle",
               "limits", "nolimits", ",", ";", ":", "!", " "}
_PLAIN_ARGUMENT = {"mathrm", "text", "operatorname", "mathbb", "mathbf", "mathit", "mathcal",
                   "boldsymbol", "textrm", "textit", "mbox"}
_PLAIN_TOKEN = re.compile(r"\\([A-Za-z]+|.)|([{}^_])|(\s+)|([^\\{}^_\s]+)", re.S)


def _plain_math(tex: str) -> str:
    """Inline LaTeX math (the subset the toolkit writes) as readable ASCII."""
    # numbers written m \cdot 10^{e} (theory.texprint.number_latex) read as me
    tex = re.sub(r"([0-9.]+)\s*\\cdot\s*10\^\{(-?[0-9]+)\}", r"\1e\2", tex)
    tokens = [m.group(0) for m in _PLAIN_TOKEN.finditer(tex)]
    pos = 0

    def atom() -> str:
        """One argument: a {group}, a command with its arguments, or one character."""
        nonlocal pos
        if pos >= len(tokens):
            return ""
        tok = tokens[pos]
        pos += 1
        if tok == "{":
            return sequence(closing=True)
        if tok.startswith("\\"):
            return command(tok[1:])
        if tok.isspace():
            return atom()
        if len(tok) > 1 and tok[0] not in "}^_":        # a run of letters: take its first
            tokens.insert(pos, tok[1:])
            return tok[0]
        return tok

    def wrapped(text: str) -> str:
        text = text.strip()
        return text if re.fullmatch(r"[A-Za-z0-9.']+|\(.*\)", text) else f"({text})"

    def command(name: str) -> str:
        if name in _PLAIN_DROP:
            return " " if name in (",", ";", ":", " ") else ""
        if name in _PLAIN_ARGUMENT:
            return atom()
        if name == "frac":
            top, bottom = atom(), atom()
            return f"{wrapped(top)}/{wrapped(bottom)}"
        if name == "sqrt":
            return f"sqrt({atom().strip()})"
        if name in ("dot", "hat", "bar", "tilde"):
            base = atom()
            return base + {"dot": "dot", "hat": "^", "bar": "bar", "tilde": "~"}[name]
        return _PLAIN_WORDS.get(name, name)

    def sequence(closing: bool = False) -> str:
        nonlocal pos
        out = []
        while pos < len(tokens):
            tok = tokens[pos]
            if tok == "}" and closing:
                pos += 1
                break
            if tok.isspace():
                pos += 1
                out.append(" ")
                continue
            if tok in ("^", "_"):
                pos += 1
                arg = atom().strip()
                simple = re.fullmatch(r"[A-Za-z0-9.*']+|-?[0-9.]+|[+-]|\([^()]*\)", arg)
                if tok == "^" and arg in ("*", "'"):         # n^* reads n*, f^' reads f'
                    out.append(arg)
                    continue
                out.append(tok + (arg if simple else f"({arg})"))
                continue
            out.append(atom())
            if out[-1].isalpha() and len(out[-1]) > 1 and pos < len(tokens) \
                    and re.match(r"[A-Za-z0-9]", tokens[pos]):
                out.append(" ")          # "\log x", "\kappa q": keep the words apart
        return "".join(out)

    return " ".join(sequence().split())


def plain_text(text: str) -> str:
    r"""Prose with ``$...$`` math (the convention of :func:`escape_text`) for a terminal:
    the math becomes readable ASCII, the rest is left as it is.  Text whose dollars do not
    pair up (or with an empty math segment) is returned unchanged.

    >>> plain_text(r"exact: $q^{3} = \prod_h s_h = 27/1000$; $n^* \sim (1/q)^{1.01}$")
    'exact: q^3 = prod_h s_h = 27/1000; n* ~ (1/q)^1.01'
    >>> plain_text(r"fluctuation $\sqrt{(\kappa - q)/(q n)}$ at $\varepsilon = 0.2$")
    'fluctuation sqrt((kappa - q)/(q n)) at eps = 0.2'
    >>> plain_text(r"$\frac{1}{\sqrt{q}}$, costs $5")
    '$\\frac{1}{\\sqrt{q}}$, costs $5'
    """
    parts = str(text).split("$")
    if len(parts) % 2 == 0 or not all(p.strip() for p in parts[1::2]):
        return str(text)
    return "".join(part if k % 2 == 0 else _plain_math(part) for k, part in enumerate(parts))
