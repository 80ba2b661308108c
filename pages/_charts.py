"""Altair charts the pages draw, built from tables ``netdash`` computed, and the specs a page sends.

Plain functions of their arguments: :mod:`pages._cached` builds them and
keeps their :func:`vega_spec`, which the page hands to
``st.vega_lite_chart``, so a rerun neither builds a chart again nor has
Altair validate it again (docs/benchmarks.md, "pages/_charts.py";
docs/browser_timings.md, "Chart specs built once"). Over time's charts
(:func:`headline_charts`, :func:`attendee_chart`), built at every new
setting, are written as plain Vega-Lite dicts instead: no Altair at run time
(docs/browser_timings.md, "Over time and COP impact: plain chart specs, one PLM run").
"""

import altair as alt
import pandas as pd

from netdash.change.headline import HEADLINE_EXPLANATIONS

__all__ = ["vega_spec", "mixing_heatmaps", "headline_charts", "chart_markers", "attendee_chart", "y_scale",
           "ties_heatmap", "monthly_contacts_chart", "impact_charts", "dose_dots", "client_trend_chart"]


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
    """The y scale of a headline measure, as Vega-Lite: its whole range (:data:`_Y_DOMAINS`), or counts from zero."""
    domain = _Y_DOMAINS.get(measure)
    return {"domain": list(domain)} if domain else {"zero": True}


def mixing_heatmaps(matrices, names, *, titles=("Before", "After", "Change (after − before)"), width=150,
                    height=190):
    """Before & after's three heat maps (before, after, change) side by side, as one chart: one Vega view.

    Each panel draws a heat map of its matrix (the change on a diverging scale), with a
    colour scale and legend of its own; the rows are the same in all three, so only the first panel labels them.
    Three charts cost the browser three Vega views at every rerun; one concatenated chart is one view. A
    concatenated chart cannot stretch to its container, so each panel is ``width`` pixels wide (three fit the wide
    layout's page). A plain Vega-Lite dict with its data as Arrow datasets ``panel0``..``panel2``, built at every
    new setting without Altair (tests/pages/test_charts.py checks it against an Altair chart of each panel). Drawn
    on a canvas (:data:`_CANVAS`): each cell is pixels, not an SVG element (Streamlit chose SVG for this chart).
    """
    panels, datasets = [], {}
    for k, (matrix, title) in enumerate(zip(matrices, titles)):
        frame = matrix.rename(index=names, columns=names).stack().rename("ties").reset_index()
        frame.columns = ["agency", "agency_to", "ties"]
        datasets[f"panel{k}"] = _arrow(frame)
        diverging = k == 2
        panels.append({
            "data": {"name": f"panel{k}"}, "mark": {"type": "rect"},
            "encoding": {
                "color": {"field": "ties", "type": "quantitative", "title": "change" if diverging else "ties",
                          "scale": {"scheme": "blueorange", "domainMid": 0} if diverging else {"scheme": "greens"}},
                "tooltip": [{"field": "agency", "title": "Agency", "type": "nominal"},
                            {"field": "agency_to", "title": "With", "type": "nominal"},
                            {"field": "ties", "type": "quantitative"}],
                "x": {"axis": {"labelAngle": -50, "labelLimit": 110}, "field": "agency_to", "sort": None,
                      "title": None, "type": "nominal"},
                "y": {"axis": {"labelLimit": 130, "labelOverlap": False} if k == 0 else None, "field": "agency",
                      "sort": None, "title": None, "type": "nominal"}},
            "height": height, "title": title, "width": width})
    return {"hconcat": panels, "resolve": {"scale": {"color": "independent"}}, "spacing": 16, "datasets": datasets,
            **_CANVAS}


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


def _arrow(frame):
    """``frame`` as the Arrow IPC bytes Streamlit sends for a named dataset (converted once, not per rerun)."""
    from streamlit.dataframe_util import convert_anything_to_arrow_bytes

    return convert_anything_to_arrow_bytes(frame)


