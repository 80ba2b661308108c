"""The dashboard's pages, and the one guard that keeps a deep link from skipping the router (and its sign-in).

A folder named ``pages/`` next to the main script switches on Streamlit's
version-1 multipage mode (``PagesManager.uses_pages_directory``, a class
attribute set once per server process when the first session starts) until
``st.navigation`` has run once. In that mode a script run executes the page
file the URL names directly (``script_runner._mpa_v1``): a visitor of a fresh
server who opens ``/overview`` would get the page without
``streamlit_app.py`` having decided whether they are signed in.

Every page, and the router, imports this package before showing anything,
so its first import in the server process happens in the first script run.
It switches the version-1 mode off and reruns every script run then in
progress, this one included: each of them may have started in that mode
(several tabs reconnecting to a restarted server at once), and a run that
imports this package after its first import runs nothing here. A rerun
starts again from ``streamlit_app.py``, which shows the sign-in page or the
page asked for. ``st.rerun`` raises, so that first import fails and Python
imports the package again in the rerun, when there is nothing left to do;
the other runs stop at their next element, before it is sent. ``_mpa_v1``
never runs ``__init__.py`` as a page. tests/e2e/test_routing_browser.py
checks a fresh server, one visitor and several at once.
"""

import threading

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import RerunData, get_script_run_ctx
from streamlit.runtime.scriptrunner_utils.script_run_context import SCRIPT_RUN_CONTEXT_ATTR_NAME


def _rerun_other_runs():
    """Ask every other script run in progress in this process to start again (as ``st.rerun`` does for its own)."""
    for thread in threading.enumerate():
        ctx = getattr(thread, SCRIPT_RUN_CONTEXT_ATTR_NAME, None)
        if thread is not threading.current_thread() and ctx is not None and ctx.script_requests is not None:
            ctx.script_requests.request_rerun(RerunData(query_string=ctx.query_string,
                                                        page_script_hash=ctx.page_script_hash))


if PagesManager.uses_pages_directory and get_script_run_ctx(suppress_warning=True) is not None:
    PagesManager.uses_pages_directory = False
    _rerun_other_runs()
    st.rerun()
