"""Commands on the structure of sparse networks: ``regions`` (linear-region bounds and
exact counts) and ``topology`` (Ramanujan-graph metrics of masks)."""
