"""Helpers shared by the AppTest page tests: open a page with chosen settings, read what it shows."""

import json
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from pages._mapview import NAME as MAPVIEW

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")


def open_page(workspace, page, *, dataset="demo", period=None, cop_start=None, timeout=180):
    """Run the app on ``dataset`` with the sidebar's period and COP start set, then switch to ``page``.

    ``period`` is a ``(first_day, last_day)`` pair of dates, as the sidebar
    holds it. Fails the test if the page raised.
    """
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.session_state["dataset"] = dataset
    if period is not None or cop_start is not None:
        version = workspace.info(dataset).version
        if period is not None:
            at.session_state[f"period::{dataset}::{version}"] = period
        if cop_start is not None:
            at.session_state[f"cop::{dataset}::{version}"] = pd.Timestamp(cop_start).date()
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def metrics(at):
    """``{label: value}`` of every ``st.metric`` on the page."""
    return {m.label: m.value for m in at.metric}


def texts(elements):
    """The text of ``elements`` (captions, markdown, ...) joined by spaces."""
    return " ".join(e.value for e in elements)


def chart_data(at):
    """The data of every Altair/Vega-Lite chart on the page, as DataFrames (one per chart, in page order)."""
    import pyarrow as pa

    frames = []
    for element in at.main:
        if getattr(element, "type", "") == "vega_lite_chart":
            for dataset in element.proto.datasets:
                frames.append(pa.ipc.open_stream(dataset.data.data).read_pandas())
    return frames


def drawn_maps(at):
    """The map spec (:func:`netdash.viz.network_spec`) of every network map the page draws, in page order.

    Reads the in-page maps of ``pages/_mapview.py`` (one spec per panel).
    """
    maps = []
    for element in at.main:
        if getattr(element, "type", "") == "bidi_component" and element.proto.component_name == MAPVIEW:
            maps.extend(json.loads(element.proto.bytes)["panels"])
    return maps


def html_table(body):
    """The rows of one :func:`pages._shared.small_table` HTML table (header first), each a list of cell texts."""
    import html
    import re

    return [[html.unescape(cell.replace("<wbr>", "")) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", body)]


def small_tables(at):
    """Every :func:`pages._shared.small_table` on the page, in page order, as :func:`html_table` rows."""
    return [html_table(h.value) for h in at.html if "nd-table" in h.value]


def small_table_frame(rows):
    """:func:`html_table` rows as a data frame indexed by the first column: numbers as floats, empty cells NaN."""
    import pandas as pd

    frame = pd.DataFrame(rows[1:], columns=rows[0]).set_index(rows[0][0])
    return frame.apply(lambda column: column if column.name == "method" else pd.to_numeric(column.replace("", None)))


def before_after_measures(at):
    """Before & after's headline measures table (its first :func:`small_tables`) as a :func:`small_table_frame`."""
    return small_table_frame(small_tables(at)[0])


def altair_mixing_heatmap(matrix, title, names, *, diverging=False, height=340):
    """Before & after's heat map of one agency × agency ``matrix`` as an Altair chart: the page drew three of these
    until session 15, and the tests check :func:`pages._charts.mixing_heatmaps`' panels against them."""
    import altair as alt

    frame = matrix.rename(index=names, columns=names).stack().rename("ties").reset_index()
    frame.columns = ["agency", "agency_to", "ties"]
    scale = alt.Scale(scheme="blueorange", domainMid=0) if diverging else alt.Scale(scheme="greens")
    return alt.Chart(frame, title=title).mark_rect().encode(
        x=alt.X("agency_to:N", title=None, sort=None, axis=alt.Axis(labelAngle=-50, labelLimit=110)),
        y=alt.Y("agency:N", title=None, sort=None, axis=alt.Axis(labelOverlap=False, labelLimit=130)),
        color=alt.Color("ties:Q", scale=scale, title="change" if diverging else "ties"),
        tooltip=[alt.Tooltip("agency:N", title="Agency"), alt.Tooltip("agency_to:N", title="With"),
                 alt.Tooltip("ties:Q")],
    ).properties(height=height)
