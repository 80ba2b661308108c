"""Work a page will probably need next, done in the background while the user reads the page.

Changing a page's main setting to an option never computed before costs
the measures for that option (exact betweenness on Brokerage, two
analyses and a comparison on Before & after): 1 to 3 s at medium scale.
Reading a page takes longer than that. So after a page has been drawn it
hands :func:`submit` one job per other option of its main setting, and a
single worker thread computes them through the same cached functions the
page calls. When the user then picks one, the page finds it cached; if
they pick it while the worker is still on it, Streamlit's per-value
compute lock makes the page wait for that computation instead of starting
a second one.

Some pages are slow to open even with their measures shared, so every run
also hands :func:`warm` their default work (Before & after's comparison).
It is queued once however often it is asked for and runs after the page
jobs: by the time the user opens the page, it is there.

The worker stays out of the way of the pages: it starts a job only when
no script run has been in progress for :data:`IDLE_S`, one job at a time,
and a page's :func:`submit` replaces whatever another page asked for.
Jobs only fill caches; an error in one is logged and dropped (the page
shows it properly if the user asks for that option).

``NETDASH_PREFETCH=0`` switches it off. The unit and AppTest suite does,
so each test sees only what its page computed; the browser suite
(tests/e2e) runs its server with it on, as users run it.
"""

import atexit
import functools
import logging
import os
import threading
import time
from contextlib import contextmanager

log = logging.getLogger("netdash.app")

#: Datasets with more contacts get no background work: there one option's measures take tens of seconds and
#: an analysis hundreds of MB, so guessing wrong would cost the user more than it saves (medium: 526,654).
MAX_CONTACTS = 2_000_000

#: Seconds without a script run before the worker starts a job: long enough that a click's rerun, or the
#: next page's run straight after a navigation, gets the CPU first.
IDLE_S = 0.3


THREAD_NAME = "netdash-prefetch"


class _NoContextWarning(logging.Filter):
    """Drop Streamlit's "missing ScriptRunContext" warning for the worker: it runs outside script runs on purpose."""

    def filter(self, record):
        return not (record.threadName == THREAD_NAME and "missing ScriptRunContext" in str(record.msg))


logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(_NoContextWarning())


def enabled():
    return os.environ.get("NETDASH_PREFETCH", "1") != "0"


class Prefetcher:
    """Two queues of keyed jobs and one daemon thread that runs them while no script runs.

    The page's jobs (:meth:`submit`, replaced by the next page) run first;
    warm-up jobs (:meth:`warm`, never queued twice) when there are none.
    """

    def __init__(self, idle_s=IDLE_S):
        self.idle_s = idle_s
        self._cond = threading.Condition()
        self._jobs = {}  # key -> callable, in the order submitted
        self._later = {}  # warm-up jobs: key -> callable
        self._running = 0
        self._quiet_since = time.monotonic()
        self._thread = None
        self._busy = False
        self._stopping = False
        self.done = []  # keys of finished jobs, newest last (kept short; for tests and logs)

    @contextmanager
    def script_run(self):
        """Mark a script run in progress (streamlit_app.py wraps every run in this)."""
        with self._cond:
            self._running += 1
        try:
            yield
        finally:
            with self._cond:
                self._running -= 1
                self._quiet_since = time.monotonic()
                self._cond.notify_all()

    def submit(self, jobs):
        """Replace the queued jobs with ``jobs``, an iterable of (key, callable), first to run first."""
        with self._cond:
            if not self._stopping:
                self._jobs = dict(jobs)
                self._wake()

    def warm(self, key, job):
        """Queue ``job`` to run when there are no page jobs, unless a job with ``key`` is queued already.

        Done jobs are queued again when asked: a job whose results are still
        cached costs only the cache reads, and one whose results were evicted
        does its work again.
        """
        with self._cond:
            if not self._stopping:
                self._later.setdefault(key, job)
                self._wake()

    def stop(self, timeout=60):
        """Drop the queued jobs, let the running one finish (up to ``timeout`` s) and end the thread.

        Registered to run at interpreter exit: a daemon thread still inside
        a C extension when Python finalises can crash the process.
        """
        with self._cond:
            self._stopping = True
            self._jobs.clear()
            self._later.clear()
            self._cond.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _wake(self):
        if (self._jobs or self._later) and self._thread is None:
            self._thread = threading.Thread(target=self._work, name=THREAD_NAME, daemon=True)
            self._thread.start()
        self._cond.notify_all()

    def pending(self):
        with self._cond:
            return [*self._jobs, *self._later]

    def wait_idle(self, timeout):
        """Wait until no job is queued or running; return whether that happened within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._jobs or self._later or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(timeout=left)
            return True

    def _next(self):
        with self._cond:
            while True:
                if self._stopping:
                    return None
                queue = self._jobs or self._later
                if not queue:
                    self._cond.wait()
                    continue
                wait = self._quiet_since + self.idle_s - time.monotonic()
                if self._running or wait > 0:
                    self._cond.wait(timeout=max(wait, 0.05))
                    continue
                key = next(iter(queue))
                self._busy = True
                return key, queue.pop(key)

    def _work(self):
        while True:
            item = self._next()
            if item is None:
                return
            key, job = item
            started = time.perf_counter()
            log.debug("Prefetching %r", key)
            try:
                job()
            except Exception:  # noqa: BLE001 - a prefetch only warms a cache; the page reports errors itself
                log.warning("Background computation %r failed; the page will compute it when asked.", key,
                            exc_info=True)
            else:
                log.debug("Prefetched %r in %.2f s", key, time.perf_counter() - started)
            with self._cond:
                self._busy = False
                self.done = [*self.done[-31:], key]
                self._cond.notify_all()


_prefetcher = Prefetcher()
script_run = _prefetcher.script_run
atexit.register(_prefetcher.stop)


def _worth_it(ds):
    return enabled() and len(ds.contacts) <= MAX_CONTACTS


def submit(ds, jobs):
    """Queue ``jobs`` ((key, callable) pairs) for the background worker, replacing any queued before.

    Call it at the end of a page, with one job per option of the page's
    main setting other than the one shown, each calling the page's own
    cached functions on ``ds``. A callable must not use ``st.*`` elements:
    it runs outside any script run. Nothing is queued when prefetching is
    off or ``ds`` has more than :data:`MAX_CONTACTS` contacts.
    """
    if _worth_it(ds):
        _prefetcher.submit(jobs)


def warm(ds, key, job):
    """Queue ``job``, work a page will need when it is opened, after the page jobs (once if queued twice).

    ``key`` must name everything the job depends on (dataset version,
    period ...). Same conditions and rules as :func:`submit`.
    """
    if _worth_it(ds):
        _prefetcher.warm(key, job)


def other_options(page, options, current, *steps):
    """((page, option), job) for every option but ``current``; the ones after it first (the next choice).

    With several ``steps`` (callables of the option), one entry per option
    and step, keyed ``(page, option, i)``, in that order: a page the user
    opens meanwhile replaces the rest after at most one step, not after
    all of an option's work.
    """
    options = list(options)
    at = options.index(current) if current in options else -1
    ordered = [option for option in options[at + 1:] + options[:max(at, 0)] if option != current]
    if len(steps) == 1:
        return [((page, option), functools.partial(steps[0], option)) for option in ordered]
    return [((page, option, i), functools.partial(step, option)) for option in ordered for i, step in enumerate(steps)]
