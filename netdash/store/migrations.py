"""The workspace's schema version, and the rewriting of text older netdash versions stored with raw client IDs.

What older versions stored (``git log -p`` on ``netdash/store`` and
``netdash/ingest/checks.py``, from the first workspace, commit 0452c72,
to the fix, commit 9b69e56):

- ``datasets.warnings``: a JSON list of the import's warnings, each
  ``str(Problem)``, i.e. ``"<file>, <rows>: <message>"``. Errors stop an
  import and notes are not stored. The one warning that quoted a raw client
  ID was a contact's ``client_id`` missing from ``clients.csv``, one message
  per ID for the first 20::

      contacts.csv, rows 7 and 15: client_id 'C-0042' is not in clients.csv. The rows were kept.
      contacts.csv, row 9: client_id 'c-0043' is not in clients.csv. Did you mean 'C-0043'? The rows were kept.
      contacts.csv, row 14: client_id 'unknown' is not in clients.csv. If there is none, leave the cell empty. ...

  (the "Did you mean" hint quoted a *listed* client's raw ID too), then one
  summary quoting none (``8 more client_id values have the same problem:
  ...``).
- Every other stored text holds no client ID: ``datasets.source`` (file
  names), ``row_counts`` and ``options`` (numbers, the direction flag), and
  the record of changes (``audit_log``, since after the fix: names, counts,
  who). Client IDs in the tables were pseudonymised from the first version.
- Deleting or replacing a dataset removed its rows in place until commit
  a5f509d, so a deleted dataset's warnings can still be in free blocks of
  the file, which DuckDB keeps even after ``CHECKPOINT`` and ``VACUUM``.

The migration to version 2 therefore rewrites each such warning as a count
with its file and rows (:func:`without_raw_ids`, one message for one, so
``n_warnings`` stays right) and writes the whole database into a new file
(the store's rewrite), which leaves no old bytes behind.
"""

import re

from netdash.ingest.checks import unknown_ids_message

__all__ = ["SCHEMA_TABLE", "SCHEMA_VERSION", "MIGRATIONS", "stored_version", "ensure_schema_table", "record_version",
           "without_raw_ids"]

SCHEMA_TABLE = "netdash_schema"
"""One row per schema version the workspace reached: version, when, and what was done."""
SCHEMA_VERSION = 2
"""1: workspaces written before this table existed; 2: stored warnings quote no raw client ID (issue 18)."""
MIGRATIONS = {2: "stored import warnings reworded without raw client IDs; the file rewritten without old bytes"}

# A Python string literal as repr() writes one: '...' with \' escaped, or "..." when the text holds ' but not ".
_LITERAL = r"""(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
_OLD_UNKNOWN = re.compile(
    rf"(?P<where>.*?): (?P<column>client_id) {_LITERAL} is not in (?P<target>.+?)\."
    rf"(?P<hint> Did you mean {_LITERAL}\?| If there is none, leave the cell empty\.)?"
    r" (?P<action>The rows were kept\.|Add the client or correct the ID\.)", re.DOTALL)
# Anything else quoting a value right after client_id, or as the case hint, in a message of an unknown wording.
_QUOTED_ID = re.compile(rf"(?P<lead>client_id |Did you mean ){_LITERAL}", re.DOTALL)
_NOT_SHOWN = "[a client ID, not shown]"


def stored_version(con):
    """The schema version of the workspace ``con`` is connected to; None when it holds no datasets table yet."""
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = "
                                        "current_database() AND schema_name = 'main'").fetchall()}
    if "datasets" not in tables:
        return None
    if SCHEMA_TABLE not in tables:
        return 1
    return int(con.execute(f"SELECT coalesce(max(version), 1) FROM {SCHEMA_TABLE}").fetchone()[0])


def ensure_schema_table(con):
    con.execute(f"CREATE TABLE IF NOT EXISTS {SCHEMA_TABLE} (version INTEGER NOT NULL, reached_at TIMESTAMP, note VARCHAR)")


def record_version(con, version, *, at, note):
    """Record that the workspace reached ``version`` (inside the caller's transaction)."""
    ensure_schema_table(con)
    con.execute(f"INSERT INTO {SCHEMA_TABLE} VALUES (?, ?, ?)", [int(version), at, note])


def without_raw_ids(messages):
    """Stored warnings with every raw client ID taken out, and how many were changed.

    A warning of the old wording becomes the current one for one value (the
    file and rows kept, the ID gone); one of an unknown wording that quotes a
    value after ``client_id`` has the value replaced. Others are unchanged,
    so running it again changes nothing.

    Examples
    --------
    >>> new, n = without_raw_ids([
    ...     "contacts.csv, row 9: client_id 'c-7' is not in clients.csv. Did you mean 'C-7'? The rows were kept.",
    ...     "agencies.csv, row 2: sector 'NHS' is not one of the suggested values. Did you mean 'nhs'?"])
    >>> n, "C-7" in new[0].upper(), new[1].endswith("Did you mean 'nhs'?")
    (1, False, True)
    >>> print(new[0])  # doctest: +NORMALIZE_WHITESPACE
    contacts.csv, row 9: 1 client_id value is not in clients.csv. It differs from an ID in clients.csv only in
    upper/lower case; IDs are compared exactly. The rows were kept. The ID is not shown because it identifies a client.
    """
    out, changed = [], 0
    for message in messages:
        new = _reworded(str(message))
        changed += new != message
        out.append(new)
    return out, changed


def _reworded(message):
    old = _OLD_UNKNOWN.fullmatch(message)
    if old is not None:
        hint = old["hint"] or ""
        text = unknown_ids_message(1, old["column"], old["target"], "client",
                                   severity="warning" if old["action"].startswith("The rows") else "error",
                                   cased=int(hint.startswith(" Did")), placeholders=int(hint.startswith(" If")))
        return f"{old['where']}: {text}"
    if "client_id" in message:
        return _QUOTED_ID.sub(lambda m: m["lead"] + _NOT_SHOWN, message)
    return message
