"""Write the workspaces in this folder with the netdash of an older commit (not run by the tests).

    git archive <commit> | tar -x -C /tmp/netdash-<commit>
    .venv/bin/python tests/data/old_workspaces/make.py /tmp/netdash-<commit> <label>

imports :func:`raw_ids_support.old_warning_dataset` as ``before issue 18``
with that netdash, also imports :func:`raw_ids_support.warning_dataset` as
``deleted`` and deletes it (netdash before commit a5f509d deleted rows in
place, leaving their bytes, warnings included, in free blocks of the file),
then stores the database file gzipped as ``<label>.duckdb.gz``.
"""

import gzip
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(old_tree, label):
    sys.path.insert(0, str(Path(old_tree).resolve()))
    sys.path.insert(0, str(HERE.parents[1] / "ingest"))
    from raw_ids_support import old_warning_dataset, warning_dataset, write_folder

    import netdash.store as store

    assert Path(store.__file__).resolve().is_relative_to(Path(old_tree).resolve()), store.__file__
    with tempfile.TemporaryDirectory() as tmp:
        ws = store.Workspace(Path(tmp) / "ws")
        deleted = write_folder(warning_dataset()[0], Path(tmp) / "deleted")
        kept = write_folder(old_warning_dataset()[0], Path(tmp) / "kept")
        ws.import_dataset(deleted, name="deleted", today="2030-01-01")
        ws.import_dataset(kept, name="before issue 18", today="2030-01-01")
        ws.delete("deleted")
        for message in ws.warnings("before issue 18"):
            print(message)
        (HERE / f"{label}.duckdb.gz").write_bytes(gzip.compress((ws.path / "netdash.duckdb").read_bytes(), 9,
                                                                mtime=0))


if __name__ == "__main__":
    main(*sys.argv[1:3])
