"""Text columns as dictionary codes: the importer's lean form of cells (private).

An ID or date column of a contact log has few distinct values (20,000
practitioners, 730 days) over millions of rows. The importer therefore
holds every raw column as a pandas ``Categorical``: one int32 code per row
and each distinct text once. Checks run on the distinct values and are
spread back to rows with the codes, and the final object columns point at
one shared Python string per distinct value instead of one per row.

Categories keep the order in which values first appear in the file, so
messages list values in file order whichever reader produced the column.
"""

import io
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

__all__ = ["as_categorical", "coded_column", "compact", "strip", "lookup", "value_mask", "blank_mask", "blank_rows", "same_values", "rows_by_value", "objects",
           "coded_objects", "strings_or_none",
           "read_csv_arrow", "objects_from_arrow", "coded_from_arrow"]


def as_categorical(values):
    """``values`` (a Series of text; NaN means blank) as a categorical Series of strings, same index.

    Categories are in order of first appearance; a missing value becomes ``""``.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        if values.cat.codes.to_numpy().min(initial=0) >= 0 and _all_strings(values.cat.categories):
            return values
        values = values.astype(object)
    arr = values.to_numpy(dtype=object, na_value="")
    codes, uniques = pd.factorize(arr)
    uniques = np.asarray([u if isinstance(u, str) else str(u) for u in uniques], dtype=object)
    return coded_column(codes, uniques, values.index)


def _all_strings(values):
    """True when every entry of ``values`` is a ``str`` (one C loop: pandas' type inference)."""
    return len(values) == 0 or pd.api.types.infer_dtype(values, skipna=False) == "string"


def strings_or_none(values):
    """True when every entry of the object array ``values`` is a ``str`` or None (NaN is neither)."""
    values = np.asarray(values, dtype=object)
    return _all_strings(values[values != None])  # noqa: E711 - elementwise


def coded_column(codes, uniques, index):
    """A categorical Series from codes into distinct strings (duplicates in ``uniques`` are merged)."""
    uniques = np.asarray(uniques, dtype=object)
    merged, first = pd.factorize(uniques)
    if first.size != uniques.size:
        codes = merged[codes]
        uniques = np.asarray(first, dtype=object)
    cats = pd.Index(uniques, dtype=object)
    return pd.Series(pd.Categorical.from_codes(np.asarray(codes, dtype=np.int32), categories=cats, validate=False),
                     index=index)


def _codes(series):
    return series.cat.codes.to_numpy()


def _categories(series):
    return np.asarray(series.cat.categories, dtype=object)


def compact(series):
    """Drop categories no row uses, keeping the order of the rest (O(rows), no sort)."""
    codes, cats = _codes(series), _categories(series)
    used = np.bincount(codes, minlength=cats.size) > 0
    if used.all():
        return series
    remap = np.cumsum(used) - 1
    return coded_column(remap[codes], cats[used], series.index)


def strip(series):
    """Cells without surrounding whitespace (``str.strip``), as a categorical Series."""
    cats = _categories(series)
    return coded_column(_codes(series), np.array([c.strip() for c in cats], dtype=object), series.index)


def lookup(series, per_value):
    """``per_value[code]`` for every row: a value computed once per distinct text, spread to rows.

    ``per_value`` is an array aligned with ``series.cat.categories``.
    """
    per_value = np.asarray(per_value)
    return per_value[_codes(series)]


def value_mask(series, predicate):
    """Boolean array: ``predicate(text)`` for every row, evaluated once per distinct text.

    ``predicate`` returns a bool; a method of ``str`` (e.g. ``str.isspace``)
    is the fastest, with no Python frame per text (a contact log's client
    column has 200,000 distinct texts: issue 19).
    """
    cats = _categories(series)
    flags = np.fromiter(map(predicate, cats), dtype=bool, count=len(cats))
    return flags[_codes(series)]


def _blank_values(series):
    """Boolean array: which categories of ``series`` are empty or only whitespace."""
    cats = _categories(series)
    # strip() removes exactly the characters isspace() accepts: a text strips to "" when it is empty or all space.
    return (cats == "") | np.fromiter(map(str.isspace, cats), dtype=bool, count=len(cats))


def blank_mask(series):
    """Boolean array: the rows whose text is empty or only whitespace (``text.strip() == ""``)."""
    return _blank_values(series)[_codes(series)]


def blank_rows(columns, n):
    """Boolean array of ``n`` rows: blank (:func:`blank_mask`) in every one of the categorical ``columns``.

    A column without a blank value settles it without a pass over its rows.
    """
    flags = [_blank_values(col) for col in columns]
    if not all(f.any() for f in flags):
        return np.zeros(n, dtype=bool)
    blank = np.ones(n, dtype=bool)
    for col, f in zip(columns, flags):
        blank &= f[_codes(col)]
    return blank


def same_values(a, b):
    """Boolean array: row-wise ``a == b`` for two categorical Series of strings."""
    position = pd.Index(_categories(a), dtype=object).get_indexer(_categories(b))
    return _codes(a) == position[_codes(b)]


def rows_by_value(index, series, mask):
    """``[(value, rows)]`` for the rows where ``mask`` holds, one entry per value in order of first appearance."""
    mask = np.asarray(mask, dtype=bool)
    codes = _codes(series)[mask]
    rows = np.asarray(index)[mask]
    if codes.size == 0:
        return []
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
    ends = np.r_[starts[1:], sorted_codes.size]
    cats = _categories(series)
    # A stable sort keeps row order within a value, so order[start] is the value's first row.
    return [(cats[sorted_codes[starts[g]]], rows[order[starts[g]:ends[g]]])
            for g in np.argsort(order[starts], kind="stable")]


def objects(series, *, recode=None):
    """Object array of the cells, each distinct string one shared Python object; ``""`` -> None.

    ``recode``, if given, maps an object Series of the distinct values (None for
    blank) to their replacements, computed once per value.
    """
    codes, values = coded_objects(series, recode=recode)
    return values[codes]


def coded_objects(series, *, recode=None):
    """The codes of the cells and the object each code stands for: :func:`objects` is ``values[codes]``.

    Returns
    -------
    codes : ndarray of int32
        One per row.
    values : ndarray of object
        One per category: its string (recoded if asked), None for blank.
    """
    values = _categories(series).copy()
    values[values == ""] = None
    if recode is not None:
        values = np.asarray(recode(pd.Series(values, dtype=object)), dtype=object)
    return _codes(series), values


def objects_from_arrow(column):
    """Object array of a pyarrow (chunked) string column, sharing one Python string per distinct value.

    Nulls become None. Used to read a stored dataset without one Python object per row.
    """
    codes, values = coded_from_arrow(column)
    return values[codes]


def coded_from_arrow(column):
    """Codes of a pyarrow (chunked) string column and the object each code stands for.

    :func:`objects_from_arrow` is ``values[codes]``; the codes are what
    :func:`netdash.dataset.keep_column_codes` keeps, so that the analysis
    does not hash the rows again (issue 19).

    Returns
    -------
    codes : ndarray of int32
        One per row.
    values : ndarray of object
        The distinct strings (Arrow's dictionary order), then None, the value of the null rows.

    Examples
    --------
    >>> import pyarrow as pa
    >>> codes, values = coded_from_arrow(pa.chunked_array([["b", None], ["a", "b"]]))
    >>> codes.tolist(), values.tolist()
    ([0, 2, 1, 0], ['b', 'a', None])
    """
    import pyarrow as pa  # noqa: PLC0415

    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    if not pa.types.is_dictionary(column.type):
        column = column.dictionary_encode()
    values = np.asarray(column.dictionary.to_pylist() + [None], dtype=object)
    codes = column.indices.fill_null(len(values) - 1).to_numpy(zero_copy_only=False)
    return codes.astype(np.int32, copy=False), values


_SPLIT_MIN_BYTES = 32 << 20
"""Files without quotes at least this large are parsed in two halves side by side (issue 19)."""

def _dict_type():
    import pyarrow as pa  # noqa: PLC0415

    return pa.dictionary(pa.int32(), pa.string())


def _halves(data, skip):
    """``(start, middle)``: byte offsets splitting a large file on disk in two after a newline, or None."""
    with data() as fh:
        try:
            size = os.fstat(fh.fileno()).st_size
        except (AttributeError, OSError, io.UnsupportedOperation):  # bytes in memory, a zip member
            return None
        if size - skip < _SPLIT_MIN_BYTES:
            return None
        fh.seek(skip + (size - skip) // 2)
        fh.readline()
        middle = fh.tell()
    return None if middle >= size else (skip, middle)


class _Window(io.RawIOBase):
    """The next ``limit`` bytes of a binary file, as a file."""

    def __init__(self, fh, limit):
        super().__init__()
        self._fh, self._left = fh, limit

    def readable(self):
        return True

    def readinto(self, buffer):
        n = min(len(buffer), self._left)
        if n <= 0:
            return 0
        chunk = self._fh.read(n)
        buffer[:len(chunk)] = chunk
        self._left -= len(chunk)
        return len(chunk)


def _read_part(fh, *, delimiter, n_columns, quoted):
    """Per column, int32 codes and a dictionary array of the distinct texts (order of first appearance), or None.

    Reads ``fh`` from where it stands to its end (see :func:`read_csv_arrow`).
    """
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.csv as pcsv  # noqa: PLC0415

    dict_type = _dict_type()
    names = [f"f{i}" for i in range(n_columns)]
    known = [None] * n_columns  # per column: the distinct texts so far, as a dictionary array indexing them all
    pending = [[] for _ in range(n_columns)]  # per column: blocks not yet mapped onto ``known``
    parts = [[] for _ in range(n_columns)]

    def fold(i):
        # Arrow's unifier (C++) takes each chunk's dictionary in chunk order, and a block's dictionary
        # lists its texts in order of first appearance: with ``known`` first, the unified dictionary
        # extends it in order of first appearance in the file. Folding every _FOLD_BLOCKS blocks keeps
        # the peak to the codes plus a few blocks.
        chunks = pending[i] if known[i] is None else [known[i], *pending[i]]
        column = pa.chunked_array(chunks, type=dict_type).unify_dictionaries(pa.system_memory_pool())
        for chunk in column.chunks[0 if known[i] is None else 1:]:
            parts[i].append(chunk.indices.to_numpy(zero_copy_only=False))
        known[i] = _indexing_all(column.chunk(0).dictionary)
        pending[i] = []

    try:
        reader = pcsv.open_csv(
            fh, read_options=pcsv.ReadOptions(column_names=names, block_size=1 << 20, use_threads=False),
            parse_options=pcsv.ParseOptions(delimiter=delimiter, quote_char='"', double_quote=True,
                                            escape_char=False, newlines_in_values=bool(quoted),
                                            ignore_empty_lines=False),
            convert_options=pcsv.ConvertOptions(column_types={n: dict_type for n in names}, null_values=[],
                                                strings_can_be_null=False, quoted_strings_can_be_null=False,
                                                check_utf8=True),
            memory_pool=pa.system_memory_pool())  # freed blocks go back to the system at once
        for batch in reader:
            if batch.num_columns != n_columns:
                return None
            for i, column in enumerate(batch.columns):
                if not pa.types.is_dictionary(column.type) or column.null_count:
                    return None
                pending[i].append(column)
                if len(pending[i]) >= _FOLD_BLOCKS:
                    fold(i)
    except (pa.ArrowException, ValueError, OverflowError, IndexError):
        return None
    out = []
    for i in range(n_columns):
        if pending[i]:
            fold(i)
        if not parts[i]:
            return None
        codes = np.concatenate(parts[i]) if len(parts[i]) > 1 else parts[i][0]
        parts[i] = None  # the blocks' codes go as each column is joined
        out.append((codes.astype(np.int32, copy=False), known[i]))
    return out


def _indexing_all(dictionary):
    """A dictionary array whose row ``k`` is ``dictionary[k]``: the distinct texts as one chunk to unify."""
    import pyarrow as pa  # noqa: PLC0415

    return pa.DictionaryArray.from_arrays(pa.array(np.arange(len(dictionary), dtype=np.int32)), dictionary)


def _joined(first, second):
    """One column's codes and distinct texts from its two halves, the first half's texts first."""
    import pyarrow as pa  # noqa: PLC0415

    (codes_a, known_a), (codes_b, known_b) = first, second
    column = pa.chunked_array([known_a, known_b], type=_dict_type()).unify_dictionaries()
    remap = column.chunk(1).indices.to_numpy(zero_copy_only=False)
    return np.concatenate([codes_a, remap[codes_b]]), _indexing_all(column.chunk(0).dictionary)


_FOLD_BLOCKS = 16
"""Blocks of 1 MB read before :func:`read_csv_arrow` maps their dictionaries onto the distinct texts so far."""


def read_csv_arrow(data, *, delimiter, n_columns, quoted=None, skip=0):
    """Parse UTF-8 CSV with pyarrow into ``[(codes, uniques)]`` per column (header row included), or None.

    Parameters
    ----------
    data : bytes or callable
        The bytes, or a function of no argument that opens them as a binary
        file (a path or zip member): the file is then read as a stream of
        1 MB blocks and never held whole.
    delimiter : str
    n_columns : int
        Columns in the header.
    quoted : bool, optional
        Whether the file holds a quote character; found from ``data`` when
        it is bytes. The caller of a stream checks that quotes are balanced.
    skip : int
        Bytes to skip at the start (a byte order mark).

    Returns
    -------
    list of (ndarray, ndarray) or None
        Per column, int32 codes (one per row) into its distinct texts, in
        order of first appearance. Every cell is read as text straight into
        dictionary codes (no per-row Python strings), one block at a time;
        every :data:`_FOLD_BLOCKS` blocks, Arrow maps their dictionaries onto
        the column's distinct values so far (in C++: issue 19), so the peak
        is the codes plus a few blocks (issue 18). None
        whenever pyarrow cannot read the file exactly as netdash's reference
        reader would (ragged rows, blank lines among several columns, a
        header that is not one physical line, any parse error), so the
        caller falls back to that reader and its messages.
    """
    if isinstance(data, (bytes, bytearray, memoryview)):
        data = bytes(data)
        if data.count(b'"') % 2:  # an unclosed quote: pyarrow would accept it silently
            return None
        quoted = b'"' in data if quoted is None else quoted
        body = data
        data = lambda: io.BytesIO(body)  # noqa: E731
    halves = _halves(data, skip) if quoted is False else None
    if halves is None:
        with data() as fh:
            if skip:
                fh.read(skip)
            parts = _read_part(fh, delimiter=delimiter, n_columns=n_columns, quoted=quoted)
    else:
        # Without quotes every newline ends a row, so the two halves of a large file are parsed side by
        # side (Arrow releases the GIL) and their distinct texts joined, the first half's first.
        start, middle = halves
        with data() as first, data() as second:
            first.seek(start)
            second.seek(middle)
            with ThreadPoolExecutor(1) as pool:
                later = pool.submit(_read_part, second, delimiter=delimiter, n_columns=n_columns, quoted=False)
                parts = _read_part(_Window(first, middle - start), delimiter=delimiter, n_columns=n_columns,
                                   quoted=False)
                rest = later.result()
        parts = None if parts is None or rest is None else [_joined(a, b) for a, b in zip(parts, rest)]
    if parts is None:
        return None
    out = []
    for i, (codes, known) in enumerate(parts):
        parts[i] = None
        out.append((codes, np.asarray(known.dictionary.to_pylist(), dtype=object)))
    if out[0][0].size == 0:
        return None
    return out
