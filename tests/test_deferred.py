"""A deferred module is imported on first use (waiting while another thread holds it back:
tests/metrics/test_backends.py)."""

import sys

from netdash.deferred import deferred


def test_nothing_is_imported_until_an_attribute_is_read(tmp_path, monkeypatch):
    (tmp_path / "netdash_test_deferred.py").write_text("VALUE = 7\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("netdash_test_deferred", None)
    module = deferred("netdash_test_deferred")
    assert "netdash_test_deferred" not in sys.modules
    assert module.VALUE == 7 and "netdash_test_deferred" in sys.modules
    sys.modules.pop("netdash_test_deferred", None)
