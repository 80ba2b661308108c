"""Staggered adoption: an event study of cross-agency colleagues, a pre-trend test, tie-aware variances.

Each attendee's treatment starts in the month of their own first COP
session. The outcome is a practitioner-month panel: the number of distinct
colleagues in another agency with whom the practitioner had a working tie in
the ``window`` months ending with that month (a rolling window).

Estimator: Callaway & Sant'Anna (2021), "Difference-in-differences with
multiple time periods", *Journal of Econometrics* 225: 200-230. For each
cohort ``g`` (attendees whose first session fell in month ``g``) and month
``t``, ``ATT(g, t)`` is the cohort's mean change in the outcome from the
base month ``g - 1`` to ``t``, minus the same change among comparison units
not treated by then: never-attendees and attendees whose first session is
after ``max(t, g)`` (their "not-yet-treated" comparison group). Event-time
effects ``ATT(e)`` average ``ATT(g, g + e)`` over cohorts, weighted by
cohort size. ``e = -1`` is the base and is 0 by construction; ``e <= -2``
are placebo (pre-period) coefficients.

Variances are dyadic-robust. Every estimate here is a weighted sum of the
units' changes, ``sum_i k_i (Y_i,t - Y_i,s)``, and a unit's count is a sum
over its colleagues, ``Y_i = sum_j A_ij``. Two units' terms therefore share
exactly one random part, their own tie ``A_ij``, which counts for both. The
variance is the usual sum of squared influence functions plus, for every
pair of units whose tie changed, the cross-product of the two units'
coefficients times the squared change of their tie (Fafchamps & Gubert
2007, *Journal of Development Economics* 83: 326-350; Aronow, Samii &
Assenova 2015, *Political Analysis* 23: 564-577, restricted to the one
shared dyad). Intervals are normal, ``estimate +/- 1.96 sqrt(V)``.
"""

import functools

import numpy as np
from scipy import sparse, stats
from threadpoolctl import threadpool_limits

__all__ = ["BLAS_THREADS", "one_blas_thread", "tie_adjacency", "neighbour_counts", "rolling_windows",
           "window_outcomes", "dyadic_covariance", "event_study", "pre_trend_test", "did_dyadic", "normal_interval"]

#: BLAS threads inside the impact computations (None: leave the library's own setting).
BLAS_THREADS = 1


def one_blas_thread(func):
    """Run ``func`` with at most :data:`BLAS_THREADS` BLAS threads.

    The impact estimates multiply small matrices (influence functions,
    propensity scores). OpenBLAS's second thread spins while it waits, which
    costs CPU and, with other work on the machine, wall time too
    (``bench/blas_threads.py``; docs/benchmarks.md, "BLAS threads"). Applied
    to the two functions that do that work,
    :func:`netdash.change.impact.panel.panel_estimates` and
    :func:`netdash.change.impact.impact_estimates`, not to their callers:
    each application inspects the loaded libraries again.

    Examples
    --------
    >>> from threadpoolctl import threadpool_info
    >>> @one_blas_thread
    ... def blas_threads():
    ...     return {d["num_threads"] for d in threadpool_info() if d["user_api"] == "blas"}
    >>> blas_threads() <= {1}
    True
    """
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with threadpool_limits(limits=BLAS_THREADS, user_api="blas"):
            return func(*args, **kwargs)
    return wrapper


def tie_adjacency(a, b, n):
    """Symmetric 0/1 sparse adjacency of the pairs ``(a, b)`` (repeats count once, self-ties ignored).

    Examples
    --------
    >>> tie_adjacency([0, 1, 0], [1, 0, 2], 3).toarray().tolist()
    [[0.0, 1.0, 1.0], [1.0, 0.0, 0.0], [1.0, 0.0, 0.0]]
    """
    a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
    keep = a != b
    a, b = a[keep], b[keep]
    m = sparse.coo_matrix((np.ones(2 * a.size), (np.r_[a, b], np.r_[b, a])), shape=(n, n)).tocsr()
    m.data[:] = 1.0
    return m


