"""Who might welcome an invitation or an introduction: isolation and introductions.

These lists are for COP leads inviting people in. They describe what the
contact logs *record*, which is never all of anyone's work, so the wording
is about opportunities ("worth a personal invitation"), never about
performance. They are not a basis for managing individuals.

Ties come from :func:`netdash.networks.graphs.practitioner_edges`; the default
``ties="working"`` counts direct contacts (either direction) and co-working
on the same client within ``window_days``, and ignores COP co-attendance,
because the question is whether people work together, not whether they sat
in the same room.
"""

import numpy as np
import pandas as pd

from netdash.networks import graphs
from netdash.actions._intro import (_agency_codes, _common_neighbours, _day, _evidence_texts,
                                      _shared_client_pairs)
from netdash.networks import direct_counts, isin_sorted, period_log, stored, union_counts
from netdash.errors import InvalidInputError
from netdash.periods import Period
from netdash.privacy import DEFAULT_THRESHOLD, hidden_cells, suppress_small_counts, suppression_notes

__all__ = ["CATEGORIES", "CATEGORY_LABELS", "NOT_COMPUTABLE", "isolation_report", "suggest_introductions",
           "previous_period", "fading_unavailable", "category_counts", "may_be_named", "people_to_invite",
           "introductions_list"]

#: What a count that could not be computed shows instead of a number (never 0).
NOT_COMPUTABLE = "not computable"

#: Isolation categories, most in need of an invitation first.
CATEGORIES = ("isolated", "boundary_isolated", "drifting", "connected")

#: Each category as a COP lead would say it (dashboard, lists).
CATEGORY_LABELS = {
    "isolated": "No working ties recorded yet",
    "boundary_isolated": "Works only within their own agency",
    "drifting": "Cross-agency links fading",
    "connected": "Connected across agencies",
}

_REPORT_COLUMNS = ["practitioner_id", "agency_id", "category", "reason", "cop_attendee", "degree",
                   "cross_agency_ties", "previous_cross_agency_ties", "lost_cross_agency_ties"]


def _plural(n, word, plural=None):
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def previous_period(period):
    """The period of equal length in days that ends where ``period`` starts.

    Raises
    ------
    InvalidInputError
        If ``period`` has an open start or end, since its length is unknown.

    Examples
    --------
    >>> p = Period(pd.Timestamp("2024-04-01"), pd.Timestamp("2024-07-01"))
    >>> previous_period(p).label()
    '2024-01-01 to 2024-04-01'
    """
    if period is None or period.start is None or period.end is None:
        raise InvalidInputError(
            "the previous period is only defined for a period with both a start and an end "
            f"(got {period.label() if period is not None else 'all time'}). "
            "Choose a closed period, or pass previous=Period(start, end) explicitly.")
    return Period(period.start - (period.end - period.start), period.start)


def fading_unavailable(ds, period, previous=None):
    """Why "cross-agency links fading" cannot be computed for ``period``, or None when it can.

    It compares ``period`` with ``previous`` (by default
    :func:`previous_period`), so it needs a closed period, and contacts
    recorded in the previous period: with none, everyone would look as if
    they had nothing to lose, and "nobody is fading" would be a count of 0
    that was never measured.

    Returns
    -------
    str or None
        A sentence a user can act on, or None.

    Examples
    --------
    >>> fading_unavailable(None, Period(pd.Timestamp("2024-01-01"), None))[:40]
    'it needs a period with both a start and '
    """
    period = Period() if period is None else period
    if previous is None:
        if period.start is None or period.end is None:
            return ("it needs a period with both a start and an end, to compare with the period of the same length "
                    "before it; choose both dates in the sidebar")
        previous = previous_period(period)
    if not previous.mask(ds.contacts["date"]).any():
        return (f"no contacts are recorded in the period before ({previous.label()}), so there is nothing to "
                "compare with; choose a later period")
    return None


