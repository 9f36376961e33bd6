"""Finite-width masked networks and statistics (imports theory only)."""

__all__: list[str] = []
