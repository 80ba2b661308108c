"""Validation rules and messages of netdash.ingest (see docs/data.md)."""

import shutil
from pathlib import Path

import pandas as pd
import pytest

from netdash.errors import InvalidInputError
from netdash.ingest import load_dataset, read_source, validate

GOOD = Path(__file__).resolve().parents[1] / "data" / "good"
TODAY = "2024-06-30"
SECRET = b"s" * 32
CONTACTS = "date,practitioner_id,client_id,with_practitioner_id,contact_type,duration_minutes\n"
PRACTITIONERS = "practitioner_id,agency_id,name,role,start_date,end_date\n"


def make_source(tmp_path, **tables):
    """The good fixture with some tables replaced (text or bytes) or removed (None)."""
    dest = tmp_path / "src"
    shutil.copytree(GOOD, dest)
    for table, content in tables.items():
        path = dest / f"{table}.csv"
        if content is None:
            path.unlink()
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return dest


def report_for(tmp_path, dayfirst=False, **tables):
    return validate(read_source(make_source(tmp_path, **tables)), dayfirst=dayfirst, today=TODAY)


def errors(tmp_path, **tables):
    return [str(p) for p in report_for(tmp_path, **tables).errors]


def warnings(tmp_path, **tables):
    return [str(p) for p in report_for(tmp_path, **tables).warnings]


def test_good_fixture_loads_with_known_values():
    ds, report = load_dataset(GOOD, secret=SECRET, today=TODAY)
    assert report.ok and report.warnings == []
    assert ds.name == "good"
    assert len(ds.contacts) == 5 and len(ds.practitioners) == 4 and len(ds.trust_survey) == 2
    assert ds.contacts["duration_minutes"].tolist()[:2] == [30.0, 15.0]
    assert ds.contacts["date"].iloc[0] == pd.Timestamp("2024-01-10")
    assert ds.practitioners.set_index("practitioner_id").loc["P3", "end_date"] == pd.Timestamp("2024-12-31")
    assert ds.contacts["client_id"].str.startswith("c_").sum() == 4  # one row is colleague-only


def test_unknown_practitioner_message_follows_style_guide(tmp_path):
    rows = ["2024-01-10,P-019,C001,,visit,30" if r in (14, 15, 212) else "2024-01-10,P1,C001,,visit,30"
            for r in range(2, 213)]
    msgs = errors(tmp_path, contacts=CONTACTS + "\n".join(rows) + "\n")
    assert msgs == ["contacts.csv, rows 14, 15 and 212: practitioner_id 'P-019' is not in practitioners.csv. "
                    "Add the practitioner or correct the ID."]


def test_many_rows_are_capped_in_the_message(tmp_path):
    rows = "".join(f"2024-01-10,P1,C{i},,visit,abc\n" for i in range(8))
    assert errors(tmp_path, contacts=CONTACTS + rows) == [
        "contacts.csv, rows 2, 3, 4, 5, 6 and 3 more: duration_minutes 'abc' is not a number. "
        "Write a number of minutes such as 30, or leave it empty."]


def test_load_dataset_lists_every_error_with_a_summary_line(tmp_path):
    src = make_source(tmp_path, practitioners=PRACTITIONERS + "P1,A1,Ann,,,\nP1,A1,Bob,,,\nP3,A2,,,,\nP4,A2,,,,\n",
                      contacts=CONTACTS + "2024-01-10,P1,C1,,,\n2024-01-10,P9,C1,,,\n2024-13-01,P1,C1,,,\n")
    with pytest.raises(InvalidInputError) as info:
        load_dataset(src, secret=SECRET, today=TODAY)
    lines = str(info.value).splitlines()
    assert lines[0] == "practitioners.csv and contacts.csv have 3 problems; nothing was imported."
    assert lines[1].startswith("practitioners.csv, rows 2 and 3: practitioner_id 'P1' appears 2 times")
    assert lines[2].startswith("contacts.csv, row 3: practitioner_id 'P9' is not in practitioners.csv")
    assert lines[3].startswith("contacts.csv, row 4: date '2024-13-01' is not a real calendar day")
    assert [str(p) for p in info.value.problems] == lines[1:]


def test_missing_required_table(tmp_path):
    assert errors(tmp_path, contacts=None) == [
        "contacts.csv: the file is missing; every dataset needs agencies.csv, practitioners.csv and "
        "contacts.csv. Download the template to see their columns."]


# --- issue 17: network data as evaluators have it -------------------------------------------------------

def test_cop_attendance_is_optional(tmp_path):
    ds, report = load_dataset(make_source(tmp_path, cop_attendance=None), secret=SECRET, today=TODAY)
    assert report.ok and ds.cop_attendance.empty and ds.first_cop_session is None
    assert len(ds.contacts) > 0


