"""COP impact's met-at-COP pairs: the same figures, to the last bit, as session 17's code (issue 19).

Session 18 made :func:`netdash.change.impact.dyads.met_at_cop_chunks` list each
chunk's comparison runs without (3, pairs) arrays and add the fine strata's
few runs in place. Every figure must stay as it was, the interval's ends
included, so these tests hold the estimates on random pairs (few agencies,
where most pairs are in a met pair's class, and many, where almost none are)
and on random panels to the values session 17's code (ce3a1bf) gave, stored
in ``tests/data/met_at_cop_session17.json`` (made by :func:`pinned_cases`).
"""

import json
from pathlib import Path

import numpy as np
import pytest

from netdash.change.impact.dyads import met_at_cop, met_at_cop_chunks

PINNED = Path(__file__).parent.parent / "data" / "met_at_cop_session17.json"
CHUNKS = (1, 7, 10 ** 9)


def random_pairs(seed):
    """Candidate pairs with random meeting, tie and shared-client months; seeds >= 100 have many agencies."""
    rng = np.random.default_rng(seed)
    many = seed >= 100
    n_nodes, n_months = int(rng.integers(30 if many else 8, 90 if many else 60)), int(rng.integers(4, 14))
    agency = rng.integers(0, int(rng.integers(25, 40)) if many else int(rng.integers(2, 8)), n_nodes)
    a, b = np.triu_indices(n_nodes, 1)
    cross = agency[a] != agency[b]
    a, b = a[cross], b[cross]

    def month_or_never(p_never):
        return np.where(rng.random(a.size) < p_never, -1, rng.integers(0, n_months, a.size))

    pairs = (a, b, month_or_never(rng.uniform(0.8, 0.98) if many else rng.uniform(0.3, 0.9)), month_or_never(0.5),
             month_or_never(0.7))
    args = dict(agency=agency, rate_tercile=rng.integers(0, 3, n_nodes), n_months=n_months, n_attendees=n_nodes,
                horizon=int(rng.integers(1, 7)), min_comparison=int(rng.integers(1, 6)),
                min_follow_up=int(rng.integers(1, 4)))
    return pairs, args


def estimates(seed):
    """``{chunk size: met_at_cop_chunks(...)}`` of :func:`random_pairs` ``(seed)``, and ``met_at_cop`` as "all"."""
    pairs, args = random_pairs(seed)
    met_only = pairs[2] >= 0
    out = {"all": met_at_cop(*pairs[:2], met=pairs[2], first_tie=pairs[3], first_shared=pairs[4], **args)}
    for size in CHUNKS:
        cuts = range(0, pairs[0].size, size)
        out[str(size)] = met_at_cop_chunks(lambda: [tuple(x[c:c + size] for x in pairs) for c in cuts],
                                           tuple(x[met_only] for x in pairs), **args)
    return out


SEEDS = [*range(40), *range(100, 130)]


def pinned_cases():
    """Every case's estimates, as stored in :data:`PINNED` (run with session 17's code to make the file)."""
    return {str(seed): estimates(seed) for seed in SEEDS}


@pytest.fixture(scope="module")
def pinned():
    return json.loads(PINNED.read_text())


@pytest.mark.parametrize("seed", SEEDS)
def test_met_at_cop_is_session_17s_to_the_last_bit(pinned, seed):
    got = json.loads(json.dumps(estimates(seed)))  # as stored: NaN and floats round-trip exactly
    want = pinned[str(seed)]
    assert got.keys() == want.keys()
    for how in want:
        assert json.dumps(got[how], sort_keys=True) == json.dumps(want[how], sort_keys=True), (seed, how)


def test_pinned_cases_have_something_to_compare(pinned):
    """Intervals, fallbacks to coarser strata and fine strata in both kinds of case (not all NaN)."""
    few = [pinned[str(s)]["all"] for s in SEEDS if s < 100]
    many = [pinned[str(s)]["all"] for s in SEEDS if s >= 100]
    for cases in (few, many):
        assert sum(np.isfinite(o["ci_low"]) for o in cases) >= len(cases) // 2
        assert sum(o["fallback"] > 0 for o in cases) >= 5
        assert sum(o["pairs"] > o["fallback"] for o in cases) >= 5  # some met pairs compared in their fine stratum


@pytest.mark.parametrize("seed", [*range(20), *range(100, 110)])
def test_pairs_that_never_met_tied_or_shared_count_as_any_untied_pair(seed):
    """Session 19 counts the pairs that never met, tied or shared a client (98.6% at large) per stratum, not
    run by run. A tie or shared client dated after every follow-up ends changes no comparison row, but sends
    the pair through the runs: every figure must be the same to the last bit, in one chunk and in many."""
    pairs, args = random_pairs(seed)
    a, b, met, first_tie, first_shared = pairs
    plain = (met < 0) & (first_tie < 0) & (first_shared < 0)
    assert plain.any() and (~plain).any()
    late = args["n_months"] + 50
    runs = (a, b, met, np.where(plain, late, first_tie), np.where(plain, late, first_shared))
    met_only = met >= 0
    for size in CHUNKS:
        cuts = range(0, a.size, size)
        want, got = (json.dumps(met_at_cop_chunks(lambda: [tuple(x[c:c + size] for x in p) for c in cuts],
                                                  tuple(x[met_only] for x in p), **args), sort_keys=True)
                     for p in (runs, pairs))
        assert got == want, (seed, size)
