"""COP impact's faster computations give what the plain formulas give (issue 14 item 3).

Each test computes a number the direct way, one replicate, pair or table at a time, and checks the
library's batched computation against it.
"""

import numpy as np
import pandas as pd
import pytest

from netdash.change.impact import impact_design
from netdash.change.impact.estimators import percentile_interval
from netdash.change.impact.matching import matched_did
from netdash.change.impact.panel import tie_panel
from netdash.change.impact.staggered import (dyadic_covariance, event_study, neighbour_counts, rolling_windows,
                                             window_outcomes)
from netdash.networks import graphs
from netdash.periods import Period


def _matched_replicates_one_at_a_time(change, logit, treated, width, bootstrap, seed):
    """The bootstrap of matched_did as first written: draw, sort stably, match, one replicate at a time."""
    rng = np.random.default_rng(seed)
    t_change, t_logit = change[treated], logit[treated]
    c_change, c_logit = change[~treated], logit[~treated]
    reps = np.full(bootstrap, np.nan)
    for b in range(bootstrap):
        ti = rng.integers(0, t_change.size, t_change.size)
        ci = rng.integers(0, c_change.size, c_change.size)
        order = ci[np.argsort(c_logit[ci], kind="stable")]
        ordered = c_logit[order]
        x = t_logit[ti]
        pos = np.searchsorted(ordered, x)
        left, right = np.clip(pos - 1, 0, ordered.size - 1), np.clip(pos, 0, ordered.size - 1)
        d_left, d_right = np.abs(x - ordered[left]), np.abs(ordered[right] - x)
        best = np.where(d_left <= d_right, left, right)
        hit = np.minimum(d_left, d_right) <= width + 1e-12
        if hit.any():
            reps[b] = (t_change[ti][hit] - c_change[order[best[hit]]]).mean()
    return reps


@pytest.mark.parametrize("seed", range(8))
def test_matched_bootstrap_is_the_one_replicate_at_a_time_bootstrap(seed):
    rng = np.random.default_rng(100 + seed)
    # The last two: more than 255 non-attendees, whose ranks need 16 bits.
    n = int(rng.integers(8, 60)) if seed < 6 else int(rng.integers(450, 700))
    treated = rng.random(n) < 0.4
    treated[:2] = [True, False]
    # Rounded logits: equal logits among different non-attendees, whose order is the draw order.
    logit = np.round(rng.normal(size=n), int(seed % 3))
    change = rng.normal(size=n) if seed % 2 else rng.integers(-3, 4, n).astype(float)
    width = [0.0, 0.05, 0.3, 5.0, 0.2, 0.01, 0.2, 0.02][seed]
    bootstrap = 300  # more than one block of 256 replicates
    out = matched_did(change, logit, treated, width=width, bootstrap=bootstrap, seed=seed)
    reps = _matched_replicates_one_at_a_time(change, logit, treated, width, bootstrap, seed)
    expected = percentile_interval(reps)
    if np.isfinite(reps).any():
        assert (out["ci_low"], out["ci_high"]) == expected
    else:
        assert np.isnan(out["ci_low"]) and np.isnan(out["ci_high"]) and np.isnan(expected).all()


def _staggered_panel(rng, n, T, cohorts, first_cohorts, p_window, y_max):
    """A random panel for event_study: outcomes, cohorts (drawn from ``cohorts``, the first units' given), and 30% of
    the pairs with 0/1 windows (each 1 with probability ``p_window``)."""
    cohort = rng.choice(cohorts, size=n)
    cohort[:len(first_cohorts)] = first_cohorts
    pair_a, pair_b = np.triu_indices(n, 1)
    keep = rng.random(pair_a.size) < 0.3
    pair_a, pair_b = pair_a[keep], pair_b[keep]
    windows = (rng.random((pair_a.size, T)) < p_window).astype(float)
    return rng.integers(0, y_max, (n, T)).astype(float), cohort, pair_a, pair_b, windows


def _pair_terms_pair_by_pair(Y, cohort, first_valid, pair_a, pair_b, pair_windows):
    """``sum_pairs (z_a' z_b + z_b' z_a)`` of event_study, from each unit's coefficient in each ATT(g, t)."""
    n, T = Y.shape
    ever = np.where(cohort >= 0, cohort, np.iinfo(np.int64).max)
    cohorts = [g for g in np.unique(cohort[cohort >= 0]) if g - 1 >= first_valid and g < T]
    e_min, e_max = first_valid - max(cohorts), T - 1 - min(cohorts)
    E = e_max - e_min + 1
    za, zb, den = np.zeros((len(pair_a), E)), np.zeros((len(pair_a), E)), np.zeros(E)

    def coefficient(i, g, t, size, n_c):
        if ever[i] == g:
            return size * (1.0 / size)
        return size * -(1.0 / n_c) if ever[i] > max(t, g) else 0.0

    for g in cohorts:
        size = int((cohort == g).sum())
        for t in range(first_valid, T):
            n_c = int((ever > max(t, g)).sum())
            if n_c == 0:
                continue
            e = t - g - e_min
            den[e] += size
            for p, (a, b) in enumerate(zip(pair_a, pair_b)):
                delta = pair_windows[p, t] - pair_windows[p, g - 1]
                za[p, e] += coefficient(a, g, t, size, n_c) * delta
                zb[p, e] += coefficient(b, g, t, size, n_c) * delta
    scale = np.where(den > 0, 1 / np.where(den > 0, den, 1), 0.0)
    za, zb = za * scale, zb * scale
    return za.T @ zb + zb.T @ za


