"""Before & after: the network before and after the COP started, side by side."""

import pandas as pd
import streamlit as st

from netdash.change.headline import headline_explanations
from netdash.change.impact import OUTCOME_TIES
from netdash.change.windows import per_30_days, period_days, period_notes
from netdash.dataset import NO_COP_DATA
from netdash.periods import Period
from pages import _cached, _mapview, _shared

DAY = pd.Timedelta(days=1)
# Issue 7: at most ~1,500 practitioners sent to the browser unless the user asks for more; two maps share it.
PANEL_NODES = 750
LARGER_MAPS = "Larger maps (slower)"
#: Headings of the headline measures' columns (the download keeps the column names).
MEASURE_COLUMNS = {"ci_low": "95% interval, low", "ci_high": "95% interval, high", "p_value": "p-value",
                   "before_per_30_days": "before, per 30 days", "after_per_30_days": "after, per 30 days"}

st.title("Before & after")
st.caption(
    "The same practitioners, in the same places, before and after the COP started: which ties appeared, "
    "which were lost, and whether the network became more joined-up across agencies."
)

ds = _shared.current_dataset()
first, last = ds.date_range
if first is None:
    st.info("This dataset has no dated contacts, so there is nothing to compare.")
    st.stop()
period = _shared.current_period()
cop_start = _shared.current_cop_start()

c1, c2, c3, c4 = st.columns([3, 2, 2, 2])
ties = c1.selectbox("Ties", OUTCOME_TIES, format_func=_shared.TIES_LABELS.get, key="ba_ties",
                    help="COP co-attendance is left out: it would count the COP itself as new ties.")
custom = c2.toggle("Compare two custom periods", False, key="ba_custom",
                   help="Off: equal windows either side of the COP start, as COP impact and the report use. "
                        "On: choose both periods (unequal lengths are shown with a warning and per 30 days).")
changes_only = c3.toggle("Maps: only ties that changed", False, key="ba_changes_only",
                         help="Before: only the ties that were lost. After: only the new ties.")
larger = c4.toggle(LARGER_MAPS, False, key="ba_larger_maps",
                   help=f"Off: up to {PANEL_NODES:,} practitioners in each map, so the page stays quick. "
                        f"On: up to {2 * PANEL_NODES:,} in each.")

if custom:
    middle = cop_start if cop_start is not None and first < cop_start <= last else first + (last - first) / 2
    middle = middle.normalize()
    d1, d2 = st.columns(2)
    picked = [d1.date_input("Before period", (first.date(), (middle - DAY).date()), min_value=first.date(),
                            max_value=last.date(), key="ba_before"),
              d2.date_input("After period", (middle.date(), last.date()), min_value=first.date(),
                            max_value=last.date(), key="ba_after")]
    if any(len(p) != 2 for p in picked):
        st.info("Choose the first and the last day of both periods.")
        st.stop()
    before, after = (Period(pd.Timestamp(a), pd.Timestamp(b) + DAY) for a, b in picked)
else:
    if ds.cop_attendance.empty:
        st.info(f"Nobody in this dataset attended a COP session ({NO_COP_DATA}), so there is no COP start to "
                "split at. "
                "Set a COP start in the sidebar, or compare two custom periods.")
    with _shared.shown_errors():
        before, after = _cached.cop_windows(ds, period, cop_start)
if custom:
    st.caption(f"Before: {before.label()} ({period_days(before):,} days). After: {after.label()} "
               f"({period_days(after):,} days). Each period ends the day before its end date.")
else:
    days = period_days(before)
    st.caption(f"Equal windows of {days:,} day{'s' if days != 1 else ''} either side of the COP start {after.start.date()}: "
               f"before {before.label()}, after {after.label()} (end dates not included). The same windows as "
               "COP impact and the report: the longer side of the sidebar period is cut to the shorter's length.")
notes = period_notes(before, after)
for note in notes:
    st.warning(note)
unequal = period_days(before) != period_days(after)

with st.expander("Intervals and p-values", expanded=False):
    uncertainty = st.toggle("Compute intervals and p-values", False, key="ba_uncertainty")
    replicates = st.number_input("Bootstrap and permutation replicates", 20, 5000, 200, 20, key="ba_replicates")
    st.caption("Every replicate recomputes all the measures for both periods: on the 200-practitioner demo, "
               "200 replicates take one to two minutes. The answer is kept for these settings.")
replicates = int(replicates) if uncertainty else 0

# The maps first, then the comparison: the browser draws the maps while the server compares the periods.
with _shared.shown_errors(), _shared.stages("Before & after: the maps", show=_shared.is_large(ds)) as step:
    step(f"Building the networks of both periods from {len(ds.contacts):,} contacts, laying them out and drawing "
         "the maps…")
    notes, (new_cross, lost), payload = _cached.before_after_maps(
        ds, period, before, after, ties, changes_only=changes_only, max_nodes=2 * PANEL_NODES if larger else PANEL_NODES,
        to_see_more=None if larger else f"switch on '{LARGER_MAPS}' above to see more")

st.subheader("Maps")
st.caption("Every practitioner sits at the same place in both maps (and, when both periods lie in the sidebar "
           "period, where the Network map puts them). Pale dots: not in post in that period. "
           "Dashed lines (before): ties lost after the COP start. Purple lines (after): new ties "
           "across agencies. Colours are agencies. Maps show everyone in post in each period.")
