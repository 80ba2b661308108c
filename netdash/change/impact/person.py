"""The person-level headline: extra cross-agency colleagues per attendee in the after window.

The estimand is the one of ``did_cross_agency_ties`` (issue 15, item 5): the
average over attendees of the extra distinct colleagues in another agency,
through working ties, in the after window, that the COP explains. Two
estimators of it, both weighted sums of practitioners' counts over windows of
months, so their dyadic-robust variance is exact algebra:

- :func:`after_window_att`, Callaway & Sant'Anna (2021, *Journal of
  Econometrics* 225: 200-230) aggregated over the after window. Each cohort
  ``g`` (attendees whose first session fell in month ``g``) is compared from
  its own base window, the ``L`` months before joining, to the after window
  (months ``s .. s + L - 1``, ``s`` the COP start's month), against
  never-attendees (by the end of the after window nobody is "not yet
  treated"); ``ATT(g, after)`` is averaged over cohorts weighted by cohort size.
  With every attendee joining in month ``s`` it is the two-window
  difference-in-differences.
- :func:`trend_weights` and the trend-adjusted estimate: the same, minus the
  attendees' differential linear trend extrapolated from the months before
  the COP, the smoothness restriction ``M = 0`` of Rambachan & Roth (2023,
  *Review of Economic Studies* 90: 2555-2591), i.e. linear extrapolation of
  the pre-period difference. The trend is the least-squares slope, over the
  months before the COP, of the gap between attendees' and non-attendees'
  mean number of cross-agency colleagues in the last ``trend_window`` months;
  it is carried over to ``L``-month counts by the ratio of the mean
  ``L``-month count to the mean ``trend_window``-month count before the COP
  (for rare ties a count over a window grows in proportion to the rate at
  which ties form, whatever the window's length), and over the months between
  each cohort's base window and the after window.

Variance (:func:`linear_dyadic`): an estimate ``sum_i sum_w K[i, w] Y[i, w]``
with ``Y[i, w] = sum_j A_ij(w)`` has the influence function
``psi_i = sum_w K[i, w] (Y[i, w] - mean of i's group)``; two practitioners
share exactly one random part, their own tie, which adds
``2 (sum_w K[i, w] A_ij(w)) (sum_w K[j, w] A_ij(w))`` (Fafchamps & Gubert
2007; Aronow, Samii & Assenova 2015). Each group's centred terms are scaled by
``n_g / (n_g - 1)`` (the usual small-sample correction: centring on a group's
own mean removes ``1 / n_g`` of its variance, which matters for cohorts of a
few attendees); a one-person cohort is centred on the mean of its pool (all
attendees) instead of its own value.
"""

import numpy as np
from scipy import stats

from netdash.change.impact.staggered import normal_interval

__all__ = ["monthly_union", "window_counts", "pair_windows", "window_counts_of", "linear_dyadic",
           "after_window_weights", "trend_weights", "person_level"]


def monthly_union(tie_a, tie_b, tie_month):
    """``ties_in(first, last)``: the pairs with a tie in some month ``first .. last`` (both included).

    The windows of a simulated panel, whose ties exist month by month; a
    dataset's windows are found on the window's own contacts instead
    (:func:`netdash.change.impact.panel.tie_panel`), so that co-working
    across a month boundary counts as it does in the difference-in-differences.

    Examples
    --------
    >>> ties_in = monthly_union([0, 0, 1], [1, 2, 2], [0, 3, 1])
    >>> [x.tolist() for x in ties_in(0, 1)]
    [[0, 1], [1, 2]]
    """
    a, b, month = (np.asarray(x, dtype=np.int64) for x in (tie_a, tie_b, tie_month))

    def ties_in(first, last):
        inside = (month >= first) & (month <= last)
        return a[inside], b[inside]

    return ties_in


