"""What a network map draws, as data: nodes, ties, options, legend and title.

:func:`network_spec` turns a graph and its positions into the JSON that
vis-network takes (``{"nodes", "edges", "options"}``) plus the title and
legend. Names stay plain text here; each renderer shows them as text:
:func:`netdash.viz.network_html.spec_html` escapes them into a page, and the
dashboard's in-page maps (:mod:`netdash.viz.inpage`) set them with
``textContent`` and draw labels on a canvas.
"""

import math
import re
from collections.abc import Mapping

import numpy as np
from scipy.spatial import cKDTree

from netdash.errors import InvalidInputError
from netdash.viz.colours import MISSING_COLOUR, agency_colours, sorted_ids

__all__ = ["network_spec"]

_EDGE_STYLE_KEYS = {"color", "dashes", "width", "label", "title"}
_COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}|rgba?\(\s*[0-9.,\s%]+\)|[a-zA-Z]{3,20}")
_BIG_EDGES = 3000  # above this, edges are hidden while dragging/zooming and hover is off
_FADED_ALPHA = 0.22


def _text(value):
    """Display text for an attribute, or None when it is missing (None, NaN, blank)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def _check_colour(colour, where):
    if not isinstance(colour, str) or not _COLOUR.fullmatch(colour.strip()):
        raise InvalidInputError(
            f"network_html: {where} has colour {colour!r}; expected '#rrggbb', 'rgb(...)', "
            "'rgba(...)' or a CSS colour name such as 'red'."
        )
    return colour.strip()


def _rgba(colour, alpha):
    if colour.startswith("#") and len(colour) == 7:
        r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
        return f"rgba({r},{g},{b},{alpha})"
    return colour


def _neighbour_count(G, n):
    if G.is_directed():
        return len((set(G.predecessors(n)) | set(G.successors(n))) - {n})
    return len(set(G[n]) - {n})


def _sizes(G, nodes, node_size_by, degree, base):
    if node_size_by is None:
        return dict.fromkeys(nodes, base)
    if isinstance(node_size_by, Mapping):
        values = {n: node_size_by.get(n) for n in nodes}
    elif node_size_by == "degree":
        values = degree
    else:
        values = {n: G.nodes[n].get(node_size_by) for n in nodes}
    nums = {n: float(v) for n, v in values.items() if isinstance(v, (int, float)) and math.isfinite(v)}
    if not nums:
        raise InvalidInputError(
            f"network_html: node_size_by={node_size_by!r} gave no numbers for any node. "
            "Use 'degree', a numeric node attribute, or a mapping {node: number}."
        )
    low, high = min(nums.values()), max(nums.values())
    span = (high - low) or 1.0
    return {n: round(base * 0.6 + base * 2.0 * math.sqrt((nums[n] - low) / span), 2) if n in nums
            else base * 0.6 for n in nodes}


def _typical_gap(positions, nodes):
    """Median distance from a node to its nearest neighbour (layout units)."""
    if len(nodes) < 2:
        return 1.0
    points = np.array([[float(positions[n][0]), float(positions[n][1])] for n in nodes])
    gaps = cKDTree(points).query(points, k=2)[0][:, 1]
    gap = float(np.median(gaps))
    return gap if gap > 0 else float(np.ptp(points, axis=0).max()) / math.sqrt(len(nodes)) or 1.0


def _edge_width(w):
    # 0.6 px for a single contact, +0.5 px per doubling, capped at 3.1 px.
    return 0.6 + 0.5 * min(max(math.log2(w), 0.0), 5.0) if w > 0 else 0.6


def _styles(edge_styles, G):
    """Validate ``edge_styles``; return ``{(u, v): style}`` with both orders for undirected graphs."""
    out = {}
    for key, style in (edge_styles or {}).items():
        if not (isinstance(key, tuple) and len(key) == 2) or not isinstance(style, Mapping):
            raise InvalidInputError(
                f"network_html: edge_styles entry {key!r} must map an edge (u, v) to a dict "
                'such as {"color": "#d55e00", "dashes": True}.'
            )
        unknown = set(style) - _EDGE_STYLE_KEYS
        if unknown:
            raise InvalidInputError(
                f"network_html: edge_styles[{key!r}] has unknown keys {sorted(unknown)}; "
                f"allowed keys are {sorted(_EDGE_STYLE_KEYS)}."
            )
        if "color" in style:
            _check_colour(style["color"], f"edge_styles[{key!r}]")
        out[key] = style
        if not G.is_directed():
            out.setdefault((key[1], key[0]), style)
    return out


def _edges(G, weight):
    """``{(u, v): weight}``, parallel edges summed, self-loops dropped."""
    out = {}
    for u, v, w in G.edges(data=weight, default=1.0):
        if u == v:
            continue
        if not G.is_directed() and (u, v) not in out and (v, u) in out:
            u, v = v, u
        try:
            w = float(w)
        except (TypeError, ValueError):
            w = 1.0
        out[(u, v)] = out.get((u, v), 0.0) + (w if math.isfinite(w) else 1.0)
    return out


def network_spec(
    G,
    positions,
    *,
    colour_by="agency",
    labels="name",
    highlight_nodes=(),
    faded_nodes=(),
    edge_styles=None,
    height_px=600,
    legend=None,
    title=None,
    node_size_by=None,
    palette=None,
    agency_names=None,
    weight="weight",
    navigation_buttons=False,
):
    """What a map of ``G`` at ``positions`` draws: its nodes, ties, options, legend and title, as data.

    Every name stays plain text here: :func:`spec_html` escapes it into a
    page, and the dashboard's in-page maps set it with ``textContent``.

    Parameters
    ----------
    G : networkx graph
        Practitioner graph (node attributes ``name``, ``agency``,
        ``agency_name``, ``role``, optional ``tooltip`` text or list of lines).
        Directed graphs get arrows; parallel edges are summed.
    positions : mapping
        ``{node: (x, y)}`` for every node, e.g. from :func:`layout_positions`.
    colour_by : str or None, default "agency"
        Node attribute whose values pick the colour; ``None`` for one colour.
    labels : {"name", "id", None}, default "name"
        Label drawn by each node: the ``name`` attribute (the node id when it
        has none), always the id, or nothing (faster for big maps).
    highlight_nodes, faded_nodes : iterable of nodes
        Drawn larger with a dark border (e.g. an ego search), or pale
        (e.g. practitioners not in post in this period). Unknown nodes are ignored.
    edge_styles : mapping, optional
        ``{(u, v): {"color", "dashes", "width", "label", "title"}}``: ``label``
        adds the style to the legend, ``title`` is the tie's tooltip.
    height_px : int, default 600
    legend : None, False or mapping
        ``None``: a swatch per value of ``colour_by`` (agency names for
        agencies) plus the labelled edge styles; ``False``: no legend; a mapping
        ``{text: colour}`` replaces the node swatches.
    title : str, optional
        Heading above the map.
    node_size_by : None, "degree", node attribute name or mapping, optional
        Value that sets node area; ``None`` draws every node the same size.
    palette : mapping, optional
        ``{value: colour}``; by default :func:`agency_colours` of the values.
        Pass the dataset-wide palette so colours match across pages.
    agency_names : mapping, optional
        ``{agency_id: name}``; by default the node attribute ``agency_name``.
    weight : str or None, default "weight"
        Edge attribute setting line width (0.6 px, +0.5 per doubling, at most 3.1).
    navigation_buttons : bool, default False
        Show vis-network's pan/zoom buttons.

    Returns
    -------
    dict
        ``{"title", "height_px", "legend": {"heading", "nodes", "edges"},
        "data": {"nodes", "edges", "options"}}``: JSON-serialisable, in the
        form vis-network takes (tooltips as ``tip`` lists of lines).

    Raises
    ------
    InvalidInputError
        If a node has no position, an option is not one of the accepted values,
        or a colour is not a CSS colour.
    """
    nodes = sorted_ids(G.nodes)
    missing = [n for n in nodes if n not in positions]
    if missing:
        shown = ", ".join(repr(n) for n in missing[:5]) + (" ..." if len(missing) > 5 else "")
        raise InvalidInputError(
            f"network_html: {len(missing)} node(s) have no position ({shown}). Compute positions "
            "with layout_positions(G), or stable_positions([...]) over every graph drawn."
        )
    bad = [n for n in nodes if not all(isinstance(c, (int, float)) and math.isfinite(c)
                                       for c in tuple(positions[n])[:2]) or len(tuple(positions[n])) != 2]
    if bad:
        raise InvalidInputError(
            f"network_html: the position of {bad[0]!r} is {tuple(positions[bad[0]])!r}; "
            "expected two finite numbers (x, y)."
        )
    if labels not in ("name", "id", None):
        raise InvalidInputError(f"network_html: labels must be 'name', 'id' or None, got {labels!r}.")
    if not isinstance(height_px, int) or not 100 <= height_px <= 5000:
        raise InvalidInputError(
            f"network_html: height_px must be a whole number of pixels from 100 to 5000, got {height_px!r}."
        )
    if legend not in (None, False) and not isinstance(legend, Mapping):
        raise InvalidInputError(
            f"network_html: legend must be None (automatic), False or a mapping {{text: colour}}, got {legend!r}."
        )

    ids = {n: f"n{i}" for i, n in enumerate(nodes)}
    # vis-network scales everything with the zoom, and fits the drawing to the
    # frame on load. Sizes are set in screen pixels at that first view: px is
    # one screen pixel in layout units, spacing the typical gap between nodes.
    extent = max([max(abs(float(positions[n][0])), abs(float(positions[n][1]))) for n in nodes] + [1.0])
    px = 2.2 * extent / height_px
    spacing = _typical_gap(positions, nodes) / px
    radius = min(max(0.4 * spacing, 2.5), 7.0)
    highlight, faded = set(highlight_nodes) & set(nodes), set(faded_nodes) & set(nodes)
    degree = {n: _neighbour_count(G, n) for n in nodes}
    sizes = _sizes(G, nodes, node_size_by, degree, radius * px)
    names = {}  # agency id -> display name: the mapping, else the first node that records one
    for n in nodes:
        a, label = G.nodes[n].get("agency"), _text(G.nodes[n].get("agency_name"))
        if label and a not in names:
            names[a] = label
    names.update({a: _text(v) for a, v in (agency_names or {}).items() if _text(v)})

    def agency_label(n):
        a = G.nodes[n].get("agency")
        return names.get(a) or _text(a)

    groups = {n: G.nodes[n].get(colour_by) if colour_by else None for n in nodes}
    groups = {n: (g if _text(g) is not None else None) for n, g in groups.items()}
    colours = dict(palette) if palette is not None else agency_colours(groups.values())

    node_data = []
    for n in nodes:
        attrs = G.nodes[n]
        name, pid = _text(attrs.get("name")), str(n)
        colour = _check_colour(colours.get(groups[n], MISSING_COLOUR), f"colour for {groups[n]!r}")
        lines = [name or pid] + ([f"ID: {pid}"] if name else [])
        lines += [f"{k}: {v}" for k, v in (("Agency", agency_label(n)), ("Role", _text(attrs.get("role"))))
                  if v]
        lines.append(f"Ties: {degree[n]}")
        extra = attrs.get("tooltip")
        extra = extra if isinstance(extra, (list, tuple)) else [extra]
        lines += [t for line in extra if _text(line) for t in str(line).splitlines()]
        item = {"id": ids[n], "x": float(positions[n][0]), "y": float(positions[n][1]), "tip": lines,
                "size": round(sizes[n] * (1.6 if n in highlight else 1.0), 3),
                "color": {"background": colour, "border": "#4a4a4a",
                          "highlight": {"background": colour, "border": "#111111"},
                          "hover": {"background": colour, "border": "#111111"}}}
        if labels:
            item["label"] = (name or pid) if labels == "name" else pid
        if n in highlight:
            item.update(borderWidth=round(3.5 * px, 3), color={**item["color"], "border": "#111111"})
        elif n in faded:
            pale = _rgba(colour, _FADED_ALPHA)
            item.update(color={"background": pale, "border": _rgba("#4a4a4a", _FADED_ALPHA)},
                        font={"color": "rgba(34,34,34,0.35)"})
        node_data.append(item)

    styles = _styles(edge_styles, G)
    edge_data = []
    edge_px = px * (0.7 if G.number_of_edges() > _BIG_EDGES else 1.0)
    for (u, v), w in sorted(_edges(G, weight).items(), key=lambda e: (ids[e[0][0]], ids[e[0][1]])):
        item = {"from": ids[u], "to": ids[v], "width": round(_edge_width(w) * edge_px, 3)}
        style = styles.get((u, v))
        if style:
            if "color" in style:
                item["color"] = {"color": style["color"].strip(), "highlight": style["color"].strip(),
                                 "hover": style["color"].strip()}
            if style.get("dashes"):
                item["dashes"] = True
            if "width" in style:
                item["width"] = round(float(style["width"]) * px, 3)
            if _text(style.get("title")):
                item["tip"] = [str(style["title"])]
        if u in faded or v in faded:
            item["color"] = {"color": "rgba(140,140,140,0.15)"}
        edge_data.append(item)

    big = len(edge_data) > _BIG_EDGES
    # the more edges, the fainter each one, so dense cores stay readable
    edge_alpha = round(min(max(0.6 - 0.2 * math.log10(max(len(edge_data), 100) / 100), 0.12), 0.6), 2)
    options = {
        "autoResize": True, "height": "100%", "width": "100%",
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False, "randomSeed": 0},
        "nodes": {"shape": "dot", "borderWidth": round(0.5 * px, 3), "borderWidthSelected": round(2 * px, 3),
                  "font": {"size": round(11 * px, 3), "face": "system-ui, sans-serif", "color": "#222222",
                           "strokeWidth": round(3 * px, 3), "strokeColor": "#ffffff"},
                  # labels appear once neighbouring nodes are about 90 px apart on screen
                  "scaling": {"label": {"enabled": False, "drawThreshold": min(max(5.0, 11 * 90 / spacing), 24.0),
                                        "maxVisible": 30}}},
        "edges": {"smooth": False, "selectionWidth": 1.5, "hoverWidth": 0.5,
                  "color": {"color": f"rgba(110,110,110,{edge_alpha})", "highlight": "#333333", "hover": "#333333"},
                  "arrows": {"to": {"enabled": G.is_directed(), "scaleFactor": 0.5}}},
        "interaction": {"hover": not big, "tooltipDelay": 120, "hideEdgesOnDrag": big,
                        "hideEdgesOnZoom": big, "navigationButtons": bool(navigation_buttons),
                        "keyboard": False, "multiselect": False},
    }

    legend_nodes, legend_edges, heading = [], [], None
    if legend is not False:
        if isinstance(legend, Mapping):
            legend_nodes = [{"label": str(k), "colour": _check_colour(c, f"legend entry {k!r}")}
                            for k, c in legend.items()]
        elif colour_by:
            heading = "Agency" if colour_by == "agency" else str(colour_by).replace("_", " ").capitalize()
            first = {}
            for n in nodes:
                if groups[n] is not None and groups[n] not in first:
                    first[groups[n]] = agency_label(n) if colour_by == "agency" else _text(groups[n])
            legend_nodes = [{"label": first[g], "colour": colours.get(g, MISSING_COLOUR)}
                            for g in sorted(first, key=lambda g: (str(first[g]).casefold(), str(g)))]
            if any(g is None for g in groups.values()):
                legend_nodes.append({"label": "Not recorded", "colour": MISSING_COLOUR})
        seen = set()
        for style in (edge_styles or {}).values():
            label = _text(style.get("label"))
            if label and label not in seen:
                seen.add(label)
                legend_edges.append({"label": label, "colour": style.get("color", "#6e6e6e").strip(),
                                     "dashes": bool(style.get("dashes")),
                                     "width": min(float(style.get("width", 2)), 6)})

    return {"title": _text(title), "height_px": height_px,
            "legend": {"heading": heading, "nodes": legend_nodes, "edges": legend_edges},
            "data": {"nodes": node_data, "edges": edge_data, "options": options}}
