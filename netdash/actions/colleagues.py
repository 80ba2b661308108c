"""Named colleagues in other agencies to suggest to someone working alone or only within their agency.

For each practitioner that :func:`netdash.actions.isolation.isolation_report`
puts in ``isolated`` or ``boundary_isolated``, up to three colleagues in
*other* agencies, each with the reason a COP lead can say out loud:

* **shared clients**: both had a contact with the same client in the
  period (no client is named);
* **a colleague in common**: someone they both work with (under the chosen
  ties), who could make the introduction, and who *is* named;
* **the same COP session**: both attended one session, on or before the
  last day of the period (the rule of ``cop_attendee`` in
  :func:`netdash.networks.graphs.practitioner_nodes`).

Candidates are in post in the period, have a known agency different from
the practitioner's, and are not already tied to them (no tie of the chosen
kind, and no direct contact either way in the period). They are ranked by
shared clients, then colleagues in common, then sessions attended together,
then id: each reason outranks the next because it is closer to work already
being done together (the order of
:func:`netdash.actions.isolation.suggest_introductions`).
"""

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from netdash.actions._keyed import first_last_by_key
from netdash.actions.isolation import _neighbours
from netdash.errors import InvalidInputError
from netdash.networks import dataset_log, direct_counts, isin_sorted, period_log, reused, union_counts
from netdash.periods import Period

__all__ = ["SUGGESTED_FOR", "SUGGESTION_COLUMNS", "NOBODY", "suggested_colleagues", "suggestion_texts"]

#: The isolation categories that get named suggestions.
SUGGESTED_FOR = ("isolated", "boundary_isolated")

#: Columns of :func:`suggested_colleagues`, in order.
SUGGESTION_COLUMNS = ["practitioner_id", "rank", "colleague_id", "colleague_agency_id", "shared_clients",
                      "last_shared_contact", "common_colleagues", "via_colleague_id", "shared_sessions",
                      "last_shared_session", "reason"]

#: What a practitioner with no suggestion is told (the reason for the empty list).
NOBODY = ("No one to suggest from the records: in this period they share no client, no colleague and no COP "
          "session with anyone in another agency. A personal invitation to the next COP session is the way in.")


def _plural(n, word):
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _label(labels, pid):
    return labels.get(pid, pid) if labels else pid


def _reason(row, labels):
    parts = []
    if row.shared_clients:
        parts.append(f"works with {'the same client' if row.shared_clients == 1 else f'{row.shared_clients} of the same clients'}"
                     f" (most recently {row.last_shared_contact.date().isoformat()})")
    if row.common_colleagues:
        via = _label(labels, row.via_colleague_id)
        others = row.common_colleagues - 1
        parts.append(f"both work with {via}" + (f" and {_plural(others, 'other colleague')}" if others else "")
                     + f", who could introduce them")
    if row.shared_sessions:
        day = row.last_shared_session.date().isoformat()
        parts.append("attended the same COP session (" + day + ")" if row.shared_sessions == 1 else
                     f"attended {row.shared_sessions} of the same COP sessions (most recently {day})")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "."