def neighbour_counts(a, b, n, units):
    """Distinct colleagues of each of ``units`` among the ties ``(a, b)``.

    Examples
    --------
    >>> neighbour_counts([0, 0, 1], [1, 2, 0], 3, [0, 1, 2]).tolist()
    [2.0, 1.0, 1.0]
    """
    return np.asarray(tie_adjacency(a, b, n).sum(axis=1)).ravel()[np.asarray(units, dtype=np.int64)]


def rolling_windows(a, b, month, n, n_months, *, window=3):
    """Each distinct pair of the ties and the rolling windows its tie is in.

    Returns
    -------
    pair_a, pair_b : ndarray of int
        The distinct pairs (``pair_a < pair_b``, sorted; self-ties ignored).
    in_window : ndarray of int8, shape (n_months, P)
        1 when the pair has a tie in one of months ``t - window + 1 .. t`` (fewer before ``window - 1``).

    Examples
    --------
    >>> a, b, w = rolling_windows([0, 1, 0], [1, 0, 2], [0, 1, 3], 3, 4, window=2)
    >>> a.tolist(), b.tolist(), w.T.tolist()
    ([0, 0], [1, 2], [[1, 1, 1, 0], [0, 0, 0, 1]])
    """
    a, b, month = (np.asarray(x, dtype=np.int64) for x in (a, b, month))
    keep = a != b
    pairs, of = np.unique(np.minimum(a, b)[keep] * n + np.maximum(a, b)[keep], return_inverse=True)
    in_month = np.zeros((n_months, pairs.size), dtype=np.int8)
    in_month[month[keep], of.ravel()] = 1
    # Month t's window holds the tie when any of months t - window + 1 .. t does: a maximum over shifted rows.
    in_window = in_month.copy()
    for shift in range(1, min(window, n_months)):
        np.maximum(in_window[shift:], in_month[:-shift], out=in_window[shift:])
    return pairs // n, pairs % n, in_window


def window_outcomes(a, b, month, n, n_months, units, *, window=3, rolling=None):
    """``Y[i, t]``: distinct colleagues of unit ``i`` with a tie in months ``t - window + 1 .. t``.

    Months before ``window - 1`` have a shorter window; :func:`event_study`
    leaves them out. ``rolling``: :func:`rolling_windows` of the same ties, if already made.

    Examples
    --------
    >>> window_outcomes([0, 0], [1, 2], [0, 2], 3, 4, [0], window=2).tolist()
    [[1.0, 1.0, 1.0, 1.0]]
    """
    pair_a, pair_b, in_window = rolling if rolling is not None else rolling_windows(a, b, month, n, n_months,
                                                                                    window=window)
    units = np.asarray(units, dtype=np.int64)
    out = np.zeros((units.size, n_months))
    # Each distinct pair once, so a count of its ends is a count of distinct colleagues (whole numbers: exact in
    # any order).
    for t in range(n_months):
        inside = in_window[t].astype(bool)
        out[:, t] = (np.bincount(pair_a[inside], minlength=n) + np.bincount(pair_b[inside], minlength=n))[units]
    return out


def dyadic_covariance(psi, pair_a=None, pair_b=None, z_a=None, z_b=None):
    """Dyadic-robust covariance: ``psi' psi`` plus the shared-tie cross terms.

    Parameters
    ----------
    psi : ndarray, shape (n,) or (n, k)
        Influence functions of ``k`` estimates (NaN treated as 0).
    pair_a, pair_b : ndarray of int, optional
        Unit indices of the pairs whose tie entered the estimates.
    z_a, z_b : ndarray, shape (P,) or (P, k), optional
        The pair's tie change weighted by unit ``a``'s (``b``'s) coefficient in each estimate.

    Returns
    -------
    ndarray, shape (k, k)
        ``psi' psi + sum_pairs (z_a' z_b + z_b' z_a)``.

    Examples
    --------
    Two units each with influence 1 whose tie changed by 1, each with
    coefficient 1: ``1 + 1 + 2 * 1 * 1 = 4``.

    >>> dyadic_covariance(np.array([1.0, 1.0]), [0], [1], np.array([1.0]), np.array([1.0])).item()
    4.0
    """
    psi = np.nan_to_num(np.asarray(psi, dtype=float))
    P = psi[:, None] if psi.ndim == 1 else psi
    V = P.T @ P
    if pair_a is not None and len(pair_a):
        za, zb = (_finite(z) for z in (z_a, z_b))
        za, zb = (z[:, None] if z.ndim == 1 else z for z in (za, zb))
        V = V + za.T @ zb + zb.T @ za
    return V


