"""A deferred module is imported on first use, and waits (never fails) while another thread holds it back."""

import sys
import threading

from netdash.deferred import deferred
from netdash.metrics.backends import imports_blocked


def test_nothing_is_imported_until_an_attribute_is_read(tmp_path, monkeypatch):
    (tmp_path / "netdash_test_deferred.py").write_text("VALUE = 7\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("netdash_test_deferred", None)
    module = deferred("netdash_test_deferred")
    assert "netdash_test_deferred" not in sys.modules
    assert module.VALUE == 7 and "netdash_test_deferred" in sys.modules
    sys.modules.pop("netdash_test_deferred", None)


def test_first_use_waits_while_networkit_style_blocking_holds_the_module_back(tmp_path, monkeypatch):
    (tmp_path / "netdash_test_deferred2.py").write_text("VALUE = 8\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("netdash_test_deferred2", None)
    module = deferred("netdash_test_deferred2")
    inside, release, got = threading.Event(), threading.Event(), {}

    def hold_back():  # as netdash.metrics.backends.networkit does with networkx while NetworKit loads
        with imports_blocked("netdash_test_deferred2"):
            inside.set()
            release.wait(10)

    def use_it():  # as a measure module's `nx.` in another thread
        try:
            got["value"] = module.VALUE
        except ImportError as err:
            got["error"] = err

    holder = threading.Thread(target=hold_back)
    holder.start()
    assert inside.wait(10)
    user = threading.Thread(target=use_it)
    user.start()
    user.join(0.3)
    assert user.is_alive() and not got.get("error")  # waiting, not failing
    release.set()
    holder.join(10)
    user.join(10)
    assert got["value"] == 8
    sys.modules.pop("netdash_test_deferred2", None)
