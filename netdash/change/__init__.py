"""Change over time: two periods compared, ties gained and lost, windows, and the COP's impact.

- :mod:`netdash.change.headline`: the headline measures of one network,
  computed in one place for every page, the report and the CLI;
- :mod:`netdash.change.compare`: two periods compared, with bootstrap
  intervals, permutation p-values and QAP;
- :mod:`netdash.change.dynamics`: tie by tie, what was gained, lost, kept
  or strengthened;
- :mod:`netdash.change.windows`: calendar windows, the headline measures
  over time, and equal windows either side of the COP start;
- :mod:`netdash.change.impact`: did attending the COP widen practitioners'
  cross-agency networks (difference in differences, matching, dose).
"""

from netdash.change.compare import Comparison, compare_periods, mixing_change
from netdash.change.dynamics import TIE_STATUSES, tie_change_summary, tie_changes, tie_key, trust_tie_changes
from netdash.change.headline import HEADLINE_EXPLANATIONS, HEADLINE_MEASURES, headline_measures, network_headline
from netdash.change.windows import cop_session_dates, headline_series, period_notes, split_at, windows

__all__ = [
    "HEADLINE_MEASURES", "HEADLINE_EXPLANATIONS", "network_headline", "headline_measures",
    "Comparison", "compare_periods", "mixing_change",
    "TIE_STATUSES", "tie_key", "tie_changes", "tie_change_summary", "trust_tie_changes",
    "windows", "headline_series", "cop_session_dates", "split_at", "period_notes",
]
