"""Unevaluated SymPy objects for the kernel recursion, with LaTeX printing.

Two families:

* **Dual maps** acting on a 2x2 covariance ``(a, b, c) = (K(x,x), K(x',x'), K(x,x'))``:
  :class:`NNGPMap` (V, giving Sigma) and :class:`DerivMap` (V-dot, giving
  Sigma-dot).  The bare classes stand for a generic activation and never
  evaluate; the subclasses :class:`ReluNNGP`, :class:`ReluDeriv`,
  :class:`ErfNNGP`, :class:`ErfDeriv` stay unevaluated until ``.doit()``, which
  expands them to the closed forms of :mod:`theory.closed_forms`.
  Differentiating V with respect to ``c`` gives V-dot (Price's theorem).
* **Layer notation** ``Cov(h, x, y)`` (K^(h)), ``Sigma``, ``SigmaDot``,
  ``Theta`` (NTK of the layer-h pre-activations, Theta_f^(h)) and ``NTK``
  (the network NTK Theta^(L) of L hidden layers, equal to Theta_f^(L+1)), plus
  ``Dense...`` twins for the unpruned network.  They are names only: ``.doit()``
  leaves them as they are; :mod:`theory.symbolic.recursion` gives their values.

>>> a, b = sp.symbols("a b", positive=True); c = sp.Symbol("c", real=True)
>>> sp.latex(ReluNNGP(a, b, c))
'\\\\mathcal{V}_{\\\\mathrm{relu}}\\\\left(a, b, c\\\\right)'
>>> ReluDeriv(a, a, a).doit()
1
>>> NNGPMap(a, b, c).diff(c)
DerivMap(a, b, c)
>>> x, xp = point_symbols()
>>> sp.latex(Sigma(2, x, xp)), sp.latex(NTK(3))
("\\\\Sigma^{(2)}\\\\left(x, x'\\\\right)", '\\\\Theta^{(3)}')
"""

from __future__ import annotations

import sympy as sp

from .._errors import InvalidArgument
from ..closed_forms import V_sym, Vdot_sym

__all__ = [
    "NNGPMap", "DerivMap", "ReluNNGP", "ReluDeriv", "ErfNNGP", "ErfDeriv", "dual_maps",
    "LayerKernel", "Cov", "Sigma", "SigmaDot", "Theta", "NTK",
    "DenseCov", "DenseSigma", "DenseSigmaDot", "DenseTheta", "DenseNTK", "point_symbols",
]


# --------------------------------------------------------------------- dual maps
class NNGPMap(sp.Function):
    """V(a, b, c) = c_sigma E[sigma(u) sigma(v)], (u, v) ~ N(0, [[a, c], [c, b]]).

    The bare class is the map of an unspecified activation: it never evaluates.
    Its derivative in ``c`` is :class:`DerivMap` (Price's theorem).
    """

    nargs = 3
    activation: str | None = None
    _letter = r"\mathcal{V}"

    @classmethod
    def eval(cls, a, b, c):
        return None  # stay unevaluated; .doit() expands

    def doit(self, deep: bool = True, **hints) -> sp.Expr:
        args = [arg.doit(deep=deep, **hints) for arg in self.args] if deep else list(self.args)
        if self.activation is None:
            return self.func(*args)
        return self._closed_form(self.activation, *args)

    @staticmethod
    def _closed_form(activation, a, b, c):
        return V_sym(activation, a, b, c)

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        if argindex == 3:
            return _DERIVATIVE_OF[type(self)](*self.args)
        return super().fdiff(argindex)

    def _latex(self, printer, exp=None) -> str:
        name = self._letter
        if self.activation is not None:
            name += r"_{\mathrm{%s}}" % self.activation
        text = name + r"\left(%s\right)" % ", ".join(printer._print(arg) for arg in self.args)
        return text if exp is None else r"%s^{%s}" % (text, exp)


class DerivMap(NNGPMap):
    """V-dot(a, b, c) = c_sigma E[sigma'(u) sigma'(v)]; bare class: generic activation."""

    _letter = r"\dot{\mathcal{V}}"

    @staticmethod
    def _closed_form(activation, a, b, c):
        return Vdot_sym(activation, a, b, c)

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sp.Function.fdiff(self, argindex)


