"""The headline measures of one practitioner network: computed here, and only here.

Every figure that summarises a whole network (Over time, Before & after, the
report's comparison, ``netdash compare``) comes from :func:`network_headline`
on a :class:`netdash.metrics.matrix.GraphMatrix`. The callers differ only in
how they build that matrix: :func:`headline_measures` from a period's edge
tables, :func:`netdash.change.compare.compare_periods` from the compared
practitioners' ties and from each bootstrap or permutation replicate.
"""

import numpy as np
import pandas as pd

from netdash.metrics import communities, fragmentation, mixing, structural_holes
from netdash.errors import InvalidInputError
from netdash.metrics.matrix import GraphMatrix
from netdash.metrics.trust import trust_tie_count
from netdash.networks import graphs, period_log, union_counts

__all__ = ["HEADLINE_MEASURES", "HEADLINE_EXPLANATIONS", "CROSS_AGENCY_SHARES", "share_of_ties",
           "headline_explanations", "cross_agency_shares", "format_share", "network_headline", "period_matrix",
           "headline_measures"]

#: The three cross-agency shares netdash shows, one name each wherever they appear (pages, report, CLI):
#: ``{key: (label, definition)}``. They measure different things and differ a lot on the same data (on the
#: bundled demo, whole record: 39% of contacts, 73% of working ties, 34% of trust ties), so none stands for
#: another. Computed by :func:`cross_agency_shares`.
CROSS_AGENCY_SHARES = {
    "contacts": (
        "Share of contacts across agencies",
        "Of the contacts logged between two colleagues, the share between colleagues in different agencies. "
        "Every logged contact counts, so a pair often in touch weighs more; contacts with a client alone "
        "are not counted. Formula: colleague contacts across agencies / colleague contacts."),
    "working_ties": (
        "Share of working ties across agencies",
        "Of the pairs of practitioners with a working tie (a contact logged either way, or the same client "
        "seen within 90 days), the share in different agencies. Each pair counts once, however often they "
        "worked together; sitting in the same COP session is not a working tie. Formula: working ties "
        "across agencies / working ties."),
    "trust_ties": (
        "Share of trust ties across agencies",
        "Of the trust ties (pairs in repeated two-way contact over several months, or who rated each other "
        "in the trust survey), the share in different agencies. Formula: trust ties across agencies / "
        "trust ties."),
}

#: ``{ties choice: (what a tie is, plural noun)}`` for :func:`share_of_ties` (choices of
#: :func:`netdash.networks.graphs.practitioner_graph`).
_TIE_KINDS = {
    "direct": ("a contact logged either way", "direct-contact ties"),
    "coworking": ("the same client seen within 90 days", "co-working ties"),
    "cop": ("sitting in the same COP session: the intervention itself, not a working tie", "COP co-attendance ties"),
    "all": ("a contact, the same client within 90 days, or the same COP session (the intervention itself "
            "counted with the working ties)", "all ties (COP co-attendance included)"),
}

#: Measures compared between periods, in display order.
HEADLINE_MEASURES = ("n_ties", "cross_agency_share", "ei_index", "fragmentation", "isolates",
                     "trust_ties", "mean_constraint", "agency_nmi")

#: ``{measure: (label, plain meaning, formula and source)}`` for the headline measures of
#: :func:`headline_measures`, in display order.
HEADLINE_EXPLANATIONS = {
    "n_ties": ("Ties", "Pairs of practitioners with a tie in the period.",
               "Edges of the undirected practitioner graph; weights ignored."),
    # working ties, the default everywhere; headline_explanations(ties) names the share for another choice
    "cross_agency_share": (*CROSS_AGENCY_SHARES["working_ties"],
                           "ties between agencies / all ties; none when there are no ties."),
    "ei_index": ("E-I index", *mixing.EXPLANATIONS["ei_index"]),
    "fragmentation": ("Fragmentation", *fragmentation.EXPLANATIONS["fragmentation"]),
    "isolates": ("Isolates", "Practitioners in post with no tie at all in the period.",
                 "Nodes of degree 0."),
    "trust_ties": ("Trust ties", "Pairs whose contacts show a lasting working relationship (or who "
                   "rated each other in the trust survey).",
                   "Edges of the trust graph, default rule (netdash.metrics.trust.trust_graph)."),
    "mean_constraint": ("Mean constraint", structural_holes.EXPLANATIONS["constraint"][0]
                        + " Averaged over practitioners with a tie.",
                        structural_holes.EXPLANATIONS["constraint"][1]),
    "agency_nmi": ("Agency NMI", *communities.EXPLANATIONS["agency_nmi"]),
}


