"""Dataset-level options: ``dataset.json`` in a dataset folder, and the evidence for direction.

``dataset.json`` is optional. It holds options that apply to the whole
dataset rather than to a table, e.g.::

    {"directed": false, "min_date": "1950-01-01"}

* ``directed`` (default true): false when a contact row records a tie without
  a direction, as published undirected networks do; each row then counts in
  both directions (:class:`netdash.dataset.Dataset` ``directed``).
* ``min_date`` (default 1990-01-01): the earliest date accepted; earlier
  dates are refused as probable typos or placeholders.

The command line (``--undirected``, ``--min-date``) overrides the file.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd

from netdash.errors import InvalidInputError
from netdash.ingest.dates import parse_day
from netdash.ingest.problems import Problem

__all__ = ["OPTIONS_FILE", "DEFAULT_MIN_DATE", "read_dataset_options", "resolve_options", "direction_evidence"]

OPTIONS_FILE = "dataset.json"
DEFAULT_MIN_DATE = pd.Timestamp(1990, 1, 1)
"""Dates before this day are refused unless ``min_date`` (``--min-date``) allows them."""

_KNOWN = {"directed": "true or false", "min_date": "a date written YYYY-MM-DD"}


def read_dataset_options(source):
    """The options in ``source``'s ``dataset.json``: ``{}`` when there is none or ``source`` is not a folder.

    Raises
    ------
    InvalidInputError
        If the file is not a JSON object of known options with values of the right kind.

    Examples
    --------
    >>> read_dataset_options("no/such/folder")
    {}
    """
    if not isinstance(source, (str, Path)):
        return {}
    path = Path(source) / OPTIONS_FILE
    if not Path(source).is_dir() or not path.is_file():
        return {}
    try:
        options = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInputError(f"{OPTIONS_FILE}: cannot be read as JSON ({exc}). Write it as e.g. "
                                '{"directed": false}, or delete it.') from None
    if not isinstance(options, dict):
        raise InvalidInputError(f"{OPTIONS_FILE}: expected a JSON object such as {{\"directed\": false}}; got "
                                f"{type(options).__name__}. Correct the file or delete it.")
    problems = [f"option {key!r} is not known (known: {', '.join(_KNOWN)})" for key in options if key not in _KNOWN]
    if "directed" in options and not isinstance(options["directed"], bool):
        problems.append(f"directed must be true or false; got {options['directed']!r}")
    if "min_date" in options and not isinstance(options["min_date"], str):
        problems.append(f"min_date must be a date written YYYY-MM-DD; got {options['min_date']!r}")
    if problems:
        raise InvalidInputError(f"{OPTIONS_FILE}: " + "; ".join(problems) + ". Correct the file or delete it.")
    return options


def resolve_options(source, *, directed=None, min_date=None):
    """``(directed, min_date)`` for a source: the arguments where given, else ``dataset.json``, else defaults.

    Returns
    -------
    directed : bool
    min_date : Timestamp

    Raises
    ------
    InvalidInputError
        If ``dataset.json`` is invalid or a ``min_date`` is not a date.
    """
    options = read_dataset_options(source)
    if directed is None:
        directed = options.get("directed", True)
    if min_date is None and "min_date" in options:
        min_date = parse_day(options["min_date"], what=f"{OPTIONS_FILE} min_date")
    elif min_date is not None:
        min_date = parse_day(min_date, what="--min-date")
    return bool(directed), DEFAULT_MIN_DATE if min_date is None else min_date


def direction_evidence(contacts, *, directed, label="contacts.csv", codes=None):
    """A note saying how many colleague pairs appear in one direction only, so users can choose.

    Parameters
    ----------
    contacts : DataFrame
        Canonical contacts (``practitioner_id``, ``with_practitioner_id``).
    directed : bool
        How the dataset is read.
    label : str
        File name shown.
    codes : dict, optional
        The importer's ``{("contacts", column): (codes, values)}`` of the two
        ID columns (``values[codes]`` is the column), so that millions of
        rows are not hashed again (issue 19).

    Returns
    -------
    Problem or None
        None when no contact names a colleague.

    Examples
    --------
    >>> contacts = pd.DataFrame({"practitioner_id": ["a", "b", "a"], "with_practitioner_id": ["b", "a", "c"]})
    >>> print(direction_evidence(contacts, directed=True).message)  # doctest: +ELLIPSIS
    Direction: 50% of colleague pairs (1 of 2) appear in one direction only...
    """
    if codes and ("contacts", "practitioner_id") in codes and ("contacts", "with_practitioner_id") in codes:
        (author, authors), (partner, partners) = (codes["contacts", "practitioner_id"],
                                                  codes["contacts", "with_practitioner_id"])
        # One code per distinct ID across both columns (-1: missing), spread to rows.
        merged, uniques = pd.factorize(np.concatenate([authors, partners]))
        b = merged[len(authors):][partner]
        named = np.flatnonzero(b >= 0)
        a, b = merged[:len(authors)][author[named]], b[named]
    else:
        partner = contacts["with_practitioner_id"].to_numpy(dtype=object)
        named = np.flatnonzero(pd.notna(partner))
        # Integer codes, not strings: a pair and its direction are then one int64 per row (issue 18's memory
        # bound). Equal IDs have equal codes, so self-contacts are found without comparing strings row by row.
        both, uniques = pd.factorize(np.concatenate([contacts["practitioner_id"].to_numpy(dtype=object)[named],
                                                     partner[named]]))
        del partner
        a, b = both[:named.size], both[named.size:]
        del both
    tied = a != b
    if not tied.any():
        return None
    a, b = a[tied], b[tied]
    low, high = np.minimum(a, b), np.maximum(a, b)
    # Each pair and direction once (a sort: numpy's unique is several times slower here), then per pair
    # whether one direction or both were seen.
    directed_pairs = np.sort((low * len(uniques) + high) * 2 + (a == low))
    directed_pairs = directed_pairs[np.r_[True, directed_pairs[1:] != directed_pairs[:-1]]]
    pairs = directed_pairs // 2
    first = np.r_[True, pairs[1:] != pairs[:-1]]
    total = int(first.sum())
    # A pair seen both ways has two entries: the entries that do not start a pair count the two-way pairs.
    one_way = total - int(first.size - total)
    share = f"{one_way / total:.0%} of colleague pairs ({one_way:,} of {total:,}) appear in one direction only"
    if directed:
        message = (f"Direction: {share}, so for them only one side recorded the contact (or the data has no "
                   "direction). netdash reads each row as directed: practitioner_id contacted "
                   "with_practitioner_id. If your rows are ties without a direction (e.g. a published "
                   "undirected network), import with --undirected or put {\"directed\": false} in dataset.json, "
                   "so that each row counts in both directions.")
    else:
        message = (f"Direction: {share}. The dataset is read as undirected (--undirected or dataset.json), so "
                   "each row counts in both directions.")
    return Problem(label, (), "with_practitioner_id", message, "note")
