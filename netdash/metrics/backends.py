"""The compiled libraries behind the measures, imported without the optional dependencies netdash never uses."""

import contextlib
import importlib
import sys

from netdash.deferred import IMPORT_LOCK

__all__ = ["imports_blocked", "import_module", "networkit", "graphblas"]

# Held while imports are blocked, by import_module and by netdash.deferred's imports: the None entries in
# sys.modules are seen by every thread, so without it a dashboard session importing scikit-learn while
# another imports NetworKit (which holds scikit-learn back) would get ImportError.
_LOCK = IMPORT_LOCK


@contextlib.contextmanager
def imports_blocked(*names):
    """Inside the block, ``import name`` fails for each of ``names`` not already imported.

    A ``None`` entry in ``sys.modules`` makes an import raise ``ImportError``
    (Python's documented way); libraries that import an optional dependency
    inside ``try``/``except ImportError`` then go on without it. Modules
    already loaded are left alone, and the entries are removed afterwards,
    so a later ``import name`` works as usual.

    Examples
    --------
    >>> with imports_blocked("netdash_no_such_module"):
    ...     try:
    ...         import netdash_no_such_module
    ...     except ImportError:
    ...         print("blocked")
    blocked
    >>> "netdash_no_such_module" in sys.modules
    False
    """
    with _LOCK:
        blocked = [name for name in names if name not in sys.modules]
        for name in blocked:
            sys.modules[name] = None
        try:
            yield
        finally:
            for name in blocked:
                if name in sys.modules and sys.modules[name] is None:
                    del sys.modules[name]


def import_module(name):
    """``importlib.import_module(name)``, after any :func:`imports_blocked` block in another thread has ended.

    For the optional heavy imports made on first use (scikit-learn), which
    another thread may be holding back at that moment.

    Examples
    --------
    >>> import_module("json").dumps([1])
    '[1]'
    """
    with _LOCK:
        return importlib.import_module(name)


def networkit():
    """NetworKit, imported on first use without scikit-learn.

    NetworKit's package ``__init__`` imports its ``linkprediction`` module,
    which imports scikit-learn if it can (most of NetworKit's import time)
    and works without it. netdash uses none of ``linkprediction``, so unless
    scikit-learn is already loaded its import is made to fail (a ``None``
    entry in ``sys.modules``, Python's documented way) for the duration of
    NetworKit's import. Times with and without: ``docs/benchmarks.md``,
    "Deferred imports". The same for networkx, which NetworKit imports if it
    can for its ``nxadapter`` only (unused by netdash): ``netdash metrics``
    at city scale never needs networkx (:mod:`netdash.deferred`). And for
    ``scipy.io``, which NetworKit's ``graphio`` imports for its MATLAB
    reader and writer only (unused by netdash; they still work, as the name
    ``scipy.io`` is then loaded by SciPy on first use): it brings about 40
    modules (MATLAB, NetCDF, WAV, ARFF readers, threadpoolctl); the time
    saved is in ``docs/benchmarks.md``, "Session 20: the medium ratio".
    """
    with imports_blocked("sklearn", "networkx", "scipy.io"):
        import networkit as nk
    return nk


def graphblas():
    """python-graphblas (SuiteSparse:GraphBLAS), imported on first use without numba.

    python-graphblas imports numba when it is installed, only for
    user-defined operators, which netdash does not use: its import is made to
    fail (a ``None`` entry in ``sys.modules``) while graphblas loads, which
    saves numba's import time (``docs/benchmarks.md``, "Deferred imports").
    Used by :mod:`netdash.metrics.structural_holes` and for the colleagues in
    common of :func:`netdash.actions.isolation.suggest_introductions`.
    """
    with imports_blocked("numba"):
        import graphblas

        if graphblas.backend is None:
            graphblas.init("suitesparse", blocking=True)
        import graphblas.io  # noqa: F401  (loaded lazily otherwise)
    return graphblas