def _finite(z):
    """``numpy.nan_to_num`` of ``z`` as float, without a copy when every entry is already finite."""
    z = np.asarray(z, dtype=float)
    return z if np.isfinite(z).all() else np.nan_to_num(z)


def normal_interval(estimate, variance, *, level=0.95):
    """``estimate +/- z sqrt(variance)``; NaN ends when the variance is not finite or negative.

    Examples
    --------
    >>> [round(x, 3) for x in normal_interval(1.0, 0.25)]
    [0.02, 1.98]
    """
    z = stats.norm.ppf(0.5 + level / 2)
    if not np.isfinite(variance) or variance < 0 or not np.isfinite(estimate):
        return float("nan"), float("nan")
    half = z * np.sqrt(variance)
    return float(estimate - half), float(estimate + half)


def event_study(Y, cohort, *, first_valid=0, pair_a=None, pair_b=None, pair_windows=None):
    """Callaway & Sant'Anna (2021) event-time effects with not-yet-treated and never-treated comparisons.

    Parameters
    ----------
    Y : ndarray, shape (n, T)
        Outcome of each unit in each month.
    cohort : array-like of int, length n
        Month of each unit's first treatment (first COP session), -1 for never.
    first_valid : int, default 0
        First month whose outcome is complete (``window - 1``): earlier months,
        and cohorts whose base month ``g - 1`` is earlier, are left out.
    pair_a, pair_b, pair_windows : optional
        Pairs of units (indices into ``Y``) with a tie in some window and a
        (P, T) 0/1 array of the windows it is in; given, the result carries
        the dyadic-robust covariance ``V``.

    Returns
    -------
    dict
        ``event_time`` (ndarray of int), ``att`` (NaN where no cohort
        contributes), ``psi`` (shape (n, E): each unit's influence on each
        ``ATT(e)``), ``V`` (E x E, :func:`dyadic_covariance`; ``psi' psi``
        without pairs), ``cohorts`` (used), ``dropped_cohorts`` (base month
        too early), ``cohort_size``.

    Notes
    -----
    ``ATT(g, t) = mean_{G=g}(Y_t - Y_{g-1}) - mean_{C}(Y_t - Y_{g-1})`` with
    ``C`` the units with ``G > max(t, g)`` or never treated; ``ATT(e)`` is the
    cohort-size-weighted mean of ``ATT(g, g + e)`` over cohorts where both
    groups are non-empty. The influence function treats cohort sizes as fixed;
    each group's centred terms are scaled by ``size / (size - 1)`` (centring on
    a group's own mean removes ``1 / size`` of its variance, which matters for
    the small cohorts of staggered joining), and a one-person cohort is
    centred on the comparison mean instead.

    Examples
    --------
    Two units treated in month 2 gain 1 from then on; one never-treated unit
    gains nothing:

    >>> out = event_study(np.array([[0.0, 0, 1, 1], [0, 0, 1, 1], [0, 0, 0, 0]]), [2, 2, -1])
    >>> out["event_time"].tolist(), out["att"].tolist()
    ([-2, -1, 0, 1], [0.0, 0.0, 1.0, 1.0])
    """
    Y = np.asarray(Y, dtype=float)
    n, T = Y.shape
    cohort = np.asarray(cohort, dtype=np.int64)
    treated_g = np.unique(cohort[cohort >= 0])
    usable = treated_g[(treated_g - 1 >= first_valid) & (treated_g < T)]
    dropped = [int(g) for g in treated_g if g not in usable]
    ever = np.where(cohort >= 0, cohort, np.iinfo(np.int64).max)
    times = np.arange(first_valid, T)
    e_min, e_max = (first_valid - int(usable.max()), T - 1 - int(usable.min())) if usable.size else (0, -1)
    events = np.arange(e_min, e_max + 1)
    num = np.zeros(events.size)
    den = np.zeros(events.size)
    psi_num = np.zeros((n, events.size))
    with_pairs = pair_a is not None and len(pair_a) > 0
    if with_pairs:
        pair_a, pair_b = np.asarray(pair_a, dtype=np.int64), np.asarray(pair_b, dtype=np.int64)
        windows = np.asarray(pair_windows)
        # A unit's coefficient in ATT(g, t) depends only on its first month f: the cohort's (f = g), the
        # comparison's (f > max(t, g)), else 0. Sorted by that end's first month, each end's pairs hold both as
        # runs: the cohort's, and every pair from the first later month on. z is summed there only: a zero
        # coefficient adds 0 (never -0, as the sums start at +0), so the terms skipped changed nothing. Month by
        # month over the pairs (rows of contiguous arrays, 0/1 as int8): the same products and sums, in the same
        # order, as pair by pair.
        ends = []
        for unit in (pair_a, pair_b):
            order = np.argsort(ever[unit], kind="stable")
            ends.append((order, ever[unit][order], np.ascontiguousarray(windows[order].T, dtype=np.int8),
                         np.zeros((events.size, pair_a.size))))
    for g in usable:
        diff = Y[:, times] - Y[:, g - 1:g]
        members = cohort == g
        size = members.sum()
        t_mean = diff[members].mean(axis=0)
        control = ever[:, None] > np.maximum(times, g)[None, :]  # (n, len(times))
        n_c = control.sum(axis=0)
        ok = n_c > 0
        with np.errstate(invalid="ignore", divide="ignore"):
            c_mean = (diff * control).sum(axis=0) / n_c
            # Centring on a group's own mean removes 1/size of its variance: scale by size/(size-1); a
            # one-person cohort is centred on the comparison mean instead (conservative).
            own = (diff - t_mean) * np.sqrt(size / (size - 1)) if size > 1 else diff - c_mean
            c_scale = np.sqrt(np.where(n_c > 1, n_c / np.maximum(n_c - 1, 1), 1.0))
            psi = np.where(members[:, None], own / size, 0.0) \
                - np.where(control, c_scale * (diff - c_mean) / np.where(n_c > 0, n_c, 1), 0.0)
        att = t_mean - c_mean
        cols = (times - g - e_min)[ok]
        num[cols] += size * att[ok]
        den[cols] += size
        psi_num[:, cols] += size * psi[:, ok]
        if with_pairs:
            # Each unit's coefficient on its own change in ATT(g, t) (1 / size in the cohort, -1 / n_c in the
            # comparison, times size), times the pair's tie change.
            member, control_coef = size * (1.0 / size), size * -(1.0 / np.where(n_c > 0, n_c, 1))
            for _, first, pw, z in ends:
                lo, hi = np.searchsorted(first, [g, g + 1])
                for t, col, c_coef in zip(times[ok], cols, control_coef[ok]):
                    z[col, lo:hi] += member * (pw[t, lo:hi] - pw[g - 1, lo:hi])
                    start = np.searchsorted(first, max(t, g), side="right")
                    z[col, start:] += c_coef * (pw[t, start:] - pw[g - 1, start:])
    with np.errstate(invalid="ignore", divide="ignore"):
        att = np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
        psi = np.where(den > 0, psi_num / np.where(den > 0, den, 1), 0.0)
        scale = np.where(den > 0, 1.0 / np.where(den > 0, den, 1), 0.0)
    if with_pairs:
        # Back in the pairs' order, scaled, as (pairs, events) views of (events, pairs) arrays: no transposed copy.
        # One end at a time, scaled in place and let go once copied: at large each array is 130 MB.
        z_ends = []
        while ends:
            order, _, _, z = ends.pop(0)
            z *= scale[:, None]
            z_ends.append(_unsorted(order, z).T)
            del z
        V = dyadic_covariance(psi, pair_a, pair_b, *z_ends)
    else:
        V = dyadic_covariance(psi)
    return {"event_time": events, "att": att, "psi": psi, "V": V, "cohorts": [int(g) for g in usable],
            "dropped_cohorts": dropped, "cohort_size": [int((cohort == g).sum()) for g in usable]}


