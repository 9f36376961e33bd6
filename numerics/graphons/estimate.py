"""Estimate a layer's graphon from its mask: sort by degree, average into blocks.

For the mask M^(h) of layer h (n_h x n_{h-1}, rows = neurons of layer h, columns =
neurons of layer h-1), following THEORY section 5 (Pham et al. 2025):

* rows are sorted by their **in-degree** (kept weights into the neuron, row sums),
  columns by their **out-degree** within this mask (column sums), both in decreasing
  order (ties keep their index order: a stable sort), so high-degree neurons sit at
  position 0;
* the sorted matrix is averaged over a K_r x K_c grid of blocks, row i of the sorted
  matrix falling in block floor(i K_r / n_h) (blocks differ in size by at most one
  when K does not divide the width).

The result is a step graphon with equal-sized blocks (:class:`GraphonEstimate`); its
block values are the kept fractions of the blocks.  The cost is one pass over the
mask after sorting the degrees: linear in the number of mask entries.

Sorting biases a finite-width estimate: degrees fluctuate by O(n^-1/2), and sorting
turns those fluctuations into a gradient (a constant graphon q estimated at width n
has its top and bottom halves sqrt(2/pi) sd(degree fraction) above and below q),
which vanishes like n^-1/2 - the same order as the block noise.

Each layer is sorted on its own, as in the paper: the neuron order of layer h's
rows (in-degrees) need not be the order of layer h+1's columns (out-degrees), so a
chain of estimates describes each layer's graphon up to relabelling, not how a
neuron's in- and out-degrees are coupled.

>>> import numpy as np
>>> M = np.array([[1, 0, 0, 0], [1, 1, 1, 1], [0, 0, 0, 0], [1, 1, 0, 0]])
>>> estimate_graphon(M, 2).values
array([[1.  , 0.5 ],
       [0.25, 0.  ]])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from theory._errors import InvalidArgument, check_int
from theory.graphon.spec import GraphonNetwork

from ..masks.mask import Mask
from ..networks.network import MaskedNetwork

__all__ = ["GraphonEstimate", "estimate_graphon", "estimate_network_graphons",
           "to_graphon_network", "DEFAULT_BLOCKS", "ORDERS"]

DEFAULT_BLOCKS = 64


@dataclass(frozen=True)
class GraphonEstimate:
    """A degree-sorted block histogram of one mask.

    ``values`` (K_r, K_c) are the kept fractions of the blocks; ``row_order`` and
    ``col_order`` the sorted neuron indices; ``shape`` the mask's shape;
    ``row_sizes``/``col_sizes`` the neurons per block; ``second_moment`` (when the
    weights were given) the block means of (M . W)^2 in the same order, the estimate
    of the second-moment profile V_h of :class:`theory.graphon.GraphonNetwork`.
    """

    values: np.ndarray
    row_order: np.ndarray
    col_order: np.ndarray
    shape: tuple
    row_sizes: np.ndarray
    col_sizes: np.ndarray
    second_moment: np.ndarray | None = None

    @property
    def density(self) -> float:
        """The mask's kept fraction (the block-size-weighted mean of ``values``)."""
        w = np.outer(self.row_sizes, self.col_sizes)
        return float(np.sum(w * self.values) / np.sum(w))


