"""The compared practitioners' tie states, for the replicates of :func:`netdash.change.compare.compare_periods`.

A :class:`_Snapshot` holds one period's ties among the compared
practitioners as position pairs; the node bootstrap resamples positions
(:meth:`_Snapshot.matrix`) and the pair-swap permutation exchanges tie
states between the two periods (:func:`_swapped`). Only built when
intervals or p-values are asked for: the observed measures come straight
from the compared networks.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from netdash.metrics.matrix import GraphMatrix

__all__ = []


@dataclass
class _Snapshot:
    attrs: list                     # node attributes, by compared index
    edges: dict                     # (i, j) with i < j -> tie weight (never None), working ties
    trust: set = field(default_factory=set)   # (i, j) trust ties

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
            ties = np.array(list(self.edges), dtype=np.int64).reshape(-1, 2)
            trust = len(self.trust)
        else:
            where = [[] for _ in range(n)]
            for k, s in enumerate(sample):
                where[int(s)].append(k)
            ties = np.array([(p, q) for i, j in self.edges for p in where[i] for q in where[j]],
                            dtype=np.int64).reshape(-1, 2)
            trust = sum(len(where[i]) * len(where[j]) for i, j in self.trust)
        agency = [self.attrs[int(s)].get("agency") for s in sample]
        return GraphMatrix(range(len(sample)), ties[:, 0], ties[:, 1], node_attrs={"agency": agency}), trust


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
    lo, hi = np.minimum(i, j)[keep].tolist(), np.maximum(i, j)[keep].tolist()
    ties = dict(zip(zip(lo, hi), edges["weight"].to_numpy()[keep].tolist()))
    trusted = trust[trust["is_trust_tie"].astype(bool).to_numpy()]
    i, j = where.get_indexer(trusted["a"]), where.get_indexer(trusted["b"])
    keep = (i >= 0) & (j >= 0) & (i != j)
    return _Snapshot(attrs, ties, set(zip(np.minimum(i, j)[keep].tolist(), np.maximum(i, j)[keep].tolist())))


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
