"""The exact empirical NTK Gram matrix of a masked network, by the layer-wise closed form.

The NTK is the sum over kept weights of products of parameter gradients,
df/dW^(h)_ij = S_ij b^(h)_i a^(h)_j, so layer h contributes::

    Theta_h[p, q] = sum_i sum_j B[p,i] B[q,i] S2_ij A[p,j] A[q,j]       (S2 = S . S)

with A = a^(h) (the layer's inputs) and B = b^(h) (its backward vectors) of
every input.  A dense layer (S2 = 1) factorises: Theta_h = (B B^T) . (A A^T).
A masked layer does not; over a list of input pairs (p, q) it is

    Theta_h[pq] = rowsum((KR_B @ S2) . KR_A),   KR_B[pq, i] = B[p,i] B[q,i],

with row-wise (Khatri-Rao) products over the pair list, evaluated as matrix
products over chunks of pairs, the mask taken a block of rows at a time.  With
rescaling S2 = r_h^2 M, and r_h^2 multiplies the layer's sum.  A symmetric
Gram matrix uses only the N(N+1)/2 pairs p <= q and is exactly symmetric.  No
autodiff and no per-parameter Jacobian: about N^2 n_h n_{h-1} flops per masked
layer, and bounded work space (see :func:`estimate_memory`).

The code uses only the array-API namespace of the network's arrays, so it runs
unchanged on NumPy and on CuPy; on NumPy it also writes its products into buffers
allocated once (``out=``), outside the standard.
"""

from __future__ import annotations

import numpy as np

from theory._errors import InvalidArgument, check_int

from ..backend.xp import default_memory_limit, device, is_numpy_namespace
from ..networks.network import MaskedNetwork, as_batch, backward, forward
from .jacobian import empirical_ntk_bruteforce

__all__ = ["empirical_ntk", "estimate_memory", "empirical_ntk_bruteforce",
           "DEFAULT_CHUNK_BYTES"]

DEFAULT_CHUNK_BYTES = 32 << 20   # pair work space per chunk (measured: larger is no faster)
BLOCK_BYTES = 2 << 20            # a mask block as floats: about one L2 cache
_WIDE_CHUNK = 512                # pairs per chunk from which the product is compute-bound
_MIN_BLOCK_ROWS = 1024           # then blocks this tall (1.17-1.20x DGEMM at width 1024,
                                 # against 1.28-1.32x with 512 rows)
MASK_CACHE_BYTES = 16 << 20      # a layer's mask as floats, converted once when this small


