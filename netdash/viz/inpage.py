"""Maps drawn in a host page's own document: the renderer as a module, and the data sent to it.

The dashboard's map pages (Network map, Trust, Before & after, Over time)
mount :func:`maps_module` (a Streamlit components-v2 module) once per browser
tab and send only :func:`maps_payload`, the maps'
:func:`netdash.viz.spec.network_spec` data. The module draws them on a canvas
itself: every node already has its place, so a map needs no physics and no
graph library, and two maps of 750 practitioners draw in milliseconds. The
same module, in line, draws a standalone map file
(:func:`netdash.viz.network_html`).

The module never treats a name as HTML: labels are drawn on the canvas, and
the title, legend and tooltips are built with ``textContent``
(``netdash/viz/templates/maps_module.js``). Unlike a map page it has no
Content-Security-Policy of its own: it runs with the host page's rights, so
it is trusted code, fetches nothing, and the payload is data only.
"""

import functools
import json
from importlib import resources

__all__ = ["maps_module", "maps_css", "maps_payload"]


def _template(name):
    return (resources.files("netdash.viz") / "templates" / name).read_text(encoding="utf-8")


@functools.cache
def maps_module():
    """The ES module whose default export draws a :func:`maps_payload` into an element."""
    return _template("maps_module.js")


@functools.cache
def maps_css():
    """The maps' stylesheet, for the element (or shadow root) the module draws in."""
    return _template("maps.css")


def maps_payload(specs):
    """UTF-8 JSON of ``{"panels": specs}``: maps drawn side by side, in order.

    Parameters
    ----------
    specs : sequence of dict
        :func:`netdash.viz.spec.network_spec` results.

    Returns
    -------
    bytes

    Examples
    --------
    >>> maps_payload([{"title": "<b>"}])
    b'{"panels":[{"title":"<b>"}]}'
    """
    return json.dumps({"panels": list(specs)}, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")
