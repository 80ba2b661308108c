"""Hostile and broken input on the import path: only an import or a clear NetdashError may come out.

Property-based tests (hypothesis) feed the one door for data,
``read_uploads`` then ``load_dataset`` (what the Data page and ``netdash
import`` run), with random bytes, truncated and corrupted files, other
delimiters and encodings, huge fields, too many columns or rows, formulas
and script in every text field, IDs that collide after trimming or case
folding, dates at the edges of the calendar, and distinctive client IDs in every
check's path (which no message may quote: issue 18). Any exception other than
:class:`~netdash.errors.NetdashError` fails the test.

Example counts: ``NETDASH_FUZZ_EXAMPLES`` (default 100 per property: one
import of a small dataset takes about 0.1-0.2 s, so the default run stays
within a few minutes). With ``NETDASH_FUZZ_REPORT=path.json`` the outcome
counts are written there; with ``NETDASH_FUZZ_COUNT_ONLY=1`` an unexpected
exception is counted (by type and the netdash line that raised it) instead
of failing, so a long campaign surveys every kind of failure.
docs/security.md quotes such a run.
"""

import codecs
import csv
import traceback
import warnings
import io
import json
import os
import zipfile
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

import hostile
from netdash.errors import NetdashError
from netdash.ingest import parse as parse_module
from netdash.ingest import load_dataset, read_uploads
from raw_ids_support import find_raw_ids, raw_id

GOOD = Path(__file__).resolve().parents[1] / "data" / "good"
GOOD_FILES = {p.name: p.read_bytes() for p in sorted(GOOD.glob("*.csv"))}
SECRET = b"s" * 32
TODAY = "2030-01-01"
EXAMPLES = int(os.environ.get("NETDASH_FUZZ_EXAMPLES", "100"))
COUNT_ONLY = os.environ.get("NETDASH_FUZZ_COUNT_ONLY") == "1"
# The default run is derandomised, so a strict xfail on a known bug is stable; campaigns explore.
# Each property is marked slow: `make check` leaves fuzzing out, `make test` (CI) runs it.
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize="NETDASH_FUZZ_EXAMPLES" not in os.environ,
                database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture])
PAYLOADS = [*hostile.PAYLOADS, "=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", '"', "'",
            "\u202eevil", "\x00", "\r", "line\nbreak", ",", ";", "|", "{{7*7}}", "${7*7}", "%s%n", "\ufeff"]
TEXT_FIELDS = [("agencies.csv", "name"), ("agencies.csv", "sector"), ("practitioners.csv", "name"),
               ("practitioners.csv", "role"), ("contacts.csv", "contact_type"), ("cop_attendance.csv", "cop_name"),
               ("clients.csv", "needs")]

OUTCOMES = Counter()  # (property, outcome) -> cases
UNEXPECTED = Counter()  # (property, "ExceptionType in netdash/file.py:function") -> cases


# Bugs found by these properties, each pinned by a strict-xfail regression test below. While one is
# open the properties count it as known (so they still catch any *new* failure); delete the entry
# when its regression test starts passing.
KNOWN_BUGS = {
}


