"""Mixing between agencies: Krackhardt & Stern's E-I index and the mixing matrix.

The E-I index (Krackhardt & Stern 1988) compares ties that cross a group
boundary (external, E) with ties inside a group (internal, I):
``EI = (E - I) / (E + I)``, from -1 (every tie stays inside its agency) to +1
(every tie crosses agencies).

Conventions shared by every function here:

* ``groups`` is either a node-attribute name (default ``"agency"``) or a dict
  mapping every node to its group.
* Undirected graphs count each edge once; directed graphs count each arc, so a
  reciprocated pair is two ties. Parallel edges of a multigraph each count.
* Edge weights are ignored. Self-loops are ignored (a tie to oneself is
  neither internal nor external).
* A measure with no ties to count is NaN, never 0.
* ``G`` may also be a :class:`netdash.metrics.matrix.GraphMatrix` (one
  tie per pair: its arrays are used directly, no pass over networkx edges).
"""

import itertools
import math
import weakref

import numpy as np
import pandas as pd

from netdash.errors import InvalidInputError
from netdash.metrics.matrix import GraphMatrix
from netdash.deferred import networkx as nx  # imported on first use

__all__ = [
    "EXPLANATIONS",
    "ei_index",
    "ei_by_group",
    "ei_by_node",
    "ei_permutation_test",
    "mixing_matrix",
    "collapse_mixing",
    "sector_label",
    "group_mixing",
]

EXPLANATIONS = {
    "ei_index": (
        "How outward-looking the ties are: -1 means every tie stays inside its "
        "own agency, +1 means every tie crosses to another agency, 0 an even split.",
        "EI = (E - I) / (E + I), E = ties between agencies, I = ties within an "
        "agency (Krackhardt & Stern 1988).",
    ),
}

_MAX_LISTED = 5


#: GraphMatrix -> {attribute name: (codes, names)} of :func:`_group_codes`, dropped with the matrix. A GraphMatrix is
#: read-only once built (its node attributes too), so the codes stay right.
_KEPT_CODES = weakref.WeakKeyDictionary()


def _node_groups(G, groups="agency"):
    """Return ``{node: group}`` for every node of ``G``.

    Shared by the group-based measures (mixing, brokerage, communities).

    Raises
    ------
    InvalidInputError
        If ``groups`` is neither a string nor a mapping, or some nodes have no
        group (missing attribute, missing key, or a None/NaN value).
    """
    if isinstance(groups, str) and isinstance(G, GraphMatrix):
        labels = G.node_labels(groups)
        source = f"node attribute '{groups}'"
        fix = f"Set '{groups}' on every practitioner, or pass groups as a dict node -> group."
    elif isinstance(groups, str):
        labels = {v: G.nodes[v].get(groups) for v in G}
        source = f"node attribute '{groups}'"
        fix = f"Set '{groups}' on every practitioner, or pass groups as a dict node -> group."
    elif hasattr(groups, "get"):
        labels = {v: groups.get(v) for v in G}
        source = "the groups mapping"
        fix = "Add the missing practitioners to the mapping."
    else:
        raise InvalidInputError(
            "groups must be a node-attribute name (such as 'agency') or a dict "
            f"node -> group; received {type(groups).__name__}. "
            "Pass groups='agency' or a dict."
        )
    missing = [
        v for v, g in labels.items() if g is None or (isinstance(g, float) and math.isnan(g))
    ]
    if missing:
        shown = ", ".join(repr(v) for v in missing[:_MAX_LISTED])
        more = f" and {len(missing) - _MAX_LISTED} more" if len(missing) > _MAX_LISTED else ""
        raise InvalidInputError(
            f"{len(missing)} node(s) have no group in {source}: {shown}{more}. {fix}",
            problems=[f"node {v!r} has no group" for v in missing],
        )
    return labels


def _group_codes(G, groups):
    """Return (codes array in G's node order, sorted list of group names), the caller's own copies.

    For a :class:`GraphMatrix` and an attribute name they are made once per
    matrix and kept while it lives (:data:`_KEPT_CODES`): Brokerage's three
    summaries, E-I and the mixing matrix of one matrix label its nodes once.
    Every caller gets copies, so none can change another's.
    """
    if not (isinstance(G, GraphMatrix) and isinstance(groups, str)):
        return _make_group_codes(G, groups)
    kept = _KEPT_CODES.setdefault(G, {})
    if groups not in kept:
        codes, names = _make_group_codes(G, groups)
        kept[groups] = codes, tuple(names)
    codes, names = kept[groups]
    return codes.copy(), list(names)


