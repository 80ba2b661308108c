"""Clients, their episodes of support and the background contact log (private).

Every process here is stationary over the window: episodes start uniformly
over a stretch that begins one episode-length before the window, team
contacts arrive at a constant rate and staff turnover is uniform in time. So,
without a COP, a practitioner's expected number of distinct colleagues is
the same in any two equally long periods.
"""

from dataclasses import dataclass

import numpy as np

from netdash.schema import CONTACT_TYPES, SECTORS

__all__ = []

CT = {name: i for i, name in enumerate(CONTACT_TYPES)}
_S = {name: i for i, name in enumerate(SECTORS)}

NEEDS = ("housing", "mental_health", "substance_use", "offending", "debt", "physical_health", "social_care")
_NEED_SECTOR = np.array([_S[s] for s in ("housing", "mental_health", "substance_use", "criminal_justice",
                                         "money_advice", "primary_care", "social_care")])
_NEED_P = np.array([0.92, 0.60, 0.50, 0.30, 0.40, 0.45, 0.20])
_ENGAGED = 0.9          # a need leads to an agency's involvement
_P_OUTREACH, _P_OTHER = 0.45, 0.15

# Per sector, in SECTORS order: mean involvement length (days), client contacts per week,
# and the mix of visit / phone / email.
_MEAN_DAYS = np.array([180, 150, 150, 180, 60, 90, 45, 120, 90])
_PER_WEEK = 0.8 * np.array([0.45, 0.40, 0.55, 0.35, 0.45, 0.25, 0.90, 0.30, 0.45])
_MIX = np.array([[.55, .30, .15], [.50, .35, .15], [.55, .35, .10], [.60, .25, .15], [.35, .40, .25],
                 [.70, .25, .05], [.85, .12, .03], [.50, .35, .15], [.60, .30, .10]])
_P_SECOND = 0.15         # an involvement has a second practitioner from the same agency
_P_REPLY, _P_JOINT = 0.45, 0.25
_TEAM_PER_MONTH = 2.2    # within-agency colleague contacts a practitioner starts per month
_DURATION = {  # minutes, inclusive range per contact type
    "visit": (20, 90), "phone": (5, 30), "email": (5, 15), "referral": (10, 30),
    "case_conference": (30, 90), "joint_visit": (45, 120), "housing_placement": (60, 120),
}


@dataclass
class Log:
    """Contact rows as parallel arrays (practitioner/client indices, -1 when absent)."""

    day: np.ndarray
    actor: np.ndarray
    client: np.ndarray
    other: np.ndarray
    ctype: np.ndarray
    minutes: np.ndarray

    @classmethod
    def concat(cls, logs):
        return cls(*(np.concatenate([getattr(g, f) for g in logs]) for f in
                     ("day", "actor", "client", "other", "ctype", "minutes")))

    def take(self, keep):
        return Log(self.day[keep], self.actor[keep], self.client[keep], self.other[keep],
                   self.ctype[keep], self.minutes[keep])


def minutes_for(rng, ctype):
    """Durations in minutes for an array of contact-type codes."""
    lo = np.array([_DURATION[t][0] for t in CONTACT_TYPES])
    hi = np.array([_DURATION[t][1] for t in CONTACT_TYPES])
    return rng.integers(lo[ctype], hi[ctype] + 1)


def _log(rng, day, actor, client, other, ctype):
    n = day.size
    client = np.full(n, -1) if client is None else client
    other = np.full(n, -1) if other is None else other
    ctype = np.full(n, ctype) if np.isscalar(ctype) else ctype
    return Log(day.astype(np.int64), actor, client, other, ctype, minutes_for(rng, ctype))


def _pick_weighted(rng, group, group_of_item, weight):
    """For each entry of ``group``, one item of that group drawn with probability ~ weight.

    Items must be sorted by group; one uniform per entry, fully vectorised.
    """
    cw = np.cumsum(weight)
    n_groups = group_of_item.max() + 1
    first = np.searchsorted(group_of_item, np.arange(n_groups), side="left")
    last = np.searchsorted(group_of_item, np.arange(n_groups), side="right") - 1
    lo = np.where(first > 0, cw[np.maximum(first - 1, 0)], 0.0)
    tot = cw[last] - lo
    idx = np.searchsorted(cw, lo[group] + rng.random(group.size) * tot[group], side="right")
    return np.clip(idx, first[group], last[group])