def _unsorted(order, z):
    """The columns of ``z`` (in the order ``order``) put back in the original order."""
    out = np.empty_like(z)
    out[:, order] = z
    return out


def pre_trend_test(att, V, event_time, *, first=-9, last=-2, clusters=None):
    """Joint Wald test that the pre-period event-time effects ``first..last`` are all zero.

    ``W = theta' V^+ theta`` over the finite coefficients in the range, with
    ``k = rank(V)`` degrees of freedom. Without ``clusters`` it is referred to
    a chi-squared(k). With ``clusters = G`` (the attendees behind the
    estimates), ``V`` is itself estimated from ``G`` units and the statistic
    is referred, as Hotelling's T-squared is, to ``F(k, G - k)`` after
    scaling by ``(G - k) / (k (G - 1))``: the chi-squared reference rejected
    24% of the time at the 10% level in ``bench/impact_scenarios.py``
    scenario (c).

    Returns
    -------
    dict
        ``p_value`` (NaN when nothing can be tested), ``statistic``, ``df``, ``event_times``.

    Examples
    --------
    >>> out = pre_trend_test(np.array([3.0, 3.0, 0.0]), np.eye(3), np.array([-3, -2, -1]), first=-3)
    >>> out["df"], round(out["statistic"], 6), round(out["p_value"], 6)
    (2, 18.0, 0.000123)
    """
    event_time = np.asarray(event_time)
    att = np.asarray(att, dtype=float)
    cols = np.flatnonzero((event_time >= first) & (event_time <= last) & np.isfinite(att))
    if cols.size == 0:
        return {"p_value": float("nan"), "statistic": float("nan"), "df": 0, "event_times": []}
    theta = att[cols]
    sub = np.asarray(V)[np.ix_(cols, cols)]
    df = int(np.linalg.matrix_rank(sub))
    if df == 0:
        return {"p_value": float("nan"), "statistic": float("nan"), "df": 0, "event_times": []}
    stat = float(theta @ np.linalg.pinv(sub) @ theta)
    if clusters is not None and clusters > df + 1:
        p = float(stats.f.sf(stat * (clusters - df) / (df * (clusters - 1)), df, clusters - df))
    else:
        p = float(stats.chi2.sf(stat, df))
    return {"p_value": p, "statistic": stat, "df": df,
            "event_times": [int(e) for e in event_time[cols]]}


