"""Gould & Fernandez (1989) role counts as sparse products: the arithmetic of :func:`netdash.metrics.brokerage.brokerage_roles`.

Private to :mod:`netdash.metrics.brokerage`, which holds the definitions,
conventions and public functions; here is how the counts are made: every
two-path ``a -> b -> c`` with ``a != c``, less the closed ones (an arc
``a -> c``), split by group pattern, without a loop over triads.
"""

import numpy as np
import scipy.sparse as sp

from netdash.metrics.matrix import GraphMatrix
from netdash.metrics.structural_holes import _graphblas
from netdash.deferred import networkx as nx  # imported on first use

__all__ = []


def _binary_adjacency(G):
    """Binary CSR adjacency (directed view) without self-loops, in G's node order."""
    if len(G) == 0:
        return sp.csr_array((0, 0), dtype=np.int64)
    if isinstance(G, GraphMatrix):
        return G.binary
    A = nx.to_scipy_sparse_array(G, weight=None, format="csr", dtype=np.int64)
    A.setdiag(0)
    A.eliminate_zeros()
    A.data[:] = 1
    return A

_BLOCK_ROWS = 2048
#: Sum of squared degrees of the arcs' matrix above which :func:`_on_arcs` computes only the entries on arcs, by
#: a masked GraphBLAS product. The medium demo (81,474 arcs, 4.1e6) takes the same time either way, below the
#: cost of importing GraphBLAS; the large demo (827,191 arcs, 4.2e7) 0.18 s instead of 0.82 s per product
#: (docs/benchmarks.md, "Session 17").
_GRAPHBLAS_MIN_ARC_WORK = 1e7


def _on_arcs(X, Y, A):
    """``(X @ Y).multiply(A)`` as CSR, made in blocks of rows.

    The full product counts every two-path (about 35 million entries, over
    300 MB, for the large demo's 827,191 arcs) although only its entries on
    ``A``'s arcs are kept; a block of :data:`_BLOCK_ROWS` rows at a time holds
    a tenth of that. Integer sums, so the result is the same as in one go.
    """
    X, Y, A = sp.csr_array(X), sp.csr_array(Y), sp.csr_array(A)
    n = X.shape[0]
    degree = np.diff(A.indptr).astype(float)
    if float(degree @ degree) > _GRAPHBLAS_MIN_ARC_WORK:
        return _on_arcs_graphblas(X, Y, A)
    if n <= _BLOCK_ROWS:
        return (X @ Y).multiply(A).tocsr()
    return sp.vstack([(X[i:i + _BLOCK_ROWS] @ Y).multiply(A[i:i + _BLOCK_ROWS]).tocsr()
                      for i in range(0, n, _BLOCK_ROWS)], format="csr")


def _on_arcs_graphblas(X, Y, A):
    """:func:`_on_arcs` by a product masked by ``A``'s arcs (GraphBLAS): only the entries on arcs are computed.

    The same integer counts at the same arcs; an arc with no two-path has no
    entry, as in the scipy product. At regional scale (827,191 arcs) the
    three products of :func:`_role_counts` took most of its time in scipy
    (docs/benchmarks.md, "Session 17").
    """
    gb = _graphblas()
    n = X.shape[0]
    C = gb.Matrix(np.int64, n, n)
    C(mask=gb.io.from_scipy_sparse(sp.csr_matrix(A)).S) << gb.io.from_scipy_sparse(sp.csr_matrix(X)).mxm(
        gb.io.from_scipy_sparse(sp.csr_matrix(Y)), gb.semiring.plus_times)
    return sp.csr_array(gb.io.to_scipy_sparse(C, format="csr"))


#: Bits given to each count packed into one int64 by :func:`_closed_counts`.
_PACK_BITS = 16


