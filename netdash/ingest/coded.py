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

import numpy as np
import pandas as pd

__all__ = ["as_categorical", "coded_column", "compact", "strip", "lookup", "value_mask", "same_values", "rows_by_value", "objects",
           "read_csv_arrow", "objects_from_arrow"]


def as_categorical(values):
    """``values`` (a Series of text; NaN means blank) as a categorical Series of strings, same index.

    Categories are in order of first appearance; a missing value becomes ``""``.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        if values.cat.codes.to_numpy().min(initial=0) >= 0 and all(isinstance(c, str) for c in values.cat.categories):
            return values
        values = values.astype(object)
    arr = values.to_numpy(dtype=object, na_value="")
    codes, uniques = pd.factorize(arr)
    uniques = np.asarray([u if isinstance(u, str) else str(u) for u in uniques], dtype=object)
    return coded_column(codes, uniques, values.index)


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
    """Boolean array: ``predicate(text)`` for every row, evaluated once per distinct text."""
    cats = series.cat.categories
    flags = np.fromiter((bool(predicate(c)) for c in cats), dtype=bool, count=len(cats))
    return flags[_codes(series)]


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
    cats = _categories(series).copy()
    cats[cats == ""] = None
    if recode is not None:
        cats = np.asarray(recode(pd.Series(cats, dtype=object)), dtype=object)
    return cats[_codes(series)]


def objects_from_arrow(column):
    """Object array of a pyarrow (chunked) string column, sharing one Python string per distinct value.

    Nulls become None. Used to read a stored dataset without one Python object per row.
    """
    import pyarrow as pa  # noqa: PLC0415

    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    if not pa.types.is_dictionary(column.type):
        column = column.dictionary_encode()
    uniques = np.asarray(column.dictionary.to_pylist() + [None], dtype=object)
    codes = column.indices.fill_null(len(uniques) - 1).to_numpy(zero_copy_only=False)
    return uniques[codes]


def read_csv_arrow(data, *, delimiter, n_columns):
    """Parse UTF-8 CSV bytes with pyarrow into ``[categorical column]`` (header row included), or None.

    Every cell is read as text straight into dictionary codes (no per-row
    Python strings); values may hold newlines only inside quotes, so files
    without a quote character are parsed in parallel blocks. Returns None whenever pyarrow cannot read the file
    exactly as netdash's reference reader would (ragged rows, blank lines
    among several columns, a header that is not one physical line, any
    parse error), so the caller falls back to that reader and its messages.
    """
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.csv as pcsv  # noqa: PLC0415

    if data.count(b'"') % 2:  # an unclosed quote: pyarrow would accept it silently
        return None
    dict_type = pa.dictionary(pa.int32(), pa.string())
    names = [f"f{i}" for i in range(n_columns)]
    try:
        table = pcsv.read_csv(
            io.BytesIO(data),
            read_options=pcsv.ReadOptions(column_names=names, block_size=1 << 24),
            parse_options=pcsv.ParseOptions(delimiter=delimiter, quote_char='"', double_quote=True,
                                            escape_char=False, newlines_in_values=b'"' in data, ignore_empty_lines=False),
            convert_options=pcsv.ConvertOptions(column_types={n: dict_type for n in names}, null_values=[],
                                                strings_can_be_null=False, quoted_strings_can_be_null=False,
                                                check_utf8=True))
        table = table.unify_dictionaries()
    except (pa.ArrowException, ValueError, OverflowError, IndexError):
        return None
    if table.num_columns != n_columns or table.num_rows == 0:
        return None
    out = []
    for column in table.columns:
        chunks = column.chunks
        if not chunks or any(not pa.types.is_dictionary(c.type) for c in chunks):
            return None
        codes = np.concatenate([c.indices.to_numpy(zero_copy_only=False) for c in chunks]).astype(np.int32)
        uniques = np.asarray(chunks[0].dictionary.to_pylist(), dtype=object)
        out.append((codes, uniques))
    return out
