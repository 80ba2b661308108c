"""Compare the practitioner network of two periods, with honest uncertainty.

Three views of the same question, "did the network change?":

- :func:`headline_measures` of each period and their change, with a node
  bootstrap interval and a pair-swap permutation p-value per measure;
- the tie-by-tie story (:func:`netdash.dynamics.tie_changes`);
- the QAP correlation of the two adjacency matrices (Krackhardt 1987).

Only practitioners in post in both periods are compared (joiners and leavers
are counted and reported), so a change is never just a change of staff.
"""

import math
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

from netdash import graphs
from netdash._compare_inputs import _induced, _period_graphs
from netdash._compare_replicates import _snapshot, _swapped
from netdash.dynamics import tie_change_summary, tie_changes
from netdash.errors import AnalysisError
from netdash.impact.estimators import percentile_interval
from netdash.metrics._matrix import GraphMatrix
from netdash.metrics.communities import agency_nmi
from netdash.metrics.fragmentation import fragmentation
from netdash.metrics.mixing import ei_index, mixing_matrix
from netdash.metrics.qap import qap_correlation  # noqa: F401  (re-exported)
from netdash.metrics.structural_holes import constraint
from netdash.metrics.trust import trust_edges, trust_graph

__all__ = ["HEADLINE_MEASURES", "Comparison", "headline_measures", "compare_periods",
           "qap_correlation", "mixing_change"]

#: Measures compared between periods, in display order.
HEADLINE_MEASURES = ("n_ties", "cross_agency_share", "ei_index", "fragmentation", "isolates",
                     "trust_ties", "mean_constraint", "agency_nmi")

_COMPARED_RULE = ("Only practitioners in post in both periods are compared; ties to anyone else are "
                  "left out of both periods.")


def _measures(G, T, *, seed=0, matrix=False):
    """The headline measures of ``G`` (trust ties from ``T``).

    ``matrix=True`` computes them from one :class:`GraphMatrix` of ``G``
    (the same values, several times faster at city scale). It is only used
    for graphs whose edges iterate in sorted node-pair order (a graph built
    from a sorted edge table, such as :func:`netdash.graphs.practitioner_graph`
    or an observed snapshot), the order a GraphMatrix gives Louvain, so the
    communities behind ``agency_nmi`` are the same; bootstrap copies are not
    in that order and keep the networkx path.
    """
    n, m = G.number_of_nodes(), G.number_of_edges()
    agency = nx.get_node_attributes(G, "agency")
    cross = sum(1 for u, v in G.edges() if agency.get(u) != agency.get(v))
    H = GraphMatrix.from_graph(G) if matrix and m else G
    return _headline(H, n=n, m=m, cross=cross, isolates=nx.number_of_isolates(G),
                     trust_ties=T.number_of_edges(), seed=seed)


def _observed(G, T, index, seed):
    """:func:`_measures` of ``G`` and ``T``, the networks among the compared practitioners ``index``.

    The same values as ``_measures(*_snapshot(...).graphs(), matrix=True)``,
    whose copies number the practitioners 0, 1, ... in ``index`` order:
    the GraphMatrix here has that node order, those integer labels and the
    same ties (it sorts ties itself), so Louvain sees the same graph, but
    no numbered networkx copy is built. Practitioner and trust graphs
    have no self-loops (a contact with oneself is ignored), so every edge
    of ``G`` and ``T`` is a tie between two compared practitioners.
    """
    n, m = len(index), G.number_of_edges()
    pos = {v: k for k, v in enumerate(index)}
    agency = [G.nodes[v].get("agency") for v in index]
    ends = np.fromiter((pos[v] for edge in G.edges() for v in edge), dtype=np.int64, count=2 * m).reshape(-1, 2)
    cross = _cross_ties(agency, ends[:, 0], ends[:, 1])
    H = GraphMatrix(range(n), ends[:, 0], ends[:, 1], node_attrs={"agency": agency}) if m else G
    return _headline(H, n=n, m=m, cross=cross, isolates=nx.number_of_isolates(G),
                     trust_ties=T.number_of_edges(), seed=seed)


def _cross_ties(agency, u, v):
    """How many ties ``(u[i], v[i])`` (node positions) join two different agencies (``agency`` by position).

    Agencies compare as Python values, as ``agency.get(u) != agency.get(v)``
    does in :func:`_measures`: a missing agency (None) differs from every
    known one.
    """
    groups = pd.Series(agency, dtype=object).to_numpy()
    return int(np.count_nonzero(groups[u] != groups[v]))


