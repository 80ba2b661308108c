"""Table cells of the report: formatted numbers, with small counts hidden.

Every number the report prints passes through here, so the suppression rule
(:mod:`netdash.privacy`: a count ``1 <= n < min_count`` is hidden, zero is
shown) and the number formats are the same in every section.
"""

import math
import re
from typing import NamedTuple

from netdash.change.headline import format_share
from netdash.privacy import is_small_count

__all__ = ["Cell", "count_cell", "number_cell", "percent_cell", "hidden_cell", "blank_cell", "marker",
           "redact_small_counts"]


class Cell(NamedTuple):
    """One printed value: its text, whether it was suppressed, an optional inline style."""

    text: str
    hidden: bool = False
    style: str | None = None


def marker(min_count):
    """The text shown instead of a suppressed count, e.g. ``"<5"``."""
    return f"<{min_count}"


def _missing(x):
    return x is None or (isinstance(x, float) and math.isnan(x))


def blank_cell():
    """A value that cannot be computed (an empty period, no ties)."""
    return Cell("–")


def hidden_cell(min_count, style=None, *, text=None):
    """A suppressed value, shown as the marker (or ``text``, for a value that is not itself a count)."""
    return Cell(marker(min_count) if text is None else text, hidden=True, style=style)


def count_cell(n, min_count, *, signed=False, style=None):
    """A count, hidden when ``1 <= n < min_count`` (with ``signed``, on ``abs(n)``).

    Examples
    --------
    >>> count_cell(3, 5).text, count_cell(0, 5).text, count_cell(12345, 5).text
    ('<5', '0', '12,345')
    >>> count_cell(-7, 5, signed=True).text, count_cell(-3, 5, signed=True).hidden
    ('−7', True)
    """
    if _missing(n):
        return blank_cell()
    n = int(n)
    if is_small_count(abs(n) if signed else n, threshold=min_count):
        return hidden_cell(min_count, style)
    text = f"{n:+,}" if signed and n else f"{n:,}"
    return Cell(text.replace("-", "−"), style=style)


def number_cell(x, digits=2, *, signed=False, style=None):
    """A measure (not a count), rounded to ``digits`` decimals; ``–`` when missing.

    Examples
    --------
    >>> number_cell(0.4638).text, number_cell(-0.05, signed=True).text, number_cell(None).text
    ('0.46', '−0.05', '–')
    >>> number_cell(-0.001, signed=True).text
    '0.00'

    """
    if _missing(x):
        return blank_cell()
    x = round(float(x), digits) + 0.0  # + 0.0 turns -0.0 into 0.0, so nothing prints as "−0.00"
    text = f"{x:+.{digits}f}" if signed and x else f"{x:.{digits}f}"
    return Cell(text.replace("-", "−"), style=style)


def percent_cell(x, *, signed=False):
    """A share in [0, 1] printed as a percentage with one decimal.

    Examples
    --------
    >>> percent_cell(0.7319).text, percent_cell(0.0061, signed=True).text
    ('73.2%', '+0.6 pp')
    """
    if _missing(x):
        return blank_cell()
    if signed:
        x = round(100 * float(x), 1) + 0.0
        return Cell((f"{x:+.1f} pp" if x else "0.0 pp").replace("-", "−"))
    return Cell(format_share(x))  # as the pages print a share


# A number directly followed by a word for people, as in the sentences of the impact
# evaluation: "3 who joined", "2 attendees", "4 practitioners", "1 non-attendee(s)".
_PEOPLE_COUNT = re.compile(
    r"(?<![\w.,\-−])(\d+)(?= (?:who\b|practitioners?\b|(?:non-)?attendees?\b|COP attendances?\b))")


def redact_small_counts(text, min_count):
    """Replace small counts of people inside a sentence by the marker.

    Messages and caveats written by the analysis functions name numbers of
    practitioners ("2 who left"); a report must not print those below
    ``min_count`` either.

    Examples
    --------
    >>> redact_small_counts("Excluded: 3 who joined and 0 who left; 12 attendees.", 5)
    'Excluded: <5 who joined and 0 who left; 12 attendees.'
    >>> redact_small_counts("1 attendee(s) and 2 non-attendee(s) within 0.2 SD", 5)
    '<5 attendee(s) and <5 non-attendee(s) within 0.2 SD'
    """
    def swap(match):
        n = int(match.group(1))
        return marker(min_count) if is_small_count(n, threshold=min_count) else match.group(1)

    return _PEOPLE_COUNT.sub(swap, str(text))