def test_agency_name_defaults_to_the_id(tmp_path):
    ds, _ = load_dataset(make_source(tmp_path, agencies="agency_id,name\nA1,\nA2,Mind Eastside\n"),
                         secret=SECRET, today=TODAY)
    assert ds.agencies.set_index("agency_id")["name"].to_dict() == {"A1": "A1", "A2": "Mind Eastside"}
    ds, _ = load_dataset(make_source(tmp_path / "b", agencies="agency_id\nA1\nA2\n"), secret=SECRET, today=TODAY)
    assert ds.agencies["name"].tolist() == ["A1", "A2"]


def test_contact_weight_is_a_positive_strength_defaulting_to_one(tmp_path):
    rows = "2024-01-10,P1,,P3,,,2.5\n2024-01-11,P3,,P1,,,\n"
    ds, _ = load_dataset(make_source(tmp_path, contacts=CONTACTS.strip() + ",weight\n" + rows), secret=SECRET,
                         today=TODAY)
    assert ds.contacts["weight"].tolist() == [2.5, 1.0]
    bad = CONTACTS.strip() + ",weight\n2024-01-10,P1,,P3,,,0\n2024-01-10,P1,,P3,,,-1\n2024-01-10,P1,,P3,,,lots\n"
    assert errors(tmp_path / "b", contacts=bad) == [
        f"contacts.csv, row {r}: weight {v!r} is not a positive number. A tie strength is a number above 0 such as "
        "1, 2 or 0.5; leave it empty for 1, or delete the row if there is no tie." for r, v in
        ((2, "0"), (3, "-1"), (4, "lots"))]
    ds, _ = load_dataset(GOOD, secret=SECRET, today=TODAY)  # no weight column: every row 1
    assert (ds.contacts["weight"] == 1.0).all()


def test_min_date_allows_a_historical_study(tmp_path):
    src = make_source(tmp_path, contacts=CONTACTS + "1952-03-01,P1,,P3,,\n",
                      practitioners=PRACTITIONERS + "P1,A1,,,,\nP2,A1,,,,\nP3,A2,,,,\nP4,A2,,,,\n")
    with pytest.raises(InvalidInputError, match=r"date '1952-03-01' is before 1990-01-01.*--min-date"):
        load_dataset(src, secret=SECRET, today=TODAY)
    ds, _ = load_dataset(src, secret=SECRET, today=TODAY, min_date="1950-01-01")
    assert ds.contacts["date"].iloc[0] == pd.Timestamp("1952-03-01")
    (src / "dataset.json").write_text('{"min_date": "1950-01-01"}')
    ds, _ = load_dataset(src, secret=SECRET, today=TODAY)
    assert len(ds.contacts) == 1
    with pytest.raises(InvalidInputError, match="--min-date 'soon' is not a date"):
        load_dataset(src, secret=SECRET, today=TODAY, min_date="soon")


def test_direction_is_read_from_dataset_json_or_the_argument_and_its_evidence_is_noted(tmp_path):
    src = make_source(tmp_path)
    ds, report = load_dataset(src, secret=SECRET, today=TODAY)
    assert ds.directed is True
    (note,) = report.notes
    assert note.message.startswith("Direction: 100% of colleague pairs (3 of 3) appear in one direction only")
    assert "--undirected" in note.message and report.warnings == []
    (src / "dataset.json").write_text('{"directed": false}')
    ds, report = load_dataset(src, secret=SECRET, today=TODAY)
    assert ds.directed is False and "read as undirected" in report.notes[0].message
    assert load_dataset(src, secret=SECRET, today=TODAY, directed=True)[0].directed is True  # the argument wins


@pytest.mark.parametrize("content,message", [
    ("{not json", "cannot be read as JSON"),
    ("[1]", "expected a JSON object"),
    ('{"directed": "no"}', "directed must be true or false; got 'no'"),
    ('{"direction": false}', "option 'direction' is not known"),
])
def test_bad_dataset_json_is_refused(tmp_path, content, message):
    src = make_source(tmp_path)
    (src / "dataset.json").write_text(content)
    with pytest.raises(InvalidInputError, match=message):
        load_dataset(src, secret=SECRET, today=TODAY)


def test_missing_column_shows_found_columns_and_suggestion(tmp_path):
    (msg,) = errors(tmp_path, practitioners="Staff ID,agency_id\nP1,A1\n")
    assert msg.startswith("practitioners.csv, row 1: required column practitioner_id is missing. "
                          "Found columns: 'Staff ID', 'agency_id'. 'Staff ID' looks like practitioner_id.")
    assert "--mapping" in msg