def share_of_ties(ties="working"):
    """(label, definition) of the share of ``ties`` that cross agencies: one name per tie choice.

    ``"working"`` (the default everywhere) is
    ``CROSS_AGENCY_SHARES["working_ties"]``; any other choice gets its own
    name, so a share that counts COP co-attendance never passes for the
    share of working ties.

    Examples
    --------
    >>> share_of_ties()[0], share_of_ties("all")[0]
    ('Share of working ties across agencies', 'Share of all ties (COP co-attendance included) across agencies')
    """
    if ties == "working":
        return CROSS_AGENCY_SHARES["working_ties"]
    if ties not in _TIE_KINDS:
        raise InvalidInputError(f"share_of_ties: ties should be one of working, {', '.join(_TIE_KINDS)}; "
                                f"got {ties!r}.")
    what, noun = _TIE_KINDS[ties]
    return (f"Share of {noun} across agencies",
            f"Of the pairs of practitioners with a tie ({what}), the share in different agencies. Each pair "
            f"counts once. Formula: {noun} across agencies / {noun}.")


def headline_explanations(ties="working"):
    """:data:`HEADLINE_EXPLANATIONS` with the cross-agency share named for ``ties`` (:func:`share_of_ties`)."""
    label, definition = share_of_ties(ties)
    return {**HEADLINE_EXPLANATIONS, "cross_agency_share": (label, definition,
                                                            HEADLINE_EXPLANATIONS["cross_agency_share"][2])}


def format_share(x):
    """A share as the pages, the report and the CLI print it: a percentage with one decimal, "–" when missing.

    Examples
    --------
    >>> format_share(0.73198), format_share(None), format_share(float("nan"))
    ('73.2%', '–', '–')
    """
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "–"
    return f"{100 * float(x):.1f}%"


def _share(across, total):
    return {"share": across / total if total else None, "across": int(across), "total": int(total)}


def cross_agency_shares(ds, period=None, *, ties="working", window_days=90, trust_options=None,
                        kinds=tuple(CROSS_AGENCY_SHARES)):
    """The three cross-agency shares of ``period`` (:data:`CROSS_AGENCY_SHARES`), computed once for every page.

    Parameters
    ----------
    ds : Dataset
    period : Period, optional
        Default: all the data.
    ties : str, default "working"
        The tie choice of the second share (:func:`share_of_ties` names it);
        its key stays ``"working_ties"``.
    window_days : int, default 90
        Co-working window.
    trust_options : dict, optional
        Trust rule (keyword options of :func:`netdash.metrics.trust.trust_edges`).
    kinds : iterable of str, default all three
        Which shares to compute (the Overview needs only ``"contacts"``).

    Returns
    -------
    dict
        ``{"contacts", "working_ties", "trust_ties"}`` (those in ``kinds``), each ``{"share"
        (None when there is nothing to divide), "across", "total"}``:
        colleague contacts from :func:`netdash.dataset.dataset_summary`;
        ties of the practitioner network
        (:func:`netdash.metrics.basic.network_summary`, the Network map's and
        ``netdash metrics``' figure; a missing agency differs from every known
        one); trust ties from :func:`netdash.metrics.trust.trust_summary`
        (the Trust page's figure).

    Examples
    --------
    >>> from netdash.dataset import Dataset
    >>> ds = Dataset.from_records(
    ...     agencies=[{"agency_id": "A", "name": "A"}, {"agency_id": "B", "name": "B"}],
    ...     practitioners=[{"practitioner_id": p, "agency_id": a} for p, a in [("p", "A"), ("q", "B"), ("r", "A")]],
    ...     contacts=[{"date": "2024-01-02", "practitioner_id": "p", "with_practitioner_id": "q"},
    ...               {"date": "2024-01-03", "practitioner_id": "p", "with_practitioner_id": "q"},
    ...               {"date": "2024-01-04", "practitioner_id": "p", "with_practitioner_id": "r"}])
    >>> s = cross_agency_shares(ds)
    >>> s["contacts"], s["working_ties"]
    ({'share': 0.6666666666666666, 'across': 2, 'total': 3}, {'share': 0.5, 'across': 1, 'total': 2})
    """
    from netdash.dataset import dataset_summary
    from netdash.metrics.basic import network_summary
    from netdash.metrics.trust import trust_graph, trust_summary

    share_of_ties(ties)  # a clear error for an unknown choice
    kinds = list(kinds)
    unknown = sorted(set(kinds) - set(CROSS_AGENCY_SHARES))
    if unknown:
        raise InvalidInputError(f"cross_agency_shares: unknown kinds {unknown}; choose from "
                                f"{', '.join(CROSS_AGENCY_SHARES)}.")
    out = {}
    if "contacts" in kinds:
        summary = dataset_summary(ds, period)
        out["contacts"] = _share(summary["cross_agency_contacts"], summary["colleague_contacts"])
    if "working_ties" in kinds:
        nodes = graphs.practitioner_nodes(ds, period)
        edges = graphs.practitioner_edges(ds, period, ties=ties, window_days=window_days)
        M = GraphMatrix.from_edges(nodes["practitioner_id"], edges["source"], edges["target"],
                                   node_attrs={"agency": nodes["agency"]})
        network = network_summary(M)
        out["working_ties"] = _share(network["cross_agency_ties"], network["n_ties"])
    if "trust_ties" in kinds:
        trust = trust_summary(trust_graph(ds, period, **dict(trust_options or {})))
        out["trust_ties"] = _share(trust["cross_agency_ties"], trust["n_trust_ties"])
    return {k: out[k] for k in CROSS_AGENCY_SHARES if k in out}


