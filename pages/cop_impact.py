"""COP impact: did attendees gain more colleagues in other agencies than non-attendees?"""

import altair as alt
import pandas as pd
import streamlit as st

from netdash.networks import graphs
from netdash.change.impact import OUTCOME_TIES, impact_design, impact_estimates
from netdash.change.impact.estimators import dose_response_line
from pages import _prefetch, _shared

_shared.ensure_routed()

st.title("COP impact")
st.caption(
    "Did practitioners who came to the COP gain more colleagues in other agencies than those who did not? "
    "We compare each group's change from before the COP started to after it."
)

ds = _shared.current_dataset()
cop_start = _shared.current_cop_start()
c1, c2 = st.columns([2, 1])
ties = c1.selectbox("Ties that count as working together", OUTCOME_TIES, format_func=_shared.TIES_LABELS.get,
                    key="imp_ties")
bootstrap = int(c2.number_input("Bootstrap replicates", 200, 20000, 1000, 200, key="imp_bootstrap",
                                help="More replicates give steadier intervals and take longer."))
st.caption(
    "Outcome: for each practitioner, the number of distinct colleagues in another agency with whom they had a "
    "working tie: a direct contact either way, or co-working around the same client (as chosen above). Sitting "
    "in the same COP session never counts as a tie: it is what we are testing. A cross-agency tie is a distinct "
    "colleague in another agency, however often they were in touch."
)


@st.cache_resource(show_spinner=False, max_entries=4, ttl=_shared.ANALYSIS_TTL)
def _tables(name, version, cop_start):
    # Coded windows, trust ties and caseloads, shared by every choice of ties (graphs.reuse_tables).
    return {}


@st.cache_resource(show_spinner="Counting colleagues before and after…", max_entries=8, ttl=_shared.ANALYSIS_TTL)
def _design(name, version, cop_start, ties):
    with graphs.reuse_tables(_tables(name, version, cop_start)):
        return impact_design(ds, cop_start=cop_start, ties=ties)


# Resources, not data: read-only results, so a rerun does not unpickle them.
@st.cache_resource(show_spinner="Estimating the COP's impact…", max_entries=16, ttl=_shared.ANALYSIS_TTL)
def _impact(name, version, cop_start, ties, bootstrap):
    return impact_estimates(_design(name, version, cop_start, ties), bootstrap=bootstrap)


day = None if cop_start is None else cop_start.date().isoformat()
with _shared.shown_errors():
    result = _impact(ds.name, ds.version, day, ties, bootstrap)
    table = _design(ds.name, ds.version, day, ties).practitioner_table()

periods = result["periods"]
st.caption(f"COP start {periods['cop_start']} (sidebar). Before: {periods['before']['start']} to "
           f"{periods['before']['end']}; after: {periods['after']['start']} to {periods['after']['end']} "
           f"({periods['window_length_days']} days each; end dates not included).")

st.subheader("Verdict")
st.info(result["verdict"])
did, trust, change = result["did_cross_agency_ties"], result["did_trust_ties"], result["mean_change"]


def _ci(d):
    return "no interval" if d["ci_low"] is None else f"95% CI {d['ci_low']:+.1f} to {d['ci_high']:+.1f}"


m1, m2, m3, m4 = st.columns(4)
m1.metric("Difference in change: cross-agency colleagues", f"{did['estimate']:+.1f}",
          help="Attendees' mean change minus non-attendees' mean change.")
m1.caption(_ci(did))
m2.metric("Difference in change: cross-agency trust ties", f"{trust['estimate']:+.1f}")
m2.caption(_ci(trust))
m3.metric("Attendees' mean change", f"{change['attendees']:+.2f}")
m3.caption(f"{result['n_attendees']} attendees")
m4.metric("Non-attendees' mean change", f"{change['non_attendees']:+.2f}")
m4.caption(f"{result['n_non_attendees']} non-attendees")

st.markdown("**Caveats**")
st.markdown("\n".join(f"- {text}" for text in result["caveats"]))

st.subheader("The estimates and their intervals")
matched = result["matched_did_cross_agency_ties"]
estimates = pd.DataFrame([
    {**did, "which": "Difference-in-differences (headline)"},
    {**matched, "which": "Propensity-matched (robustness check)"},
])
base = alt.Chart(estimates).encode(y=alt.Y("which:N", title=None, sort=None,
                                           axis=alt.Axis(labelLimit=260)))
