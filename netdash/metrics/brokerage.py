"""Gould & Fernandez (1989) brokerage roles.

Practitioner ``b`` *brokers* the ordered pair ``(a, c)`` when ``a -> b -> c``,
``a != c`` and there is **no** arc ``a -> c`` (an arc ``c -> a`` does not
matter). Each brokered pair is classified by the groups of ``a`` (source),
``b`` (broker) and ``c`` (target):

* ``broker_coordinator``, A -> A -> A: all three in the broker's group.
* ``broker_itinerant``, A -> B -> A: a and c share a group, the broker is
  outside it (UCINET calls this "consultant").
* ``broker_representative``, A -> A -> B: a shares the broker's group, c does not.
* ``broker_gatekeeper``, A -> B -> B: c shares the broker's group, a does not.
* ``broker_liaison``, A -> B -> C: three different groups.

Some R documentation swaps the gatekeeper and representative labels; the
definitions above, from group membership, are the ones used throughout
netdash and agree with Gould & Fernandez's: the representative carries
contact *out of* their group, the gatekeeper lets contact *into* it.

Conventions: directed (an undirected graph is read as every edge in both
directions, as R's sna does), weights and parallel arcs ignored (ties are
binary), self-loops ignored; isolates and practitioners with only incoming
or only outgoing ties broker nothing (all zeros). ``G`` may also be a
:class:`netdash.metrics.matrix.GraphMatrix` (its cached binary adjacency is
used).
"""

import numpy as np
import pandas as pd
import scipy.sparse as sp

from netdash.errors import InvalidInputError
from netdash.metrics.matrix import GraphMatrix
from netdash.metrics.mixing import _group_codes, _node_groups
from netdash.metrics.structural_holes import _graphblas
from netdash.networks.codes import distinct_rows
from netdash.deferred import networkx as nx  # imported on first use

__all__ = [
    "EXPLANATIONS",
    "ROLE_FIELDS",
    "brokerage_roles",
    "brokerage_by_group",
    "brokerage_expected",
    "boundary_spanners",
]

ROLE_FIELDS = [
    "broker_coordinator",
    "broker_itinerant",
    "broker_representative",
    "broker_gatekeeper",
    "broker_liaison",
]
_FIELDS = [*ROLE_FIELDS, "broker_total"]

_GF = "Gould & Fernandez (1989)"
EXPLANATIONS = {
    "broker_coordinator": (
        "Times this person links two colleagues from their own agency who are "
        "not in direct contact.",
        f"Count of a->b->c, no a->c, group(a)=group(b)=group(c) ({_GF}).",
    ),
    "broker_itinerant": (
        "Times this person links two colleagues from another agency (both the "
        "same agency) who are not in direct contact.",
        f"Count of a->b->c, no a->c, group(a)=group(c)!=group(b) ({_GF}; UCINET 'consultant').",
    ),
    "broker_representative": (
        "Times this person carries contact from their own agency out to another agency.",
        f"Count of a->b->c, no a->c, group(a)=group(b)!=group(c) ({_GF}).",
    ),
    "broker_gatekeeper": (
        "Times this person lets contact from another agency into their own agency.",
        f"Count of a->b->c, no a->c, group(a)!=group(b)=group(c) ({_GF}).",
    ),
    "broker_liaison": (
        "Times this person links two other agencies, neither of them their own.",
        f"Count of a->b->c, no a->c, groups of a, b, c all different ({_GF}).",
    ),
    "broker_total": (
        "All the times this person sits between two colleagues who are not in direct contact.",
        f"Sum of the five brokerage roles ({_GF}).",
    ),
}

LIMITS = (
    "Expected values use Gould & Fernandez's random-graph null, as R's sna::brokerage: "
    "every arc is present independently with the network's density, given only the group "
    "sizes. It ignores that some practitioners have far more ties than others, that ties "
    "are often reciprocated and clustered, and that agencies differ in size of caseload; "
    "z-scores assume a normal approximation whose accuracy is unknown. Read large z-scores "
    "as 'more than a random network of this density', not as a significance test."
)


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


def _codes(G, groups):
    """:func:`netdash.metrics.mixing._group_codes` of ``G``, kept on a :class:`GraphMatrix` for a groups attribute.

    The page's summaries (:meth:`netdash.analysis.NetworkAnalysis.brokerage_summary`)
    ask three times for the codes of one read-only matrix; each caller gets
    its own copy.
    """
    if not (isinstance(G, GraphMatrix) and isinstance(groups, str)):
        return _group_codes(G, groups)
    kept = G.__dict__.setdefault("_brokerage_group_codes", {})
    if groups not in kept:
        kept[groups] = _group_codes(G, groups)
    codes, names = kept[groups]
    return codes.copy(), list(names)


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