def _neighbours(ds, period, ties, window_days):
    """Long table (practitioner_id, colleague_id, cross) of distinct tie partners, both directions.

    Counted on the coded pairs of :func:`netdash.networks.counts.union_counts`
    (no id strings are compared). ``cross`` is True when the two agencies
    differ or either is unknown.
    """
    found = union_counts(ds, period, ties, window_days)
    log = period_log(ds, period)
    if found is None:
        source = target = np.zeros(0, dtype=np.int64)
    else:
        source, target, _ = found
        other = source != target
        source, target = source[other], target[other]
    agency = _agency_codes(ds, log)
    one, two = np.r_[source, target], np.r_[target, source]
    cross = (agency[one] != agency[two]) | (agency[one] < 0) | (agency[two] < 0)
    return pd.DataFrame({"practitioner_id": pd.Series(log.ids[one], dtype=object),
                         "colleague_id": pd.Series(log.ids[two], dtype=object), "cross": cross})


def _reason(category, degree, cross, previous, still, lost, attendee):
    if category == "isolated":
        text = "No contact with colleagues recorded in this period"
        if attendee:
            return text + (" — a friendly follow-up after their COP sessions could help them"
                           " find colleagues to work with.")
        return text + " — worth a personal invitation to the next COP session."
    if category == "boundary_isolated":
        text = (f"Works with {_plural(degree, 'colleague')}, all in their own agency"
                " — an introduction to someone in another agency could help.")
        if previous:
            text += f" Last period they worked with {_plural(previous, 'colleague')} in other agencies."
        return text
    if category == "drifting":
        of = "them" if still == previous else f"the {still} still in post"
        return (f"Worked with {_plural(previous, 'colleague')} in other agencies last period; "
                f"this period, working together is recorded with {still - lost} of {of}"
                " — worth checking in; the links may just need refreshing.")
    return f"Works with {_plural(cross, 'colleague')} in other agencies this period."