class ReluNNGP(NNGPMap):
    """ReLU's V: the arc-cosine kernel of degree 1 after ``.doit()``."""

    activation = "relu"


class ReluDeriv(DerivMap):
    """ReLU's V-dot: (pi - theta)/pi after ``.doit()``."""

    activation = "relu"


class ErfNNGP(NNGPMap):
    """erf's V: the arcsine kernel after ``.doit()``."""

    activation = "erf"


class ErfDeriv(DerivMap):
    """erf's V-dot after ``.doit()``."""

    activation = "erf"


_DERIVATIVE_OF = {NNGPMap: DerivMap, ReluNNGP: ReluDeriv, ErfNNGP: ErfDeriv}
_MAPS = {None: (NNGPMap, DerivMap), "relu": (ReluNNGP, ReluDeriv), "erf": (ErfNNGP, ErfDeriv)}


def dual_maps(activation: str | None) -> tuple[type[NNGPMap], type[DerivMap]]:
    """The unevaluated (V, V-dot) classes of ``activation`` (``None``: generic).

    >>> dual_maps("erf")
    (ErfNNGP, ErfDeriv)
    """
    if activation not in _MAPS:
        raise InvalidArgument("activation", activation, "unknown activation",
                              "choose relu, erf, or None for a generic activation")
    return _MAPS[activation]


# -------------------------------------------------------------- layer notation
class LayerKernel(sp.Function):
    """Base of the layer-indexed names ``Name(h)`` or ``Name(h, x, y)``.

    Printed ``\\Name^{(h)}(x, y)`` in LaTeX; never evaluates (a name, not a value).
    """

    nargs = (1, 3)
    _symbol = "?"

    @classmethod
    def eval(cls, *args):
        return None

    def doit(self, deep: bool = True, **hints) -> sp.Expr:
        return self

    def _latex(self, printer, exp=None) -> str:
        layer, *points = self.args
        text = r"%s^{(%s)}" % (self._symbol, printer._print(layer))
        if points:
            text += r"\left(%s\right)" % ", ".join(printer._print(p) for p in points)
        return text if exp is None else r"\left(%s\right)^{%s}" % (text, exp)


class Cov(LayerKernel):
    """K^(h): covariance of the layer-h pre-activations of the pruned network."""

    _symbol = "K"


class Sigma(LayerKernel):
    """Sigma^(h) = V(K^(h)): covariance of the layer-h activations."""

    _symbol = r"\Sigma"


class SigmaDot(LayerKernel):
    """Sigma-dot^(h) = V-dot(K^(h))."""

    _symbol = r"\dot{\Sigma}"


class Theta(LayerKernel):
    """Theta_f^(h): NTK of the layer-h pre-activations (the NTK is Theta_f^(L+1))."""

    _symbol = r"\Theta_{f}"


class NTK(LayerKernel):
    """Theta^(L): the NTK of the network with L hidden layers."""

    _symbol = r"\Theta"


class DenseCov(LayerKernel):
    """K_d^(h): the same covariance in the dense (unpruned) network."""

    _symbol = r"K_{\mathrm{d}}"


class DenseSigma(LayerKernel):
    """Sigma_d^(h) of the dense network."""

    _symbol = r"\Sigma_{\mathrm{d}}"


class DenseSigmaDot(LayerKernel):
    """Sigma-dot_d^(h) of the dense network."""

    _symbol = r"\dot{\Sigma}_{\mathrm{d}}"


class DenseTheta(LayerKernel):
    """Theta_{f,d}^(h): pre-activation NTK of the dense network."""

    _symbol = r"\Theta_{f,\mathrm{d}}"


class DenseNTK(LayerKernel):
    """Theta_d^(L): the NTK of the dense network (Arora et al. 2019)."""

    _symbol = r"\Theta_{\mathrm{d}}"


def point_symbols() -> tuple[sp.Symbol, sp.Symbol]:
    """The two input points ``x`` and ``x'`` as symbols, for the layer notation.

    >>> point_symbols()
    (x, x')
    """
    return sp.Symbol("x"), sp.Symbol("x'")
