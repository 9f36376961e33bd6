from theory._lazy import lazy_exports
_EXPORTS = {}
__getattr__, __dir__, __all__ = lazy_exports(__name__, _EXPORTS)
