"""Burt's constraint with its two-step product taken at the ties only (Over time's windows).

:func:`masked_constraint` gives the values of
:func:`netdash.metrics.structural_holes.constraint` to the bit. That
function forms scipy's whole ``P @ P`` and keeps its entries at ties: in a
quarter of the large demo (working ties) 5.1 M non-zeros to keep 0.28 M,
most of the time of Over time's eight windows. Here GraphBLAS computes only
the entries at ties (a masked product), adding each entry's terms in scipy's
order. Used by :func:`netdash.change.windows.headline_series` only; every other
caller keeps :mod:`netdash.metrics.structural_holes` (whose owner may adopt
this there). Figures: ``docs/benchmarks.md``, "Session 19: Over time and
Fragmentation at large".
"""

import numpy as np
import scipy.sparse as sp

from netdash.metrics import structural_holes
from netdash.metrics.backends import graphblas

__all__ = ["masked_constraint", "MASKED_MIN_WORK"]

#: Above this sum of squared degrees (and up to structural_holes' own GraphBLAS threshold, above which it already
#: takes products at ties) the two-step product is masked. Below it scipy's product is quicker than the masked one
#: with its conversions: medium's windows are all below it.
MASKED_MIN_WORK = 1e6


def masked_constraint(M):
    """Burt's constraint of every node of the GraphMatrix ``M``, in node order: NaN for isolates.

    The values of ``structural_holes.constraint(M)`` (its dict's values, in
    order), bit for bit: the same ``P`` (unweighted mutual weights, rows
    normalised) and the same sums, with ``(P @ P)`` computed only at the ties
    by :func:`_square_at_ties` when the graph is large enough for that to pay.

    Examples
    --------
    >>> from netdash.metrics.matrix import GraphMatrix
    >>> masked_constraint(GraphMatrix(["a", "b", "c", "d"], [0, 1], [1, 2])).tolist()
    [1.0, 0.5, 1.0, nan]
    """
    W = structural_holes._mutual_weights(M, None)
    degree = np.diff(W.indptr).astype(float)  # GraphMatrix.mutual stores each tie once, no zeros: a row's ties
    if MASKED_MIN_WORK < float(degree @ degree) <= structural_holes._GRAPHBLAS_MIN_WORK:
        P, _, isolate = structural_holes._proportions(W)
        indirect = _square_at_ties(W > 0, P)
        if indirect is not None:  # as structural_holes._arrays, with (P @ P).multiply(ties) taken at the ties
            values = np.asarray((P + indirect).power(2).sum(axis=1)).ravel()
            values[isolate] = np.nan
            return values
    return structural_holes._constraint_array(W)


def _square_at_ties(ties, P):
    """``(P @ P).multiply(ties)``, the same sparse array to the bit, by a masked product; None if it cannot be.

    An entry ``sum_q p_iq p_qj`` can change in its last bit with the order of
    its terms, so the terms are added in scipy's order: ``q`` as stored in
    row ``i`` of ``P``, which is decreasing (scipy's ``diags @ M`` writes each
    row backwards). GraphBLAS's row-by-row (saxpy) method on one thread adds
    them in the stored order of the left operand's row, which must be
    increasing: so the left operand is ``P`` with its columns numbered
    backwards (``q -> n - 1 - q``) and the right one ``P`` with its rows
    numbered backwards, whose product is ``P @ P``. Several threads or the
    dot-product method could add in another order. None when ``P``'s rows
    are not stored in decreasing order (then scipy's product is used).
    (Session 17's c3a71e3, reverted from structural_holes for ``netdash
    compare``'s memory, here for Over time's windows only.)
    """
    n, nnz = P.shape[0], P.nnz
    row = np.repeat(np.arange(n), np.diff(P.indptr))
    within = row[1:] == row[:-1]
    if not np.all(np.diff(P.indices)[within] < 0):
        return None
    if not ties.has_sorted_indices:  # the mask's order changes no sum
        ties = ties.sorted_indices()
    gb = graphblas()
    u64 = np.uint64

    def matrix(indptr, indices, values):
        return gb.Matrix.ss.import_csr(nrows=n, ncols=n, indptr=indptr.astype(u64), col_indices=indices.astype(u64),
                                       values=values, sorted_cols=True, take_ownership=True)

    left = matrix(P.indptr, n - 1 - P.indices, P.data.copy())
    right = matrix(nnz - P.indptr[::-1], P.indices[::-1], P.data[::-1].copy())
    mask = matrix(ties.indptr, ties.indices, np.ones(ties.nnz, dtype=bool))
    C = gb.Matrix(float, n, n)
    C(mask=mask.S, nthreads=1, axb_method="saxpy") << left.mxm(right, gb.semiring.plus_times)
    out = C.ss.export("csr", sort=True, give_ownership=True)
    for held in (left, right, mask):  # freed only by the cycle collector otherwise (C gave its arrays away)
        held.clear()
    return sp.csr_array((out["values"], out["col_indices"], out["indptr"]), shape=(n, n))
