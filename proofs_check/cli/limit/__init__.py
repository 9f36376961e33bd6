"""Commands on the infinite-width theory: ``kernel`` (limit kernels) and ``derive`` (LaTeX)."""