def brokerage_roles(G, groups="agency"):
    """Gould & Fernandez brokerage counts for every practitioner.

    Parameters
    ----------
    G : networkx.DiGraph
        Contact or referral network. Direction matters: ``b`` brokers
        ``a -> c`` only if ``a -> b``, ``b -> c`` and no ``a -> c`` arc. An
        undirected graph is read as arcs both ways. Weights, parallel arcs and
        self-loops are ignored.
    groups : str or dict, default "agency"
        Node attribute holding the group, or a dict node -> group.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``practitioner_id`` in ``G``'s node order, integer columns
        ``broker_coordinator``, ``broker_itinerant``, ``broker_representative``,
        ``broker_gatekeeper``, ``broker_liaison``, ``broker_total``. Isolates
        and nodes with only in- or only out-ties have zeros.

    Raises
    ------
    InvalidInputError
        If some node has no group.

    References
    ----------
    Gould, R. V. & Fernandez, R. M. (1989). Structures of mediation: a formal
    approach to brokerage in transaction networks. *Sociological Methodology*
    19, 89-126.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b"), ("b", "c")])
    >>> roles = brokerage_roles(G, {"a": "Housing", "b": "Housing", "c": "GP"})
    >>> int(roles.loc["b", "broker_representative"])
    1
    """
    codes, _ = _codes(G, groups)
    counts = _role_counts(_binary_adjacency(G), codes)
    index = pd.Index(list(G), name="practitioner_id")
    frame = pd.DataFrame(counts, columns=ROLE_FIELDS, index=index)
    frame["broker_total"] = frame[ROLE_FIELDS].sum(axis=1)
    return frame.astype(np.int64)


def brokerage_by_group(G, groups="agency", *, roles=None):
    """Brokerage counts summed over the brokers of each group.

    Parameters
    ----------
    G : networkx.DiGraph
        As for :func:`brokerage_roles`.
    groups : str or dict, default "agency"
    roles : DataFrame, optional
        :func:`brokerage_roles` of the same ``G`` and ``groups``, when already
        computed (it is then not computed again).

    Returns
    -------
    pandas.DataFrame
        Indexed by group (``agency``, sorted), columns ``n_practitioners`` and
        the six ``broker_*`` fields. A group's row counts brokerage done *by*
        its members (Gould & Fernandez 1989).

    Raises
    ------
    InvalidInputError
        If some node has no group, or ``roles`` does not match ``G``.
    """
    codes, names = _codes(G, groups)
    roles = _same_roles(G, codes, roles)
    totals = roles.groupby(codes).sum().reindex(range(len(names)), fill_value=0)
    totals.index = pd.Index(names, name="agency")
    totals.insert(0, "n_practitioners", np.bincount(codes, minlength=len(names)))
    return totals.astype(np.int64)


def _expected_moments(N, d, sizes, own):
    """Expected count and variance of each role for one broker (Gould & Fernandez 1989)."""
    q = d * d * (1 - d)
    r = d**3 * (1 - d) ** 3
    others = np.delete(sizes, own)
    ni = sizes[own]
    means = np.array(
        [
            q * (ni - 1) * (ni - 2),
            q * np.sum(others * (others - 1)),
            q * (N - ni) * (ni - 1),
            q * (N - ni) * (ni - 1),
            q * (others.sum() ** 2 - np.sum(others**2)),
            q * (N - 1) * (N - 2),
        ]
    )
    extra = np.array(
        [
            2 * (ni - 1) * (ni - 2) * (ni - 3),
            2 * np.sum(others * (others - 1) * (others - 2)),
            2 * ((ni - 1) * (N - ni) * (N - ni - 1) / 2 + (N - ni) * (ni - 1) * (ni - 2) / 2),
            2 * ((ni - 1) * (N - ni) * (N - ni - 1) / 2 + (N - ni) * (ni - 1) * (ni - 2) / 2),
            4 * np.sum(others * (N - others - ni) * (N - others - ni - 1) / 2),
            2 * (N - 1) * (N - 2) * (N - 3),
        ]
    )
    return means, means * (1 - q) + extra * r


