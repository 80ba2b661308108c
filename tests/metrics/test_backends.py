"""Holding an optional import back in one thread must not make another thread's import of it fail."""

import sys
import threading

from netdash.deferred import deferred
from netdash.metrics.backends import import_module, imports_blocked


def _use_while_held_back(name, use, *, try_import_inside=False):
    """Run ``use()`` in a thread while another thread holds ``name`` back; return what each saw.

    The holder blocks ``name`` as :func:`netdash.metrics.backends.networkit` does with scikit-learn and
    networkx while NetworKit loads; ``use`` must wait (not fail) until the block ends.
    """
    inside, release, got = threading.Event(), threading.Event(), {}

    def hold_back():
        with imports_blocked(name):
            if try_import_inside:
                try:
                    import_module(name)
                except ImportError:
                    got["blocked here"] = True
            inside.set()
            release.wait(10)

    def need_it():
        try:
            got["value"] = use()
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
    return got


def test_an_import_waits_while_another_thread_holds_the_module_back(tmp_path, monkeypatch):
    (tmp_path / "netdash_test_optional.py").write_text("VALUE = 42\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("netdash_test_optional", None)
    # As COP impact does with scikit-learn, in another session's thread.
    got = _use_while_held_back("netdash_test_optional", lambda: import_module("netdash_test_optional").VALUE,
                               try_import_inside=True)
    assert got["blocked here"] and got["value"] == 42
    sys.modules.pop("netdash_test_optional", None)


def test_a_deferred_module_waits_while_another_thread_holds_it_back(tmp_path, monkeypatch):
    (tmp_path / "netdash_test_deferred2.py").write_text("VALUE = 8\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("netdash_test_deferred2", None)
    module = deferred("netdash_test_deferred2")  # as a measure module's `nx.` in another thread
    assert _use_while_held_back("netdash_test_deferred2", lambda: module.VALUE)["value"] == 8
    sys.modules.pop("netdash_test_deferred2", None)


def test_networkit_loads_without_scipy_io_and_its_matlab_files_still_work(tmp_path):
    """Session 20: scipy.io is held back while NetworKit loads (its graphio needs it for MATLAB files only);
    NetworKit's MATLAB reader and writer then load it on first use."""
    import subprocess

    code = ("import sys; from netdash.metrics.backends import networkit; nk = networkit(); "
            "print('scipy.io' in sys.modules); G = nk.Graph(3); G.addEdge(0, 1); G.addEdge(1, 2); "
            f"nk.graphio.writeMat(G, {str(tmp_path / 'g.mat')!r}); "
            f"print(nk.graphio.readMat({str(tmp_path / 'g.mat')!r}).numberOfEdges(), 'scipy.io' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "2", "True"]