def network_headline(M, trust_ties, *, seed=0, constraint=None):
    """The headline measures of one practitioner network.

    Parameters
    ----------
    M : GraphMatrix
        The undirected practitioner network, isolates included, with node
        attribute ``agency`` (None where unknown). Self-loops are not ties
        (a GraphMatrix drops them).
    trust_ties : int
        The number of trust ties among the same practitioners.
    seed : int, default 0
        First of the 10 Louvain seeds for ``agency_nmi``.
    constraint : callable, optional
        ``constraint(M)``: every node's Burt constraint in node order (NaN for
        isolates), the values of :func:`netdash.metrics.structural_holes.constraint`,
        which is used when not given.

    Returns
    -------
    dict
        ``n_practitioners`` (nodes, isolates included), ``n_ties``,
        ``cross_agency_share`` (ties between agencies / ties; a missing
        agency differs from every known one), ``ei_index`` (Krackhardt &
        Stern 1988), ``fragmentation`` (Borgatti 2006), ``isolates``,
        ``trust_ties``, ``mean_constraint`` (Burt 1992, mean over
        practitioners with at least one tie) and ``agency_nmi`` (NMI of
        Louvain communities against agencies, the median over 10 seeded runs
        as everywhere else, :func:`netdash.metrics.communities.agency_nmi`).
        Ratios with no ties
        to count are NaN. Weights are ignored.

    Examples
    --------
    >>> M = GraphMatrix(["a", "b", "c", "d"], [0, 1], [1, 2], node_attrs={"agency": ["A", "A", "B", "B"]})
    >>> h = network_headline(M, trust_ties=1)
    >>> h["n_ties"], h["cross_agency_share"], h["isolates"], h["ei_index"]
    (2, 0.5, 1, 0.0)
    """
    n, m = len(M), M.number_of_edges()
    groups = pd.Series(M.node_attrs.get("agency", [None] * n), dtype=object).to_numpy()
    cross = int(np.count_nonzero(groups[M.source] != groups[M.target]))
    nan = float("nan")
    if not m:
        cons = np.array([])
    elif constraint is None:
        cons = np.array(list(structural_holes.constraint(M).values()), dtype=float)
    else:
        cons = np.asarray(constraint(M), dtype=float)
    return {
        "n_practitioners": n,
        "n_ties": m,
        "cross_agency_share": cross / m if m else nan,
        "ei_index": mixing.ei_index(M) if m else nan,
        "fragmentation": fragmentation.fragmentation(M),
        "isolates": n - _tied_count(n, M.source, M.target),
        "trust_ties": int(trust_ties),
        "mean_constraint": float(np.nanmean(cons)) if np.isfinite(cons).any() else nan,
        "agency_nmi": communities.agency_nmi(M, seed=seed) if m else nan,
    }