def _expected_moments_all(N, d, sizes):
    """:func:`_expected_moments` of every group at once: arrays of shape (6, groups), the same floats.

    The sums over the other groups are whole numbers (sums of products of
    group sizes), here found as the sum over all groups less the group's
    own term, in integers, then converted: exact while every partial sum
    stays below 2**53, which ``N**3 < 2**53`` ensures; above it
    :func:`_expected_moments` is called per group. The rest is the same
    arithmetic on arrays instead of scalars, in the same order.
    """
    if N ** 3 >= 2.0 ** 53:
        moments = [_expected_moments(N, d, sizes, g) for g in range(len(sizes))]
        return (np.array([m[0] for m in moments]).T.reshape(6, -1),
                np.array([m[1] for m in moments]).T.reshape(6, -1))
    q = d * d * (1 - d)
    r = d**3 * (1 - d) ** 3
    s = sizes.astype(np.int64)
    p1, p2, p3 = int(s.sum()), int((s * s).sum()), int((s * s * s).sum())
    others = p1 - s  # per group: the other groups' sizes summed
    rest = int(N) - s  # N - n_i
    pairs = (p2 - p1) - s * (s - 1)  # sum over others of o (o - 1)
    triples = (p3 - 3 * p2 + 2 * p1) - s * (s - 1) * (s - 2)  # sum over others of o (o - 1) (o - 2)
    squares = p2 - s * s  # sum over others of o**2
    # sum over others of o (r - o) (r - o - 1) / 2 with r = N - n_i: (r**2 - r) S1 + (1 - 2 r) S2 + S3 over all
    # groups, less the group's own term; every o (r - o) (r - o - 1) is even.
    spread = ((rest * rest - rest) * p1 + (1 - 2 * rest) * p2 + p3 - s * (rest - s) * (rest - s - 1)) // 2
    ni = sizes
    means = np.array(
        [
            q * (ni - 1) * (ni - 2),
            q * pairs.astype(float),
            q * (N - ni) * (ni - 1),
            q * (N - ni) * (ni - 1),
            q * (others * others - squares).astype(float),
            np.full(len(ni), q * (N - 1) * (N - 2)),
        ]
    )
    extra = np.array(
        [
            2 * (ni - 1) * (ni - 2) * (ni - 3),
            2 * triples.astype(float),
            2 * ((ni - 1) * (N - ni) * (N - ni - 1) / 2 + (N - ni) * (ni - 1) * (ni - 2) / 2),
            2 * ((ni - 1) * (N - ni) * (N - ni - 1) / 2 + (N - ni) * (ni - 1) * (ni - 2) / 2),
            4 * spread.astype(float),
            np.full(len(ni), 2 * (N - 1) * (N - 2) * (N - 3)),
        ]
    )
    return means, means * (1 - q) + extra * r


def _same_roles(G, codes, roles):
    """``roles`` checked against ``G``'s nodes, or :func:`brokerage_roles` of ``G`` when None."""
    if roles is None:
        return brokerage_roles(G, dict(zip(G, codes)))
    if list(roles.index) != list(G) or list(roles.columns) != _FIELDS:
        raise InvalidInputError(
            f"roles must be brokerage_roles() of the same graph: expected {len(G)} rows in the graph's node "
            f"order with columns {_FIELDS}, got {len(roles)} rows with columns {list(roles.columns)}. "
            "Pass roles=brokerage_roles(G, groups), or leave roles out.")
    return roles


def brokerage_expected(G, groups="agency", *, roles=None):
    """Observed brokerage against Gould & Fernandez's random-graph expectation.

    For a broker in a group of size ``n_i`` in a network of ``N`` nodes and
    density ``d = arcs / (N (N - 1))``, each ordered pair is brokered with
    probability ``d^2 (1 - d)``; the expected count of a role is that times the
    number of pairs with the role's group pattern, e.g. coordinator
    ``d^2 (1-d) (n_i-1)(n_i-2)``, representative and gatekeeper
    ``d^2 (1-d) (n_i-1)(N-n_i)``. Variances are Gould & Fernandez's, as
    implemented in R's sna::brokerage (``exp.nli``, ``sd.nli``, ``z.nli``),
    whose values this function reproduces.

    Parameters
    ----------
    G : networkx.DiGraph
        As for :func:`brokerage_roles`; density counts arcs (an undirected
        edge is two arcs), without self-loops.
    groups : str or dict, default "agency"
    roles : DataFrame, optional
        :func:`brokerage_roles` of the same ``G`` and ``groups``, when already
        computed (it is then not computed again).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``practitioner_id``; for each field ``f`` of ``broker_*``:
        ``f`` (observed), ``f_expected``, ``f_sd`` and ``f_z`` (NaN where the
        standard deviation is 0, e.g. an empty or complete network). The
        frame's ``attrs["limits"]`` holds a plain note on what the null ignores.

    Raises
    ------
    InvalidInputError
        If some node has no group, or ``roles`` does not match ``G``.
    """
    codes, _ = _codes(G, groups)
    A = _binary_adjacency(G)
    observed = _same_roles(G, codes, roles)
    N = float(len(codes))
    d = A.nnz / (N * (N - 1)) if N > 1 else 0.0
    sizes = np.bincount(codes).astype(float) if len(codes) else np.zeros(0)
    means, variances = _expected_moments_all(N, d, sizes)
    columns = {}
    for j, field in enumerate(_FIELDS):
        mean = means[j][codes]
        sd = np.sqrt(variances[j][codes])
        obs = observed[field].to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(sd > 0, (obs - mean) / np.where(sd > 0, sd, 1.0), np.nan)
        columns[field] = observed[field].to_numpy()
        columns[f"{field}_expected"] = mean
        columns[f"{field}_sd"] = sd
        columns[f"{field}_z"] = z
    frame = pd.DataFrame(columns, index=observed.index)
    frame.attrs["limits"] = LIMITS
    return frame


