"""A self-contained, offline, interactive network map (vis-network) as one HTML page.

pyvis 0.3.2 is not used to write the page: its template does not escape,
its tooltip code switches to ``innerHTML`` when any title contains ``href``,
and every mode loads Bootstrap (and in 'local' mode vis-network) from a CDN
(pyvis issues #228, #229; PR #201). Its ``add_edge`` also scans the edge list
for duplicates, so 20,000 edges take seconds. Here the page comes from our own
template in an autoescaping Jinja environment; vis-network's script and
stylesheet (shipped inside pyvis) are put in line (:mod:`netdash.viz.assets`);
node and edge data travel as JSON in a ``<script type="application/json">``
block with ``<``, ``>``, ``&``, U+2028 and U+2029 written as ``\\uXXXX``; and a
Content-Security-Policy allows only the page's own two scripts (by hash), no
network access of any kind.

Names appear only as text: vis node ids are internal (``"n0"``, ``"n1"``...),
labels are drawn on the canvas, and tooltips are built in the browser with
``textContent`` (vis-network 9 shows an element title as it is).
"""

import json
import re
from importlib import resources

import jinja2
from markupsafe import Markup

from netdash.viz.assets import csp_hash, vis_script, vis_style
from netdash.viz.spec import network_spec

__all__ = ["network_html", "network_spec", "spec_html", "script_json"]

_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def script_json(value):
    """JSON that cannot end or confuse the ``<script>`` element it sits in.

    Examples
    --------
    >>> script_json({"name": "</script>&\\u2028"})
    '{"name":"\\\\u003c/script\\\\u003e\\\\u0026\\\\u2028"}'
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return re.sub("[<>&\u2028\u2029]", lambda m: _JSON_ESCAPES[m.group()], text)


def _environment():
    return jinja2.Environment(
        loader=jinja2.FunctionLoader(_load_template),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _load_template(name):
    return (resources.files("netdash.viz") / "templates" / name).read_text(encoding="utf-8")


def spec_html(spec):
    """The complete HTML page drawing a :func:`network_spec`, with no external resource of any kind."""
    init_js = _load_template("network.js")
    vis_js = vis_script()
    csp = ("default-src 'none'; script-src " + csp_hash(vis_js) + " " + csp_hash(init_js)
           + "; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'")
    legend = spec["legend"]
    return _environment().get_template("network.html.j2").render(
        title=spec["title"], height_px=spec["height_px"], csp=csp,
        legend_heading=legend["heading"], legend_nodes=legend["nodes"], legend_edges=legend["edges"],
        data_json=Markup(script_json(spec["data"])),
        vis_css=Markup(vis_style()), vis_js=Markup(vis_js), init_js=Markup(init_js),
    )


def network_html(G, positions, **options):
    """A complete HTML page drawing ``G`` at ``positions``, safe for any names.

    Takes the arguments of :func:`network_spec`, and returns
    ``spec_html(network_spec(G, positions, **options))``: a page with no
    external resource of any kind.
    """
    return spec_html(network_spec(G, positions, **options))
