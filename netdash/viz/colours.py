"""Deterministic, colour-blind-friendly colours for agencies (or any groups).

The first colours are the Okabe–Ito palette (Okabe & Ito 2008, "Color
Universal Design"), without its black, which is kept for text and borders;
then Tableau 10 (Stone 2016, Tableau's 2016 default palette), ordered so
that each next colour differs most from those before it. Past those 17,
the same hues come round again in darker, then lighter shades, so every group
gets a distinct colour however many there are.
"""

from collections.abc import Mapping

from netdash.errors import InvalidInputError

__all__ = ["OKABE_ITO", "TABLEAU_10", "MISSING_COLOUR", "agency_colours", "shade", "sorted_ids"]

OKABE_ITO = ("#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7")
TABLEAU_10 = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
)
#: Colour for a node whose group is unknown (no agency recorded).
MISSING_COLOUR = "#9e9e9e"

# Tableau 10 in farthest-first order: each next colour is the one farthest (CIE76 colour difference
# in CIELAB) from those already used, MISSING_COLOUR included. In Tableau's own order the 8th to
# 10th agencies got a second blue, orange and red: the 1st and 9th agencies were two near-identical
# oranges. Smallest difference among the first ten colours: 25.2 now, 12.9 before (tests/viz/test_viz.py).
_TABLEAU_ORDER = tuple(TABLEAU_10[i] for i in (2, 8, 7, 4, 3, 1, 5, 0, 6, 9))
_BASE = OKABE_ITO + _TABLEAU_ORDER
# Shade factors for the 2nd, 3rd, ... pass through the base palette:
# negative darkens towards black, positive lightens towards white.
_SHADES = (0.0, -0.35, 0.35, -0.55, 0.55)


def shade(colour, factor):
    """Darken (``factor < 0``) or lighten (``factor > 0``) a ``#rrggbb`` colour.

    Examples
    --------
    >>> shade("#808080", -0.5)
    '#404040'
    >>> shade("#808080", 0.5)
    '#c0c0c0'
    """
    rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    if factor < 0:
        rgb = [round(c * (1 + factor)) for c in rgb]
    else:
        rgb = [round(c + (255 - c) * factor) for c in rgb]
    return "#" + "".join(f"{c:02x}" for c in rgb)


def sorted_ids(values):
    """Sort ids naturally when they are comparable, else by type name and text.

    Examples
    --------
    >>> sorted_ids([10, 2, 1])
    [1, 2, 10]
    >>> sorted_ids(["b", 1, "a"])
    [1, 'a', 'b']
    """
    values = list(values)
    try:
        return sorted(values)
    except TypeError:
        return sorted(values, key=lambda v: (type(v).__name__, str(v)))


def agency_colours(agencies):
    """A fixed colour for each agency.

    Colours are handed out in the sorted order of the agency ids, so the same
    set of agencies always gets the same colours, whatever order they are
    given in. Pass every agency of the dataset (not only those present in one
    period) so an agency keeps its colour across pages and periods.

    Parameters
    ----------
    agencies : iterable or mapping
        Agency ids (the keys, if a mapping such as ``{id: name}``).
        Duplicates and ``None`` are ignored.

    Returns
    -------
    dict
        ``{agency_id: "#rrggbb"}``.

    Raises
    ------
    InvalidInputError
        If ``agencies`` is a single string rather than a collection of ids.

    Examples
    --------
    >>> agency_colours(["B", "A", "B"])
    {'A': '#e69f00', 'B': '#56b4e9'}
    >>> agency_colours(range(19))[18]
    '#387597'
    """
    if isinstance(agencies, str):
        raise InvalidInputError(
            f"agency_colours expects a collection of agency ids, got the single string "
            f"{agencies!r}. Pass a list, e.g. agency_colours([{agencies!r}])."
        )
    ids = agencies.keys() if isinstance(agencies, Mapping) else agencies
    unique = sorted_ids({a for a in ids if a is not None})
    out = {}
    for i, agency in enumerate(unique):
        turn, slot = divmod(i, len(_BASE))
        factor = _SHADES[turn % len(_SHADES)]
        out[agency] = shade(_BASE[slot], factor) if factor else _BASE[slot]
    return out