def isolation_report(ds, period, *, previous=None, ties="working", window_days=90, drift_share=0.5):
    """One row per practitioner in post, with an isolation category and a reason.

    Categories, checked in this order (the first that applies wins):

    ``isolated``
        no tie of the chosen kind at all in ``period`` (degree 0);
    ``boundary_isolated``
        ties only with colleagues in their own agency;
    ``drifting``
        of the distinct cross-agency colleagues they had in ``previous``
        who are still in post in ``period``, at least ``drift_share`` have
        no tie with them in ``period`` (colleagues who left post are not
        counted as lost), *and* the lost ones were not replaced: their
        cross-agency colleagues now number at most ``1 - drift_share`` of
        those in ``previous``. Without the second condition the ordinary
        turnover of clients (and so of co-working colleagues) marks most
        practitioners as drifting. Needs a previous period with contacts
        (:func:`fading_unavailable`); without one, nobody is drifting and
        the ``previous_*`` columns are missing (NA), not 0;
    ``connected``
        everyone else.

    Parameters
    ----------
    ds : Dataset
    period : Period
        Practitioners in post at any time in it (:func:`netdash.networks.graphs.practitioners_in_post`)
        get a row.
    previous : Period, optional
        Comparison period for ``drifting``; default :func:`previous_period`.
        When ``period`` is open at either end and ``previous`` is not given,
        drifting is not assessed and the previous columns are missing (NA).
    ties : str, default "working"
        Tie kinds, as in :func:`netdash.networks.graphs.practitioner_graph`.
    window_days : int, default 90
        Co-working window.
    drift_share : float, default 0.5
        Share of previous cross-agency colleagues lost that counts as drifting,
        ``0 < drift_share <= 1``.

    Returns
    -------
    DataFrame
        ``practitioner_id``, ``agency_id``, ``category``, ``reason``,
        ``cop_attendee``, ``degree`` (distinct colleagues tied),
        ``cross_agency_ties`` (distinct colleagues in other agencies),
        ``previous_cross_agency_ties`` (distinct colleagues in other agencies
        in the previous period, all of them), ``lost_cross_agency_ties``
        (those still in post with no tie now); the last two are nullable
        integers. Sorted by category (order of :data:`CATEGORIES`) then id.

    Raises
    ------
    InvalidInputError
        If ``drift_share`` is outside (0, 1] or ``ties``/``window_days`` are invalid.
    """
    if not isinstance(drift_share, (int, float)) or isinstance(drift_share, bool) \
            or not 0 < drift_share <= 1:
        raise InvalidInputError(
            f"drift_share should be a share between 0 (exclusive) and 1, e.g. 0.5 for 'lost at "
            f"least half of their cross-agency colleagues'; got {drift_share!r}.")
    period = Period() if period is None else period
    if previous is None and period.start is not None and period.end is not None:
        previous = previous_period(period)
    if previous is not None and fading_unavailable(ds, period, previous) is not None:
        previous = None  # not measured: the previous_* columns stay NA
    in_post = graphs.practitioners_in_post(ds, period)
    report = pd.DataFrame({"practitioner_id": in_post["practitioner_id"].astype(object),
                           "agency_id": in_post["agency_id"].astype(object)})
    nodes = graphs.practitioner_nodes(ds, period).set_index("practitioner_id")
    report["cop_attendee"] = report["practitioner_id"].map(nodes["cop_attendee"]).fillna(False).astype(bool)

    now = _neighbours(ds, period, ties, window_days)
    report["degree"] = report["practitioner_id"].map(now.groupby("practitioner_id").size())
    cross_now = now[now["cross"]]
    report["cross_agency_ties"] = report["practitioner_id"].map(cross_now.groupby("practitioner_id").size())
    counts = ["degree", "cross_agency_ties"]
    report[counts] = report[counts].fillna(0).astype("int64")

    report["_still"] = 0
    report["previous_cross_agency_ties"] = pd.array([pd.NA] * len(report), dtype="Int64")
    report["lost_cross_agency_ties"] = pd.array([pd.NA] * len(report), dtype="Int64")
    drifting = np.zeros(len(report), dtype=bool)
    if previous is not None:
        before = _neighbours(ds, previous, ties, window_days)
        before = before[before["cross"]]
        report["previous_cross_agency_ties"] = report["practitioner_id"].map(
            before.groupby("practitioner_id").size()).fillna(0).astype("Int64")
        still = before[before["colleague_id"].isin(in_post["practitioner_id"])]
        kept = still.merge(cross_now[["practitioner_id", "colleague_id"]], how="left", indicator=True)
        lost = kept[kept["_merge"] == "left_only"].groupby("practitioner_id").size()
        base = still.groupby("practitioner_id").size()
        report["_still"] = report["practitioner_id"].map(base).fillna(0).astype(int)
        report["lost_cross_agency_ties"] = report["practitioner_id"].map(lost).fillna(0).astype("Int64")
        share = report["practitioner_id"].map(lost).fillna(0) / report["practitioner_id"].map(base)
        # Colleagues change as clients come and go: only someone whose lost
        # cross-agency colleagues were not replaced by new ones is drifting.
        shrunk = report["cross_agency_ties"] <= (1 - drift_share) * report["previous_cross_agency_ties"].fillna(0)
        drifting = ((share >= drift_share) & shrunk).fillna(False).to_numpy(dtype=bool)

    report["category"] = np.select(
        [report["degree"].eq(0).to_numpy(), report["cross_agency_ties"].eq(0).to_numpy(), drifting],
        ["isolated", "boundary_isolated", "drifting"], default="connected")
    prev = report["previous_cross_agency_ties"].fillna(0).astype(int)
    lost = report["lost_cross_agency_ties"].fillna(0).astype(int)
    report["reason"] = [
        _reason(c, d, x, p, s, l, a) for c, d, x, p, s, l, a in zip(
            report["category"], report["degree"], report["cross_agency_ties"], prev,
            report["_still"], lost, report["cop_attendee"])]
    order = report["category"].map({c: i for i, c in enumerate(CATEGORIES)})
    report = report.assign(_order=order).sort_values(["_order", "practitioner_id"])
    return report[_REPORT_COLUMNS].reset_index(drop=True)


