"""netdash dashboard: the router and the shared sidebar.

Run with ``make run`` (or ``streamlit run streamlit_app.py``).
"""

import gc
from pathlib import Path

import streamlit as st

from netdash.memory import return_freed_memory
from netdash.threads import let_waiting_threads_sleep

# Before the pages' imports load numpy (and with it OpenBLAS), whose threads would otherwise spin after each
# matrix product and take the core the server and the browser need (netdash.threads).
let_waiting_threads_sleep()
return_freed_memory()

from pages import _cached, _shared, _turns  # noqa: E402

# A local icon: a ":material/...:" page icon makes the browser fetch the favicon from a public CDN.
st.set_page_config(page_title="netdash", page_icon=str(Path(__file__).parent / "assets" / "icon.png"), layout="wide")

# Fewer collections while the cached graphs, millions of long-lived objects, are built: docs/architecture.md.
GC_THRESHOLDS = (50_000, 20, 20)
gc.set_threshold(*GC_THRESHOLDS)

_shared.warm_imports()

PAGES = {
    "Overview": [
        st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page("pages/data.py", title="Data", icon=":material/upload_file:"),
        st.Page("pages/network_map.py", title="Network map", icon=":material/hub:"),
    ],
    "Analysis": [
        st.Page("pages/trust.py", title="Trust", icon=":material/handshake:"),
        st.Page("pages/brokerage.py", title="Brokerage", icon=":material/swap_horiz:"),
        st.Page("pages/fragmentation.py", title="Fragmentation", icon=":material/scatter_plot:"),
    ],
    "Change": [
        st.Page("pages/before_after.py", title="Before & after", icon=":material/compare_arrows:"),
        st.Page("pages/over_time.py", title="Over time", icon=":material/timeline:"),
        st.Page("pages/cop_impact.py", title="COP impact", icon=":material/insights:"),
    ],
    "Action": [
        st.Page("pages/isolation.py", title="Isolation & introductions", icon=":material/person_add:"),
        st.Page("pages/clients.py", title="Clients: the team around the person", icon=":material/diversity_3:"),
        st.Page("pages/report.py", title="Report", icon=":material/description:"),
    ],
}

# st.navigation is always called, first: if a run ended before it, Streamlit would fall back to serving files
# from pages/ directly, bypassing sign-in (pages/__init__.py covers the first run of a fresh server).
if _shared.signed_out():
    nav = st.navigation([st.Page(_shared.sign_in_page, title="Sign in", url_path="sign_in")], position="hidden")
    nav.run()
else:
    nav = st.navigation(PAGES)
    with _turns.page_turns():  # at most a few page runs compute at once, in arrival order (pages/_turns.py)
        _shared.signed_in_sidebar()
        _shared.sidebar()
        nav.run()
    # Cached results beyond the memory budget are dropped, the quickest to make again first (_cached.keep_within).
    _cached.keep_within()
