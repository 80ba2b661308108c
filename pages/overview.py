"""Overview: what is in the dataset, how clean it is, and the headline counts."""

import altair as alt
import streamlit as st

from netdash.change.headline import CROSS_AGENCY_SHARES, format_share
from pages import _cached, _shared

st.title("Overview")
st.caption(
    "Are practitioners from different agencies getting to know each other? "
    "netdash builds the network of who works with whom from contact logs and COP attendance."
)

ds = _shared.current_dataset()
period = _shared.current_period()

with _shared.shown_errors():
    summary, monthly = _cached.overview(ds, period)

st.subheader(f"Dataset “{_shared.md(ds.name)}”, {period.label()}")
cols = st.columns(4)
cols[0].metric("Agencies", summary["agencies"])
cols[1].metric("Practitioners", summary["practitioners"])
cols[2].metric("Clients seen", summary["clients"])
cols[3].metric("Contacts", f"{summary['contacts']:,}")
cols = st.columns(4)
cols[0].metric("Contacts between colleagues", f"{summary['colleague_contacts']:,}")
share = _cached.cross_agency_shares(ds, period, kinds=("contacts",))["contacts"]
cols[1].metric(CROSS_AGENCY_SHARES["contacts"][0], format_share(share["share"]), help=CROSS_AGENCY_SHARES["contacts"][1])
cols[2].metric("COP sessions", summary["cop_sessions"])
cols[3].metric("COP attendees", summary["cop_attendees"])

st.subheader("Contacts per month")
if monthly.empty:
    st.info("No contacts in this period.")
else:
    chart = (
        alt.Chart(monthly)
        .mark_area()
        .encode(
            x=alt.X("month:T", title="Month"),
            y=alt.Y("contacts:Q", title="Contacts", stack=True),
            color=alt.Color("kind:N", title="Contact", sort=["client", "within agency", "cross agency"]),
            tooltip=["month:T", "kind:N", "contacts:Q"],
        )
        .properties(height=280)
    )
    cop_start = _shared.current_cop_start()
    if cop_start is not None:
        rule = alt.Chart({"values": [{"cop": cop_start.isoformat()}]}).mark_rule(strokeDash=[4, 4]).encode(
            x="cop:T", tooltip=[alt.Tooltip("cop:T", title="COP start")]
        )
        chart = chart + rule
    st.altair_chart(chart, width="stretch")

st.subheader("Data quality")
info = _shared.dataset_info(ds.name)
warnings = _cached.import_warnings(ds) if info else ()
if warnings:
    st.warning(f"{len(warnings)} warning(s) were noted when this dataset was imported. They did not block the import.")
    with st.expander("Show the warnings"):
        for w in warnings:
            st.text(w)
else:
    st.success("No data-quality warnings were noted when this dataset was imported.")
