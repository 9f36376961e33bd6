"""Claims about the exact finite-width fluctuations of the masked NTK (:mod:`theory.variance`):
V-mean (which means have no finite-width correction), V-masks (how each layer's keep
probability enters the leading-order variance V) and V-growth (the dense diagonal's
relative variance between 3 and 5 per layer, and its exp(5 sum 1/n_h) bound), with the
helpers they share."""
