"""Seeded synthetic data with a known COP effect (``netdash demo``).

The generator writes a dataset folder in the contract of
:mod:`netdash.schema` (the raw CSVs a user would supply) and a
``ground_truth.json`` that states the true effect, so every measure and the
whole pipeline can be checked against a known answer.

What it models: people experiencing multiple-exclusion homelessness, each
with several needs; agencies each see one slice and support arrives as
handovers (outreach, then housing and a placement, then the other
agencies, with some overlap). Without a COP every process is stationary,
so non-attendees' before/after change is zero in expectation. The COP adds
exactly ``round(cop_effect * n_attendees / 2)`` new cross-agency pairs of
attendees who had no tie of any kind, each with reciprocated contacts in at
least two months after the COP started. See ``docs/demo.md``.
"""

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from netdash.demo import _write
from netdash.demo._care import NEEDS, Log, background
from netdash.demo._cop import added_contacts, added_pairs, build_cop, cop_names, existing_ties
from netdash.demo._survey import trust_survey
from netdash.demo._world import build_world
from netdash.errors import InvalidInputError

__all__ = ["DemoScale", "SCALES", "GENERATOR_VERSION", "WINDOW_START", "generate_demo"]

GENERATOR_VERSION = "3"  # 2: medium and large scales have many small COPs; 3: COP ties start when the pair met
WINDOW_START = "2023-01-01"  # a fixed window in the past; the default after period (2024) is one leap day longer
_MAX_MONTHS = 36  # the window must end in the past: 2023-01-01 + 36 months = 2026-01-01


@dataclass(frozen=True)
class DemoScale:
    """Size of a demo world.

    Attributes
    ----------
    practitioners : int
        Practitioner rows, joiners included (about 7% are joiners replacing leavers).
    clients : int
        Clients with at least one contact in the window.
    agencies : int
        Agencies; at least one per sector (nine) in each COP locality.
    cops : int
        Number of localities, 1 or 2, each with its own COP programme
        (agencies and clients belong to a locality).
    groups : int
        COPs per locality (default 1). Its agencies are dealt round-robin to
        the groups; each group is a COP in the data (its own ``cop_name``
        and monthly sessions) and draws attendees only from its agencies.
        About ten agencies per group give sessions of about 25 people.
    """

    practitioners: int
    clients: int
    agencies: int
    cops: int = 1
    groups: int = 1


SCALES = {
    "small": DemoScale(practitioners=200, clients=2_000, agencies=12, cops=1),
    # Ten agencies per COP: about 50 attendees per COP and sessions of about 25 (one COP per
    # locality at these sizes would mean sessions of 150 and 1,500 people).
    "medium": DemoScale(practitioners=2_000, clients=20_000, agencies=120, cops=2, groups=6),
    "large": DemoScale(practitioners=20_000, clients=200_000, agencies=1_200, cops=2, groups=60),
}


