"""Column mapping: from the user's column names to the contract's.

Headers are normalised automatically when that is unambiguous ("Practitioner
ID" -> ``practitioner_id``). Anything else needs an explicit mapping
``{table: {their_column: canonical_column}}``, given as a JSON file on the
command line (``--mapping mapping.json``) or built in the dashboard from
:func:`suggest_mapping`.
"""

import difflib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from netdash.errors import InvalidInputError
from netdash.ingest.problems import Problem
from netdash.schema import TABLES

__all__ = ["normalise_header", "automatic_mapping", "suggest_mapping", "load_mapping", "check_mapping", "apply_mapping",
           "ColumnHint", "unmapped_column_hints", "REFERENCES"]

# Common names for the same thing in case-management exports. Used only for
# suggestions: an automatic rename must never guess.
_SYNONYMS = {
    "agency_id": ("agency", "agency_code", "org_id", "organisation_id", "organization_id", "service_id"),
    "practitioner_id": ("practitioner", "staff_id", "staff", "worker_id", "worker", "employee_id",
                        "user_id", "from_practitioner_id", "keyworker_id"),
    "client_id": ("client", "client_ref", "client_reference", "service_user_id", "person_id", "case_id"),
    "with_practitioner_id": ("colleague_id", "with_staff_id", "to_practitioner_id", "referred_to",
                             "referred_to_id", "with_worker_id", "partner_practitioner_id"),
    "date": ("contact_date", "date_of_contact", "activity_date", "session_date", "meeting_date",
             "survey_date", "response_date"),
    "name": ("agency_name", "organisation_name", "organization_name", "practitioner_name", "staff_name",
             "full_name"),
    "sector": ("service_type", "agency_type", "sector_name"),
    "role": ("job_title", "job_role", "position"),
    "start_date": ("started", "start", "date_started", "employment_start"),
    "end_date": ("ended", "end", "leaving_date", "date_left", "employment_end"),
    "contact_type": ("type", "activity_type", "contact_method", "method"),
    "duration_minutes": ("duration", "minutes", "duration_mins", "length_minutes", "mins"),
    "session_id": ("session", "meeting_id", "meeting"),
    "cop_name": ("cop", "community_of_practice", "community"),
    "needs": ("client_needs", "need"),
    "rater_id": ("respondent_id", "rater", "from_id"),
    "ratee_id": ("rated_id", "ratee", "target_id", "about_id", "to_id"),
    "trust": ("trust_score", "overall_trust", "trust_rating"),
}

#: The table whose IDs each ID column names: an unmapped column whose values are such IDs may be it.
REFERENCES = {"practitioner_id": "practitioners", "with_practitioner_id": "practitioners", "rater_id": "practitioners",
              "ratee_id": "practitioners", "agency_id": "agencies", "client_id": "clients"}
_ID_NOUN = {"practitioners": "practitioner IDs", "agencies": "agency IDs", "clients": "client IDs"}
_SUFFIXES = re.compile(r"_(id|ids|ref|reference|code|no|number)$")

_INVISIBLE = re.compile("[\ufeff\u200b\u200c\u200d\u00a0]")


def normalise_header(name):
    """Header text in canonical style: stripped, case-folded, separators as ``_``.

    Examples
    --------
    >>> normalise_header("  Practitioner ID ")
    'practitioner_id'
    >>> normalise_header("Duration-Minutes")
    'duration_minutes'
    """
    text = _INVISIBLE.sub(" ", str(name)).strip().strip('"').casefold()
    text = re.sub(r"[\s\-./]+", "_", text)
    return re.sub(r"_+", "_", text).strip("_")


def _stem(name):
    """A header without its ID-like suffix: ``Colleague ID`` and ``colleague`` both give ``colleague``."""
    return _SUFFIXES.sub("", normalise_header(name))


def _name_target(header, targets):
    """The first of ``targets`` (canonical columns) whose name or a synonym ``header`` is close to, or None.

    Close means the same stem (:func:`_stem`), or a stem at least 85 % alike
    (:class:`difflib.SequenceMatcher`), which catches typos such as
    ``practioner_id``.
    """
    stem = _stem(header)
    if not stem:
        return None
    for target in targets:
        stems = {_stem(target)} | {_stem(s) for s in _SYNONYMS.get(target, ())}
        if stem in stems or difflib.get_close_matches(stem, sorted(stems), n=1, cutoff=0.85):
            return target
    return None


def automatic_mapping(columns, table, *, claimed=()):
    """The renames netdash makes without being asked: the one rule for the CLI and the Data page.

    A header is renamed when its normalised form (:func:`normalise_header`)
    is a column of ``table``, no other header normalises to the same, and
    the column is not ``claimed`` by an explicit mapping. Synonyms
    (``staff`` for ``practitioner_id``) are only suggested
    (:func:`suggest_mapping`): a person must choose them.

    Examples
    --------
    >>> automatic_mapping(["Practitioner ID", "staff", "Date"], "contacts")
    {'Practitioner ID': 'practitioner_id', 'Date': 'date'}
    """
    canonical = set(TABLES[table].column_names())
    by_norm = {}
    for h in columns:
        by_norm.setdefault(normalise_header(h), []).append(str(h))
    return {hs[0]: norm for norm, hs in by_norm.items() if norm in canonical and norm not in claimed and len(hs) == 1}


