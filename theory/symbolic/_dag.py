"""Memoised walks over SymPy expression DAGs.

A SymPy expression is a tree on paper but a DAG in memory: the kernel recursion
reuses each layer's expressions two or three times in the next layer, so the
tree of a depth-10 NTK has about a million nodes while the DAG has a few hundred
distinct ones.  Every walk here visits each *distinct* subexpression once
(iteratively, so deep expressions cannot hit Python's recursion limit), which
makes it linear in the DAG size rather than the tree size.

* :func:`dag_size` / :func:`tree_size` -- distinct nodes versus nodes of the tree.
* :func:`dag_equal` -- structural equality, memoised on pairs of nodes.
* :func:`split_monomial` -- write ``expr = q1**k1 * ... * rest`` with ``rest`` free
  of the positive symbols ``q``, by sound local rules; it fails (returns a reason)
  as soon as a sum mixes different powers or a function sees a power of ``q``.
* :func:`evaluate_mp` -- evaluate with mpmath at a chosen precision.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Callable, Mapping, Sequence

import mpmath
import sympy as sp

from .._errors import InvalidArgument

__all__ = ["dag_fold", "dag_size", "dag_free_symbols", "tree_size", "dag_equal", "MonomialSplit",
           "split_monomial", "evaluate_mp", "to_mpf"]


def dag_fold(expr: sp.Basic, combine: Callable[[sp.Basic, list], object]) -> object:
    """Fold ``combine(node, child_results)`` bottom-up over the distinct nodes of ``expr``.

    Each distinct subexpression is combined exactly once; counting nodes this way
    gives the size of the *tree* (7 here) after visiting the 5 distinct nodes.

    >>> x = sp.Symbol("x")
    >>> dag_fold(sp.sin(x) + sp.sin(x)**2, lambda node, kids: 1 + sum(kids))
    7
    """
    memo: dict = {}
    stack = [expr]
    while stack:
        node = stack[-1]
        if node in memo:
            stack.pop()
            continue
        pending = [arg for arg in node.args if arg not in memo]
        if pending:
            stack.extend(pending)
            continue
        stack.pop()
        memo[node] = combine(node, [memo[arg] for arg in node.args])
    return memo[expr]


def dag_size(expr: sp.Basic) -> int:
    """Number of distinct subexpressions of ``expr`` (atoms included).

    >>> x = sp.Symbol("x")
    >>> dag_size(sp.sin(x) * sp.cos(sp.sin(x)))
    4
    """
    seen = set()
    stack = [expr]
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            stack.extend(node.args)
    return len(seen)


def dag_free_symbols(expr: sp.Basic) -> set:
    """The free symbols of ``expr``, found by visiting each distinct node once.

    (``expr.free_symbols`` walks the whole tree, which is exponential in depth here.)

    >>> x, y = sp.symbols("x y")
    >>> sorted(dag_free_symbols(sp.sin(x) * sp.Integral(y, (y, 0, 1))), key=str)
    [x]
    """
    found = set()
    seen = set()
    stack = [expr]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        if isinstance(node, sp.Symbol):
            found.add(node)
        elif node.args:
            if getattr(node, "bound_symbols", None):  # Integral, Sum: rare and small here
                found |= node.free_symbols
            else:
                stack.extend(node.args)
    return found


def tree_size(expr: sp.Basic) -> int:
    """Number of nodes of ``expr`` printed as a tree, counted without building it.

    >>> x = sp.Symbol("x")
    >>> tree_size(sp.sin(x) * sp.cos(sp.sin(x)))
    6
    """
    return dag_fold(expr, lambda node, kids: 1 + sum(kids))


def dag_equal(left: sp.Basic, right: sp.Basic) -> bool:
    """Structural equality of two expressions, memoised on pairs of nodes.

    Agrees with ``left == right`` but never walks a shared subtree twice.

    >>> x, y = sp.symbols("x y")
    >>> dag_equal(sp.sin(x + y), sp.sin(y + x)), dag_equal(sp.sin(x), sp.cos(x))
    (True, False)
    """
    memo: dict = {}
    stack = [(left, right)]
    while stack:
        l, r = stack[-1]
        key = (id(l), id(r))
        if key in memo:
            stack.pop()
            continue
        if l is r:
            memo[key] = True
        elif type(l) is not type(r) or len(l.args) != len(r.args) or hash(l) != hash(r):
            memo[key] = False
        elif not l.args or l._hashable_content() is not l._args:
            memo[key] = l == r  # atoms, and nodes hashing more than their arguments
        else:
            pending = [(a, b) for a, b in zip(l.args, r.args) if (id(a), id(b)) not in memo]
            if pending:
                stack.extend(pending)
                continue
            memo[key] = all(memo[(id(a), id(b))] for a, b in zip(l.args, r.args))
        stack.pop()
        if not memo[key]:
            return False
    return memo[(id(left), id(right))]


@dataclass(frozen=True)
class MonomialSplit:
    """Result of :func:`split_monomial`: ``expr == prod(q**k) * rest`` or why not.

    ``exponents`` and ``rest`` are ``None`` when the split failed; ``reason`` and
    ``offending`` then say where.
    """

    symbols: tuple[sp.Symbol, ...]
    exponents: tuple[sp.Rational, ...] | None
    rest: sp.Expr | None
    reason: str = ""
    offending: sp.Basic | None = None

    @property
    def ok(self) -> bool:
        return self.exponents is not None


class _Failure:
    __slots__ = ("reason", "node")

    def __init__(self, reason: str, node: sp.Basic):
        self.reason, self.node = reason, node


def split_monomial(expr: sp.Expr, symbols: Sequence[sp.Symbol]) -> MonomialSplit:
    """Write ``expr = q_1**k_1 ... q_m**k_m * rest`` with ``rest`` free of every ``q_i``.

    Rules, applied once per distinct subexpression (each is an identity for q_i > 0):

    * the symbol ``q_i`` is ``q_i**1 * 1``; any other atom is ``q**0 * atom``;
    * a product adds the exponents of its factors;
    * ``base**n`` with a rational ``n`` multiplies the base's exponents by ``n``
      (valid because ``(x*y)**n = x**n * y**n`` for x > 0, principal branch);
    * a sum needs the same exponents in every term (else: failure);
    * any other node (``acos``, ``sin``, a power with a symbolic exponent, ...) needs
      exponent 0 in every argument (else: failure).

    Each rebuilt ``rest`` is made with SymPy's own constructors, so the automatic
    simplifications they perform are the only other ingredient of the argument.

    >>> q, x = sp.symbols("q x", positive=True)
    >>> s = split_monomial(q * sp.sqrt(q * x) + q**sp.Rational(3, 2) * sp.acos(q * x / (q + q * x)), [q])
    >>> s.exponents, s.rest
    ((3/2,), sqrt(x) + acos(x/(x + 1)))
    >>> split_monomial(sp.acos(q + x), [q]).reason
    'a sum mixes different powers of the symbols'
    >>> split_monomial(sp.acos(q * x), [q]).reason
    'acos is applied to a power of the symbols'
    """
    syms = tuple(symbols)
    for s in syms:
        if not (isinstance(s, sp.Symbol) and s.is_positive):
            raise InvalidArgument("symbols", s, "the split needs positive symbols",
                                  "declare them with sympy.Symbol(name, positive=True)")
    index = {s: i for i, s in enumerate(syms)}
    zero = (sp.Integer(0),) * len(syms)

    def combine(node: sp.Basic, kids: list):
        for kid in kids:
            if isinstance(kid, _Failure):
                return kid
        if not node.args:
            if node in index:
                exps = list(zero)
                exps[index[node]] = sp.Integer(1)
                return tuple(exps), sp.Integer(1)
            return zero, node
        if all(k[0] == zero and k[1] is arg for k, arg in zip(kids, node.args)):
            return zero, node
        if isinstance(node, sp.Mul):
            exps = tuple(sum(col, sp.Integer(0)) for col in zip(*(k[0] for k in kids)))
            return exps, sp.Mul(*(k[1] for k in kids))
        if isinstance(node, sp.Add):
            first = kids[0][0]
            if any(k[0] != first for k in kids[1:]):
                return _Failure("a sum mixes different powers of the symbols", node)
            return first, sp.Add(*(k[1] for k in kids))
        if isinstance(node, sp.Pow) and node.exp.is_Rational:
            (base_exps, base_rest), _ = kids
            return tuple(k * node.exp for k in base_exps), sp.Pow(base_rest, node.exp)
        if any(any(k != 0 for k in kid[0]) for kid in kids):
            return _Failure(f"{type(node).__name__} is applied to a power of the symbols", node)
        return zero, node.func(*(k[1] for k in kids))

    out = dag_fold(expr, combine)
    if isinstance(out, _Failure):
        return MonomialSplit(syms, None, None, out.reason, out.node)
    return MonomialSplit(syms, out[0], out[1])


def to_mpf(value: object):
    """Convert an int, Fraction, SymPy rational, float, decimal string or mpf exactly.

    >>> to_mpf("1/4"), to_mpf(sp.Rational(3, 2))
    (mpf('0.25'), mpf('1.5'))
    """
    if isinstance(value, (mpmath.mpf, mpmath.mpc)):
        return value
    if isinstance(value, bool):
        raise InvalidArgument("value", value, "not a number", "give an int, fraction or decimal")
    if isinstance(value, int):
        return mpmath.mpf(value)
    if isinstance(value, (Fraction, sp.Rational)):
        return mpmath.mpf(int(value.numerator)) / int(value.denominator)
    if isinstance(value, float):
        return mpmath.mpf(value)
    if isinstance(value, sp.Float):
        return mpmath.mpf(value._mpf_)
    try:
        return to_mpf(Fraction(str(value).strip()))
    except (ValueError, ZeroDivisionError):
        raise InvalidArgument("value", value, "not a finite number",
                              "give an int, fraction, decimal string or mpf") from None


_FUNCTIONS = {
    sp.acos: mpmath.acos, sp.asin: mpmath.asin, sp.atan: mpmath.atan,
    sp.sin: mpmath.sin, sp.cos: mpmath.cos, sp.exp: mpmath.exp, sp.log: mpmath.log,
    sp.erf: mpmath.erf, sp.Abs: abs,
}


def evaluate_mp(expr: sp.Expr, values: Mapping[sp.Symbol, object], dps: int = 50):
    """Evaluate ``expr`` with mpmath at ``dps`` digits, each distinct node once.

    ``values`` maps every free symbol to a number (int, str, Fraction, mpf...).
    Rounding-level overshoots are clamped so that exactly collinear inputs stay
    real: an ``acos``/``asin`` argument beyond +-1 by less than ``10**(10 - dps)``,
    and a negative sum under a fractional power smaller than ``10**(10 - dps)``
    times its largest term, both computed with 10 guard digits.

    >>> x = sp.Symbol("x", positive=True)
    >>> value = evaluate_mp(sp.acos(x / sp.sqrt(x**2)) + sp.pi * x, {x: 2}, dps=30)
    >>> mpmath.nstr(value, 30)
    '6.28318530717958647692528676656'
    """
    missing = dag_free_symbols(expr) - set(values)
    if missing:
        raise InvalidArgument("values", sorted(map(str, missing)), "no value for these symbols",
                              "give a number for every free symbol of the expression")
    with mpmath.workdps(dps + 10):
        tiny = mpmath.mpf(10) ** (10 - dps)
        env = {s: to_mpf(v) for s, v in values.items()}

        scale: dict = {}  # largest |term| of each sum, to recognise rounding-level results

        def combine(node: sp.Basic, kids: list):
            if node in env:
                return env[node]
            if isinstance(node, sp.Rational):
                return mpmath.mpf(node.p) / node.q
            if isinstance(node, sp.Add):
                scale[node] = max(abs(k) for k in kids)
                return mpmath.fsum(kids)
            if isinstance(node, sp.Mul):
                return mpmath.fprod(kids)
            if isinstance(node, sp.Pow):
                base, power = kids
                if isinstance(node.exp, sp.Integer):
                    return base ** int(node.exp)
                if isinstance(base, mpmath.mpf) and base < 0 and -base <= tiny * scale.get(node.base, 0):
                    base = mpmath.mpf(0)  # e.g. 1 - c^2/(ab) at c^2 = ab, off by rounding
                if node.exp == sp.S.Half:
                    return mpmath.sqrt(base)
                return mpmath.power(base, power)
            if node is sp.pi:
                return +mpmath.pi
            if node is sp.E:
                return +mpmath.e
            if type(node) in (sp.acos, sp.asin):
                (arg,) = kids
                if isinstance(arg, mpmath.mpf) and 1 < abs(arg) < 1 + tiny:
                    arg = mpmath.sign(arg)
                return _FUNCTIONS[node.func](arg)
            if node.func in _FUNCTIONS:
                return _FUNCTIONS[node.func](*kids)
            if isinstance(node, sp.Float):
                return mpmath.mpf(node._mpf_)
            raise InvalidArgument("expr", node, "no mpmath evaluation for this node",
                                  "expand unevaluated kernel maps with .doit() first")

        value = dag_fold(sp.sympify(expr), combine)
    with mpmath.workdps(dps):
        return +value
