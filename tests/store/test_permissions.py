"""Workspace and key permissions (issue 18, item 4).

The workspace folder is created, or tightened, to 0700 and the database and
key to 0600. A key that others can read, or that is a symbolic link, is
refused with the fix. A missing key is never silently replaced while
datasets are stored: a new key would give the same clients new pseudonyms.
"""

import os
import stat
from pathlib import Path

import pytest

from netdash.errors import InvalidInputError
from netdash.ingest import load_or_create_secret
from netdash.store import Workspace

GOOD = Path(__file__).resolve().parents[1] / "data" / "good"
TODAY = "2030-01-01"


def _mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_a_new_workspace_is_private(tmp_path):
    ws = Workspace(tmp_path / "ws")
    ws.import_dataset(GOOD, name="small", today=TODAY)
    assert _mode(ws.path) == 0o700
    assert _mode(ws.db_path) == 0o600
    assert _mode(ws.path / "secret.key") == 0o600


def test_an_open_workspace_and_database_are_tightened(tmp_path):
    ws = Workspace(tmp_path / "ws")
    ws.import_dataset(GOOD, name="small", today=TODAY)
    os.chmod(ws.path, 0o777)
    os.chmod(ws.db_path, 0o666)
    assert [i.name for i in ws.list()] == ["small"]
    assert _mode(ws.path) == 0o700
    assert _mode(ws.db_path) == 0o600


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o620, 0o644])
def test_a_key_other_users_can_read_is_refused_with_the_fix(tmp_path, mode):
    ws = Workspace(tmp_path / "ws")
    ws.import_dataset(GOOD, name="small", today=TODAY)
    key = ws.path / "secret.key"
    os.chmod(key, mode)
    with pytest.raises(InvalidInputError, match=rf"can be read or changed by other users \(mode {mode:04o}\).*"
                                                rf"chmod 600 {key}"):
        ws.import_dataset(GOOD, name="second", today=TODAY)
    assert [i.name for i in ws.list()] == ["small"]
    os.chmod(key, 0o600)
    ws.import_dataset(GOOD, name="second", today=TODAY)  # the fix in the message works
    assert [i.name for i in ws.list()] == ["small", "second"]


def test_a_symlinked_key_is_refused_with_the_fix(tmp_path):
    other = tmp_path / "any32bytes"
    other.write_bytes(b"x" * 32)
    other.chmod(0o600)
    ws = tmp_path / "ws"
    ws.mkdir(mode=0o700)
    (ws / "secret.key").symlink_to(other)
    with pytest.raises(InvalidInputError, match=r"secret.key is a symbolic link.*cp --remove-destination"):
        load_or_create_secret(ws)
    with pytest.raises(InvalidInputError, match="symbolic link"):
        Workspace(ws).import_dataset(GOOD, name="small", today=TODAY)
    assert Workspace(ws).list() == []


def test_a_lost_key_is_not_replaced_while_datasets_are_stored(tmp_path):
    ws = Workspace(tmp_path / "ws")
    ws.import_dataset(GOOD, name="small", today=TODAY)
    key_file = ws.path / "secret.key"
    backup = key_file.read_bytes()
    before = ws.open("small").clients["client_id"].tolist()
    key_file.unlink()
    with pytest.raises(InvalidInputError, match=r"secret.key is missing, but the workspace holds 1 dataset "
                                                r"\('small'\).*Restore secret.key from the backup"):
        ws.import_dataset(GOOD, name="second", today=TODAY)
    assert not key_file.exists()  # no new key was made
    assert [i.name for i in ws.list()] == ["small"]
    # Restoring the key as the message says makes the next import link with the first.
    key_file.write_bytes(backup)
    key_file.chmod(0o600)
    ws.import_dataset(GOOD, name="second", today=TODAY)
    assert ws.open("second").clients["client_id"].tolist() == before


def test_a_key_is_made_while_the_workspace_has_no_dataset(tmp_path):
    ws = Workspace(tmp_path / "ws")
    ws.import_dataset(GOOD, name="small", today=TODAY)
    ws.delete("small")
    (ws.path / "secret.key").unlink()
    ws.import_dataset(GOOD, name="again", today=TODAY)
    assert _mode(ws.path / "secret.key") == 0o600 and len((ws.path / "secret.key").read_bytes()) == 32