def _headline_layers(measure, label, markers):
    """One measure's chart in :func:`headline_charts`: a line, its points (hollow: partly covered) and the markers."""
    x = {"field": "mid", "type": "temporal", "title": None, "axis": {"format": "%b %Y"}}
    y = {"field": measure, "type": "quantitative"}
    layers = [
        {"data": {"name": "windows"}, "mark": {"type": "line", "color": "#4e79a7"},
         "encoding": {"x": x, "y": {**y, "title": label, "scale": y_scale(measure)}}},
        {"data": {"name": "windows"}, "mark": {"type": "point", "color": "#4e79a7", "size": 60},
         "encoding": {"x": x, "y": y,
                      "fill": {"field": "window", "type": "nominal", "legend": None,
                               "scale": {"domain": ["full", "partial"], "range": ["#4e79a7", "white"]}},
                      "tooltip": [{"field": "label", "type": "nominal", "title": "Window"},
                                  {"field": measure, "type": "quantitative", "title": label, "format": ".3~f"},
                                  {"field": "window", "type": "nominal", "title": "Data cover"}]}},
    ]
    if not markers.empty:
        layers[:0] = _marker_layers({"name": "markers"}, foot="165", filtered=True)
    return {"title": label, "layer": layers, "height": 165}


#: How the markers are drawn. A COP can meet every few days (the medium demo has 144 sessions in a year), so its
#: sessions are short ticks along the foot of a chart, a rug, not lines across it: full-height lines merged into a
#: solid block over the points. The one COP start is a dashed line across the chart.
_SESSION_TICK = {"type": "rule", "color": "#e69f00", "strokeWidth": 1.5}
_START_RULE = {"type": "rule", "color": "#222222", "strokeDash": [4, 3]}
_MARKER_TOOLTIP = [{"field": "date", "type": "temporal", "title": "Date"},
                   {"field": "what", "type": "nominal", "title": "Marker"}]


def _marker_layers(data, *, foot, filtered, start_data=None):
    """The layers drawing :func:`chart_markers`: a rug of COP sessions and the COP start's rule.

    ``foot`` is a Vega expression for the chart's foot in pixels from its top: ``"height"``, or the chart's
    height as a number for a chart in a ``vconcat``, where ``height`` is not that chart's.
    With ``filtered``, both read ``data`` and keep their own rows; otherwise ``data`` holds the sessions and
    ``start_data`` the COP start (None: not drawn).
    """
    x = {"field": "date", "type": "temporal"}
    sessions = {"data": data, "mark": _SESSION_TICK,
                "encoding": {"x": x, "y": {"value": {"expr": foot}}, "y2": {"value": {"expr": f"{foot} - 9"}},
                             "tooltip": _MARKER_TOOLTIP}}
    start = {"data": data if filtered else start_data, "mark": _START_RULE,
             "encoding": {"x": x, "tooltip": _MARKER_TOOLTIP}}
    if filtered:
        sessions["transform"] = [{"filter": {"field": "what", "equal": "COP session"}}]
        start["transform"] = [{"filter": {"field": "what", "equal": "COP start (sidebar)"}}]
    return [layer for layer in (start, sessions) if layer["data"] is not None]


def headline_charts(series, measures, markers):
    """Over time's charts of ``measures``, one below the other in one Vega-Lite spec: a plain dict, for
    ``st.vega_lite_chart(spec=..., width="stretch")`` (read-only).

    ``series`` is :func:`netdash.change.windows.headline_series`; ``markers``
    (:func:`chart_markers`) has a ``date`` and a ``what`` column ("COP
    session" or "COP start (sidebar)"), drawn by :func:`_marker_layers`. Each chart is
    the one the Altair ``headline_chart`` drew before (the same marks, scales,
    titles, tooltips and data), written without Altair: building and
    converting the Altair charts was most of a new Over time setting's chart
    work, and one spec of several charts is one Vega view in the browser, not
    one each (docs/browser_timings.md, "Over time and COP impact: plain chart
    specs, one PLM run"). The windows and the markers are two named datasets
    every chart shares, sent as Arrow bytes converted once. ``autosize`` is ``fit-x``: Streamlit's default for a stack
    of layered charts pads them, and they overflow their column.
    """
    trust_label = None
    if "trust_min_months" in series and (series["trust_min_months"] == 1).any():
        trust_label = "Trust ties (within-month rule)"
    labels = {m: trust_label if m == "trust_ties" and trust_label else HEADLINE_EXPLANATIONS[m][0] for m in measures}
    windows = series.assign(mid=series["start"] + (series["end"] - series["start"]) / 2,
                            window=series["partial"].map({True: "partial", False: "full"}))
    windows = windows[["mid", "label", "window", *measures]]
    datasets = {"windows": _arrow(windows)}
    if not markers.empty:
        datasets["markers"] = _arrow(markers)
    return {"vconcat": [_headline_layers(m, labels[m], markers) for m in measures], "spacing": 28,
            "autosize": {"type": "fit-x", "contains": "padding"},
            "datasets": datasets}


