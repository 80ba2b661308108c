"""The in-memory form of a validated dataset.

Everything after the importer takes a :class:`Dataset` and trusts it: IDs are
stripped strings, dates are ``datetime64`` (midnight, tz-naive), client IDs
are already pseudonyms, and every reference resolves.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from netdash.schema import TABLES

__all__ = ["Dataset", "Memo", "MEMO_MAX_BYTES", "NO_COP_DATA", "empty_table", "conform", "dataset_summary",
           "monthly_activity", "factorized_column", "keep_column_codes", "keep_log_codes"]

MEMO_MAX_BYTES = 1 << 30
"""Default size of a :class:`Memo` (1 GiB, estimated): the least recently used values go first beyond it."""

_TABLE_NAMES = ("agencies", "practitioners", "contacts", "cop_attendance", "clients", "trust_survey")


def _nbytes(value, depth=0):
    """Estimated bytes held by ``value``: arrays and frames by their buffers (object cells count a pointer)."""
    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, pd.DataFrame):
        return int(value.memory_usage(index=True, deep=False).sum())
    if isinstance(value, (pd.Series, pd.Index)):
        return int(value.memory_usage(deep=False))
    if depth > 3:
        return 0
    if isinstance(value, dict):
        return sum(_nbytes(v, depth + 1) for v in value.values())
    if isinstance(value, (tuple, list)):
        return sum(_nbytes(v, depth + 1) for v in value)
    if hasattr(value, "__dict__"):  # e.g. a CodedLog: its arrays
        return sum(_nbytes(v, depth + 1) for v in vars(value).values())
    return 0


class Memo:
    """Values derived from one dataset's tables, each computed once, kept while there is room.

    The one place the library keeps what it computed between calls
    (docs/architecture.md, "Where the library memoises"): every
    :class:`Dataset` has one, :attr:`Dataset.memo`, which lives and dies
    with the dataset object. :mod:`netdash.networks` keeps there the coded
    contact log and the edge tables of each period and option, so that every
    page, analysis and ties setting of the same dataset counts them once.
    When the values' estimated size passes ``max_bytes`` the least recently
    used are dropped (and computed again if asked for).

    Values are shared, not copied: callers must not modify them (the public
    table functions of :mod:`netdash.networks.graphs` hand out copies).
    Safe to use from several threads: a value being computed by one thread
    is waited for, not computed twice.

    Parameters
    ----------
    max_bytes : int, default :data:`MEMO_MAX_BYTES`

    Examples
    --------
    >>> memo = Memo()
    >>> memo.get(("square", 3), lambda: 3 * 3), memo.get(("square", 3), lambda: 0)
    (9, 9)
    >>> len(memo), memo.clear(), len(memo)
    (1, None, 0)
    """

    def __init__(self, max_bytes=MEMO_MAX_BYTES):
        self.max_bytes = max_bytes
        self._values = OrderedDict()  # key -> (value, estimated bytes), least recently used first
        self._bytes = 0
        self._lock = threading.Lock()
        self._pending = {}  # key -> lock held by the thread computing it

    def get(self, key, compute):
        """The value kept under ``key``, or ``compute()`` kept under it (``key`` must be hashable)."""
        found = self._lookup(key)
        if found is not None:
            return found[0]
        with self._lock:
            pending = self._pending.setdefault(key, threading.Lock())
        with pending:
            found = self._lookup(key)  # computed by another thread while this one waited
            if found is not None:
                return found[0]
            try:
                value = compute()
            finally:
                with self._lock:
                    self._pending.pop(key, None)
            self._keep(key, value)
            return value

    def _lookup(self, key):
        with self._lock:
            found = self._values.get(key)
            if found is not None:
                self._values.move_to_end(key)
                return found

    def _keep(self, key, value):
        size = _nbytes(value)
        with self._lock:
            self._values[key] = (value, size)
            self._bytes += size
            while self._bytes > self.max_bytes and len(self._values) > 1:
                _, (_, dropped) = self._values.popitem(last=False)
                self._bytes -= dropped

    @property
    def nbytes(self):
        """Estimated bytes held."""
        return self._bytes

    def keys(self):
        """The keys held, least recently used first."""
        with self._lock:
            return list(self._values)

    def __len__(self):
        return len(self._values)

    def clear(self):
        """Drop every value."""
        with self._lock:
            self._values.clear()
            self._bytes = 0

    def put(self, key, value):
        """Keep ``value`` under ``key`` (replacing what was there)."""
        self.pop(key)
        self._keep(key, value)

    def peek(self, key):
        """``(value,)`` when a value is kept under ``key``, else None: nothing is computed or waited for.

        Examples
        --------
        >>> memo = Memo()
        >>> memo.peek("k"), memo.get("k", lambda: None), memo.peek("k")
        (None, None, (None,))
        """
        found = self._lookup(key)
        return None if found is None else (found[0],)

    def pop(self, key, default=None):
        """Remove the value kept under ``key`` and return it (``default`` when there is none)."""
        with self._lock:
            found = self._values.pop(key, None)
            if found is None:
                return default
            self._bytes -= found[1]
            return found[0]


def empty_table(name):
    """An empty frame with the canonical columns and dtypes of table ``name``."""
    cols = {}
    for col in TABLES[name].columns:
        if col.kind == "date":
            cols[col.name] = pd.Series(dtype="datetime64[ns]")
        elif col.kind in ("int", "number"):
            cols[col.name] = pd.Series(dtype="float64")
        else:
            cols[col.name] = pd.Series(dtype="object")
    return pd.DataFrame(cols)


def conform(frame, name, *, clean=()):
    """Return ``frame`` with exactly the canonical columns and dtypes of table ``name``.

    Missing optional columns are added empty; dates are parsed as ISO 8601;
    a missing agency sector becomes ``"other"``, a missing agency name the
    agency's id, and a missing contact weight 1. ``clean`` names object
    columns the caller built from strings and None only (the importer): they
    are kept without looking for NaN in each of their cells.
    """
    out = empty_table(name)
    if frame is None or frame.empty:
        return out
    if not isinstance(frame.index, pd.RangeIndex) or frame.index.start != 0 or frame.index.step != 1:
        frame = frame.reset_index(drop=True)
    out = pd.DataFrame(index=frame.index)
    # Columns already of the canonical dtype are not copied: an import's contacts are millions of rows (issue 18).
    for col in TABLES[name].columns:
        if col.name not in frame.columns:
            # Made once in its own dtype: a column of NA converted would cost two or three copies of 8 bytes a row.
            out[col.name] = _missing_column(col.kind, len(frame), ones=(name, col.name) == ("contacts", "weight"))
            continue
        values = frame[col.name]
        if col.kind == "date":
            out[col.name] = pd.to_datetime(values, format="ISO8601").astype("datetime64[ns]")
        elif col.kind in ("int", "number"):
            out[col.name] = pd.to_numeric(values).astype("float64")
        elif values.dtype == object and (col.name in clean or not _has_nan(values)):
            out[col.name] = values
        else:
            out[col.name] = values.astype("object").where(values.notna(), None)
    if name == "agencies":
        out["sector"] = out["sector"].fillna("other")
        out["name"] = out["name"].where(out["name"].notna(), out["agency_id"])
    if name == "contacts" and out["weight"].hasnans:
        out["weight"] = out["weight"].fillna(1.0)
    return out


def _missing_column(kind, n, *, ones=False):
    """An absent optional column: NaT, NaN (1.0 with ``ones``: a contact's default weight) or None on each row."""
    if kind == "date":
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    if kind in ("int", "number"):
        return np.ones(n) if ones else np.full(n, np.nan)
    return np.full(n, None, dtype=object)


def _has_nan(values):
    """True when an object Series holds a missing value other than None (NaN, NA, NaT)."""
    values = values.to_numpy()
    missing = pd.isna(values)
    # Only the missing cells are compared with None (contacts have millions of rows: issue 19).
    return bool(missing.any() and (values[missing] != None).any())  # noqa: E711 - elementwise


_CODES_KEY = "netdash.dataset column codes"


def keep_column_codes(ds, table, column, codes, values):
    """Leave the importer's codes of one column in ``ds.memo`` for :func:`factorized_column`.

    ``values[codes]`` must equal the column row for row (``values`` holds
    strings and None; it may repeat a string or hold values no row uses).
    Kept until :func:`factorized_column` uses them once, or the memo drops
    them; a dataset given other tables gets a new memo, so codes never
    outlive the table they describe.
    """
    ds.memo.put((_CODES_KEY, table, column), (np.asarray(codes), np.asarray(values, dtype=object)))


_LOG_TABLES = ("contacts", "cop_attendance")


def keep_log_codes(ds, codes):
    """:func:`keep_column_codes` of the contact log's and the attendance's columns among ``codes``.

    ``codes`` is ``{(table, column): (codes, values)}`` as the importer
    (:func:`netdash.ingest.validate.validate_and_build`) and the workspace
    (:meth:`netdash.store.Workspace.open`) make them. Only the two large
    tables' are kept: the coded log (:func:`netdash.networks.codes.coded_log`)
    reads them instead of hashing millions of rows again; the other tables
    are small.
    """
    for (table, column), (column_codes, values) in codes.items():
        if table in _LOG_TABLES:
            keep_column_codes(ds, table, column, column_codes, values)


def factorized_column(ds, table, column, rows=None):
    """``pandas.factorize`` of one column of ``ds`` (or of its ``rows``, a boolean mask), as int32 codes.

    From the codes the importer left (:func:`keep_column_codes`; used once,
    then let go) when there are some: the rows are then not hashed again,
    only their codes renumbered (O(rows) integer work, issue 19); otherwise
    by hashing every row.

    Returns
    -------
    codes : ndarray of int32
        One per row, -1 where the value is missing (None or NaN).
    uniques : ndarray of object
        The distinct values in order of first appearance.

    Examples
    --------
    >>> ds = Dataset.from_records(agencies=[{"agency_id": "A"}],
    ...                           practitioners=[{"practitioner_id": p, "agency_id": "A"} for p in "xyz"])
    >>> keep_column_codes(ds, "practitioners", "practitioner_id", [2, 0, 1], ["y", "z", "x", "w"])
    >>> [a.tolist() for a in factorized_column(ds, "practitioners", "practitioner_id")]
    [[0, 1, 2], ['x', 'y', 'z']]
    """
    memo = getattr(ds, "memo", None)
    kept = None if memo is None else memo.pop((_CODES_KEY, table, column))
    if kept is None:
        values = getattr(ds, table)[column].to_numpy(dtype=object)
        codes, uniques = pd.factorize(values if rows is None else values[rows])
        return codes.astype(np.int32), np.asarray(uniques, dtype=object)
    codes, values = kept
    if rows is not None:
        codes = codes[rows]
    return _factorized_codes(codes, values)


def _factorized_codes(codes, values):
    """What ``pandas.factorize(values[codes])`` returns, without hashing a row.

    The distinct values are merged (equal strings, missing values) by
    factorizing ``values`` alone, then ordered by their first row.
    """
    merged, distinct = pd.factorize(values)
    merged = np.r_[merged, -1].astype(np.int32)  # a code of -1 (none given) stays missing
    row = merged[codes]
    n = len(row)
    first = np.full(len(distinct) + 1, n, dtype=np.int64)
    np.minimum.at(first, row + 1, np.arange(n))  # slot 0: missing
    used = np.flatnonzero(first[1:] < n)
    used = used[np.argsort(first[1:][used], kind="stable")]
    renumber = np.full(len(distinct) + 1, -1, dtype=np.int32)
    renumber[used + 1] = np.arange(used.size, dtype=np.int32)
    return renumber[row + 1], np.asarray(distinct, dtype=object)[used]


NO_COP_DATA = "no COP attendance data was supplied (cop_attendance.csv is missing or has no rows)"
"""Said wherever COP attendance is needed and the dataset has none (the file is optional)."""


@dataclass(frozen=True)
class Dataset:
    """A validated dataset.

    Attributes
    ----------
    agencies : DataFrame
        ``agency_id``, ``name``, ``sector`` (sector is ``"other"`` when missing).
    practitioners : DataFrame
        ``practitioner_id``, ``agency_id``, ``name`` (NaN if not supplied),
        ``role``, ``start_date``, ``end_date`` (NaT if not supplied).
    contacts : DataFrame
        ``date``, ``practitioner_id``, ``client_id`` (pseudonym or NaN),
        ``with_practitioner_id`` (NaN when the row is only about a client),
        ``contact_type``, ``duration_minutes``.
    cop_attendance : DataFrame
        ``session_id``, ``date``, ``practitioner_id``, ``cop_name``.
    clients : DataFrame
        ``client_id`` (pseudonym), ``needs``; may be empty.
    trust_survey : DataFrame
        ``date``, ``rater_id``, ``ratee_id``, ``trust`` and the PARTNER
        dimensions; may be empty.
    name : str
        Display name of the dataset.
    version : str
        Changes whenever the stored data changes; use it in cache keys.
    directed : bool, default True
        Whether a contact row has a direction (``practitioner_id`` contacted
        ``with_practitioner_id``). False for data whose ties have none (e.g.
        a published undirected network): each contact row then counts in
        both directions wherever direction matters (brokerage, in/out
        degree, the directed contact graph).
    """

    agencies: pd.DataFrame
    practitioners: pd.DataFrame
    contacts: pd.DataFrame
    cop_attendance: pd.DataFrame
    clients: pd.DataFrame = field(default_factory=lambda: empty_table("clients"))
    trust_survey: pd.DataFrame = field(default_factory=lambda: empty_table("trust_survey"))
    name: str = "dataset"
    version: str = "0"
    directed: bool = True

    @property
    def memo(self):
        """This dataset's :class:`Memo`: what the library derived from its tables, kept with the object.

        Made on first use. The tables are treated as read-only; a dataset
        given other table objects (same Dataset, tables swapped with
        ``object.__setattr__``) gets a new, empty memo. Not pickled or copied
        with the dataset.
        """
        # The ids of the tables this object holds: they cannot be reused by other objects while it holds them.
        tables = tuple((id(t), len(t)) for t in (getattr(self, name) for name in _TABLE_NAMES))
        found = self.__dict__.setdefault("_memo", (tables, Memo()))  # a memo, not a field: the dataclass stays frozen
        if found[0] != tables:
            found = self.__dict__["_memo"] = (tables, Memo())
        return found[1]

    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items() if k != "_memo"}

    @classmethod
    def from_records(cls, *, agencies, practitioners, contacts=(), cop_attendance=(),
                     clients=(), trust_survey=(), name="dataset", version="0", directed=True):
        """Build a dataset from trusted, already-clean records (tests, notebooks).

        Each argument is a list of dicts (or a DataFrame) using the canonical
        column names; optional columns may be left out and dates are ISO
        strings. Nothing is validated or pseudonymised: user files go through
        :mod:`netdash.ingest` instead.

        Examples
        --------
        >>> ds = Dataset.from_records(
        ...     agencies=[{"agency_id": "A", "name": "Housing"}],
        ...     practitioners=[{"practitioner_id": "p1", "agency_id": "A"}],
        ...     contacts=[{"date": "2024-01-05", "practitioner_id": "p1", "client_id": "c1"}],
        ... )
        >>> ds.contacts["date"].iloc[0].isoformat()
        '2024-01-05T00:00:00'
        >>> ds.agencies["sector"].iloc[0]
        'other'
        """
        frames = {}
        given = dict(agencies=agencies, practitioners=practitioners, contacts=contacts,
                     cop_attendance=cop_attendance, clients=clients, trust_survey=trust_survey)
        for table, records in given.items():
            frame = pd.DataFrame(records if len(records) else None)
            frames[table] = conform(frame, table)
        return cls(**frames, name=name, version=version, directed=bool(directed))

    def table(self, name):
        return getattr(self, name)

    @property
    def date_range(self):
        """(first, last) day seen in contacts or attendance, or (None, None).

        Kept in :attr:`memo`: every dashboard run asks several times, and
        each pass reads every date (its cost: ``docs/benchmarks.md``,
        "Dataset.date_range").
        """
        def compute():
            dates = pd.concat([self.contacts["date"], self.cop_attendance["date"]]).dropna()
            return (None, None) if dates.empty else (dates.min(), dates.max())

        return self.memo.get("date_range", compute)

    @property
    def first_cop_session(self):
        """Date of the first COP session, or None when nobody attended one."""
        if self.cop_attendance.empty:
            return None
        return self.cop_attendance["date"].min()

    def agency_of(self):
        """Mapping practitioner_id -> agency_id."""
        return dict(zip(self.practitioners["practitioner_id"], self.practitioners["agency_id"]))