def _tied_count(n, source, target):
    """How many of the ``n`` nodes are an end of a tie: ``len(unique_sorted(np.r_[source, target]))`` without a sort."""
    tied = np.zeros(n, dtype=bool)
    tied[source] = True
    tied[target] = True
    return int(np.count_nonzero(tied))


def _matrix_of_codes(ds, period, nodes, ties, window_days):
    """The GraphMatrix of :func:`netdash.networks.graphs.practitioner_edges` made from its coded pairs.

    The same matrix as ``GraphMatrix.from_edges`` of the edge table (a
    GraphMatrix sorts its ties), without writing the table's ids and looking
    them up again. None when a tie end is not in ``nodes``.
    """
    log = period_log(ds, period)
    found = union_counts(ds, period, ties, window_days)
    ids = nodes["practitioner_id"].tolist()
    codes = log.index.get_indexer(pd.Index(ids, dtype=object))  # increasing: both are sorted by id
    source, target = (np.zeros(0, dtype=np.int64),) * 2 if found is None else found[:2]
    return GraphMatrix.from_codes(ids, codes, source, target, node_attrs={"agency": nodes["agency"]})


def period_matrix(ds, period, *, ties="working", window_days=90, nodes=None):
    """The :class:`GraphMatrix` of the practitioner network of ``period`` (ties unweighted), with node attribute
    ``agency``: what :func:`headline_measures` and Before & after's heat maps count.

    Made from the period's coded pairs (:func:`netdash.networks.union_counts`),
    so the edge table's ids are not looked up again; the same matrix as
    ``GraphMatrix.from_edges`` of :func:`netdash.networks.graphs.practitioner_nodes`
    and :func:`netdash.networks.graphs.practitioner_edges` (weights apart).

    Parameters
    ----------
    ds : Dataset
    period : Period
    ties : str, default "working"
    window_days : int, default 90
    nodes : DataFrame, optional
        ``practitioner_nodes(ds, period)`` if already at hand (only read).

    Returns
    -------
    GraphMatrix
    """
    nodes = graphs.practitioner_nodes(ds, period) if nodes is None else nodes
    M = _matrix_of_codes(ds, period, nodes, ties, window_days)
    if M is None:  # a tie end that is not a node (not expected): the edge table says which
        edges = graphs.practitioner_edges(ds, period, ties=ties, window_days=window_days)
        M = GraphMatrix.from_edges(nodes["practitioner_id"], edges["source"], edges["target"],
                                   node_attrs={"agency": nodes["agency"]})
    return M


def headline_measures(ds, period, *, ties="working", window_days=90, seed=0, trust_rule=None, constraint=None):
    """The headline measures of the practitioner network of ``period``, for Over time and the report.

    Parameters
    ----------
    ds : Dataset
    period : Period
    ties : str, default "working"
        Tie choice of :func:`netdash.networks.graphs.practitioner_graph`.
    window_days : int, default 90
    seed : int, default 0
        Louvain seed for ``agency_nmi``.
    trust_rule : dict, optional
        Keyword options of :func:`netdash.metrics.trust.trust_edges` for
        ``trust_ties``; the default rule when not given. Over time gives one
        month's windows a rule that can hold inside a month
        (:func:`netdash.change.windows.window_trust_rule`).
    constraint : callable, optional
        As :func:`network_headline`'s.

    Returns
    -------
    dict
        :func:`network_headline` of the network of
        :func:`netdash.networks.graphs.practitioner_graph` (built from its
        edge table, no networkx graph), with ``trust_ties`` the edges of
        :func:`netdash.metrics.trust.trust_graph` (default rule unless
        ``trust_rule`` says otherwise).
    """
    M = period_matrix(ds, period, ties=ties, window_days=window_days)
    # trust_edges lists each pair once (a < b), so its trust ties (counted without the table) are the trust graph's
    # edges.
    trust_ties = trust_tie_count(ds, period, **(trust_rule or {}))
    return network_headline(M, trust_ties=trust_ties, seed=seed, constraint=constraint)
