"""Modules imported on first use, for the libraries a command may not need at all.

``netdash metrics`` on a city-scale dataset never builds a networkx graph
(:mod:`netdash.analysis` works from :class:`netdash.metrics.matrix.GraphMatrix`),
yet every measure module names networkx for the graphs a page or a test may
pass. Importing it took about 0.11 CPU s of the command's start on the
project's machine (``docs/benchmarks.md``, "Session 12: medium ratio"); a
:func:`deferred` module imports it when an attribute is first read.

:data:`IMPORT_LOCK` is held while a deferred module is imported and by
:func:`netdash.metrics.backends.imports_blocked`, so a thread that first needs
networkx while another imports NetworKit (which holds networkx back) waits
instead of failing.
"""

import importlib
import threading

__all__ = ["IMPORT_LOCK", "DeferredModule", "deferred", "networkx"]

#: Held while imports are blocked (:func:`netdash.metrics.backends.imports_blocked`) and while a deferred
#: module is imported: the ``None`` entries that block an import are seen by every thread.
IMPORT_LOCK = threading.RLock()


class DeferredModule:
    """A stand-in for module ``name`` that imports it when an attribute is first read.

    Thread-safe: the import is made under :data:`IMPORT_LOCK`, and Python's
    own import lock makes a second thread wait for a module being imported.

    Examples
    --------
    >>> json = DeferredModule("json")
    >>> json.dumps([1])
    '[1]'
    >>> json
    <deferred module 'json' (imported)>
    """

    def __init__(self, name):
        self._name = name
        self._module = None

    def __getattr__(self, attr):
        module = self._module
        if module is None:
            with IMPORT_LOCK:
                module = self._module = importlib.import_module(self._name)
        return getattr(module, attr)

    def __repr__(self):
        state = "imported" if self._module is not None else "not imported yet"
        return f"<deferred module {self._name!r} ({state})>"


def deferred(name):
    """A :class:`DeferredModule` for ``name``: ``nx = deferred("networkx")`` in place of ``import networkx as nx``.

    Examples
    --------
    >>> deferred("json").loads("[2]")
    [2]
    """
    return DeferredModule(name)


#: networkx, imported when an attribute is first read: the measure modules, the graph builders and the exports
#: write ``from netdash.deferred import networkx as nx`` in place of ``import networkx as nx``. One stand-in for
#: them all.
networkx = deferred("networkx")