def attendee_chart(series, markers):
    """Mean cross-agency colleagues of COP attendees and non-attendees window by window, y from zero.

    ``series`` is :func:`netdash.change.windows.attendee_series`; ``markers``
    as :func:`headline_charts`. Hidden means (small groups) leave a gap. A
    plain Vega-Lite dict, as :func:`headline_charts` (read-only).
    """
    y_title = "Cross-agency colleagues (mean)"
    x = {"field": "mid", "type": "temporal", "title": None, "axis": {"format": "%b %Y"}}
    y = {"field": "mean_cross_agency_colleagues", "type": "quantitative", "title": y_title, "scale": {"zero": True}}
    color = {"field": "group", "type": "nominal", "title": None, "sort": None,
             "scale": {"range": ["#d55e00", "#4e79a7"]}, "legend": {"orient": "top"}}
    groups = {"data": {"name": "groups"}, "encoding": {"x": x, "y": y, "color": color}}
    layers = [{**groups, "mark": {"type": "line"}},
              {**groups, "mark": {"type": "point", "filled": True, "size": 50},
               "encoding": {**groups["encoding"], "tooltip": [
                   {"field": "label", "type": "nominal", "title": "Window"},
                   {"field": "group", "type": "nominal", "title": "Group"},
                   {"field": "mean_cross_agency_colleagues", "type": "quantitative", "title": y_title, "format": ".2f"},
                   {"field": "mean_colleagues", "type": "quantitative", "title": "Mean colleagues (any agency)",
                    "format": ".2f"},
                   {"field": "practitioners", "type": "quantitative", "title": "Practitioners"}]}}]
    datasets = {"groups": _arrow(series.assign(mid=series["start"] + (series["end"] - series["start"]) / 2)[
        ["mid", "label", "group", "practitioners", "mean_colleagues", "mean_cross_agency_colleagues"]])}
    names = {}
    for what, name in (("COP session", "sessions"), ("COP start (sidebar)", "cop_start")):
        rules = markers[markers["what"] == what]
        if not rules.empty:  # their own datasets and colours: the colour scale is the groups'
            datasets[name] = _arrow(rules)
            names[name] = {"name": name}
    if names:
        layers[:0] = _marker_layers(names.get("sessions"), foot="height", filtered=False,
                                    start_data=names.get("cop_start"))
    return {"layer": layers, "height": 260, "datasets": datasets}
    return {"layer": layers, "height": 260, "datasets": datasets}


def chart_markers(sessions, cop_start, first, last):
    """The rules to draw: every COP session date, and the sidebar's COP start when it lies in ``[first, last]``."""
    markers = sessions.assign(what="COP session")[["date", "what"]]
    if cop_start is not None and first <= cop_start <= last:
        markers = pd.concat([markers, pd.DataFrame({"date": [cop_start], "what": ["COP start (sidebar)"]})])
    return markers.astype({"date": "datetime64[ns]"})


def _q(field, **more):
    """A quantitative channel, as Vega-Lite."""
    return {"field": field, "type": "quantitative", **more}


def _interval_tooltip(*first):
    return [*first, _q("estimate", format="+.2f", title="Estimate"), _q("ci_low", format="+.2f", title="95% low"),
            _q("ci_high", format="+.2f", title="95% high")]


