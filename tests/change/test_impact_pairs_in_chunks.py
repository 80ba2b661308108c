"""COP impact's met-at-COP pairs read in chunks: the same estimates as all pairs at once (issue 19).

A regional COP has millions of attendee pairs from different agencies, too
many to hold in memory; :func:`netdash.change.impact.dyads.met_at_cop_chunks`
reads them in blocks. These tests force tiny blocks and compare every field
with the whole computation: integers and the estimate exactly, the interval's
ends (sums over pairs added block by block) to 1e-12.
"""

import numpy as np
import pytest

from netdash.change.impact import impact_design
from netdash.change.impact.dyads import met_at_cop, met_at_cop_chunks
from netdash.change.impact.panel import TiePanel, candidate_pair_count, panel_estimates, tie_panel

#: Fields whose value is a sum over every pair, added chunk by chunk: equal to 1e-12, not always to the last bit.
SUMMED = {"ci_low", "ci_high"}


def _differences(want, got, path=""):
    """Paths where ``got`` differs from ``want``: exactly, or beyond 1e-12 relative for :data:`SUMMED` fields."""
    if isinstance(want, dict):
        assert set(want) == set(got), path
        return [d for k in want for d in _differences(want[k], got[k], f"{path}.{k}")]
    if isinstance(want, (list, tuple, np.ndarray)):
        assert len(want) == len(got), path
        return [d for k, (w, g) in enumerate(zip(want, got)) for d in _differences(w, g, f"{path}[{k}]")]
    if isinstance(want, (float, np.floating)) and np.isnan(want):
        return [] if isinstance(got, (float, np.floating)) and np.isnan(got) else [path]
    if path.rsplit(".", 1)[-1] in SUMMED and isinstance(want, float):
        return [] if abs(want - got) <= 1e-12 * max(1.0, abs(want)) else [f"{path}: {want!r} != {got!r}"]
    return [] if want == got and type(want) is type(got) else [f"{path}: {want!r} != {got!r}"]


def _random_pairs(seed):
    rng = np.random.default_rng(seed)
    n_nodes, n_months = int(rng.integers(8, 60)), int(rng.integers(4, 14))
    agency = rng.integers(0, int(rng.integers(2, 8)), n_nodes)
    a, b = np.triu_indices(n_nodes, 1)
    cross = agency[a] != agency[b]
    a, b = a[cross], b[cross]

    def month_or_never(p_never):
        return np.where(rng.random(a.size) < p_never, -1, rng.integers(0, n_months, a.size))

    pairs = (a, b, month_or_never(rng.uniform(0.3, 0.9)), month_or_never(0.5), month_or_never(0.7))
    args = dict(agency=agency, rate_tercile=rng.integers(0, 3, n_nodes), n_months=n_months, n_attendees=n_nodes,
                horizon=int(rng.integers(1, 7)), min_comparison=int(rng.integers(1, 6)),
                min_follow_up=int(rng.integers(1, 4)))
    return rng, pairs, args


@pytest.mark.parametrize("seed", range(40))
def test_met_at_cop_in_chunks_equals_all_pairs_at_once(seed):
    """Random pairs cut into chunks of random sizes (down to one pair): every field as :func:`met_at_cop`."""
    rng, pairs, args = _random_pairs(seed)
    a, b, met, first_tie, first_shared = pairs
    want = met_at_cop(a, b, met=met, first_tie=first_tie, first_shared=first_shared, **args)
    met_only = met >= 0
    for size in (1, int(rng.integers(2, 40)), a.size):
        cuts = range(0, a.size, size)
        got = met_at_cop_chunks(lambda: [tuple(x[c:c + size] for x in pairs) for c in cuts],
                                tuple(x[met_only] for x in pairs), **args)
        assert not _differences(want, got), (size, _differences(want, got))
        if size == a.size:  # one chunk: computed in the same order, so equal to the last bit
            assert got == want or all(got[k] == want[k] or np.isnan(want[k]) for k in want)


def test_met_at_cop_in_chunks_has_something_to_compare():
    """The random cases above include estimates with intervals, fallbacks and short follow-ups (not all NaN)."""
    outs = []
    for seed in range(40):
        _, (a, b, met, first_tie, first_shared), args = _random_pairs(seed)
        outs.append(met_at_cop(a, b, met=met, first_tie=first_tie, first_shared=first_shared, **args))
    assert sum(np.isfinite(o["ci_low"]) for o in outs) >= 30
    assert sum(o["fallback"] > 0 for o in outs) >= 10 and sum(o["short_follow_up"] > 0 for o in outs) >= 5


def test_met_at_cop_in_chunks_refuses_met_pairs_that_are_not_the_chunks():
    _, pairs, args = _random_pairs(3)
    met_only = pairs[2] >= 0
    wrong = tuple(x[met_only][::-1] for x in pairs)
    with pytest.raises(ValueError, match="met_pairs must be the chunks' pairs with met >= 0, in their order"):
        met_at_cop_chunks(lambda: [pairs], wrong, **args)


