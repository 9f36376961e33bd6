"""Distance of graphon estimates to a reference width, and its rate of decay with width.

The paper shows convergence by the distance of the width-n histogram to the one at a
reference width (2000).  :func:`distances_to_reference` takes per-width, per-trial
estimates (``estimates[width][trial][layer - 1]``, from
:func:`~numerics.graphons.estimate.estimate_network_graphons`), forms the reference as
the trial mean of the histograms at the reference width, and for every other width,
trial and layer records

* ``l1``: the L1 distance of the aligned (degree-sorted) estimates,
* ``cut_lower``: a lower bound on the cut distance (degree distributions),
* ``cut_upper``: an upper bound on it (the cut norm of the aligned difference: exact
  for at most ``exact_max`` blocks on a side, else its signed-mass upper bound),

with a fitted rate per layer: the least-squares slope of log(mean cut_upper) against
log(width), with a percentile-bootstrap interval (trials resampled within widths).
The reference carries its own finite-width error, so the distances level off as n
approaches the reference width: fit over widths well below it.

>>> import numpy as np
>>> from theory.graphon import GraphonNetwork
>>> from numerics.graphons import sample_graphon_network, estimate_network_graphons
>>> net = GraphonNetwork.constant(1, [1, 0.3], blocks=1)
>>> est = {n: [estimate_network_graphons(sample_graphon_network(net, n, 0, t, input_dim=2)
...                                      .masks, 4) for t in range(3)] for n in (64, 128, 512)}
>>> d = distances_to_reference(est, resamples=200)
>>> d.widths, d.reference_width, d.layers
((64, 128), 512, (2,))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

from theory._errors import InvalidArgument, check_int, check_unit_open

from .cut import EXACT_MAX_BLOCKS, cut_distance_bounds

__all__ = ["WidthDistances", "distances_to_reference"]


@dataclass(frozen=True)
class WidthDistances:
    """Per (width, layer) arrays over trials of ``l1``, ``cut_lower`` and ``cut_upper``
    (see the module docstring); ``exact`` says whether every aligned cut norm was
    exact; ``rates[h]`` = (slope, (low, high)) of log mean cut_upper vs log width (None
    when a mean distance is 0)."""

    widths: tuple
    reference_width: int
    layers: tuple
    reference: dict
    l1: dict
    cut_lower: dict
    cut_upper: dict
    exact: bool
    rates: dict
    level: float

    def table(self) -> str:
        """Mean distances per width and layer, labelled, and the fitted rates."""
        kind = "exact" if self.exact else "upper bound"
        lines = [f"{'width':>6} {'layer':>5} {'L1':>10} {'cut lower':>10} "
                 f"{'cut upper':>10}   (reference width {self.reference_width}; cut upper: "
                 f"cut norm of the aligned difference, {kind})"]
        for n in self.widths:
            for h in self.layers:
                lines.append(f"{n:>6} {h:>5} {self.l1[n, h].mean():>10.4g} "
                             f"{self.cut_lower[n, h].mean():>10.4g} "
                             f"{self.cut_upper[n, h].mean():>10.4g}")
        for h, rate in self.rates.items():
            if rate is None:
                lines.append(f"layer {h}: no rate (a mean distance is 0)")
                continue
            slope, (lo, hi) = rate
            lines.append(f"layer {h}: cut upper ~ n^{slope:.3f} ({self.level:.0%} bootstrap CI "
                         f"[{lo:.3f}, {hi:.3f}])")
        return "\n".join(lines)


def _mean_estimate(trials, h):
    first = trials[0][h - 1]
    values = np.mean([t[h - 1].values for t in trials], axis=0)
    return values, first.row_sizes, first.col_sizes


def distances_to_reference(estimates: Mapping[int, list], *, reference_width: int | None = None,
                           level: float = 0.95, resamples: int = 1000, seed: int = 0,
                           exact_max: int = EXACT_MAX_BLOCKS) -> WidthDistances:
    """Distances of every width's estimates to the trial-mean estimate at the reference
    width (default: the largest), with a bootstrap rate per layer."""
    level = check_unit_open(level, "level")
    resamples = check_int(resamples, "resamples", 100)
    widths_all = sorted(check_int(n, "estimates", 1) for n in estimates)
    ref_w = widths_all[-1] if reference_width is None else check_int(reference_width,
                                                                      "reference_width", 1)
    if ref_w not in estimates:
        raise InvalidArgument("reference_width", ref_w, "no estimates at that width",
                              f"choose one of {widths_all}")
    widths = tuple(n for n in widths_all if n != ref_w)
    if len(widths) < 2:
        raise InvalidArgument("estimates", f"{len(widths_all)} widths",
                              "need two widths besides the reference to fit a rate",
                              "estimate at three or more widths")
    pattern = tuple(e is not None for e in estimates[ref_w][0])
    for n in widths_all:
        for trial in estimates[n]:
            if tuple(e is not None for e in trial) != pattern:
                raise InvalidArgument("estimates", f"width {n}", "the estimated layers differ "
                                      "from the reference's", "estimate the same layers")
    layers = tuple(h for h, on in enumerate(pattern, start=1) if on)
    reference = {h: _mean_estimate(estimates[ref_w], h) for h in layers}
    l1, lower, upper, exact = {}, {}, {}, True
    for n in widths:
        for h in layers:
            rv, rr, rc = reference[h]
            out = [cut_distance_bounds(t[h - 1].values, rv, row_sizes=(t[h - 1].row_sizes, rr),
                                       col_sizes=(t[h - 1].col_sizes, rc), exact_max=exact_max)
                   for t in estimates[n]]
            exact = exact and all(b.aligned.exact for b in out)
            l1[n, h] = np.array([b.l1 for b in out])
            lower[n, h] = np.array([b.lower for b in out])
            upper[n, h] = np.array([b.upper for b in out])
    logn = np.log(np.asarray(widths, dtype=float))
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    rates = {}
    for h in layers:
        samples = [upper[n, h] for n in widths]
        if min(x.mean() for x in samples) <= 0:
            rates[h] = None             # a zero distance has no logarithm: no rate
            continue
        slope = float(np.polyfit(logn, np.log([s.mean() for s in samples]), 1)[0])
        with np.errstate(divide="ignore"):
            boot = [np.polyfit(logn, np.log([s[rng.integers(0, s.size, s.size)].mean()
                                             for s in samples]), 1)[0] for _ in range(resamples)]
        boot = [b for b in boot if np.isfinite(b)]
        a = (1 - level) / 2
        lo, hi = np.quantile(boot, [a, 1 - a])
        rates[h] = (slope, (float(lo), float(hi)))
    return WidthDistances(widths, ref_w, layers, reference, l1, lower, upper, exact, rates,
                          level)
