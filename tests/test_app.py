"""AppTest smoke tests and one interaction per page, on the demo data."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")
TIMEOUT = 120


@pytest.fixture
def app(app_workspace):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    return at


def _open(at, page):
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def test_overview_shows_dataset_counts(app):
    assert app.title[0].value == "Overview"
    labels = {m.label: m.value for m in app.metric}
    assert int(labels["Agencies"]) >= 10
    assert int(labels["Practitioners"]) >= 100


def test_overview_follows_the_period(app):
    before = {m.label: m.value for m in app.metric}["Contacts"]
    period = app.sidebar.date_input[0]
    start, end = period.value
    period.set_value((start, start.replace(day=28))).run()
    assert not app.exception
    after = {m.label: m.value for m in app.metric}["Contacts"]
    assert int(after.replace(",", "")) < int(before.replace(",", ""))


def test_data_page_lists_demo_and_offers_template(app):
    at = _open(app, "pages/data.py")
    assert at.title[0].value == "Data"
    names = at.selectbox(key="manage_dataset").options
    assert "demo" in names


def test_data_page_delete_needs_confirmation(app):
    at = _open(app, "pages/data.py")
    button = at.button(key="delete_dataset")
    assert button.disabled


def test_network_map_draws_and_filters_by_agency(app):
    at = _open(app, "pages/network_map.py")
    assert len(at.get("iframe")) == 1
    everyone = int({m.label: m.value for m in at.metric}["Practitioners shown"])
    agencies = at.multiselect(key="map_agencies")
    agencies.set_value([agencies.options[0]]).run()
    assert not at.exception
    some = int({m.label: m.value for m in at.metric}["Practitioners shown"])
    assert 0 < some < everyone
