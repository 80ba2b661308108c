"""COP sessions, who attends, and the known COP effect (private to :mod:`netdash.demo`)."""

from dataclasses import dataclass

import numpy as np

from netdash.demo._care import CT, Log, minutes_for
from netdash.errors import InvalidInputError
from netdash.schema import SECTORS

__all__ = []

_COP_NAMES = ("Multiple Disadvantage Community of Practice", "Making Every Adult Matter Practice Network")
# Selection into the COP (log-odds shifts): time-invariant traits only.
_SECTOR_BONUS = {"housing": 0.4, "mental_health": 0.3, "outreach": 0.6, "substance_use": 0.3,
                 "criminal_justice": -0.2, "primary_care": -0.5, "money_advice": 0.0,
                 "social_care": 0.1, "other": 0.2}
_LEADER_BONUS = 0.7
_ADDED_TYPES = np.array([CT["phone"], CT["email"], CT["joint_visit"]])


@dataclass(frozen=True)
class Cop:
    """COP sessions and attendance.

    ``session_day``/``session_cop`` index sessions; ``attendees`` are
    practitioner indices with their ``cop`` and a boolean matrix
    ``attended`` (attendee x session of their own COP, others False).
    """

    session_day: np.ndarray
    session_cop: np.ndarray
    attendees: np.ndarray
    cop: np.ndarray
    attended: np.ndarray

    @property
    def sessions_attended(self):
        return self.attended.sum(1)


def _session_days(window_start, month, weekday, nth):
    """Day offset of the ``nth`` ``weekday`` (0=Monday) of month ``month`` of the window."""
    first = (np.datetime64(window_start, "M") + month).astype("datetime64[D]")
    dow = (first.astype(np.int64) - 4) % 7            # 1970-01-01 was a Thursday
    day = first + (weekday - dow) % 7 + 7 * (nth - 1)
    return int((day - np.datetime64(window_start, "D")).astype(np.int64))


def cop_groups(world, *, n_cops, groups):
    """COP index of every agency: ``locality * groups + k``.

    Agencies of a locality are dealt round-robin, in index order (sorted by
    sector), to the locality's ``groups`` COPs, so each COP draws on about
    the same number of agencies and a mix of sectors. With ``groups == 1``
    the COP is the locality.
    """
    locality = world.agency_area % n_cops
    rank = np.zeros(locality.size, dtype=np.int64)
    for area in range(n_cops):
        idx = np.flatnonzero(locality == area)
        rank[idx] = np.arange(idx.size)
    return locality * groups + rank % groups


def cop_names(n_cops, groups):
    """Display names of the ``n_cops * groups`` COPs, in COP-index order."""
    if groups == 1:
        return np.array(_COP_NAMES[:n_cops], dtype=object)
    width = len(str(groups))
    return np.array([f"{_COP_NAMES[c]}, group {k + 1:0{width}d}" for c in range(n_cops) for k in range(groups)],
                    dtype=object)


