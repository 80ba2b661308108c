"""Burt's (1992) structural-holes measures: constraint and effective size.

Both are computed for the whole graph at once with sparse matrices. This is
deliberate: networkx's ``constraint``/``effective_size`` called with
``nodes=[...]`` take a slow per-node path that only sees *successors* of a
node in a directed graph, so a practitioner who only receives ties gets NaN;
their whole-graph path divides by zero on isolates. Here:

* Ties are read undirected through *mutual weights*: ``m_ij = a_ij + a_ji``
  (for an undirected graph ``m_ij = a_ij``), so in-only and out-only nodes get
  finite values computed by Burt's definition.
* Self-loops are dropped before anything is computed.
* Isolates (no tie to anyone else) have constraint NaN (undefined: no
  contacts to be constrained by) and effective size 0 (no contacts).
* Weights are used when ``weight`` names an edge attribute (missing values
  count 1); they must be non-negative, and a zero-weight tie counts as absent.

Every function also accepts a :class:`netdash.metrics.matrix.GraphMatrix`
in place of ``G`` (its cached mutual-weight matrix is used, no conversion).
"""

import numpy as np
import pandas as pd
import scipy.sparse as sp

from netdash.metrics.backends import graphblas as _graphblas
from netdash.errors import InvalidInputError
from netdash.metrics.matrix import GraphMatrix
from netdash.deferred import networkx as nx  # imported on first use

__all__ = ["EXPLANATIONS", "constraint", "effective_size", "structural_holes"]

EXPLANATIONS = {
    "constraint": (
        "How boxed-in a practitioner is: high when all their contacts know each "
        "other (one closed circle), low when their contacts are in separate "
        "circles only they connect.",
        "c_i = sum over contacts j of (p_ij + sum_q p_iq p_qj)^2, p_ij = share of "
        "i's ties that go to j (Burt 1992).",
    ),
    "effective_size": (
        "How many separate circles a practitioner reaches: the number of "
        "contacts, less the overlap among them.",
        "e_i = sum over contacts j of (1 - sum_q p_iq m_jq), m_jq = j's tie to q "
        "over j's strongest tie (Burt 1992; for unweighted graphs n - 2t/n, Borgatti 1997).",
    ),
}


def _mutual_weights(G, weight):
    """Symmetric sparse mutual-weight matrix without self-loops."""
    if len(G) == 0:
        return sp.csr_array((0, 0), dtype=float)
    if isinstance(G, GraphMatrix):
        strengths = G.weight_array(weight)
        if len(strengths) and strengths.min() < 0:
            raise _negative(weight)
        return G.mutual(weight)
    A = nx.to_scipy_sparse_array(G, weight=weight, format="csr", dtype=float)
    A.setdiag(0)
    A.eliminate_zeros()
    if A.nnz and A.data.min() < 0:
        raise _negative(weight)
    M = (A + A.T) if G.is_directed() else A
    return sp.csr_array(M)


def _negative(weight):
    return InvalidInputError(
        f"Edge attribute '{weight}' has negative values; Burt's measures need "
        "non-negative tie strengths. Use counts or durations, or weight=None."
    )


def _proportions(M):
    """Row-normalised p_ij and row-max-normalised m_ij, plus the isolate mask."""
    total = np.asarray(M.sum(axis=1)).ravel()
    isolate = total == 0
    safe = np.where(isolate, 1.0, total)
    P = sp.csr_array(sp.diags_array(1.0 / safe) @ M)
    strongest = M.max(axis=1).toarray().ravel() if M.nnz else np.zeros(M.shape[0])
    Mx = sp.csr_array(sp.diags_array(1.0 / np.where(strongest > 0, strongest, 1.0)) @ M)
    return P, Mx, isolate


def _constraint_array(M):
    return _arrays(M, effective=False)[0]


def _effective_size_array(M):
    return _arrays(M, constraint=False)[1]


_MASKED_MIN_WORK = 1e6
"""Above this sum of squared degrees (and up to ``_GRAPHBLAS_MIN_WORK``) constraint's product can be masked.

:func:`_square_at_ties` gives scipy's floats computing only the entries at
ties; below this bound scipy's whole product is quicker than the masked one
with its conversions."""

