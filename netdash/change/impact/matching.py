"""Propensity-score matching of COP attendees to similar non-attendees.

The propensity score is the probability of attending given baseline
covariates (Rosenbaum & Rubin 1983, "The central role of the propensity score
in observational studies for causal effects", *Biometrika* 70: 41-55). Each
attendee is matched 1:1, with replacement, to the non-attendee nearest on the
logit of the score, within a caliper of ``caliper`` standard deviations of
the logit (0.2 is Austin 2011's recommendation, *Pharmaceutical Statistics*
10: 150-161). Balance is judged by standardised mean differences (Austin
2009, *Statistics in Medicine* 28: 3083-3107); ``|SMD| < 0.1`` is the usual
threshold.
"""

import numpy as np
import pandas as pd

from netdash.metrics.backends import import_module
from netdash.change.impact.estimators import percentile_interval

__all__ = [
    "baseline_covariates",
    "propensity_logit",
    "caliper_width",
    "nearest_matches",
    "balance_table",
    "matched_did",
]


def baseline_covariates(table, *, propensity_logit=None):
    """Covariates of the propensity model, measured in the before window.

    Parameters
    ----------
    table : DataFrame
        Per-practitioner frame with ``agency_id``, ``role``,
        ``baseline_degree``, ``before`` (baseline cross-agency ties) and
        ``caseload`` (distinct clients in the before window).
    propensity_logit : array-like, optional
        Added as a last column ``propensity_logit`` (the balance table's).

    Returns
    -------
    DataFrame
        One-hot ``agency=<id>`` and ``role=<role>`` columns (a missing role
        is ``role=unknown``; every level kept, since the model is penalised)
        then ``baseline_degree``, ``baseline_cross_agency_ties``,
        ``caseload``, all float. The values are one block of floats, each
        column contiguous, so ``numpy.asarray`` of the frame is a view, not a
        copy (at large 17,038 x 1,226 floats, 167 MB); they are the numbers,
        in the layout, of ``pandas.get_dummies`` of each one-hot column
        concatenated with the counts.
    """
    # Categorical's levels and codes are what pandas.get_dummies makes its columns from (sorted levels).
    agency = pd.Categorical(table["agency_id"].astype(str))
    role = pd.Categorical(table["role"].astype(object).where(table["role"].notna(), "unknown").astype(str))
    counts = {"baseline_degree": "baseline_degree", "baseline_cross_agency_ties": "before", "caseload": "caseload"}
    names = ([f"agency={level}" for level in agency.categories] + [f"role={level}" for level in role.categories]
             + list(counts) + ([] if propensity_logit is None else ["propensity_logit"]))
    n = len(table)
    # (columns, rows) in C order: its transpose, the (rows, columns) values, has contiguous columns, as
    # np.asarray of get_dummies and the counts concatenated had.
    block = np.zeros((len(names), n))
    rows = np.arange(n)
    for offset, codes in ((0, agency.codes), (len(agency.categories), role.codes)):
        codes = codes.astype(np.intp)  # Categorical's codes may be int8: offset + code must not wrap
        found = codes >= 0
        block[offset + codes[found], rows[found]] = 1.0
    at = len(agency.categories) + len(role.categories)
    for k, column in enumerate(counts.values()):
        block[at + k] = table[column].to_numpy(dtype=float)
    if propensity_logit is not None:
        block[-1] = np.asarray(propensity_logit, dtype=float)
    return pd.DataFrame(block.T, index=table.index, columns=pd.Index(names), copy=False)


def propensity_logit(X, treated):
    """Logit of the estimated propensity to attend.

    scikit-learn's ``LogisticRegression`` with its default L2 penalty
    (``C=1``) on standardised covariates: the penalty keeps the fit finite
    when a covariate separates attendees from non-attendees perfectly, which
    is common with small groups.

    Returns
    -------
    ndarray
        ``log(p / (1 - p))`` per row of ``X``.
    """
    values = np.asarray(X, dtype=float)
    sd = values.std(axis=0)
    keep = sd > 0
    if not keep.any():
        return np.zeros(len(values))
    # (values[:, keep] - its mean) / sd, in place in one copy: the same numbers in the same layout. Then the
    # covariates are let go, so that a caller who passes them without keeping them (impact_estimates: at large
    # 17,038 x 1,207 floats, 164 MB) does not hold them while scikit-learn makes its own copy.
    z = values[:, keep]
    z -= z.mean(axis=0)
    z /= sd[keep]
    del X, values
    # Imported here, on first use (docs/benchmarks.md, "Deferred imports"), and not while another thread holds
    # scikit-learn back.
    LogisticRegression = import_module("sklearn.linear_model").LogisticRegression

    model = LogisticRegression(max_iter=1000)
    model.fit(z, np.asarray(treated, dtype=int))
    return model.decision_function(z)