def suggested_colleagues(ds, period, report, *, ties="working", per_person=3, window_days=90, labels=None):
    """Up to ``per_person`` named colleagues in other agencies for each isolated or within-agency-only practitioner.

    See the module notes for the three reasons, who is a candidate and the
    ranking.

    Parameters
    ----------
    ds : Dataset
    period : Period or None
    report : DataFrame
        :func:`netdash.actions.isolation.isolation_report` for the same
        ``ds``, ``period`` and ``ties``: who is in post, their agency and
        category.
    ties : str, default "working"
        Tie kinds for "already tied" and "colleague in common" (see
        :func:`netdash.networks.graphs.practitioner_graph`).
    per_person : int, default 3
    window_days : int, default 90
        Co-working window of the ties.
    labels : dict, optional
        practitioner_id -> display name, used in ``reason`` (ids otherwise).

    Returns
    -------
    DataFrame
        :data:`SUGGESTION_COLUMNS`: one row per suggestion, ``rank`` 1 first;
        ``shared_clients``, ``common_colleagues`` and ``shared_sessions``
        are counts (0 when that reason does not apply); the dates are NaT
        then, and ``via_colleague_id`` (the common colleague with the lowest
        id) is None. Practitioners with nobody to suggest have no row (see
        :func:`suggestion_texts`).

    Raises
    ------
    InvalidInputError
        If ``per_person`` is not a whole number of at least 1, or ``report``
        lacks the columns of :func:`~netdash.actions.isolation.isolation_report`.
    """
    if isinstance(per_person, bool) or not isinstance(per_person, (int, np.integer)) or per_person < 1:
        raise InvalidInputError(f"per_person should be a whole number of at least 1, e.g. 3; got {per_person!r}.")
    needed = {"practitioner_id", "agency_id", "category"}
    if not needed <= set(report.columns):
        raise InvalidInputError(
            f"suggested_colleagues needs the table from isolation_report(); column(s) "
            f"{sorted(needed - set(report.columns))} are missing (it has {list(report.columns)}).")
    period = Period() if period is None else period
    agency = report.set_index("practitioner_id")["agency_id"]
    agency = agency[agency.notna()]
    targets = report.loc[report["category"].isin(SUGGESTED_FOR) & report["agency_id"].notna(), "practitioner_id"]
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in SUGGESTION_COLUMNS})
    if targets.empty:
        return empty
    targets = set(targets)
    now = _neighbours(ds, period, ties, window_days)[["practitioner_id", "colleague_id"]]

    # 1. Shared clients (the author of a contact with a client, as in suggest_introductions).
    theirs = _last_client_contacts(ds, period)
    theirs = theirs[theirs["practitioner_id"].isin(agency.index)]
    mine = theirs[theirs["practitioner_id"].isin(targets)]
    theirs = theirs.rename(columns={"practitioner_id": "colleague_id", "date": "their_date"})
    shared = mine.merge(theirs, on="client_id")
    shared["last"] = shared[["date", "their_date"]].max(axis=1)
    shared = shared.groupby(["practitioner_id", "colleague_id"]).agg(
        shared_clients=("client_id", "nunique"), last_shared_contact=("last", "max"))

    # 2. Colleagues in common: the neighbours of their neighbours.
    mine = now[now["practitioner_id"].isin(targets)].rename(columns={"colleague_id": "via"})
    second = mine.merge(now.rename(columns={"practitioner_id": "via"}), on="via")
    # The lowest id in common, as the rank of its code among the sorted ids (a string column's min is slow).
    via_code, via_ids = pd.factorize(second["via"].to_numpy(dtype=object), sort=True)
    common = second.assign(via_code=via_code).groupby(["practitioner_id", "colleague_id"]).agg(
        common_colleagues=("via", "nunique"), via_code=("via_code", "min"))
    common["via_colleague_id"] = np.asarray(via_ids, dtype=object)[common.pop("via_code").to_numpy(dtype=np.int64)]

    # 3. The same COP session, on or before the last day of the period.
    attendance = ds.cop_attendance
    if period.end is not None:
        attendance = attendance[attendance["date"] < period.end]
    attendance = attendance.drop_duplicates(["session_id", "practitioner_id"])[["session_id", "practitioner_id",
                                                                                "date"]]
    mine = attendance[attendance["practitioner_id"].isin(targets)]
    together = mine.merge(attendance.rename(columns={"practitioner_id": "colleague_id"})[
        ["session_id", "colleague_id"]], on="session_id")
    sessions = together.groupby(["practitioner_id", "colleague_id"]).agg(
        shared_sessions=("session_id", "nunique"), last_shared_session=("date", "max"))

    found = shared.join(common, how="outer").join(sessions, how="outer").reset_index()
    if found.empty:
        return empty
    for col in ("shared_clients", "common_colleagues", "shared_sessions"):
        found[col] = found[col].fillna(0).astype("int64")
    found["colleague_agency_id"] = found["colleague_id"].map(agency)
    keep = (found["colleague_agency_id"].notna()
            & (found["colleague_agency_id"] != found["practitioner_id"].map(agency))
            & (found["colleague_id"] != found["practitioner_id"])
            & ~pd.Series(_in_touch(ds, period, ties, window_days, found), index=found.index, dtype=bool))
    found = found[keep].sort_values(["practitioner_id", "shared_clients", "common_colleagues", "shared_sessions",
                                     "colleague_id"], ascending=[True, False, False, False, True])
    found["rank"] = found.groupby("practitioner_id").cumcount() + 1
    found = found[found["rank"] <= per_person].copy()
    if found.empty:
        return empty
    found["via_colleague_id"] = found["via_colleague_id"].astype(object).where(found["common_colleagues"] > 0, None)
    found["reason"] = [_reason(row, labels) for row in found.itertuples()]
    order = {p: i for i, p in enumerate(report["practitioner_id"])}
    found = found.assign(_order=found["practitioner_id"].map(order)).sort_values(["_order", "rank"])
    return found[SUGGESTION_COLUMNS].reset_index(drop=True).astype({"rank": "int64"})


