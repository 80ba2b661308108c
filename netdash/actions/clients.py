"""The team around the person: how the agencies around each client work together.

For every (pseudonymised) client seen by practitioners of two or more
agencies, :func:`client_teams` describes the team: its size, how many of its
members are in touch with each other (cohesion), whether the agencies were
involved at the same time or one after the other (pattern), and how long the
next agency took to appear after a housing placement (handover lag).
:func:`client_team_summary` turns that into aggregates safe to publish
(small numbers suppressed, see :mod:`netdash.privacy`), and
:func:`client_team_trend` compares two periods, e.g. before and after a COP.

Conventions
-----------
* Only contacts in the period count, and only the practitioner who recorded
  the contact (``practitioner_id``) is counted as working with its client;
  the colleague in ``with_practitioner_id`` is not.
* Dates are days; a span is the closed interval from an agency's first to
  its last contact day with the client.
"""

import networkx as nx
import numpy as np
import pandas as pd

from netdash.actions._keyed import _DAY_NS, first_last_by_key
from netdash.networks import dataset_log, direct_counts, distinct_rows
from netdash.errors import InvalidInputError
from netdash.periods import Period
from netdash.privacy import DEFAULT_THRESHOLD, is_small_count

__all__ = ["client_teams", "client_team_summary", "client_team_trend", "team_trend", "TEAM_COLUMNS"]

TEAM_COLUMNS = ["client_id", "n_agencies", "n_practitioners", "agencies", "cohesion", "pattern",
                "handover_lag_days"]


def _tie_pairs(ds, period, trust, practitioner_ids, staff_code):
    """Tied pairs ``p1 < p2`` of practitioners, as positions in ``practitioner_ids``, one row per pair.

    ``staff_code`` maps the coded log's practitioner codes to those positions (-1: not in ``practitioner_ids``).

    Direct contacts in either direction (from the coded contact log, never as id strings: at the large
    demo the strings took 0.8 GB), or the edges of ``trust`` when given. Pairs naming someone not in
    ``practitioner_ids`` are left out.
    """
    if trust is None:
        direct = direct_counts(ds, period)
        u, v = staff_code[direct["source"]], staff_code[direct["target"]]
    else:
        if not isinstance(trust, nx.Graph):
            raise InvalidInputError(
                f"trust should be a networkx graph of trust ties (e.g. from netdash.metrics.trust.trust_graph); "
                f"got {type(trust).__name__}. Pass trust=None to use direct contacts.")
        ends = [(str(a), str(b)) for a, b in trust.edges() if a != b]
        u, v = (practitioner_ids.get_indexer(pd.Index([e[k] for e in ends], dtype=object)) for k in (0, 1))
    known = (u >= 0) & (v >= 0) & (u != v)
    p1, p2 = distinct_rows(np.minimum(u, v)[known], np.maximum(u, v)[known])
    return pd.DataFrame({"p1": p1, "p2": p2})


def _cohesion(members, tied):
    """Share of practitioner pairs around each client that are tied.

    ``members``: the distinct (``client_id``, ``practitioner_id``) codes.
    """
    pairs = members.merge(members, on="client_id")
    pairs = pairs[pairs["practitioner_id_x"] < pairs["practitioner_id_y"]]
    pairs = pairs.rename(columns={"practitioner_id_x": "p1", "practitioner_id_y": "p2"})
    pairs = pairs.merge(tied.assign(tied=True), how="left", on=["p1", "p2"])
    return pairs["tied"].fillna(False).astype(bool).groupby(pairs["client_id"]).mean()


def _spans(client, agency, date):
    """Each (client, agency)'s first and last contact date, rows sorted by client then agency.

    As ``groupby(["client_id", "agency"])["date"].agg(first="min", last="max")``
    on integer codes, by one sort (:func:`netdash.actions._keyed.first_last_by_key`): at
    the large demo's 5.2 M contacts the groupby and its twins (distinct agencies per
    client, their tuples) took most of :func:`client_teams`' time.
    """
    size = int(agency.max()) + 2 if len(agency) else 1
    key, _, first, last = first_last_by_key(client.astype(np.int64) * size + (agency + 1), date)  # agency -1: unknown
    return pd.DataFrame({"client_id": key // size, "agency": key % size - 1,
                         "first": first.view(date.dtype), "last": last.view(date.dtype)})


