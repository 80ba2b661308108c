"""Altair charts the pages draw more than once, built from tables ``netdash`` computed.

Plain functions of their arguments: :mod:`pages._cached` builds and keeps
some of them, so a run does not build them again (docs/benchmarks.md, "pages/_charts.py").
"""

import altair as alt
import pandas as pd

from netdash.change.headline import HEADLINE_EXPLANATIONS

__all__ = ["mixing_heatmap", "headline_chart", "chart_markers", "attendee_chart", "y_scale"]

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
        tooltip=[alt.Tooltip("agency:N", title="Agency"), alt.Tooltip("agency_to:N", title="With"), "ties:Q"],
    ).properties(height=height)


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
        y=f"{measure}:Q",
        fill=alt.Fill("window:N", scale=alt.Scale(domain=["full", "partial"], range=["#4e79a7", "white"]),
                      legend=None),
        tooltip=[alt.Tooltip("label:N", title="Window"), alt.Tooltip(f"{measure}:Q", title=label, format=".3~f"),
                 alt.Tooltip("window:N", title="Data cover")])
    layers = [line, points]
    if not markers.empty:
        layers.insert(0, alt.Chart(markers).mark_rule(strokeDash=[4, 3]).encode(
            x="date:T", color=alt.Color("what:N", scale=alt.Scale(domain=["COP session", "COP start (sidebar)"],
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
                x="date:T", tooltip=[alt.Tooltip("date:T", title="Date"), alt.Tooltip("what:N", title="Marker")]))
    return alt.layer(*layers).properties(height=260)


def chart_markers(sessions, cop_start, first, last):
    """The rules to draw: every COP session date, and the sidebar's COP start when it lies in ``[first, last]``."""
    markers = sessions.assign(what="COP session")[["date", "what"]]
    if cop_start is not None and first <= cop_start <= last:
        markers = pd.concat([markers, pd.DataFrame({"date": [cop_start], "what": ["COP start (sidebar)"]})])
    return markers.astype({"date": "datetime64[ns]"})