def _other_in_group(rng, item, group_of_item):
    """For each item, a different item of its group, uniformly (groups sorted, size >= 2)."""
    g = group_of_item[item]
    first = np.searchsorted(group_of_item, g, side="left")
    size = np.searchsorted(group_of_item, g, side="right") - first
    k = rng.integers(0, size - 1)
    local = item - first
    return first + k + (k >= local)


def _episodes(rng, n, area):
    """Involvements of ``n`` candidate clients: flat arrays sorted by client and order."""
    needs = rng.random((n, len(NEEDS))) < _NEED_P
    few = needs.sum(1) < 2
    needs[few, rng.integers(0, len(NEEDS), few.sum())] = True
    needs[few, 0] = True
    involved = np.zeros((n, len(SECTORS)), dtype=bool)
    involved[:, _NEED_SECTOR] = needs & (rng.random(needs.shape) < _ENGAGED)
    involved[:, _S["outreach"]] = rng.random(n) < _P_OUTREACH
    involved[:, _S["other"]] = rng.random(n) < _P_OTHER
    involved[involved.sum(1) == 0, _S["housing"]] = True
    # Outreach first, then housing, then the other agencies in random order.
    key = 2 + rng.random(involved.shape)
    key[:, _S["outreach"]] = 0
    key[:, _S["housing"]] = 1
    key[~involved] = 99
    order = np.argsort(key, axis=1, kind="stable")
    n_inv = involved.sum(1)
    mask = np.arange(len(SECTORS))[None, :] < n_inv[:, None]
    client = np.repeat(np.arange(n), n_inv)
    sector = order[mask]
    pos = np.nonzero(mask)[1]

    days = np.maximum(7, np.round(_MEAN_DAYS[sector] * rng.lognormal(-0.125, 0.5, sector.size))).astype(np.int64)
    placement = np.round(rng.uniform(0.15, 0.4, sector.size) * days).astype(np.int64)
    prev = np.arange(sector.size) - 1
    after_housing = placement[prev] + rng.integers(14, 61, sector.size)   # support follows a placement
    handover = np.round(rng.uniform(0.6, 1.1, sector.size) * days[prev]).astype(np.int64)
    inc = np.where(sector[prev] == _S["housing"], after_housing, handover)
    inc[pos == 0] = 0
    cs = np.cumsum(inc)
    first_row = np.flatnonzero(pos == 0)
    start = cs - cs[first_row][client]
    length = np.maximum.reduceat(start + days, first_row)
    return dict(needs=needs, client=client, sector=sector, pos=pos, start=start, days=days,
                placement=placement, length=length, area=area[client])


