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

__all__ = ["MIN_COMPARISON_PAIRS", "MIN_FOLLOW_UP", "follow_up", "rate_terciles", "met_at_cop"]

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


def _codes(values, dense_limit=1 << 24):
    """``np.unique(values, return_inverse=True)[1]``: each value's rank among the distinct values.

    Non-negative integers below ``dense_limit`` are ranked by marking which
    values occur and counting (linear time) instead of sorting; the codes are
    the same.

    Examples
    --------
    >>> _codes(np.array([7, 3, 7, 0])).tolist()
    [2, 1, 2, 0]
    """
    values = np.asarray(values)
    if values.size == 0:
        return np.zeros(0, dtype=np.intp)
    top = int(values.max())
    if int(values.min()) < 0 or top >= dense_limit:
        return np.unique(values, return_inverse=True)[1].ravel()
    present = np.zeros(top + 1, dtype=bool)
    present[values] = True
    return (np.cumsum(present) - 1)[values]


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
    each with its own ``shared`` and ``y``. Returns ``(k, lo, hi, shared, y)``,
    the last four of shape ``(3, pairs)``; a run with ``lo >= hi`` is empty.
    """
    k = np.minimum(np.searchsorted(months, first_tie, side="right"), np.searchsorted(ends, met, side="left"))
    j_s = np.searchsorted(months, first_shared, side="right")  # from this run on, the two had shared a client
    j_y = np.searchsorted(ends, first_tie, side="left")  # from this run on, the tie falls within the follow-up
    p1 = np.minimum(np.minimum(j_s, j_y), k)
    p2 = np.minimum(np.maximum(j_s, j_y), k)
    lo = np.stack([np.zeros_like(k), p1, p2])
    hi = np.stack([p1, p2, k])
    return k, lo, hi, lo >= j_s, lo >= j_y


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
    a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
    met = np.asarray(met, dtype=np.int64)
    met = np.where(met < 0, _NEVER, met)
    first_tie = np.asarray(first_tie, dtype=np.int64)
    first_tie = np.where(first_tie < 0, _NEVER, first_tie)
    first_shared = np.asarray(first_shared, dtype=np.int64)
    first_shared = np.where(first_shared < 0, _NEVER, first_shared)
    agency, tercile = np.asarray(agency), np.asarray(rate_tercile, dtype=np.int64)
    nan = float("nan")
    none = {"expected_new_ties": nan, "excess": nan, "excess_per_attendee": nan, "ci_low": nan, "ci_high": nan}
    # The meeting months that can be compared, and the last month of each one's follow-up.
    months = np.unique(met[met < _NEVER])
    months = months[follow_up(months, n_months, horizon, min_follow_up) > 0]
    h_of = follow_up(months, n_months, horizon, min_follow_up)
    ends = months + h_of - 1
    n_j = months.size

    # Met pairs: one row each, in the month of their meeting, if untied then and the month can be compared.
    j_met = np.searchsorted(months, met).clip(max=max(n_j - 1, 0))
    treated = (first_tie >= met) & (months[j_met] == met) if n_j else np.zeros(met.size, dtype=bool)
    t_pair = np.flatnonzero(treated)
    t_j = j_met[t_pair]
    t_y = first_tie[t_pair] <= ends[t_j]
    t_s = first_shared[t_pair] < met[t_pair]
    # Comparison rows: a pair in each meeting month before its own, untied, in runs (see _runs).
    k, lo, hi, run_s, run_y = _runs(met, first_tie, first_shared, months, ends)
    rows = {"pairs": int(t_pair.size), "new_ties": int(t_y.sum()), "comparison_pairs": int(k.sum()),
            "horizon": horizon, "min_follow_up": min_follow_up,
            "short_follow_up": int((h_of[t_j] < horizon).sum())}
    if t_pair.size == 0 or k.sum() == 0:
        return {**rows, **none, "fallback": 0}

    # Strata: meeting month x shared flag x rate-tercile pair (coarse), x agency pair (fine). A pair's
    # class is its tercile pair and agency pair, fixed; the month and flag vary along its rows.
    t_lo, t_hi = np.minimum(tercile[a], tercile[b]), np.maximum(tercile[a], tercile[b])
    n_agencies = int(agency.max()) + 1 if agency.size else 1
    ag_lo, ag_hi = np.minimum(agency[a], agency[b]), np.maximum(agency[a], agency[b])
    terciles = t_lo * 3 + t_hi
    cls = _codes((terciles * n_agencies + ag_lo) * n_agencies + ag_hi)
    n_cls = int(cls.max()) + 1
    cls_terciles = np.zeros(n_cls, dtype=np.int64)
    cls_terciles[cls] = terciles
    # Comparison rows per (class, shared, month) cell, from each run's start and end (a difference array).
    width = n_j + 1
    nonempty = hi > lo
    base = (cls[None, :] * 2 + run_s) * width
    cells = n_cls * 2 * width
    start, stop = (base + lo)[nonempty], (base + hi)[nonempty]
    y_run = run_y[nonempty].astype(float)

    def per_cell(weights):
        diff = np.bincount(start, weights, minlength=cells) - np.bincount(stop, weights, minlength=cells)
        return np.cumsum(diff.reshape(n_cls, 2, width), axis=2)[:, :, :n_j]

    ones = np.ones(start.size)
    fine_n, fine_y = per_cell(ones), per_cell(y_run)
    # The coarser levels' counts, and each (class, shared, month) cell's stratum at every level.
    coarse_n = np.zeros((9, 2, n_j))
    coarse_y = np.zeros((9, 2, n_j))
    np.add.at(coarse_n, cls_terciles, fine_n)
    np.add.at(coarse_y, cls_terciles, fine_y)
    month_n, month_y = fine_n.sum(axis=(0, 1)), fine_y.sum(axis=(0, 1))
    c_idx = np.arange(n_cls)[:, None, None]
    s_idx = np.arange(2)[None, :, None]
    j_idx = np.arange(n_j)[None, None, :]
    levels = [(fine_n, fine_y, lambda c, s, j: (c, s, j)),
              (coarse_n, coarse_y, lambda c, s, j: (cls_terciles[c], s, j)),
              (month_n, month_y, lambda c, s, j: (j,))]

    # Which level each met pair is compared at, fixed from the data: the finest with enough comparison rows.
    t_cell = (cls[t_pair], t_s.astype(np.int64), t_j)
    level_of = np.full(t_pair.size, len(levels) - 1)
    for lev in range(len(levels) - 2, -1, -1):
        n, _, at = levels[lev]
        level_of = np.where(n[at(*t_cell)] >= min_comparison, np.minimum(level_of, lev), level_of)
    fallback = int((level_of > 0).sum())

    u_met = t_y.astype(float)
    expected = 0.0
    g = np.zeros((n_cls, 2, n_j))  # per cell: sum over levels of the share of its stratum's use
    gr = np.zeros((n_cls, 2, n_j))  # ... and of share x rate
    for lev, (n, y, at) in enumerate(levels):
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = np.where(n > 0, y / np.where(n > 0, n, 1), 0.0)
        mine = level_of == lev
        cell = tuple(x[mine] for x in at(*t_cell))
        expected += float(rate[cell].sum())
        u_met[mine] -= rate[cell]
        # A comparison row's influence: it moves its stratum's rate, used by n_t met pairs.
        n_t = np.zeros(n.shape)
        np.add.at(n_t, cell, 1.0)
        share = np.where(n > 0, n_t / np.where(n > 0, n, 1), 0.0)
        share *= np.sqrt(np.where(n > 1, n / np.maximum(n - 1, 1), 1.0))
        mapped = at(c_idx, s_idx, j_idx)
        g += share[mapped]
        gr += (share * rate)[mapped]
    observed = float(t_y.sum())
    # Each comparison row's influence is -(y * g - gr) of its cell: summed along a run with running totals.
    total_g = np.concatenate([np.zeros((n_cls, 2, 1)), np.cumsum(g, axis=2)], axis=2).ravel()
    total_gr = np.concatenate([np.zeros((n_cls, 2, 1)), np.cumsum(gr, axis=2)], axis=2).ravel()
    run_u = -(y_run * (total_g[stop] - total_g[start]) - (total_gr[stop] - total_gr[start]))
    # Dyadic-robust variance: the rows of one pair are one dyad; dyads sharing a person are dependent. Never
    # narrower than treating the dyads as independent (as did_dyadic and linear_dyadic): their cross terms can
    # be negative enough to make the sum negative, and then there would be no interval at all.
    u_pair = np.bincount(np.broadcast_to(np.arange(a.size), lo.shape)[nonempty], weights=run_u, minlength=a.size)
    u_pair[t_pair] += u_met
    n_nodes = int(max(a.max(), b.max())) + 1
    S = np.bincount(a, weights=u_pair, minlength=n_nodes) + np.bincount(b, weights=u_pair, minlength=n_nodes)
    independent = float((u_pair ** 2).sum())
    var = max(float((S ** 2).sum()) - independent, independent)
    scale = 2.0 / n_attendees
    excess = observed - expected
    low, high = normal_interval(scale * excess, scale ** 2 * var, level=level)
    return {**rows, "expected_new_ties": expected, "excess": excess, "excess_per_attendee": scale * excess,
            "ci_low": low, "ci_high": high, "fallback": fallback}