def test_unknown_columns_are_a_warning_and_ignored(tmp_path):
    report = report_for(tmp_path, agencies="agency_id,name,Notes\nA1,X,hi\nA2,Y,\n")
    assert report.ok
    assert [str(w) for w in report.warnings] == [
        "agencies.csv, row 1: column 'Notes' is not used by netdash and was ignored."]
    assert list(report.tables["agencies"].columns) == ["agency_id", "name", "sector"]


def test_blank_required_values(tmp_path):
    assert errors(tmp_path, agencies="agency_id,name\n,X\nA2,Y\n") == [
        "agencies.csv, row 2: agency_id is blank. Every row needs a agency_id; fill it in or delete the row.",
        "practitioners.csv, rows 2 and 3: agency_id 'A1' is not in agencies.csv. Add the agency or correct the ID."]


def test_ids_colliding_after_trimming_or_case_folding(tmp_path):
    msgs = errors(tmp_path, agencies="agency_id,name\nA1,X\nA1 ,Y\nA2,Z\na2,W\n")
    assert msgs == [
        "agencies.csv, rows 2 and 3: agency_id 'A1' and 'A1 ' are the same ID once surrounding spaces are "
        "removed; each agency must be listed once. Remove the duplicate or give it its own ID.",
        "agencies.csv, rows 4 and 5: agency_id 'A2' (row 4) and 'a2' (row 5) differ only in upper/lower case. "
        "IDs are compared exactly, so these would count as two different IDs; use one spelling."]


def test_ids_are_stripped(tmp_path):
    report = report_for(tmp_path, cop_attendance="session_id,date,practitioner_id\n S1 ,2024-02-01, P1 \n")
    assert report.ok
    assert report.tables["cop_attendance"].iloc[0][["session_id", "practitioner_id"]].tolist() == ["S1", "P1"]


@pytest.mark.parametrize("value,hint", [("p3", " Did you mean 'P3'?"), ("N/A", " If there is none, leave the cell "
                                                                                  "empty.")])
def test_unknown_reference_hints(tmp_path, value, hint):
    assert errors(tmp_path, contacts=CONTACTS + f"2024-01-10,P1,,{value},,\n") == [
        f"contacts.csv, row 2: with_practitioner_id {value!r} is not in practitioners.csv.{hint} "
        "Add the practitioner or correct the ID."]


def test_unknown_agency_and_survey_references(tmp_path):
    msgs = errors(tmp_path, practitioners=PRACTITIONERS + "P1,A7,,,,\nP3,A1,,,,\nP4,A1,,,,\n",
                  trust_survey="date,rater_id,ratee_id,trust\n2024-04-01,P1,Q2,3\n")
    assert msgs == [
        "practitioners.csv, row 2: agency_id 'A7' is not in agencies.csv. Add the agency or correct the ID.",
        "contacts.csv, row 4: practitioner_id 'P2' is not in practitioners.csv. Add the practitioner or correct the ID.",
        "trust_survey.csv, row 2: ratee_id 'Q2' is not in practitioners.csv. Add the practitioner or correct the ID."]


AMBIGUOUS = ("contacts.csv, row 2: date '03/04/2024' is ambiguous: it is not YYYY-MM-DD and could be day-first or "
             "month-first. Write dates as YYYY-MM-DD, or, if they are DD/MM/YYYY, choose \"day-first (UK) dates\" "
             "(--dayfirst).")


def test_ambiguous_date_without_dayfirst(tmp_path):
    assert errors(tmp_path, contacts=CONTACTS + "03/04/2024,P1,C1,,,\n") == [AMBIGUOUS]


def test_dayfirst_dates_accepted_when_chosen(tmp_path):
    report = report_for(tmp_path, dayfirst=True, contacts=CONTACTS + "03/04/2024,P1,C1,,,\n5-6-2024,P1,C1,,,\n"
                        "2024-01-02T10:30:00,P1,C1,,,\n")
    assert report.ok
    assert report.tables["contacts"]["date"].tolist() == [pd.Timestamp("2024-04-03"), pd.Timestamp("2024-06-05"),
                                                          pd.Timestamp("2024-01-02")]


