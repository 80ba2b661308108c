"""Trust ties between practitioners, inferred from the logs or from the survey.

Rule (defaults in brackets). For a pair of practitioners in a period:

- where the pair has trust_survey ratings dated in the period, the survey
  decides: a trust tie when the mean rating is at least ``survey_threshold``
  [3] on the 1–4 scale. Each direction uses that rater's latest rating in
  the period (several on that day are averaged); with both directions rated
  the mean of the two is used. The PARTNER tool's trust dimensions are
  the source of the survey design (Varda et al. 2008).
- otherwise the tie is inferred from direct contacts (either direction) in
  the period: reciprocated (each contacted the other at least once)
  [required], repeated (at least ``min_interactions`` [3] contacts in all)
  and sustained (in at least ``min_months`` [2] different calendar months).

Contacts of a practitioner with themself and self-ratings are ignored. The
relation is undirected; pairs are reported with ``a < b``.
"""

import numpy as np
import pandas as pd

from netdash.networks.codes import distinct_rows, run_starts, sorted_counts
from netdash.networks.counts import period_log, reused, stored
from netdash.errors import InvalidInputError
from netdash.networks.graphs import graph_from_tables, practitioner_nodes
from netdash.periods import Period
from netdash.deferred import networkx as nx  # imported on first use

__all__ = ["trust_edges", "trust_tie_count", "trust_graph", "trust_summary", "describe_trust_rule", "trust_pair_table",
           "trust_by_agency"]

_COLUMNS = ["a", "b", "interactions", "months", "reciprocated", "survey_trust",
            "source", "strength", "is_trust_tie"]