def _signature(exc):
    """``"Type in netdash/file.py:function"`` of the innermost netdash frame of an exception."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/netdash/" in f.filename]
    if not frames:
        return type(exc).__name__
    where = Path(frames[-1].filename).relative_to(Path(__file__).resolve().parents[2])
    return f"{type(exc).__name__} in {where.as_posix()}:{frames[-1].name}"


def _outcome(prop, files, **kwargs):
    """Import ``files``; return ``("imported", dataset)`` or ``("rejected", error)``; anything else raises."""
    try:
        dataset, _ = load_dataset(read_uploads(files), secret=SECRET, today=TODAY, **kwargs)
    except Exception as exc:  # noqa: BLE001 - sorted below: only NetdashError is acceptable
        if isinstance(exc, NetdashError):
            return _rejected(prop, exc)
        signature = _signature(exc)
        UNEXPECTED[(prop, signature)] += 1
        if signature in KNOWN_BUGS:
            OUTCOMES[(prop, "known bug (strict xfail test)")] += 1
            return "known bug", exc
        OUTCOMES[(prop, "unexpected exception")] += 1
        if COUNT_ONLY:
            return "unexpected", exc
        raise
    OUTCOMES[(prop, "imported")] += 1
    return "imported", dataset


def _rejected(prop, err):
    message = str(err)
    assert message.strip() and "Traceback" not in message, f"unclear message: {message!r}"
    OUTCOMES[(prop, "rejected with a NetdashError")] += 1
    return "rejected", err


@pytest.fixture(scope="module", autouse=True)
def _report_outcomes():
    yield
    path = os.environ.get("NETDASH_FUZZ_REPORT")
    if path:
        summary = {"examples_per_property": EXAMPLES, "cases": {}}
        for (prop, outcome), n in sorted(OUTCOMES.items()):
            summary["cases"].setdefault(prop, {})[outcome] = n
        summary["total"] = sum(OUTCOMES.values())
        summary["unexpected"] = {f"{prop}: {sig}": n for (prop, sig), n in sorted(UNEXPECTED.items())}
        Path(path).write_text(json.dumps(summary, indent=2), encoding="utf-8")


def _frames():
    return {name: pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False) for name, data in GOOD_FILES.items()}


def _csv_bytes(frame, *, delimiter=",", encoding="utf-8", lineterminator="\r\n"):
    # Python's csv writer quotes a field only for characters of its own line terminator: with "\r\n"
    # (Excel's) a value holding a bare CR or LF is quoted, as a spreadsheet would write it.
    out = io.StringIO()
    frame.to_csv(out, index=False, sep=delimiter, quoting=csv.QUOTE_MINIMAL, lineterminator=lineterminator)
    return out.getvalue().encode(encoding)


def test_the_base_dataset_imports():
    assert _outcome("base", dict(GOOD_FILES))[0] == "imported"


# ---- bytes ----------------------------------------------------------------------------------------

@pytest.mark.slow
@FUZZ
@given(target=st.sampled_from(sorted(GOOD_FILES) + ["book.xlsx", "data.zip", "contacts.parquet"]),
       blob=st.binary(max_size=5000))
@example(target="contacts.csv", blob=b"\xff\xfe\x00")
@example(target="contacts.csv", blob=b'date,practitioner_id\n"2024-01-01')
@example(target="data.zip", blob=b"PK\x05\x06" + b"\x00" * 18)
def test_random_bytes_in_any_file(target, blob):
    files = dict(GOOD_FILES)
    files[target] = blob
    kind, _ = _outcome("random bytes", files)
    if target.endswith(".csv") and not blob.strip():
        assert kind == "rejected"


@pytest.mark.slow
@FUZZ
@given(target=st.sampled_from(sorted(GOOD_FILES)), data=st.data())
def test_truncated_or_corrupted_files(target, data):
    original = GOOD_FILES[target]
    how = data.draw(st.sampled_from(["truncate", "flip", "insert", "delete"]))
    at = data.draw(st.integers(0, len(original)))
    if how == "truncate":
        mutated = original[:at]
    elif how == "flip":
        byte = data.draw(st.integers(0, 255))
        mutated = original[:at] + bytes([byte]) + original[at + 1:]
    elif how == "insert":
        mutated = original[:at] + data.draw(st.binary(min_size=1, max_size=50)) + original[at:]
    else:
        mutated = original[:at] + original[at + data.draw(st.integers(1, 40)):]
    files = dict(GOOD_FILES)
    files[target] = mutated
    _outcome("truncated or corrupted file", files)


ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "latin-1", "cp1252", "utf-32"]


@pytest.mark.slow
@FUZZ
@given(encoding=st.sampled_from(ENCODINGS), delimiter=st.sampled_from([",", ";", "\t", "|", ":"]),
       sep_hint=st.booleans(), crlf=st.booleans(), name=st.text(max_size=30))
@example(encoding="latin-1", delimiter=",", sep_hint=False, crlf=False, name="\u00c2\x80")
def test_encodings_delimiters_and_line_endings(encoding, delimiter, sep_hint, crlf, name):
    frames = _frames()
    frames["practitioners.csv"].loc[0, "name"] = name
    files = dict(GOOD_FILES)
    text = _csv_bytes(frames["practitioners.csv"], delimiter=delimiter,
                      lineterminator="\r\n" if crlf else "\n").decode("utf-8")
    if sep_hint:
        text = f"sep={delimiter}" + ("\r\n" if crlf else "\n") + text
    try:
        files["practitioners.csv"] = text.encode(encoding)
    except UnicodeEncodeError:
        assume(False)
    kind, result = _outcome("encodings and delimiters", files)
    if kind == "imported":
        # Latin-1 bytes that also happen to be valid UTF-8 (e.g. 'Â\x80') are read as UTF-8.
        expected = name.encode(encoding).decode("utf-8") if encoding in ("latin-1", "cp1252") else name
        assert (result.practitioners["name"].iloc[0] or "") == expected.strip()
    # UTF-16 without a byte order mark and UTF-32 are refused as binary, with advice (documented).
    readable = encoding in ("utf-8", "utf-8-sig", "utf-16") or (text.isascii() and encoding in ("latin-1", "cp1252"))
    # With LF line ends a bare CR in the name is written unquoted, and any CSV reader ends the row there.
    if readable and delimiter != ":" and "\x00" not in name and (crlf or "\r" not in name):
        assert kind == "imported", str(result)


# ---- limits ---------------------------------------------------------------------------------------

def test_a_million_columns_is_refused_with_the_limit(tmp_path):
    files = dict(GOOD_FILES)
    files["contacts.csv"] = (",".join(f"c{i}" for i in range(1_000_000)) + "\n").encode()
    kind, err = _outcome("limits", files)
    assert kind == "rejected"
    assert "the header has 1000000 columns; the limit is 200" in str(err)


def test_rows_over_the_limit_are_refused(monkeypatch):
    monkeypatch.setattr(parse_module, "MAX_ROWS", 1_000)
    files = dict(GOOD_FILES)
    files["contacts.csv"] = GOOD_FILES["contacts.csv"] + b"2024-01-10,P1,C001,,visit,30\n" * 1_500
    kind, err = _outcome("limits", files)
    assert kind == "rejected" and "more than 1,000 lines" in str(err)


@pytest.mark.slow
@FUZZ
@given(size=st.integers(parse_module.MAX_FIELD_CHARS - 5, parse_module.MAX_FIELD_CHARS * 3),
       field=st.sampled_from(TEXT_FIELDS), char=st.sampled_from(["x", "é", "<", '"', ",", "\n"]))
def test_huge_fields(size, field, char):
    frames = _frames()
    table, column = field
    frames[table].loc[0, column] = char * size
    files = {**GOOD_FILES, table: _csv_bytes(frames[table])}
    kind, result = _outcome("huge fields", files)
    if size > parse_module.MAX_FIELD_CHARS:
        assert kind == "rejected" and "longer than 10,000 characters" in str(result)


@pytest.mark.slow
@FUZZ
@given(columns=st.integers(parse_module.MAX_COLUMNS - 2, parse_module.MAX_COLUMNS + 50),
       table=st.sampled_from(sorted(GOOD_FILES)))
def test_too_many_columns(columns, table):
    frame = _frames()[table]
    for i in range(columns - frame.shape[1]):
        frame[f"extra_{i}"] = "v"
    kind, result = _outcome("too many columns", {**GOOD_FILES, table: _csv_bytes(frame)})
    assert (kind == "rejected") == (frame.shape[1] > parse_module.MAX_COLUMNS)
    if kind == "rejected":
        assert f"the limit is {parse_module.MAX_COLUMNS}" in str(result)


# ---- text fields ----------------------------------------------------------------------------------

hostile_text = st.one_of(st.sampled_from(PAYLOADS), st.text(max_size=60),
                         st.lists(st.sampled_from(PAYLOADS), min_size=1, max_size=4).map("".join))


@pytest.mark.slow
@FUZZ
@given(field=st.sampled_from(TEXT_FIELDS), value=hostile_text, row=st.integers(0, 1))
def test_formulas_html_and_script_in_every_text_field_are_kept_as_text(field, value, row):
    table, column = field
    frames = _frames()
    frames[table].loc[row, column] = value
    kind, result = _outcome("formulas, HTML and script in text fields", {**GOOD_FILES, table: _csv_bytes(frames[table])})
    # NUL makes a file binary; an agency must have a name.
    required_blank = field == ("agencies.csv", "name") and not value.strip()
    if "\x00" not in value and not required_blank:
        assert kind == "imported", str(result)
    if kind == "imported" and column in ("name", "role", "cop_name"):
        name = {"agencies.csv": "agencies", "practitioners.csv": "practitioners",
                "cop_attendance.csv": "cop_attendance"}[table]
        stored = result.table(name)[column].iloc[row]
        assert (stored or "") == value.strip()  # verbatim: escaping is the job of whatever shows it


# ---- IDs ------------------------------------------------------------------------------------------

spelling = st.tuples(st.sampled_from(["", " ", "  ", "\t"]), st.sampled_from([str.upper, str.lower]),
                    st.sampled_from(["", " ", "\u00a0"]))


@pytest.mark.slow
@FUZZ
@given(spellings=st.lists(spelling, min_size=4, max_size=4), repeat=st.one_of(st.none(), st.integers(0, 3)))
@example(spellings=[("", str.upper, "")] * 4, repeat=None)
@example(spellings=[(" ", str.upper, " ")] + [("", str.upper, "")] * 3, repeat=0)
@example(spellings=[("", str.lower, "")] + [("", str.upper, "")] * 3, repeat=0)
def test_ids_colliding_after_trimming_or_case_folding_are_refused(spellings, repeat):
    people = _frames()["practitioners.csv"]
    ids = [lead + case(pid) + trail for (lead, case, trail), pid in zip(spellings, people["practitioner_id"])]
    people["practitioner_id"] = ids
    if repeat is not None:  # the same person again, spelled as the first one but with the case flipped
        extra = people.iloc[[repeat]].copy()
        extra["practitioner_id"] = f" {ids[repeat].strip().swapcase()} "
        people = pd.concat([people, extra], ignore_index=True)
        ids.append(extra["practitioner_id"].iloc[0])
    kind, result = _outcome("colliding IDs", {**GOOD_FILES, "practitioners.csv": _csv_bytes(people)})
    keys = [i.strip() for i in ids]
    if len({k.casefold() for k in keys}) < len(keys):
        assert kind == "rejected"
        assert "differ only in upper/lower case" in str(result) or "same ID once surrounding spaces" in str(result)
    elif all(k == k.upper() for k in keys):
        assert kind == "imported", str(result)  # only surrounding spaces differ: trimmed and accepted
        assert sorted(result.practitioners["practitioner_id"]) == ["P1", "P2", "P3", "P4"]
    else:
        assert kind == "rejected" and "Did you mean" in str(result)  # contacts say P1, the file says p1


# ---- dates ----------------------------------------------------------------------------------------

edge_dates = st.one_of(
    st.dates().map(lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}"),
    st.dates().map(lambda d: f"{d.day:02d}/{d.month:02d}/{d.year:04d}"),
    st.sampled_from(["0000-01-01", "0001-01-01", "1677-09-21", "1677-09-22", "2262-04-11", "2262-04-12",
                     "9999-12-31", "2024-02-29", "2023-02-29", "2024-02-30", "2024-13-01", "2024-00-10",
                     "2024-01-10T25:00", "2024-01-10T23:59:59.999999999+14:00", "2024-01-10 00:00Z",
                     "31/12/1969", "29/02/2100", "45000", "45000.5", "1e308", "NaT", "nan", "None",
                     "-2024-01-01", "+2024-01-01", "2024-1-1", "２０２４-０１-１０", "2024-01-10\x00"]),
    st.text(alphabet="0123456789-/.:T +Z", max_size=25),
)


@pytest.mark.slow
@FUZZ
@given(field=st.sampled_from([("contacts.csv", "date"), ("practitioners.csv", "start_date"),
                              ("practitioners.csv", "end_date"), ("cop_attendance.csv", "date"),
                              ("trust_survey.csv", "date")]),
       value=edge_dates, dayfirst=st.booleans())
@example(field=("contacts.csv", "date"), value="1677-09-21", dayfirst=False)
@example(field=("practitioners.csv", "end_date"), value="9999-12-31", dayfirst=False)
@example(field=("contacts.csv", "date"), value="0001-01-01", dayfirst=False)
def test_dates_at_the_edges_of_the_calendar(field, value, dayfirst):
    table, column = field
    frames = _frames()
    frames[table].loc[0, column] = value
    _outcome("dates at the calendar's edges", {**GOOD_FILES, table: _csv_bytes(frames[table])}, dayfirst=dayfirst)


# ---- archives -------------------------------------------------------------------------------------

member_names = st.one_of(st.sampled_from(sorted(GOOD_FILES)),
                         st.sampled_from(["../contacts.csv", "/etc/contacts.csv", "C:/contacts.csv", "a/b/contacts.csv",
                                          "__MACOSX/contacts.csv", ".contacts.csv", "book.xlsx", "contacts.parquet"]),
                         st.text(min_size=1, max_size=20))


@pytest.mark.slow
@FUZZ
@given(members=st.lists(st.tuples(member_names, st.one_of(st.sampled_from(list(GOOD_FILES.values())),
                                                          st.binary(max_size=300))), max_size=8))
def test_random_zips(members):
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w") as zf:
        warnings.simplefilter("ignore", UserWarning)  # duplicate member names are part of the test
        for name, content in members:
            try:
                zf.writestr(name, content)
            except (ValueError, UnicodeEncodeError, IndexError):  # names zipfile itself cannot write
                assume(False)
    _outcome("zip archives", {"upload.zip": buffer.getvalue()})


# ---- raw client IDs (issue 18): never in a message, never in what is stored ------------------------

raw_tag = st.text(alphabet="ABCDEFGHJKMNPQRSTUVWXYZ0123456789", min_size=3, max_size=10)
decoration = st.sampled_from(["", " ", "  ", "\u00a0", "<b>", "'", '"', "é", "\u202e", ";", "=", "-"])
placement = st.sampled_from(["unknown in contacts", "duplicated in clients", "case variant in contacts",
                             "case clash in clients", "spaces clash in clients", "known", "unknown and bad row"])


@pytest.mark.slow  # fuzzing
@FUZZ
@given(ids=st.lists(st.tuples(raw_tag, placement, decoration, decoration), min_size=1, max_size=30,
                    unique_by=lambda t: t[0]))
def test_raw_client_ids_are_in_no_message_and_nothing_imported(ids):
    """Distinctive client IDs anywhere a check can see them: the outcome quotes none of them."""
    frames = _frames()
    clients, contacts = [frames["clients.csv"]], [frames["contacts.csv"]]
    raws = []

    def contact(cid, who="P1"):
        contacts.append(pd.DataFrame([{"date": "2024-03-01", "practitioner_id": who, "client_id": cid,
                                       "contact_type": "visit"}]))

    for tag, where, before, after in ids:
        rid = raw_id(tag, before=before, after=after)
        raws.append(rid)
        if where in ("known", "case variant in contacts"):
            clients.append(pd.DataFrame({"client_id": [rid]}))
            contact(rid.lower() if where == "case variant in contacts" else rid)
        elif where == "duplicated in clients":
            clients.append(pd.DataFrame({"client_id": [rid, rid]}))
        elif where == "case clash in clients":
            clients.append(pd.DataFrame({"client_id": [rid, rid.lower()]}))
        elif where == "spaces clash in clients":
            clients.append(pd.DataFrame({"client_id": [rid, f" {rid} "]}))
        else:
            contact(rid, "P-404" if where == "unknown and bad row" else "P1")
    files = {**GOOD_FILES, "clients.csv": _csv_bytes(pd.concat(clients).fillna("")),
             "contacts.csv": _csv_bytes(pd.concat(contacts).fillna(""))}
    try:
        dataset, report = load_dataset(read_uploads(files), secret=SECRET, today=TODAY)
    except NetdashError as err:
        _rejected("raw client IDs", err)
        said = str(err) + "\n".join(map(str, getattr(err, "problems", [])))
    else:
        OUTCOMES[("raw client IDs", "imported")] += 1
        said = "\n".join(map(str, report.warnings))
        stored = b"".join(_csv_bytes(dataset.table(t)) for t in ("clients", "contacts"))
        assert find_raw_ids(stored, raws) == []
        assert dataset.contacts["client_id"].dropna().str.fullmatch(r"c_[0-9a-f]{16}").all()
    assert find_raw_ids(said.encode(), raws) == []


def test_the_known_answer_for_utf16_and_latin1():
    """Anchors for the property above: UTF-16 with BOM imports, Latin-1 with accents is refused clearly."""
    frames = _frames()
    frames["practitioners.csv"].loc[0, "name"] = "Zoë"
    utf16 = {**GOOD_FILES, "practitioners.csv": _csv_bytes(frames["practitioners.csv"], encoding="utf-16")}
    kind, ds = _outcome("encodings and delimiters", utf16)
    assert kind == "imported" and ds.practitioners["name"].iloc[0] == "Zoë"
    latin = {**GOOD_FILES, "practitioners.csv": _csv_bytes(frames["practitioners.csv"], encoding="latin-1")}
    kind, err = _outcome("encodings and delimiters", latin)
    assert kind == "rejected"
    assert "byte 0xeb on line 2" in str(err) and "Latin-1" in str(err)
    assert utf16["practitioners.csv"][:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


# ---- bugs these properties found (strict xfail until fixed in the library) ------------------------

def _with_cell(table, column, value):
    frame = _frames()[table]
    frame.loc[0, column] = value
    return {**GOOD_FILES, table: _csv_bytes(frame)}


@pytest.mark.parametrize("value", ["0001-01-01", "1677-09-21", "2262-04-12", "9999-12-31"])
def test_dates_outside_pandas_range_are_refused(value):
    kind, err = _outcome("regressions", _with_cell("contacts.csv", "date", value))
    assert kind == "rejected" and f"date '{value}'" in str(err) and "row 2" in str(err)


def test_header_shorter_than_a_row_is_refused():
    broken = GOOD_FILES["trust_survey.csv"][:25] + GOOD_FILES["trust_survey.csv"][65:]
    assert broken.startswith(b"date,rater_id,ratee_id,tr2024-04-01,P1,P3,3,3,4,3\n2024-04-01,P3,P1,4,,,\n")
    kind, err = _outcome("regressions", {**GOOD_FILES, "trust_survey.csv": broken})
    assert kind == "rejected" and "trust_survey.csv" in str(err)


def test_practitioners_without_rows_are_refused():
    kind, err = _outcome("regressions", {**GOOD_FILES, "practitioners.csv": b"practitioner_id,agency_id"})
    assert kind == "rejected" and "practitioners.csv" in str(err)