def window_counts(ties, n, units):
    """Distinct colleagues of each unit in each window, and the ties between units.

    Parameters
    ----------
    ties : list of (a, b)
        For each window, the tied pairs (node codes; repeats count once).
    n : int
        Number of nodes.
    units : array-like of int
        Node codes of the sample.

    Returns
    -------
    Y : ndarray, shape (len(units), len(ties))
    pair_a, pair_b : ndarray of int
        Pairs of sample units (indices into ``units``) tied in some window.
    pair_in : ndarray, shape (P, len(ties))
        1 where the pair is tied in the window.

    Examples
    --------
    Window 0: 0-1; window 1: 0-1 and 0-2:

    >>> Y, a, b, w = window_counts([([0], [1]), ([1, 0], [0, 2])], 3, [0, 1, 2])
    >>> Y.tolist(), a.tolist(), b.tolist(), w.tolist()
    ([[1.0, 2.0], [1.0, 1.0], [0.0, 1.0]], [0, 0], [1, 2], [[1.0, 1.0], [0.0, 1.0]])
    """
    return window_counts_of(*pair_windows(ties, n), n, units)


def pair_windows(ties, n):
    """The pairs tied in some window and the windows each is tied in: ``(keys, inside)``.

    ``keys`` are the sorted distinct ``min(a, b) * n + max(a, b)`` of the
    pairs of ``ties`` (as :func:`window_counts`; a pair of a node with itself
    is none); ``inside[p, w]`` is 1.0 where pair ``p`` is in window ``w``.

    Examples
    --------
    >>> keys, inside = pair_windows([([0], [1]), ([1, 0], [0, 2])], 3)
    >>> keys.tolist(), inside.tolist()
    ([1, 2], [[1.0, 1.0], [0.0, 1.0]])
    """
    keys, cols = [], []
    for k, (a, b) in enumerate(ties):
        a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
        keep = a != b
        keys.append(np.minimum(a, b)[keep] * n + np.maximum(a, b)[keep])
        cols.append(np.full(int(keep.sum()), k))
    key, col = np.concatenate(keys), np.concatenate(cols)
    uniq, inv = np.unique(key, return_inverse=True)
    inside = np.zeros((uniq.size, len(ties)))
    inside[inv.ravel(), col] = 1.0
    return uniq, inside


def window_counts_of(uniq, inside, n, units):
    """:func:`window_counts` from :func:`pair_windows`' ``(keys, inside)``."""
    units = np.asarray(units, dtype=np.int64)
    node_a, node_b = uniq // n, uniq % n
    # Whole numbers, so the order of the sums does not matter: one bincount per window.
    counts = np.zeros((n, inside.shape[1]))
    for k in range(inside.shape[1]):
        counts[:, k] = np.bincount(node_a, weights=inside[:, k], minlength=n) + \
            np.bincount(node_b, weights=inside[:, k], minlength=n)
    index = np.full(n, -1)
    index[units] = np.arange(units.size)
    ia, ib = index[node_a], index[node_b]
    both = (ia >= 0) & (ib >= 0)
    return counts[units], ia[both], ib[both], inside[both]


