"""Deterministic colours for agencies (or sectors, or any groups) that stay apart for colour-blind readers.

The palette's 16 colours were chosen for this: each pair of its first 12 is
at least 20 CIE76 units (ΔE*ab in CIELAB) apart for normal vision and for
simulated protanopia, deuteranopia and tritanopia, and each pair of all 16
at least 14 (tests/viz/test_viz.py checks the figures). Colour vision
deficiency is simulated with the matrices of Machado, Oliveira & Fernandes
(2009, "A physiologically-based model for simulation of color vision
deficiency", IEEE TVCG 15(6)) at full severity, in linear sRGB. The earlier
palette (Okabe & Ito 2008, then Tableau 10) had two agencies of the first 12
less than 1 unit apart for deuteranopia.

How the colours were found (December 2026): sRGB colours on a grid of 18
steps per channel, kept when their lightness L* is 35 to 82 (visible on
white, and dark labels stay readable beside them) and their chroma under
80; 12 picked greedily, each the farthest (the smallest difference over the
four kinds of vision) from those already picked and from white, the
missing-agency grey and the text colour; each then swapped for a better one
until none improved the smallest difference; put in farthest-first order,
so any first k colours are well spread; and extended to 16 the same greedy
way. Past 16 groups the same hues come round again in darker, then lighter
shades, so every group gets a colour of its own however many there are
(distinct for normal vision; tell them apart by their legend or tooltip).
"""

from collections.abc import Mapping

from netdash.errors import InvalidInputError

__all__ = ["PALETTE", "MISSING_COLOUR", "agency_colours", "shade", "sorted_ids"]

#: The 16 group colours, in the order they are handed out.
PALETTE = (
    "#f0780f", "#871ea5", "#ff87ff", "#78e196", "#a51e78", "#0078ff", "#f01e5a", "#4b5a2d",
    "#965a00", "#e1b4e1", "#a569b4", "#a5d25a", "#3c9669", "#f0c31e", "#9669d2", "#b4873c",
)
#: Colour for a node whose group is unknown (no agency recorded).
MISSING_COLOUR = "#9e9e9e"

# Shade factors for the 2nd, 3rd, ... pass through the palette:
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
    """A fixed colour for each agency (or sector, or any group), from :data:`PALETTE`.

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
    {'A': '#f0780f', 'B': '#871ea5'}
    >>> agency_colours(range(19))[18]
    '#a658a6'
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
        turn, slot = divmod(i, len(PALETTE))
        factor = _SHADES[turn % len(_SHADES)]
        out[agency] = shade(PALETTE[slot], factor) if factor else PALETTE[slot]
    return out