def suggest_introductions(ds, period, *, ties="working", top=None, recency_half_life_days=90,
                          window_days=90):
    """Pairs in different agencies who share clients but have no direct contact.

    A pair is suggested when both practitioners had a contact with at least
    one same client in ``period``, they belong to different agencies, and no
    contact between them (either direction) is recorded in ``period``.

    Score (higher first)::

        score = shared_clients + 0.5 * recency + 0.5 * c / (c + 1)

    where ``recency = 2 ** (-age / recency_half_life_days)`` (1 for a shared
    client seen on the last day of the period, halving every half-life),
    ``age`` is days from ``last_shared_contact`` to the reference day (the
    day before ``period.end``, or the last contact day in the period when it
    is open), and ``c`` is the number of common colleagues (practitioners
    tied to both under ``ties``). Each shared client counts 1 and the other
    two terms together add less than 1, so they only order pairs with the
    same number of shared clients. Ties on score are broken by ids.

    Parameters
    ----------
    ds : Dataset
    period : Period or None
    ties : str, default "working"
        Tie kinds used for common colleagues (see
        :func:`netdash.networks.graphs.practitioner_graph`).
    top : int, optional
        Keep only the best ``top`` pairs.
    recency_half_life_days : float, default 90
    window_days : int, default 90
        Co-working window for the ties behind common colleagues.

    Returns
    -------
    DataFrame
        ``practitioner_a`` < ``practitioner_b`` (ids), ``agency_a``,
        ``agency_b``, ``shared_clients``, ``last_shared_contact`` (the most
        recent contact by either of them with a client they share),
        ``common_colleagues``, ``score``, ``evidence`` (a sentence without
        client pseudonyms).

    Raises
    ------
    InvalidInputError
        If ``top`` or ``recency_half_life_days`` is not positive, or ``ties`` is unknown.
    """
    if top is not None and (isinstance(top, bool) or not isinstance(top, (int, np.integer)) or top < 1):
        raise InvalidInputError(f"top should be a whole number of at least 1 or None; got {top!r}.")
    if isinstance(recency_half_life_days, bool) or not isinstance(recency_half_life_days, (int, float)) \
            or not recency_half_life_days > 0:
        raise InvalidInputError(
            "recency_half_life_days should be a positive number of days, e.g. 90; "
            f"got {recency_half_life_days!r}.")
    period = Period() if period is None else period
    columns = ["practitioner_a", "practitioner_b", "agency_a", "agency_b", "shared_clients",
               "last_shared_contact", "common_colleagues", "score", "evidence"]
    tied = union_counts(ds, period, ties, window_days)  # checks ties and window_days first
    log = period_log(ds, period)
    # Shared clients do not depend on the ties chosen: counted once per period (kept in ds.memo).
    pairs = stored(("shared_client_pairs", period), ds, lambda: _shared_client_pairs(log, _agency_codes(ds, log)))
    direct = direct_counts(ds, period)
    n = len(log.ids)
    a, b, shared, last = pairs
    # Pairs already in touch (a contact either way) need no introduction.
    touched = np.minimum(direct["source"], direct["target"]) * n + np.maximum(direct["source"], direct["target"])
    keep = ~isin_sorted(a * n + b, touched)
    a, b, shared, last = a[keep], b[keep], shared[keep], last[keep]
    if not len(a):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    common = _common_neighbours(tied, n, a, b)

    seen_days = log.day[(log.client >= 0) & (log.author >= 0)]
    reference = (_day(period.end) - 1) if period.end is not None else int(seen_days.max())
    age = np.clip(reference - last, 0, None)
    recency = np.exp2(-age / recency_half_life_days)
    score = shared + 0.5 * recency + 0.5 * common / (common + 1)
    # Codes follow the sorted ids, so ordering by code breaks ties on score by ids.
    order = np.lexsort((b, a, -score))
    if top is not None:
        order = order[:top]
    a, b, shared, last, common, score = (x[order] for x in (a, b, shared, last, common, score))
    agency = ds.practitioners.set_index("practitioner_id")["agency_id"]
    ids_a, ids_b = pd.Series(log.ids[a], dtype=object), pd.Series(log.ids[b], dtype=object)
    days = last.astype("datetime64[D]")
    return pd.DataFrame({
        "practitioner_a": ids_a, "practitioner_b": ids_b,
        "agency_a": pd.Series(agency.reindex(ids_a).to_numpy(), dtype="str"),
        "agency_b": pd.Series(agency.reindex(ids_b).to_numpy(), dtype="str"),
        "shared_clients": shared.astype("int64"),
        "last_shared_contact": pd.Series(days.astype(ds.contacts["date"].dtype)),
        "common_colleagues": common.astype("int64"), "score": score,
        "evidence": _evidence_texts(shared, days, common),
    })[columns]