def suggest_mapping(columns, table):
    """Best guess of the canonical column for each of the user's columns.

    Parameters
    ----------
    columns : list of str
        The user's headers, as found in the file.
    table : str
        A table name from :data:`netdash.schema.TABLES`.

    Returns
    -------
    dict
        ``{their_column: canonical_column or None}``. Exact (normalised)
        matches win over synonyms, and no canonical column is suggested twice.

    Examples
    --------
    >>> suggest_mapping(["Staff ID", "Contact Date", "Client", "Notes"], "contacts")
    {'Staff ID': 'practitioner_id', 'Contact Date': 'date', 'Client': 'client_id', 'Notes': None}
    >>> suggest_mapping(["practitioner_id", "Colleague"], "contacts")["Colleague"]
    'with_practitioner_id'
    """
    if table not in TABLES:
        raise InvalidInputError(f"unknown table {table!r}; expected one of {', '.join(TABLES)}.")
    canonical = TABLES[table].column_names()
    out = {c: None for c in columns}
    taken = set()
    for col in columns:  # first pass: exact matches after normalisation
        key = normalise_header(col)
        if key in canonical and key not in taken:
            out[col] = key
            taken.add(key)
    for col in columns:  # then synonyms, then names close to a column or a synonym (_name_target)
        if out[col] is not None:
            continue
        key = normalise_header(col)
        for target in canonical:
            if target not in taken and key in _SYNONYMS.get(target, ()):
                out[col] = target
                taken.add(target)
                break
    for col in columns:
        if out[col] is None:
            target = _name_target(col, [t for t in canonical if t not in taken])
            if target is not None:
                out[col] = target
                taken.add(target)
    return out


def check_mapping(mapping):
    """Check the shape of a mapping and return it as ``{table: {their: canonical}}``.

    Raises
    ------
    InvalidInputError
        When a table or canonical column is not in the contract.
    """
    if mapping is None:
        return {}
    if not isinstance(mapping, dict):
        raise InvalidInputError("a column mapping must be {table: {their_column: canonical_column}}.")
    problems = []
    for table, cols in mapping.items():
        if table not in TABLES:
            problems.append(f"mapping: {table!r} is not a table; use one of {', '.join(TABLES)}.")
            continue
        if not isinstance(cols, dict):
            problems.append(f"mapping for {table}: expected {{their_column: canonical_column}}, got {cols!r}.")
            continue
        known = TABLES[table].column_names()
        for theirs, ours in cols.items():
            if ours not in known:
                problems.append(f"mapping for {table}: {theirs!r} -> {ours!r}, but {table} has no column "
                                f"{ours!r}. Its columns are {', '.join(known)}.")
    if problems:
        raise InvalidInputError("\n".join(problems), problems=problems)
    return {t: {str(k): str(v) for k, v in c.items()} for t, c in mapping.items()}


