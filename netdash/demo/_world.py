"""Agencies and practitioners of the demo world (private to :mod:`netdash.demo`).

Days are integer offsets from the first day of the window throughout the
generator; :mod:`netdash.demo._write` turns them into ISO dates.
"""

from dataclasses import dataclass

import numpy as np

from netdash.schema import SECTORS

__all__ = []

_SECTOR_WEIGHTS = np.array([0.20, 0.13, 0.12, 0.10, 0.08, 0.12, 0.10, 0.10, 0.05])  # order of SECTORS

_PLACE_A = ("River", "Oak", "Ash", "Mill", "Brook", "North", "East", "West", "South", "Green",
            "Stone", "Elm", "Park", "Bridge", "Hill", "Kings", "Queens", "Church", "Market", "Harbour")
_PLACE_B = ("side", "field", "gate", "wood", "bury", "ham")

_SUFFIXES = {
    "housing": ("Housing Trust", "Housing Association", "Homes"),
    "mental_health": ("Community Mental Health Team", "Mental Health Recovery Service", "Crisis Team"),
    "substance_use": ("Drug and Alcohol Service", "Recovery Service", "Alcohol Team"),
    "criminal_justice": ("Probation Office", "Probation Delivery Unit", "Community Justice Team"),
    "money_advice": ("Money Advice Centre", "Debt Advice Service", "Citizens Advice"),
    "primary_care": ("Medical Practice", "Health Centre", "Homeless Health Service"),
    "outreach": ("Street Outreach Team", "Outreach Project", "Rough Sleeper Team"),
    "social_care": ("Adult Social Care Team", "Social Work Team", "Care Navigation Service"),
    "other": ("Day Centre", "Community Project", "Foodbank"),
}

_ROLES = {
    "housing": (("housing support worker", 0.5), ("housing officer", 0.3), ("tenancy sustainment officer", 0.2)),
    "mental_health": (("community psychiatric nurse", 0.4), ("mental health social worker", 0.3),
                      ("support worker", 0.3)),
    "substance_use": (("recovery worker", 0.5), ("drug and alcohol nurse", 0.25), ("peer mentor", 0.25)),
    "criminal_justice": (("probation officer", 0.6), ("probation services officer", 0.4)),
    "money_advice": (("money adviser", 0.6), ("debt caseworker", 0.4)),
    "primary_care": (("GP", 0.3), ("practice nurse", 0.4), ("inclusion health nurse", 0.3)),
    "outreach": (("outreach worker", 0.8), ("navigator", 0.2)),
    "social_care": (("social worker", 0.6), ("care coordinator", 0.4)),
    "other": (("support worker", 0.6), ("volunteer coordinator", 0.4)),
}

_FIRST = ("Amira", "Ben", "Chloe", "Daniel", "Ella", "Femi", "Grace", "Hassan", "Isla", "Jack", "Kemi",
          "Liam", "Maya", "Noah", "Olivia", "Priya", "Quinn", "Rosa", "Sam", "Tariq", "Uma", "Victor",
          "Wendy", "Yusuf", "Zara", "Aidan", "Bethan", "Callum", "Deepa", "Eilidh", "Farah", "Gareth",
          "Hannah", "Imran", "Joanna", "Kwame", "Leah", "Marek", "Niamh", "Oscar", "Pooja", "Rhys",
          "Sofia", "Tom", "Aisha", "Bilal", "Ciara", "Dev", "Erin", "Finn")
_SURNAMES = ("Khan", "Smith", "Jones", "Patel", "Williams", "Brown", "Taylor", "Davies", "Evans", "Wilson",
             "Thomas", "Roberts", "Ahmed", "Walker", "Wright", "Okafor", "Hughes", "Green", "Lewis", "Hall",
             "Clarke", "Begum", "Murphy", "Kowalski", "Mensah", "Hussain", "Campbell", "Kelly", "Singh",
             "Moore", "Price", "Bennett", "Ali", "Reid", "Shaw", "Nowak", "Osei", "Ward", "Fraser", "Byrne")

# Practitioners in post before the window started between these offsets (days before it).
_EARLIEST_START, _LATEST_START = 11 * 365, 14


@dataclass(frozen=True)
class World:
    """Agencies, caseload slots and the practitioners who hold them.

    A slot is a caseload in an agency. Most slots have one holder for the
    whole window; a turnover slot passes from a leaver to a joiner on day
    ``slot_switch`` (leaver's last day is the day before), so caseloads,
    handovers and team contacts continue without a gap.
    """

    agency_ids: np.ndarray      # str
    agency_names: np.ndarray    # str
    agency_sector: np.ndarray   # int index into SECTORS
    agency_area: np.ndarray     # int, which COP/locality
    slot_agency: np.ndarray     # int, slots are sorted by agency
    slot_weight: np.ndarray     # float, time-invariant activity (caseload share, sociability)
    slot_first: np.ndarray      # practitioner index holding the slot at the start
    slot_second: np.ndarray     # practitioner index from slot_switch on (== first when no turnover)
    slot_switch: np.ndarray     # day the joiner starts (beyond the window when no turnover)
    prac_ids: np.ndarray        # str
    prac_slot: np.ndarray
    prac_names: np.ndarray
    prac_roles: np.ndarray
    prac_start: np.ndarray      # day offset (negative: before the window)
    prac_end: np.ndarray        # day offset of last day, or a large sentinel when still in post
    prac_stayer: np.ndarray     # bool: in post for the whole window

    @property
    def prac_agency(self):
        return self.slot_agency[self.prac_slot]

    def holder(self, slot, day):
        """Practitioner index holding ``slot`` on ``day`` (arrays)."""
        return np.where(day < self.slot_switch[slot], self.slot_first[slot], self.slot_second[slot])