def linear_dyadic(K, Y, group, pair_a=(), pair_b=(), pair_in=None, *, pool=None):
    """Estimate ``sum(K * Y)`` and its dyadic-robust variance.

    Parameters
    ----------
    K, Y : ndarray, shape (n, m)
        Weights and counts of every unit in every window. ``K`` must be the
        same for all units of a group.
    group : array-like, length n
        Group of each unit (e.g. cohort; never-attendees one group).
    pair_a, pair_b, pair_in
        As returned by :func:`window_counts`.
    pool : array-like, length n, optional
        A one-person group is centred on the mean of its pool; default: all units.

    Returns
    -------
    dict
        ``estimate``, ``variance`` (never below the independent-units
        ``psi' psi``: with a handful of people the negative terms of ties
        between the groups can outweigh it), ``psi``.

    Examples
    --------
    The difference in change of two attendees (changes 2 and 3) and two
    non-attendees (0 and 1): ``psi = (-1/4, 1/4, -1/4, 1/4)``, ``psi' psi =
    1/4``, times ``2 / (2 - 1)`` for the small-sample correction: ``1/2``. A
    new tie between the two attendees adds ``2 x (1/2)(1/2) = 1/2``.

    >>> K = np.array([[-0.5, 0.5], [-0.5, 0.5], [0.5, -0.5], [0.5, -0.5]])
    >>> Y = np.array([[0, 2], [0, 3], [0, 0], [0, 1]], dtype=float)
    >>> out = linear_dyadic(K, Y, [1, 1, 0, 0])
    >>> out["estimate"], round(out["variance"], 12)
    (2.0, 0.5)
    >>> round(linear_dyadic(K, Y, [1, 1, 0, 0], [0], [1], np.array([[0.0, 1.0]]))["variance"], 12)
    1.0
    """
    K, Y = np.asarray(K, dtype=float), np.asarray(Y, dtype=float)
    group = np.asarray(group)
    pool = np.zeros(group.size, dtype=np.int64) if pool is None else np.asarray(pool)
    psi = np.zeros(Y.shape[0])
    for g in np.unique(group):
        members = group == g
        size = int(members.sum())
        if size > 1:
            centre = Y[members].mean(axis=0)
            scale = np.sqrt(size / (size - 1))
        else:
            centre = Y[pool == pool[members][0]].mean(axis=0)
            scale = 1.0
        psi[members] = scale * (K[members] * (Y[members] - centre)).sum(axis=1)
    var = float(psi @ psi)
    if pair_in is not None and len(pair_a):
        pair_a, pair_b = np.asarray(pair_a, dtype=np.int64), np.asarray(pair_b, dtype=np.int64)
        w = np.asarray(pair_in, dtype=float)
        za, zb = (K[pair_a] * w).sum(axis=1), (K[pair_b] * w).sum(axis=1)
        var = max(var + 2.0 * float(za @ zb), var)
    return {"estimate": float((K * Y).sum()), "variance": var, "psi": psi}


def after_window_weights(cohort, treated, *, start, length):
    """Windows and weights of the Callaway & Sant'Anna ATT aggregated over the after window.

    Parameters
    ----------
    cohort : array-like of int
        Month of each unit's first COP session (-1 never).
    treated : array-like of bool
        Attendees (in the after window); the others are the comparison.
    start, length : int
        The after window is months ``start .. start + length - 1``.

    Returns
    -------
    windows : list of (first, last)
        The after window, then each cohort's base window ``g - length .. g - 1``.
    K : ndarray, shape (n, len(windows))
    group : ndarray
        Cohort of attendees, -1 for the comparison.
    distance : float
        Cohort-weighted mean months from a base window's centre to the after
        window's, ``length + start - g`` (for the trend adjustment).

    Examples
    --------
    Two attendees joining in month 2 and one in month 3, one non-attendee; after window months 2-3:

    >>> w, K, g, d = after_window_weights([2, 2, 3, -1], [True, True, True, False], start=2, length=2)
    >>> w, K.round(3).tolist(), round(d, 3)
    ([(2, 3), (0, 1), (1, 2)], [[0.333, -0.333, 0.0], [0.333, -0.333, 0.0], [0.333, 0.0, -0.333], [-1.0, 0.667, 0.333]], 1.667)
    """
    treated = np.asarray(treated, dtype=bool)
    # An attendance dated before the COP start counts from the start (design.sessions_before_start warns).
    cohort = np.where(treated, np.maximum(np.asarray(cohort, dtype=np.int64), start), -1)
    cohorts = np.unique(cohort[treated])
    windows = [(start, start + length - 1)] + [(int(g) - length, int(g) - 1) for g in cohorts]
    n_t, n_c = int(treated.sum()), int((~treated).sum())
    K = np.zeros((cohort.size, len(windows)))
    distance = 0.0
    for k, g in enumerate(cohorts):
        members = cohort == g
        share = members.sum() / n_t
        K[members, 0] += share / members.sum()
        K[members, 1 + k] -= share / members.sum()
        K[~treated, 0] -= share / n_c
        K[~treated, 1 + k] += share / n_c
        distance += share * (length + start - int(g))
    return windows, K, cohort, float(distance)