@pytest.mark.parametrize("value,dayfirst,expected", [
    ("3/4/24", True, "date '3/4/24' has a two-digit year. Write dates as YYYY-MM-DD or DD/MM/YYYY with the full year."),
    ("2024-02-30", False, "date '2024-02-30' is not a real calendar day. Correct the day or month."),
    ("45366", False, "date '45366' looks like an Excel date serial number. Format the column as dates (YYYY-MM-DD) "
                     "in Excel before saving."),
    ("last week", False, "date 'last week' is not a date. Write dates as YYYY-MM-DD."),
    ("2024-07-01", False, "date '2024-07-01' is after today (2024-06-30). Correct the date; netdash imports only "
                          "what has happened."),
    ("1900-01-01", False, "date '1900-01-01' is before 1990-01-01; probably a typo or a placeholder such as "
                          "1900-01-01. Correct it. If the data really are that old (a historical study), allow "
                          "earlier dates with --min-date (e.g. --min-date 1900-01-01) or \"min_date\" in "
                          "dataset.json."),
])
def test_bad_dates(tmp_path, value, dayfirst, expected):
    report = report_for(tmp_path, dayfirst=dayfirst, contacts=CONTACTS + f"{value},P1,C1,,,\n")
    assert [str(p) for p in report.errors] == [f"contacts.csv, row 2: {expected}"]


def test_end_date_before_start_date(tmp_path):
    assert errors(tmp_path, practitioners=PRACTITIONERS + "P1,A1,,,2023-05-01,2023-01-01\nP2,A1,,,,\nP3,A1,,,,\n"
                  "P4,A1,,,,\n") == [
        "practitioners.csv, row 2: end_date is before start_date (row 2: 2023-01-01 is before 2023-05-01). Correct "
        "the dates, or leave end_date empty if the practitioner is still in post."]


def test_contact_must_name_client_or_colleague(tmp_path):
    assert errors(tmp_path, contacts=CONTACTS + "2024-01-10,P1,,,,\n") == [
        "contacts.csv, row 2: the contact names neither a client_id nor a with_practitioner_id. Every contact "
        "names a client, a colleague or both; fill one in or delete the row."]


def test_self_contacts_warn_and_are_dropped_or_trimmed(tmp_path):
    report = report_for(tmp_path, contacts=CONTACTS + "2024-01-10,P1,C001,P1,,\n2024-01-11,P2,,P2,,\n"
                        "2024-01-12,P1,,P2,,\n")
    assert report.ok
    assert [str(w) for w in report.warnings] == [
        "contacts.csv, rows 2 and 3: with_practitioner_id is the same as practitioner_id, and a practitioner "
        "cannot contact themselves. The colleague part was ignored, and rows without a client_id were dropped."]
    kept = report.tables["contacts"]
    assert kept["practitioner_id"].tolist() == ["P1", "P1"]
    assert kept["with_practitioner_id"].tolist() == [None, "P2"]


def test_contacts_outside_employment_warn_but_are_kept(tmp_path):
    report = report_for(tmp_path, contacts=CONTACTS + "2022-12-31,P3,C001,,,\n2024-01-10,P3,C001,,,\n")
    assert report.ok and len(report.tables["contacts"]) == 2
    assert [str(w) for w in report.warnings] == [
        "contacts.csv, row 2: practitioner 'P3' has contacts dated outside their time in post (2023-01-01 to "
        "2024-12-31 in practitioners.csv). They were kept; check the dates."]


def test_unknown_vocabulary_is_kept_with_a_warning(tmp_path):
    report = report_for(tmp_path, agencies="agency_id,name,sector\nA1,X,Mental Health\nA2,Y,\n",
                        contacts=CONTACTS + "2024-01-10,P1,C1,,text message,\n")
    assert report.ok
    assert report.tables["agencies"]["sector"].tolist() == ["Mental Health", "other"]
    assert report.tables["contacts"]["contact_type"].tolist() == ["text message"]
    msgs = [str(w) for w in report.warnings]
    assert msgs[0].startswith("agencies.csv, row 2: sector 'Mental Health' is not one of the suggested values (")
    assert msgs[0].endswith("It was kept as written. Did you mean 'mental_health'?")
    assert msgs[1].startswith("contacts.csv, row 2: contact_type 'text message' is not one of the suggested")


def test_negative_duration(tmp_path):
    assert errors(tmp_path, contacts=CONTACTS + "2024-01-10,P1,C1,,,-5\n") == [
        "contacts.csv, row 2: duration_minutes '-5' is negative. Write the length of the contact in minutes, or "
        "leave it empty."]


@pytest.mark.parametrize("value", ["5", "0", "2.5", "high"])
def test_trust_outside_1_to_4(tmp_path, value):
    assert errors(tmp_path, trust_survey=f"date,rater_id,ratee_id,trust\n2024-04-01,P1,P3,{value}\n") == [
        f"trust_survey.csv, row 2: trust {value!r} is not a whole number from 1 to 4. Ratings are 1 (low) to 4 "
        "(high); correct it."]


