"""Deterministic layouts and safe, offline, interactive network maps.

- :func:`layout_positions`, :func:`stable_positions`: where each node goes.
- :func:`agency_colours`: one colour-blind-friendly colour per agency.
- :func:`network_spec`: what a map draws, as data (netdash's own map spec).
  One renderer draws it everywhere: :mod:`netdash.viz.inpage` in the
  dashboard's page, and :func:`network_html` / :func:`map_html` as a
  standalone offline HTML file (no external resource; every name escaped or
  shown as text only).
- :func:`map_budget`: a reduced graph when one is too big for the browser.
"""

from netdash.viz.budget import MapBudget, map_budget
from netdash.viz.colours import agency_colours
from netdash.viz.layout import layout_positions, stable_positions
from netdash.viz.network_html import map_html, network_html
from netdash.viz.spec import network_spec
from netdash.viz.view import map_view

__all__ = [
    "layout_positions",
    "stable_positions",
    "agency_colours",
    "network_html",
    "map_html",
    "network_spec",
    "map_budget",
    "MapBudget",
    "map_view",
]