def _fading_computed(report):
    """False when the report could not compute "fading" (its previous-period column is all missing)."""
    column = "previous_cross_agency_ties"
    return column not in report.columns or report.empty or report[column].notna().any()


def category_counts(report, *, by=None, min_count=DEFAULT_THRESHOLD, marker=None, note=False):
    """Practitioners in each isolation category, small counts suppressed.

    The counts are parts of one whole (everyone in post), so they are
    suppressed with complementary suppression (:func:`netdash.privacy.suppress_small_counts`):
    a count from 1 to ``min_count - 1`` is hidden, and a row with exactly one
    hidden category also hides its smallest other non-zero category, so that
    ``in_post`` does not give it back. ``in_post`` itself is hidden when small.

    When ``report`` could not compute "fading" (its
    ``previous_cross_agency_ties`` are all missing: see
    :func:`fading_unavailable`), the ``drifting`` cells are missing too, or
    :data:`NOT_COMPUTABLE` with a ``marker``: never 0.

    Parameters
    ----------
    report : DataFrame
        Output of :func:`isolation_report` (possibly filtered).
    by : str, optional
        A column of ``report`` to count within, e.g. ``"agency_id"``; ``None``
        gives one row labelled ``"all"``.
    min_count : int, default 5
    marker : str, optional
        Text put in hidden cells (e.g. ``"<5"``) for a table people read;
        ``None`` puts NaN (an empty cell in a CSV).
    note : bool, default False
        Add a ``note`` column saying which cells of the row are hidden or not
        computable, and why (:func:`netdash.privacy.suppression_notes`): the
        form for a CSV.

    Returns
    -------
    DataFrame
        One row per group (index named ``by``, or ``"group"``), columns
        :data:`CATEGORIES` then ``in_post`` (then ``note``). Groups are
        sorted; an empty ``report`` gives a zero row for ``by=None`` and no
        rows otherwise.

    Raises
    ------
    InvalidInputError
        If ``report`` lacks ``category`` or the ``by`` column, or ``min_count``
        is not a whole number of at least 1.

    Examples
    --------
    >>> report = pd.DataFrame({"category": ["isolated"] + ["connected"] * 6 + ["drifting"] * 5})
    >>> category_counts(report, marker="<5").iloc[0].tolist()
    ['<5', 0, '<5', 6, 12]
    >>> category_counts(report, note=True).iloc[0]["note"].split(". ")[0]
    'Hidden: No working ties recorded yet, Cross-agency links fading'
    """
    needed = ["category"] + ([by] if by is not None else [])
    missing = [c for c in needed if c not in report.columns]
    if missing:
        raise InvalidInputError(
            f"category_counts needs the table from isolation_report(); column(s) {missing} are missing "
            f"(it has {list(report.columns)}).")
    counts = _crosstab(report, by)
    counts["in_post"] = counts.sum(axis=1)
    columns = [*CATEGORIES, "in_post"]
    shown = suppress_small_counts(counts, list(CATEGORIES), threshold=min_count)
    shown = suppress_small_counts(shown, "in_post", threshold=min_count)
    hidden = hidden_cells(counts, shown, columns)
    out = shown if marker is None else counts.astype(object).where(~hidden, marker)
    computed = _fading_computed(report)
    if not computed:
        out["drifting"] = np.nan if marker is None else NOT_COMPUTABLE
    if note:
        notes = suppression_notes(hidden, threshold=min_count, labels=CATEGORY_LABELS)
        if not computed:
            notes = (f"{CATEGORY_LABELS['drifting']}: not computable (no previous period with contacts to "
                     "compare with). " + notes).str.strip()
        out["note"] = notes
    return out.sort_index()


