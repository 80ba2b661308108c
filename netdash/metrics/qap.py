"""QAP correlation between two networks on the same people (Krackhardt 1987).

Used by :func:`netdash.compare.compare_periods` (and importable from
:mod:`netdash.compare`, where it was first defined).
"""

import networkx as nx  # noqa: F401  (used in the doctest)
import numpy as np

from netdash.errors import AnalysisError

__all__ = ["qap_correlation"]


def qap_correlation(G_before, G_after, *, nodes=None, permutations=1000, seed=0):
    """QAP correlation between two networks on the same practitioners (Krackhardt 1987).

    The statistic is Pearson's correlation of the off-diagonal cells of the
    two binary adjacency matrices (for undirected graphs each pair once).
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
    n = len(nodes)
    if n < 3:
        raise AnalysisError(f"QAP needs at least 3 practitioners in both networks; got {n}.")
    A, B = _adjacency(G_before, nodes), _adjacency(G_after, nodes)
    rows, cols = (np.triu_indices(n, 1) if not G_before.is_directed()
                  else np.nonzero(~np.eye(n, dtype=bool)))
    x = A[rows, cols]
    r = _corr(x, B[rows, cols])
    p = float("nan")
    if np.isfinite(r) and permutations:
        rng = np.random.default_rng(seed)
        hits = 0
        for _ in range(permutations):
            perm = rng.permutation(n)
            hits += _corr(x, B[perm[rows], perm[cols]]) >= r - 1e-12
        p = (1 + hits) / (1 + permutations)
    return {"correlation": r, "p_value": float(p), "permutations": permutations, "n_practitioners": n}


def _adjacency(G, nodes):
    pos = {v: k for k, v in enumerate(nodes)}
    ends = np.array([(pos[u], pos[v]) for u, v in G.edges() if u in pos and v in pos], dtype=np.int64).reshape(-1, 2)
    M = np.zeros((len(nodes), len(nodes)))
    M[ends[:, 0], ends[:, 1]] = 1
    if not G.is_directed():
        M[ends[:, 1], ends[:, 0]] = 1
    return M


def _corr(x, y):
    if x.std() == 0 or y.std() == 0:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])