def _starts(n: int, K: int) -> np.ndarray:
    """First index of each of K blocks of floor(i K / n): ceil(a n / K)."""
    return -((-np.arange(K, dtype=np.int64) * n) // K)


def _as_mask(mask, argument: str) -> np.ndarray:
    if isinstance(mask, Mask):
        raise InvalidArgument(argument, repr(mask), "a whole network's Mask, not one layer",
                              "pass layer=h to estimate_graphon, or use "
                              "estimate_network_graphons for every layer")
    try:
        M = np.asarray(mask)
    except (TypeError, ValueError):
        raise InvalidArgument(argument, mask, "not an array", "pass a 0/1 array") from None
    if M.ndim != 2 or 0 in M.shape:
        raise InvalidArgument(argument, f"array of shape {M.shape}", "need a non-empty 2-D mask",
                              "pass the (n_h, n_{h-1}) 0/1 mask of one layer")
    if M.dtype != bool:
        if M.dtype.kind not in "biuf" or not np.all((M == 0) | (M == 1)):
            raise InvalidArgument(argument, "array", "entries other than 0 and 1",
                                  "pass a 0/1 (or boolean) mask")
        M = M != 0
    return M


def _blocks_for(K, n: int, axis: str, argument: str) -> int:
    K = check_int(K, argument, 1)
    if K > n:
        raise InvalidArgument(argument, K, f"larger than the mask's {n} {axis}",
                              f"pass {argument} <= {n} (a block needs at least one neuron)")
    return K


def _order(order, n: int, argument: str) -> np.ndarray:
    arr = np.asarray(order)
    if arr.shape != (n,) or not np.array_equal(np.sort(arr), np.arange(n)):
        raise InvalidArgument(argument, f"array of shape {arr.shape}",
                              f"not a permutation of 0..{n - 1}", "pass a permutation")
    return arr


def _row_block_sums(A: np.ndarray, rows, rs, dtype) -> np.ndarray:
    """(K_r, n_c): sums of the rows of A in each block of the order ``rows``.

    One contiguous sum per block (``np.add.reduceat`` along axis 0 walks the matrix
    column by column and slows down per entry as the mask outgrows the caches)."""
    ends = np.append(rs[1:], A.shape[0])
    out = np.empty((len(rs), A.shape[1]), dtype=dtype)
    for a, (r0, r1) in enumerate(zip(rs, ends)):
        np.sum(A[rows[r0:r1]], axis=0, dtype=dtype, out=out[a])
    return out


def _block_means(S: np.ndarray, rows, cols, rs, cs, sizes) -> np.ndarray:
    sums = _row_block_sums(S, rows, rs, np.float64)
    return np.add.reduceat(sums[:, cols], cs, axis=1) / sizes


def estimate_graphon(mask, blocks=DEFAULT_BLOCKS, *, sort_rows: bool = True,
                     sort_cols: bool = True, weights=None, row_order=None,
                     col_order=None, layer: int | None = None) -> GraphonEstimate:
    """The degree-sorted block histogram of one layer's mask.

    ``mask`` is one layer's 0/1 array, or a :class:`~numerics.masks.Mask` with
    ``layer`` = h (a dense layer of the Mask gives the all-ones histogram).
    ``blocks`` is K (K x K blocks) or a pair (K_r, K_c); each must be at most the
    mask's size along its axis.  ``sort_cols=False`` keeps labelled columns (input
    coordinates of the first layer) in their order.  With ``weights`` (the layer's
    weights, the mask's shape) the block means of (M . W)^2 are estimated too.
    ``row_order``/``col_order`` (permutations) replace the degree sort of that axis.
    """
    if isinstance(mask, Mask):
        if layer is None:
            raise InvalidArgument("layer", None, "a Mask holds every layer of a network",
                                  f"pass layer=h with h in 1..{mask.depth + 1}")
        h = check_int(layer, "layer", 1)
        if h > mask.depth + 1:
            raise InvalidArgument("layer", h, f"the mask has weight layers 1..{mask.depth + 1}",
                                  f"pass layer=h with h in 1..{mask.depth + 1}")
        mask = mask.array(h)
    elif layer is not None:
        raise InvalidArgument("layer", layer, "only a Mask has layers",
                              "drop layer=, or pass a Mask")
    M = _as_mask(mask, "mask")
    kr, kc = (blocks, blocks) if np.ndim(blocks) == 0 else tuple(blocks)
    n_r, n_c = M.shape
    kr = _blocks_for(kr, n_r, "rows", "blocks")
    kc = _blocks_for(kc, n_c, "columns", "blocks")
    rows = _order(row_order, n_r, "row_order") if row_order is not None else \
        np.argsort(-M.sum(axis=1), kind="stable") if sort_rows else np.arange(n_r)
    cols = _order(col_order, n_c, "col_order") if col_order is not None else \
        np.argsort(-M.sum(axis=0), kind="stable") if sort_cols else np.arange(n_c)
    rs, cs = _starts(n_r, kr), _starts(n_c, kc)
    counts = _row_block_sums(M, rows, rs, np.int64)                      # (kr, n_c)
    counts = np.add.reduceat(counts[:, cols], cs, axis=1, dtype=np.int64)  # (kr, kc)
    row_sizes = np.diff(np.append(rs, n_r))
    col_sizes = np.diff(np.append(cs, n_c))
    sizes = np.outer(row_sizes, col_sizes)
    values = counts / sizes
    second = None
    if weights is not None:
        W = np.asarray(weights, dtype=np.float64)
        if W.shape != M.shape or not np.all(np.isfinite(W)):
            raise InvalidArgument("weights", f"array of shape {W.shape}",
                                  f"need finite weights of the mask's shape {M.shape}",
                                  "pass the layer's weight matrix")
        second = _block_means(np.where(M, W * W, 0.0), rows, cols, rs, cs, sizes)
    return GraphonEstimate(values, rows, cols, M.shape, row_sizes, col_sizes, second)


ORDERS = ("per_layer", "shared")


def _shared_orders(masks) -> list:
    """One neuron order per hidden layer: decreasing total degree fraction, (in-degree in
    M^(h) + out-degree in M^(h+1)) / (n_{h-1} + n_{h+1}), over the masked sides.  Each
    side weighs by its size, so the single row of the output mask (whose "out-degrees"
    are single 0/1 entries) barely moves the order."""
    orders = []
    for h in range(1, len(masks)):
        below, above = masks[h - 1], masks[h]
        if below is None and above is None:
            orders.append(None)
            continue
        score = np.zeros(below.shape[0] if below is not None else above.shape[1])
        if below is not None:
            score += below.sum(axis=1)
        if above is not None:
            score += above.sum(axis=0)
        orders.append(np.argsort(-score, kind="stable"))
    return orders


def estimate_network_graphons(masks, blocks=DEFAULT_BLOCKS, *, sort_inputs: bool = False,
                              weights=None, order: str = "per_layer") -> tuple:
    """Per-layer estimates of a network's masks (None for a dense layer: None in, None out).

    Hidden layers get ``blocks`` x ``blocks`` histograms; the output layer (one row)
    gets 1 x ``blocks``; the first layer keeps one column per input coordinate
    (K_0 = d0, so the estimate is a valid G1 of the Graphon NTK) unless
    ``sort_inputs`` is true, which sorts and averages them like hidden neurons.
    ``masks`` is a :class:`~numerics.masks.Mask`, a
    :class:`~numerics.networks.network.MaskedNetwork` (its masks, and its weights for
    the second moments unless ``weights`` is given) or a sequence of per-layer 0/1
    arrays (None: dense).  ``weights`` (one matrix per layer, unscaled: W . M
    without the rescaling factor) adds the second-moment estimates.
    ``order="per_layer"`` sorts every mask on its own (the paper's estimator);
    ``"shared"`` gives each hidden layer one neuron order, used for the rows of
    M^(h) and the columns of M^(h+1), so the chained estimates describe one network
    (what :func:`to_graphon_network` needs for a Graphon NTK).
    """
    if isinstance(masks, MaskedNetwork):
        if weights is None:
            weights = [np.asarray(W) for W in masks.weights]
        masks = masks.masks
    elif isinstance(masks, Mask):
        masks = masks.layers
    masks = list(masks)
    if len(masks) < 2:
        raise InvalidArgument("masks", f"{len(masks)} layer(s)", "need L+1 >= 2 layers",
                              "pass one mask (or None) per weight layer")
    if order not in ORDERS:
        raise InvalidArgument("order", order, "unknown ordering",
                              f"choose one of {', '.join(ORDERS)}")
    masks = [None if M is None else _as_mask(M, f"masks[{h}]") for h, M in enumerate(masks)]
    shared = _shared_orders(masks) if order == "shared" else None
    out = []
    for h, M in enumerate(masks, start=1):
        if M is None:
            out.append(None)
            continue
        kr = 1 if h == len(masks) else blocks
        first = h == 1 and not sort_inputs
        kc = M.shape[1] if first else blocks
        extra = {}
        if shared is not None:
            if h <= len(shared):
                extra["row_order"] = shared[h - 1]
            if h >= 2:
                extra["col_order"] = shared[h - 2]
        try:
            out.append(estimate_graphon(M, (kr, kc), sort_cols=not first,
                                        weights=None if weights is None else weights[h - 1],
                                        **extra))
        except InvalidArgument as exc:
            raise InvalidArgument("blocks", blocks, f"layer {h}: {exc.problem}", exc.fix) \
                from None
    return tuple(out)


def to_graphon_network(estimates, *, input_dim: int, second_moment: bool = False,
                       rescale: bool = False, activation: str = "relu") -> GraphonNetwork:
    """A :class:`theory.graphon.GraphonNetwork` from :func:`estimate_network_graphons`
    (with ``order="shared"``): densities as G_h and, with ``second_moment``, the
    estimated (M . W)^2 block means as the profiles V_h."""
    layers = {h: e.values for h, e in enumerate(estimates, start=1) if e is not None}
    variances = None
    if second_moment:
        if any(e is not None and e.second_moment is None for e in estimates):
            raise InvalidArgument("second_moment", True, "the estimates carry no weights",
                                  "estimate with weights=... first")
        variances = {h: e.second_moment for h, e in enumerate(estimates, start=1)
                     if e is not None}
    return GraphonNetwork.from_layers(layers, len(estimates) - 1, input_dim=input_dim,
                                      rescale=rescale, activation=activation,
                                      variances=variances)