def _closed_counts(A, A_w, outdeg):
    """Common out-neighbours ``c`` of the two ends of every arc ``a -> b``: all, with ``group(c) = group(b)``,
    with ``group(c) = group(a)`` (three CSR matrices on ``A``'s arcs).

    They are ``(A @ A.T)``, ``(A @ A_w.T)`` and ``(A_w @ A.T)`` at the arcs.
    While every count is below ``2**15`` (no practitioner contacts that many
    others), one product of ``A + 2**32 A_w`` by ``(A + 2**16 A_w).T`` gives
    all three at once, each in its own 16 bits of an int64 (with the count of
    ``c`` like both in the top bits): whole numbers, so the same counts as
    three products, for the time of one (docs/benchmarks.md, "Session 19:
    Brokerage at large").
    """
    if not len(outdeg) or int(outdeg.max()) >= 2 ** (_PACK_BITS - 1):
        return _on_arcs(A, A.T, A), _on_arcs(A, A_w.T, A), _on_arcs(A_w, A.T, A)
    low, high = 2 ** _PACK_BITS, 2 ** (2 * _PACK_BITS)
    packed = _on_arcs(sp.csr_array(A + high * A_w), sp.csr_array(A + low * A_w).T, A)
    mask = low - 1

    def field(shift):  # a zero count is kept as an explicit zero: it adds nothing to a broker's sum
        return sp.csr_array(((packed.data >> shift) & mask, packed.indices, packed.indptr), shape=packed.shape)

    return field(0), field(_PACK_BITS), field(2 * _PACK_BITS)


def _role_counts(A, codes):
    """Brokerage counts per node, shape (n, 5), in ROLE_FIELDS order.

    Counts every two-path a->b->c with a != c minus the closed ones (a->c
    present), split by group pattern, with sparse products instead of a loop
    over triads.
    """
    n = A.shape[0]
    if n == 0:
        return np.zeros((0, 5), dtype=np.int64)
    rows, cols = A.nonzero()
    same_arc = codes[rows] == codes[cols]
    # A_w keeps only arcs inside a group.
    A_w = sp.csr_array(
        (np.ones(same_arc.sum(), dtype=np.int64), (rows[same_arc], cols[same_arc])), shape=(n, n)
    )
    indeg = np.asarray(A.sum(axis=0)).ravel()
    outdeg = np.asarray(A.sum(axis=1)).ravel()
    in_same = np.asarray(A_w.sum(axis=0)).ravel()
    out_same = np.asarray(A_w.sum(axis=1)).ravel()
    in_diff = indeg - in_same
    out_diff = outdeg - out_same

    # a == c: reciprocated arcs a <-> b, by whether a is in b's group.
    recip = A.multiply(A.T)
    rec_all = np.asarray(recip.sum(axis=0)).ravel()
    rec_same = np.asarray(A_w.multiply(A_w.T).sum(axis=0)).ravel()
    rec_diff = rec_all - rec_same

    # Open pairs with a and c in the same (non-broker) group, before closure.
    k = int(codes.max()) + 1
    H = sp.csr_array((np.ones(n, dtype=np.int64), (np.arange(n), codes)), shape=(n, k))
    per_group = (A.T @ H).multiply(A @ H)  # in-ties from g times out-ties to g
    paired = np.asarray(per_group.sum(axis=1)).ravel()
    itinerant_raw = paired - in_same * out_same

    # Closed two-paths: for each arc a->b, the c with a->c and b->c.
    common, common_c_like_b, common_c_like_a = _closed_counts(A, A_w, outdeg)

    def _into_broker(M, mask):
        coo = M.tocoo()
        keep = mask(coo.row, coo.col)
        return np.bincount(coo.col[keep], weights=coo.data[keep], minlength=n).astype(np.int64)

    def a_like_b(r, c):
        return codes[r] == codes[c]

    def a_unlike_b(r, c):
        return codes[r] != codes[c]

    tri_all_same = _into_broker(common, a_like_b)
    tri_coord = _into_broker(common_c_like_b, a_like_b)
    tri_repr = tri_all_same - tri_coord
    tri_gate = _into_broker(common_c_like_b, a_unlike_b)
    tri_itin = _into_broker(common_c_like_a, a_unlike_b)
    tri_liaison = _into_broker(common, a_unlike_b) - tri_gate - tri_itin

    coordinator = in_same * out_same - rec_same - tri_coord
    itinerant = itinerant_raw - rec_diff - tri_itin
    representative = in_same * out_diff - tri_repr
    gatekeeper = in_diff * out_same - tri_gate
    liaison = in_diff * out_diff - itinerant_raw - tri_liaison
    return np.column_stack([coordinator, itinerant, representative, gatekeeper, liaison])
