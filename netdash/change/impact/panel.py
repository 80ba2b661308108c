"""The practitioner-month tie panel behind the staggered analysis, and the estimates made from it.

:class:`TiePanel` holds plain arrays (node codes, month indices), so the same
estimates run on a :class:`~netdash.dataset.Dataset` (:func:`tie_panel`) and
on simulated panels (``bench/impact_scenarios.py``) without building files.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from netdash.change.impact.dyads import met_at_cop_chunks, rate_terciles
from netdash.change.impact.person import monthly_union, person_level
from netdash.change.impact.staggered import (did_dyadic, event_study, neighbour_counts, normal_interval,
                                             one_blas_thread, pre_trend_test, rolling_windows, window_outcomes)
from netdash.networks.codes import distinct_rows, isin_sorted, overlap_pairs, run_starts, spans, unique_sorted
from netdash.networks.counts import check_window, dataset_log, period_log, stored, tie_types, union_counts

__all__ = ["TiePanel", "tie_panel", "panel_estimates", "prior_new_tie_rate", "after_window_months",
           "candidate_pair_count", "ROLLING_MONTHS", "HORIZON_MONTHS", "PRE_TREND_MONTHS", "TREND_MONTHS",
           "PAIR_CHUNK"]

#: Months in the rolling window of the event-study outcome.
ROLLING_MONTHS = 3
#: Months from meeting in which a pair's first tie counts as formed after meeting.
HORIZON_MONTHS = 6
#: Earliest pre-period event time in the joint pre-trend test (-2 is the latest).
PRE_TREND_MONTHS = 9
#: Months in the counts whose attendee/non-attendee gap gives the linear pre-COP trend.
TREND_MONTHS = 3
#: Attendee pairs listed at once by the met-at-COP estimate (before the different-agency filter). The pairs
#: are read in blocks of this many, twice (netdash.change.impact.dyads.met_at_cop_chunks), so its memory does not
#: grow with the number of pairs: the large demo's 18 million were 28 GB listed whole (docs/benchmarks.md,
#: "COP impact's memory at large scale"); what is held whole now grows with the pairs who met at a session and
#: the pairs ever tied, not with every pair of attendees.
PAIR_CHUNK = 500_000


@dataclass(frozen=True)
class TiePanel:
    """Cross-agency working ties month by month, COP attendance and the evaluation sample, as codes.

    Attributes
    ----------
    n_nodes : int
        Practitioners, coded ``0..n_nodes-1``.
    agency : ndarray
        Agency code of every node.
    months : list of str
        ``YYYY-MM`` label of month index ``0..len(months)-1``.
    tie_a, tie_b, tie_month : ndarray
        Every pair from different agencies with a working tie in that month (once per pair and month).
    before_a, before_b, after_a, after_b : ndarray
        Cross-agency working ties in the before and after windows of the difference-in-differences.
    units, treated, cohort : ndarray
        Evaluation sample (node codes), attendee in the after window, month of first COP session (-1 never).
    attend_node, attend_session, attend_month : ndarray
        COP attendance rows (session codes).
    shared_a, shared_b, shared_month : ndarray
        Attendee pairs and the first month in which they shared a client.
    cop_start_month : int
        Month index of the COP start; the prior new-tie rate is measured before it.
    window_ties : callable, optional
        ``window_ties(first, last)``: the cross-agency working ties ``(a, b)`` found on the contacts of
        months ``first .. last`` as one window (co-working across month boundaries included, as in the
        difference-in-differences). Default: the union of the monthly ties.
    windows_of : callable, optional
        ``windows_of(windows)``: :func:`netdash.change.impact.person.pair_windows` of ``window_ties`` of
        each ``(first, last)`` of ``windows``, found without listing each window's ties. Default: that.
    """

    n_nodes: int
    agency: np.ndarray
    months: list
    tie_a: np.ndarray
    tie_b: np.ndarray
    tie_month: np.ndarray
    before_a: np.ndarray
    before_b: np.ndarray
    after_a: np.ndarray
    after_b: np.ndarray
    units: np.ndarray
    treated: np.ndarray
    cohort: np.ndarray
    attend_node: np.ndarray
    attend_session: np.ndarray
    attend_month: np.ndarray
    shared_a: np.ndarray
    shared_b: np.ndarray
    shared_month: np.ndarray
    cop_start_month: int
    window_ties: object = None
    windows_of: object = None


def _cross(ds, period, design, code, agency):
    """Cross-agency pairs ``(a, b)`` (node codes, ``a < b``) of :func:`netdash.networks.graphs.practitioner_edges`.

    The same rows in the same order, taken from the coded table behind it
    (:func:`netdash.networks.counts.union_counts`), whose codes are mapped to
    node codes once per period: no table of ids is built and looked up again.
    """
    found = union_counts(ds, period, design.ties, design.window_days)
    if found is None:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    # The same for every ties setting: mapped once per period and kept in ds.memo (code is ds's practitioners).
    node = stored(("impact_node_codes", period), ds, lambda: code.get_indexer(period_log(ds, period).ids))
    return _cross_pairs(found[0], found[1], node, agency)


def _cross_pairs(lo, hi, node, agency):
    """Practitioner code pairs as node codes ``(a, b)``, ``a < b``, kept when both are nodes of different agencies."""
    return _cross_rows(lo, hi, node, agency)[:2]


def _cross_rows(lo, hi, node, agency):
    """:func:`_cross_pairs`, and the indices of the rows kept: ``(a, b, rows)``."""
    a, b = node[lo], node[hi]
    rows = np.flatnonzero((a >= 0) & (b >= 0) & (a != b))
    rows = rows[agency[a[rows]] != agency[b[rows]]]
    a, b = a[rows], b[rows]
    return np.minimum(a, b), np.maximum(a, b), rows


def _month_evidence(ds, ties, window_days, first_month, n_months):
    """Every tie of ``ties`` between two practitioners with the months its evidence spans.

    Returns ``(lo, hi, since, until)``, distinct rows sorted in that order:
    practitioner codes ``lo < hi`` of :func:`netdash.networks.counts.dataset_log`
    and month indices counted from ``first_month`` (months since 1970-01).
    For a period ``P`` of the whole months ``f .. l``,
    :func:`netdash.networks.counts.union_counts` ``(ds, P, ties, window_days)``
    holds the pair ``(lo, hi)`` exactly when some row has ``f <= since`` and
    ``until <= l``: one pass over the contacts answers every window of months
    (the panel's months, the person-level headline's windows) instead of a
    count of each window's contacts.

    - A direct contact is evidence in its own month.
    - Two practitioners co-work in ``P`` when they saw one client on days at
      most ``window_days`` apart, both days in ``P``
      (:func:`netdash.networks.codes.spans`). Each practitioner's days with a
      client are merged into spans within a month only (a span never crosses
      a month's end), so every overlapping pair of spans is evidence over the
      months of its two spans, and a window holds the pair exactly when it
      holds two such days.
    """
    log = dataset_log(ds)
    chosen = tie_types(ties)
    month = log.month.astype(np.int64) - first_month
    inside = (month >= 0) & (month < n_months)
    parts = []
    if "direct" in chosen:
        keep = inside & (log.colleague >= 0) & (log.author >= 0) & (log.author != log.colleague)
        a, c, m = log.author[keep].astype(np.int64), log.colleague[keep].astype(np.int64), month[keep]
        parts.append((np.minimum(a, c), np.maximum(a, c), m, m))
    if "coworking" in chosen:
        check_window(window_days)
        keep = inside & (log.client >= 0) & (log.author >= 0)
        client, author, day = distinct_rows(log.client[keep], log.author[keep], log.day[keep])
        span_month = day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) - first_month
        # A practitioner in a month is one "person" of spans(): rows sorted by client, author, day are sorted
        # by client, this code, day, and a span ends where the month does.
        group, who, start, end = spans(client, author * n_months + span_month, day, window=int(window_days))
        _, low, high = overlap_pairs(group, who, start, end)
        other = low // n_months != high // n_months  # two spans of one practitioner are no tie
        low, high = low[other], high[other]
        parts.append((low // n_months, high // n_months, np.minimum(low % n_months, high % n_months),
                      np.maximum(low % n_months, high % n_months)))
    if not parts:
        return tuple(np.zeros(0, dtype=np.int64) for _ in range(4))
    return _distinct_evidence(parts, len(log.ids), n_months)


def _distinct_evidence(parts, n_ids, n_months):
    """``distinct_rows`` of the parts' ``(lo, hi, since, until)`` rows concatenated, by one key per row.

    The columns' ranges are known (codes below ``n_ids``, months below
    ``n_months``), so each part's rows are coded straight into one int64 key
    and only the keys are concatenated and sorted, not four columns of
    millions of rows (at large 6 million rows a key). The distinct rows in
    sorted order are the same whatever the coding; too wide a range for
    int64 takes :func:`netdash.networks.codes.distinct_rows`.
    """
    if float(n_ids) ** 2 * float(n_months) ** 2 >= 2.0 ** 62:
        return tuple(distinct_rows(*(np.concatenate(column) for column in zip(*parts))))
    key = unique_sorted(np.concatenate([((lo * n_ids + hi) * n_months + since) * n_months + until
                                        for lo, hi, since, until in parts]))
    key, until = np.divmod(key, n_months)
    key, since = np.divmod(key, n_months)
    lo, hi = np.divmod(key, n_ids)
    return lo, hi, since, until


def _epoch_month(first):
    """Months from 1970-01 to ``first``'s month: the coded log's ``month`` of a date in it."""
    return int(np.datetime64(first, "M").astype(np.int64))


def _month_index(dates, first):
    d = pd.DatetimeIndex(dates)
    return ((d.year - first.year) * 12 + (d.month - first.month)).to_numpy(dtype=np.int64)


def tie_panel(ds, design):
    """Build the :class:`TiePanel` of a dataset for an :class:`~netdash.change.impact.design.ImpactDesign`.

    A working tie in a month is what the design's outcome counts
    (``design.ties``, co-working within ``design.window_days``), found on
    that calendar month's contacts; the months run from the first to the last
    dated row. A practitioner with no agency is an agency of their own. The
    ties of every month and of every window of months (``window_ties``) come
    from one pass over the contacts (:func:`_month_evidence`), not from
    counting each period's contacts again.
    """
    prac = ds.practitioners
    code = pd.Index(prac["practitioner_id"].astype(object))
    agency = pd.factorize(prac["agency_id"].astype(object).where(prac["agency_id"].notna(), None),
                          use_na_sentinel=True)[0]
    agency = np.where(agency < 0, np.arange(agency.size) + agency.max() + 1, agency)
    first_day, last_day = ds.date_range
    first = pd.Timestamp(first_day.year, first_day.month, 1)
    starts = pd.date_range(first, last_day, freq="MS")
    months = [s.strftime("%Y-%m") for s in starts]
    lo, hi, since, until = _month_evidence(ds, design.ties, design.window_days, _epoch_month(first), len(starts))
    node = code.get_indexer(dataset_log(ds).ids)

    def window_ties(first_month, last_month):
        inside = (since >= first_month) & (until <= last_month)
        a, b = lo[inside], hi[inside]  # sorted by pair: the first row of each pair is the pair
        new = run_starts(a, b)
        return _cross_pairs(a[new], b[new], node, agency)

    def windows_of(windows):
        """pair_windows of window_ties(first, last) for each window, from one ordering of the evidence's pairs."""
        # Each distinct cross-agency pair once, in the order of its key (node codes min * n + max, the order
        # pair_windows sorts them in), and each row's place in that order. Made when asked (once per panel, by
        # the person-level headline) so that nothing more is held while the panel's other estimates run.
        first_row = np.flatnonzero(run_starts(lo, hi))
        pair_a, pair_b, cross = _cross_rows(lo[first_row], hi[first_row], node, agency)
        keys = pair_a * code.size + pair_b
        by_key = np.argsort(keys)
        # A row is in a window by its (since, until) alone, and those are few (months x months): each cell's
        # windows as bits, 64 windows at a time, OR-ed over each pair's rows (a pair's rows are consecutive),
        # instead of comparing every row's months with every window's.
        span = len(starts)
        cell = since.astype(np.int32) * span + until.astype(np.int32)
        grid_since, grid_until = np.divmod(np.arange(span * span), span)
        bits = []
        for group in range(0, len(windows), 64):
            cell_bits = np.zeros(span * span, dtype=np.uint64)
            for w, (first, last) in enumerate(windows[group:group + 64]):
                held = (grid_since >= first) & (grid_until <= last)
                cell_bits[held] |= np.uint64(1) << np.uint64(w)
            pair_bits = np.bitwise_or.reduceat(cell_bits[cell], first_row) if first_row.size else cell_bits[:0]
            bits.append(pair_bits[cross[by_key]])  # in the order of the keys
        present = np.zeros(keys.size, dtype=bool)
        for pair_bits in bits:
            present |= pair_bits != 0
        inside = np.zeros((int(present.sum()), len(windows)))
        for group, pair_bits in zip(range(0, len(windows), 64), bits):
            shift = np.arange(min(64, len(windows) - group), dtype=np.uint64)
            shown = pair_bits[present]
            for row in range(0, shown.size, 1 << 15):  # row blocks: no (pairs, windows) integer copy of the table
                block = shown[row:row + (1 << 15), None]
                inside[row:row + block.shape[0], group:group + shift.size] = (block >> shift) & np.uint64(1)
        return keys[by_key][present], inside

    # Each month's ties, month after month: window_ties(t, t) of every month t at once. A month holds the rows
    # whose evidence lies in it alone (since == until == t), one row per pair (the rows are distinct), in pair order.
    single = np.flatnonzero(since == until)
    single = single[np.argsort(since[single], kind="stable")]
    tie_a, tie_b, kept = _cross_rows(lo[single], hi[single], node, agency)
    tie_month = since[single[kept]]
    before = _cross(ds, design.before, design, code, agency)
    after = _cross(ds, design.after, design, code, agency)
    table = design.table
    units = code.get_indexer(table["practitioner_id"])
    att = ds.cop_attendance
    att_node = code.get_indexer(att["practitioner_id"])
    ok = att_node >= 0
    att_node = att_node[ok]
    att_month = _month_index(att["date"][ok], first)
    att_session = pd.factorize(att["session_id"][ok].astype(str))[0]
    first_session = np.full(code.size, -1)
    order = np.argsort(att_month, kind="stable")[::-1]
    first_session[att_node[order]] = att_month[order]
    # The same for every ties setting: kept in ds.memo.
    shared = stored(("impact_first_shared", first), ds, lambda: _first_shared(ds, code, first, np.unique(att_node)))

    return TiePanel(
        n_nodes=int(code.size), agency=agency, months=months,
        tie_a=tie_a, tie_b=tie_b, tie_month=tie_month,
        before_a=before[0], before_b=before[1], after_a=after[0], after_b=after[1],
        units=units, treated=table["attendee"].to_numpy(dtype=bool), cohort=first_session[units],
        attend_node=att_node, attend_session=att_session, attend_month=att_month,
        shared_a=shared[0], shared_b=shared[1], shared_month=shared[2],
        cop_start_month=int(_month_index([design.cop_start], first)[0]), window_ties=window_ties,
        windows_of=windows_of)


