"""Pairs level: did people who met at a COP session go on to work together?

The unit is a pair of COP attendees from different agencies. A pair *meets*
in the month of the first session both attended. Among pairs that had no
working tie before that month, the outcome is whether they had a working tie
within ``horizon`` months from it (the meeting month included), or within the
months the data still holds for pairs who met less than ``horizon`` months
before its end (at least :data:`MIN_FOLLOW_UP`; pairs meeting later are not
compared). The comparison is pairs of attendees who had not yet met and had
no tie before the same month, and do not meet within the same follow-up
(not-yet-met pairs, the pair-level analogue of Callaway & Sant'Anna's
not-yet-treated units). A month's met and comparison pairs always have the
same follow-up, so a shortened one lowers both rates alike instead of
biasing the excess; dropping those pairs instead (as before session 10)
threw away the meetings at the last sessions, which a COP evaluated soon
after its sessions end cannot afford. Each
met pair is compared with the not-yet-met pairs of the same month in the
same stratum, exact on: agency pair, whether the two had already shared a
client, and the pair of each person's tercile of prior new-tie rate. A met
pair with no comparison pair in its stratum falls back to the month's pairs
with the same shared-client flag and rate terciles, then to all the month's
not-yet-met pairs. A stratum is used only when it holds at least
:data:`MIN_COMPARISON_PAIRS` comparison pairs: a rate from one or two pairs
is 0 or 1 by chance, adds more noise than the matching removes, and leaves
the variance blind to it (a lone comparison pair's residual from its own rate
is exactly 0). Measured on the simulated worlds of ``bench/impact_scenarios.py``
(200 seeds each): with any comparison pair allowed, the interval excluded 0
in 9% of worlds with no effect (nominal 5%) and the estimate's spread was
1.21 times the one the variance gave; with at least 5, 6.5% and 1.09, and
the interval was narrower (docs/impact.md).

The expected number of new ties is the sum over met pairs of their stratum's
comparison rate; the excess is observed minus expected, and ``2 * excess /
attendees`` is its equivalent in colleagues per attendee (a tie is a
colleague for both of its people). Variance: dyadic-robust (Fafchamps & Gubert
2007; Aronow, Samii & Assenova 2015): each pair's influence on the excess (a
met pair: its outcome minus its stratum's rate; a comparison pair: minus
its share of the stratum's use times its outcome minus the rate) is summed
per person, ``V = sum_i S_i^2 - sum_d u_d^2``, so pairs sharing a person
are dependent; never below ``sum_d u_d^2``, the variance if the pairs were
independent (the cross terms can make ``V`` small or even negative, as for
:func:`~netdash.change.impact.staggered.did_dyadic`). A comparison pair's residual is from a rate it helped estimate,
so it is scaled by ``sqrt(c / (c - 1))`` for a stratum of ``c`` comparison
pairs (the usual unbiased-variance correction, as for the person-level
estimates' cohorts). Normal 95% interval.
"""

import numpy as np

from netdash.change.impact.staggered import normal_interval

__all__ = ["MIN_COMPARISON_PAIRS", "MIN_FOLLOW_UP", "follow_up", "rate_terciles", "met_at_cop",
           "met_at_cop_chunks"]

#: Fewest comparison pairs a stratum needs before its rate is used; otherwise the next, coarser stratum.
MIN_COMPARISON_PAIRS = 5
#: Fewest months of data from a meeting (its month included) for the pair to be compared: half the
#: default six-month horizon. On the simulated worlds (100 seeds each) 1, 2 and 3 gave the same coverage,
#: power and false claims to the point; docs/impact.md.
MIN_FOLLOW_UP = 3

_NEVER = np.iinfo(np.int64).max // 4


