"""Hostile text that users could type into names and notes, shared by every test that checks escaping.

Each payload does something visible if it is ever parsed as markup or as a
spreadsheet formula rather than shown as text: ``IMG`` and ``SCRIPT`` call
``alert``, ``HREF`` makes a ``javascript:`` link, ``ATTRIBUTE`` breaks out of
a quoted attribute, ``IFRAME`` loads a ``javascript:`` frame and ``FORMULA``
makes a spreadsheet fetch a URL. The numbers passed to ``alert`` tell a
failing test which payload ran.
"""

__all__ = ["ATTRIBUTE", "FORMULA", "HREF", "IFRAME", "IMG", "MARKUP", "PAYLOADS", "SCRIPT"]

IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "</script><script>alert(2)</script>"
HREF = '<a href="javascript:alert(3)">x</a>'
FORMULA = '=HYPERLINK("http://x")'
ATTRIBUTE = "\"><svg onload=alert(3)>"
IFRAME = "<iframe src=javascript:alert(4)>"

#: The four payloads put in every kind of text field: markup, a script end, a link and a formula.
PAYLOADS = (IMG, SCRIPT, HREF, FORMULA)
#: Markup only (no formula), including an attribute break-out: for HTML that quotes names in attributes.
MARKUP = (IMG, SCRIPT, ATTRIBUTE, IFRAME)