def _agency_tuples(spans, agency_ids):
    """Sorted tuple of the distinct agencies around each client, indexed by client_id (sorted).

    ``spans`` is :func:`_spans` (one row per client and agency, sorted by
    both); its agencies are codes into ``agency_ids`` (sorted, so code
    order is id order). The same as ``groupby("client_id")["agency"].agg(lambda
    s: tuple(sorted(s.unique())))`` on the ids, without a Python call per
    client (36,000 clients at medium scale).
    """
    clients = spans["client_id"].to_numpy()
    agencies = agency_ids[spans["agency"].to_numpy()]
    starts = np.flatnonzero(np.r_[True, clients[1:] != clients[:-1]]) if len(clients) else np.zeros(0, int)
    bounds = np.r_[starts, len(clients)].tolist()
    tuples = [tuple(agencies[a:b].tolist()) for a, b in zip(bounds[:-1], bounds[1:])]
    return pd.Series(tuples, index=pd.Index(clients[starts], name="client_id"), dtype=object)


def _pattern(spans):
    """'concurrent' if any two agencies' spans (:func:`_spans`) share at least one day, else 'sequential'."""
    spans = spans.sort_values(["client_id", "first", "last"])
    # latest end among the agencies that started earlier (or at the same time, earlier in sort order)
    reach = spans.groupby("client_id")["last"].cummax()
    earlier = reach.groupby(spans["client_id"]).shift()
    overlaps = (spans["first"] <= earlier).groupby(spans["client_id"]).any()
    return overlaps.map({True: "concurrent", False: "sequential"})


def _handover_lag(client, date, placement, agency):
    """Days from each client's first housing placement to the next contact by another agency.

    On the contact rows' codes: ``client``, ``date`` (datetime64), ``placement``
    (bool) and ``agency``. The placing agency is the lowest agency code among
    the placements of the first placement day; the lag is the fewest whole
    days from that day to a contact on or after it by another agency. Returns
    float days indexed by client code (``client_id``), for the clients with
    such a contact only: what a merge of every row with its client's first
    placement gave, without the merge (0.39 of :func:`client_teams`' CPU
    seconds at the large demo, ``docs/benchmarks.md``, "Session 17").
    """
    stamps = date.view(np.int64)
    placed = np.flatnonzero(placement)
    if not len(placed):
        return pd.Series(dtype="float64", index=pd.Index([], dtype=np.int64, name="client_id"))
    order = np.lexsort((agency[placed], stamps[placed], client[placed]))
    placed = placed[order]
    first = placed[np.r_[True, client[placed][1:] != client[placed][:-1]]]
    size = int(client.max()) + 1
    has = np.zeros(size, dtype=bool)
    has[client[first]] = True
    day = np.zeros(size, dtype=np.int64)
    day[client[first]] = stamps[first]
    by = np.zeros(size, dtype=agency.dtype)
    by[client[first]] = agency[first]
    later = has[client] & (agency != by[client]) & (stamps >= day[client])
    who = client[later]
    days = (stamps[later] - day[who]) // _DAY_NS
    fewest = np.full(size, np.iinfo(np.int64).max)
    np.minimum.at(fewest, who, days)
    found = np.flatnonzero(fewest < np.iinfo(np.int64).max)
    return pd.Series(fewest[found].astype("float64"), index=pd.Index(found, name="client_id"))


