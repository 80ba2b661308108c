"""Altair charts the pages draw, built from tables ``netdash`` computed, and the specs a page sends.

Plain functions of their arguments: :mod:`pages._cached` builds them and
keeps their :func:`vega_spec`, which the page hands to
``st.vega_lite_chart``, so a rerun neither builds a chart again nor has
Altair validate it again (docs/benchmarks.md, "pages/_charts.py";
docs/browser_timings.md, "Chart specs built once").
"""

import altair as alt
import pandas as pd

from netdash.change.headline import HEADLINE_EXPLANATIONS

__all__ = ["vega_spec", "mixing_heatmap", "headline_chart", "chart_markers", "attendee_chart", "y_scale",
           "ties_heatmap", "monthly_contacts_chart"]


def vega_spec(chart):
    """The Vega-Lite spec ``st.altair_chart(chart)`` would send, for ``st.vega_lite_chart(spec=...)``.

    Streamlit's own conversion (the one ``st.altair_chart`` makes on every
    call: Altair's ``to_dict`` under Streamlit's lock on Altair's global
    theme and data transformer, the data as named Arrow datasets in
    ``spec["datasets"]``, named by a hash of their bytes), without Altair's
    JSON-schema validation of the result: two thirds of a conversion, and
    these charts are built by this module's code, whose specs the tests
    validate (tests/pages/test_charts.py checks that the element is the one
    ``st.altair_chart`` sends). Built once per chart in :mod:`pages._cached`,
    it spares each rerun the conversion too (docs/browser_timings.md,
    "Chart specs built once"). The page passes the same ``width`` and
    ``height`` it passed to ``st.altair_chart``. Treat the spec as
    read-only: Streamlit copies it before taking the datasets out.
    """
    # Streamlit 1.67's private helpers (pinned in requirements.lock), as _convert_altair_to_vega_lite_spec uses them:
    # tests/pages/test_charts.py fails if they move or the result differs from st.altair_chart's.
    from contextlib import nullcontext

    from streamlit.elements.vega_charts import _altair_globals_lock, _to_arrow_dataset

    datasets = {}
    alt.data_transformers.register("to_arrow_dataset", _to_arrow_dataset)
    with _altair_globals_lock:
        theme = alt.theme.enable("none") if alt.theme.active == "default" else nullcontext()
        with theme, alt.data_transformers.enable("to_arrow_dataset", datasets=datasets):
            spec = chart.to_dict(validate=False)
    kept = spec.get("datasets")
    spec["datasets"] = {**kept, **datasets} if isinstance(kept, dict) else datasets
    return spec


# Channels are written as alt.X(...), alt.Tooltip(...), never as bare "field:type" strings: Altair turns a string
# into its channel through from_dict, which hashes all of its ~570 schema classes each time (about 0.01 CPU s a
# string; half the build of Over time's charts). The spec is the same.

#: The y axis of each headline measure: its whole range where it has one, else from zero. A scale fitted to the
#: data made a change of 0.47 to 0.51 fill the chart (issue 16).
_Y_DOMAINS = {"cross_agency_share": (0, 1), "ei_index": (-1, 1), "fragmentation": (0, 1), "agency_nmi": (0, 1)}


def y_scale(measure):
    """The y scale of a headline measure: its whole range (:data:`_Y_DOMAINS`), or counts from zero."""
    domain = _Y_DOMAINS.get(measure)
    return alt.Scale(domain=list(domain)) if domain else alt.Scale(zero=True)


def mixing_heatmap(matrix, title, names, *, diverging=False, height=340):
    """A heat map of an agency (or sector) × agency ``matrix`` of ties, labelled with ``names``."""
    frame = matrix.rename(index=names, columns=names).stack().rename("ties").reset_index()
    frame.columns = ["agency", "agency_to", "ties"]
    scale = alt.Scale(scheme="blueorange", domainMid=0) if diverging else alt.Scale(scheme="greens")
    return alt.Chart(frame, title=title).mark_rect().encode(
        x=alt.X("agency_to:N", title=None, sort=None, axis=alt.Axis(labelAngle=-50, labelLimit=110)),
        y=alt.Y("agency:N", title=None, sort=None, axis=alt.Axis(labelOverlap=False, labelLimit=130)),
        color=alt.Color("ties:Q", scale=scale, title="change" if diverging else "ties"),
        tooltip=[alt.Tooltip("agency:N", title="Agency"), alt.Tooltip("agency_to:N", title="With"), alt.Tooltip("ties:Q")],
    ).properties(height=height)


def ties_heatmap(matrix, *, height=420):
    """Fragmentation's heat map of ties between the groups of ``matrix`` (rows from, columns to), in its order."""
    long = matrix.rename_axis(index="from").reset_index().melt(id_vars="from", var_name="to", value_name="ties")
    return alt.Chart(long).mark_rect().encode(
        x=alt.X("to:N", title=None, sort=list(matrix.columns)),
        y=alt.Y("from:N", title=None, sort=list(matrix.index)),
        color=alt.Color("ties:Q", scale=alt.Scale(scheme="blues"), title="Ties"),
        tooltip=[alt.Tooltip("from:N"), alt.Tooltip("to:N"), alt.Tooltip("ties:Q")],
    ).properties(height=height)


