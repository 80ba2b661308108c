"""Reading the HTML report in tests: one section, one table row (tests/report, tests/pages)."""

import html
import re


def section(page, anchor):
    """The HTML of one <section id=anchor>."""
    match = re.search(rf'<section class="part[^"]*" id="{anchor}">(.*?)</section>', page, re.S)
    assert match, f"section {anchor} missing"
    return match.group(1)


def row(page, heading):
    """The cells' texts of the table row headed ``heading``."""
    match = re.search(rf"<tr><th scope=\"row\"[^>]*>{re.escape(heading)}</th>(.*?)</tr>", page, re.S)
    assert match, f"row {heading!r} missing"
    return [html.unescape(t) for t in re.findall(r"<td[^>]*>(.*?)</td>", match.group(1), re.S)]
