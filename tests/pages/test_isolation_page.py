"""Isolation & introductions (issue 16, item 4): named suggestions, readable reasons, consistent suppression.

Values on the page are checked against the library on the same period:
:func:`netdash.actions.colleagues.suggested_colleagues`,
:func:`netdash.actions.isolation.may_be_named` and
:func:`netdash.actions.isolation.category_counts`.
"""

import datetime as dt
import io
import shutil
from pathlib import Path

import pandas as pd
import pytest
from apptest_support import metrics as _metrics
from apptest_support import open_page, small_tables
from apptest_support import texts as _texts

from netdash.actions.colleagues import suggested_colleagues
from netdash.actions.isolation import category_counts, isolation_report, may_be_named
from netdash.periods import Period
from pages._shared import md

H1 = (dt.date(2024, 1, 1), dt.date(2024, 6, 30))
H1_PERIOD = Period(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-07-01"))


def _page(ws, period=H1, min_count=None):
    at = open_page(ws, "pages/isolation.py", period=period, timeout=180)
    if min_count is not None:
        at.number_input(key="iso_min_count").set_value(min_count).run()
        assert not at.exception, at.exception
    return at


def _markdown(at):
    return [m.value for m in at.markdown]


def test_default_names_nobody_whose_group_count_is_hidden(app_workspace):
    at = _page(app_workspace)
    ds = app_workspace.open("demo")
    report = isolation_report(ds, H1_PERIOD)
    named = may_be_named(report, min_count=5)
    listed = report[report["category"] != "connected"]
    # every non-connected person on the demo is in an agency cell that is hidden at 5: nobody may be named
    assert not named[listed.index].any()
    assert int(_metrics(at)["People listed"]) == 0
    assert "naming them would give it away" in _texts(at.info)
    text = " ".join(_markdown(at))
    for pid in listed["practitioner_id"]:
        assert pid not in text
    hidden = category_counts(report, by="agency_id", min_count=5, marker="hidden")
    assert (hidden[["boundary_isolated", "drifting"]] == "hidden").any().all()


def test_name_everyone_button_names_each_with_three_colleagues(app_workspace):
    at = _page(app_workspace)
    at.button(key="iso_name_everyone").click().run()
    assert not at.exception, at.exception
    assert at.number_input(key="iso_min_count").value == 1
    ds = app_workspace.open("demo")
    report = isolation_report(ds, H1_PERIOD)
    found = suggested_colleagues(ds, H1_PERIOD, report)
    within = report[report["category"] == "boundary_isolated"]
    assert len(within) == 6
    assert int(_metrics(at)["People listed"]) == int((report["category"] != "connected").sum())
    cards = _markdown(at)
    for pid in within["practitioner_id"]:
        # the person's card, then a numbered list of three colleagues with reasons, on screen (no table scrolling)
        # one Markdown element per card: who, the reason, the suggestions, as paragraphs
        who, reason, suggestions = next(text for text in cards if text.startswith("**") and pid in text).split("\n\n")
        assert pid in who
        assert suggestions.startswith("Colleagues in other agencies to suggest:")
        mine = found[found["practitioner_id"] == pid]
        assert len(mine) == 3
        for colleague in mine["colleague_id"]:
            assert colleague in suggestions
        assert "who could introduce them" in suggestions
        assert "introduction to someone in another agency could help" in reason
    table = at.dataframe[-1].value
    assert "suggested colleagues" in table.columns
    assert table["suggested colleagues"].str.len().gt(0).sum() == len(within)
    # on screen, the reasons come right after who and what, not after six number columns
    assert list(at.dataframe[-1].proto.column_order[:4]) == ["practitioner", "situation", "suggested colleagues",
                                                             "reason"]
    assert small_tables(at)[-1][0][:3] == ["practitioner_1", "practitioner_2", "evidence"]


@pytest.fixture
def downloads(monkeypatch):
    """The frames the page offers as CSV downloads, by file name (as :func:`pages._shared.download_csv` gets them)."""
    from netdash.export import safe_csv
    from pages import _shared

    got = {}
    monkeypatch.setattr(_shared, "download_csv", lambda frame, filename, **kw: got.update(
        {filename: safe_csv(frame() if callable(frame) else frame).decode("utf-8-sig")}))
    return got


def test_counts_csv_has_empty_cells_and_a_note(app_workspace, downloads):
    at = _page(app_workspace)
    ds = app_workspace.open("demo")
    csv = pd.read_csv(io.StringIO(downloads["isolation_counts_by_agency.csv"]), keep_default_na=False)
    assert list(csv.columns) == ["agency", "No working ties recorded yet", "Works only within their own agency",
                                 "Cross-agency links fading", "Connected across agencies", "In post", "note"]
    numbers = csv.drop(columns=["agency", "note"])
    assert not numbers.isin(["hidden"]).any().any()
    # the hidden cells are the page's "hidden" cells, empty in the CSV, and the note names them
    on_screen = at.dataframe[0].value.reset_index(drop=True)
    blank = numbers == ""
    assert (blank.to_numpy() == (on_screen[numbers.columns] == "hidden").to_numpy()).all()
    assert blank.any().any()
    for i in blank.index[blank.any(axis=1)]:
        note = csv.loc[i, "note"]
        assert note.startswith("Hidden: ") and "small-number protection" in note
        for column in numbers.columns[blank.loc[i]]:
            assert column in note
    assert (csv.loc[~blank.any(axis=1), "note"] == "").all()
    expected = category_counts(isolation_report(ds, H1_PERIOD), by="agency_id", min_count=5)
    assert pd.to_numeric(csv["In post"]).sum() == expected["in_post"].sum()


def test_fading_not_computable_without_a_previous_period(app_workspace):
    # the demo starts on 2023-01-01: the half-year before it has no contacts
    at = _page(app_workspace, period=(dt.date(2023, 1, 1), dt.date(2023, 6, 30)))
    shown = _metrics(at)
    assert shown["Cross-agency links fading"] == "not computable"
    assert "is not computable here: no contacts are recorded in the period before (2022-07-04 to 2023-01-01)" \
        in _texts(at.caption)
    table = at.dataframe[0].value
    assert (table["Cross-agency links fading"] == "not computable").all()


def test_names_in_the_cards_are_shown_as_text(app_workspace, tmp_path):
    # P2 works only with P1 (same agency); P1 works with P3 and P4 in A2: both are suggested "via" P1
    good = Path(__file__).resolve().parents[1] / "data" / "good"
    folder = tmp_path / "hostile_names"
    shutil.copytree(good, folder)
    image, styled = "![x](https://evil.example/t.png)", ":red[Alarm] <img src=x onerror=alert(1)>"
    people = (folder / "practitioners.csv").read_text().replace("Ann", image)
    (folder / "practitioners.csv").write_text(people)
    (folder / "agencies.csv").write_text((folder / "agencies.csv").read_text().replace("Mind Eastside", styled))
    if "iso_hostile" not in {i.name for i in app_workspace.list()}:
        app_workspace.import_dataset(folder, name="iso_hostile")
    at = open_page(app_workspace, "pages/isolation.py", dataset="iso_hostile",
                   period=(dt.date(2024, 1, 10), dt.date(2024, 3, 5)))
    at.number_input(key="iso_min_count").set_value(1).run()
    assert not at.exception, at.exception
    cards = " ".join(_markdown(at))
    assert "Colleagues in other agencies to suggest" in cards
    assert "who could introduce them" in cards
    assert md(image) in cards and image not in cards
    assert md(styled) in cards and ":red[" not in cards.replace(md(":red["), "")
