"""The workspace: imported datasets in one DuckDB file, with the pseudonymisation key beside it.

:class:`Workspace` imports, lists, opens and deletes datasets, and records
who did each (:mod:`netdash.store.audit`); nothing else in netdash writes to
the workspace folder.
"""

from netdash.store.audit import AuditEntry
from netdash.store.workspace import DB_FILE, DEMO_NAME, DatasetInfo, Workspace, default_workspace

__all__ = ["Workspace", "DatasetInfo", "AuditEntry", "default_workspace", "DB_FILE", "DEMO_NAME"]