@pytest.mark.parametrize("seed", range(4))
def test_event_study_shared_tie_terms_are_the_pair_by_pair_sum(seed):
    rng = np.random.default_rng(seed)
    Y, cohort, pair_a, pair_b, windows = _staggered_panel(rng, 14, 9, [-1, -1, 0, 2, 3, 3, 5, 7], [3, -1], 0.4, 5)
    with_pairs = event_study(Y, cohort, first_valid=1, pair_a=pair_a, pair_b=pair_b, pair_windows=windows)
    without = event_study(Y, cohort, first_valid=1)
    expected = _pair_terms_pair_by_pair(Y, cohort, 1, pair_a, pair_b, windows)
    np.testing.assert_allclose(with_pairs["V"] - without["V"], expected, rtol=1e-12, atol=1e-15)
    assert np.abs(expected).max() > 0  # the pairs' terms are there to be checked


def _pair_terms_by_table_lookup(Y, cohort, first_valid, pair_a, pair_b, pair_windows):
    """``V`` of event_study as written in session 13: each month, every pair's coefficient from a table of first
    months, for all pairs (zeros included), then transposed copies of ``za`` and ``zb``."""
    n, T = Y.shape
    ever = np.where(cohort >= 0, cohort, np.iinfo(np.int64).max)
    usable = [g for g in np.unique(cohort[cohort >= 0]) if g - 1 >= first_valid and g < T]
    times = np.arange(first_valid, T)
    e_min = first_valid - max(usable)
    E = T - 1 - min(usable) - e_min + 1
    pw = np.ascontiguousarray(np.asarray(pair_windows, dtype=float).T)
    first_months, of_unit = np.unique(ever, return_inverse=True)
    class_a, class_b = of_unit.ravel()[pair_a], of_unit.ravel()[pair_b]
    za, zb, den = np.zeros((E, len(pair_a))), np.zeros((E, len(pair_a))), np.zeros(E)
    for g in usable:
        size = (cohort == g).sum()
        n_c = (ever[:, None] > np.maximum(times, g)[None, :]).sum(axis=0)
        ok = n_c > 0
        cols = (times - g - e_min)[ok]
        den[cols] += size
        member, control_coef = size * (1.0 / size), size * -(1.0 / np.where(n_c > 0, n_c, 1))
        for t, col, c_coef in zip(times[ok], cols, control_coef[ok]):
            delta = pw[t] - pw[g - 1]
            table = np.where(first_months == g, member, np.where(first_months > max(t, g), c_coef, 0.0))
            za[col] += table[class_a] * delta
            zb[col] += table[class_b] * delta
    scale = np.where(den > 0, 1.0 / np.where(den > 0, den, 1), 0.0)
    return np.ascontiguousarray(za.T) * scale, np.ascontiguousarray(zb.T) * scale


@pytest.mark.parametrize("seed", range(6))
def test_event_study_variance_is_the_table_lookups_to_the_last_bit(seed):
    """The runs of pairs by first month skip only zero coefficients: the same V, to rounding.

    Bit for bit only where OpenBLAS picks the same matrix kernel for both shapes: on an AMD EPYC with AVX-512
    (7 Dec 2026) its SkylakeX kernels differ from the table lookups' product by up to 2.5e-16 of the largest cell,
    and by nothing with ``OPENBLAS_CORETYPE=Haswell``. A dropped or doubled pair term moves V by far more."""
    rng = np.random.default_rng(50 + seed)
    T = int(rng.integers(6, 14))
    Y, cohort, pair_a, pair_b, windows = _staggered_panel(rng, int(rng.integers(20, 80)), T,
                                                          [-1, -1, -1, 1, 2, 3, 3, 5, T - 2], [3, -1, 5], 0.3, 6)
    out = event_study(Y, cohort, first_valid=1, pair_a=pair_a, pair_b=pair_b, pair_windows=windows)
    za, zb = _pair_terms_by_table_lookup(Y, cohort, 1, pair_a, pair_b, windows)
    expected = dyadic_covariance(out["psi"], pair_a, pair_b, za, zb)
    tolerance = 4 * np.finfo(float).eps * np.abs(expected).max()
    np.testing.assert_allclose(out["V"], expected, rtol=0, atol=tolerance)
    # The same with the windows as 0/1 integers (as panel_estimates gives them).
    again = event_study(Y, cohort, first_valid=1, pair_a=pair_a, pair_b=pair_b, pair_windows=windows.astype(np.int8))
    np.testing.assert_allclose(again["V"], expected, rtol=0, atol=tolerance)