chart = alt.layer(
    alt.Chart(pd.DataFrame({"zero": [0]})).mark_rule(color="#888888", strokeDash=[4, 3]).encode(x="zero:Q"),
    base.mark_errorbar(ticks=True, color="#4e79a7").encode(
        x=alt.X("ci_low:Q", title="Attendees' change minus non-attendees', in cross-agency colleagues (95% interval)"), x2="ci_high:Q"),
    base.mark_point(filled=True, size=90, color="#4e79a7").encode(
        x="estimate:Q", tooltip=[alt.Tooltip("estimate:Q", format="+.2f", title="Estimate"),
                                 alt.Tooltip("ci_low:Q", format="+.2f", title="95% low"),
                                 alt.Tooltip("ci_high:Q", format="+.2f", title="95% high")]),
).properties(height=140)
st.altair_chart(chart, width="stretch")
st.caption("The dashed line is no difference. An interval that crosses it is consistent with no effect.")

st.subheader("More sessions, more colleagues?")
dose = result["dose_response"]
attendees = table[table["attendee"]]
line = dose_response_line(attendees["sessions"], attendees["change"], slope=dose["slope"] or float("nan"),
                          ci_low=dose["ci_low"] or float("nan"), ci_high=dose["ci_high"] or float("nan"))
if dose["slope"] is None:
    st.info(f"No dose-response slope: it needs at least 3 attendees who attended different numbers of "
            f"sessions ({dose['n']} attendees here).")
else:
    points = alt.Chart(attendees).mark_circle(size=45, opacity=0.45, color="#4e79a7").encode(
        x=alt.X("sessions:Q", title="Sessions attended (after window)", scale=alt.Scale(zero=False)),
        y=alt.Y("change:Q", title="Change in cross-agency colleagues"),
        tooltip=["sessions:Q", "change:Q"])
    fan = alt.Chart(line).mark_area(opacity=0.18, color="#e69f00").encode(x="sessions:Q", y="fitted_low:Q",
                                                                         y2="fitted_high:Q")
    fit = alt.Chart(line).mark_line(color="#d55e00", strokeWidth=2.5).encode(x="sessions:Q", y="fitted:Q")
    st.altair_chart(alt.layer(fan, points, fit).properties(height=300), width="stretch")
    st.caption(f"Among the {dose['n']} attendees: each extra session goes with {dose['slope']:+.2f} cross-agency "
               f"colleagues ({_ci({'ci_low': dose['ci_low'], 'ci_high': dose['ci_high']})}). Line: least-squares "
               "fit; shaded: lines with the slopes at the ends of its interval. An association, not a cause.")

st.subheader("Robustness check: propensity-score matching")
st.caption("Each attendee is compared with the most similar non-attendee at baseline. On the demo data this "
           "estimate came out too high (matching on the before window invites regression to the mean; "
           "docs/impact.md), so read it as a check, not as the answer.")
info = result["matching"]
r1, r2, r3 = st.columns(3)
r1.metric("Matched estimate", "–" if matched["estimate"] is None else f"{matched['estimate']:+.1f}")
r1.caption(_ci(matched))
r2.metric("Attendees matched", info["n_matched"], help=f"{info['n_unmatched']} had no match within the caliper.")
r3.metric("Non-attendees used as matches", info["n_controls_used"])
balance = pd.DataFrame(result["balance"])
st.markdown("**Balance before and after matching** (standardised mean differences; within ±0.1 is balanced)")
st.dataframe(balance.round(3), hide_index=True, width="stretch",
             column_config={"smd_before": "SMD before matching", "smd_after": "SMD after matching"})

st.subheader("Every practitioner")
labels, agencies = _shared.practitioner_labels(ds), _shared.agency_names(ds)
shown = table.assign(practitioner=table["practitioner_id"].map(labels),
                     agency=table["agency_id"].map(lambda a: agencies.get(a, a)))
shown = shown[["practitioner", "agency", *[c for c in table.columns if c not in ("agency_id",)]]]
st.dataframe(shown, hide_index=True, width="stretch")
_shared.download_csv(shown, "cop_impact_per_practitioner.csv", key="dl_impact_table")
excluded = result["excluded"]
st.caption(f"In post throughout both windows. Left out: {excluded['joined']} who joined and {excluded['left']} "
           "who left during the windows. before/after: cross-agency colleagues in each window; trust_*: "
           "cross-agency trust ties.")

with st.expander("How this is worked out"):
    st.markdown("\n".join(f"- {rule}" for rule in result["rules"]))
    st.caption(f"{result['bootstrap']} bootstrap replicates, seed {result['seed']}. Methods and their measured "
               "coverage on data with a known effect: docs/impact.md.")


def _other_ties(t):
    _impact(ds.name, ds.version, day, t, bootstrap)
    _design(ds.name, ds.version, day, t).practitioner_table()


# While the user reads, compute the other ties settings (the page's cached functions, in the background).
_prefetch.submit(ds, _prefetch.other_options("cop_impact", OUTCOME_TIES, ties, _other_ties))