def load_mapping(path):
    """Read a JSON mapping file ``{table: {their_column: canonical_column}}``.

    Raises
    ------
    InvalidInputError
        When the file cannot be read, is not JSON, or names unknown tables or columns.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"{path.name}: cannot read the mapping file ({exc}).") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(
            f"{path.name}, line {exc.lineno}: not valid JSON ({exc.msg}). A mapping looks like "
            '{"contacts": {"Staff ID": "practitioner_id"}}.'
        ) from None
    return check_mapping(data)


def apply_mapping(frame, table, label, mapping=None):
    """Rename the columns of ``frame`` to canonical names where possible.

    The explicit ``mapping`` (``{their_column: canonical}``, matched exactly,
    then by normalised name) is applied first; other headers whose normalised
    form is a canonical column are renamed when no other header claims it.
    Unrecognised columns keep their names (validation warns about them).

    Returns
    -------
    frame : DataFrame
    problems : list of Problem
        Mapped columns that are not in the file, and two headers that end up
        with the same canonical name.
    """
    mapping = dict(mapping or {})
    problems = []
    headers = [str(c) for c in frame.columns]
    rename = {}
    by_norm = {}
    for h in headers:
        by_norm.setdefault(normalise_header(h), []).append(h)
    for theirs, ours in mapping.items():
        if theirs in headers:
            rename[theirs] = ours
        elif len(by_norm.get(normalise_header(theirs), [])) == 1:
            rename[by_norm[normalise_header(theirs)][0]] = ours
        else:
            problems.append(Problem(label, (), ours, f"the mapping names column {theirs!r} for {ours}, but there "
                                    f"is no such column. Found columns: {', '.join(headers)}."))
    for header, norm in automatic_mapping(headers, table, claimed=set(rename.values())).items():
        if header not in rename:
            rename[header] = norm
    targets = {}
    for h in headers:
        targets.setdefault(rename.get(h, h), []).append(h)
    for target, hs in targets.items():
        if len(hs) > 1:
            shown = " and ".join(repr(h) for h in hs)
            problems.append(Problem(label, (1,), target, f"columns {shown} both mean {target}. Keep one of them "
                                    "or map the other to a different column."))
    return frame.rename(columns=rename), problems


@dataclass(frozen=True)
class ColumnHint:
    """An unmapped column of a user's file that looks like a netdash column that is missing.

    Attributes
    ----------
    table : str
        The netdash table, e.g. ``"contacts"``.
    column : str
        The user's column, as found in the file.
    canonical : str
        The netdash column it looks like.
    evidence : str
        Why, in words: its name, and how many of its filled cells are known IDs.
    filled : int
        Rows where the column has a value.
    """

    table: str
    column: str
    canonical: str
    evidence: str
    filled: int = 0

    def question(self):
        """``column 'Colleague' looks like with_practitioner_id (its name ...): map it?``"""
        return f"column {self.column!r} looks like {self.canonical} ({self.evidence}): map it?"

    def how(self):
        """How to map it, on the Data page and on the command line."""
        mapping = json.dumps({self.table: {self.column: self.canonical}})
        return (f"Choose {self.canonical} for {self.column!r} in the column step when uploading, or run again with "
                f"--mapping naming a JSON file that holds {mapping}.")


def _filled_values(column):
    text = column.astype("string").str.strip()
    return text[text.notna() & (text != "")]


def unmapped_column_hints(frame, table, *, known=None):
    """The user's columns that could hold a netdash column the table lacks, with the evidence.

    Used so that an error about missing information (a contact naming
    nobody, a required column missing) says "column 'Colleague' looks like
    with_practitioner_id: map it?" *before* it suggests deleting rows.

    A column of ``frame`` that is not a column of ``table`` is a candidate
    for a column of ``table`` that ``frame`` lacks when

    * its name is close to that column's name or a synonym (the rule of
      :func:`suggest_mapping`: ``Colleague`` is like ``colleague_id``, a
      synonym of ``with_practitioner_id``), or
    * at least half of its filled cells are IDs of the table that column
      refers to (:data:`REFERENCES`; ``known`` gives those IDs), e.g.
      practitioner IDs for ``with_practitioner_id``.

    Parameters
    ----------
    frame : DataFrame
        The table as read (string cells), columns already mapped.
    table : str
        A table name from :data:`netdash.schema.TABLES`.
    known : dict, optional
        ``{"practitioners": ids, "agencies": ids, "clients": ids}``: the IDs
        in those files (any collection of strings); missing keys are not used.

    Returns
    -------
    list of ColumnHint
        At most one per user column and one per netdash column, in the
        order of ``frame``'s columns. Values are never quoted (client IDs
        are private): the evidence gives counts.

    Examples
    --------
    >>> frame = pd.DataFrame({"date": ["2024-01-02"], "practitioner_id": ["P1"], "Colleague": ["P2"]})
    >>> (hint,) = unmapped_column_hints(frame, "contacts", known={"practitioners": {"P1", "P2"}})
    >>> hint.question()
    "column 'Colleague' looks like with_practitioner_id (by its name; 1 of its 1 filled cells are practitioner IDs in practitioners.csv): map it?"
    """
    from netdash.schema import TABLES

    if table not in TABLES:
        raise InvalidInputError(f"unknown table {table!r}; expected one of {', '.join(TABLES)}.")
    canonical = TABLES[table].column_names()
    present = {str(c) for c in frame.columns}
    open_targets = [c for c in canonical if c not in present]
    known = {k: set(v) for k, v in (known or {}).items() if v is not None}
    hints = []
    for col in frame.columns:
        if str(col) in canonical or not open_targets:
            continue
        by_name = _name_target(col, open_targets)
        filled = _filled_values(frame[col])
        by_values, evidence = None, None
        for target in [by_name] + [t for t in open_targets if t != by_name] if by_name else open_targets:
            source = REFERENCES.get(target)
            ids = known.get(source)
            if not ids or filled.empty:
                continue
            matched = int(filled.isin(ids).sum())
            if matched and 2 * matched >= len(filled):
                by_values = target
                evidence = f"{matched:,} of its {len(filled):,} filled cells are {_ID_NOUN[source]} in {source}.csv"
                break
        # What is in the cells outweighs the name when they disagree.
        target = by_values or by_name
        if target is None:
            continue
        why = "; ".join(([] if by_name != target else ["by its name"]) + ([] if by_values is None else [evidence]))
        hints.append(ColumnHint(table, str(col), target, why, len(filled)))
        open_targets.remove(target)
    return hints