def _crosstab(report, by):
    """Practitioners of ``report`` per group of ``by`` (or one group ``"all"``) and category of :data:`CATEGORIES`.

    Counted as ``pd.crosstab`` would, reindexed to :data:`CATEGORIES`: one row
    per group with a category (a missing group or category is not counted;
    a category outside :data:`CATEGORIES` keeps its group's row but is not a
    column), groups sorted; with ``by=None`` always the row ``"all"``.
    """
    category = report["category"]
    counted = category.notna().to_numpy().copy()
    if by is None:
        groups = pd.Index(["all"])
        rows = np.zeros(int(counted.sum()), dtype=np.intp)
    else:
        counted &= report[by].notna().to_numpy()
        rows, groups = pd.factorize(report[by][counted], sort=True)
    columns = pd.Index(list(CATEGORIES)).get_indexer(category[counted])  # -1: not a category
    table = np.zeros((len(groups), len(CATEGORIES) + 1), dtype=np.int64)
    np.add.at(table, (rows, columns), 1)  # column -1 (the last) gathers the others, dropped
    # The index from a list, as crosstab infers it (strings held as objects make a string index).
    return pd.DataFrame(table[:, :-1], index=pd.Index(list(groups), name=by or "group"), columns=list(CATEGORIES))


def may_be_named(report, *, min_count=DEFAULT_THRESHOLD):
    """True for each practitioner of ``report`` who can be named without undoing a hidden count.

    A person is named only when no count of a group they belong to is
    hidden by :func:`category_counts` with the same ``min_count``: their
    category overall, their category in their agency, and the number in
    post overall and in their agency. Naming someone in a group whose count
    reads "hidden" would tell the reader that the group has at least that
    one person, and a list of names gives the count back.

    Parameters
    ----------
    report : DataFrame
        :func:`isolation_report` (the whole table the counts are made from).
    min_count : int, default 5

    Returns
    -------
    Series of bool
        Aligned with ``report``'s index. With ``min_count=1`` nothing is
        hidden and everyone may be named.

    Examples
    --------
    >>> report = pd.DataFrame({"category": ["isolated"] * 2 + ["connected"] * 6, "agency_id": ["A"] * 8})
    >>> may_be_named(report, min_count=5).tolist()
    [False, False, False, False, False, False, False, False]
    >>> bool(may_be_named(report, min_count=2).all())
    True
    """
    if report.empty:
        return pd.Series(dtype=bool, index=report.index)
    overall = category_counts(report, min_count=min_count).loc["all"]
    ok = report["category"].map(overall.isna().map(lambda h: not h)).astype(bool) & overall.notna()["in_post"]
    if "agency_id" in report.columns:
        by_agency = category_counts(report, by="agency_id", min_count=min_count)
        shown = by_agency.notna()
        # (agency, category) cells and the agency's in_post, looked up per person
        cell = shown.stack()
        pairs = pd.MultiIndex.from_arrays([report["agency_id"], report["category"]])
        ok &= pd.Series(cell.reindex(pairs).to_numpy(), index=report.index).fillna(True).astype(bool)
        ok &= report["agency_id"].map(shown["in_post"]).fillna(True).astype(bool)
    return ok


