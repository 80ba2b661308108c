"""The sidebar, the widgets every page shares, and what the pages read from them.

Pages call :func:`current_dataset`, :func:`current_period` and
:func:`current_cop_start` for the sidebar's choices and pass them to
:mod:`pages._cached`; every number they show comes from ``netdash``.
"""

import functools
import html
import logging
import re
import threading
from contextlib import contextmanager

import numpy as np
import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from netdash.access import role_for
from netdash.errors import NetdashError
from netdash.periods import Period
from pages import _cached

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


#: Modules the pages import on first use that take long to import: the first page needing one would pay for it
#: (docs/architecture.md, "Caching": COP impact's first load and scikit-learn).
WARM_IMPORTS = ("netdash.analysis", "netdash.change.compare", "netdash.viz", "netdash.viz.panels",
                "netdash.actions.isolation", "netdash.change.impact", "netdash.actions.clients", "netdash.report",
                "netdash.export", "altair", "sklearn.metrics", "sklearn.linear_model")


def _import_all():
    from netdash.metrics.backends import import_module, networkit

    try:
        networkit()  # NetworKit first: it is imported with scikit-learn held back (netdash.metrics.backends)
        for name in WARM_IMPORTS:
            import_module(name)
    except Exception:  # noqa: BLE001 - a page importing the module itself will show the error
        log.exception("netdash: importing the pages' modules in the background failed")


@functools.cache
def warm_imports():
    """Import :data:`WARM_IMPORTS` in a thread, once per server process; return the thread.

    The only work the app does outside a script run. It computes nothing
    and fills no cache; Python's per-module import lock makes a page that
    needs a module still being imported wait for it, not import it twice.
    """
    thread = threading.Thread(target=_import_all, name="netdash-warm-imports", daemon=True)
    thread.start()
    return thread


def _dataset_infos(*, refresh=False):
    """The workspace's datasets, read once per script run.

    Each read opens the database (docs/benchmarks.md, "pages/_shared.py: datasets"); the sidebar, the current
    dataset, period and COP start all need the list, several times a run.
    The sidebar refreshes it at the start of every routed run, so a dataset
    imported or deleted in the previous run is seen: the list is kept while
    the database file is unchanged (same inode, size and modification time,
    and the same write-ahead log), which every import, replace and delete
    changes, also when another process (the CLI) made it.
    """
    ctx = get_script_run_ctx()
    if refresh or getattr(ctx, "netdash_infos", None) is None:
        ws = _cached.workspace()
        ctx.netdash_infos = list(_cached.dataset_listing(str(ws.path), ws.stamp()))
    return ctx.netdash_infos


def dataset_names():
    return [info.name for info in _dataset_infos()]


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


def current_dataset():
    name = st.session_state.get("dataset")
    info = dataset_info(name) if name else None
    if info is None:
        names = dataset_names()
        if not names:
            st.info("No dataset is loaded. Import one on the Data page.")
            st.stop()
        info = dataset_info("demo" if "demo" in names else names[0])
    return _cached.load(info.name, info.version)


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


@contextmanager
def shown_errors():
    """Show a NetdashError as a message on the page instead of a traceback."""
    try:
        yield
    except NetdashError as err:
        st.error(md(err))
        st.stop()


#: Whether ``ds`` is big enough for pages to show their stages as they go (:data:`pages._cached.LARGE_CONTACTS`).
is_large = _cached.is_large


@contextmanager
def stages(title, *, show=True):
    """A status box whose line names the stage being computed; yields ``step(label)`` to call as each starts.

    Shown only when ``show`` (a large dataset): small data is computed before
    a box would be read. The box ends as "``title``: done", so a page never
    shows a bare "running" while it works.
    """
    if not show:
        yield lambda label: None
        return
    with st.status(f"{title}…", expanded=False) as box:
        yield lambda label: box.update(label=label)
        box.update(label=f"{title}: done", state="complete")


def explain(measures, *, one_box=False):
    """Plain explanations with formula and source one click away.

    ``measures`` is a list of (title, plain sentence, formula and source).
    ``one_box``: every plain sentence in one Markdown element and every
    formula in one expander, three elements instead of three per measure
    (Before & after's nine were 27 of its 86 elements, each rendered again
    at every setting: docs/browser_timings.md, "Session 16").
    """
    if one_box:
        st.markdown("\n\n".join(f"**{title}**: {plain}" for title, plain, _ in measures))
        with st.expander("How each is calculated"):
            st.markdown("\n\n".join(f"**{title}**: {formula}" for title, _, formula in measures))
        return
    for title, plain, formula in measures:
        st.markdown(f"**{title}**: {plain}")
        with st.expander(f"How {title.lower()} is calculated"):
            st.markdown(formula)


def download_csv(frame, filename, label="Download CSV", key=None):
    """A download button for ``frame`` as a formula-safe CSV, written only when the button is pressed.

    Writing the CSV on every run was slow on the larger tables at city scale
    (docs/benchmarks.md, "pages/_shared.py: download_csv"); Streamlit calls the
    function on the click instead. ``frame`` must not be changed after this call; it may also
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


def _cell(value, decimals=None):
    """One cell of :func:`small_table` as HTML text: floats to 4 significant digits (never rounded to 0), or to
    ``decimals`` decimal places when given (trailing zeros dropped); NaN empty."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, (float, np.floating)):
        if decimals is not None:  # + 0.0: a -0.0 is shown as 0
            return np.format_float_positional(round(float(value), decimals) + 0.0, precision=decimals, trim="-")
        return np.format_float_positional(value, precision=4, fractional=False, trim="-")
    return html.escape(str(value))