def test_empty_tables(tmp_path):
    report = report_for(tmp_path, contacts=CONTACTS, trust_survey="date,rater_id,ratee_id,trust\n")
    assert [str(p) for p in report.errors] == [
        "contacts.csv: the table has a header but no rows; add its rows."]
    assert [str(p) for p in report.warnings] == [
        "trust_survey.csv: the table has a header but no rows; nothing from it is used."]


def test_blank_lines_are_skipped_but_row_numbers_stay_spreadsheet_rows(tmp_path):
    assert errors(tmp_path, contacts=CONTACTS + "2024-01-10,P1,C1,,,\n,,,,,\n\n2024-01-10,P9,C1,,,\n") == [
        "contacts.csv, row 5: practitioner_id 'P9' is not in practitioners.csv. Add the practitioner or correct "
        "the ID."]


def test_optional_tables_may_be_absent(tmp_path):
    ds, _ = load_dataset(make_source(tmp_path, clients=None, trust_survey=None), secret=SECRET, today=TODAY)
    assert ds.clients.empty and ds.trust_survey.empty
    assert list(ds.trust_survey.columns)[:4] == ["date", "rater_id", "ratee_id", "trust"]


def test_client_not_in_clients_table_is_a_warning(tmp_path):
    report = report_for(tmp_path, contacts=CONTACTS + "2024-01-10,P1,C999,,,\n")
    assert report.ok
    assert [str(w) for w in report.warnings] == [
        "contacts.csv, row 2: 1 client_id value is not in clients.csv. The rows were kept. The ID is not shown "
        "because it identifies a client."]


def test_raw_client_ids_never_reach_the_dataset():
    ds, _ = load_dataset(GOOD, secret=SECRET, today=TODAY)
    values = set(ds.contacts["client_id"].dropna()) | set(ds.clients["client_id"])
    assert values and all(v.startswith("c_") for v in values)
    assert not {"C001", "C002", "C003"} & values


# ---- reading: encodings, delimiters, formats, limits ---------------------------------------------

AGENCIES_TEXT = "agency_id,name,sector\nA1,Café Ünïon,housing\nA2,Y,\n"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_utf8_bom_and_utf16_accepted(tmp_path, encoding):
    report = report_for(tmp_path, agencies=AGENCIES_TEXT.encode(encoding))
    assert report.ok
    assert report.tables["agencies"]["name"].iloc[0] == "Café Ünïon"


def test_latin1_rejected_with_byte_line_and_fix(tmp_path):
    with pytest.raises(InvalidInputError) as info:
        read_source(make_source(tmp_path, agencies=AGENCIES_TEXT.encode("latin-1")))
    msg = str(info.value)
    assert msg.splitlines()[0] == "agencies.csv has 1 problem; nothing was imported."
    assert "agencies.csv: byte 0xe9 on line 2 (byte 29) is not UTF-8 text" in msg
    assert "'CSV UTF-8 (Comma delimited)'" in msg


@pytest.mark.parametrize("sep", [";", "\t", "|"])
def test_other_delimiters_accepted(tmp_path, sep):
    text = AGENCIES_TEXT.replace(",", sep).replace("Café Ünïon", "Café, Ünïon")
    report = report_for(tmp_path, agencies=text)
    assert report.ok and report.tables["agencies"]["name"].iloc[0] == "Café, Ünïon"


def test_excel_sep_hint_line_is_honoured(tmp_path):
    report = report_for(tmp_path, agencies="sep=;\n" + AGENCIES_TEXT.replace(",", ";"))
    assert report.ok and report.tables["agencies"]["agency_id"].tolist() == ["A1", "A2"]


@pytest.mark.parametrize("content,expected", [
    (b"PK\x03\x04rest", "looks like a zip archive or an Excel .xlsx workbook renamed .csv"),
    (b"%PDF-1.7\n...", "looks like a PDF document"),
    (b"<!DOCTYPE html><html><body>Sign in</body></html>", "looks like a web page (HTML/XML)"),
    (b"agency_id,name\nA1\x00,X\n", "looks like binary data (it contains NUL bytes)"),
    (b"", "the file is empty"),
    (b"agency_id,name\nA1,X,extra\n", "line 2 has 3 values but the header has 2 columns (separator: comma)"),
    (b'agency_id,name\nA1,"X\nA2,Y\n' + b"z" * 10_001 + b'"\n', "row 2: a value in column 'name' is longer "
                                                                  "than 10,000 characters"),
    (b'agency_id,name\nA1,X\nA2,"Y\nA3,Z\n', "row 3: a quote character (\") opened on row 3 is never closed"),
    (("c," * 201 + "\n").encode(), "the header has 202 columns; the limit is 200"),
])
def test_files_that_are_not_usable_csv(tmp_path, content, expected):
    with pytest.raises(InvalidInputError, match="agencies.csv") as info:
        read_source(make_source(tmp_path, agencies=content))
    assert expected in str(info.value)