_ZERO_RULE = {"mark": {"type": "rule", "color": "#888888", "strokeDash": [4, 3]}}
#: Draw on a canvas, not in SVG (Streamlit's default below 2,000 data items): the same picture and tooltips, but a
#: redraw after new data paints pixels instead of replacing an SVG element per mark (COP impact's four charts held
#: 732 of them; session 15, s15cop).
_CANVAS = {"usermeta": {"embedOptions": {"renderer": "canvas"}}}


def impact_charts(result, table):
    """COP impact's four charts of one :func:`netdash.change.impact.impact_estimates` result, or None each.

    ``event_study`` (months since joining, with intervals), ``series``
    (attendees and non-attendees month by month), ``estimates`` (the
    estimates and their intervals) and ``dose`` (change against sessions
    attended, with the fitted line and its interval's fan; None without a
    slope). Plain Vega-Lite dicts with their data as Arrow datasets, drawn on a canvas (:data:`_CANVAS`), for
    ``st.vega_lite_chart(spec=..., width="stretch")`` (read-only): the marks,
    encodings and data of the Altair charts they replace, built in a
    quarter of the time or less (docs/browser_timings.md, "Over time and COP
    impact: plain chart specs, one PLM run").
    """
    from netdash.change.impact.estimators import dose_response_line

    window = result["event_study_window_months"]
    zero = _arrow(pd.DataFrame({"zero": [0]}))
    out = {}
    events = pd.DataFrame(result["event_study"])
    if events.empty:
        out["event_study"] = None
    else:
        x = _q("event_month", title="Months since the attendee's first session (-1 = the month before: the baseline)")
        out["event_study"] = {"layer": [
            {**_ZERO_RULE, "data": {"name": "zero"}, "encoding": {"y": _q("zero")}},
            {"data": {"name": "join"}, "mark": {"type": "rule", "color": "#d55e00"}, "encoding": {"x": _q("join")}},
            {"data": {"name": "events"}, "mark": {"type": "errorbar", "color": "#4e79a7"},
             "encoding": {"x": x, "y": _q("ci_low", title=f"Extra cross-agency colleagues (last {window} months), "
                                                           "95% CI"),
                          "y2": {"field": "ci_high"}}},
            {"data": {"name": "events"}, "mark": {"type": "point", "color": "#4e79a7", "filled": True},
             "encoding": {"x": x, "y": _q("estimate"),
                          "tooltip": _interval_tooltip(_q("event_month", title="Months since joining"))}},
        ], "height": 300, "datasets": {"zero": zero, "join": _arrow(pd.DataFrame({"join": [-0.5]})),
                                       "events": _arrow(events)}}
    series = pd.DataFrame(result["series"]).melt("month", var_name="group", value_name="colleagues")
    series["group"] = series["group"].map({"attendees": "COP attendees (ever)", "non_attendees": "Non-attendees"})
    out["series"] = {
        "data": {"name": "series"}, "mark": {"type": "line", "point": True},
        "encoding": {"x": {"field": "month", "type": "ordinal", "title": "Month"},
                     "y": _q("colleagues", title=f"Mean cross-agency colleagues, last {window} months"),
                     "color": {"field": "group", "type": "nominal", "title": None},
                     "tooltip": [{"field": "month", "type": "ordinal"}, {"field": "group", "type": "nominal"},
                                 _q("colleagues", format=".2f")]},
        "height": 280, "datasets": {"series": _arrow(series)}}

    person = result["person_level"] or {}
    none = {"estimate": None, "ci_low": None, "ci_high": None}
    estimates = pd.DataFrame([
        {**result["headline"], "which": "Headline: Callaway & Sant'Anna, after window"},
        {**(person.get("trend_adjusted") or none), "which": "Trend-adjusted"},
        {**result["did_cross_agency_ties"], "which": "Difference-in-differences (two windows)"},
        {**result["matched_did_cross_agency_ties"], "which": "Propensity-matched (robustness check)"},
    ])
    y = {"field": "which", "type": "nominal", "title": None, "sort": None, "axis": {"labelLimit": 260}}
    out["estimates"] = {"layer": [
        {**_ZERO_RULE, "data": {"name": "zero"}, "encoding": {"x": _q("zero")}},
        {"data": {"name": "estimates"}, "mark": {"type": "errorbar", "color": "#4e79a7", "ticks": True},
         "encoding": {"y": y, "x": _q("ci_low", title="Attendees' change minus non-attendees', in cross-agency "
                                                      "colleagues (95% interval)"),
                      "x2": {"field": "ci_high"}}},
        {"data": {"name": "estimates"}, "mark": {"type": "point", "color": "#4e79a7", "filled": True, "size": 90},
         "encoding": {"y": y, "x": _q("estimate"), "tooltip": _interval_tooltip()}},
    ], "height": 200, "datasets": {"zero": zero, "estimates": _arrow(estimates)}}

    dose = result["dose_response"]
    if dose["slope"] is None:
        out["dose"] = None
    else:
        attendees = table[table["attendee"]]
        dots = dose_dots(attendees)
        line = dose_response_line(attendees["sessions"], attendees["change"], slope=dose["slope"],
                                  ci_low=dose["ci_low"] or float("nan"), ci_high=dose["ci_high"] or float("nan"))
        out["dose"] = {"layer": [
            {"data": {"name": "line"}, "mark": {"type": "area", "color": "#e69f00", "opacity": 0.18},
             "encoding": {"x": _q("sessions"), "y": _q("fitted_low"), "y2": {"field": "fitted_high"}}},
            {"data": {"name": "attendees"}, "mark": {"type": "circle", "color": "#4e79a7", "size": 45},
             "encoding": {"x": _q("sessions", title="Sessions attended (after window)", scale={"zero": False},
                                  axis={"tickMinStep": 1, "format": "d"}),  # whole sessions: no 1.5 tick
                          "y": _q("change", title="Change in cross-agency colleagues"),
                          "opacity": {"field": "opacity", "type": "quantitative", "scale": None, "legend": None},
                          "tooltip": [_q("sessions"), _q("change"), _q("attendees")]}},
            {"data": {"name": "line"}, "mark": {"type": "line", "color": "#d55e00", "strokeWidth": 2.5},
             "encoding": {"x": _q("sessions"), "y": _q("fitted")}},
        ], "height": 300, "datasets": {"line": _arrow(line),
                                       "attendees": _arrow(dots)}}
    return {name: spec and {**spec, **_CANVAS} for name, spec in out.items()}


