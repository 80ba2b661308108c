"""Problems found while reading or validating a source, and the report that collects them.

A :class:`Problem` says where (file and spreadsheet-style row numbers: the
header is row 1, the first data row is row 2), what is wrong and how to fix
it, following the template in STYLE.md::

    contacts.csv, rows 14, 15 and 212: practitioner_id 'P-019' is not in
    practitioners.csv. Add the practitioner or correct the ID.
"""

from dataclasses import dataclass, field

__all__ = ["Problem", "ValidationReport", "format_rows", "join_names", "summary_message", "ROW_LIST_CAP"]

ROW_LIST_CAP = 5
"""How many row numbers a message lists before saying "and N more"."""


def format_rows(rows, *, cap=ROW_LIST_CAP):
    """Spreadsheet row numbers as a short phrase.

    Examples
    --------
    >>> format_rows([14])
    'row 14'
    >>> format_rows([212, 14, 15])
    'rows 14, 15 and 212'
    >>> format_rows(range(2, 10))
    'rows 2, 3, 4, 5, 6 and 3 more'
    """
    rows = sorted(set(int(r) for r in rows))
    if not rows:
        return ""
    if len(rows) == 1:
        return f"row {rows[0]}"
    if len(rows) <= cap:
        return "rows " + ", ".join(map(str, rows[:-1])) + f" and {rows[-1]}"
    return "rows " + ", ".join(map(str, rows[:cap])) + f" and {len(rows) - cap} more"


@dataclass(frozen=True)
class Problem:
    """One problem in one file, possibly on many rows.

    Attributes
    ----------
    file : str
        The name to show, e.g. ``contacts.csv`` or ``workbook.xlsx:contacts``.
    rows : tuple of int
        Spreadsheet row numbers (header = row 1); empty when the problem is
        about the whole file.
    column : str or None
        Canonical column name, when the problem is about one column.
    message : str
        What is wrong and how to fix it, without the location prefix.
    severity : {"error", "warning", "note"}
        Errors stop an import; warnings are stored with the dataset; notes
        are information shown at import.
    """

    file: str
    rows: tuple = ()
    column: str | None = None
    message: str = ""
    severity: str = "error"

    def __str__(self):
        where = self.file
        if self.rows:
            where += ", " + format_rows(self.rows)
        return f"{where}: {self.message}"


@dataclass
class ValidationReport:
    """Everything :func:`netdash.ingest.validate` found.

    Attributes
    ----------
    errors, warnings : list of Problem
    notes : list of Problem
        Information that is neither wrong nor doubtful, e.g. the evidence for
        direction in the contacts (severity ``"note"``); shown at import,
        not stored.
    tables : dict
        Canonical frames (see :func:`netdash.dataset.conform`) keyed by table
        name; empty unless :attr:`ok`. Client IDs here are still raw:
        :func:`netdash.ingest.load_dataset` pseudonymises them.
    hints : list of ColumnHint
        Unmapped columns that look like a netdash column the table lacks
        (:func:`netdash.ingest.mapping.unmapped_column_hints`): to ask about
        before anything else.
    """

    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    tables: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    hints: list = field(default_factory=list)

    @property
    def ok(self):
        """True when there are no errors (warnings are allowed)."""
        return not self.errors

    def add(self, problem):
        if problem.severity == "note":
            self.notes.append(problem)
            return
        (self.errors if problem.severity == "error" else self.warnings).append(problem)

    def files_with_errors(self):
        """File names with at least one error, in order of first appearance."""
        return list(dict.fromkeys(p.file for p in self.errors))

    def error_message(self):
        """All errors as one message: a summary line, then one problem per line."""
        return summary_message(self.errors)


def join_names(names):
    """``a``, ``a and b``, ``a, b and c``."""
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def summary_message(problems, *, what="nothing was imported"):
    """``"a.csv and b.csv have 3 problems; nothing was imported."`` followed by each problem."""
    files = list(dict.fromkeys(p.file.split(":")[0] if ".xlsx:" in p.file else p.file for p in problems))
    n = len(problems)
    verb = "has" if len(files) == 1 else "have"
    noun = "problem" if n == 1 else "problems"
    head = f"{join_names(files)} {verb} {n} {noun}; {what}."
    return "\n".join([head] + [str(p) for p in problems])