def test_file_size_limit(tmp_path, monkeypatch):
    import netdash.ingest.read as read_module

    monkeypatch.setattr(read_module, "MAX_FILE_MB", 100 / 1e6)  # 100 bytes
    with pytest.raises(InvalidInputError, match=r"contacts.csv: the file is 0 MB; the limit is"):
        read_source(make_source(tmp_path))


def test_all_unreadable_files_reported_together(tmp_path):
    src = make_source(tmp_path, agencies=b"%PDF", contacts=b"\xff\xfe" + "a".encode("utf-16-le")[:1])
    with pytest.raises(InvalidInputError) as info:
        read_source(src)
    assert str(info.value).startswith("agencies.csv and contacts.csv have 2 problems")


def test_source_must_exist_and_be_a_folder_xlsx_or_zip(tmp_path):
    with pytest.raises(InvalidInputError, match="does not exist"):
        read_source(tmp_path / "nope")
    with pytest.raises(InvalidInputError, match="not a single .csv. Give the folder that holds it"):
        read_source(GOOD / "contacts.csv")


def _workbook(path, *, contacts_rows=None):
    import datetime as dt

    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for csv_path in sorted(GOOD.glob("*.csv")):
        ws = wb.create_sheet(csv_path.stem.capitalize())
        frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
        ws.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            cells = []
            for col, value in zip(frame.columns, row):
                if "date" in col and value:
                    cells.append(dt.datetime.fromisoformat(value))
                elif col in ("duration_minutes", "trust") and value:
                    cells.append(float(value))
                else:
                    cells.append(value or None)
            ws.append(cells)
    if contacts_rows:
        for row in contacts_rows:
            wb["Contacts"].append(row)
    wb.create_sheet("Notes").append(["anything"])
    wb.save(path)
    return path


def test_xlsx_source_matches_csv_source(tmp_path):
    book = _workbook(tmp_path / "book.xlsx")
    ds_xlsx, report = load_dataset(book, secret=SECRET, today=TODAY)
    ds_csv, _ = load_dataset(GOOD, secret=SECRET, today=TODAY)
    for table in ("agencies", "practitioners", "contacts", "cop_attendance", "clients", "trust_survey"):
        pd.testing.assert_frame_equal(ds_xlsx.table(table), ds_csv.table(table))
    assert [str(w) for w in report.warnings][0].startswith("book.xlsx:Notes: not a netdash table, so it was ignored.")


def test_xlsx_messages_name_sheet_and_sheet_row(tmp_path):
    book = _workbook(tmp_path / "book.xlsx", contacts_rows=[["2024-01-10", "P-019", "C001"]])
    with pytest.raises(InvalidInputError, match=r"book.xlsx:Contacts, row 7: practitioner_id 'P-019' is not in "
                                                r"book.xlsx:Practitioners\."):
        load_dataset(book, secret=SECRET, today=TODAY)


def _zip(path, members):
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


@pytest.mark.parametrize("prefix", ["", "export/"])
def test_zip_source_flat_or_in_one_folder(tmp_path, prefix):
    members = {prefix + p.name: p.read_bytes() for p in GOOD.glob("*.csv")}
    members["__MACOSX/._contacts.csv"] = b"\x00\x05junk"
    ds, _ = load_dataset(_zip(tmp_path / "data.zip", members), secret=SECRET, today=TODAY)
    assert len(ds.contacts) == 5 and ds.name == "data"


def test_zip_messages_name_member(tmp_path):
    members = {p.name: p.read_bytes() for p in GOOD.glob("*.csv")}
    members["contacts.csv"] = CONTACTS + "2024-01-10,P9,C001,,,\n"
    with pytest.raises(InvalidInputError, match=r"data.zip:contacts.csv, row 2: practitioner_id 'P9'"):
        load_dataset(_zip(tmp_path / "data.zip", members), secret=SECRET, today=TODAY)


def test_zip_path_traversal_refused(tmp_path):
    members = {p.name: p.read_bytes() for p in GOOD.glob("*.csv")}
    members["../../evil.csv"] = b"x"
    with pytest.raises(InvalidInputError, match=r"data.zip: the zip contains an unsafe path '../../evil.csv'; "
                                                "nothing was read"):
        read_source(_zip(tmp_path / "data.zip", members))
    assert not (tmp_path.parent / "evil.csv").exists()