def _headline(H, *, n, m, cross, isolates, trust_ties, seed):
    """:func:`_measures` once the counts are known; the rest from ``H`` (a graph or GraphMatrix)."""
    nan = float("nan")
    cons = np.array(list(constraint(H).values()), dtype=float) if m else np.array([])
    return {
        "n_practitioners": n,
        "n_ties": m,
        "cross_agency_share": cross / m if m else nan,
        "ei_index": ei_index(H) if m else nan,
        "fragmentation": fragmentation(H),
        "isolates": isolates,
        "trust_ties": trust_ties,
        "mean_constraint": float(np.nanmean(cons)) if np.isfinite(cons).any() else nan,
        "agency_nmi": agency_nmi(H, seed=seed) if m else nan,
    }


def _table_measures(ds, period, *, ties, window_days, seed):
    """:func:`_measures` of ``practitioner_graph`` and ``trust_graph`` from the edge tables, no networkx graph.

    The GraphMatrix of the sorted edge table is the one
    ``GraphMatrix.from_graph(practitioner_graph(...))`` gives (same node
    order, same ties), so every value is the same; None when the period has
    no tie (then the graphs are built, as before).
    """
    nodes = graphs.practitioner_nodes(ds, period)
    edges = graphs.practitioner_edges(ds, period, ties=ties, window_days=window_days)
    if not len(edges) or (edges["source"] == edges["target"]).any():
        return None
    M = GraphMatrix.from_edges(nodes["practitioner_id"], edges["source"], edges["target"],
                               node_attrs={"agency": nodes["agency"]})
    cross = _cross_ties(M.node_attrs["agency"], M.source, M.target)
    isolates = len(M) - len(np.unique(np.r_[M.source, M.target]))
    trusted = trust_edges(ds, period)
    trusted = trusted[trusted["is_trust_tie"].astype(bool)]
    pairs = {(a, b) if a <= b else (b, a) for a, b in zip(trusted["a"].tolist(), trusted["b"].tolist())}
    return _headline(M, n=len(M), m=M.number_of_edges(), cross=cross, isolates=isolates,
                     trust_ties=len(pairs), seed=seed)


def headline_measures(ds, period, *, ties="working", window_days=90, seed=0):
    """The whole-network measures shown on the "Over time" and "Compare" pages.

    Parameters
    ----------
    ds : Dataset
    period : Period
    ties : str, default "working"
        Tie choice of :func:`netdash.graphs.practitioner_graph`.
    window_days : int, default 90
    seed : int, default 0
        Louvain seed for ``agency_nmi``.

    Returns
    -------
    dict
        ``n_practitioners`` (nodes, isolates included), ``n_ties``,
        ``cross_agency_share`` (ties between agencies / ties),
        ``ei_index`` (Krackhardt & Stern 1988), ``fragmentation`` (Borgatti
        2006), ``isolates``, ``trust_ties`` (edges of
        :func:`netdash.metrics.trust.trust_graph`, default rule),
        ``mean_constraint`` (Burt 1992, mean over practitioners with at least
        one tie) and ``agency_nmi`` (NMI of Louvain communities against
        agencies, :func:`netdash.metrics.communities.agency_nmi`: networkx's
        Louvain up to 1,000 ties, NetworKit's PLM above, as the CLI).
        Ratios with no ties to count are NaN. Weights are ignored.
    """
    with graphs.reuse_tables():
        found = _table_measures(ds, period, ties=ties, window_days=window_days, seed=seed)
        if found is not None:
            return found
        G = graphs.practitioner_graph(ds, period, ties=ties, window_days=window_days)
        return _measures(G, trust_graph(ds, period), seed=seed, matrix=True)


def _change(before, after, seed, sample=None):
    mb = _measures(*before.graphs(sample), seed=seed)
    ma = _measures(*after.graphs(sample), seed=seed)
    return np.array([ma[k] - mb[k] for k in HEADLINE_MEASURES], dtype=float)


