"""A width bound N(eps, delta, L, q; constants) parsed safely from text.

The text is a SymPy expression in the symbols ``eps`` (the gap), ``delta`` (the
failure probability), ``L`` (the depth), the keep-probability symbol (``q`` by
default; the name is configurable) and named constants whose values are given
separately.  Parsing is strict, never arbitrary Python: the text is tokenized
first and only numbers, the operators ``+ - * / ** ^`` (``^`` means power),
parentheses, commas, the known symbols and constants and the functions of
:data:`FUNCTIONS` are accepted; SymPy then builds the expression from those tokens
with nothing else in scope (no builtins).  Numeric powers are checked before they
are evaluated (``10**10**10`` is refused instead of being computed), decimal
literals become exact rationals, and anything else is one-line
:class:`~theory.InvalidArgument` naming the argument (``--expr`` on the command line).

>>> b = parse_bound("C*L**6/eps**4*log(L/delta)", {"C": "0.5"})
>>> b.expr
C*L**6*log(L/delta)/eps**4
>>> b.value_expr
L**6*log(L/delta)/(2*eps**4)
>>> float(b.evaluate({"L": 1, "eps": 0.5, "delta": 0.1, "q": 1}))   # 8 log(10)
18.420680743952367
>>> parse_bound("K/eps")            # doctest: +ELLIPSIS
Traceback (most recent call last):
...
theory._errors.InvalidArgument: expr='K/eps' is invalid: unknown symbol 'K'; fix: declare ...
"""

from __future__ import annotations

import io
import keyword
import math
import re
import tokenize
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import mpmath
import sympy as sp
from sympy.parsing.sympy_parser import auto_number, convert_xor, parse_expr, rationalize

from theory._errors import InvalidArgument

__all__ = ["BoundExpression", "parse_bound", "parse_constant", "parse_side_expression",
           "substitute", "check_name", "FUNCTIONS", "VARIABLES", "MAX_LENGTH"]

VARIABLES = ("eps", "delta", "L")          # plus the keep-probability symbol (default q)
FUNCTIONS = {"log": sp.log, "ln": sp.log, "exp": sp.exp, "sqrt": sp.sqrt, "Abs": sp.Abs,
             "abs": sp.Abs, "Max": sp.Max, "max": sp.Max, "Min": sp.Min, "min": sp.Min,
             "ceiling": sp.ceiling, "floor": sp.floor}
