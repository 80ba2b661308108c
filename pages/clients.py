"""Clients: the team around the person — how the agencies around each client work together."""

import streamlit as st

from netdash.actions.clients import client_team_summary
from netdash.dataset import NO_COP_DATA
from netdash.errors import AnalysisError
from pages import _cached, _shared

MEASURES = {
    "clients_with_team": ("Clients with a multi-agency team", "{:,}"),
    "mean_agencies": ("Agencies per client (mean)", "{:.1f}"),
    "mean_practitioners": ("Practitioners per client (mean)", "{:.1f}"),
    "mean_cohesion": ("Team cohesion (mean)", "{:.0%}"),
    "concurrent": ("Agencies involved at the same time", "{:,}"),
    "sequential": ("Agencies involved one after another", "{:,}"),
    "share_concurrent": ("Share involved at the same time", "{:.0%}"),
    "clients_with_handover": ("Placements followed by another agency", "{:,}"),
    "median_handover_lag_days": ("Days from placement to next agency (median)", "{:.0f}"),
}
SHORT_WINDOW_DAYS = 30
CHARTED = {"mean_cohesion": "Cohesion", "share_concurrent": "At the same time",
           "median_handover_lag_days": "Days to next agency"}

st.title("Clients: the team around the person")
st.caption(
    "For each client seen by two or more agencies: who was involved, whether the practitioners around them are in "
    "touch with each other, and how quickly the next agency followed a housing placement. This is the outcome the "
    "COP is meant to improve."
)

ds = _shared.current_dataset()
period = _shared.current_period()
cop_start = _shared.current_cop_start()
c1, c2 = st.columns([3, 1])
use_trust = c1.toggle("Count trust ties instead of direct contacts for cohesion", False, key="clients_trust",
                      help="Trust ties use the rule chosen on the Trust page: repeated, two-way contact over time, "
                           "or the trust survey where a pair was rated.")
min_count = int(c2.number_input("Hide counts below", 1, 50, 5, key="clients_min_count",
                                help="Counts from 1 to this number minus one, and averages over fewer clients, "
                                     "are hidden in the summaries and their downloads."))
rule = _shared.trust_rule()


def _shown(measure, value, *, change=False):
    if value is None:
        return "–" if change else f"<{min_count} (hidden)"
    fmt = MEASURES[measure][1]
    if change:  # one more decimal, so that a small change does not read as "-0%"
        fmt = fmt.replace("{:", "{:+").replace(".0%", ".1%").replace(".1f", ".2f")
    return fmt.format(value)


with _shared.shown_errors(), _shared.stages("Client teams", show=_shared.is_large(ds)) as step:
    step(f"Finding the team around each client in {len(ds.contacts):,} contacts…")
    teams = _cached.client_teams(ds, period, use_trust, rule)
    summary = client_team_summary(teams, min_count=min_count)

st.subheader(f"All clients, {period.label()}")
if teams.empty:
    st.info(f"No client was seen by practitioners of two or more agencies in {period.label()}. Choose a longer "
            "period in the sidebar, or check that contacts.csv records client IDs.")
cols = st.columns(4)
for col, measure in zip(cols, ["clients_with_team", "mean_practitioners", "mean_cohesion", "share_concurrent"]):
    col.metric(MEASURES[measure][0], _shown(measure, summary[measure]))
cols = st.columns(4)
for col, measure in zip(cols, ["mean_agencies", "concurrent", "clients_with_handover", "median_handover_lag_days"]):
    col.metric(MEASURES[measure][0], _shown(measure, summary[measure]))
if summary["suppressed"]:
    st.caption(f"Hidden to protect small numbers (counts under {min_count}, or averages over fewer than "
               f"{min_count} clients): " + ", ".join(MEASURES[m][0].lower() for m in summary["suppressed"]) + ".")

st.subheader("Before and after the COP start")
if ds.first_cop_session is None:
    st.info(f"Nobody in this dataset has attended a COP session ({NO_COP_DATA}), so the split below uses the "
            "COP start date chosen in the sidebar only.")
trend_error = None
with _shared.shown_errors(), _shared.stages("Before and after", show=_shared.is_large(ds)) as step:
    step("Finding the teams of the two windows either side of the COP start…")
    try:
        before, after, trend = _cached.client_trend(ds, period, cop_start, use_trust, rule, min_count)
    except AnalysisError as err:
        trend_error = str(err)
if trend_error:
    st.info(f"No before/after comparison: {trend_error}")
else:
    st.caption(f"Two windows of equal length either side of the COP start: before {before.label()}, after "
               f"{after.label()} (end dates exclusive). Hidden values are blank in the chart.")
    days = (after.end - after.start).days
    if days < SHORT_WINDOW_DAYS:
        st.warning(f"The COP start is {days} day{'s' if days != 1 else ''} from the start or end of the data in "
                   "this period, so each window is that short and the comparison says little. Move the COP start "
                   "in the sidebar, or widen the period.")
    table = trend.copy()
    for column in table.columns:
        table[column] = [_shown(m, v, change=column == "change") for m, v in table[column].items()]
    table = table.rename(index={m: label for m, (label, _) in MEASURES.items()}).rename_axis("measure")
    chart = _cached.client_trend_chart(ds, period, cop_start, use_trust, rule, min_count, CHARTED)
    if chart is None:
        st.info("Every charted value is hidden to protect small numbers.")
    else:
        st.vega_lite_chart(spec=chart)
    st.dataframe(table, width="stretch")
    _shared.download_csv(trend.reset_index(), "client_teams_before_after.csv", key="dl_clients_trend")

st.subheader("Every client with a multi-agency team")
st.caption(
    "Each row is one client, shown only by their pseudonym: no name, date or need. The counts in a row are of "
    "practitioners and agencies, not of clients, so they are not suppressed (a team of 2 is the usual case, and "
    "hiding it would hide the table). For use within the partnership only: do not publish this table; publish the "
    "summaries above, where small numbers are hidden."
)
names = _cached.agency_names(ds)
per_client = teams.assign(agencies=teams["agencies"].map(lambda ids: ", ".join(names.get(a, a) for a in ids)))
per_client = per_client.rename(columns={
    "client_id": "client (pseudonym)", "n_agencies": "agencies involved", "n_practitioners": "practitioners",
    "agencies": "agency names", "handover_lag_days": "days from placement to next agency"})
if not teams.empty:
    st.dataframe(per_client, hide_index=True, width="stretch",
                 column_config={"cohesion": st.column_config.ProgressColumn(format="percent", min_value=0,
                                                                             max_value=1)})
    _shared.download_csv(per_client, "client_teams.csv", key="dl_clients_teams")

st.subheader("What these measures mean")
_shared.explain([
    ("Team cohesion", "of all the pairs of practitioners around a client, the share who are in touch with each "
     "other (or, with the toggle on, who have a trust tie).",
     "tied pairs / all pairs, same-agency pairs included; a pair is tied by a direct contact either way in the "
     "period, or by the trust graph (`netdash.actions.clients.client_teams`). Three practitioners with one tie: 1/3."),
    ("At the same time or one after another", "whether the agencies' involvement with the client overlapped.",
     "Each agency's span runs from its first to its last contact day with the client; sequential when no two "
     "spans share a day, concurrent otherwise."),
    ("Days from placement to next agency", "how long after a housing placement another agency saw the client.",
     "Days from the first housing_placement contact to the first contact by another agency on or after that day; "
     "blank when there was none in the period. Medians over fewer clients than the threshold are hidden."),
])
