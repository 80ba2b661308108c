"""COP impact: did attendees gain more colleagues in other agencies than non-attendees?"""

import pandas as pd
import streamlit as st

from netdash.change.impact import OUTCOME_TIES
from pages import _cached, _shared

st.title("COP impact")
st.caption(
    "Did the COP connect practitioners across agencies? The headline: did attendees gain more colleagues in "
    "other agencies than non-attendees over the after window, counted from the month each joined. The second "
    "line of evidence: did people from different agencies who met at a session go on to work together more than "
    "comparable pairs who had not met yet."
)

ds = _shared.current_dataset()
cop_start = _shared.current_cop_start()
c1, c2 = st.columns([2, 1])
ties = c1.selectbox("Ties that count as working together", OUTCOME_TIES, format_func=_shared.TIES_LABELS.get,
                    index=OUTCOME_TIES.index(_cached.IMPACT_TIES), key="imp_ties")
bootstrap = int(c2.number_input("Bootstrap replicates", 200, 20000, _cached.IMPACT_BOOTSTRAP, 200, key="imp_bootstrap",
                                help="More replicates give steadier intervals and take longer."))
st.caption(
    "Outcome: for each practitioner, the number of distinct colleagues in another agency with whom they had a "
    "working tie: a direct contact either way, or co-working around the same client (as chosen above). Sitting "
    "in the same COP session never counts as a tie: it is what we are testing. A cross-agency tie is a distinct "
    "colleague in another agency, however often they were in touch."
)

with _shared.shown_errors(), _shared.stages("COP impact", show=_shared.is_large(ds)) as step:
    result, table = _cached.impact(ds, cop_start, ties, bootstrap, progress=lambda label: step(f"{label}…"))

periods = result["periods"]
st.caption(f"COP start {periods['cop_start']} (sidebar). Before: {periods['before']['start']} to "
           f"{periods['before']['end']}; after: {periods['after']['start']} to {periods['after']['end']} "
           f"({periods['window_length_days']} days each; end dates not included).")

st.subheader("Verdict")
(st.success if result["claims_effect"] else st.info)(result["verdict"])
did, trust, change = result["did_cross_agency_ties"], result["did_trust_ties"], result["mean_change"]
head, pairs, pre = result["headline"], result["met_at_cop"], result["pre_trend"]


def _ci(d, digits=1):
    return ("no interval" if d["ci_low"] is None
            else f"95% CI {d['ci_low']:+.{digits}f} to {d['ci_high']:+.{digits}f}")


person = result["person_level"] or {}
adjusted = person.get("trend_adjusted") or {"estimate": None, "ci_low": None, "ci_high": None}
h1, h2, h3 = st.columns(3)
h1.metric("Extra cross-agency colleagues per attendee" + (" (trend-adjusted)" if head["estimator"].endswith(
          "trend_adjusted") else ""), "–" if head["estimate"] is None else f"{head['estimate']:+.2f}",
          help="The size of the effect the verdict states: attendees' gain in distinct colleagues in other "
               "agencies over the after window, compared with non-attendees, each attendee counted from their own "
               "first session (Callaway & Sant'Anna 2021). Trend-adjusted when parallel trends are doubtful. Its "
               "interval also allows for attendees' earlier trend to continue: the pre-trend test is too weak to rule "
               "that out. An effect is claimed only when the pairs below exclude zero and this points the same way.")
parallel = (f", allowing for attendees' earlier trend; {_ci(person['callaway_santanna'], 2)} if the groups would "
            "otherwise have moved in parallel" if head["interval"] == "trend_robust" else "")
h1.caption(_ci(head, 2) + parallel)
h2.metric("With attendees' earlier trend removed", "–" if adjusted["estimate"] is None
          else f"{adjusted['estimate']:+.2f}",
          help="The same, minus the attendee/non-attendee gap's linear trend over the months before the COP, "
               "carried forward. Wider: it guards against attendees who were already widening their networks. "
               "Stated, but never enough to claim an effect: its straight line under-corrects a trend that "
               "speeds up.")
h2.caption(_ci(adjusted, 2))
h3.metric("Pre-trend test", "not run" if pre["p_value"] is None else f"p = {pre['p_value']:.2f}",
          help="Joint test that attendees and non-attendees moved alike in the months before each attendee "
               "joined (event-study coefficients -9 to -2).")
h3.caption("Parallel trends doubtful" if pre["parallel_trends_doubtful"] else "No clear diverging trend")

st.subheader("Second line of evidence: met at the COP, then worked together?")
p0, p1, p2, p3 = st.columns(4)
p0.metric("Extra colleagues per attendee from pairs who met",
          "–" if pairs["excess_per_attendee"] is None else f"{pairs['excess_per_attendee']:+.2f}",
          help="Ties formed by pairs who met at a session, beyond what comparable pairs who had not met yet "
               "formed, counted for both people and divided by the attendees. An earlier trend shared by all "
               "attendees cannot create it, so an effect is claimed only when its interval excludes zero and the "
               "person-level estimate above points the same way.")
