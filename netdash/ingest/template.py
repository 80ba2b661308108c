"""CSV templates generated from the contract, for the "download a template" button."""

import csv
import io
import zipfile

from netdash.schema import TABLES

__all__ = ["template_zip", "template_readme"]

_FIXED_TIME = (2024, 1, 1, 0, 0, 0)  # identical bytes on every call


def _csv_text(table):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.column_names())
    writer.writerow([c.example for c in table.columns])
    for row in table.more_examples:
        writer.writerow([row.get(c.name, "") for c in table.columns])
    return out.getvalue()


def template_readme():
    """Plain-text description of every table and column, from :data:`netdash.schema.TABLES`."""
    lines = ["netdash data templates", "======================", "",
             "Fill in one CSV file per table (UTF-8, comma-separated, first row = column names),",
             "then zip the folder or import it with `netdash import FOLDER`. Check it first with",
             "`netdash validate FOLDER`. Dates are YYYY-MM-DD. Delete the example row.", ""]
    for table in TABLES.values():
        need = "required" if table.required else "optional"
        lines += [f"{table.filename} ({need}): {table.description}"]
        for c in table.columns:
            flag = "required" if c.required else "optional"
            lines.append(f"  - {c.name} [{c.kind}, {flag}]: {c.description}")
        lines.append("")
    return "\n".join(lines)


def template_zip():
    """A zip of ``<table>.csv`` templates (header + one example row) and ``README.txt``.

    Examples
    --------
    >>> import io, zipfile
    >>> names = zipfile.ZipFile(io.BytesIO(template_zip())).namelist()
    >>> "contacts.csv" in names and "README.txt" in names
    True
    """
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for table in TABLES.values():
            zf.writestr(zipfile.ZipInfo(table.filename, _FIXED_TIME), _csv_text(table).encode("utf-8"))
        zf.writestr(zipfile.ZipInfo("README.txt", _FIXED_TIME), template_readme().encode("utf-8"))
    return buf.getvalue()
