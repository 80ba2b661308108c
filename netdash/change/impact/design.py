"""The design of the COP impact evaluation: windows, sample and outcomes.

Everything here is descriptive; the estimators live in
:mod:`netdash.change.impact.estimators` and :mod:`netdash.change.impact.matching`.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from netdash.networks import graphs
from netdash.networks.codes import distinct_rows, isin_sorted, sorted_counts, unique_sorted
from netdash.networks.counts import period_log, stored, union_counts
from netdash.change.windows import equal_windows
from netdash.dataset import NO_COP_DATA
from netdash.errors import AnalysisError, InvalidInputError
from netdash.periods import Period

__all__ = ["OUTCOME_TIES", "TABLE_COLUMNS", "ImpactDesign", "impact_design", "impact_table", "trust_pair_changes"]

#: Tie choices allowed for the outcome. COP co-attendance is the treatment,
#: so a tie made of it can never be part of the outcome.
OUTCOME_TIES = ("working", "direct", "coworking")

_DAY = pd.Timedelta(days=1)

#: Columns of :func:`impact_table`.
TABLE_COLUMNS = ["practitioner_id", "agency_id", "attendee", "sessions", "before", "after", "change",
                 "trust_before", "trust_after", "trust_change", "role", "baseline_degree", "caseload"]


@dataclass(frozen=True)
class ImpactDesign:
    """Windows, sample and per-practitioner outcomes of one evaluation.

    Attributes
    ----------
    cop_start : Timestamp
    before, after : Period
        Equal-length windows ``[cop_start - L, cop_start)`` and
        ``[cop_start, cop_start + L)``.
    window_length_days : int
        ``L``, the shorter of the data available before and after.
    table : DataFrame
        One row per practitioner in the sample (see :func:`impact_table`).
    excluded : dict
        Practitioners in post at some time in the windows but not throughout:
        ``joined`` (started after the before window began), ``left`` (left
        before the after window ended).
    ties : str
    sessions_before_start : int
        COP attendances dated before ``cop_start`` (contamination of the
        before window when ``cop_start`` was set later than the first session).
    window_days : int
        Co-working window of the outcome's ties.
    """

    cop_start: pd.Timestamp
    before: Period
    after: Period
    window_length_days: int
    table: pd.DataFrame
    excluded: dict
    ties: str
    sessions_before_start: int
    window_days: int = 90

    def practitioner_table(self):
        """The columns of :attr:`table` that :func:`impact_table` returns (a new frame)."""
        return self.table[TABLE_COLUMNS]


def _windows(ds, cop_start):
    """(cop_start, before, after, length in days): :func:`netdash.change.windows.equal_windows` of all the data."""
    before, after = equal_windows(ds, cop_start)
    return before.end, before, after, (after.end - after.start).days


def _in_post_throughout(prac, before, after):
    started = prac["start_date"].isna() | (prac["start_date"] <= before.start)
    stayed = prac["end_date"].isna() | (prac["end_date"] >= after.end - _DAY)
    return started, stayed


def _neighbour_counts(a, b, agency):
    """Distinct neighbours in another agency, and all distinct neighbours, of every node with a tie.

    ``a``, ``b`` are the two ends of each tie (either order, repeats allowed;
    self-ties are ignored). An agency missing from ``agency`` counts as one
    more agency (``None``), as ``agency.get`` did on the networkx graph this
    replaces. Returns two Series indexed by practitioner id (in no
    particular order).
    """
    a, b = np.asarray(a, dtype=object), np.asarray(b, dtype=object)
    codes, ids = pd.factorize(np.r_[a, b])
    return _coded_neighbour_counts(codes[:len(a)], codes[len(a):], ids, agency)


def _coded_neighbour_counts(u, v, ids, agency):
    """:func:`_neighbour_counts` of ties given as codes ``u``, ``v`` of ``ids``."""
    n = len(ids)
    u, v = np.asarray(u).astype(np.int64), np.asarray(v).astype(np.int64)
    other = u != v
    # One key per unordered pair: which end is smaller does not matter for a count of distinct pairs. The
    # coded windows (union_counts) give each pair once, in key order: their keys are already the distinct keys.
    pairs = np.minimum(u, v)[other] * n + np.maximum(u, v)[other]
    if pairs.size > 1 and not bool((pairs[1:] > pairs[:-1]).all()):
        pairs = unique_sorted(pairs)
    u, v = pairs // n, pairs % n
    ids = pd.Index(ids, dtype=object)
    # A missing agency is code -1 for everyone: one more agency, as agency.get(x) == None was.
    agency_code = pd.factorize(np.asarray(ids.map(agency), dtype=object))[0]
    cross = agency_code[u] != agency_code[v]
    degree = np.bincount(np.r_[u, v], minlength=n)
    across = np.bincount(np.r_[u[cross], v[cross]], minlength=n)
    return (pd.Series(across[across > 0], index=ids[across > 0], dtype="int64"),
            pd.Series(degree[degree > 0], index=ids[degree > 0], dtype="int64"))


def _trust_counts(ds, period, agency):
    """Cross-agency trust ties per practitioner in ``period``.

    Trust ties do not depend on the outcome's ``ties``, so they are counted
    once per window and kept in ``ds.memo``, shared by every ``ties`` choice.
    """
    from netdash.metrics.trust import trust_edges

    def compute():
        edges = trust_edges(ds, period)
        edges = edges[edges["is_trust_tie"].astype(bool)]
        return _neighbour_counts(edges["a"], edges["b"], agency)[0]

    return stored(("impact_trust", period), ds, compute)


def trust_pair_changes(ds, design):
    """Pairs of sample practitioners with a cross-agency trust tie in either window, and its change.

    The trust ties are those of ``trust_before``/``trust_after`` in the
    design's table (:func:`netdash.metrics.trust.trust_edges`, default
    rule, in each window), kept when both ends are in the sample. They give
    the shared-tie terms of the dyadic-robust interval of the trust-tie
    difference-in-differences (:func:`netdash.change.impact.staggered.did_dyadic`).

    Parameters
    ----------
    ds : Dataset
    design : ImpactDesign

    Returns
    -------
    (ndarray, ndarray, ndarray)
        ``a``, ``b``: row positions in ``design.table`` (``a < b``);
        ``change``: after minus before (-1, 0 or 1) of the pair's trust tie.
    """
    from netdash.metrics.trust import trust_edges

    table = design.table
    row = pd.Series(np.arange(len(table)), index=pd.Index(table["practitioner_id"], dtype=object))
    agency = dict(zip(ds.practitioners["practitioner_id"], ds.practitioners["agency_id"]))
    n = len(table)
    keys = []
    for period in (design.before, design.after):
        edges = trust_edges(ds, period)
        edges = edges[edges["is_trust_tie"].astype(bool)]
        a = row.reindex(edges["a"].to_numpy()).to_numpy()
        b = row.reindex(edges["b"].to_numpy()).to_numpy()
        # As _neighbour_counts: a missing agency is one more agency, the same for everyone.
        agency_a, agency_b = edges["a"].map(agency), edges["b"].map(agency)
        cross = ~(agency_a.eq(agency_b) | (agency_a.isna() & agency_b.isna())).to_numpy()
        keep = ~np.isnan(a) & ~np.isnan(b) & cross
        a, b = a[keep].astype(np.int64), b[keep].astype(np.int64)
        keys.append(np.unique(np.minimum(a, b) * n + np.maximum(a, b)))
    both = np.union1d(*keys)
    change = isin_sorted(both, keys[1]).astype(float) - isin_sorted(both, keys[0])
    return both // n, both % n, change


def _caseload(ds, period):
    """Distinct clients per practitioner in ``period``: a Series by ``practitioner_id``, those with a client only.

    Counted on the period's coded log (one sort of integer codes), not by
    grouping the contacts' id strings.
    """
    log = period_log(ds, period)
    keep = (log.client >= 0) & (log.author >= 0)
    author, _ = distinct_rows(log.author[keep], log.client[keep])
    codes, clients = sorted_counts(author)
    return pd.Series(clients, index=pd.Index(log.ids[codes], dtype=object, name="practitioner_id"),
                     name="client_id")


def impact_design(ds, *, cop_start=None, window_days=90, ties="working"):
    """Fix the windows and sample and compute every practitioner's outcomes.

    Parameters
    ----------
    ds : Dataset
    cop_start : date-like, optional
        First day of the COP; defaults to the first COP session.
    window_days : int, default 90
        Co-working window of :func:`netdash.networks.graphs.coworking_edges`.
    ties : {"working", "direct", "coworking"}, default "working"
        Ties that make the outcome. ``"cop"`` and ``"all"`` are refused:
        sitting in the same session is the treatment, not an outcome.

    Returns
    -------
    ImpactDesign

    Raises
    ------
    AnalysisError
        No dated rows; nobody attended a COP; the COP start leaves an empty
        before or after window; no practitioner in post throughout.
    InvalidInputError
        If ``ties`` is not an outcome tie choice.
    """
    if ties not in OUTCOME_TIES:
        raise InvalidInputError(
            f"ties={ties!r} cannot be an impact outcome. Use one of {', '.join(map(repr, OUTCOME_TIES))}: "
            "COP co-attendance is the treatment, so it is never counted as a tie gained.")
    if ds.cop_attendance.empty:
        raise AnalysisError(
            f"Nobody attended a COP session ({NO_COP_DATA}), so there is no one whose ties could have "
            "changed because of the COP. Add cop_attendance.csv rows, or check the import mapping.")
    cop_start, before, after, length = _windows(ds, cop_start)

    prac = ds.practitioners
    started, stayed = _in_post_throughout(prac, before, after)
    in_any = prac["practitioner_id"].isin(graphs.practitioners_in_post(ds, Period(before.start, after.end))
                                          ["practitioner_id"])
    keep = started & stayed
    excluded = {"joined": int((in_any & ~started).sum()),
                "left": int((in_any & started & ~stayed).sum())}
    sample = prac.loc[keep, ["practitioner_id", "agency_id", "role"]].copy()
    if sample.empty:
        raise AnalysisError(
            f"No practitioner was in post throughout {before.label()} and {after.label()}. "
            "Check start_date/end_date in practitioners.csv, or choose a COP start nearer the middle of the data.")
    agency = dict(zip(prac["practitioner_id"], prac["agency_id"]))

    table = sample.sort_values("practitioner_id").reset_index(drop=True)
    attendance = ds.cop_attendance[after.mask(ds.cop_attendance["date"])]
    sessions = attendance.groupby("practitioner_id")["session_id"].nunique()
    table["sessions"] = table["practitioner_id"].map(sessions).fillna(0).astype("int64")
    table["attendee"] = table["sessions"] > 0
    # The coded windows, trust ties and caseloads are kept in ds.memo: counted once and shared by every
    # choice of ties.
    for label, period in (("before", before), ("after", after)):
        # Counted on the coded tables behind graphs.practitioner_edges: the same neighbours as the graphs,
        # without building them or their tables of ids.
        found = union_counts(ds, period, ties, window_days)
        source, target = (found[0], found[1]) if found is not None else (np.zeros(0, np.int64),) * 2
        cross, degree = _coded_neighbour_counts(source, target, period_log(ds, period).ids, agency)
        table[label] = table["practitioner_id"].map(cross).fillna(0).astype("int64")
        trust = _trust_counts(ds, period, agency)
        table[f"trust_{label}"] = table["practitioner_id"].map(trust).fillna(0).astype("int64")
        if label == "before":
            table["baseline_degree"] = table["practitioner_id"].map(degree).fillna(0).astype("int64")
    caseload = stored(("impact_caseload", before), ds, lambda: _caseload(ds, before))
    table["change"] = table["after"] - table["before"]
    table["trust_change"] = table["trust_after"] - table["trust_before"]
    table["caseload"] = table["practitioner_id"].map(caseload).fillna(0).astype("int64")
    early = int((ds.cop_attendance["date"] < cop_start).sum())
    return ImpactDesign(cop_start, before, after, length, table, excluded, ties, early, window_days)


def impact_table(ds, *, cop_start=None, window_days=90, ties="working"):
    """Per-practitioner outcomes of the impact evaluation, for the page.

    Sample: practitioners in post throughout both windows (``start_date``
    missing or on/before the first day of the before window, ``end_date``
    missing or on/after the last day of the after window). Outcome: distinct
    colleagues in another agency with a working tie (direct contact either
    way, or co-working on a client within ``window_days``) in the window;
    COP co-attendance never counts.

    Parameters
    ----------
    ds : Dataset
    cop_start : date-like, optional
    window_days : int, default 90
    ties : {"working", "direct", "coworking"}, default "working"

    Returns
    -------
    DataFrame
        ``practitioner_id``, ``agency_id``, ``attendee`` (attended at least
        one session in the after window), ``sessions`` (distinct sessions in
        the after window), ``before``, ``after``, ``change``, then
        ``trust_before``, ``trust_after``, ``trust_change`` (cross-agency
        trust ties), ``role``, ``baseline_degree`` and ``caseload``
        (distinct clients in the before window).

    Raises
    ------
    AnalysisError, InvalidInputError
        As :func:`impact_design`.
    """
    return impact_design(ds, cop_start=cop_start, window_days=window_days, ties=ties).practitioner_table()