@pytest.mark.parametrize("name", [".", "./", "./."])
def test_zip_member_with_an_empty_path_is_skipped(tmp_path, name):
    # Found by the fuzzing campaign of 27 Nov 2026 (IndexError on parts[0]); such a member names no file.
    members = {p.name: p.read_bytes() for p in GOOD.glob("*.csv")}
    members[name] = b"x"
    ds, _ = load_dataset(_zip(tmp_path / "data.zip", members), secret=SECRET, today=TODAY)
    assert len(ds.contacts) == 5


def test_zip_bomb_refused_before_unpacking(tmp_path, monkeypatch):
    import netdash.ingest.read as read_module

    monkeypatch.setattr(read_module, "MAX_UNZIPPED_MB", 1)
    bomb = _zip(tmp_path / "bomb.zip", {"contacts.csv": b"0" * 3_000_000})
    assert bomb.stat().st_size < 10_000
    with pytest.raises(InvalidInputError, match="bomb.zip: the zip unpacks to 3 MB; the limit is 1 MB"):
        read_source(bomb)


def test_zip_with_tables_in_several_folders_refused(tmp_path):
    with pytest.raises(InvalidInputError, match=r"table files are in several folders \(a, b\)"):
        read_source(_zip(tmp_path / "x.zip", {"a/contacts.csv": b"x", "b/agencies.csv": b"y"}))


def test_parquet_tables_accepted(tmp_path):
    src = make_source(tmp_path, contacts=None)
    frame = pd.read_csv(GOOD / "contacts.csv", dtype=str, keep_default_na=False)
    frame["date"] = pd.to_datetime(frame["date"])
    frame["duration_minutes"] = pd.to_numeric(frame["duration_minutes"]).astype("Int64")
    frame.to_parquet(src / "contacts.parquet")
    ds, _ = load_dataset(src, secret=SECRET, today=TODAY)
    expected, _ = load_dataset(GOOD, secret=SECRET, today=TODAY)
    pd.testing.assert_frame_equal(ds.contacts, expected.contacts)


# ---- column mapping ---------------------------------------------------------------------------------

def test_headers_normalised_automatically(tmp_path):
    report = report_for(tmp_path, practitioners=" Practitioner ID ,AGENCY-ID\nP1,A1\nP2,A1\nP3,A2\nP4,A2\n")
    assert report.ok
    assert report.tables["practitioners"]["practitioner_id"].tolist() == ["P1", "P2", "P3", "P4"]


def test_explicit_mapping_renames_columns(tmp_path):
    src = make_source(tmp_path, practitioners="Staff,Org\nP1,A1\nP2,A1\nP3,A2\nP4,A2\n")
    ds, report = load_dataset(src, secret=SECRET, today=TODAY,
                              mapping={"practitioners": {"Staff": "practitioner_id", "org": "agency_id"}})
    assert ds.practitioners["agency_id"].tolist() == ["A1", "A1", "A2", "A2"]


def test_mapping_to_a_missing_column(tmp_path):
    with pytest.raises(InvalidInputError, match=r"practitioners.csv: the mapping names column 'Staff' for "
                                                r"practitioner_id, but there is no such column\. Found columns"):
        read_source(make_source(tmp_path), mapping={"practitioners": {"Staff": "practitioner_id"}})


def test_two_columns_with_the_same_meaning(tmp_path):
    with pytest.raises(InvalidInputError, match=r"agencies.csv, row 1: columns 'agency_id' and 'Agency ID' both "
                                                r"mean agency_id"):
        read_source(make_source(tmp_path, agencies="agency_id,Agency ID,name\nA1,A1,X\n"),
                    mapping={"agencies": {"Agency ID": "agency_id"}})


def test_suggest_mapping_uses_normalisation_then_synonyms():
    from netdash.ingest import suggest_mapping

    assert suggest_mapping(["Worker ID", "Contact Date", "Service User ID", "With Practitioner ID", "Practitioner"],
                           "contacts") == {"Worker ID": "practitioner_id", "Contact Date": "date",
                                           "Service User ID": "client_id",
                                           "With Practitioner ID": "with_practitioner_id", "Practitioner": None}
    with pytest.raises(InvalidInputError, match="unknown table 'contact'"):
        suggest_mapping(["x"], "contact")


def test_load_mapping_file(tmp_path):
    from netdash.ingest import load_mapping

    good = tmp_path / "mapping.json"
    good.write_text('{"contacts": {"Staff ID": "practitioner_id"}}')
    assert load_mapping(good) == {"contacts": {"Staff ID": "practitioner_id"}}
    bad = tmp_path / "bad.json"
    bad.write_text('{"contacts":\n {"Staff ID" "practitioner_id"}}')
    with pytest.raises(InvalidInputError, match=r"bad.json, line 2: not valid JSON"):
        load_mapping(bad)
    wrong = tmp_path / "wrong.json"
    wrong.write_text('{"contacts": {"Staff ID": "staff"}, "people": {}}')
    with pytest.raises(InvalidInputError, match=r"contacts has no column 'staff'") as info:
        load_mapping(wrong)
    assert "mapping: 'people' is not a table" in str(info.value)