@pytest.mark.parametrize("seed", range(4))
def test_window_outcomes_are_the_distinct_colleagues_of_each_window_rows(seed):
    """Repeated ties, either order and self-ties, counted window by window on the rows (a sparse adjacency each)."""
    rng = np.random.default_rng(seed)
    n, T, window = 30, 10, [1, 2, 3, 4][seed]
    a, b = rng.integers(0, n, 400), rng.integers(0, n, 400)
    month = rng.integers(0, T, 400)
    units = np.sort(rng.choice(n, 20, replace=False))
    Y = window_outcomes(a, b, month, n, T, units, window=window)
    for t in range(T):
        inside = (month <= t) & (month > t - window)
        assert Y[:, t].tolist() == neighbour_counts(a[inside], b[inside], n, units).tolist()
    pair_a, pair_b, in_window = rolling_windows(a, b, month, n, T, window=window)
    assert (pair_a < pair_b).all() and np.array_equal(np.unique(pair_a * n + pair_b), pair_a * n + pair_b)
    for p in rng.choice(pair_a.size, 10, replace=False):
        tied = np.zeros(T, dtype=np.int8)
        tied[month[(np.minimum(a, b) == pair_a[p]) & (np.maximum(a, b) == pair_b[p])]] = 1
        assert in_window[:, p].tolist() == [tied[max(t - window + 1, 0):t + 1].max() for t in range(T)]


@pytest.mark.parametrize("ties", ["working", "direct", "coworking"])
def test_tie_panel_holds_the_cross_agency_pairs_of_practitioner_edges(demo_source, ties):
    from netdash.ingest import load_dataset

    ds = load_dataset(demo_source, secret=b"test")[0]
    design = impact_design(ds, ties=ties)
    panel = tie_panel(ds, design)
    code = pd.Index(ds.practitioners["practitioner_id"].astype(object))
    agency = dict(zip(ds.practitioners["practitioner_id"], ds.practitioners["agency_id"]))

    def cross_pairs(period):
        edges = graphs.practitioner_edges(ds, period, ties=ties, window_days=design.window_days)
        other = edges["source"].map(agency).ne(edges["target"].map(agency))
        a, b = code.get_indexer(edges["source"][other]), code.get_indexer(edges["target"][other])
        return sorted(zip(np.minimum(a, b).tolist(), np.maximum(a, b).tolist()))

    assert sorted(zip(panel.before_a.tolist(), panel.before_b.tolist())) == cross_pairs(design.before)
    assert sorted(zip(panel.after_a.tolist(), panel.after_b.tolist())) == cross_pairs(design.after)
    first = pd.Timestamp(ds.date_range[0].year, ds.date_range[0].month, 1)
    for t in (0, 5, len(panel.months) - 1):
        start = first + pd.DateOffset(months=t)
        month = panel.tie_month == t
        assert sorted(zip(panel.tie_a[month].tolist(), panel.tie_b[month].tolist())) == \
            cross_pairs(Period(start, start + pd.DateOffset(months=1)))
    assert sorted(zip(*(x.tolist() for x in panel.window_ties(2, 4)))) == \
        cross_pairs(Period(first + pd.DateOffset(months=2), first + pd.DateOffset(months=5)))
    assert len(panel.before_a) > 0 and len(panel.after_a) > 0



@pytest.mark.parametrize("seed", range(6))
def test_bootstrap_replicates_in_blocks_are_those_drawn_at_once(seed):
    """did_estimate and dose_response draw their replicates a block at a time: the same intervals, bit for bit."""
    from netdash.change.impact import estimators

    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 400))
    change, treated = rng.normal(size=n).round(1), rng.random(n) < 0.3
    sessions = rng.integers(1, 9, n).astype(float)
    bootstrap = 3 * estimators.REPLICATE_BLOCK + int(rng.integers(1, estimators.REPLICATE_BLOCK))  # a part block

    def means(values, draw):  # as written before session 15: every replicate in one array
        return values[draw.integers(0, len(values), size=(bootstrap, len(values)))].mean(axis=1)

    draw = np.random.default_rng(seed)
    expected = percentile_interval(means(change[treated], draw) - means(change[~treated], draw))
    out = estimators.did_estimate(change, treated, bootstrap=bootstrap, seed=seed)
    assert (out["ci_low"], out["ci_high"]) == expected

    idx = np.random.default_rng(seed + 10).integers(0, n, size=(bootstrap, n))
    dose = estimators.dose_response(sessions, change, bootstrap=bootstrap, seed=seed + 10)
    assert (dose["ci_low"], dose["ci_high"]) == percentile_interval(estimators._slope(sessions[idx], change[idx]))