def _spanner_rows(M, labels, min_other_groups):
    """:func:`boundary_spanners`' rows for a :class:`GraphMatrix`, from its adjacency: no networkx graph.

    The same rows, in the same (node) order, as the loop over a networkx
    graph's neighbours: a neighbour either way counts once. Each row's
    agencies are put in order by one sort of all (node, agency) pairs, by
    the rank of the agency's name as a string among all names (Python's
    string order, as ``sorted`` of the names gives), not by a ``sorted``
    call per row (docs/benchmarks.md, "Session 19: Brokerage at large").
    """
    values = [labels[v] for v in M.nodes]
    codes, names = pd.factorize(np.asarray(values, dtype=object))
    S = M.symmetric
    node = np.repeat(np.arange(len(M.nodes)), np.diff(S.indptr))
    other = codes[S.indices]
    cross = other != codes[node]
    node, other = node[cross], other[cross]
    ties = np.bincount(node, minlength=len(M.nodes))
    node, other = distinct_rows(node, other)
    reached = np.bincount(node, minlength=len(M.nodes))
    text = [str(name) for name in names]
    rank = np.empty(len(text), dtype=np.int64)
    rank[sorted(range(len(text)), key=text.__getitem__)] = np.arange(len(text))
    order = np.lexsort((rank[other], node))  # by node, then by the name's string order
    listed = np.asarray(text, dtype=object)[other[order]]
    starts = np.r_[0, np.cumsum(reached)]
    kept = np.flatnonzero(reached >= min_other_groups)
    return [(M.nodes[v], values[v], n, ";".join(listed[start:end].tolist()), t)
            for v, n, t, start, end in zip(kept.tolist(), reached[kept].tolist(), ties[kept].tolist(),
                                           starts[kept].tolist(), starts[kept + 1].tolist())]


def boundary_spanners(G, groups="agency", *, min_other_groups=2, roles=None):
    """Practitioners whose ties reach at least ``min_other_groups`` other agencies.

    Parameters
    ----------
    G : networkx.Graph or DiGraph, or GraphMatrix
        Ties in either direction count (a tie reaches the agency of the
        colleague at its other end).
    groups : str or dict, default "agency"
    min_other_groups : int, default 2
        The issue's definition of a boundary spanner: ties into two or more
        agencies other than one's own.
    roles : DataFrame, optional
        Output of :func:`brokerage_roles` to join (on the directed contact
        graph, which may differ from ``G``).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``practitioner_id``: ``agency``, ``other_agencies`` (count),
        ``other_agency_list`` (sorted, ``;``-separated), ``cross_agency_ties``
        and, when ``roles`` is given, its columns. Sorted by other_agencies
        then cross_agency_ties, descending.

    Examples
    --------
    >>> G = nx.Graph([("a", "b"), ("a", "c"), ("d", "b")])
    >>> spans = boundary_spanners(G, {"a": "H", "b": "MH", "c": "GP", "d": "H"})
    >>> list(spans.index), int(spans.loc["a", "other_agencies"])
    (['a'], 2)
    """
    labels = _node_groups(G, groups)
    if isinstance(G, GraphMatrix):
        rows = _spanner_rows(G, labels, min_other_groups)
    else:
        U = G.to_undirected(as_view=True) if G.is_directed() else G
        rows = []
        for v in U:
            others = {labels[u] for u in U[v] if u != v and labels[u] != labels[v]}
            if len(others) >= min_other_groups:
                cross = sum(1 for u in U[v] if u != v and labels[u] != labels[v])
                rows.append((v, labels[v], len(others), ";".join(sorted(map(str, others))), cross))
    frame = pd.DataFrame(
        rows, columns=["practitioner_id", "agency", "other_agencies", "other_agency_list", "cross_agency_ties"]
    ).set_index("practitioner_id")
    if roles is not None:
        frame = frame.join(roles, how="left").fillna({c: 0 for c in roles.columns})
    return frame.sort_values(["other_agencies", "cross_agency_ties"], ascending=False)