_MASKED_MAX_FILL = 0.25
"""...and only while the work is at most this share of the ``n * n`` cells: scipy's product is then sparse.

The masked product still adds every term; what it saves is forming and then
dropping the product's entries off the ties, at most ``work`` of them but
never more than ``n * n``. At regional scale (18,500 practitioners, work/n^2
0.01-0.07) a period's direct ties (work 2.4e7) take 0.16 CPU s against
scipy's 0.55, Over time's quarters (work 4e6-7e6) 0.03-0.09 against 0.05-0.23.
The city-scale demo's whole period (2,000 practitioners, work 2e7, five times
n^2: a full product) gains 0.01 s, less than GraphBLAS's import (0.2 s), which
``netdash metrics`` there does not otherwise load: it keeps scipy, as do all
of that demo's networks. Figures: ``docs/benchmarks.md``, "Session 20: Before
& after's new setting at large"."""

_GRAPHBLAS_MIN_WORK = 5e7
"""Above this sum of squared degrees the products at ties are done by GraphBLAS.

scipy forms the whole two-step product and then keeps its entries at ties:
at regional scale (944,412 ties, sum of squared degrees 2.3e8) that is 107 M
non-zeros per product, which dominated structural holes' time and peak
memory there. A masked product computes only the entries at ties. Below the
threshold scipy finishes before GraphBLAS's import would. Time and memory
of both, and of the import: ``docs/benchmarks.md``, "_GRAPHBLAS_MIN_WORK"."""


