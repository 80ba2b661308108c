"""Difference-in-differences and dose-response with bootstrap intervals.

With one change score per practitioner (after minus before), the
two-group, two-period difference-in-differences is the difference of the
groups' mean changes (Angrist & Pischke 2009, *Mostly Harmless
Econometrics*, ch. 5; Card & Krueger 1994). Intervals are percentile
bootstrap intervals (Efron & Tibshirani 1993, ch. 13) from resampling
practitioners with replacement within each group separately, so every
replicate keeps the observed group sizes.
"""

import numpy as np

__all__ = ["DASHBOARD_BOOTSTRAP", "percentile_interval", "did_estimate", "dose_response", "dose_response_line"]

#: Bootstrap replicates of the COP impact page's default and of the report: the same number (and seed 0),
#: so the report prints the page's intervals. ``netdash evaluate`` defaults to 2000.
DASHBOARD_BOOTSTRAP = 1000


def percentile_interval(replicates, *, level=0.95):
    """Percentile interval of bootstrap ``replicates`` (NaN replicates dropped).

    Returns ``(nan, nan)`` when no replicate is finite.

    Examples
    --------
    >>> [round(x, 9) for x in percentile_interval(np.arange(101.0))]
    [2.5, 97.5]
    """
    values = np.asarray(replicates, dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return float("nan"), float("nan")
    alpha = (1 - level) / 2
    low, high = np.quantile(values, [alpha, 1 - alpha])
    return float(low), float(high)


#: Bootstrap replicates drawn and reduced at once. All 1,000 of the large demo's 18,000 non-attendees at once held
#: 144 MB of indices and 144 MB of drawn values (docs/benchmarks.md, "Session 15"); a block holds an eighth of that.
REPLICATE_BLOCK = 128


def resample_blocks(rng, n, bootstrap, block=REPLICATE_BLOCK):
    """Index arrays of ``bootstrap`` resamples of ``range(n)``, at most ``block`` rows each.

    The rows are those of ``rng.integers(0, n, size=(bootstrap, n))`` in the
    same order: the generator fills an array element by element, so
    consecutive calls continue one stream.

    Examples
    --------
    >>> rows = [b for b in resample_blocks(np.random.default_rng(1), 5, 3, block=2)]
    >>> [b.shape for b in rows]
    [(2, 5), (1, 5)]
    >>> bool((np.vstack(rows) == np.random.default_rng(1).integers(0, 5, size=(3, 5))).all())
    True
    """
    for first in range(0, bootstrap, block):
        yield rng.integers(0, n, size=(min(block, bootstrap - first), n))


def _resampled_means(values, n_boot, rng):
    return np.concatenate([values[idx].mean(axis=1) for idx in resample_blocks(rng, len(values), n_boot)])


def did_estimate(change, treated, *, bootstrap=2000, seed=0, level=0.95):
    """Difference-in-differences of mean change, treated minus control.

    Parameters
    ----------
    change : array-like of float
        After minus before, one value per practitioner.
    treated : array-like of bool
    bootstrap : int, default 2000
        Replicates; 0 skips the interval.
    seed : int, default 0
    level : float, default 0.95

    Returns
    -------
    dict
        ``estimate``, ``ci_low``, ``ci_high``, ``treated_mean_change``,
        ``control_mean_change``, ``n_treated``, ``n_control``.

    Examples
    --------
    >>> out = did_estimate([3, 3, 3, 1, 1, 1], [True] * 3 + [False] * 3, bootstrap=50)
    >>> out["estimate"], out["ci_low"], out["ci_high"]
    (2.0, 2.0, 2.0)
    """
    change = np.asarray(change, dtype=float)
    treated = np.asarray(treated, dtype=bool)
    t, c = change[treated], change[~treated]
    estimate = float(t.mean() - c.mean())
    low = high = float("nan")
    if bootstrap:
        rng = np.random.default_rng(seed)
        reps = _resampled_means(t, bootstrap, rng) - _resampled_means(c, bootstrap, rng)
        low, high = percentile_interval(reps, level=level)
    return {"estimate": estimate, "ci_low": low, "ci_high": high,
            "treated_mean_change": float(t.mean()), "control_mean_change": float(c.mean()),
            "n_treated": int(t.size), "n_control": int(c.size)}


def _slope(x, y):
    xc = x - x.mean(axis=-1, keepdims=True)
    yc = y - y.mean(axis=-1, keepdims=True)
    sxx = (xc * xc).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(sxx > 0, (xc * yc).sum(axis=-1) / np.where(sxx > 0, sxx, 1), np.nan)


def dose_response(sessions, change, *, bootstrap=2000, seed=0, level=0.95):
    """Least-squares slope of change on number of sessions attended.

    Fitted among attendees only (the intensive margin: does attending more
    sessions go with a larger gain?), so it does not mix the choice to attend
    at all with the dose. Bootstrap replicates resample attendees; a
    replicate with every attendee at the same dose has no slope and is
    dropped.

    Returns
    -------
    dict
        ``slope``, ``ci_low``, ``ci_high``, ``n``; ``slope`` is NaN when
        fewer than 3 attendees or everyone attended the same number of
        sessions.

    Examples
    --------
    >>> dose_response([1, 2, 3, 4], [0.5, 1.0, 1.5, 2.0], bootstrap=0)["slope"]
    0.5
    """
    x = np.asarray(sessions, dtype=float)
    y = np.asarray(change, dtype=float)
    n = int(x.size)
    nan = float("nan")
    if n < 3 or np.ptp(x) == 0:
        return {"slope": nan, "ci_low": nan, "ci_high": nan, "n": n}
    slope = float(_slope(x, y))
    low = high = nan
    if bootstrap:
        rng = np.random.default_rng(seed)
        slopes = np.concatenate([_slope(x[idx], y[idx]) for idx in resample_blocks(rng, n, bootstrap)])
        low, high = percentile_interval(slopes, level=level)
    return {"slope": slope, "ci_low": low, "ci_high": high, "n": n}


def dose_response_line(sessions, change, *, slope, ci_low=float("nan"), ci_high=float("nan")):
    """Points on the fitted dose-response line, and on lines with the interval's slopes, for a chart.

    All three lines pass through the attendees' mean (sessions, change), as
    a least-squares line does; the outer two use the ends of the slope's
    interval, so the fan shows how uncertain the slope is (it is not a band
    for the mean change at each dose).

    Parameters
    ----------
    sessions, change : array-like of float
        Attendees' sessions attended and change, as given to :func:`dose_response`.
    slope, ci_low, ci_high : float
        From :func:`dose_response`.

    Returns
    -------
    DataFrame
        ``sessions`` (every whole number from the fewest to the most
        attended), ``fitted``, ``fitted_low``, ``fitted_high`` (NaN when the
        interval end is NaN). Empty when there are no attendees or the slope
        is NaN.

    Examples
    --------
    >>> dose_response_line([1, 3], [2.0, 4.0], slope=1.0, ci_low=0.0, ci_high=2.0).values.tolist()
    [[1.0, 2.0, 3.0, 1.0], [2.0, 3.0, 3.0, 3.0], [3.0, 4.0, 3.0, 5.0]]
    """
    import pandas as pd

    x = np.asarray(sessions, dtype=float)
    y = np.asarray(change, dtype=float)
    columns = ["sessions", "fitted", "fitted_low", "fitted_high"]
    if x.size == 0 or not np.isfinite(slope):
        return pd.DataFrame(columns=columns)
    grid = np.arange(np.floor(x.min()), np.ceil(x.max()) + 1)
    mx, my = x.mean(), y.mean()
    return pd.DataFrame({"sessions": grid, "fitted": my + slope * (grid - mx),
                         "fitted_low": my + ci_low * (grid - mx), "fitted_high": my + ci_high * (grid - mx)},
                        columns=columns)
