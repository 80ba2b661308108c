"""What a network map draws, as data: netdash's own map spec.

:func:`network_spec` turns a graph and its positions into a plain,
JSON-ready description of a map. One renderer draws it everywhere: the
canvas module ``netdash/viz/templates/maps_module.js``, mounted in the
dashboard's page (:mod:`netdash.viz.inpage`) or put in line in a standalone
map file (:mod:`netdash.viz.network_html`). Names stay plain text here; the
renderer draws labels on a canvas and builds the title, legend and tooltips
with ``textContent``.

The spec
--------
``title``, ``height_px``, ``directed``
    Heading (or None), height of the map in CSS pixels, arrows on ties.
``nodes``
    One dict per node, in sorted id order: ``id`` (``"n0"``, ``"n1"``...,
    never a user's id), ``label`` (text drawn by the dot, or None),
    ``agency`` (display name, or None), ``colour`` (a checked CSS colour),
    ``size`` (radius in screen pixels when the whole map fits the frame; it
    grows with the zoom), ``x``, ``y`` (layout units; y points down),
    ``steps`` (ties away from the node in focus, when there is one),
    ``flags`` (any of ``"focus"``: drawn larger, ringed dark and always
    labelled; ``"faded"``: drawn pale; ``"cop"``: ringed as a COP attendee)
    and ``tip`` (tooltip lines).
``ties``
    One dict per tie (parallel edges summed, self-loops dropped): ``from``,
    ``to`` (node ids), ``weight`` (sets the line width: 0.6 px, +0.5 px per
    doubling, at most 3.1 px), ``style`` (a key of ``tie_styles``) and
    optionally ``tip`` or ``count`` (see ``tie_count_words``).
``tie_count_words``
    Optional ``[singular, plural]``, e.g. ``["working tie", "working
    ties"]``: a tie with a ``count`` and no ``tip`` has the tooltip
    "From – To: count word", the words chosen by the count and the names
    being the two nodes' labels. Maps of thousands of counted ties
    (:func:`netdash.viz.maps.agency_maps`) send a number per tie instead of
    a sentence.
``tie_styles``
    ``{key: {"colour", "dashes", "width"}}``; ``width`` (px, or None) replaces
    the weight's width. ``"tie"`` is the default style and ``"faded"`` that of a
    tie to a faded node.
``sizes``
    ``{measure name: [radius per node]}``: the node sizes a reader can pick
    ("Size by"), in node order; ``size_by`` names the one ``size`` holds
    (None: every node the same size, ``node_px``); ``size_menu`` says
    whether the map offers the choice itself.
``legend``
    ``{"heading", "nodes": [{"label", "colour"}], "edges": [{"label",
    "colour", "dashes", "width"}], "marks": [{"label", "mark"}]}``.
``tie_scale``
    Factor on every weight's line width (thinner lines on maps of many ties).
``label_place``
    ``"below"`` the dots, or ``"outward"`` from the map's centre.
``label_cap``
    At most this many labels are drawn at once (largest and focused nodes
    first, none overlapping).
"""

import math
import re
from collections.abc import Mapping

import numpy as np
from scipy.spatial import cKDTree

from netdash.errors import InvalidInputError
from netdash.viz.colours import MISSING_COLOUR, agency_colours, sorted_ids

__all__ = ["network_spec", "DEGREE"]

#: The measure every spec offers for node size: a node's number of neighbours.
DEGREE = "Ties"
_EDGE_STYLE_KEYS = {"color", "dashes", "width", "label", "title"}
_COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}|rgba?\(\s*[0-9.,\s%]+\)|[a-zA-Z]{3,20}")
_BIG_EDGES = 3000  # above this, ties are drawn thinner
_LABEL_CAP = 40
_COP_MARK = {"label": "COP attendee", "mark": "ring"}


