"""Lazy public surfaces: a package names what it exports and imports each on first use.

``pntk --help`` and ``import theory`` must not pay for SymPy, SciPy or matplotlib
unless a command needs them, so every package ``__init__`` declares its public
names as a table ``{name: submodule}`` and hands it to :func:`lazy_exports`, which
returns the module-level ``__getattr__`` and ``__dir__`` (PEP 562) and ``__all__``.

>>> getattr_, dir_, all_ = lazy_exports("theory", {"Architecture": "config"})
>>> all_, getattr_("Architecture").__name__
(['Architecture'], 'Architecture')
"""

from __future__ import annotations

import importlib
import sys

__all__ = ["lazy_exports"]


def lazy_exports(package: str, exports: dict[str, str]):
    """(``__getattr__``, ``__dir__``, ``__all__``) for ``package`` exporting ``exports``.

    ``exports`` maps each public name to the submodule (relative to ``package``) that
    defines it, or to ``"submodule:attribute"`` when the public name is an alias.  A
    name is imported on first access and then cached in the package.
    """
    names = sorted(exports)

    def __getattr__(name: str):
        try:
            submodule = exports[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        submodule, _, attribute = submodule.partition(":")
        value = getattr(importlib.import_module(f"{package}.{submodule}"), attribute or name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__():
        return sorted(set(names) | set(vars(sys.modules[package])))

    return __getattr__, __dir__, names
