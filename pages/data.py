"""Data: upload your own files, map their columns, see every problem, manage datasets."""

import hashlib
import json
from pathlib import Path

import pandas as pd
import streamlit as st

from netdash.access import can_change_data
from netdash.errors import NetdashError
from netdash.ingest import MAX_UPLOAD_MB, automatic_mapping, read_uploads, suggest_mapping, template_zip, validate
from netdash.schema import TABLES
from pages import _cached, _shared

st.title("Data")
st.caption(
    "Client IDs are replaced by keyed pseudonyms as they are imported: the original IDs are never stored. "
    "Nothing is sent anywhere; everything stays in this workspace."
)
ws = _cached.workspace()
read_only = ws.read_only
if read_only:
    st.warning(f"This workspace is read-only ({_shared.md(read_only)}): its datasets can be viewed, not imported, "
               "replaced or deleted. Run the dashboard as the user who owns the workspace to change them.")
    pending = ws.migration_pending
    if pending:
        st.warning(f"This workspace {_shared.md(pending)}.")
try:
    role = _shared.current_role()
except NetdashError as err:
    st.error(_shared.md(err))
    role = "viewer"
# Viewers are never shown the controls that change data (and the library is not called for them).
may_change = can_change_data(role)

tab_import, tab_datasets, tab_log, tab_help = st.tabs(
    ["Import files", "Datasets in this workspace", "Record of changes", "Template and format"])

IGNORE = "(not used)"


def _upload_key(files):
    """A key for widget state that changes when different files are uploaded."""
    return "upload::" + "|".join(f"{f.name}:{f.size}:{f.file_id}" for f in files)


def _digest(contents):
    """SHA-256 of the uploaded files' names and bytes."""
    h = hashlib.sha256()
    for name in sorted(contents):
        h.update(name.encode() + b"\0" + len(contents[name]).to_bytes(8, "big"))
        h.update(contents[name])
    return h.hexdigest()


def _once(slot, key, make):
    """``make()`` (or the NetdashError it raised), kept in this session while ``key`` is unchanged.

    Every widget change reruns the page, and reading a large upload again each
    time was slow (issue 18; docs/benchmarks.md, "pages/data.py: _once"). The parsed upload holds raw client IDs, so it is kept
    in this session only, one per slot, never in a cache shared between sessions.
    """
    held = st.session_state.get(slot)
    if held is None or held[0] != key:
        try:
            held = (key, make(), None)
        except NetdashError as err:
            held = (key, None, err)
        st.session_state[slot] = held
    if held[2] is not None:
        st.error(_shared.md(held[2]))
        st.stop()
    return held[1]


def _choose(widget, canonical):
    """Set a column selector of the mapping step (a button's callback, so before the selector is drawn again)."""
    st.session_state[widget] = canonical


def _mapping_controls(raw, key):
    """Selectors mapping each table's columns onto the contract; returns the mapping."""
    mapping = {}
    for table, rt in raw.items():
        found = list(rt.columns_found)
        # Preselect only what `netdash import` maps by itself; synonyms are suggested, never chosen for the user.
        auto, guess = automatic_mapping(found, table), suggest_mapping(found, table)
        options = [IGNORE] + TABLES[table].column_names()
        missing = [c for c in TABLES[table].required_columns() if c not in auto.values()]
        with st.expander(f"{rt.label}: {len(found)} columns" + (" (needs mapping)" if missing else ""),
                         expanded=bool(missing)):
            chosen = {}
            cols = st.columns(3)
            for i, col in enumerate(found):
                default = auto.get(col) or IGNORE
                hint = guess.get(col) if guess.get(col) and guess.get(col) != auto.get(col) else None
                value = cols[i % 3].selectbox(
                    f"Column “{col}” is" + (f" (looks like {hint})" if hint else ""), options,
                    index=options.index(default), key=f"{key}::{table}::{col}",
                )
                if value != IGNORE and value != col:
                    chosen[col] = value
            if chosen:
                mapping[table] = chosen
    return mapping