@reused
def _last_client_contacts(ds, period):
    """The last contact date of each practitioner with each client in ``period`` (the author's, as in
    suggest_introductions): ``practitioner_id``, ``client_id``, ``date``.

    Whatever the ties, so kept in ``ds.memo`` per period (:func:`netdash.networks.counts.reused`).
    """
    # From the coded log's codes (the groupby on id strings took 2.8 of suggested_colleagues' 7.1 CPU s at the
    # large demo): one sort of a (practitioner, client in id order) key, and the latest date of each key.
    log = dataset_log(ds)
    rows = period.mask(ds.contacts["date"]).to_numpy() & (log.client >= 0) & (log.author >= 0)
    clients = np.asarray(log.client_ids, dtype=object)
    order = _id_order(clients)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    dates = ds.contacts["date"].to_numpy()
    # NaT is the smallest int64: the latest real date wins, and a pair with none keeps NaT (as max() skips NaT).
    key, _, _, when = first_last_by_key(log.author[rows].astype(np.int64) * len(order) + rank[log.client[rows]],
                                        dates[rows])
    return pd.DataFrame({"practitioner_id": log.ids[key // len(order)],
                         "client_id": clients[order][key % len(order)],
                         "date": when.view(dates.dtype)})


def _id_order(ids):
    """``numpy.argsort(ids, kind="stable")`` of an object array of distinct id strings.

    By pyarrow's sort of the strings' UTF-8 bytes, whose order is the order of
    their code points, as Python compares them: at the large demo's 200,000
    client pseudonyms 0.05 CPU s against numpy's 0.18 (which compares Python
    objects one pair at a time). Anything else (not strings) is sorted by numpy.
    """
    try:
        values = pa.array(ids, type=pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeEncodeError):
        return np.argsort(ids, kind="stable")
    return pc.sort_indices(values).to_numpy(zero_copy_only=False).astype(np.intp, copy=False)


def _in_touch(ds, period, ties, window_days, found):
    """For each (``practitioner_id``, ``colleague_id``) row of ``found``: are the two already in touch?

    In touch: a tie of the chosen ``ties`` (:func:`netdash.networks.counts.union_counts`) or a direct contact
    either way (:func:`netdash.networks.counts.direct_counts`), compared as pairs of the period log's codes
    (:func:`netdash.networks.isin_sorted`): only ``found``'s few ids are looked up, never the millions of
    pairs' (at the large demo their id strings cost 2.3 of suggested_colleagues' 4.1 CPU s).
    """
    log = period_log(ds, period)
    n = len(log.ids)
    direct = direct_counts(ds, period)
    pairs = [(direct["source"], direct["target"])]
    tied = union_counts(ds, period, ties, window_days)
    if tied is not None:
        pairs.append(tied[:2])
    touched = np.concatenate([a * n + b for one, two in pairs for a, b in ((one, two), (two, one))])
    index = pd.Index(np.asarray(log.ids, dtype=object))
    a, b = (index.get_indexer(found[c].to_numpy(dtype=object)) for c in ("practitioner_id", "colleague_id"))
    known = (a >= 0) & (b >= 0)  # someone with no contact in the period is in touch with nobody
    return known & isin_sorted(np.where(known, a.astype(np.int64) * n + b, -1), touched)


def suggestion_texts(report, suggestions, labels=None, agency_names=None):
    """One line per isolated or within-agency-only practitioner naming their suggested colleagues.

    Parameters
    ----------
    report : DataFrame
        :func:`netdash.actions.isolation.isolation_report`.
    suggestions : DataFrame
        :func:`suggested_colleagues` for the same report.
    labels, agency_names : dict, optional
        practitioner_id -> display name; agency_id -> name.

    Returns
    -------
    Series
        Indexed by ``practitioner_id`` (those in :data:`SUGGESTED_FOR`
        only): "Name (Agency): reason" for each suggestion, joined by " · ",
        or :data:`NOBODY` when there is none.

    Examples
    --------
    >>> report = pd.DataFrame({"practitioner_id": ["p1", "p2"], "category": ["isolated", "boundary_isolated"]})
    >>> found = pd.DataFrame({"practitioner_id": ["p1"], "colleague_id": ["q"], "colleague_agency_id": ["M"],
    ...                       "reason": ["Attended the same COP session (2024-05-10)."]})
    >>> suggestion_texts(report, found, {"q": "Kit"}, {"M": "Mind"})["p1"]
    'Kit (Mind): Attended the same COP session (2024-05-10).'
    >>> suggestion_texts(report, found)["p2"].startswith("No one to suggest")
    True
    """
    labels, agency_names = labels or {}, agency_names or {}
    lines = {}
    for pid, rows in suggestions.groupby("practitioner_id", sort=False):
        lines[pid] = " · ".join(
            f"{labels.get(c, c)} ({agency_names.get(a, a)}): {r}"
            for c, a, r in zip(rows["colleague_id"], rows["colleague_agency_id"], rows["reason"]))
    who = report.loc[report["category"].isin(SUGGESTED_FOR), "practitioner_id"]
    return pd.Series([lines.get(p, NOBODY) for p in who], index=pd.Index(who, name="practitioner_id"), dtype=object)
