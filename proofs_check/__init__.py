"""Claims, bounds, verdicts and reports (top layer; imports theory and numerics)."""

__all__: list[str] = []