# --- plain counts that describe a dataset (the Overview page and the report) ---
def dataset_summary(ds, period=None):
    """Headline counts of a dataset, optionally within a period.

    Returns
    -------
    dict
        agencies, practitioners, clients (distinct pseudonyms with a contact),
        contacts, colleague_contacts (rows naming a colleague),
        cross_agency_contacts (colleague contacts between agencies),
        cop_sessions, cop_attendees, first_date and last_date (ISO strings or
        None).

    Examples
    --------
    >>> ds = Dataset.from_records(
    ...     agencies=[{"agency_id": "A", "name": "A"}, {"agency_id": "B", "name": "B"}],
    ...     practitioners=[{"practitioner_id": "p", "agency_id": "A"},
    ...                    {"practitioner_id": "q", "agency_id": "B"}],
    ...     contacts=[{"date": "2024-01-02", "practitioner_id": "p", "with_practitioner_id": "q"},
    ...               {"date": "2024-01-03", "practitioner_id": "p", "client_id": "c1"}])
    >>> s = dataset_summary(ds)
    >>> s["contacts"], s["colleague_contacts"], s["cross_agency_contacts"], s["clients"]
    (2, 1, 1, 1)
    """
    # The columns counted, not the whole contact table, are cut to the period: at regional scale (5 million
    # rows) copying the table was most of the time.
    dates = ds.contacts["date"]
    attendance = ds.cop_attendance
    kind, _, _, client = _contact_rows(ds)
    if period is not None:
        inside = period.mask(dates).to_numpy()
        dates, kind, client = dates[inside], kind[inside], client[inside]
        attendance = attendance[period.mask(attendance["date"])]
    client = client[client >= 0]
    ends = pd.Series([dates.min(), dates.max(), attendance["date"].min(), attendance["date"].max()],
                     dtype=dates.dtype).dropna()
    return {
        "agencies": int(len(ds.agencies)),
        "practitioners": int(len(ds.practitioners)),
        "clients": int(np.count_nonzero(np.bincount(client))) if len(client) else 0,  # codes: no hashing
        "contacts": int(len(kind)),
        "colleague_contacts": int((kind != _CLIENT).sum()),
        "cross_agency_contacts": int((kind == _CROSS).sum()),
        "cop_sessions": int(attendance["session_id"].nunique()),
        "cop_attendees": int(attendance["practitioner_id"].nunique()),
        "first_date": ends.min().date().isoformat() if len(ends) else None,
        "last_date": ends.max().date().isoformat() if len(ends) else None,
    }