def caliper_width(logit, treated, *, caliper=0.2):
    """``caliper`` × pooled SD of the logit, ``sqrt((s_t^2 + s_c^2) / 2)`` (Austin 2011).

    Examples
    --------
    >>> caliper_width(np.array([0.0, 2.0, 0.0, 2.0]), np.array([True, True, False, False]), caliper=0.5)
    0.5
    """
    logit = np.asarray(logit, dtype=float)
    treated = np.asarray(treated, dtype=bool)
    pooled = np.sqrt((logit[treated].var() + logit[~treated].var()) / 2)
    return float(caliper * pooled)


def _match_sorted(t_logit, c_logit_sorted, width):
    """Position in ``c_logit_sorted`` of each treated unit's nearest control, -1 if none within ``width``."""
    pos = np.searchsorted(c_logit_sorted, t_logit)
    left = np.clip(pos - 1, 0, len(c_logit_sorted) - 1)
    right = np.clip(pos, 0, len(c_logit_sorted) - 1)
    d_left = np.abs(t_logit - c_logit_sorted[left])
    d_right = np.abs(c_logit_sorted[right] - t_logit)
    # Ties between the two sides go to the lower logit (left), reproducibly.
    best = np.where(d_left <= d_right, left, right)
    dist = np.minimum(d_left, d_right)
    return np.where(dist <= width + 1e-12, best, -1)


def nearest_matches(logit, treated, *, width):
    """1:1 nearest-neighbour matching on the logit, with replacement, within a caliper.

    Parameters
    ----------
    logit : array-like of float
    treated : array-like of bool
    width : float
        Largest allowed distance on the logit scale.

    Returns
    -------
    ndarray of int
        For each treated row, in order, the row index (into ``logit``) of its
        matched control, or -1 when no control is within ``width``. Equal
        distances go to the control with the lower logit, then the earlier row.

    Examples
    --------
    >>> nearest_matches([0.0, 1.0, 5.0, 0.9, 3.0], [True, True, True, False, False], width=1.0)
    array([ 3,  3, -1])
    """
    logit = np.asarray(logit, dtype=float)
    treated = np.asarray(treated, dtype=bool)
    controls = np.flatnonzero(~treated)
    order = controls[np.argsort(logit[controls], kind="stable")]
    found = _match_sorted(logit[treated], logit[order], width)
    return np.where(found >= 0, order[np.maximum(found, 0)], -1)


def _matched_replicates(t_change, t_logit, c_change, c_logit, *, width, bootstrap, seed, block=256):
    """Bootstrap replicates of the matched estimate: resample each group, re-match on the fixed logits.

    Replicate ``b`` draws its attendees, then its non-attendees, from one
    ``default_rng(seed)`` stream, in replicate order, and matches as
    :func:`nearest_matches` does (:func:`_match_sorted` on the drawn
    non-attendees sorted stably by logit); NaN when nobody is matched.
    ``block`` replicates are matched at once, on integers: a non-attendee's
    logit is below ``x`` exactly when its rank among all non-attendees'
    logits is below ``x``'s insertion point among them, so the stable sort of
    the draws by rank is the stable sort by logit, and a cumulative count of
    the ranks drawn is :func:`numpy.searchsorted`'s position. The distances
    and the choice between the two neighbours are :func:`_match_sorted`'s.
    """
    rng = np.random.default_rng(seed)
    n_t, n_c = t_change.size, c_change.size
    everyone = np.sort(c_logit)
    c_rank, t_rank = np.searchsorted(everyone, c_logit), np.searchsorted(everyone, t_logit)
    rank = c_rank.astype(np.min_scalar_type(n_c))
    reps = np.full(bootstrap, np.nan)
    for first in range(0, bootstrap, block):
        size = min(block, bootstrap - first)
        ti, ci = np.empty((size, n_t), dtype=np.int64), np.empty((size, n_c), dtype=np.int64)
        for b in range(size):
            ti[b] = rng.integers(0, n_t, n_t)
            ci[b] = rng.integers(0, n_c, n_c)
        # The drawn non-attendees, stably by logit: by rank, as the smallest integers that hold it (a stable sort of
        # 8- or 16-bit integers is a radix sort).
        order = np.take_along_axis(ci, np.argsort(rank[ci], axis=1, kind="stable"), axis=1)
        row = np.arange(size)[:, None]
        below = np.bincount((row * (n_c + 1) + c_rank[ci]).ravel(), minlength=size * (n_c + 1))
        below = np.cumsum(below.reshape(size, n_c + 1), axis=1) - below.reshape(size, n_c + 1)
        pos = np.take_along_axis(below, t_rank[ti], axis=1)  # drawn logits below each attendee's
        left, right = np.clip(pos - 1, 0, n_c - 1), np.clip(pos, 0, n_c - 1)
        x = t_logit[ti]
        d_left = np.abs(x - c_logit[np.take_along_axis(order, left, axis=1)])
        d_right = np.abs(c_logit[np.take_along_axis(order, right, axis=1)] - x)
        # As _match_sorted: equal distances go to the lower logit (left).
        best = np.where(d_left <= d_right, left, right)
        hit = np.minimum(d_left, d_right) <= width + 1e-12
        diff = t_change[ti] - c_change[np.take_along_axis(order, best, axis=1)]
        for b in np.flatnonzero(hit.any(axis=1)):
            reps[first + b] = diff[b][hit[b]].mean()
    return reps


