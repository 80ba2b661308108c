"""QAP correlation between two networks on the same people (Krackhardt 1987).

Used by :func:`netdash.change.compare.compare_periods` (and importable from
:mod:`netdash.change.compare`, where it was first defined).
"""

import numpy as np

from netdash.errors import AnalysisError
from netdash.networks.codes import unique_sorted
from netdash.deferred import networkx as nx  # used in the doctest; imported on first use

__all__ = ["qap_correlation", "qap_correlation_of_ties"]


def qap_correlation(G_before, G_after, *, nodes=None, permutations=1000, seed=0):
    """QAP correlation between two networks on the same practitioners (Krackhardt 1987).

    The statistic is Pearson's correlation of the off-diagonal cells of the
    two binary adjacency matrices (for undirected graphs each pair once),
    computed from tie counts (the phi coefficient of the 2 x 2 table of
    cells tied in neither, one or both), so no n x n matrix is built.
    Its null distribution comes from relabelling one network: rows and
    columns of the after matrix are permuted together, which keeps its
    structure intact and breaks only its alignment with the before network.

    Parameters
    ----------
    G_before, G_after : networkx graph
        Both directed or both undirected; weights are ignored.
    nodes : list, optional
        Practitioners to compare; default: those in both graphs, sorted.
        A node missing from one graph counts as an isolate there.
    permutations : int, default 1000
    seed : int, default 0

    Returns
    -------
    dict
        ``correlation`` (NaN when either matrix is constant), ``p_value``
        (one-sided: share of permutations with a correlation at least the
        observed, ``(1 + k) / (1 + P)``), ``permutations``, ``n_practitioners``.

    Raises
    ------
    AnalysisError
        If fewer than 3 practitioners are compared.

    References
    ----------
    Krackhardt, D. (1987). QAP partialling as a test of spuriousness.
    *Social Networks* 9(2), 171-186.

    Examples
    --------
    >>> G = nx.cycle_graph(6)
    >>> out = qap_correlation(G, G, permutations=99)
    >>> round(out["correlation"], 12), out["p_value"] < 0.05
    (1.0, True)
    """
    if nodes is None:
        nodes = sorted(set(G_before) & set(G_after), key=str)
    if len(nodes) < 3:
        raise AnalysisError(f"QAP needs at least 3 practitioners in both networks; got {len(nodes)}.")
    return qap_correlation_of_ties(len(nodes), _ends(G_before, nodes), _ends(G_after, nodes),
                                   directed=G_before.is_directed(), permutations=permutations, seed=seed)


def qap_correlation_of_ties(n, before, after, *, directed=False, permutations=1000, seed=0):
    """:func:`qap_correlation` of two networks given as ties between practitioners numbered ``0 .. n - 1``.

    For callers that hold tie arrays rather than graphs: the same result as
    :func:`qap_correlation` of graphs with those ties among ``nodes`` (tie
    ``(i, j)`` joining ``nodes[i]`` and ``nodes[j]``).

    Parameters
    ----------
    n : int
        Number of practitioners compared.
    before, after : (array of int, array of int)
        The two ends of each tie; self-ties are ignored, repeats count once.
    directed : bool, default False
    permutations, seed
        As :func:`qap_correlation`.

    Returns
    -------
    dict
        As :func:`qap_correlation`.

    Raises
    ------
    AnalysisError
        If ``n < 3``.

    Examples
    --------
    >>> out = qap_correlation_of_ties(4, ([0, 1], [1, 2]), ([1, 0], [0, 1]), permutations=0)
    >>> round(out["correlation"], 6)  # 6 pairs; 2 tied before, 1 after, 1 in both
    0.632456
    """
    if n < 3:
        raise AnalysisError(f"QAP needs at least 3 practitioners in both networks; got {n}.")
    cells = n * (n - 1) if directed else n * (n - 1) // 2
    before, after = _cell_codes(before, n, directed), _cell_codes(after, n, directed)
    observed = _overlap(before, after)
    r = _phi(observed, before.size, after.size, cells)
    p = float("nan")
    if np.isfinite(r) and permutations:
        # The tie counts and the cell count do not change under relabelling, and the correlation grows with
        # the overlap, so "permuted r >= observed r" is "permuted overlap >= observed overlap", in integers.
        ends = np.divmod(before, n)
        rng = np.random.default_rng(seed)
        hits = 0
        for _ in range(permutations):
            perm = rng.permutation(n)
            hits += _overlap(_cells(perm[ends[0]], perm[ends[1]], n, directed), after) >= observed
        p = (1 + hits) / (1 + permutations)
    return {"correlation": r, "p_value": float(p), "permutations": permutations, "n_practitioners": n}


def _cells(u, v, n, directed):
    """Cell codes ``i * n + j`` of pairs (undirected: ``i < j``)."""
    if not directed:
        u, v = np.minimum(u, v), np.maximum(u, v)
    return u * n + v


def _ends(G, nodes):
    """Positions in ``nodes`` of the two ends of ``G``'s ties among ``nodes``."""
    pos = {v: k for k, v in enumerate(nodes)}
    ends = np.array([(pos[u], pos[v]) for u, v in G.edges() if u in pos and v in pos],
                    dtype=np.int64).reshape(-1, 2)
    return ends[:, 0], ends[:, 1]


def _tied_cells(G, nodes, directed):
    """Sorted unique off-diagonal cell codes of ``G``'s ties among ``nodes`` (the binary adjacency matrix)."""
    return _cell_codes(_ends(G, nodes), len(nodes), directed)


def _cell_codes(ties, n, directed):
    """Sorted unique off-diagonal cell codes of ``ties`` (the binary adjacency matrix)."""
    u, v = (np.asarray(end, dtype=np.int64) for end in ties)
    off = u != v
    return unique_sorted(_cells(u[off], v[off], n, directed))


def _overlap(cells, sorted_cells):
    """How many of ``cells`` (unique) are in ``sorted_cells``."""
    if not sorted_cells.size:
        return 0
    where = np.minimum(np.searchsorted(sorted_cells, cells), sorted_cells.size - 1)
    return int(np.count_nonzero(sorted_cells[where] == cells))


def _phi(both, first, second, cells):
    """Pearson's correlation of two binary vectors of length ``cells`` with ``first`` and ``second`` ones,
    ``both`` of them in common (the phi coefficient); NaN when either vector is constant."""
    if first in (0, cells) or second in (0, cells):
        return float("nan")
    return float((cells * both - first * second) / np.sqrt(float(first) * (cells - first) * second * (cells - second)))
