"""Page runs take turns: at most :data:`RUNS_AT_ONCE` compute at once in this server, the others wait in order.

Every session's script runs as a thread of the one server process, so all
of them share one interpreter lock, and with the event loop that sends
finished pages to the browsers. With 8 sessions each opening a page, 8
computations shared it (docs/security.md, "Many users at once"): each page
took as long as all of them together, and the pages that were done reached
their browsers late. Taking turns in arrival order, a page computes at
nearly full speed once its turn comes, and a session waiting for its turn
shows how many page runs are ahead of it instead of an unexplained spinner.

Nothing is computed ahead of time or in the background (issue 14): a turn
only orders the runs users asked for.
"""

import collections
import contextlib
import os
import threading
import time

import streamlit as st

__all__ = ["RUNS_AT_ONCE", "Turns", "page_turns"]


def _runs_at_once():
    value = os.environ.get("NETDASH_PAGE_RUNS_AT_ONCE", "")
    return int(value) if value.strip().isdigit() and int(value) > 0 else 2


RUNS_AT_ONCE = _runs_at_once()
"""Page runs computing at once: 2 (one in numpy, DuckDB or NetworKit while another holds the interpreter lock).

``NETDASH_PAGE_RUNS_AT_ONCE`` overrides it (a large number: no turns, as
before; ``bench/load_sessions.py --runs-at-once`` compares both).
"""


class Turns:
    """First come, first served, ``slots`` at a time.

    Examples
    --------
    >>> turns = Turns(1)
    >>> with turns.turn(lambda ahead: None):
    ...     turns.running
    1
    """

    def __init__(self, slots):
        self.slots = int(slots)
        self.running = 0
        self._queue = collections.deque()
        self._cond = threading.Condition()

    @property
    def queued(self):
        """Runs waiting for a turn."""
        with self._cond:
            return len(self._queue)

    def _ahead(self, ticket):
        """Runs that go before ``ticket``: those computing, and those queued before it."""
        return self.running + self._queue.index(ticket)

    @contextlib.contextmanager
    def turn(self, waiting, *, every=0.5):
        """Wait for a turn, calling ``waiting(n_ahead)`` every ``every`` s meanwhile (outside the lock).

        ``waiting`` may raise (Streamlit stops a run that way when its user
        clicks elsewhere): the place in the queue is then given up.
        """
        ticket = object()
        with self._cond:
            self._queue.append(ticket)
        try:
            while True:
                with self._cond:
                    if self.running < self.slots and self._queue[0] is ticket:
                        self._queue.popleft()
                        self.running += 1
                        self._cond.notify_all()
                        break
                    ahead = self._ahead(ticket)
                waiting(ahead)
                with self._cond:
                    self._cond.wait(timeout=every)
        except BaseException:
            with self._cond:
                self._queue.remove(ticket)
                self._cond.notify_all()
            raise
        try:
            yield
        finally:
            with self._cond:
                self.running -= 1
                self._cond.notify_all()


_TURNS = Turns(RUNS_AT_ONCE)


@contextlib.contextmanager
def page_turns():
    """Run the body in this server's turn; meanwhile the page says how many runs are ahead of it.

    The message goes where the page would start, and is cleared when the
    turn comes; a run that needs no wait adds nothing to the page.
    """
    started = time.monotonic()
    shown = {}

    def waiting(ahead):
        seconds = time.monotonic() - started
        if seconds < 0.5:
            return  # a short wait is not worth a message
        text = (f"Waiting for the server: {ahead} page{'s' if ahead != 1 else ''} of this or other sessions "
                f"{'are' if ahead != 1 else 'is'} being computed or queued before this one "
                f"({seconds:.0f} s so far). The server computes {RUNS_AT_ONCE} at a time so each finishes sooner.")
        if text != shown.get("text"):
            if "placeholder" not in shown:
                shown["placeholder"] = st.empty()
            shown["placeholder"].info(text, icon=":material/hourglass_top:")
            shown["text"] = text

    with _TURNS.turn(waiting):
        if "placeholder" in shown:
            shown["placeholder"].empty()
        yield
