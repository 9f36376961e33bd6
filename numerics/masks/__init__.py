"""Masks: the one type every routine takes (:class:`Mask`), and the one place that makes them.

* :class:`Mask` (``mask``): per-layer 0/1 arrays with the network shape, target and
  kept densities, and provenance; :func:`save_mask` / :func:`load_mask`
  (``maskfile``) write and read it in the NET.npz format.
* :func:`prune` and :class:`PruningSpec` (``pruning``): masks by method name
  (:data:`METHODS`: random, uniform, erk, magnitude, snip, grasp, synflow), per-layer
  or global budgets, on the digits or the user's data; :func:`draw_weights` and
  :func:`masked_network` give networks with given masks on the counter-based weights.
* :func:`mask_source`, :func:`trial_network`, :func:`source_description`
  (``sources``): what a command with ``--mask FILE|METHOD`` needs.
* ``budget`` (exact counts, ERK, top-k), ``gradients`` (exact loss gradients and
  Hessian-vector products), ``synflow``, ``data`` (scoring data), ``methods`` (the
  registry).

>>> from numerics.masks import prune, masked_network
>>> mask = prune("synflow", (64, 32, 32, 1), "0.2", rounds=10)
>>> mask.masked_layers, sum(mask.kept[1:])      # round(0.2 * (32 * 32 + 32)) = 211
((2, 3), 211)
>>> masked_network(mask, seed=0).num_kept() == sum(mask.kept)
True
"""

from theory._lazy import lazy_exports

_EXPORTS = {
    "Mask": "mask",
    "save_mask": "maskfile", "load_mask": "maskfile", "MASK_FORMAT": "maskfile",
    "PruningSpec": "pruning", "prune": "pruning", "draw_weights": "pruning",
    "masked_network": "pruning", "check_density": "pruning", "default_layers": "pruning",
    "METHODS": "methods", "PruningMethod": "methods", "method_names": "methods",
    "PruneJob": "job", "SCOPES": "job",
    "ScoringData": "data", "digits": "data", "load_scoring_data": "data",
    "ScoringNet": "gradients", "scoring_loss": "gradients", "loss_gradient": "gradients",
    "hessian_vector": "gradients", "gradient_and_hessian_gradient": "gradients",
    "kept_count": "budget", "erk_densities": "budget", "erk_counts": "budget",
    "keep_top": "budget",
    "synflow_scores": "synflow",
    "mask_source": "sources", "trial_network": "sources", "source_description": "sources",
}

__getattr__, __dir__, __all__ = lazy_exports(__name__, _EXPORTS)
