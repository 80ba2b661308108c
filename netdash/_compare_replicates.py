"""The compared practitioners' tie states, for the replicates of :func:`netdash.compare.compare_periods`.

A :class:`_Snapshot` holds one period's ties among the compared
practitioners as position pairs; the node bootstrap resamples positions
(:meth:`_Snapshot.graphs`) and the pair-swap permutation exchanges tie
states between the two periods (:func:`_swapped`). Only built when
intervals or p-values are asked for: the observed measures come straight
from the compared networks.
"""

from dataclasses import dataclass, field

import networkx as nx
import numpy as np

__all__ = []


@dataclass
class _Snapshot:
    attrs: list                     # node attributes, by compared index
    edges: dict                     # (i, j) with i < j -> edge data, working ties
    trust: set = field(default_factory=set)   # (i, j) trust ties

    def graphs(self, sample=None):
        """(G, T) over the compared practitioners, or a node-bootstrap copy for ``sample``."""
        observed, sample = sample is None, np.arange(len(self.attrs)) if sample is None else sample
        where = {}
        for k, s in enumerate(sample):
            where.setdefault(int(s), []).append(k)
        G, T = nx.Graph(), nx.Graph()
        nodes = [(k, self.attrs[s]) for k, s in enumerate(sample)]
        G.add_nodes_from(nodes)
        T.add_nodes_from(nodes)
        if observed:  # every practitioner once: the pairs as they are
            G.add_edges_from(self.edges)
            T.add_edges_from(self.trust)
            return G, T
        # Copies of one practitioner are not tied to each other (Snijders & Borgatti 1999).
        for target, pairs in ((G, self.edges), (T, self.trust)):
            for i, j in pairs:
                if i in where and j in where:
                    target.add_edges_from((p, q) for p in where[i] for q in where[j])
        return G, T


def _snapshot(G, T, index):
    """The ties of ``G`` and ``T`` among ``index`` (practitioner ids), numbered by position in ``index``.

    Reads ``G`` and ``T`` only: node attributes are copied, edge data is
    referenced and never changed.
    """
    attrs = [dict(G.nodes[v]) for v in index]
    pos = {v: k for k, v in enumerate(index)}

    def pairs(H):
        out = {}
        for u, v, d in H.edges(data=True):
            if u in pos and v in pos and u != v:
                out[tuple(sorted((pos[u], pos[v])))] = d
        return out

    return _Snapshot(attrs, pairs(G), set(pairs(T)))


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
