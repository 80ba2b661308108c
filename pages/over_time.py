"""Over time: the headline measures month by month or quarter by quarter, and a map for each window."""

import altair as alt
import pandas as pd
import streamlit as st

from netdash.networks import graphs
from netdash.change.headline import HEADLINE_EXPLANATIONS
from netdash.change.windows import cop_session_dates, headline_series, windows
from netdash.viz.panels import map_panel, population_graph
from netdash.change.impact import OUTCOME_TIES
from netdash.periods import Period
from netdash.viz.inpage import maps_payload
from pages import _mapview, _shared

st.title("Over time")
st.caption(
    "How the network changed window by window, with the COP sessions marked. A steady rise in the share of "
    "ties across agencies after the COP started is what a COP that connects people would show."
)

ds = _shared.current_dataset()
first, last = ds.date_range
if first is None:
    st.info("This dataset has no dated contacts, so there is nothing to chart.")
    st.stop()

c1, c2 = st.columns([1, 2])
freq = c1.segmented_control("Windows", ["quarter", "month"], default="quarter", key="ot_freq",
                            format_func=lambda f: {"month": "Months", "quarter": "Quarters"}[f]) or "quarter"
ties = c2.selectbox("Ties", OUTCOME_TIES, format_func=_shared.TIES_LABELS.get, key="ot_ties",
                    help="COP co-attendance is left out: it would count the COP itself as ties.")
st.caption(f"Whole dataset, {first.date()} to {last.date()}, in calendar {freq}s (the sidebar period is not "
           "used here). Hollow points: windows the data only partly cover, so their counts are not comparable.")


@st.cache_data(show_spinner="Computing the measures for every window…", max_entries=8)
def _series(name, version, freq, ties):
    return headline_series(ds, freq=freq, ties=ties)


@st.cache_resource(show_spinner="Building the network of every window…", max_entries=4, ttl=_shared.ANALYSIS_TTL)
def _window_graphs(name, version, freq, ties):
    # A resource (shared, read-only): unpickling every window's graph cost over half a second a rerun.
    spans = windows(first, last, freq=freq)
    with graphs.reuse_tables():  # one coded contact log for every window
        window_graphs = [graphs.practitioner_graph(ds, w, ties=ties) for w in spans]
    return spans, window_graphs, population_graph(window_graphs)


@st.cache_resource(show_spinner="Laying out the maps…", max_entries=4, ttl=_shared.ANALYSIS_TTL)
def _window_positions(name, version, freq, ties):
    # The Network map's layout of the whole date range (all ties) for every window and ties setting, so the dots
    # stay in place when the ties change, sit where the Network map puts them with the sidebar's default period,
    # and no page lays the same network out twice (0.9 to 1.5 s at medium).
    whole = Period(first.normalize(), last.normalize() + pd.Timedelta(days=1))
    return _shared.positions_for(ds, whole, _window_graphs(name, version, freq, ties)[1])


def _window_maps(name, version, freq, ties):
    return (*_window_graphs(name, version, freq, ties), _window_positions(name, version, freq, ties))


@st.cache_resource(show_spinner="Drawing the map…", max_entries=32, ttl=_shared.ANALYSIS_TTL)
def _window_panel(name, version, freq, ties, chosen):
    """The chosen window's map panel, and the data the page sends to draw it."""
    # A resource: the panel is read-only, and unpickling a copy per rerun is work for nothing.
    spans, window_graphs, everyone, positions = _window_maps(name, version, freq, ties)
    labels = [w.label() for w in spans]
    panel = map_panel(window_graphs[labels.index(chosen)], positions, population=everyone, title=chosen,
                      height_px=560, agency_names=_shared.agency_names(ds))
    return panel, maps_payload([panel.spec])


with _shared.shown_errors():
    series = _series(ds.name, ds.version, freq, ties)
    sessions = cop_session_dates(ds)
cop_start = _shared.current_cop_start()

if series.empty:
    st.info("No windows to chart.")
    st.stop()


def _for_charts(series):
    return series.assign(mid=series["start"] + (series["end"] - series["start"]) / 2,
                         window=series["partial"].map({True: "partial", False: "full"}))


series = _for_charts(series)
if sessions.empty:
    st.info("Nobody attended a COP session, so there are no sessions to mark on the charts.")
markers = sessions.assign(what="COP session")[["date", "what"]]
if cop_start is not None and first <= cop_start <= last:
    markers = pd.concat([markers, pd.DataFrame({"date": [cop_start], "what": ["COP start (sidebar)"]})])
markers = markers.astype({"date": "datetime64[ns]"})


def _chart(series, measure):
    label = HEADLINE_EXPLANATIONS[measure][0]
    base = alt.Chart(series, title=label).encode(x=alt.X("mid:T", title=None, axis=alt.Axis(format="%b %Y")))
    line = base.mark_line(color="#4e79a7").encode(y=alt.Y(f"{measure}:Q", title=label,
                                                         scale=alt.Scale(zero=False)))
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


st.caption("Orange dashed lines: COP sessions. Black dashed line: the COP start set in the sidebar. "
           "Each point is one window, placed at its middle.")


@st.cache_resource(show_spinner=False, max_entries=16, ttl=_shared.ANALYSIS_TTL)
def _charts(name, version, freq, ties, cop_day):
    # Building the eight layered charts took 0.15 s a run (medium): built once per setting, read-only after. The
    # key's series, not this run's: the background work calls this for other ties (the markers follow cop_day).
    series = _for_charts(_series(name, version, freq, ties))
    return [_chart(series, measure) for measure in HEADLINE_EXPLANATIONS]


left, right = st.columns(2)
cop_day = cop_start.date().isoformat() if cop_start is not None and first <= cop_start <= last else None
for k, chart in enumerate(_charts(ds.name, ds.version, freq, ties, cop_day)):
    (left if k % 2 == 0 else right).altair_chart(chart, width="stretch", height=240)

table = series.drop(columns=["mid", "window"])
with st.expander("The numbers behind the charts"):
    st.dataframe(table.round(dict.fromkeys(HEADLINE_EXPLANATIONS, 3)), hide_index=True, width="stretch")
    _shared.download_csv(table, f"headline_by_{freq}.csv", key="dl_ot_series")

st.subheader("The network, window by window")
st.caption("Every practitioner keeps the same place in every window and whichever ties are chosen (the places "
           "are the Network map's for the whole date range), so you can watch ties appear and go. Pale dots: not in "
           "post in that window.")
with _shared.shown_errors():
    spans, window_graphs, everyone, positions = _window_maps(ds.name, ds.version, freq, ties)
labels = [w.label() for w in spans]
chosen = st.select_slider("Window", options=labels, value=labels[-1], key=f"ot_window_{freq}")
G = window_graphs[labels.index(chosen)]
with _shared.shown_errors():
    panel, payload = _window_panel(ds.name, ds.version, freq, ties, chosen)
if panel.message:
    st.info(panel.message)
m1, m2, m3 = st.columns(3)
m1.metric("Practitioners", G.number_of_nodes())
m2.metric("Ties", G.number_of_edges())
m3.metric("COP sessions in this window", int(spans[labels.index(chosen)].mask(sessions["date"]).sum()))
_mapview.show(payload, key="ot_map", height=620)

st.subheader("What these measures mean")
_shared.explain(list(HEADLINE_EXPLANATIONS.values()))