def _check(scale, seed, cop_effect, months, cop_start_month, attend_share):
    problems = []
    if isinstance(scale, str):
        if scale not in SCALES:
            problems.append(f"scale {scale!r} is not known. Choose one of: {', '.join(SCALES)}.")
    elif isinstance(scale, DemoScale):
        if scale.cops not in (1, 2):
            problems.append(f"DemoScale.cops is {scale.cops}; the demo models 1 or 2 COPs (localities); for "
                            "more COPs per locality set DemoScale.groups.")
        elif (not isinstance(scale.groups, (int, np.integer)) or isinstance(scale.groups, bool)
              or not 1 <= scale.groups <= scale.agencies // (2 * scale.cops)):
            problems.append(f"DemoScale.groups is {scale.groups!r}; give a whole number from 1 to "
                            f"{max(1, scale.agencies // (2 * scale.cops))} (each COP needs at least two of its "
                            f"locality's {scale.agencies // scale.cops} agencies).")
        if scale.agencies < 9 * scale.cops:
            problems.append(f"DemoScale.agencies is {scale.agencies}; give at least {9 * scale.cops} "
                            "(one per sector in each COP's locality).")
        elif scale.practitioners < 6 * scale.agencies:
            problems.append(f"DemoScale.practitioners is {scale.practitioners}; give at least "
                            f"{6 * scale.agencies} (about six per agency) for {scale.agencies} agencies.")
        if scale.clients < 10:
            problems.append(f"DemoScale.clients is {scale.clients}; give at least 10.")
    else:
        problems.append(f"scale must be one of {', '.join(SCALES)} or a DemoScale, got {scale!r}.")
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        problems.append(f"seed must be a whole number >= 0, got {seed!r}.")
    try:
        effect = float(cop_effect)
    except (TypeError, ValueError):
        effect = float("nan")
    if not np.isfinite(effect) or effect < 0:
        problems.append(f"cop_effect must be a number >= 0 (extra cross-agency colleagues per attendee), "
                        f"got {cop_effect!r}.")
    if not isinstance(months, (int, np.integer)) or not 3 <= months <= _MAX_MONTHS:
        problems.append(f"months must be a whole number from 3 to {_MAX_MONTHS} (the window starts "
                        f"{WINDOW_START} and must end in the past), got {months!r}.")
    elif not isinstance(cop_start_month, (int, np.integer)) or not 1 <= cop_start_month <= months - 2:
        problems.append(f"cop_start_month must be a whole number from 1 to months - 2 = {months - 2} "
                        f"(at least one month before the COP and two after), got {cop_start_month!r}.")
    try:
        share = float(attend_share)
    except (TypeError, ValueError):
        share = float("nan")
    if not 0 < share <= 1:
        problems.append(f"attend_share must be in (0, 1] (share of practitioners who attend), "
                        f"got {attend_share!r}.")
    if problems:
        raise InvalidInputError("Cannot generate the demo: " + " ".join(problems), problems)


def generate_demo(out_dir, *, seed=0, cop_effect=2.0, scale="small", months=24, cop_start_month=12,
                  attend_share=0.3):
    """Write a synthetic dataset with a known COP effect and return its folder.

    Parameters
    ----------
    out_dir : str or Path
        Folder to write into (created if missing; the seven files are overwritten).
    seed : int, default 0
        Same seed and arguments give byte-identical files.
    cop_effect : float, default 2.0
        Expected number of additional distinct cross-agency colleagues with
        direct contacts that an attendee has after the COP starts, compared
        with no COP. This is the expected difference-in-differences
        (attendees minus non-attendees, after minus before). 0 adds nothing.
    scale : {"small", "medium", "large"} or DemoScale, default "small"
        Size of the world; see :data:`SCALES`.
    months : int, default 24
        Length of the window, starting 2023-01-01.
    cop_start_month : int, default 12
        Month (0-based) of the first COP session; sessions are monthly to the end.
        The before and after periods are ``[start, cop start)`` and ``[cop start, end)``.
    attend_share : float, default 0.3
        Share of practitioners in post for the whole window who attend the COP.

    Returns
    -------
    Path
        ``out_dir``, holding agencies.csv, practitioners.csv, contacts.csv,
        cop_attendance.csv, clients.csv, trust_survey.csv and ground_truth.json.

    Raises
    ------
    InvalidInputError
        For an unknown scale, a negative effect, an attend_share outside
        (0, 1], a window that does not fit, or an effect too large for the
        number of untied attendee pairs.

    Examples
    --------
    >>> import tempfile, json
    >>> folder = generate_demo(tempfile.mkdtemp(), seed=1, scale=DemoScale(60, 200, 9), cop_effect=1.0)
    >>> truth = json.loads((folder / "ground_truth.json").read_text())
    >>> truth["cop_start"], truth["expected_did"]["value"]
    ('2024-01-01', 1.0)
    """
    _check(scale, seed, cop_effect, months, cop_start_month, attend_share)
    size = SCALES[scale] if isinstance(scale, str) else scale
    cop_effect, attend_share = float(cop_effect), float(attend_share)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)

    start = np.datetime64(WINDOW_START, "M")
    month_starts = ((start + np.arange(months + 1)).astype("datetime64[D]")
                    - np.datetime64(WINDOW_START, "D")).astype(np.int64)
    span, cop_day = int(month_starts[-1]), int(month_starts[cop_start_month])
    # Independent streams: background and attendees do not depend on cop_effect.
    r_world, r_care, r_cop, r_pairs, r_survey = (np.random.default_rng(s)
                                                  for s in np.random.SeedSequence(int(seed)).spawn(5))

    world = build_world(r_world, n_practitioners=size.practitioners, n_agencies=size.agencies,
                        n_areas=size.cops, span=span)
    needs, base = background(r_care, world, n_clients=size.clients, span=span, n_areas=size.cops)
    cop = build_cop(r_cop, world, window_start=WINDOW_START, months=months, cop_start_month=cop_start_month,
                    attend_share=attend_share, n_cops=size.cops, groups=size.groups)
    n_prac = world.prac_ids.size
    is_att = np.zeros(n_prac, dtype=bool)
    is_att[cop.attendees] = True
    tied = existing_ties(base, n_prac, among=is_att)
    pairs = added_pairs(r_pairs, world, cop, tied, cop_effect=cop_effect)
    extra = added_contacts(r_pairs, pairs, cop, span=span, month_starts=month_starts)
    log = Log.concat([base, extra])
    survey = trust_survey(r_survey, world, log, pairs, waves=[
        (int(month_starts[cop_start_month - 1]), 0, cop_day),
        (int(month_starts[months - 1]), cop_day, span),
    ])

    n_clients = needs.shape[0]
    client_ids = np.array([f"C{i + 1:06d}" for i in range(n_clients)], dtype=object)
    width = max(2, len(str(cop.session_day.size)))
    session_ids = np.array([f"S{i + 1:0{width}d}" for i in range(cop.session_day.size)], dtype=object)
    names = cop_names(size.cops, size.groups)
    _write.write_agencies(out / "agencies.csv", world)
    _write.write_practitioners(out / "practitioners.csv", world, WINDOW_START, span)
    _write.write_contacts(out / "contacts.csv", log, world.prac_ids, client_ids, WINDOW_START)
    _write.write_attendance(out / "cop_attendance.csv", cop, world.prac_ids, session_ids, names, WINDOW_START)
    _write.write_clients(out / "clients.csv", client_ids, needs, NEEDS)
    _write.write_survey(out / "trust_survey.csv", survey, world.prac_ids, WINDOW_START)

    iso = lambda d: str(_write.iso_days(WINDOW_START, [d])[0])  # noqa: E731
    new_ties = np.bincount(pairs.ravel(), minlength=n_prac)
    n_att = cop.attendees.size
    truth = {
        "generator": "netdash.demo",
        "generator_version": GENERATOR_VERSION,
        "seed": int(seed),
        "scale": scale if isinstance(scale, str) else "custom",
        # groups is listed only when used, so one-COP-per-locality output is unchanged.
        "scale_parameters": {k: v for k, v in asdict(size).items() if k != "groups" or v != 1},
        "cop_effect": cop_effect,
        "attend_share": attend_share,
        "months": int(months),
        "cop_start_month": int(cop_start_month),
        "window": {"start": iso(0), "end": iso(span)},
        "cop_start": iso(cop_day),
        "periods": {"convention": "half-open [start, end)",
                    "before": {"start": iso(0), "end": iso(cop_day)},
                    "after": {"start": iso(cop_day), "end": iso(span)}},
        "cops": [{"cop_name": str(names[c]),
                  "sessions": [{"session_id": str(session_ids[s]), "date": iso(cop.session_day[s])}
                               for s in np.flatnonzero(cop.session_cop == c)]} for c in range(names.size)],
        "attendee_selection": "from practitioners in post for the whole window; more likely with higher "
                              "baseline activity, in outreach/housing/mental health/substance use, and for "
                              "team leaders (time-invariant traits)",
        "attendees": [{"practitioner_id": str(world.prac_ids[p]), "cop_name": str(names[cop.cop[i]]),
                       "sessions_attended": int(cop.sessions_attended[i]), "added_ties": int(new_ties[p])}
                      for i, p in enumerate(cop.attendees)],
        "added_pairs": [[str(world.prac_ids[a]), str(world.prac_ids[b])] for a, b in pairs],
        "expected_did": {
            "measure": "distinct cross-agency colleagues with at least one direct contact (either direction) "
                       "in the period, per practitioner",
            "comparison": "mean(after - before) of attendees minus mean(after - before) of non-attendees",
            "value": cop_effect,
            "realised_added_mean": (2 * len(pairs) / n_att) if n_att else 0.0,
        },
        "counts": {"agencies": int(world.agency_ids.size), "practitioners": int(n_prac),
                   "clients": int(n_clients), "contacts": int(log.day.size),
                   "cop_attendance": int(cop.attended.sum()), "cop_sessions": int(cop.session_day.size),
                   "trust_survey": int(survey["day"].size), "attendees": int(n_att),
                   "added_pairs": int(len(pairs)), "added_contacts": int(extra.day.size)},
    }
    _write.write_json(out / "ground_truth.json", truth)
    return out