def _first_shared(ds, code, first, nodes):
    """Pairs of ``nodes`` and the first month both had contacts with one client.

    For each client, each node's first month with them; a pair's month is the
    later of the two, and the pair keeps its earliest over all clients.
    Returns ``(a, b, month)`` sorted by ``a`` then ``b`` (``a < b``), months
    counted from ``first``.
    """
    log = dataset_log(ds)
    node = np.r_[code.get_indexer(log.ids), -1][log.author]  # author -1 (none) is no node
    keep = (log.client >= 0) & isin_sorted(node, nodes)
    month = log.month[keep].astype(np.int64) - _epoch_month(first)
    if not month.size:
        return tuple(np.zeros(0, dtype=np.int64) for _ in range(3))
    # Sorted by client, node, month: the first row of each (client, node) is its first month.
    client, node, month = distinct_rows(log.client[keep], node[keep], month)
    firsts = run_starts(client, node)
    client, node, month = client[firsts], node[firsts], month[firsts]
    span = int(month.max()) + 1
    # Every two nodes of a client (spans that all overlap), each carrying its month in its code.
    _, low, high = overlap_pairs(client, node * span + month, np.zeros_like(client), np.zeros_like(client))
    a, b, shared = distinct_rows(low // span, high // span, np.maximum(low % span, high % span))
    earliest = run_starts(a, b)  # sorted by pair, then month: each pair's first row is its earliest
    return a[earliest], b[earliest], shared[earliest]


def _first_month_table(a, b, month, n):
    """Sorted pair keys ``min * n + max`` of the (a, b, month) rows and each key's first month."""
    if len(a) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
    k = np.minimum(a, b) * n + np.maximum(a, b)
    order = np.lexsort((month, k))
    k, month = k[order], np.asarray(month, dtype=np.int64)[order]
    uniq, start = np.unique(k, return_index=True)
    return uniq, month[start]


def _first_months(table, keys):
    """For each pair key in ``keys``, its first month in ``table`` (:func:`_first_month_table`), -1 if none.

    When ``keys`` increase strictly (the met-at-COP blocks' pairs do), the
    table's keys within their range are looked up among them instead: a
    block has hundreds of thousands of pairs and few of them are in a table.
    """
    uniq, first = table
    keys = np.asarray(keys, dtype=np.int64)
    if uniq.size == 0 or keys.size == 0:
        return np.full(keys.size, -1, dtype=np.int64)
    if keys.size > 1 and bool((keys[1:] > keys[:-1]).all()):
        lo, hi = np.searchsorted(uniq, keys[0], side="left"), np.searchsorted(uniq, keys[-1], side="right")
        listed = uniq[lo:hi]
        pos = np.searchsorted(keys, listed)  # every listed key is within keys' range: pos < keys.size
        hit = keys[pos] == listed
        out = np.full(keys.size, -1, dtype=first.dtype)
        out[pos[hit]] = first[lo:hi][hit]
        return out
    pos = np.searchsorted(uniq, keys).clip(max=uniq.size - 1)
    return np.where(uniq[pos] == keys, first[pos], -1)


def _unit_pair_keys(a, b, index, n_units):
    """Sorted keys ``i * n_units + j`` (``i < j``) of the distinct ties between two sample units (indices via ``index``)."""
    i, j = index[np.asarray(a, dtype=np.int64)], index[np.asarray(b, dtype=np.int64)]
    keep = (i >= 0) & (j >= 0) & (i != j)
    return unique_sorted(np.minimum(i, j)[keep].astype(np.int64) * n_units + np.maximum(i, j)[keep])


def prior_new_tie_rate(panel):
    """New cross-agency ties per month of every node before the COP start.

    A new tie is a pair with a tie in month ``t`` and none in ``t - 1``, for
    ``t = 1 .. cop_start_month - 1`` (month 0 has no month before it).
    """
    n, T = panel.n_nodes, panel.cop_start_month
    months = max(T - 1, 1)
    # One integer per (pair, month); a row is fresh unless the same pair has a row in the month before.
    month = panel.tie_month.astype(np.int64)
    span = int(month.max()) + 2 if month.size else 1
    key = (panel.tie_a.astype(np.int64) * n + panel.tie_b) * span
    fresh = ~isin_sorted(key + month, key + month + 1)
    fresh &= (panel.tie_month >= 1) & (panel.tie_month < T)
    counts = np.bincount(np.r_[panel.tie_a[fresh], panel.tie_b[fresh]], minlength=n)
    return counts / months


def candidate_pair_count(panel):
    """Attendee pairs from different agencies among the sample: how many pairs :func:`panel_estimates` compares.

    Counted from the attendees per agency, without listing the pairs.

    Examples
    --------
    Three attendees in agency 0 and two in agency 1: 3 x 2 = 6 pairs.

    >>> panel = TiePanel(n_nodes=5, agency=np.array([0, 0, 0, 1, 1]), months=[], tie_a=None, tie_b=None,
    ...                  tie_month=None, before_a=None, before_b=None, after_a=None, after_b=None,
    ...                  units=np.arange(5), treated=None, cohort=np.zeros(5, int), attend_node=None,
    ...                  attend_session=None, attend_month=None, shared_a=None, shared_b=None,
    ...                  shared_month=None, cop_start_month=0)
    >>> candidate_pair_count(panel)
    6
    """
    per_agency = np.bincount(panel.agency[panel.units[panel.cohort >= 0]]).astype(np.int64)
    total = int(per_agency.sum())
    return (total * total - int((per_agency ** 2).sum())) // 2


def _candidate_pairs(panel, chunk_pairs=PAIR_CHUNK):
    """The met-at-COP pairs: ``(chunks, met_pairs)`` for :func:`netdash.change.impact.dyads.met_at_cop_chunks`.

    The candidates are the attendee pairs from different agencies among the
    sample, ``a < b``, in the order of ``np.triu_indices`` over the sorted
    attendees; ``chunks()`` lists them in blocks of whole rows (every pair of
    one first attendee), at most ``chunk_pairs`` pairs a block before the
    agency filter unless one row is longer. Each block comes with the month
    each pair first sat in a session together, first had a working tie and
    first shared a client (-1: never), looked up in tables built once.
    ``met_pairs`` is the same for the pairs that met, which are few: at most
    the pairs sitting in one session.
    """
    n, agency = panel.n_nodes, panel.agency
    attendees = np.sort(panel.units[panel.cohort >= 0])
    m = attendees.size
    att = pd.DataFrame({"s": panel.attend_session, "node": panel.attend_node, "m": panel.attend_month})
    att = att[isin_sorted(att["node"], attendees)].drop_duplicates(["s", "node"])
    both = att.merge(att, on="s")
    both = both[both["node_x"] < both["node_y"]]
    met_table = _first_month_table(both["node_x"].to_numpy(np.int64), both["node_y"].to_numpy(np.int64),
                                   both["m_x"].to_numpy(np.int64), n)
    tie_table = _first_month_table(panel.tie_a, panel.tie_b, panel.tie_month, n)
    shared_table = _first_month_table(panel.shared_a, panel.shared_b, panel.shared_month, n)

    def with_months(a, b):
        keys = a * n + b
        return (a, b, _first_months(met_table, keys), _first_months(tie_table, keys),
                _first_months(shared_table, keys))

    # Pairs that met: the session table's pairs from different agencies (its keys are in the blocks' order).
    met_a, met_b = met_table[0] // n, met_table[0] % n
    cross = agency[met_a] != agency[met_b]
    met_pairs = with_months(met_a[cross], met_b[cross])
    sel = met_pairs[2] >= 0
    met_pairs = tuple(x[sel] for x in met_pairs)

    row_pairs = m - 1 - np.arange(m)  # pairs (i, j > i) of attendee row i
    row_end = np.cumsum(row_pairs)

    def chunks():
        first = 0
        while first < m - 1:
            done = row_end[first - 1] if first else 0
            last = max(first + 1, int(np.searchsorted(row_end, done + chunk_pairs, side="right")))
            rows = np.arange(first, min(last, m))
            sizes = row_pairs[rows]
            i = np.repeat(rows, sizes)
            j = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes) + np.repeat(rows + 1, sizes)
            a, b = attendees[i], attendees[j]
            cross = agency[a] != agency[b]
            yield with_months(a[cross].astype(np.int64), b[cross].astype(np.int64))
            first = int(rows[-1]) + 1

    return chunks, met_pairs


