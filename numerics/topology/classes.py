"""The iterative mean of the Ramanujan gaps over degree classes (Hoang et al., ICLR 2023).

A layer whose input neurons have very different degrees is far from biregular, and
its mean-degree gap Delta_r mixes neurons that see the layer very differently.  The
authors' public implementation therefore also averages the gaps over *degree
classes*: for each degree value g > 0 shared by at least ``min_count`` (3) input
neurons, the subgraph of those input neurons and all output neurons (isolated nodes
removed, the mean-degree >= 3 rule applied) is a g-left-regular bipartite graph; its
Delta_r and Delta_s are computed, and the iterative mean is their average over the
classes where they are defined.  We follow that definition; the normalised means
(each gap divided by its Ramanujan bound) are reported too.

>>> m = iterative_mean(np.ones((4, 6)))          # one class: K_{6,4}
>>> m.classes, round(m.delta_r, 9)               # sqrt(3) + sqrt(5) - 0
(1, 3.968118785)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sps

from theory._errors import check_int

from .spectral import layer_metrics

__all__ = ["ClassMean", "iterative_mean"]


@dataclass(frozen=True)
class ClassMean:
    """Mean Delta_r, Delta_s (and normalised) over ``classes`` degree classes (None if 0)."""

    classes: int
    candidates: int
    delta_r: float | None
    delta_s: float | None
    delta_r_normalised: float | None
    delta_s_normalised: float | None

    def to_json(self) -> dict:
        return dict(self.__dict__)


def iterative_mean(mask, min_count: int = 3, min_degree: float = 3.0) -> ClassMean:
    """Average Delta_r and Delta_s over the input-degree classes of ``mask`` (n_out x n_in)."""
    M = sps.csc_matrix(mask != 0 if sps.issparse(mask) else np.asarray(mask) != 0)
    min_count = check_int(min_count, "min_count", 1)
    degrees = np.diff(M.indptr)                       # input degrees (column counts)
    values, counts = np.unique(degrees[degrees > 0], return_counts=True)
    rs, ss, rn, sn = [], [], [], []
    candidates = 0
    for g, c in zip(values.tolist(), counts.tolist()):
        if c < min_count:
            continue
        candidates += 1
        m = layer_metrics(M[:, np.flatnonzero(degrees == g)], min_degree=min_degree)
        if not m.computed:
            continue
        bound_r = math.sqrt(m.mean_left_degree - 1) + math.sqrt(m.mean_right_degree - 1)
        bound_s = 2 * math.sqrt(m.mu_0 - 1)
        rs.append(m.delta_r)
        ss.append(m.delta_s)
        rn.append(m.delta_r / bound_r)
        sn.append(m.delta_s / bound_s)
    if not rs:
        return ClassMean(0, candidates, None, None, None, None)
    return ClassMean(len(rs), candidates, float(np.mean(rs)), float(np.mean(ss)),
                     float(np.mean(rn)), float(np.mean(sn)))
