"""The compared practitioners' tie states, for the replicates of :func:`netdash.change.compare.compare_periods`.

A :class:`_Snapshot` holds one period's ties among the compared
practitioners as position pairs; the node bootstrap resamples positions
(:meth:`_Snapshot.matrix`) and the pair-swap permutation exchanges tie
states between the two periods (:func:`_swapped`). Only built when
intervals or p-values are asked for: the observed measures come straight
from the compared networks.
"""

import itertools

import numpy as np
import pandas as pd

from netdash.metrics.matrix import GraphMatrix
from netdash.networks.codes import pairs_listed_once

__all__ = []


class _Snapshot:
    """One period's ties among the compared practitioners, by position.

    ``attrs`` holds the node attributes by compared index, ``edges`` maps
    each working tie ``(i, j)``, ``i < j``, to its weight (never None) and
    ``trust`` is the set of trust ties ``(i, j)``. A snapshot read from the
    tables keeps them as arrays (``ties``: ends and weights; ``trusted``:
    ends; each pair once) and makes the dict and the set only when the
    replicates ask for them: the observed measures, the tie changes and QAP
    read the arrays (at regional scale 480,000 ties a period, issue 19).
    """

    def __init__(self, attrs, edges=None, trust=None, *, ties=None, trusted=None):
        self.attrs = attrs
        self._edges, self._trust = edges, (set() if trust is None and trusted is None else trust)
        self._ties, self._trusted = ties, trusted

    @property
    def edges(self):
        if self._edges is None:
            lo, hi, weight = self._ties
            self._edges = dict(zip(zip(lo.tolist(), hi.tolist()), weight.tolist()))
        return self._edges

    @property
    def trust(self):
        if self._trust is None:
            self._trust = set(zip(*(ends.tolist() for ends in self._trusted)))
        return self._trust

    def tie_arrays(self):
        """``(i, j, weight)`` of the working ties (weights as floats), in the order of ``edges``."""
        if self._ties is not None:
            lo, hi, weight = self._ties
            return lo, hi, np.asarray(weight, dtype=float)
        i, j = _ends(self._edges)
        return i, j, np.fromiter(self._edges.values(), dtype=float, count=len(self._edges))

    def trust_arrays(self):
        """``(i, j)`` of the trust ties (in no particular order)."""
        return self._trusted if self._trusted is not None else _ends(self._trust)

    def matrix(self, sample=None):
        """``(M, trust_ties)`` over the compared practitioners, or a node-bootstrap copy for ``sample``.

        ``M`` is a :class:`GraphMatrix` of the working ties, node ``k`` standing
        for practitioner ``sample[k]`` (every practitioner once, in order, when
        ``sample`` is None); ``trust_ties`` counts the trust ties among the same
        nodes. Copies of one practitioner are not tied to each other (Snijders
        & Borgatti 1999).
        """
        n = len(self.attrs)
        if sample is None:
            sample = np.arange(n)
            i, j, _ = self.tie_arrays()
            ties = np.column_stack((i, j)).astype(np.int64, copy=False).reshape(-1, 2)
            trust = len(self.trust_arrays()[0])
        else:
            where = [[] for _ in range(n)]
            for k, s in enumerate(sample):
                where[int(s)].append(k)
            ties = np.array([(p, q) for i, j in self.edges for p in where[i] for q in where[j]],
                            dtype=np.int64).reshape(-1, 2)
            trust = sum(len(where[i]) * len(where[j]) for i, j in self.trust)
        agency = [self.attrs[int(s)].get("agency") for s in sample]
        return GraphMatrix(range(len(sample)), ties[:, 0], ties[:, 1], node_attrs={"agency": agency}), trust


def _ends(ties):
    """The two ends (positions) of each tie of a snapshot's ``edges`` or ``trust``."""
    # Flat, without a tuple per tie: faster (docs/browser_timings.md, "Before & after: agency maps from the tables").
    pairs = np.fromiter(itertools.chain.from_iterable(ties), dtype=np.int64, count=2 * len(ties)).reshape(-1, 2)
    return pairs[:, 0], pairs[:, 1]


def _snapshot(nodes, edges, trust, index):
    """The ties among ``index`` (sorted practitioner ids), numbered by position in ``index``.

    ``nodes``, ``edges`` and ``trust`` are the period's
    :func:`netdash.networks.graphs.practitioner_nodes`,
    :func:`netdash.networks.graphs.practitioner_edges` and
    :func:`netdash.metrics.trust.trust_edges` tables (only read). Ties are
    listed in the edge table's order (by ``source``, then ``target``), the
    order in which the practitioner graph built from these tables lists them.
    """
    where = pd.Index(index, dtype=object)
    agency = nodes.set_index("practitioner_id")["agency"].reindex(where)
    attrs = [{"agency": a} for a in agency.tolist()]
    i, j = where.get_indexer(edges["source"]), where.get_indexer(edges["target"])
    keep = (i >= 0) & (j >= 0) & (i != j)
    lo, hi = np.minimum(i, j)[keep].astype(np.int64), np.maximum(i, j)[keep].astype(np.int64)
    weight = edges["weight"].to_numpy()[keep]
    trusted = trust[trust["is_trust_tie"].astype(bool).to_numpy()]
    i, j = where.get_indexer(trusted["a"]), where.get_indexer(trusted["b"])
    keep = (i >= 0) & (j >= 0) & (i != j)
    t_lo, t_hi = np.minimum(i, j)[keep].astype(np.int64), np.maximum(i, j)[keep].astype(np.int64)
    n = len(index)
    if weight.dtype.kind in "iuf" and pairs_listed_once(n, lo, hi) and pairs_listed_once(n, t_lo, t_hi):
        return _Snapshot(attrs, ties=(lo, hi, weight), trusted=(t_lo, t_hi))
    # A pair listed twice: the dict and the set say which weight and which pairs count.
    return _Snapshot(attrs, dict(zip(zip(lo.tolist(), hi.tolist()), weight.tolist())),
                     set(zip(t_lo.tolist(), t_hi.tolist())))


def _swapped(before, after, flip_pairs):
    """Snapshots with the tie states of ``flip_pairs`` exchanged between the periods."""
    b_edges, a_edges = dict(before.edges), dict(after.edges)
    b_trust, a_trust = set(before.trust), set(after.trust)
    for p in flip_pairs:
        eb, ea = b_edges.pop(p, None), a_edges.pop(p, None)
        if ea is not None:
            b_edges[p] = ea
        if eb is not None:
            a_edges[p] = eb
        tb, ta = p in b_trust, p in a_trust
        if tb != ta:
            (a_trust.add if tb else a_trust.discard)(p)
            (b_trust.add if ta else b_trust.discard)(p)
    return _Snapshot(before.attrs, b_edges, b_trust), _Snapshot(after.attrs, a_edges, a_trust)
