"""The Data page: one column-mapping rule with the CLI, the upload limit, a read-only workspace, parsing once.

Uploads are given to the page by replacing ``st.file_uploader`` (AppTest has no
uploader of its own) with objects that behave like Streamlit's UploadedFile.
"""

from pathlib import Path

from streamlit.testing.v1 import AppTest

import netdash.ingest
from netdash import cli
from netdash.store import Workspace
from pages._shared import md

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")
GOOD = Path(__file__).resolve().parents[1] / "data" / "good"


def _data_page(give_uploads, files):
    give_uploads(files)
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    at.switch_page("pages/data.py")
    at.run()
    assert not at.exception, at.exception
    return at


def _good_files(**changes):
    files = {p.name: p.read_bytes() for p in GOOD.glob("*.csv")}
    files.update(changes)
    return {k: v for k, v in files.items() if v is not None}


def _shown(at):
    return [t.value for t in at.text] + [e.value for e in at.error] + [i.value for i in at.info]


def test_a_synonym_is_suggested_not_mapped_as_the_cli_does(own_app_workspace, give_uploads, tmp_path, capsys):
    contacts = (GOOD / "contacts.csv").read_bytes().replace(b"date,practitioner_id,", b"date,staff,", 1)
    files = _good_files(**{"contacts.csv": contacts})
    at = _data_page(give_uploads, files)
    staff = next(s for s in at.selectbox if s.label.startswith("Column “staff” is"))
    assert staff.label == "Column “staff” is (looks like practitioner_id)" and staff.value == "(not used)"
    page_errors = [t for t in _shown(at) if "required column practitioner_id is missing" in t]
    assert page_errors and next(b for b in at.button if b.label == "Import").disabled
    # The CLI refuses the same files with the same message.
    folder = tmp_path / "src"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    assert cli.main(["validate", str(folder)]) == 1
    assert page_errors[0] in capsys.readouterr().out
    # Choosing the suggestion maps it, and the files can be imported.
    staff.set_value("practitioner_id")
    at.run()
    assert not at.exception and not at.error
    assert "No errors: this dataset can be imported." in [s.value for s in at.success]


def test_an_unmapped_colleague_column_is_asked_about_before_deleting_rows(own_app_workspace, give_uploads, tmp_path,
                                                                       capsys):
    # issue 16: "Colleague" was left unmapped, and the advice was to delete real colleague contacts
    contacts = (GOOD / "contacts.csv").read_bytes().replace(b",with_practitioner_id,", b",Colleague,", 1)
    files = _good_files(**{"contacts.csv": contacts})
    at = _data_page(give_uploads, files)
    question = ("column 'Colleague' looks like with_practitioner_id (by its name; 3 of its 3 filled cells are "
                "practitioner IDs in practitioners.csv): map it?")
    assert [w.value for w in at.warning][0] == md("contacts.csv") + ": " + md(question)
    (error,) = [t for t in _shown(at) if "names neither a client_id nor a with_practitioner_id" in t]
    # the mapping is offered first; deleting rows comes last, and only for rows that really name nobody
    assert error.index(question) < error.index("delete the row")
    assert "It has a value in all 1 of these rows" in error
    # the CLI says the same
    folder = tmp_path / "src"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    assert cli.main(["validate", str(folder)]) == 1
    assert error in capsys.readouterr().out
    # one click maps it, and the colleague contact is kept instead of deleted
    at.button(key="map_hint::0::contacts::Colleague").click().run()
    assert not at.exception and not at.error
    colleague = next(s for s in at.selectbox if s.label.startswith("Column “Colleague” is"))
    assert colleague.value == "with_practitioner_id"
    assert "No errors: this dataset can be imported." in [s.value for s in at.success]


def test_a_file_the_uploader_refused_is_explained(own_app_workspace, give_uploads):
    at = _data_page(give_uploads, _good_files(**{"contacts.csv": None}))
    notes = [i.value for i in at.info]
    assert any("was not received, so it counts as missing" in n and "over 200 MB" in n for n in notes)


def test_the_upload_is_read_once_while_it_does_not_change(own_app_workspace, give_uploads, monkeypatch):
    calls = []
    real = netdash.ingest.read_uploads

    def counting(*args, **kwargs):
        calls.append(kwargs.get("mapping"))
        return real(*args, **kwargs)

    monkeypatch.setattr(netdash.ingest, "read_uploads", counting)
    at = _data_page(give_uploads, _good_files())
    assert len(calls) == 2  # the files, then the files with the chosen mapping
    at.checkbox(key="import_replace").check()
    at.run()
    at.text_input(key="import_name").set_value("another name")
    at.run()
    assert not at.exception and len(calls) == 2
    at.checkbox[0].check()  # day-first dates: validated again, from the files already read
    at.run()
    assert len(calls) == 3


