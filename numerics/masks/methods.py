"""The pruning methods, by name: one function each, registered in :data:`METHODS`.

Every method takes a :class:`~numerics.masks.job.PruneJob` (the network at
initialisation, the pruned layers, the budget, the data) and returns one boolean
array per pruned layer.  To add a method, write its function here and add one
entry to :data:`METHODS`; ``pntk masks`` and :func:`numerics.masks.prune` pick it
up by name.

* ``random``: each weight kept independently with probability d (Bernoulli; the
  same uniforms as :func:`numerics.networks.sampling.sample_network`, so the same
  seed and trial give the same masks).
* ``uniform``: exactly round(d N) weights, chosen uniformly (per layer, or over all
  pruned layers together).
* ``erk``: Erdos-Renyi-Kernel layer densities (:func:`~numerics.masks.budget.erk_counts`),
  exact counts chosen uniformly within each layer.
* ``magnitude``: the largest |W| at initialisation.
* ``snip`` (Lee et al. 2019): the largest |g . W|, g the loss gradient.
* ``grasp`` (Wang et al. 2020): scores -(H g) . W, H the loss Hessian; the paper
  removes the highest scores, so the lowest are kept.
* ``synflow`` (Tanaka et al. 2020): iterative and data-free, see
  :mod:`numerics.masks.synflow`.

Losses, gradients and Hessian-vector products: :mod:`numerics.masks.gradients`.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Callable

import numpy as np

from .budget import erk_counts, erk_densities
from .gradients import ScoringNet, gradient_and_hessian_gradient, loss_gradient
from .job import HEAD_STREAM, PruneJob
from .synflow import synaptic_flow

__all__ = ["PruningMethod", "METHODS", "method_names", "scoring_net"]


@dataclass(frozen=True)
class PruningMethod:
    """A registered method: its function, a one-line summary, whether it scores on
    data, the budget scopes it accepts (the first is its default), whether it is
    iterative (uses ``rounds``), and optionally its own target density per layer."""

    name: str
    run: Callable[[PruneJob], dict]
    summary: str
    uses_data: bool = False
    scopes: tuple = ("global", "per-layer")
    iterative: bool = False
    nominal: Callable[[PruneJob], dict] | None = None


def scoring_net(job: PruneJob) -> ScoringNet:
    """The network of ``job`` with its K-way scoring head (row 0 = W^(L+1), the other
    K - 1 rows drawn from the head stream)."""
    last = job.weights[-1]
    extra = job.generator(job.depth + 1, HEAD_STREAM).standard_normal(
        (job.data.classes - 1, last.shape[1]))
    return ScoringNet(tuple(job.weights[:-1]), np.vstack([last, extra]), job.activation)


def _layer_weights(params: tuple, job: PruneJob, h: int) -> np.ndarray:
    """Layer h's part of a scoring-net parameter tuple (the head's first row for L+1)."""
    return params[h - 1] if h <= job.depth else params[-1][:1]


def _uniform_choice(job: PruneJob, counts: dict) -> dict:
    out = {}
    for h, k in counts.items():
        M = np.zeros(job.layer_shape(h), dtype=bool)
        M.reshape(-1)[job.generator(h).choice(job.size(h), k, replace=False)] = True
        out[h] = M
    return out


def random(job: PruneJob) -> dict:
    """Bernoulli(d): uniforms of layer h's mask stream below float(d)."""
    return {h: job.generator(h).random(job.layer_shape(h)) < float(job.target(h))
            for h in job.layers}


def uniform(job: PruneJob) -> dict:
    """Exactly the budget's count, uniformly (per layer, or one choice over all layers)."""
    if job.scope == "per-layer":
        return _uniform_choice(job, job.counts())
    sizes = [job.size(h) for h in job.layers]
    flat = np.zeros(sum(sizes), dtype=bool)
    flat[job.generator(0).choice(flat.size, job.total(), replace=False)] = True
    parts = np.split(flat, np.cumsum(sizes)[:-1])
    return {h: p.reshape(job.layer_shape(h)) for h, p in zip(job.layers, parts)}


def _erk_counts(job: PruneJob) -> dict:
    counts = erk_counts([job.layer_shape(h) for h in job.layers], job.density)
    return dict(zip(job.layers, counts))


def erk(job: PruneJob) -> dict:
    """ERK densities, exact counts chosen uniformly within each layer."""
    return _uniform_choice(job, _erk_counts(job))


def _erk_nominal(job: PruneJob) -> dict:
    """ERK's layer densities (before rounding to counts, so never 0), as shortest decimals."""
    densities = erk_densities([job.layer_shape(h) for h in job.layers], job.density)
    return {h: Fraction(repr(float(d))) for h, d in zip(job.layers, densities)}


def magnitude(job: PruneJob) -> dict:
    """Keep the largest |W^(h)_ij|."""
    return job.select({h: np.abs(job.weights[h - 1]) for h in job.layers})


def snip(job: PruneJob) -> dict:
    """Keep the largest connection sensitivities |dloss/dW_ij W_ij|."""
    net = scoring_net(job)
    _, grad = loss_gradient(net, job.data.inputs, job.data.labels)
    return job.select({h: np.abs(_layer_weights(grad, job, h) * job.weights[h - 1])
                       for h in job.layers})


def grasp(job: PruneJob) -> dict:
    """Scores -(H g) . W over all parameters; keep the lowest (select the largest of
    their negatives: (H g) . W)."""
    net = scoring_net(job)
    _, hg = gradient_and_hessian_gradient(net, job.data.inputs, job.data.labels)
    return job.select({h: _layer_weights(hg, job, h) * job.weights[h - 1] for h in job.layers})


METHODS: dict[str, PruningMethod] = {m.name: m for m in (
    PruningMethod("random", random, "each weight kept independently with probability d "
                  "(Bernoulli)", scopes=("per-layer",)),
    PruningMethod("uniform", uniform, "exactly round(d N) weights chosen uniformly at random",
                  scopes=("per-layer", "global")),
    PruningMethod("erk", erk, "Erdos-Renyi-Kernel layer densities, uniform within layers",
                  scopes=("global",), nominal=_erk_nominal),
    PruningMethod("magnitude", magnitude, "largest |W| at initialisation"),
    PruningMethod("snip", snip, "largest |g . W| (SNIP, on data)", uses_data=True),
    PruningMethod("grasp", grasp, "lowest -(H g) . W (GraSP, on data)", uses_data=True),
    PruningMethod("synflow", synaptic_flow, "iterative synaptic flow, data-free (SynFlow)",
                  iterative=True),
)}


def method_names() -> tuple[str, ...]:
    """The registered method names, in registry order."""
    return tuple(METHODS)
