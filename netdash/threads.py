"""How the native thread pools under netdash wait between jobs: set before numpy loads.

NetworKit and GraphBLAS run OpenMP threads and numpy's matrix products
OpenBLAS threads. By default a thread that has finished its part spins for a
while before sleeping, holding a core that another thread (a Python thread,
the dashboard's server, the browser on the same machine) needs. Each runtime
reads its setting once, when it loads, so :func:`let_waiting_threads_sleep`
runs before anything imports numpy: first in ``netdash.cli.main`` and at the
top of ``streamlit_app.py``. This module imports nothing that loads them.
"""

import os

__all__ = ["let_waiting_threads_sleep", "one_blas_thread", "WAITING_THREADS"]

#: The environment variables :func:`let_waiting_threads_sleep` sets, with their values.
WAITING_THREADS = {"OMP_WAIT_POLICY": "PASSIVE", "OPENBLAS_THREAD_TIMEOUT": "4"}


def let_waiting_threads_sleep():
    """Let waiting OpenMP and OpenBLAS threads sleep at once instead of spinning, unless the environment says.

    Sets ``OMP_WAIT_POLICY=PASSIVE`` and ``OPENBLAS_THREAD_TIMEOUT=4`` when
    they are not set; a value the user set is kept. ``netdash metrics`` runs
    the runtimes' threads beside each other and beside Python threads
    (:meth:`netdash.analysis.NetworkAnalysis.start_background`): more threads
    than cores, where a thread spinning at the end of its parallel loop takes
    the core a working thread needs. On the large demo the run's user time was
    40-43 s with ``OMP_WAIT_POLICY=PASSIVE`` against 47-49 s without
    (``docs/benchmarks.md``, issue 19). OpenBLAS's workers spin for 2**28
    cycles (about 0.1 s) after each product by default, so between the dense
    betweenness's products they never slept; 2**4 cycles lets them sleep at
    once (``docs/benchmarks.md``, "Sleeping BLAS threads"). No value depends
    on it.
    """
    for name, value in WAITING_THREADS.items():
        os.environ.setdefault(name, value)


def one_blas_thread():
    """Give OpenBLAS one thread, unless the environment says: ``netdash metrics`` calls it before numpy loads.

    Sets ``OPENBLAS_NUM_THREADS=1`` when it is not set. The command's two
    exact dense betweenness computations (the only matrix products of any
    size it makes, :mod:`netdash.metrics._dense_brandes`) then run side by
    side, one core each (:meth:`netdash.analysis.NetworkAnalysis.start_background`),
    beside the other families' threads, instead of each splitting every
    product between two BLAS threads on a machine whose cores are already
    taken: on the medium demo the command took about 30% less CPU time
    (``docs/benchmarks.md``, "Session 12: medium ratio"). BLAS then adds a
    product's terms in one order whatever the machine's core count, which
    can move a betweenness in its last bit (about 1e-16 relative) against a
    run with several BLAS threads. The dashboard keeps OpenBLAS's default: a
    page computes one betweenness at a time.
    """
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
