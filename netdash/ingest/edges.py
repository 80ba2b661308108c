"""Edge lists (a published network) mapped onto the data contract, for ``netdash import-edges``.

An edge list is one file of ``from,to[,weight][,date]`` rows and, optionally,
a node file with an id column and a group column. :func:`edge_list_tables`
turns them into the raw tables of :mod:`netdash.schema` (agencies = groups,
practitioners = nodes, contacts = edges), with the files' own names and
spreadsheet row numbers, so that :func:`netdash.ingest.load_dataset` checks
them through the one door and every message points at the user's file::

    edges.csv, row 7: weight '-2' is not a positive number. ...

``docs/data.md`` ("Edge lists") documents the mapping.
"""

from pathlib import Path

import pandas as pd

from netdash.errors import InvalidInputError
from netdash.ingest.parse import FileProblem, parse_csv
from netdash.ingest.read import MAX_FILE_MB, RawTable, SourceTables

__all__ = ["NO_GROUP", "DEFAULT_EDGE_DATE", "edge_list_tables"]

NO_GROUP = "(none)"
"""The agency of nodes with no group (not in the node file, or a blank group)."""
DEFAULT_EDGE_DATE = "2000-01-01"
"""Date given to every edge when the edge file has no ``date`` column (published networks rarely do)."""

_EDGE_COLUMNS = {"from": "practitioner_id", "to": "with_practitioner_id", "weight": "weight", "date": "date"}


def _read(path, what):
    path = Path(path)
    try:
        if not path.is_file():
            raise InvalidInputError(f"{path}: the {what} file does not exist. Give the path of a CSV file.")
        if path.stat().st_size > MAX_FILE_MB * 1024 * 1024:
            raise InvalidInputError(f"{path.name}: the file is larger than {MAX_FILE_MB} MB; split it.")
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInputError(f"{path}: cannot be read ({exc.strerror or exc}). Check the path and "
                                "permissions.") from None
    try:
        frame = parse_csv(data, path.name)
    except FileProblem as problem:
        rows = f", row {problem.rows[0]}" if problem.rows else ""
        raise InvalidInputError(f"{path.name}{rows}: {problem.message}") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return path.name, frame


def _column(frame, label, wanted, option):
    """The column of ``frame`` named ``wanted`` (case and surrounding spaces ignored)."""
    found = {c.casefold(): c for c in frame.columns}
    if wanted.casefold() not in found:
        shown = ", ".join(repr(c) for c in frame.columns) or "none"
        raise InvalidInputError(f"{label}, row 1: there is no column {wanted!r}. Found columns: {shown}. "
                                f"Name the column {wanted!r} or give its name with {option}.")
    return found[wanted.casefold()]


def edge_list_tables(edges, *, groups=None, group_column="group", id_column="id", date=DEFAULT_EDGE_DATE):
    """The raw contract tables of an edge list and optional node file.

    Parameters
    ----------
    edges : str or Path
        CSV with columns ``from`` and ``to`` (node ids), optionally
        ``weight`` (tie strength, a positive number; 1 when absent) and
        ``date`` (``YYYY-MM-DD``); header names are matched ignoring case.
        Each row becomes one contact ``from -> to``. Other columns are
        passed on and reported as unused.
    groups : str or Path, optional
        CSV of nodes with ``id_column`` and ``group_column``. Each distinct
        group becomes an agency named by its value; every node a
        practitioner in its group's agency. Nodes with a blank group, edge
        ends missing from the node file and, without a node file, every node
        are in the agency :data:`NO_GROUP`. Nodes with no edge are isolates.
    group_column, id_column : str
        Column names in the node file.
    date : str
        Date of every edge when the edge file has no ``date`` column.

    Returns
    -------
    SourceTables
        ``agencies``, ``practitioners`` and ``contacts`` as
        :class:`netdash.ingest.read.RawTable` (text cells); contacts and
        practitioners keep the files' names and row numbers for messages.

    Raises
    ------
    InvalidInputError
        If a file cannot be read or lacks a named column.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "edges.csv").write_text("from,to\\na,b\\nb,c\\n")
    >>> _ = (folder / "nodes.csv").write_text("id,group\\na,X\\nb,Y\\nc,X\\nd,Y\\n")
    >>> tables = edge_list_tables(folder / "edges.csv", groups=folder / "nodes.csv")
    >>> tables["practitioners"].frame.to_dict("list")
    {'practitioner_id': ['a', 'b', 'c', 'd'], 'agency_id': ['X', 'Y', 'X', 'Y']}
    >>> tables["contacts"].frame[["practitioner_id", "with_practitioner_id"]].values.tolist()
    [['a', 'b'], ['b', 'c']]
    """
    edge_label, edge_frame = _read(edges, "edge")
    cols = {ours: _column(edge_frame, edge_label, theirs, f"a column named {theirs!r}")
            for theirs, ours in _EDGE_COLUMNS.items() if theirs in ("from", "to")}
    found = {c.casefold(): c for c in edge_frame.columns}
    for theirs in ("weight", "date"):
        if theirs in found:
            cols[_EDGE_COLUMNS[theirs]] = found[theirs]
    contacts = pd.DataFrame({ours: edge_frame[theirs].astype(str).str.strip() for ours, theirs in cols.items()},
                            index=edge_frame.index)
    if "date" not in contacts:
        contacts["date"] = date
    for extra in edge_frame.columns:
        if extra not in cols.values():
            contacts[extra] = edge_frame[extra].astype(str)
    ends = pd.unique(pd.concat([contacts["practitioner_id"], contacts["with_practitioner_id"]]).to_numpy())
    ends = [e for e in ends if e != ""]

    if groups is not None:
        node_label, node_frame = _read(groups, "node")
        ids = node_frame[_column(node_frame, node_label, id_column, "--id-column")].astype(str).str.strip()
        group = node_frame[_column(node_frame, node_label, group_column, "--group-column")].astype(str).str.strip()
        nodes = pd.DataFrame({"practitioner_id": ids, "agency_id": group.where(group != "", NO_GROUP)},
                             index=node_frame.index)
    else:
        node_label, nodes = edge_label, pd.DataFrame({"practitioner_id": [], "agency_id": []}, dtype=str)
    known = set(nodes["practitioner_id"])
    missing = [e for e in ends if e not in known]
    if missing:
        start = (max(nodes.index) + 1) if len(nodes) else 2
        nodes = pd.concat([nodes, pd.DataFrame({"practitioner_id": missing, "agency_id": NO_GROUP},
                                               index=range(start, start + len(missing)))])
    agency_ids = list(dict.fromkeys(nodes["agency_id"]))
    agencies = pd.DataFrame({"agency_id": agency_ids, "name": agency_ids}, index=range(2, 2 + len(agency_ids)))
    return SourceTables({
        "agencies": RawTable(agencies, f"{node_label} (groups as agencies)", tuple(agencies.columns)),
        "practitioners": RawTable(nodes, node_label, tuple(nodes.columns)),
        "contacts": RawTable(contacts, edge_label, tuple(edge_frame.columns)),
    })
