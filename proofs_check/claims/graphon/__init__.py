"""Claims about graphon limits of pruning masks and the Graphon NTK (Pham et al. 2025,
THEORY section 5): G-masks, G-ntk, G-constant, G-spectra and G-boundary, with the
helpers they share."""