@dataclass
class Comparison:
    """The result of :func:`compare_periods`.

    Attributes
    ----------
    before, after : Period
    tie_changes : DataFrame
        :func:`netdash.dynamics.tie_changes` of the compared practitioners' working ties.
    trust_tie_changes : DataFrame
        The same for trust ties.
    measures : DataFrame
        Index = measure; ``before``, ``after``, ``change``, ``ci_low``,
        ``ci_high``, ``p_value``, ``method``.
    qap : dict
        See :func:`qap_correlation`.
    practitioners : dict
        ``compared``, ``before_only`` (left), ``after_only`` (joined), ``rule``.
    settings : dict
    """

    before: object
    after: object
    tie_changes: pd.DataFrame
    trust_tie_changes: pd.DataFrame
    measures: pd.DataFrame
    qap: dict
    practitioners: dict
    settings: dict

    def to_json(self):
        """A JSON-serialisable dict (NaN becomes None; pair lists are summarised as counts)."""
        measures = [{"measure": k, **{c: _jsonable(v) for c, v in row.items()}}
                    for k, row in self.measures.to_dict("index").items()]
        return {
            "before": {"start": _day(self.before.start), "end": _day(self.before.end)},
            "after": {"start": _day(self.after.start), "end": _day(self.after.end)},
            "measures": measures,
            "tie_changes": _jsonable(tie_change_summary(self.tie_changes).to_dict("index")),
            "trust_tie_changes": _jsonable(tie_change_summary(self.trust_tie_changes).to_dict("index")),
            "qap": _jsonable(self.qap),
            "practitioners": _jsonable(self.practitioners),
            "settings": _jsonable(self.settings),
        }


def _day(ts):
    return None if ts is None else ts.date().isoformat()


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    return value


def _method(name, bootstrap, permutations):
    boot = f"node bootstrap of the change ({bootstrap} replicates, percentile 95% interval)"
    perm = f"pair-swap permutation ({permutations} replicates, two-sided)"
    if name == "agency_nmi":
        return f"{boot}; {perm}. Louvain is seeded; duplicated nodes in a bootstrap sample can sway communities."
    return f"{boot}; {perm}."


