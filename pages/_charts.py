"""Altair charts the pages draw more than once, built from tables ``netdash`` computed.

Plain functions of their arguments: :mod:`pages._cached` builds and keeps
some of them, so a run does not build them again (docs/benchmarks.md, "pages/_charts.py").
"""

import altair as alt
import pandas as pd

from netdash.change.headline import HEADLINE_EXPLANATIONS

__all__ = ["mixing_heatmap", "headline_chart", "chart_markers"]


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
    series = series.assign(mid=series["start"] + (series["end"] - series["start"]) / 2,
                           window=series["partial"].map({True: "partial", False: "full"}))
    base = alt.Chart(series, title=label).encode(x=alt.X("mid:T", title=None, axis=alt.Axis(format="%b %Y")))
    line = base.mark_line(color="#4e79a7").encode(y=alt.Y(f"{measure}:Q", title=label, scale=alt.Scale(zero=False)))
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


def chart_markers(sessions, cop_start, first, last):
    """The rules to draw: every COP session date, and the sidebar's COP start when it lies in ``[first, last]``."""
    markers = sessions.assign(what="COP session")[["date", "what"]]
    if cop_start is not None and first <= cop_start <= last:
        markers = pd.concat([markers, pd.DataFrame({"date": [cop_start], "what": ["COP start (sidebar)"]})])
    return markers.astype({"date": "datetime64[ns]"})