if any(notes):
    for column, note in zip(st.columns(2), notes):
        if note:
            column.info(note)
_mapview.show(payload, key="ba_maps", height=520)
st.caption(f"{new_cross:,} new cross-agency ties and {lost:,} lost ties on the maps.")

st.subheader("Agencies")
st.caption("The same networks seen from the agencies: each dot is an agency (its size: practitioners in post), "
           "each line the practitioner pairs tied across two agencies; the thicker, the more pairs, on one scale "
           "in both maps. Agencies keep their places, grouped by sector (the colours). Hover for the counts.")
_mapview.show(_cached.before_after_agency_maps(ds, before, after, ties), key="ba_agency_maps", height=620)

with _shared.shown_errors(), _shared.stages("Before & after: the measures", show=_shared.is_large(ds)) as step:
    step("Comparing the two periods' measures" + (f" with {replicates:,} bootstrap and permutation replicates…"
                                                   if replicates else "…"))
    comparison = _cached.comparison(ds, before, after, ties, replicates)

st.subheader("Headline measures")
who = comparison.practitioners
m1, m2, m3, m4 = st.columns(4)
m1.metric("Practitioners compared", who["compared"], help=who["rule"])
m2.metric("Left before the after period", who["before_only"])
m3.metric("Joined in the after period", who["after_only"])
m4.metric("Similarity of the two networks (QAP r)", f"{comparison.qap['correlation']:.2f}"
          if pd.notna(comparison.qap["correlation"]) else "–")
st.caption("Only the practitioners in post in both periods are compared, so the numbers can differ from the "
           "single-period pages.")
explained = headline_explanations(ties)
table = comparison.measures
columns = ["before", "after", "change"]
if unequal:  # counts of ties grow with the period's length: rates beside them
    table = table.join(per_30_days(table, before, after))
    columns += ["before_per_30_days", "after_per_30_days"]
columns += ["ci_low", "ci_high", "p_value", "method"] if replicates else []
table = table.rename(index=lambda k: explained[k][0])
table.index.name = "measure"
# Eight rows: one plain HTML table, not a data grid (a grid is a canvas the browser builds at every setting, and it
# kept changing the page after the run had ended); the same values, rounded to 3 decimals as the grid showed them.
_shared.small_table(table[columns].round(3).rename(columns=MEASURE_COLUMNS), decimals=3)
if unequal:
    st.caption("The periods differ in length, so ties and trust ties are also shown per 30 days (the count divided "
               "by the period's days, × 30); compare those. Shares, indices and isolates are not rescaled.")
# measure_key: the stable key (comparison.json's "measure"), since the labels are for reading (issue 16 renamed one)
_shared.download_csv(table.reset_index().assign(measure_key=list(comparison.measures.index)),
                     "before_after_measures.csv", key="dl_ba_measures")
if not replicates:
    st.caption("Intervals and p-values are off: switch them on under 'Intervals and p-values' above.")
else:
    st.caption("Interval: node bootstrap of the change (Snijders & Borgatti 1999). p-value: are the two periods "
               "exchangeable? It is not a test of the COP's effect.")
qap = comparison.qap
st.caption(f"QAP correlation of the two networks (Krackhardt 1987): r = {qap['correlation']:.3f}"
           + (f", one-sided p = {qap['p_value']:.3f} from {qap['permutations']} permutations. "
              if replicates else ". ")
           + f"{qap['rule']} {qap['n_dropped']} practitioner(s) who joined or left are left out."
           if pd.notna(qap["correlation"]) else "QAP correlation: not defined (a period has no ties).")

st.subheader("Tie changes")
st.caption("Among the compared practitioners. New: tie after but not before; lost: before but not after; "
           "strengthened: tied in both, at least 1.5 times as strong after; kept: otherwise.")
t1, t2 = st.columns(2)
t1.markdown("**Working ties**" if ties == "working" else f"**{_shared.TIES_LABELS[ties]}**")
tie_summary, trust_summary = _cached.tie_change_summaries(ds, before, after, ties, replicates)
with t1:  # five rows of counts each: plain HTML tables, not data grids (a grid costs the browser a canvas)
    _shared.small_table(tie_summary)
t2.markdown("**Trust ties** (gained = new, lost = lost)")
with t2:
    _shared.small_table(trust_summary)
_shared.download_csv(lambda: _cached.tie_changes(ds, before, after, ties, replicates), "tie_changes.csv",
                     label="Download every tie change (CSV)", key="dl_ba_ties")

st.subheader("Ties between agencies")
st.caption("Ties between each pair of agencies or sectors (everyone in post in each period; a tie between two "
           "of them is counted in both of their cells). The difference is after minus before.")


@st.fragment
def _heatmaps(ds, before, after, ties):
    # Only this part reruns when the grouping changes.
    level = _shared.heatmap_level(ds, key="ba_heatmap_groups")
    st.vega_lite_chart(spec=_cached.mixing_heatmaps(ds, before, after, ties, level))


_heatmaps(ds, before, after, ties)

st.subheader("What these measures mean")
_shared.explain([explained[k] for k in comparison.measures.index]
                + [("QAP correlation", "How alike the two networks are, pair by pair: 1 means the same pairs "
                    "are tied in both periods, 0 no more alike than chance.",
                    "Pearson correlation of the off-diagonal cells of the two binary adjacency matrices; "
                    "p from permuting the rows and columns of one matrix together (Krackhardt 1987).")],
                one_box=True)