def background(rng, world, *, n_clients, span, n_areas):
    """Clients' needs and the whole contact log without any COP effect.

    Returns ``(needs, log)``: a boolean needs matrix for the kept clients and
    a :class:`Log` with client indices 0..n-1 and days within ``[0, span)``.
    """
    n_cand = int(np.ceil(n_clients * 1.25)) + 20
    area = rng.integers(0, n_areas, n_cand)
    ep = _episodes(rng, n_cand, area)
    inv_client, sector = ep["client"], ep["sector"]
    # Each episode's start is uniform over [-length, span): the intensity of
    # every kind of contact is then constant across the window.
    ep_start = -ep["length"] + np.floor(rng.random(n_cand) * (span + ep["length"])).astype(np.int64)
    start = ep_start[inv_client] + ep["start"]

    group = ep["area"] * len(SECTORS) + sector
    ag_group = world.agency_area * len(SECTORS) + world.agency_sector
    ag_order = np.argsort(ag_group, kind="stable")
    ag_sizes = np.bincount(world.slot_agency, minlength=world.agency_ids.size)
    agency = ag_order[_pick_weighted(rng, group, ag_group[ag_order], ag_sizes[ag_order].astype(float))]
    slot = _pick_weighted(rng, agency, world.slot_agency, world.slot_weight)
    has_second = rng.random(slot.size) < _P_SECOND
    second = np.where(has_second, _other_in_group(rng, slot, world.slot_agency), slot)

    # Client contacts: the first on the involvement's first day, the rest uniform over it.
    n_c = 1 + rng.poisson(_PER_WEEK[sector] * ep["days"] / 7)
    row = np.repeat(np.arange(sector.size), n_c)
    is_first = np.concatenate([[True], row[1:] != row[:-1]])
    day = start[row] + np.where(is_first, 0, np.floor(rng.random(row.size) * ep["days"][row]).astype(np.int64))
    by_second = rng.random(row.size) < 0.35
    c_slot = np.where(by_second, second[row], slot[row])
    cum = np.cumsum(_MIX[sector[row]], axis=1)
    ctype = (rng.random(row.size)[:, None] > cum).sum(1)  # 0 visit, 1 phone, 2 email == CONTACT_TYPES order
    logs = [_log(rng, day, world.holder(c_slot, day), inv_client[row], None, ctype)]

    housing = np.flatnonzero(sector == _S["housing"])
    day = start[housing] + ep["placement"][housing]
    logs.append(_log(rng, day, world.holder(slot[housing], day), inv_client[housing], None,
                     CT["housing_placement"]))

    # Handovers: a referral from the previous agency's worker to the next one, sometimes a reply,
    # and a joint visit when the involvements overlap.
    nxt = np.flatnonzero(ep["pos"] > 0)
    prv = nxt - 1
    day = start[nxt] - rng.integers(0, 8, nxt.size)
    old, new = world.holder(slot[prv], day), world.holder(slot[nxt], day)
    logs.append(_log(rng, day, old, inv_client[nxt], new, CT["referral"]))
    reply = rng.random(nxt.size) < _P_REPLY
    rday = day[reply] + rng.integers(0, 6, reply.sum())
    rtype = np.where(rng.random(reply.sum()) < 0.5, CT["phone"], CT["email"])
    logs.append(_log(rng, rday, world.holder(slot[nxt[reply]], rday), inv_client[nxt[reply]],
                     world.holder(slot[prv[reply]], rday), rtype))
    overlap = start[nxt] < start[prv] + ep["days"][prv]
    joint = overlap & (rng.random(nxt.size) < _P_JOINT)
    jday = start[nxt[joint]] + rng.integers(0, 15, joint.sum())
    logs.append(_log(rng, jday, world.holder(slot[prv[joint]], jday), inv_client[nxt[joint]],
                     world.holder(slot[nxt[joint]], jday), CT["joint_visit"]))

    # Team contacts: colleagues in the same agency, at a constant rate.
    n_slots = world.slot_agency.size
    rate = _TEAM_PER_MONTH * span / 30.4 * np.sqrt(world.slot_weight)
    t_slot = np.repeat(np.arange(n_slots), rng.poisson(rate))
    tday = rng.integers(0, span, t_slot.size)
    t_other = _other_in_group(rng, t_slot, world.slot_agency)
    ttype = rng.choice([CT["phone"], CT["email"], CT["case_conference"]], size=t_slot.size, p=[.35, .4, .25])
    logs.append(_log(rng, tday, world.holder(t_slot, tday), None, world.holder(t_other, tday), ttype))

    log = Log.concat(logs)
    log = log.take((log.day >= 0) & (log.day < span))
    # Keep the first n_clients candidates seen in the window, numbered in that order.
    seen = np.zeros(n_cand, dtype=bool)
    seen[log.client[log.client >= 0]] = True
    keep = seen & (np.cumsum(seen) <= n_clients)
    new_index = np.where(keep, np.cumsum(keep) - 1, -1)
    mapped = np.where(log.client >= 0, new_index[np.maximum(log.client, 0)], -1)
    ok = (log.client < 0) | (mapped >= 0)
    log = log.take(ok)
    log.client = mapped[ok]
    return ep["needs"][keep], log