def _random_panel(seed):
    """A small practitioner-month panel: ties, sessions, shared clients, drawn at random."""
    rng = np.random.default_rng(seed)
    n, n_months = int(rng.integers(20, 70)), int(rng.integers(10, 20))
    agency = rng.integers(0, int(rng.integers(3, 9)), n)
    attendee = rng.random(n) < rng.uniform(0.3, 0.7)

    def cross_rows(size, nodes, months):
        a, b = rng.choice(nodes, size), rng.choice(nodes, size)
        keep = agency[a] != agency[b]
        a, b, m = np.minimum(a, b)[keep], np.maximum(a, b)[keep], rng.integers(0, months, size)[keep]
        key = np.unique((a * n + b) * months + m)
        return key // months // n, key // months % n, key % months

    tie_a, tie_b, tie_month = cross_rows(int(rng.integers(50, 400)), np.arange(n), n_months)
    start = n_months // 2
    length = min(start, n_months - start)
    before = (tie_month >= start - length) & (tie_month < start)
    after = (tie_month >= start) & (tie_month < start + length)
    sessions = int(rng.integers(4, 15))
    session_month = rng.integers(1, n_months, sessions)
    rows = [(s, v) for s in range(sessions)
            for v in rng.choice(np.flatnonzero(attendee), int(rng.integers(2, 12)))]
    attend_session = np.array([s for s, _ in rows])
    attend_node = np.array([v for _, v in rows])
    attend_month = session_month[attend_session]
    first = np.full(n, -1)
    for v, m in sorted(zip(attend_node, attend_month), key=lambda r: -r[1]):
        first[v] = m
    shared_a, shared_b, shared_month = cross_rows(int(rng.integers(5, 60)), np.flatnonzero(first >= 0), n_months)
    units = np.sort(rng.choice(n, n - int(rng.integers(0, 5)), replace=False))
    return TiePanel(n_nodes=n, agency=agency, months=[f"m{t}" for t in range(n_months)], tie_a=tie_a, tie_b=tie_b,
                    tie_month=tie_month, before_a=tie_a[before], before_b=tie_b[before], after_a=tie_a[after],
                    after_b=tie_b[after], units=units, treated=first[units] >= 0, cohort=first[units],
                    attend_node=attend_node, attend_session=attend_session, attend_month=attend_month,
                    shared_a=shared_a, shared_b=shared_b, shared_month=shared_month, cop_start_month=start)


@pytest.mark.parametrize("seed", range(30))
def test_panel_estimates_in_tiny_chunks_equal_the_whole_on_random_panels(seed):
    panel = _random_panel(seed)
    want = panel_estimates(panel, chunk_pairs=10 ** 9)
    for chunk_pairs in (1, 13, 200):
        got = panel_estimates(panel, chunk_pairs=chunk_pairs)
        assert not _differences(want, got), (chunk_pairs, _differences(want, got))


def test_random_panels_have_met_pairs_to_compare():
    outs = [panel_estimates(_random_panel(seed))["met_at_cop"] for seed in range(30)]
    assert sum(np.isfinite(o["ci_low"]) for o in outs) >= 20 and sum(o["pairs"] for o in outs) >= 300


def test_panel_estimates_in_tiny_chunks_equal_the_whole_on_the_demo(demo_source):
    """The bundled demo's candidate pairs in blocks of at most 100 pairs: every field of the estimates as in one
    block; the blocks list each candidate pair once, in order; each stage is named as it starts."""
    from netdash.change.impact import panel as panel_module
    from netdash.ingest import load_dataset

    ds, _ = load_dataset(demo_source, secret=b"t", name="demo")
    panel = tie_panel(ds, impact_design(ds))
    pairs = candidate_pair_count(panel)
    chunks, met_pairs = panel_module._candidate_pairs(panel, 100)
    blocks = list(chunks())
    assert len(blocks) >= pairs // 100 and max(len(c[0]) for c in blocks) <= 100
    a, b = np.concatenate([c[0] for c in blocks]), np.concatenate([c[1] for c in blocks])
    attendees = np.sort(panel.units[panel.cohort >= 0])
    i, j = np.triu_indices(attendees.size, 1)
    cross = panel.agency[attendees[i]] != panel.agency[attendees[j]]
    assert a.size == pairs > 1000 and (a == attendees[i][cross]).all() and (b == attendees[j][cross]).all()
    met = np.concatenate([c[2] for c in blocks])
    assert (met_pairs[0] == a[met >= 0]).all() and met_pairs[0].size > 100

    want = panel_estimates(panel, chunk_pairs=10 ** 9)
    stages = []
    got = panel_estimates(panel, chunk_pairs=100, progress=stages.append)
    assert not _differences(want, got), _differences(want, got)
    assert want["met_at_cop"]["pairs"] > 50 and np.isfinite(want["met_at_cop"]["ci_low"])
    assert f"Met at the COP: counting the comparison pairs of every stratum: {pairs:,} pairs of attendees from " \
           "different agencies" in stages
    assert stages[0].startswith("The difference-in-differences") and len(stages) == 5