def build_cop(rng, world, *, window_start, months, cop_start_month, attend_share, n_cops, groups=1):
    """Monthly sessions from ``cop_start_month`` and a selected minority of attendees.

    Each of the ``n_cops`` localities has ``groups`` COPs (see
    :func:`cop_groups`); an attendee belongs to the COP of their agency.
    """
    days, cops = [], []
    for c in range(n_cops):
        for k in range(groups):
            # Locality 0 meets on the 2nd Wednesday, locality 1 on the 3rd Thursday; further
            # groups move through the weekdays and weeks of the month.
            weekday, nth = (2 + c + k) % 5, 1 + (1 + c + k // 5) % 4
            for m in range(cop_start_month, months):
                days.append(_session_days(window_start, m, weekday=weekday, nth=nth))
                cops.append(c * groups + k)
    session_day, session_cop = np.array(days), np.array(cops)
    n_groups = n_cops * groups

    # Attendees come from practitioners in post for the whole window, chosen with
    # probability rising with baseline activity, outreach/housing sectors and team leaders.
    stayers = np.flatnonzero(world.prac_stayer)
    sector = np.array(SECTORS, dtype=object)[world.agency_sector[world.prac_agency[stayers]]]
    score = (np.log(world.slot_weight[world.prac_slot[stayers]]) * 1.5
             + np.array([_SECTOR_BONUS[s] for s in sector])
             + _LEADER_BONUS * (world.prac_roles[stayers] == "team leader"))
    k = min(stayers.size, max(2, int(round(attend_share * world.prac_ids.size))))
    gumbel = score + rng.gumbel(size=stayers.size)
    attendees = np.sort(stayers[np.argsort(-gumbel, kind="stable")[:k]])
    cop = cop_groups(world, n_cops=n_cops, groups=groups)[world.prac_agency[attendees]]

    # Dose: each attendee has an engagement level; some come to most sessions, some to a few.
    engagement = rng.beta(1.2, 1.2, attendees.size)
    attended = (rng.random((attendees.size, session_day.size)) < engagement[:, None])
    attended &= cop[:, None] == session_cop[None, :]
    none = ~attended.any(1)
    own = [np.flatnonzero(session_cop == c) for c in range(n_groups)]
    for i in np.flatnonzero(none):
        attended[i, rng.choice(own[cop[i]])] = True
    return Cop(session_day, session_cop, attendees, cop, attended)


def _pair_keys(a, b, n):
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    return lo.astype(np.int64) * n + hi


def existing_ties(log, n_prac, *, among):
    """Keys of every pair of ``among`` practitioners with a direct contact or a shared client."""
    direct = (log.other >= 0) & among[log.actor] & among[np.maximum(log.other, 0)]
    keys = [_pair_keys(log.actor[direct], log.other[direct], n_prac)]
    seen = (log.client >= 0) & among[log.actor]
    pc = np.unique(log.client[seen].astype(np.int64) * n_prac + log.actor[seen])
    client, prac = pc // n_prac, pc % n_prac
    first = np.searchsorted(client, client, side="left")
    size = np.searchsorted(client, client, side="right") - first
    # All pairs within each client's practitioners: for each member, pair it with later members.
    reps = size - (np.arange(pc.size) - first) - 1
    a = np.repeat(np.arange(pc.size), reps)
    offs = np.arange(a.size) - np.repeat(np.cumsum(reps) - reps, reps) + 1
    keys.append(_pair_keys(prac[a], prac[a + offs], n_prac))
    return np.unique(np.concatenate(keys))


def _target_degrees(rng, dose, total):
    """Integer degrees summing to ``total``, proportional to ``dose``."""
    x = total * dose / dose.sum()
    d = np.floor(x).astype(np.int64)
    rest = total - d.sum()
    if rest:
        frac = x - d
        extra = rng.choice(d.size, size=rest, replace=False, p=frac / frac.sum())
        d[extra] += 1
    return d


def added_pairs(rng, world, cop, tied, *, cop_effect):
    """New cross-agency attendee pairs, ``round(cop_effect * n / 2)`` in all.

    Each attendee's number of new partners is roughly proportional to the
    sessions they attended; partners share a COP, work in different agencies
    and had no tie of any kind anywhere in the background data.
    """
    n_prac = world.prac_ids.size
    n_att = cop.attendees.size
    total = int(round(cop_effect * n_att / 2))
    if total == 0:
        return np.zeros((0, 2), dtype=np.int64)
    n_cops = cop.cop.max() + 1
    by_cop = np.bincount(cop.cop, minlength=n_cops)
    per_cop = _target_degrees(rng, by_cop.astype(float), total)
    agency = world.prac_agency
    taken = set(tied.tolist())
    room = _untied_room(world, cop, tied, n_cops)
    pairs = []
    for c in range(n_cops):
        members = np.flatnonzero(cop.cop == c)
        if per_cop[c] > room[c]:
            raise InvalidInputError(
                f"cop_effect={cop_effect} needs {per_cop[c]} new cross-agency pairs among a COP's "
                f"{members.size} attendees (of {n_att} in all), but only {room[c]} untied pairs exist. Use a "
                "smaller cop_effect, a larger attend_share or a larger scale."
            )
        stubs = np.repeat(cop.attendees[members],
                          _target_degrees(rng, cop.sessions_attended[members].astype(float), 2 * per_cop[c]))
        made = 0
        for _ in range(60):  # configuration-model matching; invalid pairs go back in the pool
            if stubs.size < 2:
                break
            stubs = rng.permutation(stubs)
            a, b = stubs[0:-1:2], stubs[1::2]
            keys = _pair_keys(a, b, n_prac)
            # ``taken`` holds every background tie too, so it alone excludes tied pairs.
            ok = (a != b) & (agency[a] != agency[b])
            _, first = np.unique(keys, return_index=True)
            uniq = np.zeros(keys.size, dtype=bool)
            uniq[first] = True
            ok &= uniq & np.array([k not in taken for k in keys.tolist()], dtype=bool)
            for x, y, k in zip(a[ok], b[ok], keys[ok]):
                pairs.append((min(x, y), max(x, y)))
                taken.add(int(k))
            made += int(ok.sum())
            stubs = np.concatenate([a[~ok], b[~ok], stubs[2 * a.size:]])
        # Leftover stubs: pair each with any valid attendee of its COP.
        pool = cop.attendees[members]
        while made < per_cop[c]:
            x = stubs[0] if stubs.size else rng.choice(pool)
            stubs = stubs[1:]
            cand = rng.permutation(pool)
            keys = _pair_keys(np.full(cand.size, x), cand, n_prac)
            valid = (cand != x) & (agency[cand] != agency[x])
            valid &= np.array([k not in taken for k in keys.tolist()], dtype=bool)
            if not valid.any():
                if stubs.size == 0 and not _any_pair_left(pool, agency, taken, n_prac):
                    raise InvalidInputError(
                        f"cop_effect={cop_effect} needs {total} new cross-agency pairs among "
                        f"{n_att} attendees, but only {len(pairs)} untied pairs could be formed. "
                        "Use a smaller cop_effect, a larger attend_share or a larger scale."
                    )
                continue
            y = cand[np.argmax(valid)]
            pairs.append((min(x, y), max(x, y)))
            taken.add(int(_pair_keys(np.array([x]), np.array([y]), n_prac)[0]))
            made += 1
    out = np.array(pairs, dtype=np.int64)
    return out[np.lexsort((out[:, 1], out[:, 0]))]


def _untied_room(world, cop, tied, n_cops):
    """Per COP, the number of cross-agency attendee pairs without a background tie."""
    n_prac = world.prac_ids.size
    agency = world.prac_agency
    group = np.full(n_prac, -1)
    group[cop.attendees] = cop.cop
    room = np.zeros(n_cops, dtype=np.int64)
    for c in range(n_cops):
        k = np.bincount(agency[cop.attendees[cop.cop == c]])
        n = int(k.sum())
        room[c] = n * (n - 1) // 2 - int((k * (k - 1) // 2).sum())
    a, b = tied // n_prac, tied % n_prac
    same = (group[a] >= 0) & (group[a] == group[b]) & (agency[a] != agency[b])
    return room - np.bincount(group[a[same]], minlength=n_cops)


def _any_pair_left(pool, agency, taken, n_prac):
    a, b = np.triu_indices(pool.size, 1)
    keys = _pair_keys(pool[a], pool[b], n_prac)
    ok = agency[pool[a]] != agency[pool[b]]
    return any(k not in taken for k in keys[ok].tolist())


def _met_days(pairs, cop):
    """Day each pair first sat in the same session; the later of their first sessions if never."""
    pos = np.full(int(max(cop.attendees.max(), pairs.max())) + 1, -1)
    pos[cop.attendees] = np.arange(cop.attendees.size)
    a, b = cop.attended[pos[pairs[:, 0]]], cop.attended[pos[pairs[:, 1]]]
    day = cop.session_day[None, :]
    big = np.iinfo(np.int64).max
    together = np.where(a & b, day, big).min(axis=1)
    first = np.maximum(np.where(a, day, big).min(axis=1), np.where(b, day, big).min(axis=1))
    return np.where(together < big, together, first)


def added_contacts(rng, pairs, cop, *, span, month_starts):
    """Reciprocated direct contacts for each added pair, from the first session the two shared.

    "Met at the COP, then worked together": each pair's contacts start on the
    day of the first session both attended (the later of their first
    sessions if they never shared one). Each pair gets 3 + Poisson(1)
    contacts: one each way in two different months among the six from
    meeting, the rest anywhere from meeting to the window's end in either
    direction, so every pair is also a trust tie (reciprocated, >= 3
    interactions, >= 2 months). A pair meeting in the last month gets its
    two fixed contacts in the last two months.
    """
    n = pairs.shape[0]
    if n == 0:
        return Log(*(np.zeros(0, dtype=np.int64) for _ in range(6)))
    n_months = month_starts.size - 1
    met = _met_days(pairs, cop)
    met_month = np.searchsorted(month_starts, met, side="right") - 1
    lo_month = np.minimum(met_month, n_months - 2)
    width = np.minimum(lo_month + 5, n_months - 1) - lo_month + 1  # months available, >= 2
    i = rng.integers(0, width)
    j = rng.integers(0, width - 1)
    j += j >= i
    m = lo_month[:, None] + np.sort(np.stack([i, j], axis=1), axis=1)
    start = np.minimum(met[:, None], month_starts[m + 1] - 1)
    lo = np.maximum(month_starts[m], start)
    hi = month_starts[m + 1]
    fixed = lo + np.floor(rng.random(lo.shape) * (hi - lo)).astype(np.int64)
    n_more = 1 + rng.poisson(1.0, n)
    pair_more = np.repeat(np.arange(n), n_more)
    first_more = np.minimum(met, span - 1)[pair_more]
    more = first_more + np.floor(rng.random(pair_more.size) * (span - first_more)).astype(np.int64)
    flip_more = rng.random(pair_more.size) < 0.5
    pair_idx = np.concatenate([np.arange(n), np.arange(n), pair_more])
    day = np.concatenate([fixed[:, 0], fixed[:, 1], more])
    flip = np.concatenate([np.zeros(n, bool), np.ones(n, bool), flip_more])
    a, b = pairs[pair_idx, 0], pairs[pair_idx, 1]
    actor, other = np.where(flip, b, a), np.where(flip, a, b)
    ctype = rng.choice(_ADDED_TYPES, size=day.size, p=[0.45, 0.35, 0.2])
    return Log(day.astype(np.int64), actor, np.full(day.size, -1), other, ctype, minutes_for(rng, ctype))