def did_dyadic(before, after, treated, pair_a=(), pair_b=(), pair_change=(), *, level=0.95):
    """Difference-in-differences of mean change with a dyadic-robust interval.

    Parameters
    ----------
    before, after : array-like of float
        Each unit's outcome in the two windows.
    treated : array-like of bool
    pair_a, pair_b, pair_change : array-like
        Pairs of units (indices) tied in either window and the change of
        their tie (after minus before: -1, 0 or 1).

    Returns
    -------
    dict
        ``estimate``, ``ci_low``, ``ci_high``, ``se``. The variance is never
        taken below the independent-units one, ``psi' psi``.

    Examples
    --------
    >>> out = did_dyadic([1, 1, 1, 1], [3, 4, 1, 2], [True, True, False, False])
    >>> out["estimate"], out["se"]
    (2.0, 0.5)

    A new tie between the two attendees adds ``2 * (1/2) * (1/2) * 1 = 0.5`` to the variance:

    >>> round(did_dyadic([1, 1, 1, 1], [3, 4, 1, 2], [True, True, False, False], [0], [1], [1])["se"] ** 2, 6)
    0.75
    """
    change = np.asarray(after, dtype=float) - np.asarray(before, dtype=float)
    treated = np.asarray(treated, dtype=bool)
    t, c = change[treated], change[~treated]
    estimate = float(t.mean() - c.mean())
    psi = np.where(treated, (change - t.mean()) / t.size, -(change - c.mean()) / c.size)
    coef = np.where(treated, 1.0 / t.size, -1.0 / c.size)
    pa, pb = np.asarray(pair_a, dtype=np.int64), np.asarray(pair_b, dtype=np.int64)
    d = np.asarray(pair_change, dtype=float)
    # Never narrower than treating units as independent: with few units the shared-tie terms of
    # attendee/non-attendee pairs (negative) can outweigh the centred sum of squares.
    var = max(float(dyadic_covariance(psi, pa, pb, coef[pa] * d, coef[pb] * d)[0, 0]), float(psi @ psi))
    low, high = normal_interval(estimate, var, level=level)
    return {"estimate": estimate, "ci_low": low, "ci_high": high, "se": float(np.sqrt(max(var, 0.0)))}
