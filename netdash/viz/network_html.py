"""A standalone, offline, interactive network map: one HTML file, safe for any names.

The file holds netdash's own map renderer (``templates/maps_module.js``, the
module that draws every map of the dashboard) and the maps' specs
(:func:`netdash.viz.spec.network_spec`), so a map a user downloads or writes
with ``netdash export DATASET --out map.html`` looks and behaves as it does on
the Network map page: pan, zoom, tooltips, node size by a measure, labels by
level of detail, PNG and SVG images of the view.

What keeps it safe, whatever the names:

- the page is rendered by an autoescaping Jinja template; the only user text
  in its markup is the title, escaped;
- the specs travel as JSON in a ``<script type="application/json">`` block
  with ``<``, ``>``, ``&``, U+2028 and U+2029 written as ``\\uXXXX``
  (:func:`script_json`), and the renderer shows every name as text only;
- a Content-Security-Policy allows exactly the page's one script and one
  stylesheet (by their SHA-256 hashes) and nothing else: no request of any
  kind, no other script, no frame, no form, no base URL.
"""

import base64
import hashlib
import json
import re
from importlib import resources

import jinja2
from markupsafe import Markup

from netdash.viz.inpage import maps_css, maps_module
from netdash.viz.spec import network_spec

__all__ = ["network_html", "map_html", "script_json", "csp_hash"]

_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_EXPORT = "export default function draw"
_FILE_CSS = "body { margin: 8px; background: #ffffff; }\n"


def script_json(value):
    """JSON that cannot end or confuse the ``<script>`` element it sits in.

    Examples
    --------
    >>> script_json({"name": "</script>&\\u2028"})
    '{"name":"\\\\u003c/script\\\\u003e\\\\u0026\\\\u2028"}'
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return re.sub("[<>&\u2028\u2029]", lambda m: _JSON_ESCAPES[m.group()], text)


def csp_hash(text):
    """The Content-Security-Policy source (``'sha256-...'``) allowing exactly this inline text.

    Examples
    --------
    >>> csp_hash("")
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
    """
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _file_script():
    """The renderer as a classic script that draws the page's JSON block: the module with its export removed."""
    module = maps_module()
    if module.count(_EXPORT) != 1 or re.search(r"</script|<!--", module, flags=re.IGNORECASE):
        raise RuntimeError("netdash/viz/templates/maps_module.js must have one default export 'draw' and no "
                           "'</script' or '<!--'; review it before writing map files.")
    return ('(function () {\n"use strict";\n' + module.replace(_EXPORT, "function draw")
            + '\ndraw({data: JSON.parse(document.getElementById("netdash-data").textContent),'
              ' parentElement: document.getElementById("netdash-maps")});\n})();\n')


def _template():
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    return environment.from_string((resources.files("netdash.viz") / "templates" / "map.html.j2")
                                   .read_text(encoding="utf-8"))


def map_html(specs, *, title=None):
    """A complete HTML page drawing map specs side by side, with no external resource of any kind.

    Parameters
    ----------
    specs : dict, sequence of dict, or bytes
        :func:`netdash.viz.spec.network_spec` results (one map, or several
        drawn side by side, e.g. before and after), or the
        :func:`netdash.viz.inpage.maps_payload` a page sent to draw them.
    title : str, optional
        The page's title (the browser tab); default: the first map's title,
        else "Network map".

    Returns
    -------
    str
    """
    if isinstance(specs, bytes):
        specs = json.loads(specs.decode("utf-8"))["panels"]
    # A file has no page around it to choose node sizes with: each map offers its own menu.
    specs = [{**spec, "size_menu": True} for spec in ([specs] if isinstance(specs, dict) else specs)]
    js, css = _file_script(), _FILE_CSS + maps_css()
    csp = (f"default-src 'none'; script-src {csp_hash(js)}; style-src {csp_hash(css)}; img-src 'none'; "
           "base-uri 'none'; form-action 'none'")
    heading = title or next((s["title"] for s in specs if s.get("title")), None) or "Network map"
    return _template().render(title=heading, csp=csp, css=Markup(css), js=Markup(js),
                              data_json=Markup(script_json({"panels": specs})))


def network_html(G, positions, **options):
    """A standalone HTML map of ``G`` at ``positions``, safe for any names and offline.

    Takes the arguments of :func:`netdash.viz.spec.network_spec` and returns
    ``map_html(network_spec(G, positions, **options))``.

    Examples
    --------
    >>> import networkx as nx
    >>> page = network_html(nx.Graph([("a", "b")]), {"a": (0, 0), "b": (1, 0)}, title="<b>")
    >>> "<title>&lt;b&gt;</title>" in page, "<b>" in page
    (True, False)
    """
    return map_html(network_spec(G, positions, **options))