# ---- template and robustness ---------------------------------------------------------------------------

def test_template_zip_is_generated_from_the_schema(tmp_path):
    import io
    import zipfile

    from netdash.ingest import template_zip
    from netdash.schema import TABLES

    zf = zipfile.ZipFile(io.BytesIO(template_zip()))
    assert sorted(zf.namelist()) == sorted([t.filename for t in TABLES.values()] + ["README.txt"])
    header, example, second = zf.read("practitioners.csv").decode().splitlines()
    assert header == "practitioner_id,agency_id,name,role,start_date,end_date"
    assert example == "P001,A01,,support worker,2023-01-09,"
    assert second == "P002,A01,,nurse,2023-02-01,"
    readme = zf.read("README.txt").decode()
    assert "  - with_practitioner_id [id, optional]:" in readme and "netdash validate" in readme
    raw = read_source(_zip(tmp_path / "t.zip", {n: zf.read(n) for n in zf.namelist()}))
    assert sorted(raw) == sorted(TABLES)
    assert template_zip() == template_zip()


@pytest.mark.parametrize("blob", [b"\xff\xfe\x00", b"\xfe\xff", b'"', b'a,b\n"x', b"\r\r\r", b"\xef\xbb\xbf",
                                  b"a\n" + b"\xe2\x82", b"PK\x05\x06" + b"\x00" * 18])
def test_odd_bytes_raise_only_invalid_input(tmp_path, blob):
    for name in ("contacts", "agencies"):
        with pytest.raises(InvalidInputError):
            load_dataset(make_source(tmp_path / name, **{name: blob}), secret=SECRET, today=TODAY)


def test_arbitrary_bytes_in_any_format_raise_only_netdash_errors(tmp_path):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from netdash.errors import NetdashError
    from netdash.ingest import read_uploads

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.binary(max_size=300), st.sampled_from(["contacts.csv", "book.xlsx", "data.zip", "contacts.parquet"]))
    def check(blob, name):
        try:
            raw = read_uploads({name: blob})
            validate(raw, today=TODAY)
        except NetdashError:
            pass

    check()


def test_docs_match_the_schema():
    from netdash.schema import TABLES

    doc = (Path(__file__).resolve().parents[2] / "docs" / "data.md").read_text(encoding="utf-8")
    for table in TABLES.values():
        assert f"### `{table.filename}` ({'required' if table.required else 'optional'})" in doc
        for col in table.columns:
            assert f"| `{col.name}` | {col.kind} | {'yes' if col.required else 'no'} | {col.description} |" in doc


def test_template_validates_as_shipped(tmp_path):
    import io
    import zipfile

    from netdash.ingest import read_source, template_zip, validate

    zipfile.ZipFile(io.BytesIO(template_zip())).extractall(tmp_path)
    report = validate(read_source(tmp_path), today=pd.Timestamp("2026-01-01"))
    assert report.errors == []


# ---- issue 18, item 6: dates that used to get the wrong message, or none --------------------------------

def test_full_width_digits_are_named_as_such(tmp_path):
    assert errors(tmp_path, contacts=CONTACTS + "２０２４-０３-１４,P1,C001,,visit,30\n") == [
        "contacts.csv, row 2: date '２０２４-０３-１４' is written with full-width or other non-ASCII digits. Write "
        "dates as YYYY-MM-DD with the digits 0-9 (switch off full-width input, or save the file again)."]


@pytest.mark.parametrize("value", ["2024-03-14 25:99", "2024-03-14T24:00", "2024-03-14 23:60"])
def test_a_time_of_day_that_does_not_exist_is_refused(tmp_path, value):
    assert errors(tmp_path, contacts=CONTACTS + f"{value},P1,C001,,visit,30\n") == [
        f"contacts.csv, row 2: date {value!r} has a time of day that does not exist. Correct the time (00:00 to "
        "23:59) or leave only the date, e.g. 2024-03-14."]


def test_real_times_of_day_are_still_dropped(tmp_path):
    report = report_for(tmp_path, contacts=CONTACTS + "2024-03-14 23:59,P1,C001,,visit,30\n"
                        "2024-03-14T00:00:59Z,P1,C001,,visit,30\n")
    assert report.ok and [d.isoformat() for d in report.tables["contacts"]["date"].dt.date] == ["2024-03-14"] * 2
