"""Gould & Fernandez (1989) brokerage roles.

Practitioner ``b`` *brokers* the ordered pair ``(a, c)`` when ``a -> b -> c``,
``a != c`` and there is **no** arc ``a -> c`` (an arc ``c -> a`` does not
matter). Each brokered pair is classified by the groups of ``a`` (source),
``b`` (broker) and ``c`` (target):

* ``broker_coordinator``, A -> A -> A: all three in the broker's group.
* ``broker_itinerant``, A -> B -> A: a and c share a group, the broker is
  outside it (UCINET calls this "consultant").
* ``broker_representative``, A -> A -> B: a shares the broker's group, c does not.
* ``broker_gatekeeper``, A -> B -> B: c shares the broker's group, a does not.
* ``broker_liaison``, A -> B -> C: three different groups.

Some R documentation swaps the gatekeeper and representative labels; the
definitions above, from group membership, are the ones used throughout
netdash and agree with Gould & Fernandez's: the representative carries
contact *out of* their group, the gatekeeper lets contact *into* it.

Conventions: directed (an undirected graph is read as every edge in both
directions, as R's sna does), weights and parallel arcs ignored (ties are
binary), self-loops ignored; isolates and practitioners with only incoming
or only outgoing ties broker nothing (all zeros). ``G`` may also be a
:class:`netdash.metrics.matrix.GraphMatrix` (its cached binary adjacency is
used).

The counts' sparse arithmetic is in :mod:`netdash.metrics._role_counts` and
:func:`boundary_spanners` in :mod:`netdash.metrics._spanners`; every public
name is imported from here.
"""

import numpy as np
import pandas as pd

from netdash.errors import InvalidInputError
from netdash.metrics._role_counts import _binary_adjacency, _role_counts
from netdash.metrics._spanners import boundary_spanners
from netdash.metrics.mixing import _group_codes
from netdash.deferred import networkx as nx  # imported on first use

__all__ = [
    "EXPLANATIONS",
    "ROLE_FIELDS",
    "brokerage_roles",
    "brokerage_by_group",
    "brokerage_expected",
    "boundary_spanners",
]

ROLE_FIELDS = [
    "broker_coordinator",
    "broker_itinerant",
    "broker_representative",
    "broker_gatekeeper",
    "broker_liaison",
]
_FIELDS = [*ROLE_FIELDS, "broker_total"]

_GF = "Gould & Fernandez (1989)"
EXPLANATIONS = {
    "broker_coordinator": (
        "Times this person links two colleagues from their own agency who are "
        "not in direct contact.",
        f"Count of a->b->c, no a->c, group(a)=group(b)=group(c) ({_GF}).",
    ),
    "broker_itinerant": (
        "Times this person links two colleagues from another agency (both the "
        "same agency) who are not in direct contact.",
        f"Count of a->b->c, no a->c, group(a)=group(c)!=group(b) ({_GF}; UCINET 'consultant').",
    ),
    "broker_representative": (
        "Times this person carries contact from their own agency out to another agency.",
        f"Count of a->b->c, no a->c, group(a)=group(b)!=group(c) ({_GF}).",
    ),
    "broker_gatekeeper": (
        "Times this person lets contact from another agency into their own agency.",
        f"Count of a->b->c, no a->c, group(a)!=group(b)=group(c) ({_GF}).",
    ),
    "broker_liaison": (
        "Times this person links two other agencies, neither of them their own.",
        f"Count of a->b->c, no a->c, groups of a, b, c all different ({_GF}).",
    ),
    "broker_total": (
        "All the times this person sits between two colleagues who are not in direct contact.",
        f"Sum of the five brokerage roles ({_GF}).",
    ),
}

LIMITS = (
    "Expected values use Gould & Fernandez's random-graph null, as R's sna::brokerage: "
    "every arc is present independently with the network's density, given only the group "
    "sizes. It ignores that some practitioners have far more ties than others, that ties "
    "are often reciprocated and clustered, and that agencies differ in size of caseload; "
    "z-scores assume a normal approximation whose accuracy is unknown. Read large z-scores "
    "as 'more than a random network of this density', not as a significance test."
)

