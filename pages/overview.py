"""Overview: the COP verdict first, then what is in the dataset, how clean it is, and the headline counts."""

import streamlit as st

from netdash.change.headline import CROSS_AGENCY_SHARES, format_share
from netdash.errors import NetdashError
from pages import _cached, _shared

st.title("Overview")
st.caption(
    "Are practitioners from different agencies getting to know each other? "
    "netdash builds the network of who works with whom from contact logs and COP attendance."
)

ds = _shared.current_dataset()
period = _shared.current_period()
cop_start = _shared.current_cop_start()

st.subheader("Did the COP connect people across agencies?")
# Filled last: the verdict takes seconds the first time, and the counts below need not wait for it.
verdict_box = st.container()

with _shared.shown_errors():
    summary, monthly = _cached.overview(ds, period)

st.subheader(f"Dataset “{_shared.md(ds.name)}”, {period.label()}")
cols = st.columns(4)
cols[0].metric("Agencies", f"{summary['agencies']:,}")
cols[1].metric("Practitioners", f"{summary['practitioners']:,}")
cols[2].metric("Clients seen", f"{summary['clients']:,}")
cols[3].metric("Contacts", f"{summary['contacts']:,}")
cols = st.columns(4)
cols[0].metric("Contacts between colleagues", f"{summary['colleague_contacts']:,}")
share = _cached.cross_agency_shares(ds, period, kinds=("contacts",))["contacts"]
cols[1].metric(CROSS_AGENCY_SHARES["contacts"][0], format_share(share["share"]), help=CROSS_AGENCY_SHARES["contacts"][1])
cols[2].metric("COP sessions", f"{summary['cop_sessions']:,}")
cols[3].metric("COP attendees", f"{summary['cop_attendees']:,}")

st.subheader("Contacts per month")
if monthly.empty:
    st.info("No contacts in this period.")
else:
    st.vega_lite_chart(spec=_cached.monthly_contacts_chart(ds, period, cop_start), width="stretch")

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


def _interval(row):
    digits = row["digits"]
    return ("no interval" if row["ci_low"] is None
            else f"95% CI {row['ci_low']:.{digits}f} to {row['ci_high']:.{digits}f}")


def _verdict(ds, cop_start):
    """The COP impact verdict with COP impact's default settings, and every estimate it states."""
    if ds.cop_attendance.empty:
        st.info("This dataset has no COP attendance (no rows in cop_attendance.csv), so there is no COP to "
                "evaluate and no verdict. Import the attendance on the Data page to see one here.")
        return
    try:
        if _shared.is_large(ds):  # tens of seconds the first time: each stage named as it starts
            with _shared.stages("The COP verdict") as step:
                result, _ = _cached.default_impact(ds, cop_start, progress=lambda label: step(f"COP verdict: {label}…"))
        else:
            with st.spinner("Working out the COP verdict (a few seconds the first time): comparing pairs who met at "
                            "a session with pairs who had not, and attendees' new cross-agency colleagues with "
                            "non-attendees'…"):
                result, _ = _cached.default_impact(ds, cop_start)
    except NetdashError as err:
        st.warning(f"No verdict: {_shared.md(err)}")
        st.page_link("pages/cop_impact.py", label="COP impact: the settings and the evidence",
                     icon=":material/insights:")
        return
    (st.success if result["claims_effect"] else st.info)(result["verdict"])  # as COP impact shows it
    rows = result["verdict_estimates"]
    pre = result["pre_trend"]
    cols = st.columns(len(rows) + 1)
    for col, row in zip(cols, rows):
        col.metric(row["short_label"], "–" if row["estimate"] is None else f"{row['estimate']:+.{row['digits']}f}",
                   help=row["label"] + ("." if row["in_rule"] else ": stated in the verdict, never used to claim "
                                                                    "an effect."))
        col.caption(f"{row['unit'].capitalize()}; {_interval(row)}")
    cols[-1].metric("Pre-trend test", "not run" if pre["p_value"] is None else f"p = {pre['p_value']:.2f}",
                    help="Did attendees and non-attendees move alike before each attendee joined?")
    cols[-1].caption("Parallel trends doubtful" if pre["parallel_trends_doubtful"] else "No clear diverging trend")
    p = result["periods"]
    st.caption(f"Whole dataset, whatever the sidebar period: COP start {p['cop_start']} (sidebar), before "
               f"{p['before']['start']} to {p['before']['end']} and after {p['after']['start']} to "
               f"{p['after']['end']} ({p['window_length_days']} days each, end dates not included); ties: "
               f"{_shared.TIES_LABELS[_cached.IMPACT_TIES].lower()}, never COP co-attendance; "
               f"{result['n_attendees']} attendees, {result['n_non_attendees']} non-attendees.")
    st.page_link("pages/cop_impact.py", label="The evidence: COP impact", icon=":material/insights:")


with verdict_box:
    _verdict(ds, cop_start)