#: Opacity of one attendee's dot in the dose chart.
DOSE_DOT_OPACITY = 0.45


def dose_dots(attendees):
    """The dose chart's dots: one per distinct (``sessions``, ``change``) of ``attendees``, with how many share it.

    Sessions and changes are whole numbers, so at medium scale 600 attendees
    fall on about 300 points. One dot a point, with the opacity of that many
    dots of :data:`DOSE_DOT_OPACITY` drawn on top of each other
    (``1 - (1 - a) ** attendees``: source-over compositing), paints the same
    picture with half the marks, and its tooltip says how many attendees it
    stands for. Rows in order of first appearance.
    """
    dots = (attendees.groupby(["sessions", "change"], sort=False).size().rename("attendees").reset_index())
    dots["opacity"] = (1 - (1 - DOSE_DOT_OPACITY) ** dots["attendees"]).round(4)  # a lone dot: exactly 0.45
    return dots


def client_trend_chart(trend, charted):
    """Clients' before and after bars, one small chart per measure of ``charted`` (``{column: title}``) on its own
    scale, from :func:`netdash.actions.clients.team_trend`; None when every charted value is hidden."""
    long = (trend.loc[list(charted), ["before", "after"]].rename(index=charted)
            .rename_axis("measure").reset_index().melt(id_vars="measure", var_name="window")
            .dropna().astype({"value": float}))
    if long.empty:
        return None
    return (alt.Chart(long).mark_bar()
            .encode(x=alt.X("window:N", title=None, sort=["before", "after"], axis=alt.Axis(labelAngle=0)),
                    y=alt.Y("value:Q", title=None),
                    color=alt.Color("window:N", sort=["before", "after"], legend=None),
                    tooltip=[alt.Tooltip("measure:N"), alt.Tooltip("window:N"), alt.Tooltip("value:Q", format=".2f")])
            .properties(width=160, height=220)
            .facet(column=alt.Column("measure:N", title=None, sort=list(charted.values())))
            .resolve_scale(y="independent"))