def rate_terciles(rate):
    """Tercile (0, 1, 2) of each value among ``rate``; equal values share a tercile.

    Examples
    --------
    >>> rate_terciles([0.0, 0.1, 0.2, 0.3, 0.4, 0.5]).tolist()
    [0, 0, 1, 1, 2, 2]
    """
    rate = np.asarray(rate, dtype=float)
    if rate.size == 0:
        return np.zeros(0, dtype=np.int64)
    cuts = np.quantile(rate, [1 / 3, 2 / 3])
    return np.searchsorted(cuts, rate, side="right").astype(np.int64).clip(0, 2) if np.ptp(rate) else \
        np.zeros(rate.size, dtype=np.int64)


def follow_up(month, n_months, horizon, min_follow_up):
    """Months of follow-up of a meeting in ``month``: ``horizon``, or fewer near the data's end; 0 if too few.

    Too few is fewer than ``min_follow_up``, or than ``horizon`` if that is shorter.

    Examples
    --------
    >>> follow_up(np.array([0, 20, 22, 23]), 24, 6, 2).tolist()
    [6, 4, 2, 0]
    >>> follow_up(np.array([0, 2, 3]), 4, 2, 3).tolist()
    [2, 2, 0]
    """
    h = np.minimum(horizon, n_months - np.asarray(month))
    return np.where(h >= min(min_follow_up, horizon), h, 0)


def _runs(met, first_tie, first_shared, months, ends):
    """Each pair's comparison rows, as up to three runs of meeting months with one (shared, tied) state each.

    Pair ``p`` is a comparison pair in the meeting months ``months[j]`` with
    ``j < k[p]``: untied at the month (``first_tie >= months[j]``) and not
    meeting before its follow-up ends (``met > ends[j]``); ``ends`` only grows
    with ``j``, so the months are always the first ``k[p]``. Within them the
    shared-client flag turns on once (``first_shared < months[j]``) and so does
    the outcome (``first_tie <= ends[j]``): three runs ``[lo, hi)`` at most,
    each with its own ``shared`` and ``y``. Returns ``(k, pair, lo, hi, shared, y)``
    for the runs that are not empty, all of one length: run 0 of every pair
    that has one (in pair order), then run 1, then run 2, so a pair's runs come
    in the order of its months.
    """
    k = np.minimum(np.searchsorted(months, first_tie, side="right"), np.searchsorted(ends, met, side="left"))
    j_s = np.searchsorted(months, first_shared, side="right")  # from this run on, the two had shared a client
    j_y = np.searchsorted(ends, first_tie, side="left")  # from this run on, the tie falls within the follow-up
    p1 = np.minimum(np.minimum(j_s, j_y), k)
    p2 = np.minimum(np.maximum(j_s, j_y), k)
    # Pairs with no comparison month, or whose run 0 is all their months (most pairs: never met, tied or
    # sharing a client), are told apart with one comparison each rather than with (3, pairs) arrays.
    i0, i1, i2 = np.flatnonzero(p1 > 0), np.flatnonzero(p2 > p1), np.flatnonzero(k > p2)
    pair = np.concatenate([i0, i1, i2])
    lo = np.concatenate([np.zeros(i0.size, dtype=p1.dtype), p1[i1], p2[i2]])
    hi = np.concatenate([p1[i0], p2[i1], k[i2]])
    return k, pair, lo, hi, lo >= j_s[pair], lo >= j_y[pair]


