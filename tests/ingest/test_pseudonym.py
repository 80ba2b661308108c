"""Keyed client pseudonyms and the workspace secret."""

import stat

import pandas as pd
import pytest

from netdash.errors import InvalidInputError
from netdash.ingest import load_or_create_secret, pseudonymise

KEY_A = b"a" * 32
KEY_B = b"b" * 32


def test_pseudonym_is_hmac_sha256_prefix_rfc4231_case_2():
    # RFC 4231 test case 2: HMAC-SHA256("Jefe", "what do ya want for nothing?") = 5bdcc146bf60754e...
    out = pseudonymise(pd.Series(["what do ya want for nothing?"]), b"Jefe")
    assert out.iloc[0] == "c_5bdcc146bf60754e"


def test_pseudonyms_stable_for_same_secret_and_ignore_surrounding_spaces():
    ids = pd.Series(["C0042", " C0042 ", "C0043"])
    first = pseudonymise(ids, KEY_A)
    again = pseudonymise(ids, KEY_A)
    assert first.tolist() == again.tolist()
    assert first.iloc[0] == first.iloc[1] != first.iloc[2]


def test_pseudonyms_differ_across_secrets_and_hide_the_id():
    ids = pd.Series(["C0042"])
    a, b = pseudonymise(ids, KEY_A).iloc[0], pseudonymise(ids, KEY_B).iloc[0]
    assert a != b
    assert "C0042" not in a and len(a) == 18 and a.startswith("c_")


def test_missing_ids_stay_missing_and_index_is_kept():
    ids = pd.Series(["C1", None, float("nan")], index=[5, 5, 9])
    out = pseudonymise(ids, KEY_A)
    assert out.index.tolist() == [5, 5, 9]
    assert out.iloc[1] is None and out.iloc[2] is None


def test_pseudonymise_refuses_a_missing_secret():
    with pytest.raises(InvalidInputError, match="secret must be non-empty bytes"):
        pseudonymise(pd.Series(["C1"]), "")


def test_secret_created_once_with_mode_0600(tmp_path):
    ws = tmp_path / "ws"
    key = load_or_create_secret(ws)
    assert len(key) == 32
    assert stat.S_IMODE((ws / "secret.key").stat().st_mode) == 0o600
    assert load_or_create_secret(ws) == key
    assert load_or_create_secret(tmp_path / "other") != key


def test_damaged_secret_is_reported(tmp_path):
    (tmp_path / "secret.key").write_bytes(b"short")
    (tmp_path / "secret.key").chmod(0o600)
    with pytest.raises(InvalidInputError, match=r"secret.key is damaged \(5 bytes, expected 32\)"):
        load_or_create_secret(tmp_path)


def test_pseudonym_with_a_key_longer_than_the_block_rfc4231_case_6():
    # RFC 4231 test case 6: a 131-byte key is hashed first; HMAC-SHA256 = 60e431591ee0b67f...
    out = pseudonymise(pd.Series(["Test Using Larger Than Block-Size Key - Hash Key First"]), b"\xaa" * 131)
    assert out.iloc[0] == "c_60e431591ee0b67f"


@pytest.mark.parametrize("key_length", [1, 32, 63, 64, 65, 200])
def test_pseudonyms_are_the_standard_library_hmac(key_length):
    import hmac
    import random

    rng = random.Random(key_length)
    secret = bytes(rng.randrange(256) for _ in range(key_length))
    ids = [f"C{rng.randrange(10**6)}é" for _ in range(50)]
    expected = ["c_" + hmac.digest(secret, i.encode("utf-8"), "sha256").hex()[:16] for i in ids]
    assert pseudonymise(pd.Series(ids), secret).tolist() == expected
