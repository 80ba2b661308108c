"""Deterministic layouts and safe, offline, interactive network maps.

- :func:`layout_positions`, :func:`stable_positions`: where each node goes.
- :func:`agency_colours`: one colour-blind-friendly colour per agency.
- :func:`network_spec`: what a map draws, as data; :func:`network_html`: a
  self-contained vis-network page of it (no external resources; every name
  escaped or shown as text only); :mod:`netdash.viz.inpage`: the same data
  drawn in a host page.
- :func:`map_budget`: a reduced graph when one is too big for the browser.
"""

from netdash.viz.budget import MapBudget, map_budget
from netdash.viz.colours import agency_colours
from netdash.viz.layout import layout_positions, stable_positions
from netdash.viz.network_html import network_html
from netdash.viz.spec import network_spec

__all__ = [
    "layout_positions",
    "stable_positions",
    "agency_colours",
    "network_html",
    "network_spec",
    "map_budget",
    "MapBudget",
]