with tab_import:
    if not may_change:
        st.info(f"Your role is {role}: you can see every dataset, but only editors can upload, replace or delete "
                "them. Ask the person who runs this dashboard if you need to.")
    else:
        files = st.file_uploader(
            "Upload the CSV files of a dataset (agencies, practitioners, contacts, and optionally cop_attendance, "
            "clients and trust_survey), or one Excel workbook, or one zip of the folder.",
            type=["csv", "xlsx", "zip", "parquet"],
            accept_multiple_files=True,
            key="uploads",
            help=f"Each file can be up to {MAX_UPLOAD_MB} MB.",
        )
        dayfirst = st.checkbox(
            "My dates are day-first UK dates (31/01/2024)",
            help="Otherwise dates must be ISO 8601 (2024-01-31). Ambiguous dates are reported, never guessed.",
        )
        undirected = st.checkbox(
            "Contacts have no direction (each row counts both ways)",
            help="For data where a row records that two people were in touch, not who contacted whom (as "
                 "`--undirected` on the command line, or {\"directed\": false} in dataset.json). The check below "
                 "says how many colleague pairs appear in one direction only.",
        )
        if files:
            # Uploads stay in memory: raw client IDs are never written to disk,
            # and only their pseudonyms reach the workspace.
            contents = {Path(f.name).name: f.getvalue() for f in files}
            key, digest = _upload_key(files), _digest(contents)
            raw = _once("_upload_read", digest, lambda: read_uploads(contents))
            st.markdown("**Columns.** Check that each of your columns is matched to the right netdash column.")
            mapping = _mapping_controls(raw, key)

            def checked():
                tables = read_uploads(contents, mapping=mapping)
                return tables, validate(tables, dayfirst=dayfirst, directed=not undirected)

            mapped, report = _once("_upload_checked", (digest, json.dumps(mapping, sort_keys=True), dayfirst,
                                                       undirected), checked)
            st.markdown("**Validation report**")
            # Before any error that would have rows deleted: a column that looks like what is missing.
            for i, hint in enumerate(report.hints):
                label = mapped[hint.table].label if hint.table in mapped else hint.table
                st.warning(f"{_shared.md(label)}: {_shared.md(hint.question())}", icon=":material/help:")
                st.button(f"Map “{hint.column}” to {hint.canonical}", key=f"map_hint::{i}::{hint.table}::{hint.column}",
                          on_click=_choose, args=(f"{key}::{hint.table}::{hint.column}", hint.canonical))
            for note in report.notes:
                st.info(_shared.md(note))
            if report.errors:
                st.error(f"{len(report.errors)} problem(s) must be fixed before this can be imported:")
                for problem in report.errors:
                    st.text(str(problem))
                if any(p.message.startswith("the file is missing") for p in report.errors):
                    st.info(f"A file the uploader marked in red, for example one over {MAX_UPLOAD_MB} MB, was not "
                            "received, so it counts as missing. Split a file that is too large by period and import "
                            "each part as its own dataset, or remove unused columns.")
            else:
                st.success("No errors: this dataset can be imported.")
            if report.warnings:
                with st.expander(f"{len(report.warnings)} warning(s) (they do not block the import)"):
                    for problem in report.warnings:
                        st.text(str(problem))
            name = st.text_input("Name for this dataset", value=Path(files[0].name).stem, max_chars=80, key="import_name")
            replace = st.checkbox("Replace an existing dataset with this name", key="import_replace")
            if st.button("Import", type="primary", disabled=bool(report.errors) or not name.strip() or bool(read_only)):
                try:
                    info = ws.import_dataset(mapped, name=name.strip(), dayfirst=dayfirst, replace=replace,
                                             directed=not undirected, who=_shared.current_user())
                except NetdashError as err:
                    st.error(_shared.md(err))
                else:
                    _shared.select_dataset(info.name)
                    st.rerun()

with tab_datasets:
    infos = ws.list()
    if not infos:
        st.info("No datasets yet.")
    else:
        table = pd.DataFrame(
            [
                {"name": i.name, "imported": str(i.imported_at), "version": i.version, "warnings": i.n_warnings,
                 **{t: i.row_counts.get(t, 0) for t in TABLES}}
                for i in infos
            ]
        )
        st.dataframe(table, hide_index=True, width="stretch")
        c1, c2 = st.columns(2)
        chosen = c1.selectbox("Dataset", [i.name for i in infos], key="manage_dataset")
        if c2.button("Open in the dashboard", key="open_dataset"):
            _shared.select_dataset(chosen)
            st.rerun()
        if may_change:
            confirm = st.checkbox(f"Yes, delete “{chosen}” and all of its rows", key="confirm_delete")
            if st.button("Delete dataset", disabled=not confirm or bool(read_only), key="delete_dataset"):
                try:
                    scrubbed = ws.delete(chosen, who=_shared.current_user())
                except NetdashError as err:
                    st.error(_shared.md(err))
                else:
                    st.session_state.pop("dataset", None)
                    if not scrubbed:
                        st.session_state["delete_note"] = (
                            f"Deleted “{_shared.md(chosen)}”. The disk is full, so its rows were deleted inside the "
                            "database file: their bytes stay in its free blocks until netdash can rewrite it (at the "
                            "next start, import or delete with room on the disk).")
                    st.rerun()
        if st.session_state.get("delete_note"):
            st.warning(st.session_state.pop("delete_note"))
        if may_change and not read_only and "demo" not in [i.name for i in infos] and st.button(
                "Restore the demo dataset"):
            ws.ensure_demo()
            st.rerun()

with tab_log:
    entries = ws.log()
    if not entries:
        st.info("No changes recorded yet.")
    else:
        st.caption("Every import, replacement and delete in this workspace, newest first: who, when (UTC), which "
                   "dataset and how many rows.")
        st.dataframe(pd.DataFrame([{"when (UTC)": str(e.at)[:19], "who": e.who, "what": e.action,
                                    "dataset": e.dataset, **{t: e.row_counts.get(t, 0) for t in TABLES}}
                                   for e in reversed(entries)]), hide_index=True, width="stretch")

with tab_help:
    st.markdown(
        "A dataset is a folder of CSV files (or the same tables as sheets of one Excel workbook, or a zip of the "
        "folder). Column names below are netdash's; yours can differ and be matched on upload. "
        "Rows are numbered as in a spreadsheet: the header is row 1."
    )
    st.download_button("Download a template (zip of CSV files)", template_zip(), file_name="netdash_template.zip",
                       mime="application/zip")
    for table in TABLES.values():
        st.markdown(f"**{table.filename}** {'(optional) ' if not table.required else ''}— {table.description}")
        st.dataframe(
            pd.DataFrame(
                [{"column": c.name, "required": "yes" if c.required else "", "meaning": c.description,
                  "example": c.example} for c in table.columns]
            ),
            hide_index=True,
            width="stretch",
        )
