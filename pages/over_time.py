"""Over time: the headline measures month by month or quarter by quarter, and a map for each window."""

import streamlit as st

from netdash.change.headline import HEADLINE_EXPLANATIONS
from netdash.change.impact import OUTCOME_TIES
from netdash.change.windows import cop_session_dates
from pages import _cached, _mapview, _shared

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

with _shared.shown_errors():
    series = _cached.window_series(ds, freq, ties)
    sessions = cop_session_dates(ds)
cop_start = _shared.current_cop_start()

if series.empty:
    st.info("No windows to chart.")
    st.stop()
if sessions.empty:
    st.info("Nobody attended a COP session, so there are no sessions to mark on the charts.")
st.caption("Orange dashed lines: COP sessions. Black dashed line: the COP start set in the sidebar. "
           "Each point is one window, placed at its middle.")
left, right = st.columns(2)
for k, chart in enumerate(_cached.window_charts(ds, freq, ties, cop_start)):
    (left if k % 2 == 0 else right).altair_chart(chart, width="stretch", height=240)

with st.expander("The numbers behind the charts"):
    st.dataframe(series.round(dict.fromkeys(HEADLINE_EXPLANATIONS, 3)), hide_index=True, width="stretch")
    _shared.download_csv(series, f"headline_by_{freq}.csv", key="dl_ot_series")

st.subheader("The network, window by window")
st.caption("Every practitioner keeps the same place in every window and whichever ties are chosen (the places "
           "are the Network map's for the whole date range), so you can watch ties appear and go. Pale dots: not in "
           "post in that window.")


@st.fragment
def _window_map(ds, freq, ties, sessions):
    # Only the map reruns when the window changes.
    with _shared.shown_errors():
        spans, window_graphs, _, _ = _cached.window_maps(ds, freq, ties)
    labels = [w.label() for w in spans]
    chosen = st.select_slider("Window", options=labels, value=labels[-1], key=f"ot_window_{freq}")
    G = window_graphs[labels.index(chosen)]
    with _shared.shown_errors():
        panel, payload = _cached.window_panel(ds, freq, ties, chosen)
    if panel.message:
        st.info(panel.message)
    m1, m2, m3 = st.columns(3)
    m1.metric("Practitioners", G.number_of_nodes())
    m2.metric("Ties", G.number_of_edges())
    m3.metric("COP sessions in this window", int(spans[labels.index(chosen)].mask(sessions["date"]).sum()))
    _mapview.show(payload, key="ot_map", height=620)


_window_map(ds, freq, ties, sessions)

st.subheader("What these measures mean")
_shared.explain(list(HEADLINE_EXPLANATIONS.values()))