def _arrays(M, *, constraint=True, effective=True):
    """Constraint (NaN for isolates) and effective size arrays of mutual-weight matrix ``M``.

    Both need a product only at the ties of ``M``: indirect investment
    ``(P @ P)_ij`` where ``j`` is a contact of ``i`` (constraint), and
    ``(P @ Mx^T)_ij`` for redundancy (effective size). Above
    ``_GRAPHBLAS_MIN_WORK`` both are GraphBLAS's masked products; below it,
    constraint's is :func:`_square_at_ties` (scipy's floats) when scipy's
    product would be large and sparse (``_MASKED_MIN_WORK``,
    ``_MASKED_MAX_FILL``); otherwise scipy's whole products, kept at the ties.
    """
    P, Mx, isolate = _proportions(M)
    ties = M > 0
    degree = np.asarray(ties.sum(axis=1)).ravel().astype(float)
    work = float(degree @ degree)
    if work > _GRAPHBLAS_MIN_WORK:
        indirect, redundancy = _products_at_ties_graphblas(ties, P, Mx, constraint=constraint, effective=effective)
    else:
        indirect = None
        if constraint and _MASKED_MIN_WORK < work <= _MASKED_MAX_FILL * float(M.shape[0]) ** 2:  # scipy's floats
            indirect = _square_at_ties(ties, P)
        if constraint and indirect is None:
            indirect = (P @ P).multiply(ties)
        redundancy = np.asarray((P @ Mx.T).multiply(ties).sum(axis=1)).ravel() if effective else None
    values = None
    if constraint:
        values = np.asarray((P + indirect).power(2).sum(axis=1)).ravel()
        values[isolate] = np.nan
    return values, (degree - redundancy if effective else None)


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
    (s19ot's, first for Over time's windows; session 17's c3a71e3 had been
    reverted for ``netdash compare``'s memory, which this one does not raise:
    ``docs/benchmarks.md``, "Session 20: Before & after's new setting at large".)
    """
    n, nnz = P.shape[0], P.nnz
    row = np.repeat(np.arange(n), np.diff(P.indptr))
    within = row[1:] == row[:-1]
    if not np.all(np.diff(P.indices)[within] < 0):
        return None
    if not ties.has_sorted_indices:  # the mask's order changes no sum
        ties = ties.sorted_indices()
    gb = _graphblas()
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


def _products_at_ties_graphblas(ties, P, Mx, *, constraint, effective):
    """``(P @ P)`` at ``ties`` (sparse) and the row sums of ``(P @ Mx^T)`` there, by masked products."""
    gb = _graphblas()
    n = P.shape[0]
    mask = gb.io.from_scipy_sparse(sp.csr_matrix(ties)).S
    Pg = gb.io.from_scipy_sparse(sp.csr_matrix(P))
    indirect = redundancy = None
    if constraint:
        C = gb.Matrix(float, n, n)
        C(mask=mask) << Pg.mxm(Pg, gb.semiring.plus_times)
        indirect = sp.csr_array(gb.io.to_scipy_sparse(C, format="csr"))
    if effective:
        R = gb.Matrix(float, n, n)
        # Unweighted (every m_jq 1), each entry of a row of P @ Mx^T sums copies of one number, p_iq = 1 / degree:
        # the same sum in any order, so SuiteSparse's row-by-row (Gustavson) product gives the same floats as its
        # default dot products, in about half the time at regional scale (docs/benchmarks.md, "Session 19:
        # Brokerage at large"). Weighted, the default method (and its order of summation) is kept.
        opts = {"axb_method": "gustavson"} if Mx.nnz and bool((Mx.data == 1.0).all()) else {}
        R(mask=mask, **opts) << Pg.mxm(gb.io.from_scipy_sparse(sp.csr_matrix(Mx)).T, gb.semiring.plus_times)
        R.wait()
        redundancy = R.reduce_rowwise(gb.monoid.plus).new().to_dense(fill_value=0.0)
    return indirect, redundancy


def constraint(G, *, weight=None):
    """Burt's constraint of every node.

    ``c_i = sum_{j in N(i)} (p_ij + sum_{q != i, j} p_iq p_qj)^2`` with
    ``p_ij = m_ij / sum_k m_ik`` and mutual weights ``m_ij = a_ij + a_ji``.

    Parameters
    ----------
    G : networkx graph
        Directed graphs are read through mutual weights (direction ignored),
        so nodes with only incoming ties get finite values. Self-loops dropped.
    weight : str or None, default None
        Edge attribute holding tie strength; None treats every tie as 1.

    Returns
    -------
    dict
        node -> constraint; NaN for isolates. Ranges from near 0 (many
        unconnected contacts) to above 1 (one contact, or a closed clique).

    Raises
    ------
    InvalidInputError
        If a weight is negative.

    References
    ----------
    Burt, R. S. (1992). *Structural Holes: The Social Structure of
    Competition.* Harvard University Press.

    Examples
    --------
    >>> constraint(nx.path_graph(["a", "b", "c"]))
    {'a': 1.0, 'b': 0.5, 'c': 1.0}
    """
    return dict(zip(G, _constraint_array(_mutual_weights(G, weight)).tolist()))


def effective_size(G, *, weight=None):
    """Burt's effective size of every node's ego network.

    ``e_i = sum_{j in N(i)} (1 - sum_{q} p_iq m_jq)`` with ``m_jq`` the mutual
    weight of ``j`` and ``q`` divided by ``j``'s largest mutual weight; for
    unweighted undirected graphs this is Borgatti's (1997) ``n - 2t/n``.

    Parameters
    ----------
    G : networkx graph
        Direction ignored (mutual weights); self-loops dropped.
    weight : str or None, default None
        Edge attribute holding tie strength; None treats every tie as 1.

    Returns
    -------
    dict
        node -> effective size; 0 for isolates.

    Raises
    ------
    InvalidInputError
        If a weight is negative.

    References
    ----------
    Burt (1992), above; Borgatti, S. P. (1997). Structural holes: unpacking
    Burt's redundancy measures. *Connections* 20(1), 35-38.

    Examples
    --------
    >>> effective_size(nx.star_graph(["hub", "a", "b", "c"]))["hub"]
    3.0
    """
    return dict(zip(G, _effective_size_array(_mutual_weights(G, weight)).tolist()))


def structural_holes(G, *, weight=None):
    """Constraint and effective size of every node, as one table.

    Parameters
    ----------
    G : networkx graph or GraphMatrix
        See :func:`constraint` for the conventions.
    weight : str or None, default None

    Returns
    -------
    pandas.DataFrame
        Indexed by ``practitioner_id`` in ``G``'s node order, columns
        ``constraint`` (NaN for isolates) and ``effective_size`` (0 for isolates).
    """
    constraint_values, effective = _arrays(_mutual_weights(G, weight))  # one conversion for both measures
    return pd.DataFrame(
        {
            "constraint": constraint_values,
            "effective_size": effective,
        },
        index=pd.Index(list(G), name="practitioner_id"),
    )
