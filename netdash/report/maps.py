"""Static before/after network maps for the report, drawn as SVG.

Why SVG drawn here rather than the interactive vis-network pages of
:mod:`netdash.viz`: a report is read on paper and as PDF as often as on
screen. An inline SVG is vector (sharp at any zoom and in print), needs no
JavaScript (so the report can forbid scripts outright in its
Content-Security-Policy), is fully drawn the moment the page is parsed
(a canvas drawn by a script can be printed before it finishes) and keeps
the file self-contained. Node tooltips are SVG ``<title>`` elements, escaped
by the template like every other piece of user text.

Both maps share the dashboard's layout (:func:`netdash.viz.layout.period_layout`
of the report's period, as the Network map and Before & after place
everyone), so a practitioner sits in the same place before and after, and
where the dashboard's maps put them. The maps are
aggregate pictures: nodes carry their agency only, never a name or an id,
so no individual (an isolated practitioner, say) is named.
"""

import math

from netdash.change.dynamics import tie_changes
from netdash.networks import agency_graph
from netdash.report.cells import count_cell
from netdash.viz.colours import MISSING_COLOUR, agency_colours
from netdash.viz.layout import positions_for, stable_positions
from netdash.viz.maps import agency_positions

__all__ = ["before_after_maps", "agency_svg_maps", "MAP_SCALE", "SIZE_BY"]

#: What a dot's size can show on the report's practitioner maps (``size_by``), as on the dashboard's.
SIZE_BY = ("degree", "betweenness", "trust_ties")

#: Half-width of the layout, in SVG user units.
MAP_SCALE = 1000.0
_PAD = 60.0


def _path(segments, pos):
    """One SVG path ``d`` with a move-line pair per tie (far smaller than one <line> each)."""
    parts = []
    for u, v in segments:
        (x1, y1), (x2, y2) = pos[u], pos[v]
        parts.append(f"M{x1:.0f} {y1:.0f}L{x2:.0f} {y2:.0f}")
    return "".join(parts)


def _radius(n):
    """Node radius in user units: large for a few nodes, smaller for many."""
    return max(8.0, min(26.0, 420.0 / math.sqrt(max(n, 1))))


def _nodes(positions, present, agency, names, colours, attendees=frozenset(), radii=None):
    out = []
    for node in sorted(positions, key=str):
        x, y = positions[node]
        a = agency.get(node)
        label = names.get(a, a) if a is not None else "agency not recorded"
        here = node in present
        out.append({
            "x": f"{x:.0f}", "y": f"{y:.0f}",
            "colour": colours.get(a, MISSING_COLOUR),
            "faded": not here,
            "cop": node in attendees,
            "r": f"{radii[node]:.1f}" if radii is not None else None,
            "tooltip": f"{label}" + ("" if here else " (not in post in this period)")
                       + (", attended the COP" if node in attendees else ""),
        })
    return out


def _view_box(positions):
    if not positions:
        return f"{-MAP_SCALE} {-MAP_SCALE} {2 * MAP_SCALE} {2 * MAP_SCALE}"
    xs = [p[0] for p in positions.values()]
    ys = [p[1] for p in positions.values()]
    x0, y0 = min(xs) - _PAD, min(ys) - _PAD
    return f"{x0:.0f} {y0:.0f} {max(xs) - x0 + _PAD:.0f} {max(ys) - y0 + _PAD:.0f}"