def brokerage_roles(G, groups="agency"):
    """Gould & Fernandez brokerage counts for every practitioner.

    Parameters
    ----------
    G : networkx.DiGraph
        Contact or referral network. Direction matters: ``b`` brokers
        ``a -> c`` only if ``a -> b``, ``b -> c`` and no ``a -> c`` arc. An
        undirected graph is read as arcs both ways. Weights, parallel arcs and
        self-loops are ignored.
    groups : str or dict, default "agency"
        Node attribute holding the group, or a dict node -> group.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``practitioner_id`` in ``G``'s node order, integer columns
        ``broker_coordinator``, ``broker_itinerant``, ``broker_representative``,
        ``broker_gatekeeper``, ``broker_liaison``, ``broker_total``. Isolates
        and nodes with only in- or only out-ties have zeros.

    Raises
    ------
    InvalidInputError
        If some node has no group.

    References
    ----------
    Gould, R. V. & Fernandez, R. M. (1989). Structures of mediation: a formal
    approach to brokerage in transaction networks. *Sociological Methodology*
    19, 89-126.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b"), ("b", "c")])
    >>> roles = brokerage_roles(G, {"a": "Housing", "b": "Housing", "c": "GP"})
    >>> int(roles.loc["b", "broker_representative"])
    1
    """
    codes, _ = _group_codes(G, groups)
    counts = _role_counts(_binary_adjacency(G), codes)
    index = pd.Index(list(G), name="practitioner_id")
    frame = pd.DataFrame(counts, columns=ROLE_FIELDS, index=index)
    frame["broker_total"] = frame[ROLE_FIELDS].sum(axis=1)
    return frame.astype(np.int64)


def brokerage_by_group(G, groups="agency", *, roles=None):
    """Brokerage counts summed over the brokers of each group.

    Parameters
    ----------
    G : networkx.DiGraph
        As for :func:`brokerage_roles`.
    groups : str or dict, default "agency"
    roles : DataFrame, optional
        :func:`brokerage_roles` of the same ``G`` and ``groups``, when already
        computed (it is then not computed again).

    Returns
    -------
    pandas.DataFrame
        Indexed by group (``agency``, sorted), columns ``n_practitioners`` and
        the six ``broker_*`` fields. A group's row counts brokerage done *by*
        its members (Gould & Fernandez 1989).

    Raises
    ------
    InvalidInputError
        If some node has no group, or ``roles`` does not match ``G``.
    """
    codes, names = _group_codes(G, groups)
    roles = _same_roles(G, codes, roles)
    totals = roles.groupby(codes).sum().reindex(range(len(names)), fill_value=0)
    totals.index = pd.Index(names, name="agency")
    totals.insert(0, "n_practitioners", np.bincount(codes, minlength=len(names)))
    return totals.astype(np.int64)


def _expected_moments(N, d, sizes, own):
    """Expected count and variance of each role for one broker (Gould & Fernandez 1989)."""
    q = d * d * (1 - d)
    r = d**3 * (1 - d) ** 3
    others = np.delete(sizes, own)
    ni = sizes[own]
    means = np.array(
        [
            q * (ni - 1) * (ni - 2),
            q * np.sum(others * (others - 1)),
            q * (N - ni) * (ni - 1),
            q * (N - ni) * (ni - 1),
            q * (others.sum() ** 2 - np.sum(others**2)),
            q * (N - 1) * (N - 2),
        ]
    )
    extra = np.array(
        [
            2 * (ni - 1) * (ni - 2) * (ni - 3),
            2 * np.sum(others * (others - 1) * (others - 2)),
            2 * ((ni - 1) * (N - ni) * (N - ni - 1) / 2 + (N - ni) * (ni - 1) * (ni - 2) / 2),
            2 * ((ni - 1) * (N - ni) * (N - ni - 1) / 2 + (N - ni) * (ni - 1) * (ni - 2) / 2),
            4 * np.sum(others * (N - others - ni) * (N - others - ni - 1) / 2),
            2 * (N - 1) * (N - 2) * (N - 3),
        ]
    )
    return means, means * (1 - q) + extra * r


