"""Over time: the headline measures month by month or quarter by quarter, and a map for each window."""

import streamlit as st

from netdash.change.headline import HEADLINE_EXPLANATIONS
from netdash.change.impact import OUTCOME_TIES
from netdash.privacy import DEFAULT_THRESHOLD
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

with _shared.shown_errors(), _shared.stages("Over time", show=_shared.is_large(ds)) as step:
    step(f"Measuring the network of every {freq} window in {len(ds.contacts):,} contacts, with its working groups "
         "(communities)…")
    series = _cached.window_series(ds, freq, ties)
    sessions = _cached.session_dates(ds)
cop_start = _shared.current_cop_start()

if series.empty:
    st.info("No windows to chart.")
    st.stop()
if sessions.empty:
    st.info("Nobody attended a COP session, so there are no sessions to mark on the charts.")
st.caption("Orange ticks along the foot of each chart: COP sessions, one tick each (hover for the date). "
           "Black dashed line: the COP start set in the sidebar. "
           "Each point is one window, placed at its middle. Every y axis starts at zero, or shows the measure's "
           "whole range (shares, fragmentation and agency NMI 0 to 1; E-I index -1 to 1), so a small wobble "
           "looks small.")
if freq == "month":
    st.caption("Trust ties in months: reciprocated, at least 3 direct contacts within the month (or a trust-survey "
               "rating). The usual rule also asks for contacts in at least 2 calendar months, which can never hold "
               "inside one month; quarters use the usual rule.")
if not series["trust_ties"].any():
    st.info("No trust ties in any window: no pair had reciprocated, repeated direct contacts (at least 3) inside "
            "one window, and no trust-survey rating falls in one. The trust-ties chart is empty for that reason.")
for column, spec in zip(st.columns(2), _cached.window_charts(ds, freq, ties, cop_start)):
    column.vega_lite_chart(spec=spec, width="stretch")

st.subheader("COP attendees and non-attendees")
with _shared.shown_errors():
    groups = _cached.attendee_series(ds, freq, ties)
if sessions.empty:
    st.info("Nobody attended a COP session, so there are no attendees to set against non-attendees.")
else:
    st.vega_lite_chart(spec=_cached.attendee_chart(ds, freq, ties, cop_start), width="stretch")
    st.caption("Distinct colleagues in another agency with a tie in the window (the ties chosen above), averaged "
               "over each group's practitioners in that window. COP attendees: everyone who attended any session "
               "in the data, before and after they joined, so the orange line before the COP shows where they "
               "started; attendees are busier people, so what matters is whether the gap widens. A group of fewer "
               f"than {DEFAULT_THRESHOLD} practitioners in a window is not shown.")

with st.expander("The numbers behind the charts"):
    st.dataframe(series.round(dict.fromkeys(HEADLINE_EXPLANATIONS, 3)), hide_index=True, width="stretch")
    _shared.download_csv(series, f"headline_by_{freq}.csv", key="dl_ot_series")
    st.dataframe(groups.round({"mean_colleagues": 3, "mean_cross_agency_colleagues": 3}), hide_index=True,
                 width="stretch")
    _shared.download_csv(groups, f"attendees_by_{freq}.csv", key="dl_ot_groups")

st.subheader("The network, window by window")
st.caption("Every practitioner keeps the same place in every window and whichever ties are chosen (the places "
           "are the Network map's for the whole date range), so you can watch ties appear and go. Pale dots: not in "
           "post in that window.")


@st.fragment
def _window_map(ds, freq, ties, sessions):
    # Only the map reruns when the window changes.
    with _shared.shown_errors():
        spans = _cached.window_maps(ds, freq)[0]
    labels = [w.label() for w in spans]
    chosen = st.select_slider("Window", options=labels, value=labels[-1], key=f"ot_window_{freq}")
    with _shared.shown_errors():
        G = _cached.window_graph(ds, freq, ties, chosen)
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
