"""Validate raw tables against the contract in :mod:`netdash.schema`.

Every problem in every file is collected before anything is reported; the
same problem on many rows is one message listing the rows. See
``docs/data.md`` for the rules users are told about.
"""

import numpy as np
import pandas as pd

from netdash.dataset import conform
from netdash.ingest.coded import coded_objects, lookup, strings_or_none, rows_by_value, same_values
from netdash.ingest.checks import TableCheck, quoted_examples
from netdash.ingest.mapping import REFERENCES, suggest_mapping, unmapped_column_hints
from netdash.ingest.options import DEFAULT_MIN_DATE, direction_evidence
from netdash.ingest.problems import Problem, ValidationReport, join_names
from netdash.schema import CONTACT_TYPES, SECTORS, TABLES

__all__ = ["validate", "validate_and_build"]

_NOUN = {"agencies": "agency", "practitioners": "practitioner", "clients": "client"}
# Event dates after today are typos; a practitioner may be due to start later.
_FUTURE = {"contacts": "error", "cop_attendance": "error", "trust_survey": "error"}
_MUST_HAVE_ROWS = ("agencies", "practitioners", "contacts")


def validate(raw_tables, *, dayfirst=False, today=None, min_date=None, directed=True):
    """Check raw tables and parse them into canonical frames.

    Parameters
    ----------
    raw_tables : dict
        ``{table: RawTable}`` from :func:`netdash.ingest.read_source`.
    dayfirst : bool
        Also accept ``DD/MM/YYYY`` dates. ISO dates are always accepted.
    today : date-like, optional
        Dates after this day are errors in contacts, attendance and the
        survey. Defaults to today.
    min_date : date-like, optional
        Dates before this day are errors (default 1990-01-01,
        :data:`netdash.ingest.options.DEFAULT_MIN_DATE`).
    directed : bool, default True
        How contacts will be read; only changes the wording of the warning
        giving the evidence for direction.

    Returns
    -------
    ValidationReport
        ``.tables`` holds the canonical frames when ``.ok``; self-contacts
        lose their colleague part, and rows left naming nobody are dropped.
        Client IDs are not yet pseudonymised.
    """
    return validate_and_build(raw_tables, dayfirst=dayfirst, today=today, min_date=min_date, directed=directed)


def validate_and_build(raw_tables, *, dayfirst=False, today=None, recode=None, min_date=None, directed=True,
                       codes=None):
    """As :func:`validate`; ``recode`` maps a column to a function of its distinct values.

    Each function gets an object Series of the distinct stripped values of that
    column (None for blank) and returns their replacements, which are then spread
    to rows: :func:`netdash.ingest.load_dataset` pseudonymises ``client_id`` this
    way, hashing each client once however many contacts name them. ``codes``, a
    dict, receives ``{(table, column): (codes, values)}`` for the built tables'
    text columns (``values[codes]`` is the column), which
    :func:`netdash.ingest.load_dataset` leaves in the dataset's memo
    (:func:`netdash.dataset.keep_column_codes`).
    """
    report = ValidationReport()
    today = pd.Timestamp.today().normalize() if today is None else pd.Timestamp(today).normalize()
    earliest = DEFAULT_MIN_DATE if min_date is None else pd.Timestamp(min_date).normalize()
    for name in getattr(raw_tables, "ignored", []):
        report.add(Problem(name, (), None, "not a netdash table, so it was ignored. Table files are named "
                           + ", ".join(t.filename for t in TABLES.values()) + ".", "warning"))
    checks = {}
    # Only a column outside the contract can be a hint (unmapped_column_hints): look IDs up only then.
    unmapped = any(set(map(str, raw.frame.columns)) - set(TABLES[name].column_names())
                   for name, raw in raw_tables.items() if name in TABLES)
    known = _known_ids(raw_tables) if unmapped else {}
    for name, spec in TABLES.items():
        raw = raw_tables.get(name)
        if raw is None:
            if spec.required:
                report.add(Problem(spec.filename, (), None, "the file is missing; every dataset needs "
                                   + join_names(t.filename for t in TABLES.values() if t.required)
                                   + ". Download the template to see their columns."))
            continue
        t = _structure(name, raw, report, known)
        if t is not None:
            checks[name] = t
            _cells(t, dayfirst=dayfirst, today=today, earliest=earliest)
    _cross_table(checks)
    order = {t.filename: i for i, t in enumerate(TABLES.values())}
    order.update({t.label: order.get(f"{name}.csv", 99) for name, t in checks.items()})
    for problems in (report.errors, report.warnings):
        problems.sort(key=lambda p: (order.get(p.file, -1), p.rows[:1] or (0,)))
    if report.ok:
        label = checks["contacts"].label
        # Each table's checks are let go once its frame is built: they hold as much again (issue 18).
        report.tables = {name: _canonical(checks.pop(name, None), name, recode or {}, codes) for name in TABLES}
        evidence = direction_evidence(report.tables["contacts"], directed=directed, label=label, codes=codes)
        if evidence is not None:
            report.add(evidence)
    return report