def before_after_maps(G_before, G_after, agencies, *, seed=0, layout=None, attendees=(), sizes=None):
    """Drawing instructions for the before and after maps, in one shared layout.

    Parameters
    ----------
    G_before, G_after : networkx.Graph
        Practitioner graphs of the two periods (node attribute ``agency``).
    agencies : DataFrame
        ``agency_id`` and ``name`` of every agency in the dataset, so an
        agency keeps its colour whichever period it appears in.
    seed : int, default 0
        Layout seed, when there is no ``layout``.
    layout : mapping, optional
        ``{practitioner: (x, y)}``, the dashboard's layout of the period
        (:func:`netdash.viz.layout.period_layout`); used when it places
        everyone in either graph (:func:`netdash.viz.layout.positions_for`).
        Default: :func:`netdash.viz.layout.stable_positions` of the two graphs.
    attendees : collection, optional
        Practitioners who attended a COP session: their dots are ringed, as
        on the dashboard's maps.
    sizes : (mapping, mapping), optional
        A measure of each practitioner before and after (e.g. degree); a
        dot's area then grows with its value, on one scale for both maps
        (radius from 0.5 to 1.8 times the usual). Default: every dot the same.

    Returns
    -------
    dict
        ``before`` and ``after``: each ``{"view_box", "radius", "paths",
        "nodes", "n_nodes", "n_ties"}`` where ``paths`` maps an edge class
        (``tie``, ``new_cross``, ``lost``) to an SVG path and ``nodes`` lists
        ``{x, y, colour, faded, tooltip}``; ``legend``: ``[{name, colour}]``
        of the agencies drawn; ``counts``: ties by class in the after map.

    Notes
    -----
    Before map: every tie of the before period. After map: ties kept or
    made within an agency in grey, new ties between agencies highlighted,
    ties of the before period that are gone drawn dashed. A practitioner
    not in post in a period is drawn faded on that period's map.
    """
    if layout is None:
        positions = stable_positions([G_before, G_after], seed=seed, scale=MAP_SCALE)
    else:
        shared = positions_for(layout, [G_before, G_after])
        positions = {n: shared[n] for H in (G_before, G_after) for n in H}  # those in post in a window
    agency = {}
    for H in (G_before, G_after):
        agency.update({n: a for n, a in H.nodes(data="agency") if a is not None})
    names = dict(zip(agencies["agency_id"], agencies["name"]))
    colours = agency_colours(agencies["agency_id"])
    changes = tie_changes(G_before, G_after, weight=None)
    pairs = {s: list(zip(g["a"], g["b"])) for s, g in changes.groupby("status")}
    new = changes[changes["status"] == "new"]
    new_cross = list(zip(new.loc[new["cross_agency"], "a"], new.loc[new["cross_agency"], "b"]))
    new_within = list(zip(new.loc[~new["cross_agency"], "a"], new.loc[~new["cross_agency"], "b"]))
    stayed = pairs.get("kept", []) + pairs.get("strengthened", [])
    before_ties = [(u, v) for u, v in G_before.edges() if u != v]
    after_grey = stayed + new_within
    view_box, radius = _view_box(positions), _radius(len(positions))
    radii = [None, None]
    if sizes is not None:
        top = max([float(v) for m in sizes for v in m.values()] + [0.0])
        radii = [{n: radius * (0.5 + 1.3 * math.sqrt(max(float(m.get(n, 0.0)), 0.0) / top if top > 0 else 0.0))
                  for n in positions} for m in sizes]
    drawn = sorted({agency[n] for n in positions if n in agency}, key=str)

    def panel(G, paths, n_ties, r):
        return {"view_box": view_box, "radius": f"{radius:.1f}", "paths": paths,
                "nodes": _nodes(positions, set(G), agency, names, colours, frozenset(attendees), r),
                "n_nodes": G.number_of_nodes(), "n_ties": n_ties}

    return {
        "before": panel(G_before, {"tie": _path(before_ties, positions)}, len(before_ties), radii[0]),
        "after": panel(G_after, {"lost": _path(pairs.get("lost", []), positions),
                                 "tie": _path(after_grey, positions),
                                 "new_cross": _path(new_cross, positions)},
                       len(after_grey) + len(new_cross), radii[1]),
        "legend": [{"name": names.get(a, a), "colour": colours.get(a, MISSING_COLOUR)} for a in drawn],
        "counts": {"new_cross": len(new_cross), "lost": len(pairs.get("lost", [])),
                   "grey": len(after_grey)},
    }


