"""Coded helpers of :func:`netdash.actions.isolation.suggest_introductions`.

They work on the integer-coded log of :mod:`netdash.networks.codes` (practitioner
codes index the sorted ids, days count from 1970-01-01), so the pairs who
share clients are found with sorts instead of a self-merge on id strings.
"""

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from scipy import sparse

from netdash.networks.codes import distinct_rows, reduce_by_key

__all__ = []


def _day(timestamp):
    """Days since 1970-01-01, the day codes of :mod:`netdash.networks.codes`."""
    return int(np.datetime64(timestamp, "D").astype(np.int64))


def _agency_codes(ds, log):
    """An agency code per practitioner code of ``log`` (-1 when the agency is unknown)."""
    agency = ds.practitioners.drop_duplicates("practitioner_id").set_index("practitioner_id")["agency_id"]
    codes, _ = pd.factorize(agency.reindex(pd.Index(log.ids, dtype=object)).to_numpy(dtype=object))
    return codes.astype(np.int64)


def _shared_client_pairs(log, agency):
    """Pairs of practitioners in different agencies who saw the same clients in ``log``.

    Returns codes ``a < b``, the number of distinct clients both saw and the
    last day either of them saw one of those clients, one entry per pair,
    sorted by ``a``, ``b``. Practitioners with no known agency are left out
    (their agency cannot be compared).
    """
    keep = (log.client >= 0) & (log.author >= 0)
    client, person, day = distinct_rows(log.client[keep], log.author[keep], log.day[keep])
    # The last day of each (client, practitioner): the last of its sorted rows.
    last = np.r_[(client[1:] != client[:-1]) | (person[1:] != person[:-1]), True][:len(client)]
    client, person, day = client[last], person[last], day[last]
    known = agency[person] >= 0
    client, person, day = client[known], person[known], day[known]
    # Every two practitioners of a client: row i with rows i + 1 .. end of its client.
    ends = np.r_[np.flatnonzero(client[1:] != client[:-1]) + 1, len(client)] if len(client) else \
        np.zeros(0, dtype=np.int64)
    end = np.repeat(ends, np.diff(np.r_[0, ends]))
    partners = end - np.arange(len(client)) - 1
    first = np.repeat(np.arange(len(client)), partners)
    second = first + 1 + np.arange(len(first)) - np.repeat(np.cumsum(partners) - partners, partners)
    other = agency[person[first]] != agency[person[second]]
    first, second = first[other], second[other]
    a, b = person[first], person[second]  # sorted by person within a client, so a < b
    latest = np.maximum(day[first], day[second])
    n = len(log.ids)
    keys, shared, (latest,) = reduce_by_key(a * n + b, [(np.maximum, latest)])
    return keys // n, keys % n, shared, latest.astype(np.int64)


def _common_neighbours(tied, n, a, b):
    """Number of colleagues tied to both ``a[i]`` and ``b[i]`` (codes), as an int64 array.

    ``tied`` is :func:`netdash.networks.counts.union_counts` (None when there is
    no tie). Row-wise product of a sparse 0/1 adjacency matrix, so dense
    networks do not blow up a pairwise merge.
    """
    if tied is None:
        return np.zeros(len(a), dtype=np.int64)
    source, target, _ = tied
    other = source != target
    source, target = source[other], target[other]
    A = sparse.csr_matrix((np.ones(2 * len(source)), (np.r_[source, target], np.r_[target, source])),
                          shape=(n, n))
    A.data[:] = 1  # duplicates were summed: keep it 0/1
    degree = np.diff(A.indptr)
    if float(degree[a].sum()) + float(degree[b].sum()) > COMMON_GRAPHBLAS_MIN_WORK:
        return _common_neighbours_graphblas(A, a, b)
    # In blocks of pairs whose rows hold at most COMMON_BLOCK entries: the rows of every pair at once were the
    # Isolation page's peak memory at the large scale (docs/benchmarks.md, "_common_neighbours").
    bounds = _blocks(degree[a], COMMON_BLOCK)
    common = np.zeros(len(a), dtype=np.int64)
    for start, stop in zip(bounds[:-1], bounds[1:]):
        common[start:stop] = np.asarray(A[a[start:stop]].multiply(A[b[start:stop]]).sum(axis=1)).ravel()
    return common


COMMON_BLOCK = 4_000_000
"""Matrix entries read per block of :func:`_common_neighbours` (about 50 MB per copy)."""

COMMON_GRAPHBLAS_MIN_WORK = 2e7
"""Above this many matrix entries read (the pairs' two rows), :func:`_common_neighbours` asks GraphBLAS.

Its masked product counts the colleagues in common at the pairs only, in
about half the CPU of scipy's row-wise products at the large demo (869,529
pairs, 1.9e8 entries); below, scipy finishes before GraphBLAS's first import
would (``docs/benchmarks.md``, "Session 17: Isolation and Clients")."""


