"""The claims of the source paper (Yang & Wang 2023) and its dense reference: C1, C2,
C3-dense, C3, C3-exact, C4 (our working definition of pseudo-networks) and C5, with the
helpers they share (input pairs, parameter checks, comparisons, proof summaries)."""