def _make_group_codes(G, groups):
    """:func:`_group_codes`, computed."""
    labels = _node_groups(G, groups)
    names = sorted(set(labels.values()), key=str)
    index = {g: i for i, g in enumerate(names)}
    codes = np.fromiter((index[labels[v]] for v in G), dtype=np.int64, count=len(labels))
    return codes, names


def _tie_endpoints(G):
    """Return integer endpoint arrays (u, v) of every non-self-loop tie."""
    if isinstance(G, GraphMatrix):
        return G.source, G.target
    position = {v: i for i, v in enumerate(G)}
    # Both ends of every edge in one flat pass (no tuple per edge); self-loops are the rows with equal ends.
    ends = list(itertools.chain.from_iterable(G.edges()))
    arr = np.fromiter(map(position.__getitem__, ends), dtype=np.int64, count=len(ends)).reshape(-1, 2)
    arr = arr[arr[:, 0] != arr[:, 1]]
    return arr[:, 0], arr[:, 1]


def _ei(external, internal):
    total = external + internal
    return float("nan") if total == 0 else (external - internal) / total


def ei_index(G, groups="agency"):
    """Krackhardt & Stern's E-I index of the whole network.

    Parameters
    ----------
    G : networkx graph
        Undirected edges count once, directed arcs each count; weights and
        self-loops are ignored.
    groups : str or dict, default "agency"
        Node attribute holding the group, or a dict node -> group.

    Returns
    -------
    float
        ``(E - I) / (E + I)`` in [-1, 1]; NaN if the graph has no ties.

    Raises
    ------
    InvalidInputError
        If some node has no group.

    References
    ----------
    Krackhardt, D. & Stern, R. N. (1988). Informal networks and organizational
    crises: an experimental simulation. *Social Psychology Quarterly* 51(2), 123-140.

    Examples
    --------
    >>> G = nx.Graph([("a", "b"), ("b", "c")])
    >>> ei_index(G, {"a": "X", "b": "X", "c": "Y"})
    0.0
    """
    codes, _ = _group_codes(G, groups)
    u, v = _tie_endpoints(G)
    internal = int(np.count_nonzero(codes[u] == codes[v]))
    return _ei(len(u) - internal, internal)


def ei_by_group(G, groups="agency"):
    """Internal ties, external ties and the E-I index of each group.

    A tie inside a group is internal to it; a tie between two groups is
    external to both (so the external column sums to twice the number of
    cross-group ties). For directed graphs both arcs out of and into the
    group count. Weights and self-loops are ignored (Krackhardt & Stern 1988).

    Parameters
    ----------
    G : networkx graph
    groups : str or dict, default "agency"

    Returns
    -------
    pandas.DataFrame
        Indexed by group (``agency``), sorted by name, with columns
        ``n_practitioners``, ``internal``, ``external``, ``ei_index``
        (NaN for a group with no ties).
    """
    codes, names = _group_codes(G, groups)
    u, v = _tie_endpoints(G)
    k = len(names)
    same = codes[u] == codes[v]
    internal = np.bincount(codes[u][same], minlength=k)
    external = np.bincount(codes[u][~same], minlength=k) + np.bincount(
        codes[v][~same], minlength=k
    )
    frame = pd.DataFrame(
        {
            "n_practitioners": np.bincount(codes, minlength=k),
            "internal": internal,
            "external": external,
        },
        index=pd.Index(names, name="agency"),
    )
    frame["ei_index"] = [_ei(e, i) for e, i in zip(external, internal)]
    return frame


