"""A PARTNER-style trust survey at two waves (private to :mod:`netdash.demo`).

Varda et al.'s PARTNER tool asks each respondent to rate partners they work
with on trust and its dimensions (reliability, openness to discussion,
support for the shared mission) on a 1 to 4 scale. Here a random ~40% of
staff in post respond at each wave and rate up to four colleagues they had
direct contacts with in that half of the window, most-contacted first.
"""

import numpy as np

__all__ = []

_RESPONSE_RATE = 0.4
_MAX_RATED = 4
_ADDED_BONUS = 0.8      # COP-made partners tend to be trusted more at the second wave


def trust_survey(rng, world, log, pairs, *, waves):
    """Survey rows as a dict of arrays.

    ``waves`` is a list of ``(first_day, period_start, period_end)``: responses
    fall on ``first_day`` + 0..20 days and rate partners seen in
    ``[period_start, period_end)``. ``pairs`` (the COP-added pairs) are rated
    first and get a higher latent trust from the second wave on.
    """
    n_prac = world.prac_ids.size
    added = np.unique(pairs[:, 0] * n_prac + pairs[:, 1])
    agency = world.prac_agency
    out = {k: [] for k in ("day", "rater", "ratee", "trust", "reliability", "openness", "shared_mission")}
    for w, (first_day, p0, p1) in enumerate(waves):
        direct = (log.other >= 0) & (log.day >= p0) & (log.day < p1)
        a, b = log.actor[direct], log.other[direct]
        keys, counts = np.unique(np.minimum(a, b) * n_prac + np.maximum(a, b), return_counts=True)
        lo, hi = keys // n_prac, keys % n_prac
        rater = np.concatenate([lo, hi])
        ratee = np.concatenate([hi, lo])
        n = np.concatenate([counts, counts])
        is_added = np.isin(np.concatenate([keys, keys]), added) & (w > 0)

        in_post = (world.prac_start <= first_day) & (world.prac_end >= first_day + 21)
        responds = in_post & (rng.random(n_prac) < _RESPONSE_RATE)
        ok = responds[rater] & in_post[ratee]
        rater, ratee, n, is_added = rater[ok], ratee[ok], n[ok], is_added[ok]
        order = np.lexsort((rng.random(rater.size), -n, ~is_added, rater))
        rater, ratee, n, is_added = rater[order], ratee[order], n[order], is_added[order]
        first = np.searchsorted(rater, rater, side="left")
        keep = (np.arange(rater.size) - first) < _MAX_RATED
        rater, ratee, n, is_added = rater[keep], ratee[keep], n[keep], is_added[keep]

        latent = (1.7 + 0.45 * np.log1p(n) + 0.3 * (agency[rater] == agency[ratee])
                  + _ADDED_BONUS * is_added + rng.normal(0, 0.5, rater.size))
        day = (first_day + rng.integers(0, 21, n_prac))[rater]  # one response day per rater
        out["day"].append(day)
        out["rater"].append(rater)
        out["ratee"].append(ratee)
        out["trust"].append(np.clip(np.round(latent), 1, 4).astype(np.int64))
        for dim in ("reliability", "openness", "shared_mission"):
            out[dim].append(np.clip(np.round(latent + rng.normal(0, 0.6, rater.size)), 1, 4).astype(np.int64))
    return {k: np.concatenate(v) for k, v in out.items()}
