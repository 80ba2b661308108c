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
    # In blocks of pairs whose rows hold at most COMMON_BLOCK entries: the rows of every pair at once were the
    # Isolation page's peak memory at the large scale (docs/benchmarks.md, "_common_neighbours").
    degree = np.diff(A.indptr)
    bounds = _blocks(degree[a], COMMON_BLOCK)
    common = np.zeros(len(a), dtype=np.int64)
    for start, stop in zip(bounds[:-1], bounds[1:]):
        common[start:stop] = np.asarray(A[a[start:stop]].multiply(A[b[start:stop]]).sum(axis=1)).ravel()
    return common


COMMON_BLOCK = 4_000_000
"""Matrix entries read per block of :func:`_common_neighbours` (about 50 MB per copy)."""


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
    distinct, inverse = np.unique(values, return_inverse=True)
    return pa.array([text(v) for v in distinct.tolist()], type=pa.string()).take(inverse)
