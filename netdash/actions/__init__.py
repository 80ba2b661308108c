"""What a COP lead can act on: isolated practitioners, introductions, and the team around each client.

- :mod:`netdash.actions.isolation`: who is isolated or works only within
  their agency, and whom to introduce them to (with the evidence);
- :mod:`netdash.actions.clients`: the practitioners and agencies around each
  client, and whether they work together.

Small counts are suppressed with :mod:`netdash.privacy` before anything is
shown or exported.
"""

from netdash.actions.clients import TEAM_COLUMNS, client_team_summary, client_team_trend, client_teams, team_trend
from netdash.actions.isolation import (CATEGORIES, category_counts, isolation_report, previous_period,
                                       suggest_introductions)

__all__ = [
    "CATEGORIES", "isolation_report", "suggest_introductions", "previous_period", "category_counts",
    "client_teams", "client_team_summary", "client_team_trend", "team_trend", "TEAM_COLUMNS",
]
