"""Trust: which practitioners have the repeated, two-way working relationships that trust grows from."""

import streamlit as st

from netdash.change.headline import CROSS_AGENCY_SHARES, format_share
from netdash.metrics.trust import describe_trust_rule, trust_by_agency
from pages import _cached, _mapview, _shared

st.title("Trust")
st.caption(
    "A trust tie is more than a single referral: two practitioners who keep in touch, both ways, over time. "
    "Where a trust survey was run, practitioners' own ratings are used instead."
)

ds = _shared.current_dataset()
period = _shared.current_period()
rule = _shared.trust_rule_controls()
st.info(describe_trust_rule(**rule))

with _shared.shown_errors():
    edges, G, summary = _cached.trust(ds, period, rule)

c1, c2, c3, c4 = st.columns(4)
c1.metric("Trust ties", summary["n_trust_ties"])
c2.metric(CROSS_AGENCY_SHARES["trust_ties"][0], format_share(summary["cross_agency_share"]),
          help=CROSS_AGENCY_SHARES["trust_ties"][1])
c3.metric("From the survey", summary["by_source"].get("survey", 0))
c4.metric("Inferred from contacts", summary["by_source"].get("inferred", 0))

per_agency = trust_by_agency(summary, _cached.agency_names(ds))


@st.fragment
def _trust_map(ds, period, rule):
    # Only the map reruns when the toggle changes.
    st.subheader("Trust network")
    hide_untied = st.toggle("Hide people without trust ties", True)
    with _shared.shown_errors():
        message, payload = _cached.trust_map(ds, period, rule, hide_untied)
    if message:
        st.info(message)
    if payload is not None:
        _mapview.show(payload, key="trust_map", height=540)
    else:
        st.info("No trust ties in this period under this rule.")


@st.fragment
def _pairs(ds, period, rule):
    # Only the table reruns when the toggle changes.
    table = _cached.trust_pairs(ds, period, rule)
    only = st.toggle("Only trust ties", True, key="trust_only")
    if only:
        table = table[table["is_trust_tie"]]
    _shared.dataframe_head(table, "strongest trust ties" if only else "pairs (trust ties first, strongest first)",
                           hide_index=True, width="stretch")
    _shared.download_csv(table, "trust_ties.csv", key="dl_trust_ties")


left, right = st.columns([3, 2])
with left:
    _trust_map(ds, period, rule)
with right:
    st.subheader("Per agency")
    st.dataframe(per_agency, hide_index=True, width="stretch")
    _shared.download_csv(per_agency, "trust_by_agency.csv", key="dl_trust_agency")

st.subheader("Every pair that worked together")
st.caption("Strength is the number of contacts for inferred ties, and the mean rating (1–4) for survey ties. "
           "Trust ties come first, strongest first.")
_pairs(ds, period, rule)

st.subheader("What this measure means")
_shared.explain([
    ("Trust tie",
     "Two practitioners who keep working together, both ways, over time; or who rated each other as trusted in the "
     "survey. Trust is what lets a referral become a joint plan instead of a handover.",
     "Inferred from contact logs when the pair is reciprocated (each contacted the other), repeated (at least the "
     "set number of contacts) and sustained (in at least the set number of calendar months). Where the trust survey "
     "rated the pair in the period, the survey decides: mean rating at or above the threshold on the 1–4 scale, "
     "after the PARTNER tool's trust dimensions (Varda, Chandra, Stern & Lurie 2008). Strength is the number of "
     "contacts for inferred ties and the mean rating for survey ties."),
    (CROSS_AGENCY_SHARES["trust_ties"][0], CROSS_AGENCY_SHARES["trust_ties"][1],
     "cross-agency trust ties / all trust ties; shown as – when there are no trust ties."),
])