def _agency_sectors(rng, n_agencies, n_areas):
    """Each sector at least once per area, the rest in proportion to _SECTOR_WEIGHTS."""
    base = np.tile(np.arange(len(SECTORS)), n_areas)
    extra = rng.choice(len(SECTORS), size=n_agencies - base.size, p=_SECTOR_WEIGHTS)
    sectors = np.concatenate([base, np.sort(extra)])
    areas = np.concatenate([np.repeat(np.arange(n_areas), len(SECTORS)), np.arange(extra.size) % n_areas])
    order = np.lexsort((areas, sectors))
    return sectors[order], areas[order]


def _agency_names(rng, sectors):
    places = np.array([a + b for a in _PLACE_A for b in _PLACE_B])
    names = np.empty(sectors.size, dtype=object)
    for s, sector in enumerate(SECTORS):
        idx = np.flatnonzero(sectors == s)
        combos = rng.choice(places.size * 3, size=idx.size, replace=False)
        suffixes = np.array(_SUFFIXES[sector], dtype=object)
        names[idx] = places[combos // 3].astype(object) + " " + suffixes[combos % 3]
    return names


def build_world(rng, *, n_practitioners, n_agencies, n_areas, span, turnover=0.08):
    """Draw agencies, slots and practitioners for a window of ``span`` days."""
    sectors, areas = _agency_sectors(rng, n_agencies, n_areas)
    names = _agency_names(rng, sectors)
    width = max(2, len(str(n_agencies)))
    agency_ids = np.array([f"A{i + 1:0{width}d}" for i in range(n_agencies)])

    n_turn = int(round(n_practitioners * turnover / (1 + turnover)))
    n_slots = n_practitioners - n_turn
    size_w = rng.lognormal(0.0, 0.5, n_agencies)
    sizes = 5 + rng.multinomial(n_slots - 5 * n_agencies, size_w / size_w.sum())
    slot_agency = np.repeat(np.arange(n_agencies), sizes)
    slot_weight = rng.lognormal(-0.125, 0.5, n_slots)

    turn_slots = np.sort(rng.choice(n_slots, size=n_turn, replace=False))
    # Switch days uniform over the window: turnover is the same in every month.
    switch_days = rng.integers(1, span - 1, size=n_turn)
    slot_switch = np.full(n_slots, 10 * span, dtype=np.int64)
    slot_switch[turn_slots] = switch_days
    slot_first = np.arange(n_slots)
    joiner_order = np.lexsort((turn_slots, switch_days))
    slot_second = slot_first.copy()
    slot_second[turn_slots[joiner_order]] = n_slots + np.arange(n_turn)

    prac_slot = np.concatenate([np.arange(n_slots), turn_slots[joiner_order]])
    n_prac = prac_slot.size
    prac_start = np.concatenate([-rng.integers(_LATEST_START, _EARLIEST_START, size=n_slots),
                                 switch_days[joiner_order]])
    prac_end = np.full(n_prac, 10 * span, dtype=np.int64)
    prac_end[turn_slots] = switch_days - 1
    prac_stayer = np.ones(n_prac, dtype=bool)
    prac_stayer[turn_slots] = False
    prac_stayer[n_slots:] = False

    roles = np.empty(n_prac, dtype=object)
    prac_sector = sectors[slot_agency[prac_slot]]
    for s, sector in enumerate(SECTORS):
        idx = np.flatnonzero(prac_sector == s)
        labels = np.array([r for r, _ in _ROLES[sector]], dtype=object)
        probs = np.array([p for _, p in _ROLES[sector]])
        roles[idx] = labels[rng.choice(labels.size, size=idx.size, p=probs)]
    first_slot_of_agency = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    roles[first_slot_of_agency] = "team leader"

    n_names = len(_FIRST) * len(_SURNAMES) * 26
    picks = rng.choice(n_names, size=n_prac, replace=False)
    first = np.array(_FIRST, dtype=object)[picks % len(_FIRST)]
    rest = picks // len(_FIRST)
    initial = np.array([chr(65 + i) for i in range(26)], dtype=object)[rest % 26]
    surname = np.array(_SURNAMES, dtype=object)[rest // 26]
    prac_names = first + " " + initial + ". " + surname

    width = max(4, len(str(n_prac)))
    prac_ids = np.array([f"P{i + 1:0{width}d}" for i in range(n_prac)])
    return World(agency_ids=agency_ids, agency_names=names, agency_sector=sectors, agency_area=areas,
                 slot_agency=slot_agency, slot_weight=slot_weight, slot_first=slot_first,
                 slot_second=slot_second, slot_switch=slot_switch, prac_ids=prac_ids, prac_slot=prac_slot,
                 prac_names=prac_names, prac_roles=roles, prac_start=prac_start, prac_end=prac_end,
                 prac_stayer=prac_stayer)