def monthly_contacts_chart(monthly, cop_start=None):
    """The Overview's contacts per month by kind (:func:`netdash.dataset.monthly_activity`), ``cop_start`` marked."""
    chart = alt.Chart(monthly).mark_area().encode(
        x=alt.X("month:T", title="Month"),
        y=alt.Y("contacts:Q", title="Contacts", stack=True),
        color=alt.Color("kind:N", title="Contact", sort=["client", "within agency", "cross agency"]),
        tooltip=[alt.Tooltip("month:T"), alt.Tooltip("kind:N"), alt.Tooltip("contacts:Q")],
    ).properties(height=280)
    if cop_start is not None:
        chart = chart + alt.Chart({"values": [{"cop": cop_start.isoformat()}]}).mark_rule(strokeDash=[4, 4]).encode(
            x=alt.X("cop:T"), tooltip=[alt.Tooltip("cop:T", title="COP start")])
    return chart


def headline_chart(series, measure, markers):
    """One headline measure window by window (:func:`netdash.change.windows.headline_series`), with ``markers``.

    ``markers`` has a ``date`` and a ``what`` column ("COP session" or
    "COP start (sidebar)"), drawn as dashed rules.
    """
    label = HEADLINE_EXPLANATIONS[measure][0]
    if measure == "trust_ties" and "trust_min_months" in series and (series["trust_min_months"] == 1).any():
        label = "Trust ties (within-month rule)"
    series = series.assign(mid=series["start"] + (series["end"] - series["start"]) / 2,
                           window=series["partial"].map({True: "partial", False: "full"}))
    base = alt.Chart(series, title=label).encode(x=alt.X("mid:T", title=None, axis=alt.Axis(format="%b %Y")))
    line = base.mark_line(color="#4e79a7").encode(y=alt.Y(f"{measure}:Q", title=label, scale=y_scale(measure)))
    points = base.mark_point(size=60, color="#4e79a7").encode(
        y=alt.Y(f"{measure}:Q"),
        fill=alt.Fill("window:N", scale=alt.Scale(domain=["full", "partial"], range=["#4e79a7", "white"]),
                      legend=None),
        tooltip=[alt.Tooltip("label:N", title="Window"), alt.Tooltip(f"{measure}:Q", title=label, format=".3~f"),
                 alt.Tooltip("window:N", title="Data cover")])
    layers = [line, points]
    if not markers.empty:
        layers.insert(0, alt.Chart(markers).mark_rule(strokeDash=[4, 3]).encode(
            x=alt.X("date:T"), color=alt.Color("what:N", scale=alt.Scale(domain=["COP session", "COP start (sidebar)"],
                                                                   range=["#e69f00", "#222222"]),
                                        legend=None),
            tooltip=[alt.Tooltip("date:T", title="Date"), alt.Tooltip("what:N", title="Marker")]))
    return alt.layer(*layers).properties(height=200)


def attendee_chart(series, markers):
    """Mean cross-agency colleagues of COP attendees and non-attendees window by window, y from zero.

    ``series`` is :func:`netdash.change.windows.attendee_series`; ``markers``
    as :func:`headline_chart`. Hidden means (small groups) leave a gap.
    """
    series = series.assign(mid=series["start"] + (series["end"] - series["start"]) / 2)
    y_title = "Cross-agency colleagues (mean)"
    base = alt.Chart(series).encode(
        x=alt.X("mid:T", title=None, axis=alt.Axis(format="%b %Y")),
        y=alt.Y("mean_cross_agency_colleagues:Q", title=y_title, scale=alt.Scale(zero=True)),
        color=alt.Color("group:N", title=None, sort=None,
                        scale=alt.Scale(range=["#d55e00", "#4e79a7"]), legend=alt.Legend(orient="top")))
    layers = [base.mark_line(), base.mark_point(filled=True, size=50).encode(
        tooltip=[alt.Tooltip("label:N", title="Window"), alt.Tooltip("group:N", title="Group"),
                 alt.Tooltip("mean_cross_agency_colleagues:Q", title=y_title, format=".2f"),
                 alt.Tooltip("mean_colleagues:Q", title="Mean colleagues (any agency)", format=".2f"),
                 alt.Tooltip("practitioners:Q", title="Practitioners")])]
    for what, colour in (("COP session", "#e69f00"), ("COP start (sidebar)", "#222222")):
        rules = markers[markers["what"] == what]
        if not rules.empty:  # one colour per layer: the colour scale is the groups'
            layers.insert(0, alt.Chart(rules).mark_rule(strokeDash=[4, 3], color=colour).encode(
                x=alt.X("date:T"), tooltip=[alt.Tooltip("date:T", title="Date"), alt.Tooltip("what:N", title="Marker")]))
    return alt.layer(*layers).properties(height=260)


def chart_markers(sessions, cop_start, first, last):
    """The rules to draw: every COP session date, and the sidebar's COP start when it lies in ``[first, last]``."""
    markers = sessions.assign(what="COP session")[["date", "what"]]
    if cop_start is not None and first <= cop_start <= last:
        markers = pd.concat([markers, pd.DataFrame({"date": [cop_start], "what": ["COP start (sidebar)"]})])
    return markers.astype({"date": "datetime64[ns]"})