def compare_periods(ds, before, after, *, ties="working", window_days=90, permutations=200,
                    bootstrap=200, seed=0, analyses=None):
    """Compare the network of two periods, measure by measure and tie by tie.

    Parameters
    ----------
    ds : Dataset
    before, after : Period
    ties : str, default "working"
    window_days : int, default 90
    permutations : int, default 200
        Permutation replicates, for the measures' p-values and for QAP;
        0 leaves every p-value NaN (QAP's too).
    bootstrap : int, default 200
        Node-bootstrap replicates for the measures' intervals.
    seed : int, default 0
    analyses : (NetworkAnalysis, NetworkAnalysis), optional
        The :class:`netdash.analysis.NetworkAnalysis` of ``before`` and of
        ``after`` on ``ds`` with the same ``ties`` and ``window_days`` and
        the default trust rule, e.g. the ones a page already holds. Their
        graphs (``.G``, ``.T``) are used instead of building the same graphs
        again; they are read, never changed. The result is the same.

    Returns
    -------
    Comparison

    Notes
    -----
    Compared practitioners are those in post in both periods
    (:func:`netdash.graphs.practitioners_in_post`); measures are computed on
    the networks among them only, so ``before`` and ``after`` can differ
    from the single-period pages, which include everyone.

    *Interval*: resample the compared practitioners with replacement, take
    both periods' induced subgraphs of the same resample (copies of one
    practitioner are not tied to each other; Snijders & Borgatti 1999,
    *Connections* 22: 1-10) and recompute the change; percentile 95%
    interval. It treats practitioners as exchangeable units, which network
    data only approximate.

    *p-value*: for every pair tied in either period, swap its before and
    after state (working tie and trust tie together) with probability 1/2,
    and recompute the change; ``p = (1 + #|perm| >= |obs|) / (1 + P)``. It
    tests "the two periods are exchangeable", not "no COP effect".

    Raises
    ------
    AnalysisError
        If fewer than 3 practitioners were in post in both periods.
    InvalidInputError
        If ``analyses`` is not the pair of analyses of these periods and settings.
    """
    G_b, G_a, trust_graphs = _period_graphs(ds, before, after, ties=ties, window_days=window_days,
                                            analyses=analyses)
    in_b = set(graphs.practitioners_in_post(ds, before)["practitioner_id"]) & set(G_b)
    in_a = set(graphs.practitioners_in_post(ds, after)["practitioner_id"]) & set(G_a)
    index = sorted(in_b & in_a)
    if len(index) < 3:
        raise AnalysisError(
            f"Only {len(index)} practitioner(s) were in post in both {before.label()} and {after.label()}; "
            "at least 3 are needed to compare the networks. Choose periods closer together or longer.")
    T_b, T_a = trust_graphs()
    sub_b, sub_a = _induced(G_b, index), _induced(G_a, index)
    trust_b, trust_a = _induced(T_b, index), _induced(T_a, index)

    observed_b, observed_a = _observed(sub_b, trust_b, index, seed), _observed(sub_a, trust_a, index, seed)
    observed = np.array([observed_a[k] - observed_b[k] for k in HEADLINE_MEASURES], dtype=float)

    rng = np.random.default_rng(seed)
    n = len(index)
    boots, perms = [], []
    if bootstrap or permutations:  # the replicates' tie states, only when asked for
        sb, sa = _snapshot(G_b, T_b, index), _snapshot(G_a, T_a, index)
        boots = [_change(sb, sa, seed, rng.integers(0, n, n)) for _ in range(bootstrap)]
        pairs = sorted(set(sb.edges) | set(sa.edges) | sb.trust | sa.trust) if permutations else []
        for _ in range(permutations):
            flip = [p for p, f in zip(pairs, rng.random(len(pairs)) < 0.5) if f]
            perms.append(_change(*_swapped(sb, sa, flip), seed))
    boots = np.array(boots).reshape(-1, len(observed))
    perms = np.array(perms).reshape(-1, len(observed))

    rows = {}
    for k, name in enumerate(HEADLINE_MEASURES):
        low, high = percentile_interval(boots[:, k]) if bootstrap else (float("nan"), float("nan"))
        finite = perms[:, k][np.isfinite(perms[:, k])]
        p = (float((1 + np.sum(np.abs(finite) >= abs(observed[k]) - 1e-12)) / (1 + finite.size))
             if finite.size and np.isfinite(observed[k]) else float("nan"))
        rows[name] = {"before": observed_b[name], "after": observed_a[name], "change": observed[k],
                      "ci_low": low, "ci_high": high, "p_value": p,
                      "method": _method(name, bootstrap, permutations)}
    measures = pd.DataFrame.from_dict(rows, orient="index")
    measures.index.name = "measure"

    # No permutation, no p-value: one permutation would only ever give p = 0.5 or 1.
    qap = qap_correlation(sub_b, sub_a, permutations=permutations, seed=seed)
    dropped = {"compared": n, "before_only": len(in_b - in_a), "after_only": len(in_a - in_b),
               "rule": _COMPARED_RULE}
    qap.update(n_practitioners=n, n_dropped=dropped["before_only"] + dropped["after_only"], rule=_COMPARED_RULE
               + " Cells are binary (tied or not); p is one-sided (ties more alike than chance).")
    return Comparison(
        before=before, after=after,
        tie_changes=tie_changes(sub_b, sub_a), trust_tie_changes=tie_changes(trust_b, trust_a),
        measures=measures, qap=qap, practitioners=dropped,
        settings={"ties": ties, "window_days": window_days, "permutations": permutations,
                  "bootstrap": bootstrap, "seed": seed},
    )


def mixing_change(G_before, G_after, groups="agency"):
    """Agency × agency tie counts of two periods, aligned, and their difference.

    Parameters
    ----------
    G_before, G_after : networkx graph
    groups : str or dict, default "agency"

    Returns
    -------
    (before, after, difference) : tuple of DataFrame
        :func:`netdash.metrics.mixing.mixing_matrix` of each graph,
        reindexed on the union of both graphs' agencies (absent = 0), and
        ``after - before``.

    Examples
    --------
    >>> G1 = nx.Graph([("a", "b")]); nx.set_node_attributes(G1, {"a": "A", "b": "B"}, "agency")
    >>> G2 = nx.Graph([("a", "c")]); nx.set_node_attributes(G2, {"a": "A", "c": "C"}, "agency")
    >>> mixing_change(G1, G2)[2].values.tolist()
    [[0, -1, 1], [-1, 0, 0], [1, 0, 0]]
    """
    mb, ma = mixing_matrix(G_before, groups), mixing_matrix(G_after, groups)
    labels = sorted(set(mb.index) | set(ma.index), key=str)
    mb = mb.reindex(index=labels, columns=labels, fill_value=0)
    ma = ma.reindex(index=labels, columns=labels, fill_value=0)
    mb.index.name, mb.columns.name = "agency", "agency_to"
    ma.index.name, ma.columns.name = "agency", "agency_to"
    return mb, ma, ma - mb