p0.caption(_ci(pairs, 2))
p1.metric("Pairs who first met at a session", pairs["pairs"])
p2.metric(f"Formed a working tie within {pairs['horizon_months']} months", pairs["new_ties"])
p3.metric("Expected from pairs who had not met yet",
          "–" if pairs["expected_new_ties"] is None else f"{pairs['expected_new_ties']:.0f}")
st.caption(f"Pairs of attendees from different agencies with no working tie before the month they first sat in "
           f"the same session, against {pairs['comparison_pairs']} attendee pairs who had not met yet in the same "
           "month, matched on agency pair, an earlier shared client and each person's earlier rate of new ties. "
           "It sees only ties between attendees who met; introductions to non-attendees are not counted here."
           + (f" {pairs['short_follow_up_pairs']} pairs met in the data's last {pairs['horizon_months'] - 1} months "
              f"and are followed to its end, as are their comparison pairs (at least "
              f"{pairs['min_follow_up_months']} months from meeting)." if pairs["short_follow_up_pairs"] else ""))

st.subheader("Months since joining: the event study")
charts = _cached.impact_charts(ds, cop_start, ties, bootstrap)
if charts["event_study"] is None:
    st.info("No event study: no attendee joined late enough to have a complete window before joining.")
else:
    st.vega_lite_chart(spec=charts["event_study"], width="stretch")
    st.caption(f"Each attendee's clock starts at their own first session. Points left of the orange line are "
               f"before joining: they should sit on the dashed line if attendees and non-attendees moved alike "
               f"(joint test {'p = ' + format(pre['p_value'], '.3f') if pre['p_value'] is not None else 'not run'}"
               f"{': parallel trends doubtful' if pre['parallel_trends_doubtful'] else ''}). Compared with "
               "never-attendees and attendees who had not joined yet (Callaway & Sant'Anna 2021).")

st.subheader("Attendees and non-attendees, month by month")
st.vega_lite_chart(spec=charts["series"], width="stretch")
st.caption(f"COP start {result['periods']['cop_start']}. Attendees are busier people, so their line sits higher; "
           "what matters is whether the gap changes after they join.")

st.subheader("Before and after, attendees against non-attendees")

m1, m2, m3, m4 = st.columns(4)
m1.metric("Difference in change: cross-agency colleagues", f"{did['estimate']:+.1f}",
          help="Attendees' mean change minus non-attendees' mean change.")
m1.caption(_ci(did))
m2.metric("Difference in change: cross-agency trust ties", f"{trust['estimate']:+.1f}")
m2.caption(f"{_ci(result['did_trust_dyadic'])} tie-aware, as in the verdict; bootstrap {_ci(trust)}")
m3.metric("Attendees' mean change", f"{change['attendees']:+.2f}")
m3.caption(f"{result['n_attendees']} attendees")
m4.metric("Non-attendees' mean change", f"{change['non_attendees']:+.2f}")
m4.caption(f"{result['n_non_attendees']} non-attendees")

st.markdown("**Caveats**")
st.markdown("\n".join(f"- {text}" for text in result["caveats"]))

st.subheader("The estimates and their intervals")
matched = result["matched_did_cross_agency_ties"]
st.vega_lite_chart(spec=charts["estimates"], width="stretch")
st.caption("The dashed line is no difference. An interval that crosses it is consistent with no effect.")

st.subheader("More sessions, more colleagues?")
dose = result["dose_response"]
if charts["dose"] is None:
    st.info(f"No dose-response slope: it needs at least 3 attendees who attended different numbers of "
            f"sessions ({dose['n']} attendees here).")
else:
    st.vega_lite_chart(spec=charts["dose"], width="stretch")
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
labels, agencies = _cached.practitioner_labels(ds), _cached.agency_names(ds)
shown = table.assign(practitioner=table["practitioner_id"].map(labels),
                     agency=table["agency_id"].map(lambda a: agencies.get(a, a)))
shown = shown[["practitioner", "agency", *[c for c in table.columns if c not in ("agency_id",)]]]
# Attendees first, largest change first: the page asks what attending changed, so the rows a reader looks for
# come first (all of them at medium scale) and the grid sent to the browser stops at MAX_TABLE_ROWS. The
# download keeps every row in the table's own order.
_shared.dataframe_head(shown.sort_values(["attendee", "change"], ascending=False, kind="stable"),
                       "practitioners (attendees first, largest change first)", hide_index=True, width="stretch")
_shared.download_csv(shown, "cop_impact_per_practitioner.csv", key="dl_impact_table")
excluded = result["excluded"]
st.caption(f"In post throughout both windows. Left out: {excluded['joined']} who joined and {excluded['left']} "
           "who left during the windows. before/after: cross-agency colleagues in each window; trust_*: "
           "cross-agency trust ties.")

with st.expander("How this is worked out"):
    st.markdown("\n".join(f"- {rule}" for rule in result["rules"]))
    st.caption(f"{result['bootstrap']} bootstrap replicates, seed {result['seed']}. Methods and their measured "
               "coverage on data with a known effect: docs/impact.md.")
