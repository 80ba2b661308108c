"""Data: upload your own files, map their columns, see every problem, manage datasets."""

from pathlib import Path

import pandas as pd
import streamlit as st

from netdash.errors import NetdashError
from netdash.ingest import read_uploads, suggest_mapping, template_zip, validate
from netdash.schema import TABLES
from pages import _cached, _shared

st.title("Data")
st.caption(
    "Client IDs are replaced by keyed pseudonyms as they are imported: the original IDs are never stored. "
    "Nothing is sent anywhere; everything stays in this workspace."
)
ws = _cached.workspace()

tab_import, tab_datasets, tab_help = st.tabs(["Import files", "Datasets in this workspace", "Template and format"])

IGNORE = "(not used)"


def _upload_key(files):
    """A key for widget state that changes when different files are uploaded."""
    return "upload::" + "|".join(f"{f.name}:{f.size}:{f.file_id}" for f in files)


def _mapping_controls(raw, key):
    """Selectors mapping each table's columns onto the contract; returns the mapping."""
    mapping = {}
    for table, rt in raw.items():
        found = list(rt.columns_found)
        guess = suggest_mapping(found, table)
        options = [IGNORE] + TABLES[table].column_names()
        missing = [c for c in TABLES[table].required_columns() if c not in guess.values()]
        with st.expander(f"{rt.label}: {len(found)} columns" + (" (needs mapping)" if missing else ""),
                         expanded=bool(missing)):
            chosen = {}
            cols = st.columns(3)
            for i, col in enumerate(found):
                default = guess.get(col) or IGNORE
                value = cols[i % 3].selectbox(
                    f"Column “{col}” is", options, index=options.index(default), key=f"{key}::{table}::{col}"
                )
                if value != IGNORE and value != col:
                    chosen[col] = value
            if chosen:
                mapping[table] = chosen
    return mapping


with tab_import:
    files = st.file_uploader(
        "Upload the CSV files of a dataset (agencies, practitioners, contacts, and optionally cop_attendance, "
        "clients and trust_survey), or one Excel workbook, or one zip of the folder.",
        type=["csv", "xlsx", "zip", "parquet"],
        accept_multiple_files=True,
        key="uploads",
    )
    dayfirst = st.checkbox(
        "My dates are day-first UK dates (31/01/2024)",
        help="Otherwise dates must be ISO 8601 (2024-01-31). Ambiguous dates are reported, never guessed.",
    )
    if files:
        # Uploads stay in memory: raw client IDs are never written to disk,
        # and only their pseudonyms reach the workspace.
        contents = {Path(f.name).name: f.getvalue() for f in files}
        key = _upload_key(files)
        try:
            raw = read_uploads(contents)
        except NetdashError as err:
            st.error(_shared.md(err))
            st.stop()
        st.markdown("**Columns.** Check that each of your columns is matched to the right netdash column.")
        mapping = _mapping_controls(raw, key)
        try:
            mapped = read_uploads(contents, mapping=mapping)
            report = validate(mapped, dayfirst=dayfirst)
        except NetdashError as err:
            st.error(_shared.md(err))
            st.stop()
        st.markdown("**Validation report**")
        if report.errors:
            st.error(f"{len(report.errors)} problem(s) must be fixed before this can be imported:")
            for problem in report.errors:
                st.text(str(problem))
        else:
            st.success("No errors: this dataset can be imported.")
        if report.warnings:
            with st.expander(f"{len(report.warnings)} warning(s) (they do not block the import)"):
                for problem in report.warnings:
                    st.text(str(problem))
        name = st.text_input("Name for this dataset", value=Path(files[0].name).stem, max_chars=80, key="import_name")
        replace = st.checkbox("Replace an existing dataset with this name", key="import_replace")
        if st.button("Import", type="primary", disabled=bool(report.errors) or not name.strip()):
            try:
                info = ws.import_dataset(mapped, name=name.strip(), dayfirst=dayfirst, replace=replace)
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
        confirm = st.checkbox(f"Yes, delete “{chosen}” and all of its rows", key="confirm_delete")
        if st.button("Delete dataset", disabled=not confirm, key="delete_dataset"):
            try:
                ws.delete(chosen)
            except NetdashError as err:
                st.error(_shared.md(err))
            else:
                st.session_state.pop("dataset", None)
                st.success(f"Deleted “{_shared.md(chosen)}”.")
                st.rerun()
        if "demo" not in [i.name for i in infos] and st.button("Restore the demo dataset"):
            ws.ensure_demo()
            st.rerun()

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