#: :func:`small_table`'s look: the lines and padding of Streamlit's Markdown tables in either theme, numbers on the
#: right, at most about 12 rows high and scrolled within, as a data grid is (Fragmentation's 120 agencies).
_SMALL_TABLE_STYLE = ("<style>.nd-table-box{max-height:420px;overflow:auto;margin-bottom:1rem}"
                      ".nd-table{border-collapse:collapse;font-size:0.875rem}"
                      ".nd-table th,.nd-table td{border:1px solid rgba(128,128,128,0.3);padding:0.25rem 0.75rem;"
                      "text-align:left;vertical-align:top}.nd-table td.nd-n{text-align:right}"
                      ".nd-table td.nd-long{min-width:16rem}.nd-table td.nd-word{white-space:nowrap}</style>")
#: A text column with a value longer than this many characters gets wider cells (``nd-long``), so a sentence
#: (Isolation's evidence for an introduction) is not wrapped to a word a line beside short columns.
LONG_TEXT = 40


def _text_kind(values):
    """The class of a text column's cells: wide for sentences, unbroken for single words such as dates."""
    if values.str.len().max() > LONG_TEXT:
        return " class='nd-long'"
    return " class='nd-word'" if not values.str.contains(r"\s").any() else ""


def small_table(frame, *, hide_index=False, decimals=None):
    """A small ``frame`` (up to a few hundred short rows) as one plain HTML table: no data grid.

    A data grid keeps changing the page 130 to 200 ms after the run has
    ended (Fragmentation's two small tables were the last things to change
    after each interaction), and ``st.table`` renders each cell as its own
    Markdown element. Every header, label and text cell is HTML-escaped, so
    a name such as ``<img src=x onerror=alert(1)>`` is shown as text. Floats
    show 4 significant digits, so a small value (a key player's gain of
    0.000003) is not shown as 0, or ``decimals`` decimal places where a table
    rounds its values (Before & after's measures: 3, as its data grid did, so
    43767 ties stay 43767, not 43770); missing values are empty.
    """
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns]
    kinds = [" class='nd-n'" if n else _text_kind(frame[c].astype(str)) for c, n in zip(frame.columns, numeric)]
    label = [] if hide_index else [f"<th>{_cell(frame.index.name or '')}</th>"]
    # A header may break after an underscore (last_shared_<wbr>contact), so the column is as wide as its values.
    rows = ["<tr>" + "".join(label) + "".join(f"<th>{_cell(c).replace('_', '_<wbr>')}</th>" for c in frame.columns)
            + "</tr>"]
    for name, values in zip(frame.index, frame.itertuples(index=False, name=None)):
        label = [] if hide_index else [f"<th>{_cell(name)}</th>"]
        rows.append("<tr>" + "".join(label) + "".join(
            f"<td{kind}>{_cell(v, decimals)}</td>" for v, kind in zip(values, kinds))
            + "</tr>")
    st.html(f"{_SMALL_TABLE_STYLE}<div class='nd-table-box'><table class='nd-table'><thead>{rows[0]}</thead>"
            f"<tbody>{''.join(rows[1:])}</tbody></table></div>")


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


#: Above this many agencies an agency × agency heat map has cells of a few pixels and is slow in the browser
#: (docs/benchmarks.md, "pages/_shared.py: MAX_HEATMAP_AGENCIES"), so pages start with sectors.
MAX_HEATMAP_AGENCIES = 25


def heatmap_level(ds, key):
    """A choice between agencies and sectors for an agency-mixing heat map: ``"agency"`` or ``"sector"``.

    Agencies by default while they fit (:data:`MAX_HEATMAP_AGENCIES`);
    :func:`netdash.metrics.mixing.group_mixing` turns a matrix into the
    chosen level's.
    """
    n_agencies = len(ds.agencies)
    label = {"sector": "Sectors", "agency": f"Agencies ({n_agencies} × {n_agencies}"
             + (", slower)" if n_agencies > MAX_HEATMAP_AGENCIES else ")")}
    return st.radio("Show ties between", ["sector", "agency"], format_func=label.get, horizontal=True, key=key,
                    index=1 if n_agencies <= MAX_HEATMAP_AGENCIES else 0,
                    help="Each agency belongs to one sector (housing, mental health, …); "
                         "sector cells add up their agencies' ties.")


def auth_configured():
    """True when .streamlit/secrets.toml has an [auth] section (sign-in is then required)."""
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file at all means no sign-in configured
        return False


def signed_out():
    """True when sign-in is configured and this visitor has not signed in."""
    return auth_configured() and not st.user.is_logged_in


def _role_rules():
    """``[netdash.roles]`` from the secrets, or None when there is no such section."""
    try:
        section = st.secrets.get("netdash")
    except Exception:  # noqa: BLE001 - no secrets file
        return None
    roles = section.get("roles") if section is not None and hasattr(section, "get") else None
    return dict(roles) if roles is not None else None


def current_user():
    """Who is using the dashboard, for the workspace's record of changes."""
    if auth_configured() and st.user.is_logged_in:
        return str(st.user.get("email") or st.user.get("name") or "signed-in user")
    return "local user (dashboard, no sign-in)"


def current_role():
    """This visitor's role (netdash.access): viewer, editor or admin."""
    signed_in = auth_configured() and st.user.is_logged_in
    return role_for(st.user.get("email") if signed_in else None, _role_rules(), signed_in=signed_in)


def signed_in_sidebar():
    """Who is signed in, and a sign-out button (only when sign-in is configured)."""
    if auth_configured() and st.user.is_logged_in:
        with st.sidebar:
            try:
                role = current_role()
            except NetdashError:
                role = "role not set: see the Data page"
            st.caption(f"Signed in as {md(st.user.get('email') or st.user.get('name') or 'user')} ({md(role)})")
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
