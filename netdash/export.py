"""Safe downloads: CSV for spreadsheets, GraphML and GEXF for Gephi.

CSV
---
Names and free text in a dataset come from case-management exports, so a
cell may hold ``=HYPERLINK(...)`` or ``+cmd|...``. Spreadsheet programs run
such cells as formulas when a CSV is opened (CSV or formula injection).
Following the OWASP "CSV Injection" guidance, every *text* cell (and every
column name) that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return gets a leading single quote ``'``, which spreadsheets show as text.
Numbers stored as numbers (including negative ones) are written as numbers:
they cannot be formulas, and quoting them would break sums. The file is
UTF-8 with a byte-order mark so Excel reads accents correctly.

Graph files
-----------
networkx's GraphML and GEXF writers reject ``None`` and tuple values, so
attributes are converted deliberately (:func:`_portable_value`): ``None`` is
left out, tuples/lists/sets become a ``;``-separated string of their sorted
items, dicts (the contact graph's ``types``) become ``"phone=2;referral=1"``, numpy scalars become Python numbers, timestamps become ISO dates, and
numbers of one attribute are made all-float when any of them is a float (a
file declares one type per attribute). Characters that XML 1.0 forbids
(control characters other than tab, newline and carriage return) are removed
from text, since a file containing them cannot be read back. XML escaping
makes markup such as ``<img ...>`` inert text.
"""

import io
import numbers
import re
from pathlib import Path

import numpy as np
import pandas as pd
from netdash.deferred import networkx as nx  # imported on first use

__all__ = ["safe_csv", "write_safe_csv", "neutralise_formula", "to_graphml", "to_gexf",
           "FORMULA_PREFIXES"]

#: Leading characters that make a spreadsheet treat a cell as a formula (OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def neutralise_formula(value):
    """Prefix ``'`` to a text value that a spreadsheet would run as a formula.

    Non-text values are returned unchanged.

    Examples
    --------
    >>> neutralise_formula('=HYPERLINK("http://x")')
    '\\'=HYPERLINK("http://x")'
    >>> neutralise_formula(-3.5), neutralise_formula("Ann")
    (-3.5, 'Ann')
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_csv(frame):
    """The CSV bytes of ``frame``, safe to open in a spreadsheet.

    Parameters
    ----------
    frame : DataFrame
        The table to export. Its index is not written (reset it first if it
        carries data).

    Returns
    -------
    bytes
        UTF-8 with a byte-order mark, comma-separated, ``\\r\\n`` line ends
        (RFC 4180), text cells and column names neutralised as described in
        the module notes; numeric columns untouched.

    Examples
    --------
    >>> df = pd.DataFrame({"name": ["=1+1", "Bo"], "change": [-2, 3]})
    >>> safe_csv(df).decode("utf-8-sig").splitlines()
    ['name,change', "'=1+1,-2", 'Bo,3']
    """
    out = frame.copy()
    out.columns = [neutralise_formula(str(c)) for c in out.columns]
    for i in range(out.shape[1]):
        col = out.iloc[:, i]
        # numeric, boolean and datetime columns cannot hold text
        if pd.api.types.is_numeric_dtype(col) or pd.api.types.is_datetime64_any_dtype(col):
            continue
        out.isetitem(i, col.astype("object").map(neutralise_formula, na_action="ignore"))
    buffer = io.StringIO()
    out.to_csv(buffer, index=False, lineterminator="\r\n")
    return buffer.getvalue().encode("utf-8-sig")


def write_safe_csv(frame, path):
    """Write :func:`safe_csv` of ``frame`` to ``path``; returns the path."""
    path = Path(path)
    path.write_bytes(safe_csv(frame))
    return path


def _portable_value(value):
    """A GraphML/GEXF-safe version of one attribute value, or None to omit it."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        return None if np.isnan(value) else value
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date().isoformat()
    if isinstance(value, (tuple, list, set, frozenset)):
        return ";".join(sorted(_XML_ILLEGAL.sub("", str(v)) for v in value if v is not None))
    if isinstance(value, dict):
        return ";".join(f"{_XML_ILLEGAL.sub('', str(k))}={v}" for k, v in sorted(value.items(), key=str))
    if value is pd.NaT or value is pd.NA:
        return None
    return _XML_ILLEGAL.sub("", str(value))


def _portable_attrs(items, extra):
    """Convert a list of attribute dicts in place of a copy; numbers made consistent per key."""
    converted = []
    for data in items:
        clean = {}
        for key, value in {**data, **extra}.items():
            value = _portable_value(value)
            if value is not None:
                clean[str(key)] = value
        converted.append(clean)
    floats = {k for d in converted for k, v in d.items() if isinstance(v, float)}
    for d in converted:
        for k in floats & d.keys():
            if isinstance(d[k], int) and not isinstance(d[k], bool):
                d[k] = float(d[k])
    return converted


def _portable_graph(G, period, *, gexf=False):
    label = period.label() if hasattr(period, "label") else (None if period is None else str(period))
    extra = {} if label is None else {"period": label}
    H = G.__class__()
    H.graph.update({k: v for k, v in (_portable_attrs([G.graph], extra)[0]).items()})
    nodes = list(G.nodes)
    node_attrs = _portable_attrs([G.nodes[n] for n in nodes], {})
    for n, data in zip(nodes, node_attrs):
        if gexf:
            # Gephi shows the label; fall back on the id when no name is supplied
            data.setdefault("label", data.get("name", str(n)))
        H.add_node(str(n), **data)
    edges = list(G.edges(data=True))
    edge_attrs = _portable_attrs([d for _, _, d in edges], extra)
    for (u, v, _), data in zip(edges, edge_attrs):
        H.add_edge(str(u), str(v), **data)
    if gexf and label is not None:
        H.graph["name"] = f"netdash network, {label}"
    return H


def to_graphml(G, path_or_buffer, *, period=None):
    """Write ``G`` as GraphML for Gephi, yEd or Cytoscape.

    Parameters
    ----------
    G : networkx.Graph or DiGraph
        A practitioner (or contact) graph, e.g. from
        :func:`netdash.networks.graphs.practitioner_graph`. Node ids are written as
        strings.
    path_or_buffer : str, Path or binary file object
    period : netdash.periods.Period or str, optional
        Stored as the graph attribute and on every edge as ``period``
        (e.g. ``"2024-01-01 to 2024-07-01"``).

    Notes
    -----
    Attributes are converted as described in the module notes: ``None``
    values are omitted, ``tie_types`` becomes ``"cop;direct"`` etc.,
    ``cop_attendee`` stays boolean. ``nx.read_graphml`` reads the file back
    to the same nodes, edges and attributes.
    """
    nx.write_graphml(_portable_graph(G, period), path_or_buffer, infer_numeric_types=True)


def to_gexf(G, path_or_buffer, *, period=None):
    """Write ``G`` as GEXF 1.2 for Gephi.

    Parameters as for :func:`to_graphml`. GEXF has no free graph attributes,
    so the period is put on every edge as ``period`` and in the graph name
    (``"netdash network, 2024-01-01 to 2024-07-01"``). Each node's GEXF label
    is its ``name`` when supplied, otherwise its id.
    """
    nx.write_gexf(_portable_graph(G, period, gexf=True), path_or_buffer)