def _known_ids(raw_tables):
    """The IDs in each file other columns refer to (:data:`netdash.ingest.mapping.REFERENCES`), as read."""
    known = {}
    for table in set(REFERENCES.values()):
        raw = raw_tables.get(table)
        column = TABLES[table].key[0] if TABLES[table].key else None
        if raw is None or column not in raw.frame.columns:
            continue
        ids = raw.frame[column].astype("string").str.strip()
        known[table] = set(ids[ids.notna() & (ids != "")].unique())
    return known


def _structure(name, raw, report, known=None):
    spec = TABLES[name]
    label, frame = raw.label, raw.frame
    canonical = spec.column_names()
    missing = [c for c in spec.required_columns() if c not in frame.columns]
    extra = [str(c) for c in frame.columns if c not in canonical]
    hints = unmapped_column_hints(frame[extra], name, known=known) if extra else []
    if missing:
        guess = {ours: theirs for theirs, ours in suggest_mapping(extra, name).items() if ours in missing}
        guess.update({h.canonical: h.column for h in hints if h.canonical in missing and h.canonical not in guess})
        hint = "".join(f" {theirs!r} looks like {ours}." for ours, theirs in guess.items())
        report.hints.extend(h for h in hints if h.canonical in missing)
        found = ", ".join(repr(c) for c in raw.columns_found) or "none"
        report.add(Problem(label, (raw.header_row,), missing[0],
                           f"required column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                           f"{'are' if len(missing) > 1 else 'is'} missing. Found columns: {found}.{hint} Rename "
                           "the columns in the file, or map them (--mapping, or the mapping step when "
                           "uploading)."))
        return None
    # An unmapped column that looks like a netdash column is asked about first, never silently ignored.
    for h in hints:
        report.hints.append(h)
        report.add(Problem(label, (raw.header_row,), h.canonical, f"{h.question()} It is not mapped, so netdash "
                           f"ignored it. {h.how()}", "warning"))
    unused = [c for c in extra if c not in {h.column for h in hints}]
    if unused:
        report.add(Problem(label, (raw.header_row,), None, f"column{'s' if len(unused) > 1 else ''} "
                           f"{quoted_examples(unused, cap=10)} {'are' if len(unused) > 1 else 'is'} not used by "
                           "netdash and was ignored.", "warning"))
    if frame.empty:
        severity = "error" if name in _MUST_HAVE_ROWS else "warning"
        consequence = "add its rows" if severity == "error" else "nothing from it is used"
        report.add(Problem(label, (), None, f"the table has a header but no rows; {consequence}.", severity))
    t = TableCheck(name, label, frame[[c for c in canonical if c in frame.columns]], report)
    t.hints = {h.canonical: (h, frame[h.column]) for h in hints}
    return t


