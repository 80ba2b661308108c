"""Write the demo tables as the raw CSVs a user would supply (private to :mod:`netdash.demo`).

Output is byte-identical for identical inputs: rows are sorted on every
column that could tie, numbers are integers and line endings are ``\\n``.
"""

import json

import numpy as np
import pandas as pd

from netdash.schema import CONTACT_TYPES, SECTORS, TABLES

__all__ = []


def iso_days(window_start, days):
    """ISO strings for integer day offsets from ``window_start``."""
    base = np.datetime64(window_start, "D")
    return np.datetime_as_string(base + np.asarray(days, dtype=np.int64), unit="D")


def _lookup(strings):
    """Strings with a trailing ``""`` so index -1 means "absent"."""
    return np.append(np.asarray(strings, dtype=object), "")


def _write(frame, path, table):
    spec = TABLES[table]
    # The schema's columns in order; optional ones the demo has no use for (e.g. a contact weight) left out.
    if list(frame.columns) != [c for c in spec.column_names() if c in frame.columns] or not set(
            spec.required_columns()) <= set(frame.columns):
        raise RuntimeError(f"demo writer out of step with schema for {table}")  # a bug, not user input
    frame.to_csv(path, index=False, lineterminator="\n")


def write_agencies(path, world):
    frame = pd.DataFrame({"agency_id": world.agency_ids, "name": world.agency_names,
                          "sector": np.array(SECTORS, dtype=object)[world.agency_sector]})
    _write(frame, path, "agencies")


def write_practitioners(path, world, window_start, span):
    end = iso_days(window_start, np.minimum(world.prac_end, span)).astype(object)
    end[world.prac_end >= span] = ""
    frame = pd.DataFrame({"practitioner_id": world.prac_ids, "agency_id": world.agency_ids[world.prac_agency],
                          "name": world.prac_names, "role": world.prac_roles,
                          "start_date": iso_days(window_start, world.prac_start), "end_date": end})
    _write(frame, path, "practitioners")


def write_contacts(path, log, prac_ids, client_ids, window_start):
    order = np.lexsort((log.minutes, log.ctype, log.client, log.other, log.actor, log.day))
    pid = _lookup(prac_ids)
    days = np.arange(log.day.min(), log.day.max() + 1) if log.day.size else np.zeros(0, np.int64)
    day_str = iso_days(window_start, days).astype(object)
    # Object columns (shared strings): pandas would otherwise copy millions of them into
    # Arrow strings and back again to write the CSV.
    text = lambda values: pd.Series(values, dtype=object)  # noqa: E731
    frame = pd.DataFrame({
        "date": text(day_str[log.day[order] - (days[0] if days.size else 0)]),
        "practitioner_id": text(pid[log.actor[order]]),
        "client_id": text(_lookup(client_ids)[log.client[order]]),
        "with_practitioner_id": text(pid[log.other[order]]),
        "contact_type": text(np.array(CONTACT_TYPES, dtype=object)[log.ctype[order]]),
        "duration_minutes": log.minutes[order],
    })
    _write(frame, path, "contacts")


def write_attendance(path, cop, prac_ids, session_ids, cop_names, window_start):
    att, ses = np.nonzero(cop.attended)
    order = np.lexsort((prac_ids[cop.attendees[att]], ses))
    att, ses = att[order], ses[order]
    frame = pd.DataFrame({"session_id": session_ids[ses],
                          "date": iso_days(window_start, cop.session_day[ses]),
                          "practitioner_id": prac_ids[cop.attendees[att]],
                          "cop_name": cop_names[cop.session_cop[ses]]})
    _write(frame, path, "cop_attendance")


def write_clients(path, client_ids, needs, need_names):
    k = len(need_names)
    # One string per combination of needs, looked up by the needs' bit pattern.
    table = np.array([";".join(n for i, n in enumerate(need_names) if code >> i & 1) for code in range(2**k)],
                     dtype=object)
    joined = table[needs.astype(np.int64) @ (1 << np.arange(k))]
    _write(pd.DataFrame({"client_id": client_ids, "needs": joined}), path, "clients")


def write_survey(path, survey, prac_ids, window_start):
    order = np.lexsort((survey["ratee"], survey["rater"], survey["day"]))
    frame = pd.DataFrame({
        "date": iso_days(window_start, survey["day"][order]),
        "rater_id": prac_ids[survey["rater"][order]],
        "ratee_id": prac_ids[survey["ratee"][order]],
        **{k: survey[k][order] for k in ("trust", "reliability", "openness", "shared_mission")},
    })
    _write(frame, path, "trust_survey")


def write_json(path, payload):
    path.write_text(json.dumps(payload, indent=1, sort_keys=True) + "\n", encoding="utf-8")
