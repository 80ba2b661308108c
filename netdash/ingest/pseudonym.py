"""Keyed pseudonyms for client IDs.

A client ID becomes ``"c_"`` + the first 16 hex digits of
HMAC-SHA256(secret, stripped ID) (RFC 2104). Without the workspace's secret
the pseudonyms cannot be linked back to IDs by hashing guesses, and the same
client gets the same pseudonym in every import into that workspace. The key
lives only in ``<workspace>/secret.key`` (mode 0600); it is never written
to the database, exports or logs. Losing it means later imports cannot be
linked to earlier ones.
"""

import hashlib
import os
import secrets
import stat
from pathlib import Path

import numpy as np
import pandas as pd

from netdash.errors import InvalidInputError

__all__ = ["load_or_create_secret", "pseudonymise", "check_secret", "SECRET_FILE", "SECRET_BYTES"]

SECRET_FILE = "secret.key"
SECRET_BYTES = 32


def load_or_create_secret(workspace_dir, *, create=True, datasets=()):
    """The workspace's 32-byte secret, created (mode 0600) on first use.

    Parameters
    ----------
    workspace_dir : str or Path
    create : bool, default True
        Make a new key when there is none. :class:`netdash.store.Workspace`
        passes False once datasets are stored: a new key would give their
        clients new pseudonyms that no longer link with them.
    datasets : sequence of str
        Names of the stored datasets, for the message when the key is missing.

    Raises
    ------
    InvalidInputError
        When the key file is missing and may not be created, is a symbolic
        link, can be read or written by other users, is not 32 bytes, or
        cannot be written; each message says how to fix it.
    """
    folder = Path(workspace_dir)
    path = folder / SECRET_FILE
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not os.path.lexists(path):
            if not create:
                raise InvalidInputError(_missing_key_message(path, datasets))
            key = secrets.token_bytes(SECRET_BYTES)
            try:
                # O_EXCL: if two processes race, one writes and both read the same key.
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(key)
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            raise InvalidInputError(
                f"{path} is a symbolic link. netdash reads only a key file that is itself in the workspace, so "
                "that the key cannot be swapped for another file. Replace the link by the key it points to: "
                f'cp --remove-destination "$(readlink -f {path})" {path} && chmod 600 {path}')
        if not stat.S_ISREG(info.st_mode):
            raise InvalidInputError(f"{path} is not a regular file. Restore the key file from a backup.")
        if stat.S_IMODE(info.st_mode) & 0o077:
            raise InvalidInputError(
                f"{path} can be read or changed by other users (mode {stat.S_IMODE(info.st_mode):04o}). Anyone "
                "who has the key and a list of real client IDs can tell which pseudonym is whose. Make it "
                f"private, then try again: chmod 600 {path}")
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as fh:
            key = fh.read(SECRET_BYTES + 1)
    except OSError as exc:
        raise InvalidInputError(f"{path}: cannot read or create the workspace secret ({exc.strerror or exc}). "
                                "Check that the workspace folder is writable.") from None
    if len(key) != SECRET_BYTES:
        raise InvalidInputError(f"{path} is damaged ({len(key)} bytes, expected {SECRET_BYTES}). Restore it from "
                                "a backup; deleting it makes new pseudonyms that do not match earlier imports.")
    return key


def _missing_key_message(path, datasets):
    names = ", ".join(repr(n) for n in datasets)
    return (f"{path} is missing, but the workspace holds {len(datasets)} dataset{'s' if len(datasets) != 1 else ''}"
            f" ({names}). netdash will not make a new key: the same clients would get new pseudonyms and could "
            "no longer be linked with the stored datasets. Restore secret.key from the backup made with "
            f"netdash.duckdb: copy it to {path}, then run chmod 600 {path}. If the key is lost for good, import "
            "into a new workspace (set NETDASH_WORKSPACE), or delete every dataset here first.")


def check_secret(secret):
    """Raise :class:`InvalidInputError` unless ``secret`` is non-empty bytes."""
    if not isinstance(secret, bytes) or not secret:
        raise InvalidInputError("the pseudonymisation secret must be non-empty bytes; use load_or_create_secret().")


def pseudonymise(ids, secret, *, memo=None):
    """Replace IDs by keyed pseudonyms; missing values stay missing.

    Parameters
    ----------
    ids : Series
        Raw IDs; surrounding whitespace is ignored.
    secret : bytes
    memo : dict, optional
        ``{stripped ID: pseudonym}`` shared between calls with the same
        secret, so an ID seen in several tables is hashed once.

    Returns
    -------
    Series
        ``"c_"`` + 16 hex digits, same index as ``ids``. Rows with the same ID
        share one string object.

    Examples
    --------
    >>> s = pd.Series(["C0042", " C0042 ", None])
    >>> out = pseudonymise(s, b"k" * 32)
    >>> out.iloc[0] == out.iloc[1], out.iloc[0].startswith("c_"), len(out.iloc[0]), out.iloc[2] is None
    (True, True, 18, True)
    """
    check_secret(secret)
    memo = {} if memo is None else memo
    # Hash each distinct ID once (a contact log repeats each client many times) and
    # spread the results back.
    codes, uniques = pd.factorize(ids.to_numpy(dtype=object, na_value=None), use_na_sentinel=True)
    digests = np.empty(len(uniques) + 1, dtype=object)
    keyed = _hmac_sha256(secret)
    for i, raw in enumerate(uniques):
        text = str(raw).strip()
        digest = memo.get(text)
        if digest is None:
            digest = memo[text] = "c_" + keyed(text.encode("utf-8"))[:16]
        digests[i] = digest
    digests[-1] = None  # code -1: missing
    return pd.Series(digests[codes], index=ids.index, dtype=object)


def _hmac_sha256(secret):
    """A function of a message giving ``hmac.digest(secret, message, "sha256").hex()``.

    HMAC (RFC 2104) hashes the key's inner and outer pads before any
    message: those two states are computed once here and copied per message,
    which is about 2.5 times as fast as ``hmac.digest`` for the 200,000 short
    client IDs of the large demo (issue 19), with the same digests (tested).
    """
    key = hashlib.sha256(secret).digest() if len(secret) > 64 else secret  # SHA-256's block is 64 bytes
    key = key.ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))

    def digest(message):
        first = inner.copy()
        first.update(message)
        second = outer.copy()
        second.update(first.digest())
        return second.hexdigest()

    return digest
