"""Growth exponents of an expression: SymPy limits first, mpmath at huge arguments second.

``power_exponent(f, v, toward)`` is the leading power of f in x, where x = 1/v
for ``toward="0"`` (v -> 0+) and x = v for ``toward="oo"``:

    lim_{x -> oo} log f / log x        (polylogarithmic factors give 0)

and ``log_exponent`` is lim log f / log log x: finite exactly when f is at most
polylogarithmic in x (the log-power degree), infinite for any power.  Both hold
every other symbol fixed: SymPy keeps them as positive symbols; the numeric
fallback fixes them at :data:`REFERENCE` values and reads the slope of log f off
mpmath evaluations at x = 10^50, 10^100, 10^200 (10^10, 10^1000, 10^100000 for
log exponents), where polylogarithmic corrections are below 0.01.

>>> import sympy as sp
>>> eps, L, delta = sp.symbols("eps L delta", positive=True)
>>> power_exponent(L**6 / eps**4 * sp.log(L / delta), eps, "0").value
4.0
>>> log_exponent(sp.log(1 / eps)**3, eps, "0").value
3.0
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass

import mpmath
import sympy as sp

from ..verdict import jsonable

__all__ = ["Exponent", "power_exponent", "log_exponent", "nested_q_exponent", "time_limit",
           "SympyTimeout", "REFERENCE", "SYMPY_SECONDS"]

REFERENCE = {"eps": "0.1", "delta": "0.1", "L": "2", "q": "0.5"}   # fixed values, numeric path
SYMPY_SECONDS = 10.0     # time limit of one SymPy limit (where a timer is available)


class SympyTimeout(Exception):
    """A SymPy computation ran past :data:`SYMPY_SECONDS`."""


@contextmanager
def time_limit(seconds: float):
    """Raise SympyTimeout after ``seconds`` (main thread with SIGALRM only; else no limit)."""
    usable = hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()
    if not usable or signal.getitimer(signal.ITIMER_REAL)[0] > 0:
        yield
        return

    def _expire(signum, frame):
        raise SympyTimeout

    previous = signal.signal(signal.SIGALRM, _expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass(frozen=True)
class Exponent:
    """A growth exponent: ``value`` (float, +-inf, or None if undetermined), ``exact``
    (SymPy's answer as text, e.g. "4", "oo", "L"), ``method`` and ``definition``."""

    variable: str
    value: float | None
    exact: str | None
    method: str
    definition: str

    @property
    def symbolic(self) -> bool:
        return self.method == "symbolic limit"

    def to_json(self) -> dict:
        return jsonable(self._json())

    def _json(self) -> dict:
        return {"variable": self.variable, "value": self.value, "exact": self.exact,
                "method": self.method, "definition": self.definition}


def _as_value(result: sp.Basic) -> tuple[float | None, str] | None:
    """(float value, text) of a SymPy limit, or None when it is not a definite number."""
    if isinstance(result, sp.Limit) or result.has(sp.Limit, sp.AccumBounds, sp.nan, sp.zoo):
        return None
    if result == sp.oo:
        return float("inf"), "oo"
    if result == -sp.oo:
        return float("-inf"), "-oo"
    if result.is_number and result.is_real:
        return float(result), str(result)
    if result.free_symbols and result.is_real is not False:
        return None, str(result)            # depends on the other symbols
    return None


def _sympy_limit(expr: sp.Expr, x: sp.Symbol):
    try:
        with time_limit(SYMPY_SECONDS):
            return _as_value(sp.limit(expr, x, sp.oo))
    except (SympyTimeout, NotImplementedError, ValueError, TypeError, ZeroDivisionError,
            RecursionError, AttributeError, KeyError, IndexError):
        return None


def _others_fixed(f: sp.Expr, keep: set, reference: dict) -> sp.Expr:
    subs = {s: sp.Rational(reference[s.name]) for s in f.free_symbols
            if s not in keep and s.name in reference}
    return f.xreplace(subs)


def _log_abs(f: sp.Expr, x: sp.Symbol, xs: list) -> list | None:
    """log|f(x)| at the given x (mpmath, 30 digits) or None if any is not finite/non-zero."""
    fn = sp.lambdify(x, f, modules="mpmath")
    out = []
    with mpmath.workdps(30):
        for value in xs:
            try:
                y = fn(value)
                y = abs(mpmath.mpmathify(y))
            except (ValueError, TypeError, ZeroDivisionError, OverflowError):
                return None
            if not mpmath.isfinite(y) or y == 0:
                return None
            out.append(mpmath.log(y))
    return out


def _numeric_slope(f: sp.Expr, x: sp.Symbol, scales: list, transform) -> tuple | None:
    """Slopes of log|f| against transform(x) between consecutive scales."""
    if f.free_symbols - {x}:
        return None
    xs = [mpmath.mpf(10) ** k for k in scales]
    logs = _log_abs(f, x, xs)
    if logs is None:
        return None
    ts = [transform(v) for v in xs]
    return tuple(float((logs[i + 1] - logs[i]) / (ts[i + 1] - ts[i])) for i in range(len(xs) - 1))


def _reference_text(v: sp.Symbol, reference: dict) -> str:
    return ", ".join(f"{k}={val}" for k, val in reference.items() if k != v.name)


def _at_reference(text: str, reference: dict) -> float | None:
    expr = sp.sympify(text)
    value = expr.xreplace({s: sp.Rational(reference[s.name]) for s in expr.free_symbols
                           if s.name in reference})
    return float(value) if value.is_number and value.is_real else None


def _dependent(name: str, text: str, v: sp.Symbol, reference: dict, definition: str):
    """An exponent SymPy found as a formula in the other variables: its value at the
    reference point, the formula kept as ``exact``."""
    return Exponent(name, _at_reference(text, reference), text,
                    "symbolic limit (depends on the other variables; value at "
                    + _reference_text(v, reference) + ")", definition)


def _substituted(f: sp.Expr, v: sp.Symbol, toward: str, x: sp.Symbol) -> sp.Expr:
    return f.xreplace({v: (1 / x) if toward == "0" else x})


def power_exponent(f: sp.Expr, v: sp.Symbol, toward: str, *, name: str | None = None,
                   reference: dict = REFERENCE) -> Exponent:
    """lim log f / log x with x = 1/v (``toward="0"``) or x = v (``toward="oo"``)."""
    name = name or (f"1/{v.name}" if toward == "0" else v.name)
    definition = f"lim log N / log {name} as {name} -> oo, other variables fixed"
    if v not in f.free_symbols:
        return Exponent(name, 0.0, "0", "symbolic limit", definition)
    x = sp.Symbol("x", positive=True)
    g = _substituted(f, v, toward, x)
    got = _sympy_limit(sp.log(g) / sp.log(x), x)
    if got is not None and got[0] is not None:
        return Exponent(name, got[0], got[1], "symbolic limit", definition)
    if got is not None:                       # a formula in the other symbols
        return _dependent(name, got[1], v, reference, definition)
    slopes = _numeric_slope(_others_fixed(g, {x}, reference), x, [50, 100, 200], mpmath.log)
    fixed = _reference_text(v, reference)
    if slopes is None:
        reason = "SymPy could not take the limit and the numeric fallback failed"
        return Exponent(name, None, None if got is None else got[1], f"undetermined: {reason}",
                        definition)
    s1, s2 = slopes
    if abs(s2) > 1e3 and abs(s2) > 10 * max(abs(s1), 1.0):
        value, exact = (float("inf") if s2 > 0 else float("-inf")), None
    elif abs(s2 - s1) <= 0.05:
        value, exact = round(s2, 3), None
    else:
        return Exponent(name, None, None, "undetermined: numeric slopes did not settle "
                        f"({s1:.3g}, {s2:.3g})", definition)
    return Exponent(name, value, exact, f"numeric (mpmath slope at {name} = 1e100..1e200; "
                    f"{fixed})", definition)


def log_exponent(f: sp.Expr, v: sp.Symbol, toward: str, *, name: str | None = None,
                 reference: dict = REFERENCE) -> Exponent:
    """lim log f / log log x (x as in :func:`power_exponent`): finite iff f is polylogarithmic."""
    name = name or (f"1/{v.name}" if toward == "0" else v.name)
    definition = f"lim log N / log log {name} as {name} -> oo, other variables fixed"
    if v not in f.free_symbols:
        return Exponent(name, 0.0, "0", "symbolic limit", definition)
    x = sp.Symbol("x", positive=True)
    g = _substituted(f, v, toward, x)
    got = _sympy_limit(sp.log(g) / sp.log(sp.log(x)), x)
    if got is not None and got[0] is not None:
        return Exponent(name, got[0], got[1], "symbolic limit", definition)
    if got is not None:
        return _dependent(name, got[1], v, reference, definition)
    slopes = _numeric_slope(_others_fixed(g, {x}, reference), x, [10, 1000, 100000],
                            lambda t: mpmath.log(mpmath.log(t)))
    if slopes is None:
        return Exponent(name, None, None, "undetermined: SymPy and the numeric fallback "
                        "both failed", definition)
    s1, s2 = slopes
    method = f"numeric (mpmath slope at {name} = 1e10..1e100000; heuristic)"
    if abs(s2) > 1e3:
        return Exponent(name, float("inf") if s2 > 0 else float("-inf"), None, method,
                        definition)
    if abs(s2) < 50 and abs(s2 - s1) < 1:
        return Exponent(name, round(s2, 3), None, method, definition)
    return Exponent(name, None, None, f"undetermined: numeric slopes ({s1:.3g}, {s2:.3g})",
                    definition)


def nested_q_exponent(f: sp.Expr, eps: sp.Symbol, q: sp.Symbol, *,
                      reference: dict = REFERENCE) -> Exponent:
    """The exponent of 1/q in the eps -> 0 limit:

        rho(q) = lim_{eps -> 0+} N(eps, q) / N(eps, 1),
        exponent = lim_{q -> 0+} log rho / log(1/q)

    (eps -> 0 first, as in "linear in the sparsity parameter as the gap goes to 0")."""
    name = f"1/{q.name}"
    definition = (f"lim_{{{q.name}->0}} log rho / log(1/{q.name}) with rho = "
                  f"lim_{{eps->0}} N(eps,{q.name}) / N(eps,1)")
    if q not in f.free_symbols:
        return Exponent(name, 0.0, "0", "symbolic limit", definition)
    ratio = f / f.xreplace({q: sp.Integer(1)})
    rho = None
    try:
        with time_limit(SYMPY_SECONDS):
            rho = sp.limit(ratio, eps, 0, "+")
    except (SympyTimeout, NotImplementedError, ValueError, TypeError, ZeroDivisionError,
            RecursionError, AttributeError, KeyError, IndexError):
        rho = None
    if rho is not None and not rho.has(sp.Limit, sp.AccumBounds, sp.nan) and eps not in \
            rho.free_symbols:
        if rho in (sp.oo, sp.zoo) or rho == 0:
            value = float("inf") if rho != 0 else float("-inf")
            return Exponent(name, value, "oo" if rho != 0 else "-oo", "symbolic limit",
                            definition + f" (rho = {rho} for q < 1)")
        out = power_exponent(rho, q, "0", name=name, reference=reference)
        return Exponent(name, out.value, out.exact, out.method, definition)
    # Numeric: eps = 10^-1000000 stands for eps -> 0, then q = 10^-50, 10^-100.
    g = _others_fixed(ratio, {eps, q}, reference)
    if g.free_symbols - {eps, q}:
        return Exponent(name, None, None, "undetermined", definition)
    fn = sp.lambdify((eps, q), g, modules="mpmath")
    try:
        with mpmath.workdps(30):
            tiny = mpmath.mpf(10) ** -1000000
            logs = [mpmath.log(abs(mpmath.mpmathify(fn(tiny, mpmath.mpf(10) ** -k))))
                    for k in (25, 50, 100)]
    except (ValueError, TypeError, ZeroDivisionError, OverflowError):
        return Exponent(name, None, None, "undetermined: numeric evaluation failed", definition)
    ln10 = float(mpmath.log(10))
    s1 = float(logs[1] - logs[0]) / (25 * ln10)
    s2 = float(logs[2] - logs[1]) / (50 * ln10)
    if abs(s2 - s1) > 0.05:
        return Exponent(name, None, None, f"undetermined: numeric slopes ({s1:.3g}, {s2:.3g})",
                        definition)
    return Exponent(name, round(s2, 3), None, "numeric (mpmath: eps = 1e-1000000, "
                    "q = 1e-50..1e-100; heuristic)", definition)
