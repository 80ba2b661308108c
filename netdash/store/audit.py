"""The workspace's record of changes: every import, replacement and delete, with who, when and row counts.

The record is a table of ``netdash.duckdb`` (``audit_log``), written in the
same transaction as the change it records, so a change is never without its
record, nor a record without its change. Deleting a dataset keeps the
records about it (they hold its name and row counts, no data).
"""

import json
from dataclasses import dataclass, field
from datetime import datetime

__all__ = ["AUDIT_TABLE", "AuditEntry", "ensure_audit_table", "record_change", "audit_entries"]

AUDIT_TABLE = "audit_log"


@dataclass(frozen=True)
class AuditEntry:
    """One change to the workspace.

    ``action`` is ``import``, ``replace`` or ``delete``; ``who`` the signed-in
    e-mail address in the dashboard, or the account that ran the ``netdash``
    command; ``row_counts`` the rows per table added (import, replace) or
    removed (delete).
    """

    at: datetime
    who: str
    action: str
    dataset: str
    version: str = ""
    row_counts: dict = field(default_factory=dict)


def ensure_audit_table(con):
    con.execute(f"""CREATE TABLE IF NOT EXISTS {AUDIT_TABLE} (
        "at" TIMESTAMP, who VARCHAR, action VARCHAR, dataset VARCHAR, version VARCHAR, row_counts VARCHAR)""")


def record_change(con, *, at, who, action, dataset, version="", row_counts=None):
    """Add one entry (inside the caller's transaction)."""
    con.execute(f"INSERT INTO {AUDIT_TABLE} VALUES (?, ?, ?, ?, ?, ?)",
                [at, str(who or "unknown"), action, dataset, version, json.dumps(row_counts or {})])


def audit_entries(con):
    """Every entry, oldest first, as :class:`AuditEntry`; none in a read-only workspace older than the record."""
    if not con.execute("SELECT 1 FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = "
                       "'main' AND table_name = ?", [AUDIT_TABLE]).fetchall():
        return []
    rows = con.execute(f'SELECT "at", who, action, dataset, version, row_counts FROM {AUDIT_TABLE} '
                       'ORDER BY "at", rowid').fetchall()
    return [AuditEntry(at, who, action, dataset, version or "", json.loads(counts or "{}"))
            for at, who, action, dataset, version, counts in rows]