def _check_options(min_interactions, min_months, require_reciprocity, survey_threshold):
    problems = []
    for name, value in (("min_interactions", min_interactions), ("min_months", min_months)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            problems.append(f"{name} must be a whole number, 1 or more; got {value!r}.")
    if not isinstance(require_reciprocity, (bool, np.bool_)):
        problems.append(f"require_reciprocity must be True or False; got {require_reciprocity!r}.")
    if (isinstance(survey_threshold, bool) or not isinstance(survey_threshold, (int, float, np.number))
            or not 1 <= survey_threshold <= 4):
        problems.append(f"survey_threshold must be a rating between 1 and 4; got {survey_threshold!r}.")
    if problems:
        raise InvalidInputError("Trust rule options are invalid: " + " ".join(problems)
                                + " Fix these options or use the defaults.", problems)


def _ordered(a, b):
    swap = (a > b).to_numpy()
    return np.where(swap, b, a), np.where(swap, a, b)


def _inferred(ds, period):
    """Per pair of practitioner codes ``a < b``: interactions, distinct months, reciprocated.

    Counted on the coded log with one sort of (pair, month, direction) rows.
    """
    log = period_log(ds, period)
    keep = (log.colleague >= 0) & (log.author >= 0) & (log.author != log.colleague)
    author, colleague = log.author[keep], log.colleague[keep]
    a, b, month, forward, count = distinct_rows(np.minimum(author, colleague), np.maximum(author, colleague),
                                                log.month[keep], author < colleague, counts=True)
    pair = run_starts(a, b)
    new_month = run_starts(a, b, month)
    starts = np.flatnonzero(pair)
    ids = np.cumsum(pair) - 1
    interactions = np.bincount(ids, weights=count, minlength=len(starts)).round().astype(np.int64)
    forward = np.bincount(ids, weights=count * forward, minlength=len(starts)).round().astype(np.int64)
    months = np.bincount(ids, weights=new_month, minlength=len(starts)).round().astype(np.int64)
    return a[starts] * len(log.ids) + b[starts], interactions, months, (forward > 0) & (forward < interactions)


def _survey(ds, period):
    survey = ds.trust_survey[period.mask(ds.trust_survey["date"])]
    survey = survey[survey["trust"].notna() & (survey["rater_id"] != survey["ratee_id"])]
    latest = survey.groupby(["rater_id", "ratee_id"])["date"].transform("max")
    survey = survey[survey["date"] == latest]
    per_direction = survey.groupby(["rater_id", "ratee_id"], as_index=False)["trust"].mean()
    a, b = _ordered(per_direction["rater_id"], per_direction["ratee_id"])
    frame = pd.DataFrame({"a": a, "b": b, "survey_trust": per_direction["trust"].to_numpy()})
    return frame.groupby(["a", "b"])["survey_trust"].mean()


@reused
def trust_edges(ds, period=None, *, min_interactions=3, min_months=2, require_reciprocity=True,
                survey_threshold=3, use_survey=True):
    """Every pair that interacted or was rated in ``period``, with its trust verdict.

    See the module docstring for the rule. ``use_survey=False`` ignores the
    survey and infers every tie from the logs.

    Returns
    -------
    DataFrame
        ``a < b``; ``interactions`` (direct contacts either way), ``months``
        (distinct calendar months of those contacts), ``reciprocated``,
        ``survey_trust`` (mean rating, NaN when unrated or ``use_survey`` is
        False), ``source`` (``"survey"`` or ``"inferred"``), ``strength``
        (survey mean for survey ties, else ``interactions``) and
        ``is_trust_tie``. Sorted by ``a``, ``b``. Kept in ``ds.memo`` per
        period and options (a copy is returned).

    Raises
    ------
    InvalidInputError
        If an option is out of range (all problems are listed).
    """
    _check_options(min_interactions, min_months, require_reciprocity, survey_threshold)
    period = Period() if period is None else period
    log, keys, columns = _verdicts(ds, period, min_interactions, min_months, require_reciprocity, survey_threshold,
                                   use_survey)
    if not len(keys):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in _COLUMNS})
    n = len(log.ids)
    # Pair codes follow the sorted order of the ids, so the table comes out sorted by a, b.
    pairs = pd.DataFrame({"a": pd.Series(log.ids[keys // n], dtype=object),
                          "b": pd.Series(log.ids[keys % n], dtype=object)})
    for name in ("interactions", "months", "reciprocated", "survey_trust"):
        pairs[name] = columns[name]
    survey_trust = columns["survey_trust"]
    rated = ~np.isnan(survey_trust)
    pairs["source"] = pd.Series(np.array(["inferred", "survey"], dtype=object)[rated.astype(int)], dtype=object)
    pairs["strength"] = np.where(rated, survey_trust, pairs["interactions"]).astype(float)
    pairs["is_trust_tie"] = columns["is_trust_tie"]
    return pairs[_COLUMNS]


def trust_tie_count(ds, period=None, *, min_interactions=3, min_months=2, require_reciprocity=True,
                    survey_threshold=3, use_survey=True):
    """The number of trust ties in ``period``: ``trust_edges(...)["is_trust_tie"].sum()``, without the table.

    The same verdicts as :func:`trust_edges` with the same options (one
    rule, computed in one place), counted without writing every pair's ids
    and columns: Over time asks for eight to 24 windows' counts only.
    Kept in ``ds.memo`` per period and options.

    Examples
    --------
    >>> from netdash.dataset import Dataset
    >>> ds = Dataset.from_records(
    ...     agencies=[{"agency_id": "A", "name": "A"}],
    ...     practitioners=[{"practitioner_id": p, "agency_id": "A"} for p in "pq"],
    ...     contacts=[{"date": d, "practitioner_id": a, "with_practitioner_id": b}
    ...               for d, a, b in [("2024-01-02", "p", "q"), ("2024-02-02", "q", "p"), ("2024-03-02", "p", "q")]])
    >>> trust_tie_count(ds), trust_tie_count(ds, min_interactions=4)
    (1, 0)
    """
    _check_options(min_interactions, min_months, require_reciprocity, survey_threshold)
    period = Period() if period is None else period
    rule = (min_interactions, min_months, require_reciprocity, survey_threshold, use_survey)

    def compute():
        _, keys, columns = _verdicts(ds, period, *rule)
        return int(np.count_nonzero(columns["is_trust_tie"])) if len(keys) else 0

    return stored(("trust_tie_count", period, rule), ds, compute)


def _verdicts(ds, period, min_interactions, min_months, require_reciprocity, survey_threshold, use_survey):
    """``(log, keys, columns)``: every pair that interacted or was rated, and its trust verdict, as arrays.

    ``keys`` are the pairs' codes ``a * n + b`` (``a < b``, sorted);
    ``columns`` holds :func:`trust_edges`' ``interactions``, ``months``,
    ``reciprocated``, ``survey_trust`` and ``is_trust_tie`` aligned with them
    (None when no pair).
    """
    log = period_log(ds, period)
    n = len(log.ids)
    inferred, interactions, months, reciprocated = _inferred(ds, period)
    survey = _survey(ds, period) if use_survey else pd.Series(dtype=float)
    surveyed = np.zeros(0, dtype=np.int64)
    if len(survey):
        surveyed = (log.index.get_indexer(survey.index.get_level_values(0)).astype(np.int64) * n
                    + log.index.get_indexer(survey.index.get_level_values(1)))
    keys = sorted_counts(np.r_[inferred, surveyed])[0] if len(surveyed) else inferred
    if not len(keys):
        return log, keys, None
    at = np.searchsorted(keys, inferred)
    columns = {}
    for name, values in (("interactions", interactions), ("months", months), ("reciprocated", reciprocated)):
        column = np.zeros(len(keys), dtype=values.dtype)
        column[at] = values
        columns[name] = column
    survey_trust = np.full(len(keys), np.nan)
    survey_trust[np.searchsorted(keys, surveyed)] = survey.to_numpy(dtype=float)
    columns["survey_trust"] = survey_trust
    rated = ~np.isnan(survey_trust)
    inferred_tie = ((columns["interactions"] >= min_interactions) & (columns["months"] >= min_months)
                    & (columns["reciprocated"] | (not require_reciprocity)))
    with np.errstate(invalid="ignore"):  # NaN >= threshold for unrated pairs, not used
        columns["is_trust_tie"] = np.where(rated, survey_trust >= survey_threshold, inferred_tie).astype(bool)
    return log, keys, columns


def trust_graph(ds, period=None, *, edges=None, **rule):
    """Undirected graph of the trust ties only.

    Nodes are the practitioner nodes of the period (see
    :mod:`netdash.networks.graphs`, isolates included) plus anyone in a survey-rated
    trust tie. Edge attributes: ``strength``, ``source``, ``interactions``,
    ``months``, ``reciprocated``, ``survey_trust`` (None when unrated).
    Keyword options are those of :func:`trust_edges`; ``edges``, the
    :func:`trust_edges` table of ``ds`` and ``period`` already computed with
    them, saves computing it again.
    """
    if edges is None:
        edges = trust_edges(ds, period, **rule)
    return _graph_from_edges(ds, period, edges)


def _graph_from_edges(ds, period, edges):
    """:func:`trust_graph` from a :func:`trust_edges` table already computed."""
    edges = edges[edges["is_trust_tie"].astype(bool)]
    nodes = practitioner_nodes(ds, period, include=pd.concat([edges["a"], edges["b"]]))
    # Column-wise lists and one graph build from the node table (graph_from_tables), not a record dict and an
    # add_edge per tie (docs/benchmarks.md, "Session 16: the large pages' CPU"): the same nodes, ties, attribute
    # values, types and orders as adding them one by one.
    G = graph_from_tables(nodes, pd.DataFrame({"source": pd.Series(dtype=object),
                                               "target": pd.Series(dtype=object)}), attrs=())
    survey = edges["survey_trust"].to_numpy(dtype=float)
    data = [{"strength": strength, "source": source, "interactions": interactions, "months": months,
             "reciprocated": reciprocated, "survey_trust": None if missing else rating}
            for strength, source, interactions, months, reciprocated, missing, rating in zip(
                edges["strength"].to_numpy(dtype=float).tolist(), edges["source"].tolist(),
                edges["interactions"].astype("int64").tolist(), edges["months"].astype("int64").tolist(),
                edges["reciprocated"].astype(bool).tolist(), np.isnan(survey).tolist(), survey.tolist())]
    G.add_edges_from(zip(edges["a"].tolist(), edges["b"].tolist(), data))
    return G


def trust_summary(G):
    """Counts of trust ties: overall, across agencies, by source and per agency.

    Returns
    -------
    dict
        ``n_trust_ties``; ``cross_agency_ties`` and ``cross_agency_share``
        (None when there are no ties); ``by_source`` (``{"inferred": n,
        "survey": n}``); ``per_agency`` mapping every agency of ``G``'s nodes
        to ``{"within": ties inside it, "cross": ties to other agencies}``.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_nodes_from([("a", {"agency": "A"}), ("b", {"agency": "A"}), ("c", {"agency": "B"})])
    >>> G.add_edge("a", "c", source="survey")
    >>> s = trust_summary(G)
    >>> s["n_trust_ties"], s["cross_agency_share"], s["per_agency"]["A"]
    (1, 1.0, {'within': 0, 'cross': 1})
    """
    agency = nx.get_node_attributes(G, "agency")
    per_agency = {a: {"within": 0, "cross": 0} for a in sorted(set(agency.values()))}
    by_source = {"inferred": 0, "survey": 0}
    cross = 0
    for u, v, d in G.edges(data=True):
        by_source[d.get("source", "inferred")] = by_source.get(d.get("source", "inferred"), 0) + 1
        au, av = agency.get(u), agency.get(v)
        if au == av:
            per_agency[au]["within"] += 1
        else:
            cross += 1
            per_agency[au]["cross"] += 1
            per_agency[av]["cross"] += 1
    m = G.number_of_edges()
    return {"n_trust_ties": m, "cross_agency_ties": cross,
            "cross_agency_share": cross / m if m else None,
            "by_source": by_source, "per_agency": per_agency}


def _times(n, word):
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def describe_trust_rule(*, min_interactions=3, min_months=2, require_reciprocity=True,
                        survey_threshold=3, use_survey=True):
    """Plain-language statement of the trust rule in force, for the page.

    Examples
    --------
    >>> print(describe_trust_rule(use_survey=False))
    Two practitioners have a trust tie when, in the period, each contacted the other at least once, they had at least 3 contacts in all, and those contacts fell in at least 2 different calendar months.
    """
    _check_options(min_interactions, min_months, require_reciprocity, survey_threshold)
    parts = ["each contacted the other at least once"] if require_reciprocity else []
    parts.append(f"they had at least {_times(min_interactions, 'contact')} in all")
    parts.append(f"those contacts fell in at least {_times(min_months, 'different calendar month')}"
                 if min_months > 1 else "those contacts fell in at least 1 calendar month")
    clause = ", ".join(parts[:-1]) + ", and " + parts[-1] if len(parts) > 2 else " and ".join(parts)
    text = f"Two practitioners have a trust tie when, in the period, {clause}."
    if use_survey:
        text += (f" Where either rated the other in the trust survey during the period, the survey"
                 f" decides instead: a tie when their mean trust rating is at least {survey_threshold:g}"
                 " on the 1 to 4 scale.")
    return text


#: The columns of :func:`trust_pair_table`, in order.
PAIR_COLUMNS = ["practitioner_a", "practitioner_b", "interactions", "months", "reciprocated", "survey_trust", "source",
                "strength", "is_trust_tie"]


def trust_pair_table(edges, labels):
    """Every pair of :func:`trust_edges` with names: trust ties first, strongest first.

    Parameters
    ----------
    edges : DataFrame
        :func:`trust_edges`.
    labels : dict
        practitioner_id -> display name.

    Returns
    -------
    DataFrame
        Columns :data:`PAIR_COLUMNS`; trust ties before other pairs, each
        by ``strength`` descending (ties of equal strength keep their order).

    Examples
    --------
    >>> edges = pd.DataFrame({"a": ["p1", "p1", "p2"], "b": ["p2", "p3", "p3"], "interactions": [3, 9, 5],
    ...                       "months": [2, 1, 3], "reciprocated": [True, False, True], "survey_trust": [None] * 3,
    ...                       "source": ["inferred"] * 3, "strength": [3.0, 9.0, 5.0],
    ...                       "is_trust_tie": [True, False, True]})
    >>> trust_pair_table(edges, {"p1": "Ann", "p2": "Bo", "p3": "Cy"})[["practitioner_a", "practitioner_b"]].values.tolist()
    [['Bo', 'Cy'], ['Ann', 'Bo'], ['Ann', 'Cy']]
    """
    named = edges.assign(practitioner_a=edges["a"].map(labels), practitioner_b=edges["b"].map(labels))
    return named[PAIR_COLUMNS].sort_values(["is_trust_tie", "strength"], ascending=False, kind="stable")


def trust_by_agency(summary, agency_names):
    """Trust ties of each agency's staff within and outside their agency, from :func:`trust_summary`.

    Returns
    -------
    DataFrame
        Columns ``agency`` (the name, or the id if it has none),
        ``within agency`` and ``to other agencies``; one row per agency in
        ``summary["per_agency"]``.
    """
    return pd.DataFrame(
        [{"agency": agency_names.get(a, a), "within agency": v["within"], "to other agencies": v["cross"]}
         for a, v in summary["per_agency"].items()],
        columns=["agency", "within agency", "to other agencies"],
    )