def client_teams(ds, period=None, *, trust=None):
    """The multi-agency team around each client in ``period``.

    Parameters
    ----------
    ds : Dataset
    period : Period, optional
        ``None`` means all time.
    trust : networkx.Graph, optional
        A trust graph (e.g. :func:`netdash.metrics.trust.trust_graph`); when
        given, cohesion counts trust ties *instead of* direct contacts.
        Direction is ignored.

    Returns
    -------
    DataFrame
        One row per client seen by practitioners of at least two agencies,
        sorted by ``client_id``:

        ``client_id``
            the pseudonym (never a real identifier: keep this table internal);
        ``n_agencies``, ``n_practitioners``
            distinct agencies and practitioners with a contact with the client;
        ``agencies``
            sorted tuple of agency ids;
        ``cohesion``
            tied pairs / all pairs of those practitioners (same-agency pairs
            included), where a pair is tied when a direct contact between
            them in either direction is recorded in the period (any client,
            or none), or, with ``trust``, when the trust graph joins them;
        ``pattern``
            ``"sequential"`` when the agencies' spans (first to last contact
            day with the client) are pairwise disjoint, i.e. each agency
            starts only after every earlier one has ended; ``"concurrent"``
            otherwise. Any overlap counts as concurrent, even a partial one
            or a single shared day (a handover on the same day);
        ``handover_lag_days``
            where the client has a ``housing_placement`` contact: days from
            the first placement to the first contact by a practitioner of
            another agency on or after that day (0 when on the same day,
            since the order within a day is unknown); NaN when there is no
            placement or no such contact in the period.

    Raises
    ------
    InvalidInputError
        If ``trust`` is not a networkx graph.

    Examples
    --------
    >>> from netdash.dataset import Dataset
    >>> ds = Dataset.from_records(
    ...     agencies=[{"agency_id": "H", "name": "Housing"}, {"agency_id": "M", "name": "Mental health"}],
    ...     practitioners=[{"practitioner_id": "h1", "agency_id": "H"},
    ...                    {"practitioner_id": "m1", "agency_id": "M"}],
    ...     contacts=[{"date": "2024-01-01", "practitioner_id": "h1", "client_id": "c1",
    ...                "contact_type": "housing_placement"},
    ...               {"date": "2024-01-22", "practitioner_id": "m1", "client_id": "c1"}])
    >>> row = client_teams(ds).iloc[0]
    >>> row["agencies"], row["pattern"], float(row["handover_lag_days"]), float(row["cohesion"])
    (('H', 'M'), 'sequential', 21.0, 0.0)
    """
    # The coded contact log's practitioner and client codes (no id strings hashed again: at the large demo that
    # was half the time), renumbered so that practitioner codes follow the sorted ids of practitioners.csv.
    log = dataset_log(ds)
    staff = ds.practitioners.sort_values("practitioner_id")
    practitioner_ids = pd.Index(staff["practitioner_id"].to_numpy(dtype=object))
    agency_codes, agency_ids = pd.factorize(staff["agency_id"].to_numpy(dtype=object), sort=True)
    # Position in practitioner_ids of each coded log id; a code of -1 picks the -1 appended at the end.
    staff_code = np.r_[practitioner_ids.get_indexer(pd.Index(log.ids, dtype=object)), -1]
    # A contact by someone not in practitioners.csv has no agency and joins no team. Ingest rejects such rows, but
    # Dataset.from_records does not check them, and agency_codes[-1] would give them the last agency.
    rows = ((period or Period()).mask(ds.contacts["date"]).to_numpy() & (log.client >= 0)
            & (staff_code[log.author] >= 0))
    practitioner_codes = staff_code[log.author[rows]]
    placement = ds.contacts["contact_type"].to_numpy(dtype=object)[rows] == "housing_placement"
    client, agency = log.client[rows], agency_codes[practitioner_codes]
    date = ds.contacts["date"].to_numpy()[rows]
    tied = _tie_pairs(ds, period, trust, practitioner_ids, staff_code)
    # One row per client and agency first; clients seen by one agency only are dropped from here on.
    spans = _spans(client, agency, date)
    n_agencies = np.bincount(spans["client_id"].to_numpy(), minlength=len(log.client_ids))
    team = n_agencies >= 2
    spans = spans[team[spans["client_id"].to_numpy()]]
    if spans.empty:
        frame = pd.DataFrame({c: pd.Series(dtype=object) for c in TEAM_COLUMNS})
        return frame.astype({"n_agencies": "int64", "n_practitioners": "int64", "cohesion": "float64",
                             "handover_lag_days": "float64"})
    kept = team[client]
    client, agency, date, placement = client[kept], agency[kept], date[kept], placement[kept]
    member_client, member = distinct_rows(client, practitioner_codes[kept])
    members = pd.DataFrame({"client_id": member_client, "practitioner_id": member})
    clients = np.flatnonzero(team)
    teams = pd.DataFrame({
        "n_agencies": n_agencies[clients],
        "n_practitioners": np.bincount(member_client, minlength=len(team))[clients],
        "agencies": _agency_tuples(spans, np.asarray(agency_ids, dtype=object)),
    }, index=pd.Index(clients, name="client_id"))
    teams["cohesion"] = _cohesion(members, tied)
    teams["pattern"] = _pattern(spans)
    teams["handover_lag_days"] = _handover_lag(client, date, placement, agency)
    teams = teams.rename_axis("client_id").reset_index()
    teams["client_id"] = np.asarray(log.client_ids, dtype=object)[teams["client_id"].to_numpy()]
    return teams.sort_values("client_id", ignore_index=True)[TEAM_COLUMNS]