def trend_weights(treated, months):
    """Weights of the least-squares slope, over ``months``, of the attendee minus non-attendee mean gap.

    Examples
    --------
    >>> trend_weights([True, False], [0, 1, 2]).tolist()
    [[-0.5, 0.0, 0.5], [0.5, -0.0, -0.5]]
    """
    treated = np.asarray(treated, dtype=bool)
    t = np.asarray(months, dtype=float)
    c = (t - t.mean()) / ((t - t.mean()) ** 2).sum()
    return np.where(treated[:, None], c[None, :] / treated.sum(), -c[None, :] / (~treated).sum())


def _interval(d, level):
    low, high = normal_interval(d["estimate"], d["variance"], level=level)
    se = float(np.sqrt(d["variance"])) if d["variance"] >= 0 else float("nan")
    return {"estimate": d["estimate"], "ci_low": low, "ci_high": high, "se": se}


def person_level(ties_in, n, units, treated, cohort, *, start, length, trend_window=3, level=0.95, windows_of=None):
    """Callaway & Sant'Anna ATT over the after window, the pre-COP trend, and the trend-adjusted ATT.

    Parameters
    ----------
    ties_in : callable
        ``ties_in(first, last)``: the tied pairs ``(a, b)`` (node codes) in months ``first .. last``
        (e.g. :func:`monthly_union`).
    windows_of : callable, optional
        ``windows_of(windows)``, for a list of ``(first, last)``: what :func:`pair_windows` gives for
        ``[ties_in(first, last) for first, last in windows]``, found faster (a dataset's panel:
        :func:`netdash.change.impact.panel.tie_panel`). Default: that.
    n, units
        As :func:`window_counts`.
    treated, cohort
        As :func:`after_window_weights`, for ``units``.
    start, length : int
        After window: months ``start .. start + length - 1``; ``start >= length``.
    trend_window : int, default 3
        Months in the counts whose gap's slope is the trend (months ``trend_window - 1 .. start - 1``).

    Returns
    -------
    dict
        ``att`` and ``trend_adjusted`` ({estimate, ci_low, ci_high, se}),
        ``trend`` ({slope, se, p_value, ratio, distance, months}: slope per
        month of the gap in ``trend_window``-month counts, its two-sided
        normal p-value, the ratio carrying it to ``length``-month counts, the
        mean months extrapolated, the months fitted).
    """
    treated = np.asarray(treated, dtype=bool)
    windows, K_att, group, distance = after_window_weights(cohort, treated, start=start, length=length)
    pre = list(range(trend_window - 1, start))
    before = len(windows)
    windows = windows + [(start - length, start - 1)] + [(t - trend_window + 1, t) for t in pre]
    table = windows_of(windows) if windows_of else pair_windows([ties_in(first, last) for first, last in windows], n)
    Y, pa, pb, inside = window_counts_of(*table, n, units)
    pad = np.zeros((Y.shape[0], len(windows) - before))
    K_att = np.hstack([K_att, pad])
    pool = treated.astype(np.int64)
    att = linear_dyadic(K_att, Y, group, pa, pb, inside, pool=pool)
    nan = float("nan")
    if len(pre) < 3:
        none = {"estimate": nan, "ci_low": nan, "ci_high": nan, "se": nan}
        return {"att": _interval(att, level), "trend_adjusted": none,
                "trend": {"slope": nan, "se": nan, "p_value": nan, "ratio": nan, "distance": distance,
                          "months": len(pre)}}
    K_trend = np.zeros_like(Y)
    K_trend[:, before + 1:] = trend_weights(treated, pre)
    slope = linear_dyadic(K_trend, Y, group, pa, pb, inside, pool=pool)
    short = Y[:, before + 1:].mean()
    ratio = float(Y[:, before].mean() / short) if short > 0 else nan
    adjusted = linear_dyadic(K_att - ratio * distance * K_trend, Y, group, pa, pb, inside, pool=pool) \
        if np.isfinite(ratio) else {"estimate": nan, "variance": nan}
    se = float(np.sqrt(slope["variance"]))
    p = float(2 * stats.norm.sf(abs(slope["estimate"]) / se)) if se > 0 else nan
    return {"att": _interval(att, level), "trend_adjusted": _interval(adjusted, level),
            "trend": {"slope": slope["estimate"], "se": se, "p_value": p, "ratio": ratio, "distance": distance,
                      "months": len(pre)}}