def _cells(t, *, dayfirst, today, earliest):
    spec = TABLES[t.name]
    t.required_blanks(spec.required_columns())
    for col in spec.columns:
        if col.kind == "date":
            t.dates(col.name, dayfirst=dayfirst, today=today, required=col.required,
                    future=_FUTURE.get(t.name, "warning" if col.name == "start_date" else None), earliest=earliest)
        elif col.kind == "number" and col.name == "weight":
            t.numbers(col.name, positive=True)
        elif col.kind == "number":
            t.numbers(col.name)
        elif col.kind == "int":
            t.numbers(col.name, whole_1_to_4=True)
    if spec.key:
        t.unique_key(spec.key[0], _NOUN.get(t.name, "row"))
    if t.name == "agencies":
        t.vocabulary("sector", SECTORS)
    if t.name == "contacts":
        t.vocabulary("contact_type", CONTACT_TYPES)
    if t.name == "practitioners":
        start, end = t.values["start_date"], t.values["end_date"]
        wrong = end < start
        if wrong.any():
            first = wrong.idxmax()
            t.add_mask(wrong, "end_date", f"end_date is before start_date (row {first}: "
                       f"{end[first].date().isoformat()} is before {start[first].date().isoformat()}). Correct the "
                       "dates, or leave end_date empty if the practitioner is still in post.")


def _ids(checks, name, column):
    t = checks.get(name)
    if t is None or column not in t.text.columns:
        return None
    values = t.text[column]
    cats = values.cat.categories.to_numpy(dtype=object)
    used = np.bincount(values.cat.codes.to_numpy(), minlength=cats.size) > 0
    return cats[used & (cats != "")]


def _cross_table(checks):
    agencies = _ids(checks, "agencies", "agency_id")
    staff = _ids(checks, "practitioners", "practitioner_id")
    plabel = checks["practitioners"].label if "practitioners" in checks else "practitioners.csv"
    alabel = checks["agencies"].label if "agencies" in checks else "agencies.csv"
    if "practitioners" in checks:
        checks["practitioners"].references("agency_id", agencies, alabel, "agency")
    for name, cols in (("contacts", ("practitioner_id", "with_practitioner_id")),
                       ("cop_attendance", ("practitioner_id",)), ("trust_survey", ("rater_id", "ratee_id"))):
        for col in cols:
            if name in checks:
                checks[name].references(col, staff, plabel, "practitioner")
    if "contacts" not in checks:
        return
    c = checks["contacts"]
    clients = _ids(checks, "clients", "client_id")
    if clients is not None and len(clients):
        c.references("client_id", clients, checks["clients"].label, "client", severity="warning")
    no_client, no_colleague = c.blank("client_id"), c.blank("with_practitioner_id")
    nobody = no_client & no_colleague
    if nobody.any():
        advice = _unmapped_advice(c, nobody, ("with_practitioner_id", "client_id"))
        c.add_mask(nobody, None, "the contact names neither a client_id nor a with_practitioner_id. " + (
            "Every contact names a client, a colleague or both. " + advice
            + "Only if a contact really names nobody, fill one in or delete the row." if advice else
            "Every contact names a client, a colleague or both; fill one in or delete the row."))
    if "with_practitioner_id" in c.text.columns:
        selfc = ~no_colleague & same_values(c.text["with_practitioner_id"], c.text["practitioner_id"])
        c.add_mask(selfc, "with_practitioner_id", "with_practitioner_id is the same as practitioner_id, and a "
                   "practitioner cannot contact themselves. The colleague part was ignored, and rows without a "
                   "client_id were dropped.", "warning")
        c.values["_self"] = selfc
    if "practitioners" in checks:
        _employment(c, checks["practitioners"], plabel)


def _unmapped_advice(t, rows, columns):
    """Before any advice to delete ``rows``: the unmapped columns that hold values there and look like ``columns``.

    Returns "" when there is none; otherwise sentences ending with the
    mapping to make and a space, so that "fill in or delete" comes after and
    is read as the last resort it is.
    """
    advice = []
    for canonical in columns:
        found = getattr(t, "hints", {}).get(canonical)
        if found is None:
            continue
        hint, values = found
        filled = values.astype("string").str.strip()
        here = int((filled.notna() & (filled != "")).reindex(rows.index).fillna(False)[rows.to_numpy()].sum())
        if here:
            n = int(rows.sum())
            share = f"all {n:,} of these rows" if here == n else f"{here:,} of these {n:,} rows"
            advice.append(f"First: {hint.question()} It has a value in {share}. {hint.how()} ")
    return "".join(advice)


