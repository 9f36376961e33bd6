"""SynFlow (Tanaka et al. 2020): iterative, data-free pruning by synaptic flow.

With theta^(h) = |W^(h)| . M^(h) (masked absolute weights) and an all-ones input,
R = 1^T theta^(L+1) ... theta^(1) 1 is the path norm of the linearised network
(every unit of our network is active on positive inputs, and the gains
sqrt(c_sigma / n_h) scale R by one constant, which no ranking sees).  The score of
weight (i, j) of layer h is the synaptic saliency

    S^(h)_ij = dR/dtheta_ij theta_ij = u^(h)_i theta^(h)_ij v^(h-1)_j,

u^(h) = 1^T theta^(L+1) ... theta^(h+1) (flow from above), v^(h-1) = theta^(h-1) ...
theta^(1) 1 (flow from below).  Round r = 1..R keeps the top density^(r/R) of the
scores (the exponential schedule) and masks the rest, so later rounds score the
pruned network; the last round reaches the target exactly.  Per layer the saliency
is conserved: sum_ij S^(h)_ij = R for every layer h.

Vectors are kept as mantissas and power-of-two exponents, so R may exceed the float
range (deep or wide networks) without changing a single ranking.
"""

from __future__ import annotations

import numpy as np

__all__ = ["synaptic_flow", "synflow_scores"]


def _normalised(x: np.ndarray) -> tuple[np.ndarray, int]:
    top = float(np.max(x)) if x.size else 0.0
    if top <= 0 or not np.isfinite(top):
        return x, 0
    e = int(np.frexp(top)[1])
    return np.ldexp(x, -e), e


def _flows(thetas):
    """(v, ev, u, eu): v[h] = flow into layer h+1 from below (v[0] = ones), u[h] = flow
    from above into the rows of layer h+1; each as mantissa and exponent lists."""
    count = len(thetas)
    v, ev = [np.ones(thetas[0].shape[1])], [0]
    for h in range(count - 1):
        x, e = _normalised(thetas[h] @ v[-1])
        v.append(x)
        ev.append(ev[-1] + e)
    u, eu = [None] * count, [0] * count
    u[-1] = np.ones(thetas[-1].shape[0])
    for h in range(count - 1, 0, -1):
        x, e = _normalised(u[h] @ thetas[h])
        u[h - 1], eu[h - 1] = x, eu[h] + e
    return v, ev, u, eu


def synflow_scores(thetas, layers, *, true_scale: bool = True,
                   out: dict | None = None) -> dict[int, np.ndarray]:
    """Synaptic saliencies of ``layers`` (1-based) for masked absolute weights ``thetas``.

    With ``true_scale`` false (or when the true values overflow), all layers' scores
    are divided by one common power of two: rankings and ratios stay exact.  ``out``:
    arrays (by layer) to write the scores into.

    >>> t = [np.array([[1.0, 2.0]]), np.array([[3.0]])]     # R = 3 (1 + 2) = 9
    >>> {h: s.tolist() for h, s in synflow_scores(t, (1, 2)).items()}
    {1: [[3.0, 6.0]], 2: [[9.0]]}
    """
    v, ev, u, eu = _flows(thetas)
    exps = {h: eu[h - 1] + ev[h - 1] for h in layers}
    top = max(exps.values())
    out = {h: np.empty_like(thetas[h - 1]) for h in layers} if out is None else out
    for h in layers:
        np.einsum("ij,i,j->ij", thetas[h - 1], np.ldexp(u[h - 1], exps[h] - top),
                  v[h - 1], out=out[h])
    if true_scale and top and np.isfinite(np.ldexp(1.0, top)):
        scaled = {h: np.ldexp(S, top) for h, S in out.items()}
        if all(np.all(np.isfinite(S)) for S in scaled.values()):
            out = scaled
    return out


def synaptic_flow(job) -> dict[int, np.ndarray]:
    """SynFlow masks for a :class:`~numerics.masks.job.PruneJob` (``job.rounds`` rounds)."""
    thetas = [np.abs(np.asarray(W, dtype=np.float64)) for W in job.weights]
    scores = {h: np.empty_like(thetas[h - 1]) for h in job.layers}
    keep = {}
    for r in range(1, job.rounds + 1):          # density target^(r/R); exactly it at r = R
        synflow_scores(thetas, job.layers, true_scale=False, out=scores)
        keep = job.select(scores, r / job.rounds, check=False)
        for h, M in keep.items():
            np.multiply(thetas[h - 1], M, out=thetas[h - 1])
        if job.progress is not None:
            job.progress(r, job.rounds)
    return keep

