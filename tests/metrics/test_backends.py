"""Holding an optional import back in one thread must not make another thread's import of it fail."""

import sys
import threading

from netdash.metrics.backends import import_module, imports_blocked


def test_an_import_waits_while_another_thread_holds_the_module_back(tmp_path, monkeypatch):
    (tmp_path / "netdash_test_optional.py").write_text("VALUE = 42\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("netdash_test_optional", None)
    inside, release, got = threading.Event(), threading.Event(), {}

    def hold_back():  # as netdash.metrics.backends.networkit does with scikit-learn while NetworKit loads
        with imports_blocked("netdash_test_optional"):
            try:
                import netdash_test_optional  # noqa: F401
            except ImportError:
                got["blocked here"] = True
            inside.set()
            release.wait(10)

    def need_it():  # as COP impact does with scikit-learn, in another session's thread
        try:
            got["module"] = import_module("netdash_test_optional")
        except ImportError as err:
            got["error"] = err

    holder = threading.Thread(target=hold_back)
    holder.start()
    assert inside.wait(10)
    needer = threading.Thread(target=need_it)
    needer.start()
    needer.join(0.3)
    assert needer.is_alive() and not got.get("error")  # waiting, not failing
    release.set()
    holder.join(10)
    needer.join(10)
    assert got["blocked here"] and got["module"].VALUE == 42
    sys.modules.pop("netdash_test_optional", None)