def met_at_cop(a, b, *, met, first_tie, first_shared, agency, rate_tercile, n_months, n_attendees,
               horizon=6, level=0.95, min_comparison=MIN_COMPARISON_PAIRS, min_follow_up=MIN_FOLLOW_UP):
    """Excess working ties among pairs who met at a COP session, against not-yet-met pairs.

    Parameters
    ----------
    a, b : array-like of int
        Node codes of the candidate pairs: attendees from different agencies, each pair once.
    met : array-like of int
        Month index of each pair's first shared session, -1 if they never sat in one together.
    first_tie : array-like of int
        Month of each pair's first working tie, -1 if none.
    first_shared : array-like of int
        Month in which the pair first shared a client, -1 if never.
    agency, rate_tercile : ndarray, indexed by node code
        Agency code and tercile of prior new-tie rate of every node.
    n_months : int
        Months in the data; a meeting needs ``min_follow_up`` months of data from it.
    n_attendees : int
        Attendees in the evaluation (the denominator of ``excess_per_attendee``).
    horizon : int, default 6
        Months, from the meeting month, in which a tie counts as formed after meeting.
    min_comparison : int, default :data:`MIN_COMPARISON_PAIRS`
        Comparison pairs a stratum needs to be used; the month's stratum is
        the last resort whatever its size.
    min_follow_up : int, default :data:`MIN_FOLLOW_UP`
        Fewest months of data from the meeting month (included) for a met
        pair to be compared; with fewer than ``horizon``, the pair's (and
        its month's comparison pairs') follow-up ends with the data.

    Returns
    -------
    dict
        ``pairs`` (met pairs compared), ``new_ties``, ``expected_new_ties``,
        ``excess``, ``excess_per_attendee``, ``ci_low``, ``ci_high`` (of
        ``excess_per_attendee``), ``comparison_pairs``, ``fallback`` (met
        pairs compared at a coarser stratum), ``horizon``, ``min_follow_up``,
        ``short_follow_up`` (met pairs followed for fewer than ``horizon``
        months because the data ends).

    Examples
    --------
    Four pairs, all untied; pairs 0 and 1 meet in month 1 and tie in month 2;
    pairs 2 and 3 never meet and one of them ties in month 2. Expected among
    the two met pairs: 2 x 1/2 = 1, observed 2, excess 1 tie; with 4
    attendees that is 2 x 1 / 4 = 0.5 colleagues per attendee.

    >>> out = met_at_cop([0, 0, 1, 2], [1, 2, 3, 3], met=[1, 1, -1, -1], first_tie=[2, 2, 2, -1],
    ...                  first_shared=[-1] * 4, agency=np.arange(4), rate_tercile=np.zeros(4, int),
    ...                  n_months=4, n_attendees=4, horizon=2)
    >>> [out[k] for k in ("pairs", "new_ties", "expected_new_ties", "excess_per_attendee")]
    [2, 2, 1.0, 0.5]
    """
    pairs = _never_as_max(a, b, met, first_tie, first_shared)
    met_only = pairs[2] < _NEVER
    return met_at_cop_chunks(lambda: [pairs], tuple(x[met_only] for x in pairs), agency=agency,
                             rate_tercile=rate_tercile, n_months=n_months, n_attendees=n_attendees,
                             horizon=horizon, level=level, min_comparison=min_comparison,
                             min_follow_up=min_follow_up)


def _never_as_max(a, b, met, first_tie, first_shared):
    """The five pair arrays as int64, with "never" (-1, or any negative month) as a month after every other."""
    a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
    months = (np.asarray(x, dtype=np.int64) for x in (met, first_tie, first_shared))
    return (a, b, *(np.where(x < 0, _NEVER, x) for x in months))


def _pair_codes(a, b, agency, tercile, n_agencies):
    """Each pair's tercile pair (0..8) and agency pair (``low * n_agencies + high``)."""
    t_a, t_b = tercile[a], tercile[b]
    ag_a, ag_b = agency[a], agency[b]
    return (np.minimum(t_a, t_b) * 3 + np.maximum(t_a, t_b),
            np.minimum(ag_a, ag_b) * n_agencies + np.maximum(ag_a, ag_b))


def _pair_classes(a, b, agency, tercile, n_agencies):
    """Each pair's tercile pair (0..8) and class (tercile pair and agency pair) as one integer."""
    terciles, agency_pair = _pair_codes(a, b, agency, tercile, n_agencies)
    return terciles, terciles * (n_agencies * n_agencies) + agency_pair