def after_window_months(panel):
    """``(start, length)``: the after window of the person-level headline in whole months of the panel.

    ``start`` is the COP start's month; ``length`` the shorter of the months
    before it and the months from it to the end of the data, as the
    difference-in-differences' windows are the shorter of the data before and after.
    """
    s = int(panel.cop_start_month)
    return s, max(min(s, len(panel.months) - s), 0)


@one_blas_thread
def panel_estimates(panel, *, window=ROLLING_MONTHS, horizon=HORIZON_MONTHS, pre_months=PRE_TREND_MONTHS,
                    level=0.95, progress=None, chunk_pairs=PAIR_CHUNK):
    """Dyadic-robust DiD, the event study, the pre-trend test and the met-at-COP pairs of a panel.

    Parameters
    ----------
    panel : TiePanel
    window, horizon, pre_months, level
        Rolling window of the event study's outcome, the met-at-COP horizon,
        the earliest pre-trend event time (negated), the intervals' level.
    progress : callable, optional
        ``progress(label)`` is called with a sentence naming each stage as it
        starts (a page's status line: at regional scale the pairs take a while).
    chunk_pairs : int, default :data:`PAIR_CHUNK`
        Attendee pairs listed at once by the met-at-COP estimate. The result does
        not depend on it beyond the last bits of its interval
        (:func:`netdash.change.impact.dyads.met_at_cop_chunks`).

    Returns
    -------
    dict
        ``did`` ({estimate, ci_low, ci_high, se}: the difference-in-differences
        of the design's windows), ``event_study`` (list of {event_month,
        estimate, ci_low, ci_high}), ``pre_trend`` ({p_value, statistic, df,
        event_times}), ``met_at_cop`` (see
        :func:`netdash.change.impact.dyads.met_at_cop`), ``cohorts`` (month
        indices), ``cohort_size``, ``dropped_cohorts``, ``months`` (labels),
        ``series`` (per month from ``window - 1``: mean outcome of ever-attendees
        and never-attendees), ``window``, ``horizon``, ``person`` (the person-level
        headline estimates of :func:`netdash.change.impact.person.person_level`
        over :func:`after_window_months`; ``None`` when the after window has no whole month).
    """
    report = progress or (lambda label: None)
    report("The difference-in-differences of attendees and non-attendees, with tie-aware intervals")
    n = panel.n_nodes
    units = np.asarray(panel.units)
    index = np.full(n, -1)
    index[units] = np.arange(units.size)
    n_months = len(panel.months)

    before = neighbour_counts(panel.before_a, panel.before_b, n, units)
    after = neighbour_counts(panel.after_a, panel.after_b, n, units)
    # Pairs of sample units tied in either window, and how their tie changed.
    key_b = _unit_pair_keys(panel.before_a, panel.before_b, index, units.size)
    key_a = _unit_pair_keys(panel.after_a, panel.after_b, index, units.size)
    keys = unique_sorted(np.concatenate([key_b, key_a]))  # np.union1d, without numpy 2.4's hash table
    change = isin_sorted(keys, key_a).astype(float) - isin_sorted(keys, key_b)
    did = did_dyadic(before, after, panel.treated, keys // units.size, keys % units.size, change, level=level)

    report("The event study: every practitioner's colleagues in other agencies, month by month")
    # The rolling windows of every pair ever tied, made once: they give every practitioner's outcome, and those of
    # the pairs of sample units the event study's variance.
    rolling = rolling_windows(panel.tie_a, panel.tie_b, panel.tie_month, n, n_months, window=window)
    Y = window_outcomes(panel.tie_a, panel.tie_b, panel.tie_month, n, n_months, units, window=window, rolling=rolling)
    i, j = index[rolling[0]], index[rolling[1]]
    among = np.flatnonzero((i >= 0) & (j >= 0))
    unit_keys = np.minimum(i, j)[among].astype(np.int64) * units.size + np.maximum(i, j)[among]
    order = np.argsort(unit_keys)
    pair_keys = unit_keys[order]
    es = event_study(Y, panel.cohort, first_valid=window - 1, pair_a=pair_keys // units.size,
                     pair_b=pair_keys % units.size, pair_windows=rolling[2][:, among[order]].T)
    V = es["V"]
    rows = []
    for k, e in enumerate(es["event_time"]):
        if np.isfinite(es["att"][k]) and e >= -pre_months - 1:
            low, high = normal_interval(es["att"][k], V[k, k], level=level)
            if e == -1:
                low = high = 0.0
            rows.append({"event_month": int(e), "estimate": float(es["att"][k]), "ci_low": low, "ci_high": high})
    pre = pre_trend_test(es["att"], V, es["event_time"], first=-pre_months, last=-2,
                         clusters=int(sum(es["cohort_size"])))
    tercile = np.zeros(n, dtype=np.int64)
    attendees = units[panel.cohort >= 0]
    tercile[attendees] = rate_terciles(prior_new_tie_rate(panel)[attendees])
    chunks, met_pairs = _candidate_pairs(panel, chunk_pairs)
    pairs = candidate_pair_count(panel)

    def pair_stage(label):
        report(f"{label}: {pairs:,} pairs of attendees from different agencies")

    dyad = met_at_cop_chunks(chunks, met_pairs, agency=panel.agency, rate_tercile=tercile,
                             n_months=len(panel.months), n_attendees=int(panel.treated.sum()), horizon=horizon,
                             level=level, progress=pair_stage)
    ever = panel.cohort >= 0
    series = [{"month": panel.months[t], "attendees": float(Y[ever, t].mean()) if ever.any() else None,
               "non_attendees": float(Y[~ever, t].mean()) if (~ever).any() else None}
              for t in range(window - 1, n_months)]
    start, length = after_window_months(panel)
    person = None
    if length >= 1:
        report("The person-level headline over the after window")
        ties_in = panel.window_ties or monthly_union(panel.tie_a, panel.tie_b, panel.tie_month)
        person = person_level(ties_in, n, units, panel.treated, panel.cohort, start=start, length=length,
                              trend_window=TREND_MONTHS, level=level, windows_of=panel.windows_of)
        person["after_months"] = [panel.months[start], panel.months[start + length - 1]]
    return {"did": did, "person": person, "event_study": rows, "pre_trend": pre, "met_at_cop": dyad, "cohorts": es["cohorts"],
            "months": list(panel.months), "series": series,
            "cohort_size": es["cohort_size"], "dropped_cohorts": es["dropped_cohorts"], "window": window,
            "horizon": horizon}