def monthly_activity(ds, period=None):
    """Contacts per calendar month, split into client, within-agency and cross-agency.

    Returns
    -------
    DataFrame
        Columns month (first day of month), kind ("client", "within agency",
        "cross agency"), contacts. A row that names both a client and a
        colleague counts once as a colleague contact.
    """
    kind, month, months, _ = _contact_rows(ds)
    if period is not None:
        inside = period.mask(ds.contacts["date"]).to_numpy()
        kind, month = kind[inside], month[inside]
    dated = month >= 0
    counts = np.bincount(month[dated].astype(np.int64) * len(_KINDS) + kind[dated], minlength=len(months) * len(_KINDS))
    found = np.flatnonzero(counts)
    return pd.DataFrame({"month": months[found // len(_KINDS)],
                         "kind": np.array(_KINDS, dtype=object)[found % len(_KINDS)],
                         "contacts": counts[found]})


#: What a contact row is, in the order of the names (the order a group-by on them gives).
_KINDS = ("client", "cross agency", "within agency")
_CLIENT, _CROSS, _WITHIN = range(3)


def _contact_rows(ds):
    """Per contact row, kept in ``ds.memo``: its kind (index into :data:`_KINDS`), its month's code, the months
    (sorted), and its client's code (-1 for none), so that a period's counts are a mask and a count.

    A row naming a colleague is a colleague contact, even if it names a client too; it is cross-agency unless
    both practitioners are known and in the same agency.
    """
    def compute():
        contacts = ds.contacts
        agencies = {a: k for k, a in enumerate(pd.unique(ds.practitioners["agency_id"].dropna()))}
        agency = {p: agencies.get(a, -1) for p, a in ds.agency_of().items()}

        def agency_codes(ids):
            # Each distinct id looked up once (a regional log has 5 million rows and 20,000 practitioners);
            # -1 for a missing or unknown practitioner, or one without an agency.
            codes, uniques = pd.factorize(ids)
            lookup = np.array([agency.get(u, -1) for u in uniques] + [-1], dtype=np.int64)
            return lookup[codes]  # code -1 (a missing id) reads the appended -1

        colleague = contacts["with_practitioner_id"].notna().to_numpy()
        own = agency_codes(contacts["practitioner_id"])
        same = (own >= 0) & (own == agency_codes(contacts["with_practitioner_id"]))
        kind = np.where(colleague, np.where(same, _WITHIN, _CROSS), _CLIENT).astype(np.int8)
        month, months = pd.factorize(contacts["date"].to_numpy().astype("datetime64[M]"), sort=True)
        client = pd.factorize(contacts["client_id"])[0]
        # The few distinct months as timestamps the way pandas gives a month's start (its resolution too).
        months = pd.DatetimeIndex(months.astype("datetime64[ns]")).to_period("M").to_timestamp()
        return kind, month.astype(np.int32), months, client.astype(np.int32)

    return ds.memo.get("contact_rows", compute)
