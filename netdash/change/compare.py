"""Compare the practitioner network of two periods, with honest uncertainty.

Three views of the same question, "did the network change?":

- :func:`netdash.change.headline.network_headline` of each period and their change, with a node
  bootstrap interval and a pair-swap permutation p-value per measure;
- the tie-by-tie story (:func:`netdash.change.dynamics.tie_changes`);
- the QAP correlation of the two adjacency matrices (Krackhardt 1987).

Only practitioners in post in both periods are compared (joiners and leavers
are counted and reported), so a change is never just a change of staff.
"""

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from netdash.networks import graphs
from netdash.change._inputs import _period_tables
from netdash.change._replicates import _snapshot, _swapped
from netdash.change.dynamics import coded_tie_changes
from netdash.errors import AnalysisError
from netdash.change.headline import HEADLINE_MEASURES, network_headline
from netdash.change.impact.estimators import percentile_interval
from netdash.metrics.mixing import mixing_matrix
from netdash.metrics.qap import qap_correlation, qap_correlation_of_ties  # noqa: F401 - qap_correlation was first defined here

__all__ = ["Comparison", "compare_periods", "mixing_change"]


_COMPARED_RULE = ("Only practitioners in post in both periods are compared; ties to anyone else are "
                  "left out of both periods.")


def _change(before, after, seed, sample=None):
    mb = network_headline(*before.matrix(sample), seed=seed)
    ma = network_headline(*after.matrix(sample), seed=seed)
    return np.array([ma[k] - mb[k] for k in HEADLINE_MEASURES], dtype=float)


@dataclass
class Comparison:
    """The result of :func:`compare_periods`.

    Attributes
    ----------
    before, after : Period
    tie_changes : DataFrame
        :func:`netdash.change.dynamics.tie_changes` of the compared practitioners' working ties.
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
    coded_changes : (array, array, CodedTieChanges, CodedTieChanges)
        The compared practitioners' ids and agencies (by position) and
        :func:`netdash.change.dynamics.coded_tie_changes` of their working
        and trust ties: what ``tie_changes`` and ``trust_tie_changes`` are
        made from, when first read. A page that shows only their counts
        (:meth:`tie_change_summaries`) never makes the two tables (at
        regional scale 480,000 rows and more each).
    """

    before: object
    after: object
    measures: pd.DataFrame
    qap: dict
    practitioners: dict
    settings: dict
    coded_changes: tuple
    _tables: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def tie_changes(self):
        return self._table(2)

    @property
    def trust_tie_changes(self):
        return self._table(3)

    def _table(self, which):
        table = self._tables.get(which)
        if table is None:  # made once; two threads making it at once make the same table
            ids, agency = self.coded_changes[:2]
            table = self._tables.setdefault(which, self.coded_changes[which].table(ids, agency))
        return table

    def tie_change_summaries(self):
        """:func:`netdash.change.dynamics.tie_change_summary` of ``tie_changes`` and of ``trust_tie_changes``,
        counted without making either table."""
        return self.coded_changes[2].summary(), self.coded_changes[3].summary()

    def to_json(self):
        """A JSON-serialisable dict (NaN becomes None; pair lists are summarised as counts)."""
        measures = [{"measure": k, **{c: _jsonable(v) for c, v in row.items()}}
                    for k, row in self.measures.to_dict("index").items()]
        ties, trust = self.tie_change_summaries()
        return {
            "before": {"start": _day(self.before.start), "end": _day(self.before.end)},
            "after": {"start": _day(self.after.start), "end": _day(self.after.end)},
            "measures": measures,
            "tie_changes": _jsonable(ties.to_dict("index")),
            "trust_tie_changes": _jsonable(trust.to_dict("index")),
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
        return (f"{boot}; {perm}. Each NMI is the median of 10 seeded Louvain runs, in every replicate too; "
                "duplicated nodes in a bootstrap sample can sway communities.")
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
        tables (``node_table``, ``edge_table``, ``trust_table``) are read,
        never changed; no graph is built either way. The result is the same.

    Returns
    -------
    Comparison

    Notes
    -----
    Compared practitioners are those in post in both periods
    (:func:`netdash.networks.graphs.practitioners_in_post`); measures are computed on
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
    (nodes_b, edges_b, trust_b), (nodes_a, edges_a, trust_a) = _period_tables(
        ds, before, after, ties=ties, window_days=window_days, analyses=analyses)
    in_b = set(graphs.practitioners_in_post(ds, before)["practitioner_id"]) & set(nodes_b["practitioner_id"])
    in_a = set(graphs.practitioners_in_post(ds, after)["practitioner_id"]) & set(nodes_a["practitioner_id"])
    index = sorted(in_b & in_a)
    if len(index) < 3:
        raise AnalysisError(
            f"Only {len(index)} practitioner(s) were in post in both {before.label()} and {after.label()}; "
            "at least 3 are needed to compare the networks. Choose periods closer together or longer.")
    # The compared networks: each period's ties among the compared practitioners, numbered by position in index.
    sb, sa = _snapshot(nodes_b, edges_b, trust_b, index), _snapshot(nodes_a, edges_a, trust_a, index)
    observed_b = network_headline(*sb.matrix(), seed=seed)
    observed_a = network_headline(*sa.matrix(), seed=seed)
    observed = np.array([observed_a[k] - observed_b[k] for k in HEADLINE_MEASURES], dtype=float)

    rng = np.random.default_rng(seed)
    n = len(index)
    boots, perms = [], []
    if bootstrap or permutations:
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
    qap = qap_correlation_of_ties(n, sb.tie_arrays()[:2], sa.tie_arrays()[:2], permutations=permutations, seed=seed)
    dropped = {"compared": n, "before_only": len(in_b - in_a), "after_only": len(in_a - in_b),
               "rule": _COMPARED_RULE}
    qap.update(n_practitioners=n, n_dropped=dropped["before_only"] + dropped["after_only"], rule=_COMPARED_RULE
               + " Cells are binary (tied or not); p is one-sided (ties more alike than chance).")
    # Each practitioner's agency as tie_changes reads it from two graphs: the after period's where known.
    agency = {v: a["agency"] for v, a in zip(index, sb.attrs)}
    agency.update({v: a["agency"] for v, a in zip(index, sa.attrs) if a["agency"] is not None})
    # The ties as positions in index, not ids: the same tables without comparing ids per tie (docs/benchmarks.md,
    # "Session 17"; tests/change/test_compare.py); the tables themselves only made when read (Comparison).
    ids, by_position = np.asarray(index, dtype=object), np.array([agency.get(v) for v in index], dtype=object)
    tie_codes = coded_tie_changes(n, sb.tie_arrays(), sa.tie_arrays(), by_position)
    trust_codes = coded_tie_changes(n, *((i, j, None) for i, j in (sb.trust_arrays(), sa.trust_arrays())),
                                    by_position)
    return Comparison(
        before=before, after=after, measures=measures, qap=qap, practitioners=dropped,
        settings={"ties": ties, "window_days": window_days, "permutations": permutations,
                  "bootstrap": bootstrap, "seed": seed},
        coded_changes=(ids, by_position, tie_codes, trust_codes),
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
    >>> import networkx as nx
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
