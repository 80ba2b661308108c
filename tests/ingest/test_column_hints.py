"""Upload advice that never destroys data (issue 16, item 5).

A column the mapping left out that looks like a missing netdash column (by
its name, or because its values are known IDs) is asked about first; only
then is deleting rows suggested. netdash.ingest.mapping.unmapped_column_hints
and its use in netdash.ingest.validate.
"""

import pandas as pd
import pytest

from netdash.errors import InvalidInputError
from netdash.ingest import load_dataset, read_source, suggest_mapping, validate
from netdash.ingest.mapping import unmapped_column_hints
from test_ingest import CONTACTS, SECRET, TODAY, make_source, report_for

KNOWN = {"practitioners": {"P1", "P2", "P3"}, "agencies": {"A1"}, "clients": {"C001", "C002"}}


def _frame(**columns):
    return pd.DataFrame({"date": ["2024-01-02"] * 3, "practitioner_id": ["P1", "P2", "P3"], **columns})


def test_a_name_like_a_synonym_is_a_hint():
    (hint,) = unmapped_column_hints(_frame(Colleague=["P2", "", "x"]), "contacts")
    assert (hint.column, hint.canonical, hint.evidence, hint.filled) == ("Colleague", "with_practitioner_id",
                                                                         "by its name", 2)
    assert hint.question() == "column 'Colleague' looks like with_practitioner_id (by its name): map it?"
    assert hint.how().endswith('--mapping naming a JSON file that holds {"contacts": {"Colleague": '
                               '"with_practitioner_id"}}.')


def test_values_that_are_practitioner_ids_are_a_hint_whatever_the_name():
    (hint,) = unmapped_column_hints(_frame(Other=["P2", "P3", " "]), "contacts", known=KNOWN)
    assert hint.canonical == "with_practitioner_id"  # practitioner_id is already there
    assert hint.evidence == "2 of its 2 filled cells are practitioner IDs in practitioners.csv"


def test_client_ids_are_counted_never_quoted():
    (hint,) = unmapped_column_hints(_frame(Ref=["C001", "C002", "C001"]), "contacts", known=KNOWN)
    assert hint.canonical == "client_id"
    assert "C00" not in hint.question()


def test_the_values_outweigh_a_misleading_name():
    # named like a client column, but holding practitioner IDs
    (hint,) = unmapped_column_hints(_frame(Client=["P1", "P2", "P3"]), "contacts", known=KNOWN)
    assert hint.canonical == "with_practitioner_id" and "by its name" not in hint.evidence


@pytest.mark.parametrize("columns", [
    {"Notes": ["late", "", "ok"]},                          # nothing like a netdash column
    {"Other": ["P1", "x", "y"]},                           # 1 of 3 values is an ID: less than half
    {"with_practitioner_id": ["P2", "", ""], "Colleague": ["P3", "", ""]},  # the column is there already
])
def test_no_hint(columns):
    assert unmapped_column_hints(_frame(**columns), "contacts", known=KNOWN) == []


def test_a_typo_in_a_name_is_close_enough():
    assert suggest_mapping(["Practioner ID", "date"], "contacts")["Practioner ID"] == "practitioner_id"
    assert suggest_mapping(["date", "practitioner_id", "Colleague"], "contacts")["Colleague"] == \
        "with_practitioner_id"


def test_unknown_table():
    with pytest.raises(InvalidInputError, match="unknown table 'contact'"):
        unmapped_column_hints(_frame(), "contact")


# ---- in validation: the CLI's and the Data page's messages ---------------------------------------------

COLLEAGUE = CONTACTS.replace(",with_practitioner_id,", ",Colleague,")


def test_a_contact_naming_nobody_asks_about_the_colleague_column_first(tmp_path):
    report = report_for(tmp_path, contacts=COLLEAGUE + "2024-01-10,P1,,P2,,\n2024-01-11,P1,,P3,,\n"
                        "2024-01-12,P2,,,,\n2024-01-13,P2,C001,,,\n")
    (error,) = [str(p) for p in report.errors]
    assert error == (
        "contacts.csv, rows 2, 3 and 4: the contact names neither a client_id nor a with_practitioner_id. Every "
        "contact names a client, a colleague or both. First: column 'Colleague' looks like with_practitioner_id "
        "(by its name; 2 of its 2 filled cells are practitioner IDs in practitioners.csv): map it? It has a value "
        "in 2 of these 3 rows. Choose with_practitioner_id for 'Colleague' in the column step when "
        "uploading, or run again with --mapping naming a JSON file that holds {\"contacts\": {\"Colleague\": "
        "\"with_practitioner_id\"}}. Only if a contact really names nobody, fill one in or delete the row.")
    assert error.index("map it?") < error.index("delete the row")
    (warning,) = [str(p) for p in report.warnings]
    assert warning.startswith("contacts.csv, row 1: column 'Colleague' looks like with_practitioner_id (by its "
                              "name; 2 of its 2 filled cells are practitioner IDs")
    assert "It is not mapped, so netdash ignored it." in warning and "not used by netdash" not in warning
    assert [(h.table, h.column, h.canonical) for h in report.hints] == [("contacts", "Colleague",
                                                                         "with_practitioner_id")]


def test_mapping_the_column_keeps_every_colleague_contact(tmp_path):
    source = make_source(tmp_path, contacts=COLLEAGUE + "2024-01-10,P1,,P2,,\n2024-01-11,P1,,P3,,\n"
                         "2024-01-13,P2,C001,,,\n")
    with pytest.raises(InvalidInputError, match="map it"):
        load_dataset(source, secret=SECRET, today=TODAY)
    ds, report = load_dataset(source, secret=SECRET, today=TODAY,
                              mapping={"contacts": {"Colleague": "with_practitioner_id"}})
    assert report.ok and report.hints == []
    assert ds.contacts["with_practitioner_id"].tolist() == ["P2", "P3", None]


def test_without_a_likely_column_the_message_is_unchanged(tmp_path):
    report = report_for(tmp_path, contacts=CONTACTS.replace(",with_practitioner_id,", ",Notes,")
                        + "2024-01-10,P1,,late,,\n")
    assert [str(p) for p in report.errors] == [
        "contacts.csv, row 2: the contact names neither a client_id nor a with_practitioner_id. Every contact "
        "names a client, a colleague or both; fill one in or delete the row."]


def test_a_missing_required_column_found_by_its_values(tmp_path):
    contacts = "date,Person,client_id\n2024-01-10,P1,C001\n2024-01-11,P2,C002\n"
    report = validate(read_source(make_source(tmp_path, contacts=contacts)), today=TODAY)
    (error,) = [str(p) for p in report.errors]
    assert "required column practitioner_id is missing" in error and "'Person' looks like practitioner_id." in error
    assert [(h.column, h.canonical) for h in report.hints] == [("Person", "practitioner_id")]