def _employment(c, p, plabel):
    post = pd.DataFrame({"start": p.values["start_date"].to_numpy(), "end": p.values["end_date"].to_numpy()},
                        index=p.text["practitioner_id"].to_numpy())
    post = post[~post.index.duplicated()]
    if post.empty:  # no practitioners at all: reported as an empty table elsewhere
        return
    who = c.text["practitioner_id"]
    # Look each practitioner up once, then spread to their contacts by code.
    at = post.index.get_indexer(who.cat.categories.to_numpy(dtype=object))
    nat = np.datetime64("NaT", "ns")
    start = lookup(who, np.where(at >= 0, post["start"].to_numpy("datetime64[ns]")[at], nat))
    end = lookup(who, np.where(at >= 0, post["end"].to_numpy("datetime64[ns]")[at], nat))
    date = c.values["date"].to_numpy("datetime64[ns]")
    outside = pd.Series((date < start) | (date > end), index=who.index)
    for pid, rows in sorted(rows_by_value(c.text.index, who, outside.to_numpy()), key=lambda item: item[0]):
        s, e = post.loc[pid, "start"], post.loc[pid, "end"]
        span = f"{'?' if pd.isna(s) else s.date()} to {'now' if pd.isna(e) else e.date()}"
        c.add(rows, "date", f"practitioner {pid!r} has contacts dated outside their time in post ({span} in "
              f"{plabel}). They were kept; check the dates.", "warning")


def _canonical(t, name, recode, codes=None):
    """The canonical frame of a validated table (an empty one when the table was not supplied).

    ``recode`` maps a column name to a function applied to its distinct values (an
    object Series, None for blank) before they are spread to rows. ``codes``, if
    given, receives ``{(table, column): (codes, values)}`` for the text columns,
    with ``values[codes]`` the column (see :func:`netdash.dataset.keep_column_codes`).
    """
    if t is None:
        return conform(None, name)
    spec = TABLES[t.name]
    columns, coded = {}, {}
    for col in spec.columns:
        if col.name not in t.text.columns:
            continue  # not supplied: conform() makes it empty (or 1 for weight) in its own dtype, once
        if col.name in t.values:
            columns[col.name] = t.values[col.name].to_numpy()
        elif col.name in t.text.columns:
            # One shared Python string per distinct ID, not one per row.
            coded[col.name] = coded_objects(t.text[col.name], recode=recode.get(col.name))
            columns[col.name] = coded[col.name][1][coded[col.name][0]]
    if t.name == "contacts" and "_self" in t.values:
        selfc = t.values["_self"].to_numpy()
        if selfc.any():
            columns["with_practitioner_id"][selfc] = None
            if "with_practitioner_id" in coded:
                partner, values = coded["with_practitioner_id"]
                partner = partner.astype(np.int32)  # a copy, wide enough for one more value
                partner[selfc] = len(values)
                coded["with_practitioner_id"] = (partner, np.r_[values, None])
            drop = selfc & (columns["client_id"] == None) if "client_id" in columns else selfc  # noqa: E711
            if drop.any():
                # Each column filtered as it is built, not the whole frame copied at once (issue 18).
                keep = ~drop
                for name in columns:
                    columns[name] = columns[name][keep]
                coded = {name: (c[keep], values) for name, (c, values) in coded.items()}
    # The cells as read and their codes are not needed once the columns are built: let them go before the
    # frame is conformed, so they do not add to the peak (docs/security.md, "Memory").
    table = t.name
    t.raw = t.text = None
    t.values = {}
    # dtype=object: pandas would otherwise copy the strings into an Arrow string column.
    out = pd.DataFrame({name: pd.Series(values, dtype=object if values.dtype == object else None, copy=False)
                        for name, values in columns.items()}, copy=False)
    del columns
    if codes is not None:
        codes.update({(table, column): value for column, value in coded.items()})
    # A text column is values[codes]: it holds only strings and None when its distinct values do (checked
    # once each here instead of cell by cell in conform: millions of cells, issue 19).
    clean = [column for column, (_, values) in coded.items() if strings_or_none(values)]
    return conform(out, table, clean=clean)