def _class_index(values, n_agencies, max_table=1 << 22):
    """``index(terciles, agency_pair)``: ``(i, found)`` with ``values[i]`` the class of each pair where found.

    ``values`` are sorted and distinct pair classes (:func:`_pair_classes`);
    a pair is given by its tercile pair and agency pair (:func:`_pair_codes`).
    Where its class is not among them, ``i`` is some index of ``values`` (0 if
    it is empty) and ``found`` is False. A binary search of every pair of a
    block costs tens of milliseconds per half a million pairs; with at most
    ``max_table`` agency pairs, a table by agency pair, then by tercile pair,
    finds the same indices by lookup, and only the pairs whose agency pair
    has a class among ``values`` (at large, a fraction of a percent) go on to
    the second table.
    """
    pairs = n_agencies * n_agencies
    if values.size == 0:
        return lambda terciles, agency_pair: (np.zeros(terciles.size, dtype=np.int64),
                                              np.zeros(terciles.size, dtype=bool))
    if pairs > max_table:
        def search(terciles, agency_pair):
            v = terciles * pairs + agency_pair
            i = np.searchsorted(values, v).clip(max=values.size - 1)
            return i, values[i] == v
        return search
    agency_pairs, row_of_value = np.unique(values % pairs, return_inverse=True)
    row = np.full(pairs, -1, dtype=np.int64)
    row[agency_pairs] = np.arange(agency_pairs.size)
    by_tercile = np.full((agency_pairs.size, 9), -1, dtype=np.int64)
    by_tercile[row_of_value.ravel(), values // pairs] = np.arange(values.size)

    def lookup(terciles, agency_pair):
        r = row[agency_pair]
        listed = np.flatnonzero(r >= 0)
        i = np.zeros(r.size, dtype=np.int64)
        i[listed] = by_tercile[r[listed], terciles[listed]]
        found = np.zeros(r.size, dtype=bool)
        found[listed] = i[listed] >= 0
        return np.maximum(i, 0), found
    return lookup


def met_at_cop_chunks(chunks, met_pairs, *, agency, rate_tercile, n_months, n_attendees, horizon=6, level=0.95,
                      min_comparison=MIN_COMPARISON_PAIRS, min_follow_up=MIN_FOLLOW_UP, progress=None):
    """:func:`met_at_cop` of candidate pairs given in chunks: memory bounded by a chunk, whatever the pairs.

    Every candidate pair is a comparison pair in some months, so the estimate
    reads them all, twice: once to count the comparison rows of every stratum
    (counts add up across chunks), once for each pair's influence on the
    excess, summed per person (sums add up across chunks too). Only the pairs
    who met at a session, the strata their met pairs use and per-person sums
    are held whole.

    Parameters
    ----------
    chunks : callable
        ``chunks()`` returns an iterable of ``(a, b, met, first_tie, first_shared)`` (as :func:`met_at_cop`),
        the same chunks in the same order each time it is called (twice; once when it gives one chunk, which
        is kept for the second pass). Together they are every candidate
        pair once.
    met_pairs : tuple of five arrays
        The same five arrays for the pairs with ``met >= 0`` only, in the order the chunks give them.
    progress : callable, optional
        ``progress(label)`` is called with a sentence as each pass over the chunks starts.
    agency, rate_tercile, n_months, n_attendees, horizon, level, min_comparison, min_follow_up
        As :func:`met_at_cop`.

    Returns
    -------
    dict
        As :func:`met_at_cop`. With a single chunk every figure is computed in
        the same order as by :func:`met_at_cop`, so it is the same to the
        last bit; with more, the sums over pairs are added chunk by chunk
        (the rest is computed in the same order), so ``ci_low`` and
        ``ci_high`` can differ in their last bits.
    """
    report = progress or (lambda label: None)
    agency, tercile = np.asarray(agency), np.asarray(rate_tercile, dtype=np.int64)
    n_agencies = int(agency.max()) + 1 if agency.size else 1
    ma, mb, mmet, mtie, mshared = _never_as_max(*met_pairs)
    nan = float("nan")
    none = {"expected_new_ties": nan, "excess": nan, "excess_per_attendee": nan, "ci_low": nan, "ci_high": nan}
    # The meeting months that can be compared, and the last month of each one's follow-up.
    months = np.unique(mmet)
    months = months[follow_up(months, n_months, horizon, min_follow_up) > 0]
    h_of = follow_up(months, n_months, horizon, min_follow_up)
    ends = months + h_of - 1
    n_j = months.size

    # Met pairs: one row each, in the month of their meeting, if untied then and the month can be compared.
    j_met = np.searchsorted(months, mmet).clip(max=max(n_j - 1, 0))
    treated = (mtie >= mmet) & (months[j_met] == mmet) if n_j else np.zeros(mmet.size, dtype=bool)
    t_pair = np.flatnonzero(treated)
    t_j = j_met[t_pair]
    t_y = mtie[t_pair] <= ends[t_j]
    t_s = mshared[t_pair] < mmet[t_pair]
    # Strata: meeting month x shared flag x rate-tercile pair (coarse), x agency pair (fine). A pair's
    # class is its tercile pair and agency pair, fixed; the month and flag vary along its rows (see _runs).
    # Only the classes of met pairs need their own counts: a class without one is never a met pair's stratum.
    t_ter, t_value = _pair_classes(ma[t_pair], mb[t_pair], agency, tercile, n_agencies)
    fine_values = np.unique(t_value)
    n_fine = fine_values.size
    width = n_j + 1

    fine_index = _class_index(fine_values, n_agencies)

    def pair_runs(a, b, met, first_tie, first_shared):
        """A chunk's comparison runs: (k, runs).

        ``runs``: every run's start and stop cells of its coarse stratum, its
        pair and y; ``fine_runs``, the runs whose class is a met pair's (few:
        at large a fraction of a percent), and their start and stop cells of
        the fine stratum. Pairs that never met, tied or shared a client (at
        large 98.6% of them) have one run each, all the months, not shared and
        untied: they are given apart, as ``plain`` (their positions), with
        their coarse stratum ``plain_ter`` and fine stratum ``plain_fine``
        (-1 where their class is no met pair's), instead of runs.
        """
        ter, agency_pair = _pair_codes(a, b, agency, tercile, n_agencies)
        f, fine = fine_index(ter, agency_pair)
        moved = (met < _NEVER) | (first_tie < _NEVER) | (first_shared < _NEVER)
        rest, plain = np.flatnonzero(moved), np.flatnonzero(~moved)
        k, pair, lo, hi, run_s, run_y = _runs(met[rest], first_tie[rest], first_shared[rest], months, ends)
        pair = rest[pair]
        coarse_base = (ter[pair] * 2 + run_s) * width
        fine_runs = np.flatnonzero(fine[pair])
        fine_base = (f[pair[fine_runs]] * 2 + run_s[fine_runs]) * width
        runs = {"coarse": (coarse_base + lo, coarse_base + hi), "pair": pair, "y": run_y.astype(float),
                "fine_runs": fine_runs, "fine": (fine_base + lo[fine_runs], fine_base + hi[fine_runs]),
                "plain": plain, "plain_ter": ter[plain], "plain_fine": np.where(fine[plain], f[plain], -1)}
        return int(k.sum()) + n_j * plain.size, runs

    # Pass 1: comparison rows per (class, shared, month) cell, from each run's start and end (a difference array).
    report("Met at the COP: counting the comparison pairs of every stratum")
    diff = {"fine": np.zeros((2, n_fine * 2 * width)), "coarse": np.zeros((2, 9 * 2 * width))}
    comparison, top = 0, -1
    # With one chunk (every candidate pair at once: up to PAIR_CHUNK of them) pass 2 reuses pass 1's chunk and
    # runs instead of listing and classifying the pairs again: the same arrays, so the same figures.
    n_read, kept = 0, None
    for a, b, met, first_tie, first_shared in (_never_as_max(*c) for c in chunks()):
        n_read += 1
        kept = None  # a second chunk: nothing is kept, the memory stays one chunk's
        if a.size == 0:
            continue
        top = max(top, int(a.max()), int(b.max()))
        if n_j == 0:
            continue
        k, runs = pair_runs(a, b, met, first_tie, first_shared)
        if n_read == 1:
            kept = ((a, b, met, first_tie, first_shared), runs)
        comparison += k
        # Whole numbers, so the order of the sums does not matter. The fine strata's cells outnumber their runs
        # (at large, 470,000 cells for about 1,200 runs a chunk): those are added in place, not counted by bincount.
        start, stop = runs["coarse"]
        cells = diff["coarse"].shape[1]
        for row, weights in enumerate((np.ones(start.size), runs["y"])):
            diff["coarse"][row] += (np.bincount(start, weights, minlength=cells)
                                    - np.bincount(stop, weights, minlength=cells))
        start, stop = runs["fine"]
        for row, weights in enumerate((np.ones(start.size), runs["y"][runs["fine_runs"]])):
            np.add.at(diff["fine"][row], start, weights)
            np.subtract.at(diff["fine"][row], stop, weights)
        # The plain pairs' runs: [0, n_j) of their stratum's unshared cells, y = 0.
        on_fine = runs["plain_fine"][runs["plain_fine"] >= 0]
        for name, classes, n_cls in (("coarse", runs["plain_ter"], 9), ("fine", on_fine, n_fine)):
            base = np.arange(n_cls) * 2 * width
            count = np.bincount(classes, minlength=n_cls).astype(float)
            diff[name][0][base] += count
            diff[name][0][base + n_j] -= count
    rows = {"pairs": int(t_pair.size), "new_ties": int(t_y.sum()), "comparison_pairs": comparison,
            "horizon": horizon, "min_follow_up": min_follow_up,
            "short_follow_up": int((h_of[t_j] < horizon).sum())}
    if t_pair.size == 0 or comparison == 0:
        return {**rows, **none, "fallback": 0}

    def per_cell(d, n_cls):
        return np.cumsum(d.reshape(n_cls, 2, width), axis=2)[:, :, :n_j]

    fine_n, fine_y = per_cell(diff["fine"][0], n_fine), per_cell(diff["fine"][1], n_fine)
    coarse_n, coarse_y = per_cell(diff["coarse"][0], 9), per_cell(diff["coarse"][1], 9)
    month_n, month_y = coarse_n.sum(axis=(0, 1)), coarse_y.sum(axis=(0, 1))
    levels = [(fine_n, fine_y, (np.searchsorted(fine_values, t_value), t_s.astype(np.int64), t_j)),
              (coarse_n, coarse_y, (t_ter, t_s.astype(np.int64), t_j)),
              (month_n, month_y, (t_j,))]

    # Which level each met pair is compared at, fixed from the data: the finest with enough comparison rows.
    level_of = np.full(t_pair.size, len(levels) - 1)
    for lev in range(len(levels) - 2, -1, -1):
        n, _, cell = levels[lev]
        level_of = np.where(n[cell] >= min_comparison, np.minimum(level_of, lev), level_of)
    fallback = int((level_of > 0).sum())

    u_met = t_y.astype(float)
    expected = 0.0
    shares = []  # per level and cell: the share of its stratum's use, and share x rate
    for lev, (n, y, cell) in enumerate(levels):
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = np.where(n > 0, y / np.where(n > 0, n, 1), 0.0)
        mine = level_of == lev
        used = tuple(x[mine] for x in cell)
        expected += float(rate[used].sum())
        u_met[mine] -= rate[used]
        # A comparison row's influence: it moves its stratum's rate, used by n_t met pairs.
        n_t = np.zeros(n.shape)
        np.add.at(n_t, used, 1.0)
        share = np.where(n > 0, n_t / np.where(n > 0, n, 1), 0.0)
        share *= np.sqrt(np.where(n > 1, n / np.maximum(n - 1, 1), 1.0))
        shares.append((share, share * rate))
    observed = float(t_y.sum())
    # A row's weight in its cell: the sum over levels, finest first, of the shares of the strata it is in. A class
    # without met pairs has no fine share: its cells' weights are the same for every class of its tercile pair.
    fine_ter = fine_values // (n_agencies * n_agencies)
    totals = {}
    for which in (0, 1):
        fine, coarse, month = (s[which] for s in shares)
        per_fine = fine + coarse[fine_ter] + month
        per_coarse = coarse + month
        # Summed along a run with running totals.
        totals[which] = {name: np.concatenate([np.zeros((w.shape[0], 2, 1)), np.cumsum(w, axis=2)], axis=2).ravel()
                         for name, w in (("fine", per_fine), ("coarse", per_coarse))}

    # Pass 2: each comparison row's influence is -(y * g - gr) of its cell; a pair's rows are one dyad.
    report("Met at the COP: each pair's influence on the estimate, summed per practitioner")
    # A plain pair's run, [0, n_j) of its stratum's unshared cells with y = 0, has the influence of any run:
    # -(y * g - gr), computed the same way once per stratum.
    u_plain = {}
    for name, n_cls in (("coarse", 9), ("fine", n_fine)):
        start = np.arange(n_cls) * 2 * width
        g, gr = (totals[which][name][start + n_j] - totals[which][name][start] for which in (0, 1))
        u_plain[name] = -(np.zeros(n_cls) * g - gr)
    u_of_met = np.zeros(mmet.size)
    u_of_met[t_pair] = u_met
    n_nodes = top + 1
    S_a, S_b = np.zeros(n_nodes), np.zeros(n_nodes)
    independent, seen = 0.0, 0
    for a, b, met, first_tie, first_shared in ([kept[0]] if kept else (_never_as_max(*c) for c in chunks())):
        if a.size == 0:
            continue
        runs = kept[1] if kept else pair_runs(a, b, met, first_tie, first_shared)[1]
        # A run's totals are its fine stratum's where its class has one, else its coarse stratum's.
        fine_runs, (c_start, c_stop), (f_start, f_stop) = runs["fine_runs"], runs["coarse"], runs["fine"]
        g = totals[0]["coarse"][c_stop] - totals[0]["coarse"][c_start]
        gr = totals[1]["coarse"][c_stop] - totals[1]["coarse"][c_start]
        g[fine_runs] = totals[0]["fine"][f_stop] - totals[0]["fine"][f_start]
        gr[fine_runs] = totals[1]["fine"][f_stop] - totals[1]["fine"][f_start]
        run_u = -(runs["y"] * g - gr)
        u_pair = np.bincount(runs["pair"], weights=run_u, minlength=a.size).astype(float, copy=False)
        # A plain pair's one run is its stratum's (bincount's sum of one run is 0.0 + its value).
        plain_fine = runs["plain_fine"]
        on_fine = u_plain["fine"][np.maximum(plain_fine, 0)] if n_fine else 0.0
        u_pair[runs["plain"]] = 0.0 + np.where(plain_fine >= 0, on_fine, u_plain["coarse"][runs["plain_ter"]])
        # The chunk's met pairs are the next ones of met_pairs: add their own influence.
        here = np.flatnonzero(met < _NEVER)
        if not (np.array_equal(a[here], ma[seen:seen + here.size]) and np.array_equal(b[here], mb[seen:seen + here.size])):
            raise ValueError("met_at_cop_chunks: met_pairs must be the chunks' pairs with met >= 0, in their order.")
        mine = treated[seen:seen + here.size]
        u_pair[here[mine]] += u_of_met[seen:seen + here.size][mine]
        seen += here.size
        # Sequential sums per person (np.add.at adds in order, as np.bincount does), whatever the chunks.
        np.add.at(S_a, a, u_pair)
        np.add.at(S_b, b, u_pair)
        independent += float((u_pair ** 2).sum())
    # Dyadic-robust variance: dyads sharing a person are dependent. Never narrower than treating the dyads as
    # independent (as did_dyadic and linear_dyadic): their cross terms can be negative enough to make the sum
    # negative, and then there would be no interval at all.
    S = S_a + S_b
    var = max(float((S ** 2).sum()) - independent, independent)
    scale = 2.0 / n_attendees
    excess = observed - expected
    low, high = normal_interval(scale * excess, scale ** 2 * var, level=level)
    return {**rows, "expected_new_ties": expected, "excess": excess, "excess_per_attendee": scale * excess,
            "ci_low": low, "ci_high": high, "fallback": fallback}