def _common_neighbours_graphblas(A, a, b):
    """:func:`_common_neighbours` of the 0/1 symmetric matrix ``A`` by GraphBLAS's ``plus_pair`` at the pairs.

    ``(A @ A)[a, b]`` counts the ``k`` with ``A[a, k]`` and ``A[k, b]``: the
    same integers as the row-wise products. Pairs with nobody in common get
    no entry, so 0.
    """
    from netdash.metrics.backends import graphblas

    gb = graphblas()
    n = A.shape[0]
    Ag = gb.io.from_scipy_sparse(A)
    mask = gb.Matrix.from_coo(a, b, True, nrows=n, ncols=n)  # a repeated pair is one entry
    C = gb.Matrix(gb.dtypes.INT64, n, n)
    C(mask=mask.S) << Ag.mxm(Ag, gb.semiring.plus_pair)
    rows, cols, values = C.to_coo()
    found = rows.astype(np.int64) * n + cols
    if len(found) > 1 and (found[1:] < found[:-1]).any():
        order = np.argsort(found)
        found, values = found[order], values[order]
    wanted = np.asarray(a, dtype=np.int64) * n + b
    at = np.minimum(np.searchsorted(found, wanted), max(len(found) - 1, 0))
    common = np.zeros(len(wanted), dtype=np.int64)
    if len(found):
        hit = found[at] == wanted
        common[hit] = values[at[hit]]
    return common


def _blocks(sizes, most):
    """Bounds ``[0, ..., len(sizes)]`` of consecutive blocks whose ``sizes`` add up to at most ``most`` each.

    A single entry larger than ``most`` gets a block of its own.

    Examples
    --------
    >>> _blocks(np.array([3, 3, 3, 9, 1]), 6).tolist()
    [0, 2, 3, 4, 5]
    """
    bounds = [0]
    total = np.cumsum(sizes)
    while bounds[-1] < len(sizes):
        before = total[bounds[-1] - 1] if bounds[-1] else 0
        stop = int(np.searchsorted(total, before + most, side="right"))
        bounds.append(max(stop, bounds[-1] + 1))
    return np.asarray(bounds)


def _evidence_texts(shared, days, common):
    """The evidence sentence of each suggested pair, as a Series of dtype ``"str"``.

    Each part of the sentence is written once per distinct value (a count
    of shared clients, a day, a count of colleagues) and the parts are joined
    by pyarrow: four times faster than one f-string per pair
    (``docs/benchmarks.md``, "_evidence_texts").
    """
    clients = _texts(shared, lambda n: "the same client" if n == 1 else f"{n} of the same clients")
    day = _texts(days.astype("datetime64[D]"), lambda d: d.isoformat())
    colleagues = _texts(common, lambda c: "no colleagues in common" if c == 0
                        else f"{c} colleague{'' if c == 1 else 's'} in common")
    joined = pc.binary_join_element_wise("Both worked with ", clients, ", most recently on ", day, "; ", colleagues,
                                         ".", "")
    return pd.Series(pd.array(joined, dtype="str"))


def _texts(values, text):
    """``text(v)`` for each of ``values`` (a numpy array), as a pyarrow array: called once per distinct value."""
    distinct, inverse = _distinct(values)
    return pa.array([text(v) for v in distinct.tolist()], type=pa.string()).take(inverse)


def _distinct(values):
    """``numpy.unique(values, return_inverse=True)``; for integers or days spanning few values, without a sort.

    The counts, days and colleagues of the large demo's 869,529 pairs span
    at most a few hundred values each: a table over their range finds them
    in one pass.

    Examples
    --------
    >>> [a.tolist() for a in _distinct(np.array([7, 3, 7, 5]))]
    [[3, 5, 7], [2, 0, 2, 1]]
    """
    values = np.asarray(values)
    numbers = values.view(np.int64) if values.dtype.kind == "M" and values.dtype.itemsize == 8 else values
    if numbers.dtype.kind not in "iu" or not len(numbers) or (values.dtype.kind == "M" and np.isnat(values).any()):
        return np.unique(values, return_inverse=True)
    low = int(numbers.min())
    span = int(numbers.max()) - low + 1
    if span > 4 * len(numbers) + 4096:
        return np.unique(values, return_inverse=True)
    at = (numbers - low).astype(np.intp, copy=False)
    seen = np.zeros(span, dtype=bool)
    seen[at] = True
    where = np.flatnonzero(seen)
    position = np.cumsum(seen) - 1
    return (where + low).astype(numbers.dtype).view(values.dtype), position[at]