def _plan(n_out: int, n_in: int, pairs: int, item: int, chunk_bytes: int, xp):
    """(pairs per chunk, mask rows per block) of one masked layer.

    A chunk holds both Khatri-Rao rows of each of its pairs.  On a CPU a block of
    the mask, as floats, fits in about ``BLOCK_BYTES`` (so with few pairs, where
    the product is memory-bound, it never leaves the cache) but has at least 1024
    rows (``_MIN_BLOCK_ROWS``) once a chunk has 512 pairs (then the product is
    compute-bound, and wider products run closer to DGEMM speed); on a GPU a block is
    the whole mask.
    """
    chunk = min(pairs, max(1, chunk_bytes // (item * (n_out + n_in))))
    if not is_numpy_namespace(xp):
        return chunk, n_out
    rows = BLOCK_BYTES // (item * n_in)
    if chunk >= _WIDE_CHUNK:
        rows = max(rows, _MIN_BLOCK_ROWS)
    return chunk, max(1, min(n_out, rows))


def _caches_mask(n_out: int, n_in: int, item: int) -> bool:
    """Whether a masked layer converts its whole mask to floats once (NumPy only)."""
    return n_out * n_in * item <= MASK_CACHE_BYTES


def _check_net(net) -> MaskedNetwork:
    if not isinstance(net, MaskedNetwork):
        raise InvalidArgument("net", type(net).__name__, "not a MaskedNetwork",
                              "build one with sample_network(...) or MaskedNetwork(...)")
    return net


def estimate_memory(net: MaskedNetwork, n_x: int, n_y: int | None = None, *,
                    chunk_bytes: int = DEFAULT_CHUNK_BYTES) -> int:
    """Peak bytes that :func:`empirical_ntk` allocates beyond the network itself.

    Counts the forward and backward vectors, the pair work space (about
    ``chunk_bytes``, and a block of one mask as floats), the packed pair values
    and the output.  ``n_y=None`` means the symmetric
    N x N Gram matrix of ``n_x`` inputs.

    >>> from theory import Architecture
    >>> from numerics.networks.sampling import sample_network
    >>> net = sample_network(Architecture.pruned(2, "0.5"), 100, 0, input_dim=4)
    >>> estimate_memory(net, 10) < estimate_memory(net, 10, 10) < estimate_memory(net, 1000)
    True
    """
    net = _check_net(net)
    n_x = check_int(n_x, "n_x", 1)
    sym = n_y is None
    n_y = n_x if sym else check_int(n_y, "n_y", 1)
    chunk_bytes = check_int(chunk_bytes, "chunk_bytes", 1)
    item = net.xp.finfo(net.dtype).bits // 8
    rows = n_x if sym else n_x + n_y
    shape = (net.input_dim, *net.widths, 1)
    passes = rows * sum(shape[h - 1] + 3 * shape[h] for h in range(1, len(shape))) * item
    pairs = n_x * (n_x + 1) // 2 if sym else n_x * n_y
    work = 0
    for h in net.masked_layers:
        n_out, n_in = shape[h], shape[h - 1]
        chunk, block = _plan(n_out, n_in, pairs, item, chunk_bytes, net.xp)
        mask = n_out * n_in if is_numpy_namespace(net.xp) and _caches_mask(n_out, n_in, item) \
            else n_in * block
        work = max(work, (chunk * (n_out + n_in + 2 * block) + mask) * item)
    out = 2 * n_x * n_y * item + 2 * pairs * item
    return passes + work + out


def _segments(n_x: int, n_y: int, sym: bool, chunk_pairs: int):
    """Chunks of pairs as lists of (p, q0, q1): row p of X against rows q0..q1-1 of Y."""
    chunk, size = [], 0
    for p in range(n_x):
        q = p if sym else 0
        while q < n_y:
            q1 = min(n_y, q + max(1, chunk_pairs - size))
            chunk.append((p, q, q1))
            size += q1 - q
            q = q1
            if size >= chunk_pairs:
                yield chunk
                chunk, size = [], 0
    if chunk:
        yield chunk


def _masked_layer(xp, M, BX, BY, AX, AY, sym: bool, chunk_bytes: int):
    """sum_ij M_ij B[p,i] B[q,i] A[p,j] A[q,j] over all pairs (p <= q when symmetric).

    Returns a packed 1-D array.  The Khatri-Rao rows of a chunk of pairs live in
    two buffers reused across chunks.  The mask is taken a block of rows i at a
    time (contiguous; its float copy is small, see :func:`_plan`): each block
    adds the row-wise dot products of KR_B[:, i] and KR_A @ M[i, :]^T.  On NumPy
    every product is written into a buffer allocated once (no per-chunk temporaries,
    which cost page faults as well as copies), and a mask of at most
    ``MASK_CACHE_BYTES`` as floats is converted once rather than once per chunk.
    """
    n_out, n_in = M.shape
    dtype, dev = BX.dtype, device(BX)
    item = xp.finfo(dtype).bits // 8
    n_x, n_y = BX.shape[0], BY.shape[0]
    pairs = n_x * (n_x + 1) // 2 if sym else n_x * n_y
    chunk_pairs, block = _plan(n_out, n_in, pairs, item, chunk_bytes, xp)
    kr_b = xp.empty((chunk_pairs, n_out), dtype=dtype, device=dev)
    kr_a = xp.empty((chunk_pairs, n_in), dtype=dtype, device=dev)
    native = is_numpy_namespace(xp)
    if native:
        products = np.empty(chunk_pairs * block, dtype=dtype)
        cached = _caches_mask(n_out, n_in, item)
        whole = M.astype(dtype) if cached else None
        mask_block = None if cached else np.empty(block * n_in, dtype=dtype)
    pieces = []
    for segs in _segments(n_x, n_y, sym, chunk_pairs):
        o = 0
        for p, q0, q1 in segs:
            if native:
                np.multiply(BX[p, :], BY[q0:q1, :], out=kr_b[o:o + q1 - q0, :])
                np.multiply(AX[p, :], AY[q0:q1, :], out=kr_a[o:o + q1 - q0, :])
            else:
                kr_b[o:o + q1 - q0, :] = BX[p, :] * BY[q0:q1, :]
                kr_a[o:o + q1 - q0, :] = AX[p, :] * AY[q0:q1, :]
            o += q1 - q0
        acc = None
        for r0 in range(0, n_out, block):
            r1 = min(n_out, r0 + block)
            if native:
                if cached:
                    mat = whole[r0:r1, :]
                else:
                    mat = mask_block[:(r1 - r0) * n_in].reshape(r1 - r0, n_in)
                    np.copyto(mat, M[r0:r1, :])
                prod = np.matmul(kr_a[:o, :], mat.T,
                                 out=products[:o * (r1 - r0)].reshape(o, r1 - r0))
            else:
                prod = kr_a[:o, :] @ xp.matrix_transpose(xp.astype(M[r0:r1, :], dtype))
            part = xp.vecdot(prod, kr_b[:o, r0:r1])
            acc = part if acc is None else acc + part
        pieces.append(acc)
    return xp.concat(pieces) if len(pieces) > 1 else pieces[0]


def empirical_ntk(net: MaskedNetwork, X, Y=None, *, chunk_bytes: int = DEFAULT_CHUNK_BYTES,
                  memory_limit: int | None = None):
    """The empirical NTK Gram matrix Theta_n(x_p, y_q) (N x N, or N x M with ``Y``).

    Sums over kept weights only.  Exact up to float rounding (no sampling, no
    finite differences); the result is in the network's array namespace and
    dtype.  ``chunk_bytes`` bounds the work space of one chunk of input pairs;
    a request whose :func:`estimate_memory` exceeds ``memory_limit`` (bytes,
    default half the physical memory, or of the GPU) is refused with
    :class:`~theory.InvalidArgument` rather than risking the process.

    >>> import numpy as np
    >>> from theory import Architecture
    >>> from numerics.networks.sampling import sample_network
    >>> net = sample_network(Architecture.pruned(1, "0.5"), 8, seed=0, input_dim=3)
    >>> K = empirical_ntk(net, np.eye(3))
    >>> reference = empirical_ntk_bruteforce(net, np.eye(3))
    >>> K.shape, bool((K == K.T).all()), bool(np.allclose(K, reference, rtol=1e-13))
    ((3, 3), True, True)
    """
    net = _check_net(net)
    xp = net.xp
    X = as_batch(net, X, "X")
    sym = Y is None
    Y = X if sym else as_batch(net, Y, "Y")
    n_x, n_y = X.shape[0], Y.shape[0]
    chunk_bytes = check_int(chunk_bytes, "chunk_bytes", 1)
    limit = default_memory_limit(xp) if memory_limit is None else \
        check_int(memory_limit, "memory_limit", 1)
    need = estimate_memory(net, n_x, None if sym else n_y, chunk_bytes=chunk_bytes)
    if need > limit:
        raise InvalidArgument("X", f"{n_x} x {n_y} Gram matrix",
                              f"needs about {need / 2**30:.3g} GiB, over the limit of "
                              f"{limit / 2**30:.3g} GiB",
                              "use fewer inputs or a narrower network, or raise memory_limit")
    fwd = forward(net, X if sym else xp.concat([X, Y], axis=0))
    bwd = backward(net, fwd)
    packed = None
    dense = None
    for h, (M, r) in enumerate(zip(net.masks, net.layer_factors()), start=1):
        A, B = fwd.layer_inputs[h - 1], bwd[h - 1]
        AX, AY = (A, A) if sym else (A[:n_x, :], A[n_x:, :])
        BX, BY = (B, B) if sym else (B[:n_x, :], B[n_x:, :])
        if M is None:
            term = (BX @ xp.matrix_transpose(BY)) * (AX @ xp.matrix_transpose(AY))
            dense = term if dense is None else dense + term
            continue
        term = _masked_layer(xp, M, BX, BY, AX, AY, sym, chunk_bytes)
        if r != 1.0:
            term = term * (r * r)
        packed = term if packed is None else packed + term
    if not sym:
        full = None if packed is None else xp.reshape(packed, (n_x, n_y))
        return full if dense is None else (dense if full is None else full + dense)
    full = xp.empty((n_x, n_x), dtype=net.dtype, device=device(X))
    off = 0
    for p in range(n_x):            # mirror the upper triangle: exactly symmetric
        if packed is None:
            row = dense[p, p:]
        else:
            row = packed[off:off + n_x - p]
            if dense is not None:
                row = row + dense[p, p:]
        full[p, p:] = row
        full[p:, p] = row
        off += n_x - p
    return full
