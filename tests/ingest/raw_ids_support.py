"""Datasets whose client IDs are distinctive strings, and a search for those IDs in bytes (issue 18).

Every raw ID holds a *core* of letters and digits (``RAWID`` + a tag + ``XQ``)
that nothing netdash writes can contain by chance: pseudonyms are ``c_`` +
lower-case hex. Searching every written byte for each core, case-insensitively
and also as UTF-16, therefore finds a raw ID whatever was done to the rest of
it (surrounding spaces trimmed, ``<`` escaped as ``&lt;``, quoted by ``repr``).
"""

import csv
import io
import re
from pathlib import Path

import pandas as pd

GOOD = Path(__file__).resolve().parents[1] / "data" / "good"

__all__ = ["GOOD", "raw_id", "core", "find_raw_ids", "warning_dataset", "error_dataset", "mixed_error_dataset",
           "old_warning_dataset", "write_folder", "csv_bytes"]


def raw_id(tag, *, before="", after=""):
    """A raw client ID whose core is ``RAWID<tag>XQ``, with ``before`` and ``after`` around it."""
    return f"{before}RAWID{tag}XQ{after}"


def core(value):
    """The distinctive core of a raw ID made by :func:`raw_id`."""
    return re.search(r"RAWID[0-9A-Za-z]+XQ", value, flags=re.IGNORECASE).group()


def find_raw_ids(blob, ids):
    """The raw IDs (of ``ids``) whose core appears in ``blob`` (bytes), case-insensitively or as UTF-16."""
    lower = blob.lower()
    found = []
    for value in ids:
        c = core(value)
        if c.lower().encode() in lower or c.encode("utf-16-le") in blob or c.upper().encode("utf-16-le") in blob:
            found.append(value)
    return found


def _good():
    return {p.name: pd.read_csv(p, dtype=str, keep_default_na=False) for p in sorted(GOOD.glob("*.csv"))}


def csv_bytes(frame):
    out = io.StringIO()
    frame.to_csv(out, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    return out.getvalue().encode("utf-8")


def _contacts_naming(frame, clients):
    """``frame`` plus one contact by P1 for each of ``clients`` (dated within P1's time in post)."""
    rows = [{"date": "2024-03-01", "practitioner_id": "P1", "client_id": c, "with_practitioner_id": "",
             "contact_type": "visit", "duration_minutes": "20"} for c in clients]
    return pd.concat([frame, pd.DataFrame(rows)], ignore_index=True).fillna("")


def warning_dataset(n_unknown=25):
    """Files that import, with warnings: contacts name clients missing from clients.csv.

    Returns ``(files, raw_ids)``: ``{file_name: bytes}`` and every raw client ID in them.
    The unknown IDs are more than netdash lists one by one (20), so the old
    summary path is covered too; one differs from a known ID only in case, one
    has HTML in it, one non-ASCII letters, and one surrounding spaces.
    """
    frames = _good()
    known = [raw_id("KNOWNCASE"), raw_id("KNOWNSPACED"), raw_id("KNOWNUNICODE", after="ÜÅ")]
    clients = pd.concat([frames["clients.csv"], pd.DataFrame({"client_id": known, "needs": "housing"})],
                        ignore_index=True)
    unknown = [raw_id(f"UNKNOWN{i:02d}") for i in range(n_unknown)]
    unknown += [raw_id("KNOWNCASE").lower(), raw_id("HTML", before="<b>", after="</b>"), raw_id("ETRANGE", before="É")]
    named = unknown + [f"  {raw_id('KNOWNSPACED')} ", raw_id("KNOWNUNICODE", after="ÜÅ")] + unknown[:3]  # repeats
    frames["clients.csv"] = clients
    frames["contacts.csv"] = _contacts_naming(frames["contacts.csv"], named)
    return {name: csv_bytes(f) for name, f in frames.items()}, known + unknown


def error_dataset():
    """Files that are refused: clients.csv lists IDs twice, with spaces, and in two cases.

    Contacts also name unknown clients (a warning reported beside the errors).
    Returns ``(files, raw_ids)``.
    """
    frames = _good()
    dup, spaced, clash = raw_id("DUP01"), raw_id("DUPSPACED02"), raw_id("CLASH03")
    listed = [dup, dup, spaced, f" {spaced}", clash, clash.lower()]
    listed += [raw_id(f"MANYDUP{i:02d}") for i in range(22) for _ in range(2)]  # more groups than listed one by one
    frames["clients.csv"] = pd.concat([frames["clients.csv"], pd.DataFrame({"client_id": listed, "needs": ""})],
                                      ignore_index=True)
    unknown = [raw_id("ERRUNKNOWN01"), raw_id("ERRUNKNOWN02")]
    frames["contacts.csv"] = _contacts_naming(frames["contacts.csv"], unknown)
    return {name: csv_bytes(f) for name, f in frames.items()}, sorted(set(listed)) + unknown


def mixed_error_dataset():
    """Files refused for a practitioner error, while their contacts also name unknown clients."""
    frames = _good()
    unknown = [raw_id("MIXED01"), raw_id("MIXED02")]
    contacts = _contacts_naming(frames["contacts.csv"], unknown)
    contacts.loc[len(contacts) - 1, "practitioner_id"] = "P-019"
    frames["contacts.csv"] = contacts
    return {name: csv_bytes(f) for name, f in frames.items()}, unknown


def old_warning_dataset():
    """Files that import with warnings each of which netdash before issue 18 stored quoting a raw ID.

    Fewer unknown IDs than netdash listed one by one, so every path of the old
    message appears: a plain unknown ID, one differing from a known ID only in
    case (the old "Did you mean 'RAWID...'?" quoted the known client's raw ID
    too), a placeholder ("If there is none, leave the cell empty."), and IDs
    whose ``repr`` holds HTML, non-ASCII letters, both quote characters and a
    backslash. ``tests/data/old_workspace`` holds what that netdash stored for
    them (see its README). Returns ``(files, raw_ids)``.
    """
    frames = _good()
    known = [raw_id("OLDKNOWNCASE"), raw_id("OLDKNOWNPLAIN")]
    frames["clients.csv"] = pd.concat([frames["clients.csv"], pd.DataFrame({"client_id": known, "needs": "housing"})],
                                      ignore_index=True)
    unknown = [raw_id("OLDUNKNOWN01"), raw_id("OLDUNKNOWN02"), raw_id("OLDKNOWNCASE").lower(),
               raw_id("OLDHTML", before="<i>", after="</i>"), raw_id("OLDETRANGE", before="Ø", after="ß"),
               raw_id("OLDQUOTES", before="O'Brien ", after='\\"2"')]
    named = unknown + [known[1], "unknown"] + unknown[:2]  # repeats: rows listed together
    frames["contacts.csv"] = _contacts_naming(frames["contacts.csv"], named)
    return {name: csv_bytes(f) for name, f in frames.items()}, known + unknown


def write_folder(files, folder):
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder
