"""Widgets and cached loaders every page shares.

Pages call :func:`current` to get the dataset and settings chosen in the
sidebar; every number they show comes from ``netdash``.
"""

import datetime as dt
import logging
import re
import threading
from contextlib import contextmanager

import pandas as pd
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx

from netdash.errors import NetdashError
from netdash.periods import Period
from netdash.store import Workspace
from pages import _prefetch

log = logging.getLogger("netdash.app")

TIES_LABELS = {
    "all": "All ties (contacts, co-working, COP)",
    "working": "Working ties (contacts and co-working)",
    "direct": "Direct contacts only",
    "coworking": "Co-working around clients",
    "cop": "COP co-attendance",
}


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&])")


def md(text):
    """Escape user text for Streamlit's markdown (titles, captions, st.error ...).

    Markdown would otherwise turn a name such as ``![x](https://host/t.png)``
    into an image fetched from outside, or ``:red[...]`` into styling.
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def mark_routed():
    """Called by streamlit_app.py on every run, after it has applied sign-in and navigation."""
    get_script_run_ctx().netdash_routed = True


def ensure_routed():
    """Stop a page that Streamlit ran without going through streamlit_app.py in this run.

    Streamlit treats an app with a ``pages/`` folder as a version-1
    multipage app until ``st.navigation`` has run once in the server
    process; a first visitor who opens a deep link such as ``/overview``
    would get that file run directly, skipping the router and its sign-in.
    Every page calls this first. The mark is per run (kept on the run's
    context and consumed here), so a direct run is caught even in a session
    that was routed before; it switches the fallback off and reruns, so the
    router decides what is shown.
    """
    ctx = get_script_run_ctx()
    routed = getattr(ctx, "netdash_routed", False)
    ctx.netdash_routed = False
    if not routed:
        PagesManager.uses_pages_directory = False
        st.rerun()


#: Modules the pages import on first use, slowest last (seconds measured on this machine, one process:
#: altair 0.24, netdash.analysis 0.16, netdash.viz 0.09, scikit-learn's linear models 0.70).
WARM_IMPORTS = ("netdash.analysis", "netdash.compare", "netdash.viz", "netdash.viz.panels", "netdash.isolation",
                "netdash.impact", "netdash.clients", "netdash.report", "netdash.export", "altair",
                "sklearn.metrics", "sklearn.linear_model")


def _import_all():
    from netdash._imports import import_module
    from netdash.metrics import centrality

    try:
        centrality._nk()  # NetworKit first: it is imported with scikit-learn held back (netdash._imports)
        for name in WARM_IMPORTS:
            import_module(name)
    except Exception:  # noqa: BLE001 - a page importing the module itself will show the error
        log.exception("netdash: importing the pages' modules in the background failed")


@st.cache_resource(show_spinner=False)
def warm_imports():
    """Import what the pages need in a background thread, once per server (about 1.3 s of imports).

    A page's first load would otherwise pay for its own imports (Before &
    after 0.3 s, COP impact 0.7 s). Python's per-module import lock makes a
    page that needs a module still being imported wait for it, not import it
    twice.
    """
    thread = threading.Thread(target=_import_all, name="netdash-warm-imports", daemon=True)
    thread.start()
    return thread


@st.cache_resource(show_spinner=False)
def workspace():
    """The workspace, with the bundled demo imported on first start."""
    ws = Workspace()
    ws.ensure_demo()
    return ws


@st.cache_resource(show_spinner=False, max_entries=2)
def _listing(path, stamp):
    """The dataset list of the workspace at ``path`` while its database file is ``stamp`` (read-only)."""
    return tuple(workspace().list())


def _dataset_infos(*, refresh=False):
    """The workspace's datasets, read once per script run.

    Each read opens the database (30 to 120 ms); the sidebar, the current
    dataset, period and COP start all need the list, several times a run.
    The sidebar refreshes it at the start of every routed run, so a dataset
    imported or deleted in the previous run is seen: the list is kept while
    the database file is unchanged (same inode, size and modification time,
    and the same write-ahead log), which every import, replace and delete
    changes, also when another process (the CLI) made it.
    """
    ctx = get_script_run_ctx()
    if refresh or getattr(ctx, "netdash_infos", None) is None:
        ws = workspace()
        ctx.netdash_infos = list(_listing(str(ws.path), ws.stamp()))
    return ctx.netdash_infos


def dataset_names():
    return [info.name for info in _dataset_infos()]


@st.cache_resource(show_spinner="Loading dataset…", max_entries=4)
def load(name, version):
    """The dataset ``name`` at ``version``, one shared object: read it, never change it.

    A resource, not ``st.cache_data``: data caching would unpickle a fresh
    copy of every table (half a million contacts at medium scale, 0.1 s)
    on each of the three or four calls a run makes.
    """
    return workspace().open(name)


def import_warnings(ds):
    """The data-quality warnings noted when ``ds`` was imported, as a tuple of strings."""
    return _import_warnings(ds.name, ds.version)


@st.cache_resource(show_spinner=False, max_entries=8)
def _import_warnings(name, version):
    return tuple(str(w) for w in workspace().warnings(name))


def dataset_info(name):
    for info in _dataset_infos():
        if info.name == name:
            return info
    return None


def select_dataset(name):
    """Ask the sidebar to select ``name`` on the next run.

    The sidebar's selectbox owns ``st.session_state["dataset"]``, which cannot
    be written once the widget exists in a run; the request is applied
    before the widget is created.
    """
    st.session_state["dataset_request"] = name


def sidebar():
    """Dataset, period and COP start controls shared by every page."""
    if "dataset_request" in st.session_state:
        st.session_state["dataset"] = st.session_state.pop("dataset_request")
    names = [info.name for info in _dataset_infos(refresh=True)]
    if not names:
        st.sidebar.warning("No datasets yet: import one on the Data page.")
        return
    default = st.session_state.get("dataset")
    if default not in names:
        default = "demo" if "demo" in names else names[0]
    st.sidebar.selectbox("Dataset", names, index=names.index(default), key="dataset")
    ds = current_dataset()
    first, last = ds.date_range
    if first is None:
        st.sidebar.info("This dataset has no dated contacts yet.")
        return
    first, last = first.date(), last.date()
    period_key = f"period::{ds.name}::{ds.version}"
    if period_key not in st.session_state:
        st.session_state[period_key] = (first, last)
    st.sidebar.date_input(
        "Period", key=period_key, min_value=first, max_value=last,
        help="Days from the first to the last date, both included.",
    )
    cop_key = f"cop::{ds.name}::{ds.version}"
    first_cop = ds.first_cop_session
    if cop_key not in st.session_state:
        st.session_state[cop_key] = first_cop.date() if first_cop is not None else first
    st.sidebar.date_input(
        "COP start", key=cop_key, min_value=first, max_value=last,
        help="Splits before from after. Defaults to the first COP session.",
    )
    st.sidebar.caption(f"Dataset version {ds.version}")
    warm_before_after(ds, current_period(), current_cop_start())


def current_dataset():
    name = st.session_state.get("dataset")
    info = dataset_info(name) if name else None
    if info is None:
        names = dataset_names()
        if not names:
            st.info("No dataset is loaded. Import one on the Data page.")
            st.stop()
        info = dataset_info("demo" if "demo" in names else names[0])
    return load(info.name, info.version)


def current_period():
    """The sidebar period as a half-open :class:`Period`."""
    ds = current_dataset()
    value = st.session_state.get(f"period::{ds.name}::{ds.version}")
    if not value or len(value) != 2:
        return Period()
    start, end = value
    return Period(pd.Timestamp(start), pd.Timestamp(end) + pd.Timedelta(days=1))


def current_cop_start():
    ds = current_dataset()
    value = st.session_state.get(f"cop::{ds.name}::{ds.version}")
    return pd.Timestamp(value) if value else ds.first_cop_session


def period_key(period):
    """Hashable cache key for a period."""
    return (str(period.start), str(period.end))


@contextmanager
def shown_errors():
    """Show a NetdashError as a message on the page instead of a traceback."""
    try:
        yield
    except NetdashError as err:
        st.error(md(err))
        st.stop()


def explain(measures):
    """Plain explanations with formula and source one click away.

    ``measures`` is a list of (title, plain sentence, formula and source).
    """
    for title, plain, formula in measures:
        st.markdown(f"**{title}**: {plain}")
        with st.expander(f"How {title.lower()} is calculated"):
            st.markdown(formula)


def download_csv(frame, filename, label="Download CSV", key=None):
    """A download button for ``frame`` as a formula-safe CSV, written only when the button is pressed.

    Writing the CSV on every run cost up to 2 s on the larger tables at city
    scale (Before & after's tie changes); Streamlit calls the function on the
    click instead. ``frame`` must not be changed after this call; it may also
    be a function returning the frame, so a table only downloaded is not
    even built until then.
    """
    from netdash.export import safe_csv

    st.download_button(label, lambda: safe_csv(frame() if callable(frame) else frame), file_name=filename,
                       mime="text/csv", key=key or filename)


#: Rows of a table sent to the browser; more made Trust's every-pair table 5.4 MB (52,000 rows at medium scale)
#: and its toggle over a second. Downloads always hold every row.
MAX_TABLE_ROWS = 1000


def dataframe_head(frame, what, **kwargs):
    """``st.dataframe`` of ``frame``'s first :data:`MAX_TABLE_ROWS` rows, saying so when rows are left out.

    ``frame`` should already be in the order a reader wants (strongest
    first, say); ``what`` names its rows for the note (e.g. "strongest pairs").
    """
    st.dataframe(frame.head(MAX_TABLE_ROWS), **kwargs)
    if len(frame) > MAX_TABLE_ROWS:
        st.caption(f"Showing the {MAX_TABLE_ROWS:,} {what} of {len(frame):,}; the download below has all of them.")


def trust_rule():
    """The trust rule chosen on the Trust page (defaults elsewhere)."""
    return dict(st.session_state.get("trust_rule", {}))


def trust_rule_controls():
    """Widgets for the trust thresholds; remembered for the other pages."""
    rule = trust_rule()
    with st.expander("Trust rule settings", expanded=False):
        c1, c2, c3, c4 = st.columns(4)
        rule["min_interactions"] = c1.number_input("Contacts at least", 1, 50, rule.get("min_interactions", 3),
                                                   key="trust_min_interactions")
        rule["min_months"] = c2.number_input("In different months, at least", 1, 24, rule.get("min_months", 2),
                                             key="trust_min_months")
        rule["require_reciprocity"] = c3.checkbox("Both sides made contact", rule.get("require_reciprocity", True),
                                                  key="trust_reciprocity")
        rule["survey_threshold"] = c4.slider("Survey rating at least", 1.0, 4.0,
                                             float(rule.get("survey_threshold", 3.0)), 0.5, key="trust_threshold")
        rule["use_survey"] = st.checkbox("Use the trust survey where a pair was rated", rule.get("use_survey", True),
                                         key="trust_use_survey")
    rule["min_interactions"] = int(rule["min_interactions"])
    rule["min_months"] = int(rule["min_months"])
    st.session_state["trust_rule"] = rule
    return rule


def rule_key(rule):
    return tuple(sorted(rule.items()))


#: Analyses kept at once, and for how long one is kept unused. Each holds its edge tables, matrices and, once
#: asked for, networkx graphs and betweenness: 5 to 41 MB at medium scale (RSS growth per ties setting, whole
#: period). Pages differ in the ties they start with, and Before & after makes two per ties setting, so six
#: were too few for one visit to every page: a second visit could find its analysis gone and compute it again.
ANALYSES_KEPT, ANALYSIS_TTL = 16, 3600


def analysis(ds, period, ties="all", *, window_days=90, trust_options=None):
    """The shared :class:`netdash.analysis.NetworkAnalysis` of ``ds`` over ``period`` with ``ties``.

    One object per dataset version, period, ties and trust rule, shared by
    every page and session, so Brokerage then Fragmentation on the same
    period pay for the edge tables and matrices once. It computes lazily:
    a page pays only for the graphs and measures it asks for. Treat it and
    everything it returns (``.G``, ``.D``, ``.matrix``, tables) as
    read-only: copy a graph before changing it.
    """
    rule = dict(trust_options or {})
    return _analysis(ds.name, ds.version, period_key(period), ties, int(window_days), rule_key(rule),
                     ds, period, rule)


@st.cache_resource(show_spinner=False, max_entries=ANALYSES_KEPT, ttl=ANALYSIS_TTL)
def _analysis(name, version, period_key, ties, window_days, rule_key, _ds, _period, _rule):
    from netdash.analysis import NetworkAnalysis

    return NetworkAnalysis(_ds, _period, ties=ties, window_days=window_days, trust_options=_rule)


def split_period(ds, period, cop_start):
    """Before & after's default periods: ``period`` (the whole dataset where open) split at ``cop_start``.

    Raises :class:`netdash.errors.NetdashError` (from
    :func:`netdash.dynamics.split_at`) when there is nothing to split.
    """
    from netdash.dynamics import split_at

    first, last = ds.date_range
    start = period.start if period.start is not None else first
    end = period.end - pd.Timedelta(days=1) if period.end is not None else last
    return split_at(start, end, cop_start)


def comparison(ds, before, after, ties, replicates=0):
    """:func:`netdash.compare.compare_periods` of the shared analyses (shared: do not change it)."""
    return _comparison(ds.name, ds.version, period_key(before), period_key(after), ties, int(replicates),
                       ds, before, after)


@st.cache_resource(show_spinner="Comparing the periods (with intervals this can take minutes)…", max_entries=8,
                   ttl=ANALYSIS_TTL)
def _comparison(name, version, before_key, after_key, ties, replicates, _ds, _before, _after):
    from netdash.compare import compare_periods

    # The analyses the page draws from: their networks are read, not built a second time.
    analyses = (analysis(_ds, _before, ties), analysis(_ds, _after, ties))
    return compare_periods(_ds, _before, _after, ties=ties, permutations=replicates, bootstrap=replicates,
                           analyses=analyses)


def warm_before_after(ds, period, cop_start):
    """Queue Before & after's default work (no intervals) for the background worker.

    The page is the slowest to open (two analyses, a comparison and a layout:
    about 1.9 s of its 3.1 to 3.8 s first load at medium scale), and it
    depends only on the sidebar, so the work can be done while the user
    reads any page.
    """
    from netdash.errors import NetdashError
    from netdash.impact import OUTCOME_TIES

    def job():
        try:
            before, after = split_period(ds, period, cop_start)
        except NetdashError:
            return  # the page explains it
        ties = OUTCOME_TIES[0]  # the page's default
        for p in (before, after):
            analysis(ds, p, ties).G
        comparison(ds, before, after, ties)
        period_positions(ds, period)

    key = ("before_after", ds.name, ds.version, period_key(period), None if cop_start is None else str(cop_start))
    _prefetch.warm(ds, key, job)


def period_positions(ds, period):
    """Map positions of everyone in post in ``period``, laid out from all ties (shared: do not change it).

    One layout per dataset version and period, used by the Network map for
    every ties setting and by Before & after when both its periods lie in
    ``period``: a practitioner sits in the same place on both pages, and no
    page lays the same network out twice (0.7 to 1.1 s at medium scale).
    """
    return _period_positions(ds.name, ds.version, period_key(period), ds, period)


@st.cache_resource(show_spinner="Laying out the map…", max_entries=8, ttl=ANALYSIS_TTL)
def _period_positions(name, version, period_key, _ds, _period):
    from netdash.viz import layout_positions

    return layout_positions(analysis(_ds, _period, "all").G)


def positions_for(ds, period, graphs):
    """:func:`period_positions` of ``period`` when they place every node of ``graphs``, else their own layout.

    For pages that draw several graphs within ``period`` (Before & after's
    two periods, Over time's windows): everyone in post in a part of
    ``period`` is in post in ``period``, so the shared layout normally
    serves; should someone be missing, ``graphs`` are laid out together
    (:func:`netdash.viz.stable_positions`). Cache the result by the graphs'
    settings: the fallback is a full layout.
    """
    from netdash.viz import stable_positions

    shared = period_positions(ds, period)
    if all(v in shared for G in graphs for v in G):
        return shared
    return stable_positions(graphs)


def practitioner_labels(ds):
    """practitioner_id -> "Name (id)" where a name was supplied, else the id (shared: do not change it)."""
    return _practitioner_labels(ds.name, ds.version, ds)


@st.cache_resource(show_spinner=False, max_entries=8)
def _practitioner_labels(name, version, _ds):
    people = _ds.practitioners
    return {
        pid: (f"{label} ({pid})" if isinstance(label, str) and label else pid)
        for pid, label in zip(people["practitioner_id"], people["name"])
    }


def agency_names(ds):
    """agency_id -> name (shared: do not change it)."""
    return _agency_names(ds.name, ds.version, ds)


@st.cache_resource(show_spinner=False, max_entries=8)
def _agency_names(name, version, _ds):
    return dict(zip(_ds.agencies["agency_id"], _ds.agencies["name"]))


@st.cache_resource(show_spinner=False, max_entries=8)
def _palette(name, version, _ds):
    from netdash.viz import agency_colours

    return agency_colours(agency_names(_ds))


#: Above this many agencies an agency × agency heat map has cells of a few pixels and is slow in the browser
#: (120 agencies at medium scale: 14,400 cells, 1.2 MB sent and 0.6 to 1.0 s to draw), so pages start with sectors.
MAX_HEATMAP_AGENCIES = 25


def sector_label(sector):
    """``"mental_health"`` -> ``"Mental health"``."""
    return str(sector).replace("_", " ").capitalize()


def heatmap_groups(ds, key):
    """A choice between agencies and sectors for an agency-mixing heat map, and how to relabel its matrices.

    Returns ``(collapse, rename)``: ``collapse(matrix)`` turns an agency ×
    agency matrix into the chosen level's (unchanged for agencies), and
    ``rename`` maps its labels to display names.
    """
    from netdash.metrics.mixing import collapse_mixing

    n_agencies = len(ds.agencies)
    options = ["sector", "agency"]
    label = {"sector": "Sectors", "agency": f"Agencies ({n_agencies} × {n_agencies}"
             + (", slower)" if n_agencies > MAX_HEATMAP_AGENCIES else ")")}
    level = st.radio("Show ties between", options, format_func=label.get, horizontal=True, key=key,
                     index=1 if n_agencies <= MAX_HEATMAP_AGENCIES else 0,
                     help="Each agency belongs to one sector (housing, mental health, …); "
                          "sector cells add up their agencies' ties.")
    if level == "agency":
        return (lambda matrix: matrix), agency_names(ds)
    sectors = dict(zip(ds.agencies["agency_id"], ds.agencies["sector"]))
    return (lambda matrix: collapse_mixing(matrix, sectors)), {s: sector_label(s) for s in set(sectors.values())}


def palette(ds):
    """Agency colours for the whole dataset, so an agency keeps its colour on every page and map."""
    return _palette(ds.name, ds.version, ds)


def auth_configured():
    """True when .streamlit/secrets.toml has an [auth] section (sign-in is then required)."""
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file at all means no sign-in configured
        return False


def signed_out():
    """True when sign-in is configured and this visitor has not signed in."""
    return auth_configured() and not st.user.is_logged_in


def signed_in_sidebar():
    """Who is signed in, and a sign-out button (only when sign-in is configured)."""
    if auth_configured() and st.user.is_logged_in:
        with st.sidebar:
            st.caption(f"Signed in as {md(st.user.get('email') or st.user.get('name') or 'user')}")
            st.button("Sign out", on_click=st.logout, key="sign_out")


def sign_in_page():
    """The only page a signed-out visitor can reach (Streamlit's built-in OIDC, ``st.login``).

    With named providers (``[auth.<name>]`` sections) a button is shown for each.
    """
    st.title("netdash")
    st.write("This dashboard holds data about vulnerable people. Sign in to continue.")
    providers = [name for name, value in st.secrets["auth"].items() if hasattr(value, "keys")]
    if providers:
        for name in providers:
            st.button(f"Sign in with {name}", on_click=st.login, args=(name,), key=f"sign_in_{name}")
    else:
        st.button("Sign in", on_click=st.login, key="sign_in")