def client_team_summary(teams, *, min_count=DEFAULT_THRESHOLD):
    """Publishable aggregates of :func:`client_teams`, small numbers suppressed.

    Parameters
    ----------
    teams : DataFrame
        Output of :func:`client_teams`.
    min_count : int, default 5
        Counts from 1 to ``min_count - 1`` become ``None``, and so does any
        mean, share or median computed from fewer than ``min_count`` clients.
        ``share_concurrent`` is also hidden when either the concurrent or the
        sequential count is hidden, since share x total would give it back.

    Returns
    -------
    dict
        ``clients_with_team`` (clients with a multi-agency team),
        ``mean_agencies``, ``mean_practitioners``, ``mean_cohesion``,
        ``concurrent``, ``sequential``, ``share_concurrent``,
        ``clients_with_handover`` (placement followed by another agency),
        ``median_handover_lag_days``, and ``suppressed`` (sorted names of the
        values hidden). Values are plain Python numbers or ``None``.

    Raises
    ------
    InvalidInputError
        If ``teams`` lacks the columns of :func:`client_teams`, or ``min_count`` < 1.
    """
    missing = [c for c in TEAM_COLUMNS if c not in teams.columns]
    if missing:
        raise InvalidInputError(
            f"client_team_summary needs the table from client_teams(); columns {missing} are missing.")
    if isinstance(min_count, bool) or not isinstance(min_count, (int, np.integer)) or min_count < 1:
        raise InvalidInputError(
            f"min_count should be a whole number of at least 1, e.g. 5; got {min_count!r}.")
    n = len(teams)
    lags = teams["handover_lag_days"].dropna()
    concurrent = int((teams["pattern"] == "concurrent").sum())
    values = {
        "clients_with_team": n,
        "mean_agencies": float(teams["n_agencies"].mean()) if n else None,
        "mean_practitioners": float(teams["n_practitioners"].mean()) if n else None,
        "mean_cohesion": float(teams["cohesion"].mean()) if n else None,
        "concurrent": concurrent,
        "sequential": n - concurrent,
        "share_concurrent": concurrent / n if n else None,
        "clients_with_handover": len(lags),
        "median_handover_lag_days": float(lags.median()) if len(lags) else None,
    }
    small = lambda k: is_small_count(values[k], threshold=min_count)  # noqa: E731
    counts = ("clients_with_team", "concurrent", "sequential", "clients_with_handover")
    hidden = {k for k in counts if small(k)}
    if n < min_count:
        hidden |= {"mean_agencies", "mean_practitioners", "mean_cohesion", "share_concurrent"}
    if {"concurrent", "sequential"} & hidden:
        hidden.add("share_concurrent")
    if len(lags) < min_count:
        hidden.add("median_handover_lag_days")
    hidden = {k for k in hidden if values[k] is not None}
    out = {k: (None if k in hidden else v) for k, v in values.items()}
    out["suppressed"] = sorted(hidden)
    return out


def client_team_trend(ds, before, after, *, trust_before=None, trust_after=None,
                      min_count=DEFAULT_THRESHOLD):
    """:func:`client_team_summary` in two periods, e.g. before and after the COP began.

    Parameters
    ----------
    ds : Dataset
    before, after : Period
    trust_before, trust_after : networkx.Graph, optional
        Trust graphs of each period, to measure cohesion by trust.
    min_count : int, default 5

    Returns
    -------
    DataFrame
        Index ``measure`` (the summary keys, without ``suppressed``),
        columns ``before``, ``after`` and ``change`` (after - before; ``None``
        when either side is suppressed or missing).
    """
    return team_trend(client_teams(ds, before, trust=trust_before), client_teams(ds, after, trust=trust_after),
                      min_count=min_count)


def team_trend(teams_before, teams_after, *, min_count=DEFAULT_THRESHOLD):
    """:func:`client_team_trend` from the :func:`client_teams` tables of the two periods.

    For a caller that keeps the tables (the Clients page), so that changing
    ``min_count`` does not find the teams again.

    Returns
    -------
    DataFrame
        As :func:`client_team_trend`.

    Raises
    ------
    InvalidInputError
        As :func:`client_team_summary`.
    """
    a = client_team_summary(teams_before, min_count=min_count)
    b = client_team_summary(teams_after, min_count=min_count)
    measures = [k for k in a if k != "suppressed"]
    rows = [(k, a[k], b[k], None if a[k] is None or b[k] is None else b[k] - a[k]) for k in measures]
    frame = pd.DataFrame(rows, columns=["measure", "before", "after", "change"], dtype=object)
    return frame.set_index("measure")
