"""The limit-kernel recursion of a pruned network, as SymPy expressions.

With ``s_h = r_h**2 q_h`` (q_h for plain pruning, 1 when rescaled or unmasked) and
the dual maps V, V-dot of :mod:`theory.closed_forms`::

    K^(1) = s_1 x.x',                 Theta_f^(1) = K^(1)
    Sigma^(h) = V(K^(h)),  Sigma-dot^(h) = V-dot(K^(h)),              h = 1..L
    K^(h+1) = s_{h+1} Sigma^(h),      Theta_f^(h+1) = s_{h+1} (Sigma^(h) + Sigma-dot^(h) Theta_f^(h))
    NTK = Theta_f^(L+1),              NNGP = K^(L+1)

V and V-dot act on the entries (K(x,x), K(x',x'), K(x,x')); every quantity is kept
as such a triple (:class:`KernelEntries`).  With all s_h = 1 this is the dense
recursion of Arora et al. (2019).

**Masked first layer.**  Using s_1 for a masked first layer is the *mean-field*
treatment, exact only as the input dimension d0 grows with delocalised inputs;
at fixed d0 the exact limit averages the dual maps over the first-layer mask
(computed elsewhere).  :attr:`SymbolicKernel.mean_field_first_layer` flags it.

SymPy shares repeated subexpressions, so a depth-L kernel has O(L) distinct nodes
although its printed tree grows about 3x per layer; ReLU diagonals stay monomials
because ``V_relu(a, a, a)`` evaluates to ``a`` for positive ``a``.

>>> from theory.config import Architecture
>>> k = symbolic_kernel(Architecture.pruned(depth=2, keep_prob="1/2"), keep_prob_symbols=True)
>>> k.scale_factor, k.cov[2].xx
(q**2, q**2*xx)
>>> mpmath.nstr(evaluate(k, 1, 1, "1/2", keep_probs={"q": "1/2"}).ntk, 15)
'0.337869890280871'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, NamedTuple, Sequence

import mpmath
import sympy as sp

from .._errors import InvalidArgument, check_dps
from ..closed_forms import V_sym, Vdot_sym
from ..config import Architecture
from ._dag import dag_fold, dag_free_symbols, dag_size, evaluate_mp, to_mpf, tree_size
from .maps import NTK, Cov, NNGPMap, Sigma, SigmaDot, Theta, point_symbols
from .maps import dual_maps as _map_classes

__all__ = ["KernelEntries", "SymbolicKernel", "KernelValues", "symbolic_kernel", "evaluate",
           "numeric_kernel", "expand_maps", "input_symbols", "keep_prob_symbol", "INPUT_LATEX"]


class KernelEntries(NamedTuple):
    """A kernel on the pair (x, x'): its entries at (x, x), (x', x') and (x, x')."""

    xx: sp.Expr
    yy: sp.Expr
    xy: sp.Expr


def input_symbols() -> KernelEntries:
    """(xx, yy, xy) = (|x|^2, |x'|^2, x.x'): two positive symbols and a real one.

    >>> input_symbols()
    KernelEntries(xx=xx, yy=yy, xy=xy)
    """
    return KernelEntries(sp.Symbol("xx", positive=True), sp.Symbol("yy", positive=True),
                         sp.Symbol("xy", real=True))


INPUT_LATEX = dict(zip(input_symbols(), (r"\lVert x\rVert^{2}", r"\lVert x'\rVert^{2}",
                                         r"x \cdot x'")))
"""``symbol_names`` for :func:`sympy.latex` that print the input symbols as norms and dot product."""


def keep_prob_symbol(layer: int | None = None) -> sp.Symbol:
    """The positive symbol ``q`` (uniform keep probability) or ``q_h`` for layer ``layer``.

    >>> keep_prob_symbol(), keep_prob_symbol(3), keep_prob_symbol().is_positive
    (q, q_3, True)
    """
    return sp.Symbol("q" if layer is None else f"q_{int(layer)}", positive=True)


@dataclass(frozen=True, repr=False)
class SymbolicKernel:
    """Per-layer limit kernels of one architecture, as SymPy expressions.

    Tuples are indexed from 0: ``cov[h-1]`` is K^(h) (h = 1..L+1), ``sigma[h-1]`` and
    ``sigma_dot[h-1]`` are Sigma^(h), Sigma-dot^(h) (h = 1..L), ``theta[h-1]`` is
    Theta_f^(h) (h = 1..L+1).  ``ntk`` = Theta_f^(L+1)(x, x'), ``nngp`` = K^(L+1)(x, x'),
    ``scale_factor`` = prod_h s_h.  ``maps`` names the dual maps used:
    ``"closed"``, ``"unevaluated"``, ``"generic"`` or ``"custom"``.
    """

    architecture: Architecture
    maps: str
    inputs: KernelEntries
    keep_probs: tuple[sp.Expr, ...]
    layer_scales: tuple[sp.Expr, ...]
    cov: tuple[KernelEntries, ...]
    sigma: tuple[KernelEntries, ...]
    sigma_dot: tuple[KernelEntries, ...]
    theta: tuple[KernelEntries, ...]
    ntk: sp.Expr
    nngp: sp.Expr
    scale_factor: sp.Expr
    mean_field_first_layer: bool
    _map_pair: tuple = field(default=(), compare=False)

    @property
    def depth(self) -> int:
        return self.architecture.depth

    def __repr__(self) -> str:  # the expressions themselves can have millions of tree nodes
        return (f"SymbolicKernel({self.architecture.describe()}; maps={self.maps!r}, "
                f"scale_factor={self.scale_factor}, ntk: {dag_size(self.ntk)} distinct nodes)")

    def sizes(self) -> dict[str, int]:
        """Distinct nodes (DAG) and tree nodes of the NTK expression."""
        return {"dag_nodes": dag_size(self.ntk), "tree_nodes": tree_size(self.ntk)}

    def equations(self) -> tuple[sp.Eq, ...]:
        r"""The recursion in layer notation (:mod:`theory.symbolic.maps`), for display.

        >>> arch = Architecture.pruned(depth=1, keep_prob="1/2")
        >>> k = symbolic_kernel(arch, keep_prob_symbols=True)
        >>> eqs = k.equations()
        >>> eqs[0], eqs[2]
        (Eq(Cov(1, x, x'), xy), Eq(Sigma(1, x, x'), ReluNNGP(Cov(1, x, x), Cov(1, x', x'), Cov(1, x, x'))))
        >>> print(sp.latex(eqs[-2]))
        \Theta_{f}^{(2)}\left(x, x'\right) = q \left(\Sigma^{(1)}\left(x, x'\right) + \dot{\Sigma}^{(1)}\left(x, x'\right) \Theta_{f}^{(1)}\left(x, x'\right)\right)
        """
        x, xp = point_symbols()
        V, Vdot = self._map_pair
        s = self.layer_scales
        eqs = [sp.Eq(Cov(1, x, xp), s[0] * self.inputs.xy, evaluate=False),
               sp.Eq(Theta(1, x, xp), Cov(1, x, xp), evaluate=False)]
        for h in range(1, self.depth + 1):
            args = (Cov(h, x, x), Cov(h, xp, xp), Cov(h, x, xp))
            eqs += [sp.Eq(Sigma(h, x, xp), V(*args), evaluate=False),
                    sp.Eq(SigmaDot(h, x, xp), Vdot(*args), evaluate=False),
                    sp.Eq(Cov(h + 1, x, xp), s[h] * Sigma(h, x, xp), evaluate=False),
                    sp.Eq(Theta(h + 1, x, xp),
                          s[h] * (Sigma(h, x, xp) + SigmaDot(h, x, xp) * Theta(h, x, xp)),
                          evaluate=False)]
        eqs.append(sp.Eq(NTK(self.depth, x, xp), Theta(self.depth + 1, x, xp), evaluate=False))
        return tuple(eqs)


def _keep_prob_exprs(arch: Architecture, keep_prob_symbols) -> tuple[sp.Expr, ...]:
    numeric = [sp.Rational(q.numerator, q.denominator) for q in arch.keep_probs]
    masked = arch.masked_layers
    if keep_prob_symbols is False or keep_prob_symbols is None:
        return tuple(numeric)
    if keep_prob_symbols is True or keep_prob_symbols == "uniform":
        values = {arch.keep_probs[h - 1] for h in masked}
        if len(values) > 1:
            raise InvalidArgument("keep_prob_symbols", keep_prob_symbols,
                                  "the masked layers have different keep probabilities",
                                  'use "per_layer" or a mapping {layer: symbol}')
        return tuple(keep_prob_symbol() if h in masked else n for h, n in enumerate(numeric, 1))
    if keep_prob_symbols == "per_layer":
        return tuple(keep_prob_symbol(h) if h in masked else n for h, n in enumerate(numeric, 1))
    if isinstance(keep_prob_symbols, Mapping):
        bad = [h for h in keep_prob_symbols if h not in masked]
        if bad:
            raise InvalidArgument("keep_prob_symbols", dict(keep_prob_symbols),
                                  f"layer {bad[0]} is not masked",
                                  f"give keep probabilities for masked layers {list(masked)} only")
        return tuple(sp.sympify(keep_prob_symbols.get(h, n)) for h, n in enumerate(numeric, 1))
    raise InvalidArgument("keep_prob_symbols", keep_prob_symbols, "unknown choice",
                          'pass False, True (same as "uniform"), "per_layer" or {layer: expr}')


def _choose_maps(arch: Architecture, dual_maps) -> tuple[str, Callable, Callable, tuple]:
    act = arch.activation
    if dual_maps is None or dual_maps == "closed":
        shown = _map_classes(act)
        return ("closed", lambda *k: V_sym(act, *k), lambda *k: Vdot_sym(act, *k), shown)
    if dual_maps == "unevaluated":
        V, Vdot = _map_classes(act)
        return "unevaluated", V, Vdot, (V, Vdot)
    if dual_maps == "generic":
        V, Vdot = _map_classes(None)
        return "generic", V, Vdot, (V, Vdot)
    if isinstance(dual_maps, Sequence) and len(dual_maps) == 2 and all(map(callable, dual_maps)):
        return "custom", dual_maps[0], dual_maps[1], tuple(dual_maps)
    raise InvalidArgument("dual_maps", dual_maps, "unknown dual maps",
                          'pass None, "unevaluated", "generic" or a pair (V, Vdot) of callables')


def symbolic_kernel(arch: Architecture, keep_prob_symbols: bool | str | Mapping = False,
                    inputs: Sequence | None = None, dual_maps=None) -> SymbolicKernel:
    """Build the pruned recursion for ``arch`` symbolically.

    Parameters
    ----------
    arch : Architecture
        Depth, per-layer keep probabilities, masked layers, rescaling, activation.
    keep_prob_symbols : False, True, "uniform", "per_layer" or mapping
        False: the exact keep probabilities of ``arch``.  True / "uniform": one
        positive symbol ``q`` for every masked layer (they must share a value).
        "per_layer": a positive symbol ``q_h`` per masked layer.  A mapping
        {layer: expression} sets chosen masked layers.  Rescaling uses
        ``r_h = 1/sqrt(q_h)``, so ``s_h = r_h**2 q_h`` is 1 identically.
    inputs : (xx, yy, xy), optional
        Expressions for |x|^2, |x'|^2, x.x' (default :func:`input_symbols`).
    dual_maps : None, "unevaluated", "generic" or (V, Vdot)
        None: closed forms of ``arch.activation``; "unevaluated": the activation's
        :class:`~theory.symbolic.maps.NNGPMap` classes (expand with :func:`expand_maps`);
        "generic": maps of an unspecified activation; or two callables, e.g.
        ``(sympy.Function("V"), sympy.Function("Vdot"))`` (``arch.activation`` is then unused).
    """
    if not isinstance(arch, Architecture):
        raise InvalidArgument("arch", arch, "not an Architecture",
                              "build one with Architecture.pruned(depth, keep_prob)")
    if inputs is None:
        inputs = input_symbols()
    elif isinstance(inputs, str) or len(inputs) != 3:
        raise InvalidArgument("inputs", inputs, "need three entries",
                              "pass (|x|^2, |x'|^2, x.x') or None for symbols")
    inputs = KernelEntries(*(sp.sympify(v) for v in inputs))
    qs = _keep_prob_exprs(arch, keep_prob_symbols)
    if arch.rescale:
        scales = tuple((1 / sp.sqrt(q)) ** 2 * q if h in arch.masked_layers else sp.Integer(1)
                       for h, q in enumerate(qs, 1))
    else:
        scales = qs
    label, V, Vdot, shown = _choose_maps(arch, dual_maps)

    def apply(f, k: KernelEntries) -> KernelEntries:
        return KernelEntries(f(k.xx, k.xx, k.xx), f(k.yy, k.yy, k.yy), f(k.xx, k.yy, k.xy))

    cov = [KernelEntries(*(scales[0] * v for v in inputs))]
    theta = [cov[0]]
    sigma, sigma_dot = [], []
    for h in range(1, arch.depth + 1):
        s = scales[h]
        sig, sig_dot = apply(V, cov[-1]), apply(Vdot, cov[-1])
        sigma.append(sig)
        sigma_dot.append(sig_dot)
        cov.append(KernelEntries(*(s * v for v in sig)))
        theta.append(KernelEntries(*(s * (sv + dv * tv) for sv, dv, tv in zip(sig, sig_dot, theta[-1]))))
    scale_factor = sp.Mul(*scales)
    mean_field = 1 in arch.masked_layers and qs[0] != 1
    return SymbolicKernel(arch, label, inputs, qs, scales, tuple(cov), tuple(sigma),
                          tuple(sigma_dot), tuple(theta), theta[-1].xy, cov[-1].xy, scale_factor,
                          mean_field, shown)


def expand_maps(expr: sp.Expr) -> sp.Expr:
    """Replace every unevaluated ReLU/erf map by its closed form, once per distinct node.

    >>> from theory.symbolic.maps import ReluNNGP
    >>> a = sp.Symbol("a", positive=True)
    >>> expand_maps(ReluNNGP(a, a, a) + 1)
    a + 1
    """
    def combine(node, kids):
        rebuilt = node.func(*kids) if kids and any(k is not a for k, a in zip(kids, node.args)) else node
        if isinstance(rebuilt, NNGPMap):
            return rebuilt.doit(deep=False)
        return rebuilt

    return dag_fold(expr, combine)


class KernelValues(NamedTuple):
    """NTK and NNGP values Theta(x, x') and K^(L+1)(x, x') (mpmath numbers)."""

    ntk: mpmath.mpf
    nngp: mpmath.mpf


def _check_inputs(xx, yy, xy, dps: int):
    with mpmath.workdps(dps + 10):
        vals = tuple(to_mpf(v) for v in (xx, yy, xy))
        if vals[0] <= 0 or vals[1] <= 0:
            raise InvalidArgument("xx" if vals[0] <= 0 else "yy", vals[0] if vals[0] <= 0 else vals[1],
                                  "squared norms must be positive", "pass nonzero inputs")
        if vals[2] ** 2 > vals[0] * vals[1] * (1 + mpmath.mpf(10) ** -dps):
            raise InvalidArgument("xy", xy, "violates Cauchy-Schwarz, xy^2 <= xx yy",
                                  "pass the dot product of two actual vectors")
    return vals


def evaluate(kernel: SymbolicKernel, xx, yy, xy, dps: int = 50,
             keep_probs: Mapping | None = None, entry: str = "xy") -> KernelValues:
    """Evaluate ``kernel`` at inputs with mpmath (``dps`` digits), walking its DAG once.

    ``keep_probs`` gives values for keep-probability symbols, keyed by symbol or name.
    ``entry`` picks the kernel entry: ``"xy"`` (x, x'), ``"xx"`` (x, x) or ``"yy"``.
    For x = x' prefer ``entry="xx"``: at exactly collinear inputs (xy^2 = xx yy) the
    off-diagonal ReLU closed form sits on the square-root singularity of the
    arc-cosine kernel, and rounding errors grow to about the square root of the
    working precision with each layer.  Generic or custom dual maps are refused.
    """
    dps = check_dps(dps)
    if kernel.maps in ("generic", "custom"):
        raise InvalidArgument("kernel", kernel.maps, "its dual maps have no numeric value",
                              "build the kernel with closed-form or unevaluated maps")
    if entry not in KernelEntries._fields:
        raise InvalidArgument("entry", entry, "unknown kernel entry", "choose xy, xx or yy")
    values = dict(zip(kernel.inputs, _check_inputs(xx, yy, xy, dps)))
    values = {k: v for k, v in values.items() if isinstance(k, sp.Symbol)}
    for key, value in (keep_probs or {}).items():
        values[sp.Symbol(key, positive=True) if isinstance(key, str) else key] = value
    exprs = (getattr(kernel.theta[-1], entry), getattr(kernel.cov[-1], entry))
    if kernel.maps == "unevaluated":
        exprs = tuple(expand_maps(e) for e in exprs)
    free = set().union(*(dag_free_symbols(e) for e in exprs))
    if free - set(values):
        missing = sorted(map(str, free - set(values)))
        raise InvalidArgument("keep_probs", keep_probs, f"no value for {', '.join(missing)}",
                              "pass keep_probs={'q': value} for each keep-probability symbol")
    return KernelValues(*(evaluate_mp(e, values, dps) for e in exprs))


def numeric_kernel(arch: Architecture, xx, yy, xy, dps: int = 50) -> KernelValues:
    """The same recursion in plain mpmath, without SymPy (delegates to
    :func:`theory.kernels.mp.limit_kernel_entries_mp`, adaptive working precision).

    An independent route to check :func:`evaluate` against.

    >>> arch = Architecture.pruned(depth=2, keep_prob="1/2")
    >>> mpmath.nstr(numeric_kernel(arch, 1, 1, "1/2").ntk, 15)
    '0.337869890280871'
    """
    from ..kernels.mp import limit_kernel_entries_mp

    _check_inputs(xx, yy, xy, check_dps(dps))
    k = limit_kernel_entries_mp(arch, xx, yy, xy, dps=dps)
    return KernelValues(k.ntk, k.nngp)