def people_to_invite(report, labels, agency_names, *, agencies=(), attended=None, categories=(), suggestions=None):
    """The rows of :func:`isolation_report` a COP lead asked for, named and with readable columns.

    Parameters
    ----------
    report : DataFrame
        :func:`isolation_report`.
    labels, agency_names : dict
        practitioner_id -> display name; agency_id -> name.
    agencies : collection of str, optional
        Keep these agencies' practitioners; empty keeps all.
    attended : bool, optional
        True: only COP attendees; False: only those who have not attended; None: both.
    categories : collection of str, optional
        Keep these :data:`CATEGORIES`; empty keeps all.
    suggestions : Series, optional
        practitioner_id -> text naming the colleagues to suggest
        (:func:`netdash.actions.colleagues.suggestion_texts`); adds the column
        "suggested colleagues" (empty for people it does not cover).

    Returns
    -------
    DataFrame
        One row per practitioner kept, in the report's order: practitioner, agency, situation
        (:data:`CATEGORY_LABELS`), reason, attended a COP session, colleagues worked with, in other agencies,
        in other agencies previous period, not in touch this period (then suggested colleagues).

    Examples
    --------
    >>> report = pd.DataFrame({"practitioner_id": ["p1", "p2"], "agency_id": ["A", "B"],
    ...     "category": ["isolated", "connected"], "reason": ["no ties", "fine"], "cop_attendee": [False, True],
    ...     "degree": [0, 4], "cross_agency_ties": [0, 2], "previous_cross_agency_ties": [0, 2],
    ...     "lost_cross_agency_ties": [0, 0]})
    >>> people_to_invite(report, {"p1": "Ann (p1)"}, {"A": "Shelter"}, attended=False)[["practitioner", "agency",
    ...     "situation"]].values.tolist()
    [['Ann (p1)', 'Shelter', 'No working ties recorded yet']]
    """
    shown = report
    if agencies:
        shown = shown[shown["agency_id"].isin(agencies)]
    if attended is not None:
        shown = shown[shown["cop_attendee"] == attended]
    if categories:
        shown = shown[shown["category"].isin(categories)]
    people = shown.assign(practitioner=shown["practitioner_id"].map(labels), agency=shown["agency_id"].map(agency_names),
                          situation=shown["category"].map(CATEGORY_LABELS))
    people = people[["practitioner", "agency", "situation", "reason", "cop_attendee", "degree", "cross_agency_ties",
                     "previous_cross_agency_ties", "lost_cross_agency_ties"]].rename(columns={
        "cop_attendee": "attended a COP session", "degree": "colleagues worked with",
        "cross_agency_ties": "in other agencies", "previous_cross_agency_ties": "in other agencies, previous period",
        "lost_cross_agency_ties": "not in touch this period"})
    if suggestions is not None:
        people["suggested colleagues"] = shown["practitioner_id"].map(suggestions).fillna("").astype(object)
    return people


def introductions_list(introductions, labels, agency_names, *, agencies=(), top=25):
    """The first ``top`` of :func:`suggest_introductions` involving ``agencies``, named, for the next COP.

    Parameters
    ----------
    introductions : DataFrame
        :func:`suggest_introductions`, best first.
    labels, agency_names : dict
        practitioner_id -> display name; agency_id -> name.
    agencies : collection of str, optional
        Keep pairs with at least one practitioner in these agencies; empty keeps all.
    top : int, default 25

    Returns
    -------
    DataFrame
        practitioner_1, agency_1, practitioner_2, agency_2, shared_clients, last_shared_contact (a date),
        common_colleagues, evidence.

    Examples
    --------
    >>> intros = pd.DataFrame({"practitioner_a": ["p1", "p2"], "agency_a": ["A", "B"], "practitioner_b": ["p3", "p4"],
    ...     "agency_b": ["C", "C"], "shared_clients": [3, 1], "last_shared_contact": pd.to_datetime(["2024-05-01"] * 2),
    ...     "common_colleagues": [1, 0], "evidence": ["", ""]})
    >>> introductions_list(intros, {"p2": "Bo"}, {"B": "Mind"}, agencies={"B"})[["practitioner_1", "agency_1",
    ...     "agency_2"]].values.tolist()
    [['Bo', 'Mind', nan]]
    """
    pairs = introductions
    if agencies:
        pairs = pairs[pairs["agency_a"].isin(agencies) | pairs["agency_b"].isin(agencies)]
    pairs = pairs.head(top)
    return pairs.assign(
        practitioner_1=pairs["practitioner_a"].map(labels), agency_1=pairs["agency_a"].map(agency_names),
        practitioner_2=pairs["practitioner_b"].map(labels), agency_2=pairs["agency_b"].map(agency_names),
        last_shared_contact=pairs["last_shared_contact"].dt.date,
    )[["practitioner_1", "agency_1", "practitioner_2", "agency_2", "shared_clients", "last_shared_contact",
       "common_colleagues", "evidence"]]