def _expected_moments_all(N, d, sizes):
    """:func:`_expected_moments` of every group at once: arrays of shape (6, groups), the same floats.

    The sums over the other groups are whole numbers (sums of products of
    group sizes), here found as the sum over all groups less the group's
    own term, in integers, then converted: exact while every partial sum
    stays below 2**53, which ``N**3 < 2**53`` ensures; above it
    :func:`_expected_moments` is called per group. The rest is the same
    arithmetic on arrays instead of scalars, in the same order.
    """
    if N ** 3 >= 2.0 ** 53:
        moments = [_expected_moments(N, d, sizes, g) for g in range(len(sizes))]
        return (np.array([m[0] for m in moments]).T.reshape(6, -1),
                np.array([m[1] for m in moments]).T.reshape(6, -1))
    q = d * d * (1 - d)
    r = d**3 * (1 - d) ** 3
    s = sizes.astype(np.int64)
    p1, p2, p3 = int(s.sum()), int((s * s).sum()), int((s * s * s).sum())
    others = p1 - s  # per group: the other groups' sizes summed
    rest = int(N) - s  # N - n_i
    pairs = (p2 - p1) - s * (s - 1)  # sum over others of o (o - 1)
    triples = (p3 - 3 * p2 + 2 * p1) - s * (s - 1) * (s - 2)  # sum over others of o (o - 1) (o - 2)
    squares = p2 - s * s  # sum over others of o**2
    # sum over others of o (r - o) (r - o - 1) / 2 with r = N - n_i: (r**2 - r) S1 + (1 - 2 r) S2 + S3 over all
    # groups, less the group's own term; every o (r - o) (r - o - 1) is even.
    spread = ((rest * rest - rest) * p1 + (1 - 2 * rest) * p2 + p3 - s * (rest - s) * (rest - s - 1)) // 2
    ni = sizes
    means = np.array(
        [
            q * (ni - 1) * (ni - 2),
            q * pairs.astype(float),
            q * (N - ni) * (ni - 1),
            q * (N - ni) * (ni - 1),
            q * (others * others - squares).astype(float),
            np.full(len(ni), q * (N - 1) * (N - 2)),
        ]
    )
    extra = np.array(
        [
            2 * (ni - 1) * (ni - 2) * (ni - 3),
            2 * triples.astype(float),
            2 * ((ni - 1) * (N - ni) * (N - ni - 1) / 2 + (N - ni) * (ni - 1) * (ni - 2) / 2),
            2 * ((ni - 1) * (N - ni) * (N - ni - 1) / 2 + (N - ni) * (ni - 1) * (ni - 2) / 2),
            4 * spread.astype(float),
            np.full(len(ni), 2 * (N - 1) * (N - 2) * (N - 3)),
        ]
    )
    return means, means * (1 - q) + extra * r


def _same_roles(G, codes, roles):
    """``roles`` checked against ``G``'s nodes, or :func:`brokerage_roles` of ``G`` when None."""
    if roles is None:
        return brokerage_roles(G, dict(zip(G, codes)))
    if roles.index.tolist() != list(G) or list(roles.columns) != _FIELDS:
        raise InvalidInputError(
            f"roles must be brokerage_roles() of the same graph: expected {len(G)} rows in the graph's node "
            f"order with columns {_FIELDS}, got {len(roles)} rows with columns {list(roles.columns)}. "
            "Pass roles=brokerage_roles(G, groups), or leave roles out.")
    return roles


def brokerage_expected(G, groups="agency", *, roles=None):
    """Observed brokerage against Gould & Fernandez's random-graph expectation.

    For a broker in a group of size ``n_i`` in a network of ``N`` nodes and
    density ``d = arcs / (N (N - 1))``, each ordered pair is brokered with
    probability ``d^2 (1 - d)``; the expected count of a role is that times the
    number of pairs with the role's group pattern, e.g. coordinator
    ``d^2 (1-d) (n_i-1)(n_i-2)``, representative and gatekeeper
    ``d^2 (1-d) (n_i-1)(N-n_i)``. Variances are Gould & Fernandez's, as
    implemented in R's sna::brokerage (``exp.nli``, ``sd.nli``, ``z.nli``),
    whose values this function reproduces.

    Parameters
    ----------
    G : networkx.DiGraph
        As for :func:`brokerage_roles`; density counts arcs (an undirected
        edge is two arcs), without self-loops.
    groups : str or dict, default "agency"
    roles : DataFrame, optional
        :func:`brokerage_roles` of the same ``G`` and ``groups``, when already
        computed (it is then not computed again).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``practitioner_id``; for each field ``f`` of ``broker_*``:
        ``f`` (observed), ``f_expected``, ``f_sd`` and ``f_z`` (NaN where the
        standard deviation is 0, e.g. an empty or complete network). The
        frame's ``attrs["limits"]`` holds a plain note on what the null ignores.

    Raises
    ------
    InvalidInputError
        If some node has no group, or ``roles`` does not match ``G``.
    """
    codes, _ = _group_codes(G, groups)
    A = _binary_adjacency(G)
    observed = _same_roles(G, codes, roles)
    N = float(len(codes))
    d = A.nnz / (N * (N - 1)) if N > 1 else 0.0
    sizes = np.bincount(codes).astype(float) if len(codes) else np.zeros(0)
    means, variances = _expected_moments_all(N, d, sizes)
    columns = {}
    for j, field in enumerate(_FIELDS):
        mean = means[j][codes]
        sd = np.sqrt(variances[j][codes])
        obs = observed[field].to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(sd > 0, (obs - mean) / np.where(sd > 0, sd, 1.0), np.nan)
        columns[field] = observed[field].to_numpy()
        columns[f"{field}_expected"] = mean
        columns[f"{field}_sd"] = sd
        columns[f"{field}_z"] = z
    frame = pd.DataFrame(columns, index=observed.index)
    frame.attrs["limits"] = LIMITS
    return frame