def agency_svg_maps(G_before, G_after, agencies, *, min_count):
    """The organisation view for the report: agencies as dots, cross-agency ties as links, before and after.

    The same picture as the dashboard's agency-level map
    (:func:`netdash.viz.maps.agency_maps`): each practitioner graph is
    collapsed onto its agencies (:func:`netdash.networks.agency_graph`), the
    agencies sit on one circle grouped by sector
    (:func:`netdash.viz.maps.agency_positions`) in both maps, and a link's
    width grows with the practitioner pairs tied across the two agencies, on
    one scale for both periods. Counts in the tooltips below ``min_count``
    are hidden as everywhere in the report.

    Parameters
    ----------
    G_before, G_after : networkx.Graph
        Practitioner graphs of the two periods (node attribute ``agency``).
    agencies : DataFrame
        ``agency_id``, ``name`` and optionally ``sector`` of every agency.
    min_count : int

    Returns
    -------
    dict
        ``before`` and ``after``: ``{"links": [{x1, y1, x2, y2, width, ties,
        tooltip}], "nodes": [{x, y, lx, ly, anchor, colour, faded, name,
        tooltip}]}``, where ``ties`` is the link's count (for tests; the
        report shows only the tooltip's suppressed text); ``view_box``.

    Examples
    --------
    >>> import networkx as nx, pandas as pd
    >>> before = nx.Graph([("p1", "p2")]); after = nx.Graph([("p1", "p2"), ("p1", "p3")])
    >>> for G in (before, after):
    ...     nx.set_node_attributes(G, {"p1": "A", "p2": "B", "p3": "B"}, "agency")
    >>> m = agency_svg_maps(before, after, pd.DataFrame({"agency_id": ["A", "B"], "name": ["Alpha", "Beta"]}),
    ...                     min_count=1)
    >>> [(l["ties"], l["tooltip"]) for l in m["after"]["links"]]
    [(2, 'Alpha – Beta: 2 practitioner pairs tied')]
    """
    names = {a: n if isinstance(n, str) and n else str(a) for a, n in zip(agencies["agency_id"], agencies["name"])}
    sectors = dict(zip(agencies["agency_id"], agencies["sector"])) if "sector" in agencies else {}
    colours = agency_colours(agencies["agency_id"])
    collapsed = [agency_graph(G) for G in (G_before, G_after)]
    everyone = sorted({a for H in collapsed for a in H if a is not None}, key=str)
    positions = agency_positions(everyone, sectors, names)
    most = max([t for H in collapsed for _, _, t in H.edges(data="ties")] + [1])

    def panel(H):
        links = []
        for u, v, t in sorted(H.edges(data="ties"), key=lambda e: (str(e[0]), str(e[1]))):
            if u == v or u not in positions or v not in positions:
                continue
            (x1, y1), (x2, y2) = positions[u], positions[v]
            first, second = sorted((names.get(u, str(u)), names.get(v, str(v))))
            links.append({"x1": f"{x1:.0f}", "y1": f"{y1:.0f}", "x2": f"{x2:.0f}", "y2": f"{y2:.0f}",
                          "width": f"{1 + 11 * t / most:.1f}", "ties": int(t),
                          "tooltip": f"{first} – {second}: {count_cell(t, min_count).text} practitioner pairs tied"})
        nodes = []
        for a in everyone:
            x, y = positions[a]
            staff = H.nodes[a].get("n_practitioners", 0) if a in H else 0
            outward = 1.16
            nodes.append({"x": f"{x:.0f}", "y": f"{y:.0f}", "lx": f"{x * outward:.0f}", "ly": f"{y * outward + 12:.0f}",
                          "anchor": "middle" if abs(x) < 1 else ("start" if x > 0 else "end"),
                          "colour": colours.get(a, MISSING_COLOUR), "faded": staff == 0, "name": names.get(a, str(a)),
                          "tooltip": f"{names.get(a, str(a))}: {count_cell(staff, min_count).text} practitioners in post"})
        return {"links": links, "nodes": nodes}

    return {"before": panel(collapsed[0]), "after": panel(collapsed[1]), "view_box": "-2400 -1230 4800 2460"}