def ei_by_node(G, groups="agency"):
    """E-I index of each practitioner's own ties.

    For directed graphs a practitioner's ties are both in- and out-arcs.
    Weights and self-loops are ignored; isolates get NaN (Krackhardt & Stern 1988).

    Parameters
    ----------
    G : networkx graph
    groups : str or dict, default "agency"

    Returns
    -------
    dict
        node -> E-I index in [-1, 1], NaN for nodes without ties.

    Examples
    --------
    >>> G = nx.Graph([("a", "b"), ("b", "c")])
    >>> G.add_node("d")
    >>> ei_by_node(G, {"a": "X", "b": "X", "c": "Y", "d": "Y"})
    {'a': -1.0, 'b': 0.0, 'c': 1.0, 'd': nan}
    """
    codes, _ = _group_codes(G, groups)
    u, v = _tie_endpoints(G)
    n = len(codes)
    same = codes[u] == codes[v]
    internal = np.bincount(u[same], minlength=n) + np.bincount(v[same], minlength=n)
    external = np.bincount(u[~same], minlength=n) + np.bincount(v[~same], minlength=n)
    return {node: _ei(int(e), int(i)) for node, e, i in zip(G, external, internal)}


def ei_permutation_test(G, groups="agency", *, permutations=1000, seed=None):
    """Is the E-I index further from chance than a random relabelling gives?

    The null keeps the network and the group sizes and shuffles which
    practitioner belongs to which group (a permutation test; Krackhardt &
    Stern 1988, as in UCINET's E-I routine). The two-sided p-value counts
    permutations at least as far from the permutation mean as the observed
    value, with the +1 correction so it is never 0 (Phipson & Smyth 2010).

    Parameters
    ----------
    G : networkx graph
    groups : str or dict, default "agency"
    permutations : int, default 1000
        Number of random relabellings (at least 1).
    seed : int, numpy Generator or None
        Seed for the relabelling; pass an int for reproducible p-values.

    Returns
    -------
    dict
        ``observed``, ``expected`` (mean over permutations), ``p_value``
        (two-sided), ``permutations``. With no ties every value but
        ``permutations`` is NaN.

    Raises
    ------
    InvalidInputError
        If ``permutations`` is not a positive integer, or a node has no group.
    """
    if isinstance(permutations, bool) or not isinstance(permutations, (int, np.integer)) or (
        permutations < 1
    ):
        raise InvalidInputError(
            f"permutations must be a positive whole number; received {permutations!r}. "
            "Use for example permutations=1000."
        )
    codes, _ = _group_codes(G, groups)
    u, v = _tie_endpoints(G)
    observed = ei_index(G, groups)
    if len(u) == 0:
        nan = float("nan")
        return {"observed": nan, "expected": nan, "p_value": nan, "permutations": int(permutations)}
    rng = np.random.default_rng(seed)
    simulated = np.empty(permutations)
    # Relabellings are drawn in batches of about four million labels (180 at regional scale, every one of them
    # at city scale): _internal_ties reads a batch's labels together, a whole number of 64-bit words of them.
    # Batches do not change the draws: rng.permuted shuffles the rows one after the other, whatever their number.
    batch = max(_WORD_ROWS, 4_000_000 // max(len(codes), 1) // _WORD_ROWS * _WORD_ROWS)
    # The smallest integer type: the draws, and so the values, are the same as with the int64 codes.
    codes = codes.astype(np.min_scalar_type(max(int(codes.max(initial=0)), 0)), copy=False)
    for start in range(0, permutations, batch):
        stop = min(start + batch, permutations)
        labels = rng.permuted(np.broadcast_to(codes, (stop - start, len(codes))), axis=1)
        simulated[start:stop] = (len(u) - 2 * _internal_ties(labels, u, v)) / len(u)
    expected = float(simulated.mean())
    # The tolerance keeps ties with the observed value from being lost to rounding.
    extreme = np.abs(simulated - expected) >= abs(observed - expected) - 1e-12
    p_value = (1 + int(extreme.sum())) / (1 + permutations)
    return {
        "observed": observed,
        "expected": expected,
        "p_value": float(p_value),
        "permutations": int(permutations),
    }


#: Relabellings per batch of :func:`ei_permutation_test` are a multiple of this: a whole number of words of
#: :func:`_internal_ties` whatever its lanes (5, 4, 3, 2 or 1 a word).
_WORD_ROWS = 60

#: Ties read at a time by :func:`_internal_ties`: its arrays stay in cache, and a lane's count (at most this) fits
#: its 12 or more bits.
_TIE_CHUNK = 2048


def _internal_ties(labels, u, v):
    """Ties ``u[i]``-``v[i]`` whose two ends share a label, for each row of ``labels`` (one relabelling a row).

    Several relabellings are read at once as the lanes of one 64-bit word
    per node: lanes of ``f`` bits, each label below ``2**(f - 1)``, so a
    lane's top bit is spare (five lanes of 12 bits for labels below 2,048,
    as the large demo's 1,200 agencies; four of 16 below 32,768; ...). For a
    tie, the lanes of ``x = word[u] ^ word[v]`` are zero where that
    relabelling puts both ends in one group; ``x + (2**(f-1) - 1)`` in each
    lane sets the lane's top bit exactly where the lane is not zero, and no
    lane carries into the next. Those bits, shifted to the bottom of their
    lanes, are summed over :data:`_TIE_CHUNK` ties at a time (a lane counts
    to at most ``2**f - 1``, never into the next), gathering each node's
    words for all the batch's relabellings in one row. The counts are the
    same integers as comparing each relabelling's ends one at a time.
    """
    rows, n = labels.shape
    m = len(u)
    counts = np.zeros(rows, dtype=np.int64)
    if rows == 0 or m == 0:
        return counts
    bits = max(int(labels.max(initial=0)).bit_length(), 1)
    lanes = 64 // max(bits + 1, 12)
    f = 64 // lanes
    words = -(-rows // lanes)
    packed = np.zeros((n, words), dtype=np.uint64)  # node i's words, one per `lanes` relabellings
    for lane in range(lanes):
        part = labels[lane::lanes]
        packed[:, :len(part)] |= part.T.astype(np.uint64) << np.uint64(f * lane)
    low = np.uint64(sum(((1 << (f - 1)) - 1) << (f * lane) for lane in range(lanes)))
    top = np.uint64(sum(1 << (f - 1) << (f * lane) for lane in range(lanes)))
    shift = np.uint64(f - 1)
    sums = np.empty((-(-m // _TIE_CHUNK), words), dtype=np.uint64)
    for chunk, first in enumerate(range(0, m, _TIE_CHUNK)):
        x = packed[u[first:first + _TIE_CHUNK]]
        x ^= packed[v[first:first + _TIE_CHUNK]]
        x += low
        x &= top
        x >>= shift
        x.sum(axis=0, out=sums[chunk])
    field = np.uint64((1 << f) - 1)
    for lane in range(lanes):
        differ = ((sums >> np.uint64(f * lane)) & field).sum(axis=0, dtype=np.int64)
        counts[lane::lanes] = m - differ[:len(range(lane, rows, lanes))]
    return counts


def mixing_matrix(G, groups="agency"):
    """Tie counts between every pair of groups.

    Undirected: symmetric, a tie between agencies A and B appears in both
    cell (A, B) and cell (B, A); the diagonal counts within-agency ties once.
    Directed: rows are the sending agency, columns the receiving agency.
    Weights and self-loops are ignored.

    Parameters
    ----------
    G : networkx graph
    groups : str or dict, default "agency"

    Returns
    -------
    pandas.DataFrame
        Square, indexed and labelled by group name (sorted), integer counts.

    Examples
    --------
    >>> G = nx.Graph([("a", "b"), ("b", "c")])
    >>> mixing_matrix(G, {"a": "X", "b": "X", "c": "Y"}).values.tolist()
    [[1, 1], [1, 0]]
    """
    codes, names = _group_codes(G, groups)
    u, v = _tie_endpoints(G)
    k = len(names)
    counts = np.zeros((k, k), dtype=np.int64)
    np.add.at(counts, (codes[u], codes[v]), 1)
    if not G.is_directed():
        counts = counts + counts.T - np.diag(np.diag(counts))
    index = pd.Index(names, name="agency")
    return pd.DataFrame(counts, index=index, columns=pd.Index(names, name="agency_to"))


def collapse_mixing(matrix, to_group, *, directed=False):
    """A mixing matrix of finer groups summed into coarser ones (e.g. agencies into sectors).

    Parameters
    ----------
    matrix : pandas.DataFrame
        Square, as returned by :func:`mixing_matrix` (or a difference of
        two of them): same labels on both axes.
    to_group : dict or pandas.Series
        Every label of ``matrix`` -> its coarser group.
    directed : bool, default False
        Whether ``matrix`` counts arcs of a directed graph.

    Returns
    -------
    pandas.DataFrame
        Square, labelled by the coarser groups (sorted). The same counts
        :func:`mixing_matrix` gives on the graph with nodes labelled by the
        coarser group: an undirected tie between two agencies of one sector
        is counted once on the sector's diagonal, although the agency matrix
        holds it in two cells, (A, B) and (B, A).

    Raises
    ------
    InvalidInputError
        If a label of ``matrix`` has no group in ``to_group``.

    Examples
    --------
    Agencies h1 and h2 are housing, m1 mental health; one tie inside h1, one
    between h1 and h2, one between h2 and m1:

    >>> G = nx.Graph([("a", "b"), ("a", "c"), ("c", "d")])
    >>> agency = {"a": "h1", "b": "h1", "c": "h2", "d": "m1"}
    >>> sector = {"h1": "housing", "h2": "housing", "m1": "mental health"}
    >>> collapse_mixing(mixing_matrix(G, agency), sector).values.tolist()
    [[2, 1], [1, 0]]
    """
    missing = [label for label in matrix.index if label not in to_group]
    if missing:
        raise InvalidInputError(
            f"No group for {len(missing)} label(s) of the mixing matrix, e.g. {missing[0]!r}: "
            "give every agency its sector.")
    rows = matrix.index.map(lambda label: to_group[label])
    cols = matrix.columns.map(lambda label: to_group[label])
    summed = matrix.groupby(rows).sum().T.groupby(cols).sum().T
    names = sorted(set(rows) | set(cols), key=str)
    summed = summed.reindex(index=names, columns=names, fill_value=0)
    if not directed:
        # Off-diagonal cells inside one coarse group were summed from both (A, B) and (B, A).
        own = pd.Series(np.diag(matrix.to_numpy()), index=rows).groupby(level=0).sum().reindex(names, fill_value=0)
        diagonal = (np.diag(summed.to_numpy()) + own.to_numpy()) // 2
        values = summed.to_numpy().copy()
        np.fill_diagonal(values, diagonal)
        summed = pd.DataFrame(values, index=summed.index, columns=summed.columns)
    summed.index.name, summed.columns.name = matrix.index.name, matrix.columns.name
    return summed


def sector_label(sector):
    """A sector code as a reader would write it.

    Examples
    --------
    >>> sector_label("mental_health")
    'Mental health'
    """
    return str(sector).replace("_", " ").capitalize()


def group_mixing(matrix, agencies, level="agency"):
    """An agency × agency mixing matrix at the chosen ``level``, with the display name of each label.

    Parameters
    ----------
    matrix : pandas.DataFrame
        Square, labelled by agency id (:func:`mixing_matrix`, or a
        difference of two).
    agencies : pandas.DataFrame
        The dataset's agencies table (``agency_id``, ``name``, ``sector``).
    level : {"agency", "sector"}, default "agency"
        ``"sector"`` sums the agencies of each sector
        (:func:`collapse_mixing`); ``"agency"`` leaves ``matrix`` as it is.

    Returns
    -------
    (pandas.DataFrame, dict)
        The matrix at ``level``, and label -> display name (agency names, or
        :func:`sector_label` of each sector).

    Raises
    ------
    InvalidInputError
        If ``level`` is neither, or an agency of ``matrix`` is not in ``agencies``.

    Examples
    --------
    >>> agencies = pd.DataFrame({"agency_id": ["h1", "h2", "m1"], "name": ["Shelter", "Homes", "Mind"],
    ...                          "sector": ["housing", "housing", "mental_health"]})
    >>> G = nx.Graph([("a", "b"), ("a", "c"), ("c", "d")])
    >>> matrix = mixing_matrix(G, {"a": "h1", "b": "h1", "c": "h2", "d": "m1"})
    >>> sectors, names = group_mixing(matrix, agencies, "sector")
    >>> sectors.values.tolist(), names["mental_health"]
    ([[2, 1], [1, 0]], 'Mental health')
    """
    if level == "agency":
        return matrix, dict(zip(agencies["agency_id"], agencies["name"]))
    if level != "sector":
        raise InvalidInputError(f"level must be 'agency' or 'sector'; got {level!r}.")
    sectors = dict(zip(agencies["agency_id"], agencies["sector"]))
    return collapse_mixing(matrix, sectors), {s: sector_label(s) for s in set(sectors.values())}