def test_a_read_only_workspace_shows_no_write_controls_that_work(own_app_workspace, give_uploads, monkeypatch):
    own_app_workspace.import_dataset(GOOD, name="small", today="2030-01-01")
    monkeypatch.setattr(Workspace, "read_only", property(lambda self: "netdash cannot write to the folder /x"))
    at = _data_page(give_uploads, _good_files())
    assert any("This workspace is read-only (netdash cannot write to the folder /x)" in w.value for w in at.warning)
    assert at.button[0].disabled  # Import
    assert at.button(key="delete_dataset").disabled
    assert "Restore the demo dataset" not in [b.label for b in at.button]


# ---- roles and the record of changes (issue 18, item 3) ----------------------------------------------------

ROLES = {"lead@example.org": "admin", "example.org": "editor", "default": "viewer"}


def _signed_in(give_uploads, email):
    calls = give_uploads({})
    at = AppTest.from_file(APP, default_timeout=180)
    at.secrets["auth"] = {"redirect_uri": "http://127.0.0.1:9/oauth2callback", "cookie_secret": "x" * 32,
                          "client_id": "netdash", "client_secret": "s", "server_metadata_url":
                          "http://127.0.0.1:9/.well-known/openid-configuration"}
    at.secrets["netdash"] = {"roles": ROLES}
    at.user = {"is_logged_in": True, "email": email, "name": email}
    at.run()
    at.switch_page("pages/data.py")
    at.run()
    assert not at.exception, at.exception
    return at, calls


def test_a_viewer_never_sees_the_write_controls(own_app_workspace, give_uploads):
    own_app_workspace.import_dataset(GOOD, name="small", today="2030-01-01", who="lead@example.org")
    at, uploader_calls = _signed_in(give_uploads, "someone@elsewhere.org")
    assert uploader_calls == []  # no file uploader at all
    assert any("Your role is viewer" in i.value for i in at.info)
    labels = [b.label for b in at.button]
    assert "Delete dataset" not in labels and "Import" not in labels and "Restore the demo dataset" not in labels
    assert not [c for c in at.checkbox if "delete" in c.label]
    assert "Signed in as someone@elsewhere\\.org (viewer)" in [c.value for c in at.sidebar.caption]  # md-escaped
    # The record of changes is shown to everyone.
    log = next(d.value for d in at.dataframe if "who" in d.value.columns)
    assert "lead@example.org" in set(log["who"]) and "small" in set(log["dataset"])


def test_an_editor_deletes_and_the_record_says_who(own_app_workspace, give_uploads):
    own_app_workspace.import_dataset(GOOD, name="small", today="2030-01-01", who="lead@example.org")
    at, uploader_calls = _signed_in(give_uploads, "sam@example.org")
    assert uploader_calls  # editors get the uploader
    at.selectbox(key="manage_dataset").set_value("small")
    at.checkbox(key="confirm_delete").check()
    at.run()
    at.button(key="delete_dataset").click()
    at.run()
    assert not at.exception, at.exception
    assert "small" not in [i.name for i in own_app_workspace.list()]
    entries = own_app_workspace.log()
    assert [(e.who, e.action, e.dataset) for e in entries if e.dataset == "small"] == [
        ("lead@example.org", "import", "small"), ("sam@example.org", "delete", "small")]
    assert entries[-1].row_counts["contacts"] == 5


def test_a_misconfigured_role_is_a_message_and_makes_a_viewer(own_app_workspace, give_uploads):
    give_uploads({})
    at = AppTest.from_file(APP, default_timeout=180)
    at.secrets["auth"] = {"redirect_uri": "http://127.0.0.1:9/oauth2callback", "cookie_secret": "x" * 32}
    at.secrets["netdash"] = {"roles": {"example.org": "superuser"}}
    at.user = {"is_logged_in": True, "email": "sam@example.org"}
    at.run()
    at.switch_page("pages/data.py")
    at.run()
    assert not at.exception
    assert any("the role 'superuser'; roles are viewer, editor, admin" in e.value for e in at.error)
    assert "Delete dataset" not in [b.label for b in at.button]


def test_contacts_without_direction_are_shown_their_evidence_and_imported_undirected(own_app_workspace, give_uploads):
    at = _data_page(give_uploads, _good_files())
    notes = [i.value for i in at.info if "one direction only" in i.value]
    assert len(notes) == 1 and "of colleague pairs" in notes[0]
    undirected = next(c for c in at.checkbox if c.label.startswith("Contacts have no direction"))
    undirected.check()
    at.run()
    assert not at.exception
    at.text_input(key="import_name").set_value("both_ways")
    next(b for b in at.button if b.label == "Import").click()
    at.run()
    assert not at.exception
    ws = Workspace(own_app_workspace.path)
    assert ws.info("both_ways").directed is False
    assert ws.open("both_ways").directed is False