NUMBERS = {"pi": sp.pi, "E": sp.E}
MAX_LENGTH = 500                 # characters of an expression
MAX_DIGITS = 10_000              # decimal digits a numeric power may have
MAX_EXPONENT = 1000              # largest |e| of a number written 1e<e>
_OPERATORS = {"+", "-", "*", "/", "**", "^", "(", ")", ","}
_NUMBER = re.compile(r"^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_RESERVED = set(VARIABLES) | set(FUNCTIONS) | set(NUMBERS) | {"I", "oo", "nan", "zoo"}
# What the SymPy code generated from the tokens may call (and nothing else).
_BUILDERS = {"Integer": sp.Integer, "Float": sp.Float, "Rational": sp.Rational,
             "Add": sp.Add, "Mul": sp.Mul, "Pow": sp.Pow}


def _fix_constant(argument: str, name: str) -> str:
    if argument.startswith("--"):
        return f"declare it with --constant {name}=VALUE"
    return f"declare it as a constant, e.g. constants={{'{name}': 1.0}}"


def check_name(name: str, argument: str, what: str) -> str:
    """A constant's or the keep-probability symbol's name: an identifier, not reserved."""
    name = str(name).strip()
    if not _NAME.match(name) or "__" in name or keyword.iskeyword(name):
        raise InvalidArgument(argument, name, f"{what} must be a plain identifier",
                              "use letters, digits and single underscores, e.g. C or C_1")
    if name in _RESERVED:
        raise InvalidArgument(argument, name, f"'{name}' is reserved (a variable, function "
                              "or number of bound expressions)", "choose another name")
    return name


def parse_constant(text: str, argument: str = "--constant") -> tuple[str, sp.Rational]:
    """``NAME=VALUE`` (VALUE a finite decimal number) as (name, exact rational).

    >>> parse_constant("C=1.5")
    ('C', 3/2)
    """
    name, sep, value = str(text).partition("=")
    if not sep or not name.strip() or not value.strip():
        raise InvalidArgument(argument, text, "not of the form NAME=VALUE",
                              "write e.g. --constant C=1.0")
    name = check_name(name, argument, "a constant's name")
    return name, _exact_number(value.strip(), argument, text)


def _exact_number(value, argument: str, shown) -> sp.Rational:
    if isinstance(value, float):
        value = repr(value)                    # 0.1 means 1/10, not its binary neighbour
    elif isinstance(value, sp.Basic) and not isinstance(value, sp.Rational):
        value = repr(float(value)) if value.is_number and value.is_real else "nan"
    if isinstance(value, str):
        value = value.strip()
        _check_exponent(value, argument, shown)
    try:
        if isinstance(value, bool):
            raise TypeError
        frac = Fraction(str(value)) if isinstance(value, sp.Rational) else Fraction(value)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        raise InvalidArgument(argument, shown, "a constant's value must be a finite number",
                              "write e.g. C=1.0") from None
    return sp.Rational(frac.numerator, frac.denominator)


def _check_exponent(number: str, argument: str, shown) -> None:
    """Refuse decimal exponents so large that the exact value cannot be built."""
    _, _, exponent = number.lower().partition("e")
    if exponent.lstrip("+-").isdigit() and abs(int(exponent)) > MAX_EXPONENT:
        raise InvalidArgument(argument, shown, f"'{number}' is too large or too small a number",
                              f"use decimal exponents within +-{MAX_EXPONENT}")


def _tokens(text: str, argument: str, allowed: set[str]) -> None:
    """Refuse any token that is not a number, an operator or an allowed name."""
    try:
        toks = list(tokenize.generate_tokens(io.StringIO(text.strip()).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        raise InvalidArgument(argument, text, "unbalanced brackets or an unfinished "
                              "expression", "check the parentheses") from None
    for tok in toks:
        kind, s = tok.type, tok.string
        if kind in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER):
            continue
        if kind == tokenize.NUMBER:
            if not _NUMBER.match(s) or len(s) > 40:
                raise InvalidArgument(argument, text, f"'{s}' is not a plain decimal number",
                                      "write numbers like 2, 0.5 or 1e-3")
            _check_exponent(s, argument, text)
            continue
        if kind == tokenize.OP and s in _OPERATORS:
            continue
        if kind == tokenize.NAME:
            if "__" in s or keyword.iskeyword(s):
                raise InvalidArgument(argument, text, f"'{s}' is Python syntax, not allowed "
                                      "in a bound", "write a formula in the bound's symbols")
            if s in _RESERVED and s not in allowed:
                raise InvalidArgument(argument, text, f"'{s}' is not allowed in a bound",
                                      "write a finite real formula")
            if s not in allowed:
                raise InvalidArgument(argument, text, f"unknown symbol '{s}'",
                                      _fix_constant(argument, s))
            continue
        shown = s if s.strip() else repr(s)
        raise InvalidArgument(argument, text, f"'{shown}' is not allowed in a bound",
                              "use numbers, + - * / ** ^ ( ), the symbols, declared "
                              "constants and log, exp, sqrt, Max, Min, Abs, floor, ceiling")


def _check_power(base: sp.Expr, exponent: sp.Expr, argument: str, text: str) -> None:
    """Refuse a numeric power whose exact value would be astronomically long."""
    if not (base.is_Rational and exponent.is_Rational) or base in (0, 1, -1):
        return
    size = abs(float(exponent)) * max(math.log10(abs(base.p)) + 1, math.log10(base.q) + 1)
    if size > MAX_DIGITS:
        raise InvalidArgument(argument, text, "a numeric power is too large to evaluate",
                              "write a smaller number")


def _evaluate(node: sp.Basic, argument: str, text: str) -> sp.Basic:
    """Rebuild an unevaluated tree bottom-up, checking numeric powers before evaluating."""
    if not node.args:
        return node
    args = [_evaluate(a, argument, text) for a in node.args]
    if isinstance(node, sp.Pow):
        _check_power(args[0], args[1], argument, text)
    return node.func(*args)


def parse_side_expression(text: str, names: dict, argument: str) -> sp.Expr:
    """Parse ``text`` with only ``names`` (name -> SymPy object) and FUNCTIONS in scope."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidArgument(argument, text, "empty expression",
                              "write e.g. \"C*L**6/eps**4*log(L/delta)\"")
    if len(text) > MAX_LENGTH:
        raise InvalidArgument(argument, text, f"longer than {MAX_LENGTH} characters",
                              "write a shorter expression")
    scope = {**FUNCTIONS, **NUMBERS, **names}
    _tokens(text, argument, set(scope))
    try:
        raw = parse_expr(text.strip(), local_dict=dict(scope),
                         global_dict={"__builtins__": {}, **_BUILDERS},
                         transformations=(auto_number, rationalize, convert_xor),
                         evaluate=False)
        expr = _evaluate(sp.sympify(raw, strict=True), argument, text)
    except InvalidArgument:
        raise
    except (SyntaxError, TypeError, ValueError, AttributeError, sp.SympifyError,
            RecursionError, MemoryError, ZeroDivisionError, OverflowError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InvalidArgument(argument, text, f"not a formula ({reason[:80]})",
                              "write e.g. \"C*L**6/eps**4*log(L/delta)\"") from None
    if not isinstance(expr, sp.Expr) or isinstance(expr, sp.Tuple) or expr.is_Boolean:
        raise InvalidArgument(argument, text, "not a single number-valued formula",
                              "write one expression, without commas or comparisons")
    if expr.has(sp.zoo, sp.nan, sp.oo, -sp.oo, sp.I):
        raise InvalidArgument(argument, text, "the formula is undefined, infinite or complex "
                              "as written", "check divisions by zero and square roots")
    return expr


def substitute(expr: sp.Expr, mapping: dict, argument: str, text: str) -> sp.Expr:
    """``expr`` with ``mapping`` substituted, numeric powers checked before evaluation."""
    with sp.evaluate(False):
        raw = expr.xreplace(mapping)
    try:
        out = _evaluate(raw, argument, text)
    except InvalidArgument as exc:
        raise InvalidArgument(argument, text, f"{exc.problem} once the constants are "
                              "substituted", "use smaller constants") from None
    if out.has(sp.zoo, sp.nan, sp.I):
        raise InvalidArgument(argument, text, "undefined or complex once the constants are "
                              "substituted", "check the constants' values")
    return out


@lru_cache(maxsize=256)
def _mp_function(expr: sp.Expr, args: tuple[sp.Symbol, ...]):
    return sp.lambdify(args, expr, modules="mpmath")


@dataclass(frozen=True)
class BoundExpression:
    """A parsed width bound.

    ``expr`` keeps the constants as symbols, ``value_expr`` has their values
    substituted; ``symbols`` maps eps, delta, L and the keep-probability name to
    their (positive) SymPy symbols; ``constants`` lists (name, exact value).
    """

    text: str
    expr: sp.Expr
    value_expr: sp.Expr
    constants: tuple[tuple[str, sp.Rational], ...]
    keep_prob_symbol: str = "q"

    @property
    def symbols(self) -> dict[str, sp.Symbol]:
        return _symbols(self.keep_prob_symbol)

    @property
    def constant_symbols(self) -> dict[str, sp.Symbol]:
        return {n: _constant_symbol(n, v) for n, v in self.constants}

    @property
    def variables(self) -> tuple[sp.Symbol, ...]:
        """(eps, delta, L, q): the argument order of :meth:`evaluate`'s functions."""
        s = self.symbols
        return (s["eps"], s["delta"], s["L"], s[self.keep_prob_symbol])

    @property
    def q(self) -> sp.Symbol:
        return self.symbols[self.keep_prob_symbol]

    def constant_value(self, name: str) -> sp.Rational:
        return dict(self.constants)[name]

    def depends_on(self, name: str) -> bool:
        table = {**self.symbols, **self.constant_symbols}
        return table[name] in self.expr.free_symbols

    def parse_other(self, text: str, argument: str) -> sp.Expr:
        """Another formula (an error, say) in the same symbols and constants, with the
        constants' values substituted."""
        names = {**self.symbols, **self.constant_symbols}
        expr = parse_side_expression(text, names, argument)
        return substitute(expr, {self.constant_symbols[n]: v for n, v in self.constants},
                          argument, text)

    def evaluate(self, point: dict, expr: sp.Expr | None = None) -> mpmath.mpf:
        """The value of ``expr`` (default: the bound, constants substituted) at ``point``
        ({"L", "eps", "delta", "q"}) in mpmath floating point (any exponent: no overflow).

        Raises ValueError when the value is not a finite real number."""
        expr = self.value_expr if expr is None else expr
        f = _mp_function(expr, self.variables)
        try:
            value = f(*(mpmath.mpf(str(point[k])) for k in ("eps", "delta", "L", "q")))
        except (ValueError, TypeError, ZeroDivisionError, OverflowError) as exc:
            raise ValueError(str(exc) or type(exc).__name__) from None
        if isinstance(value, mpmath.mpc):
            if value.imag != 0:
                raise ValueError(f"complex value {value}")
            value = value.real
        value = mpmath.mpf(value)
        if not mpmath.isfinite(value):
            raise ValueError(f"value {value}")
        return value


def _symbols(keep_prob_symbol: str) -> dict[str, sp.Symbol]:
    return {n: sp.Symbol(n, positive=True) for n in (*VARIABLES, keep_prob_symbol)}


def _constant_symbol(name: str, value: sp.Rational) -> sp.Symbol:
    if value > 0:
        return sp.Symbol(name, positive=True)
    return sp.Symbol(name, real=True)


def parse_bound(text: str, constants=None, keep_prob_symbol: str = "q", *,
                argument: str = "expr", constant_argument: str = "constants") -> BoundExpression:
    """Parse a width bound.  ``constants``: {name: value} (values: numbers or decimal
    strings) or an iterable of (name, value); ``argument`` is the name errors give the
    text (the command line passes ``--expr`` and ``--constant``)."""
    kp_arg = "--keep-prob-symbol" if argument.startswith("--") else "keep_prob_symbol"
    kp = check_name(keep_prob_symbol, kp_arg, "the keep-probability symbol")
    items = constants.items() if isinstance(constants, dict) else (constants or ())
    consts: dict[str, sp.Rational] = {}
    for name, value in items:
        name = check_name(name, constant_argument, "a constant's name")
        if name == kp:
            raise InvalidArgument(constant_argument, name, "the keep-probability symbol "
                                  "cannot also be a constant", "rename the constant")
        if name in consts:
            raise InvalidArgument(constant_argument, name, "declared twice",
                                  "give each constant once")
        consts[name] = _exact_number(value, constant_argument, f"{name}={value}")
    csyms = {n: _constant_symbol(n, v) for n, v in consts.items()}
    expr = parse_side_expression(text, {**_symbols(kp), **csyms}, argument)
    value_expr = substitute(expr, {csyms[n]: v for n, v in consts.items()}, argument, text)
    return BoundExpression(text.strip(), expr, value_expr, tuple(consts.items()), kp)
