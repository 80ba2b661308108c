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


def _metrics(at):
    return {m.label: m.value for m in at.metric}


def test_trust_page_follows_the_rule_settings(app):
    at = _open(app, "pages/trust.py")
    assert at.title[0].value == "Trust"
    strict_before = int(_metrics(at)["Trust ties"])
    assert strict_before > 0
    at.number_input(key="trust_min_interactions").set_value(1).run()
    at.number_input(key="trust_min_months").set_value(1).run()
    assert not at.exception
    assert int(_metrics(at)["Trust ties"]) > strict_before
    assert "at least 1 contact in all" in at.info[0].value


def test_brokerage_page_lists_boundary_spanners(app):
    at = _open(app, "pages/brokerage.py")
    assert at.title[0].value == "Brokerage"
    spanners = at.dataframe[0].value
    assert len(spanners) > 0
    assert (spanners["other_agencies"] >= 2).all()
    at.toggle(key="brokerage_weighted").set_value(True).run()
    assert not at.exception


def test_fragmentation_page_changes_with_tie_type(app):
    at = _open(app, "pages/fragmentation.py")
    working = float(_metrics(at)["Fragmentation"])
    at.selectbox(key="frag_ties").set_value("cop").run()
    assert not at.exception
    cop_only = float(_metrics(at)["Fragmentation"])
    # Only a minority attends the COP, so COP ties alone leave most people unconnected.
    assert cop_only > working