def _smd(t_mean, c_mean, sd):
    if sd > 0:
        return float((t_mean - c_mean) / sd)
    return 0.0 if np.isclose(t_mean, c_mean) else float("nan")


def balance_table(X, treated, matches):
    """Standardised mean differences before and after matching.

    The denominator of both columns is the pooled SD before matching,
    ``sqrt((s_t^2 + s_c^2) / 2)``, so the two columns are on the same scale;
    after matching, attendees without a match are left out and a control
    matched k times counts k times.

    Parameters
    ----------
    X : DataFrame
        Covariates (add the logit as a column to see its balance too).
    treated : array-like of bool
    matches : ndarray
        Output of :func:`nearest_matches`.

    Returns
    -------
    DataFrame
        ``covariate``, ``smd_before``, ``smd_after`` (NaN after when nobody
        was matched; 0 for a covariate constant in both groups).
    """
    values = np.asarray(X, dtype=float)
    treated = np.asarray(treated, dtype=bool)
    n_t, n_c = int(treated.sum()), int((~treated).sum())
    matched = matches >= 0
    rows = []
    for j, name in enumerate(X.columns):  # a column at a time: no copy of every attendee's and non-attendee's row
        column = values[:, j]
        t, c = column[treated], column[~treated]
        sd = np.sqrt((t.var(ddof=1) + c.var(ddof=1)) / 2) if min(n_t, n_c) > 1 else 0.0
        before = _smd(t.mean(), c.mean(), sd)
        after = _smd(t[matched].mean(), column[matches[matched]].mean(), sd) if matched.any() else float("nan")
        rows.append((name, before, after))
    return pd.DataFrame(rows, columns=["covariate", "smd_before", "smd_after"])


def matched_did(change, logit, treated, *, width, bootstrap=2000, seed=0, level=0.95):
    """Matched difference-in-differences: mean over matched attendees of their change minus their match's.

    This is the average effect on the treated (attendees) within the
    caliper. Bootstrap replicates resample attendees and non-attendees
    separately and re-match on the fixed logits with the same caliper
    width; the propensity model is not refitted. Abadie & Imbens (2008,
    *Econometrica* 76: 1537-1557) show the bootstrap is not exactly valid for
    nearest-neighbour matching, so read the interval as approximate (Austin &
    Small 2014, *Statistics in Medicine* 33: 4306-4319, found it close in
    simulations).

    Returns
    -------
    dict
        ``estimate``, ``ci_low``, ``ci_high``, ``n_matched``,
        ``n_unmatched`` (attendees with no control within the caliper),
        ``n_controls_used`` (distinct), ``caliper_width``, and ``matches``
        (ndarray, as :func:`nearest_matches`).
    """
    change = np.asarray(change, dtype=float)
    logit = np.asarray(logit, dtype=float)
    treated = np.asarray(treated, dtype=bool)
    matches = nearest_matches(logit, treated, width=width)
    ok = matches >= 0
    nan = float("nan")
    estimate = float((change[treated][ok] - change[matches[ok]]).mean()) if ok.any() else nan
    low = high = nan
    if bootstrap and ok.any():
        reps = _matched_replicates(change[treated], logit[treated], change[~treated], logit[~treated],
                                   width=width, bootstrap=bootstrap, seed=seed)
        low, high = percentile_interval(reps, level=level)
    return {"estimate": estimate, "ci_low": low, "ci_high": high,
            "n_matched": int(ok.sum()), "n_unmatched": int((~ok).sum()),
            "n_controls_used": int(np.unique(matches[ok]).size), "caliper_width": float(width),
            "matches": matches}