def _text(value):
    """Display text for an attribute, or None when it is missing (None, NaN, blank)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def _group_label(value, colour_by):
    """How a group is named in the legend and tooltips: ``"mental_health"`` -> ``"Mental health"``."""
    text = _text(value)
    return text if text is None or colour_by == "agency" else text.replace("_", " ").capitalize()


def _check_colour(colour, where):
    if not isinstance(colour, str) or not _COLOUR.fullmatch(colour.strip()):
        raise InvalidInputError(
            f"network_spec: {where} has colour {colour!r}; expected '#rrggbb', 'rgb(...)', "
            "'rgba(...)' or a CSS colour name such as 'red'."
        )
    return colour.strip()


def _neighbour_count(G, n):
    if G.is_directed():
        return len((set(G.predecessors(n)) | set(G.successors(n))) - {n})
    return len(set(G[n]) - {n})


def _scaled(nodes, values, base, scale=None):
    """Radii from ``base * 0.6`` (smallest value, or no value) to ``base * 2.6`` (largest), by area."""
    nums = {n: float(v) for n, v in values.items()
            if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)}
    if not nums:
        return None
    low, high = scale if scale is not None else (min(nums.values()), max(nums.values()))
    span = (high - low) or 1.0
    return [round(base * 0.6 + base * 2.0 * math.sqrt(min(max((nums[n] - low) / span, 0.0), 1.0)), 2)
            if n in nums else round(base * 0.6, 2) for n in nodes]


def _sizes(G, nodes, node_size_by, measures, degree, base, scale):
    """``({name: radii}, name shown first)``: the sizes a reader can pick, and the default."""
    out = {DEGREE: _scaled(nodes, degree, base) or []}
    for name, values in (measures or {}).items():
        scaled = _scaled(nodes, {n: values.get(n) for n in nodes}, base)
        if scaled is None and nodes:
            raise InvalidInputError(
                f"network_spec: measure {name!r} gave no numbers for any node on the map. "
                "Pass a mapping {node: number} for the map's nodes."
            )
        out[str(name)] = scaled or []
    if node_size_by is None:
        return out, None
    if isinstance(node_size_by, Mapping):
        values, name = node_size_by, "Size"
    elif node_size_by in ("degree", DEGREE):
        values, name = degree, DEGREE
    elif node_size_by in (measures or {}):
        values, name = measures[node_size_by], str(node_size_by)
    else:
        values, name = {n: G.nodes[n].get(node_size_by) for n in nodes}, str(node_size_by)
    if name in out and scale is None:
        return out, name
    scaled = _scaled(nodes, {n: values.get(n) for n in nodes}, base, scale)
    if scaled is None and nodes:
        raise InvalidInputError(
            f"network_spec: node_size_by={node_size_by!r} gave no numbers for any node. "
            "Use 'degree', a numeric node attribute, or a mapping {node: number}."
        )
    out[name] = scaled or []
    return out, name


def _typical_gap(positions, nodes):
    """Median distance from a node to its nearest neighbour (layout units)."""
    if len(nodes) < 2:
        return 1.0
    points = np.array([[float(positions[n][0]), float(positions[n][1])] for n in nodes])
    gaps = cKDTree(points).query(points, k=2)[0][:, 1]
    gap = float(np.median(gaps))
    return gap if gap > 0 else float(np.ptp(points, axis=0).max()) / math.sqrt(len(nodes)) or 1.0


def _styles(edge_styles, G):
    """Validate ``edge_styles``; return ``{(u, v): style}`` with both orders for undirected graphs."""
    out = {}
    for key, style in (edge_styles or {}).items():
        if not (isinstance(key, tuple) and len(key) == 2) or not isinstance(style, Mapping):
            raise InvalidInputError(
                f"network_spec: edge_styles entry {key!r} must map an edge (u, v) to a dict "
                'such as {"color": "#d55e00", "dashes": True}.'
            )
        unknown = set(style) - _EDGE_STYLE_KEYS
        if unknown:
            raise InvalidInputError(
                f"network_spec: edge_styles[{key!r}] has unknown keys {sorted(unknown)}; "
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


def _check_options(G, nodes, positions, labels, height_px, legend, label_place):
    missing = [n for n in nodes if n not in positions]
    if missing:
        shown = ", ".join(repr(n) for n in missing[:5]) + (" ..." if len(missing) > 5 else "")
        raise InvalidInputError(
            f"network_spec: {len(missing)} node(s) have no position ({shown}). Compute positions "
            "with layout_positions(G), or stable_positions([...]) over every graph drawn."
        )
    bad = [n for n in nodes if not all(isinstance(c, (int, float)) and math.isfinite(c)
                                       for c in tuple(positions[n])[:2]) or len(tuple(positions[n])) != 2]
    if bad:
        raise InvalidInputError(
            f"network_spec: the position of {bad[0]!r} is {tuple(positions[bad[0]])!r}; "
            "expected two finite numbers (x, y)."
        )
    if labels not in ("name", "id", None):
        raise InvalidInputError(f"network_spec: labels must be 'name', 'id' or None, got {labels!r}.")
    if not isinstance(height_px, int) or not 100 <= height_px <= 5000:
        raise InvalidInputError(
            f"network_spec: height_px must be a whole number of pixels from 100 to 5000, got {height_px!r}."
        )
    if label_place not in ("below", "outward"):
        raise InvalidInputError(f"network_spec: label_place must be 'below' or 'outward', got {label_place!r}.")
    if legend not in (None, False) and not isinstance(legend, Mapping):
        raise InvalidInputError(
            f"network_spec: legend must be None (automatic), False or a mapping {{text: colour}}, got {legend!r}."
        )


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
    measures=None,
    palette=None,
    agency_names=None,
    weight="weight",
    cop_attribute="cop_attendee",
    tie_label="Ties",
    tie_scale=None,
    size_scale=None,
    steps=None,
    size_menu=True,
    label_place="below",
    tie_counts=None,
    counted_ties=None,
):
    """The map spec of ``G`` at ``positions``: nodes, ties, styles, sizes, legend and title, as data.

    Every name stays plain text here: the renderer draws labels on a canvas
    and sets the legend and tooltips with ``textContent``; a standalone map
    file also escapes them (:func:`netdash.viz.network_html`).

    Parameters
    ----------
    G : networkx graph
        Practitioner graph (node attributes ``name``, ``agency``,
        ``agency_name``, ``role``, ``cop_attendee``, optional ``tooltip``
        text or list of lines). Directed graphs get arrows; parallel edges
        are summed.
    positions : mapping
        ``{node: (x, y)}`` for every node, e.g. from :func:`layout_positions`.
    colour_by : str or None, default "agency"
        Node attribute whose values pick the colour (e.g. ``"sector"``);
        ``None`` for one colour.
    labels : {"name", "id", None}, default "name"
        Label of each node: the ``name`` attribute (the node id when it has
        none), always the id, or none.
    highlight_nodes, faded_nodes : iterable of nodes
        Put in focus (drawn larger, ringed dark, always labelled: e.g. a
        practitioner searched for), or drawn pale (e.g. not in post in this
        period). Unknown nodes are ignored.
    edge_styles : mapping, optional
        ``{(u, v): {"color", "dashes", "width", "label", "title"}}``: ``label``
        adds the style to the legend, ``title`` is the tie's tooltip.
    height_px : int, default 600
    legend : None, False or mapping
        ``None``: a swatch per value of ``colour_by`` (agency names for
        agencies), the labelled edge styles and the COP ring when any node has
        it; ``False``: no legend; a mapping ``{text: colour}`` replaces the
        node swatches.
    title : str, optional
        Heading above the map.
    node_size_by : None, "degree", measure name, node attribute name or mapping, optional
        The size drawn first; ``None`` draws every node the same size until
        the reader picks a measure.
    measures : mapping, optional
        ``{name: {node: number}}``: more measures the reader can size nodes by
        (e.g. betweenness, trust ties), besides :data:`DEGREE`.
    palette : mapping, optional
        ``{value: colour}``; by default :func:`agency_colours` of the values.
        Pass the dataset-wide palette so colours match across pages.
    agency_names : mapping, optional
        ``{agency_id: name}``; by default the node attribute ``agency_name``.
    weight : str or None, default "weight"
        Edge attribute setting line width.
    cop_attribute : str or None, default "cop_attendee"
        Node attribute that marks a COP attendee with a ring when true.
    tie_label : str, default "Ties"
        Word for a node's neighbours in its tooltip (e.g. "Agencies tied").
    tie_scale : float, optional
        Factor on every tie's line width; default 1, or 0.7 above 3,000 ties.
    size_scale : (float, float), optional
        The values drawn smallest and largest by ``node_size_by`` (default:
        its own minimum and maximum): give several panels one scale.
    steps : mapping, optional
        ``{node: ties away from the node in focus}``: labels nearer the
        focus are placed first, and the tooltip says how far.
    size_menu : bool, default True
        Whether the map offers its own "Size by" menu of ``sizes``.
    tie_counts : mapping, optional
        ``{node: ties}`` for the tooltips and the "Ties" size when the map
        shows part of a network (a filter, a focus, a backbone); default:
        each node's neighbours on this map.
    label_place : {"below", "outward"}, default "below"
        Labels under their dots, or on the side away from the map's centre
        (for nodes on a circle, such as :func:`netdash.viz.maps.agency_maps`).
    counted_ties : (str, str, str), optional
        ``(edge attribute, singular, plural)``: each tie with that attribute
        and no tooltip of its own sends it as its ``count``, and the
        renderer writes its tooltip (``tie_count_words`` in the module
        notes), e.g. ``("ties", "working tie", "working ties")``.

    Returns
    -------
    dict
        The map spec described in the module notes: JSON-serialisable.

    Raises
    ------
    InvalidInputError
        If a node has no position, an option is not one of the accepted values,
        a measure has no numbers, or a colour is not a CSS colour.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph([("a", "b")])
    >>> spec = network_spec(G, {"a": (0, 0), "b": (10, 0)})
    >>> [n["label"] for n in spec["nodes"]], spec["ties"]
    (['a', 'b'], [{'from': 'n0', 'to': 'n1', 'weight': 1.0, 'style': 'tie'}])
    """
    nodes = sorted_ids(G.nodes)
    _check_options(G, nodes, positions, labels, height_px, legend, label_place)

    ids = {n: f"n{i}" for i, n in enumerate(nodes)}
    # Sizes are in screen pixels at the first view, which fits the whole map in the frame: about
    # 2.2 * extent layout units across height_px pixels; spacing is the typical gap between nodes in pixels.
    extent = max([max(abs(float(positions[n][0])), abs(float(positions[n][1]))) for n in nodes] + [1.0])
    px = 2.2 * extent / height_px
    radius = round(min(max(0.4 * _typical_gap(positions, nodes) / px, 2.5), 7.0), 2)
    highlight, faded = set(highlight_nodes) & set(nodes), set(faded_nodes) & set(nodes)
    degree = {n: _neighbour_count(G, n) for n in nodes}
    degree.update({n: c for n, c in (tie_counts or {}).items() if n in degree})
    sizes, size_by = _sizes(G, nodes, node_size_by, measures, degree, radius, size_scale)
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
    for i, n in enumerate(nodes):
        attrs = G.nodes[n]
        name, pid = _text(attrs.get("name")), str(n)
        colour = _check_colour(colours.get(groups[n], MISSING_COLOUR), f"colour for {groups[n]!r}")
        lines = [name or pid] + ([f"ID: {pid}"] if name else [])
        lines += [f"{k}: {v}" for k, v in (("Agency", agency_label(n)), ("Role", _text(attrs.get("role"))))
                  if v]
        if colour_by not in (None, "agency") and groups[n] is not None:
            lines.append(f"{str(colour_by).replace('_', ' ').capitalize()}: {_group_label(groups[n], colour_by)}")
        lines.append(f"{tie_label}: {degree[n]}")
        extra = attrs.get("tooltip")
        extra = extra if isinstance(extra, (list, tuple)) else [extra]
        lines += [t for line in extra if _text(line) for t in str(line).splitlines()]
        flags = [flag for flag, on in (("focus", n in highlight), ("faded", n in faded and n not in highlight),
                                       ("cop", bool(cop_attribute and attrs.get(cop_attribute) is True)))
                 if on]
        if "cop" in flags:
            lines.append("COP attendee")
        away = (steps or {}).get(n)
        if away:
            lines.append(f"{away} tie{'s' if away > 1 else ''} away from the practitioner in focus")
        node_data.append({"id": ids[n], "label": None if not labels else (name or pid) if labels == "name" else pid,
                          "agency": agency_label(n), "colour": colour,
                          "size": sizes[size_by][i] if size_by else radius,
                          "x": float(positions[n][0]), "y": float(positions[n][1]), "flags": flags, "tip": lines,
                          **({"steps": away} if away is not None else {})})

    # the more ties, the fainter each one, so dense cores stay readable
    n_edges = G.number_of_edges()
    alpha = round(min(max(0.6 - 0.2 * math.log10(max(n_edges, 100) / 100), 0.12), 0.6), 2)
    tie_styles = {"tie": {"colour": f"rgba(110,110,110,{alpha})", "dashes": False, "width": None},
                  "faded": {"colour": "rgba(140,140,140,0.15)", "dashes": False, "width": None}}
    style_keys = {}
    for style in (edge_styles or {}).values():
        if id(style) not in style_keys:
            key = f"s{len(style_keys)}"
            style_keys[id(style)] = key
            tie_styles[key] = {"colour": style.get("color", tie_styles["tie"]["colour"]).strip(),
                               "dashes": bool(style.get("dashes")),
                               "width": float(style["width"]) if "width" in style else None}
    styles = _styles(edge_styles, G)
    tie_data = []
    for (u, v), w in sorted(_edges(G, weight).items(), key=lambda e: (ids[e[0][0]], ids[e[0][1]])):
        style = styles.get((u, v))
        item = {"from": ids[u], "to": ids[v], "weight": w,
                "style": "faded" if (u in faded or v in faded) else style_keys[id(style)] if style else "tie"}
        if style and _text(style.get("title")):
            item["tip"] = [str(style["title"])]
        elif not G.is_multigraph() and G.has_edge(u, v):
            extra = G.edges[u, v].get("tooltip")
            lines = [t for line in (extra if isinstance(extra, (list, tuple)) else [extra]) if _text(line)
                     for t in str(line).splitlines()]
            if lines:
                item["tip"] = lines
            elif counted_ties and G.edges[u, v].get(counted_ties[0]) is not None:
                item["count"] = int(G.edges[u, v][counted_ties[0]])
        tie_data.append(item)

    legend_nodes, legend_edges, heading = [], [], None
    marks = [_COP_MARK] if legend is not False and any("cop" in n["flags"] for n in node_data) else []
    if legend is not False:
        if isinstance(legend, Mapping):
            legend_nodes = [{"label": str(k), "colour": _check_colour(c, f"legend entry {k!r}")}
                            for k, c in legend.items()]
        elif colour_by:
            heading = "Agency" if colour_by == "agency" else str(colour_by).replace("_", " ").capitalize()
            first = {}
            for n in nodes:
                if groups[n] is not None and groups[n] not in first:
                    first[groups[n]] = agency_label(n) if colour_by == "agency" else _group_label(groups[n], colour_by)
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

    return {"title": _text(title), "height_px": height_px, "directed": G.is_directed(),
            "nodes": node_data, "ties": tie_data, "tie_styles": tie_styles,
            "node_px": radius, "tie_scale": tie_scale or (0.7 if n_edges > _BIG_EDGES else 1.0),
            "sizes": sizes, "size_by": size_by, "size_menu": bool(size_menu), "label_cap": _LABEL_CAP,
            "label_place": label_place,
            "legend": {"heading": heading, "nodes": legend_nodes, "edges": legend_edges, "marks": marks},
            **({"tie_count_words": [str(counted_ties[1]), str(counted_ties[2])]} if counted_ties else {})}
