"""Which part of a network a map shows: an agency filter, one practitioner's colleagues, or the tied only."""

from netdash.networks.graphs import ego_graph

__all__ = ["map_view"]


def map_view(G, *, agencies=(), focus=None, radius=1, tied_only=False):
    """The part of ``G`` a map should show (a read-only view: copy it before changing it).

    Parameters
    ----------
    G : networkx.Graph
        A practitioner network (node attribute ``agency``).
    agencies : collection of str, optional
        Keep only practitioners of these agencies; empty keeps everyone.
    focus : str, optional
        A practitioner: show them and everyone within ``radius`` steps in
        all of ``G``, whatever ``agencies`` says.
    radius : int, default 1
        Steps from ``focus``.
    tied_only : bool, default False
        Leave out practitioners with no tie in what is shown.

    Returns
    -------
    networkx.Graph
        ``G`` itself when nothing is filtered, else a subgraph view.

    Raises
    ------
    InvalidInputError
        If ``focus`` is not in ``G`` (:func:`netdash.networks.graphs.ego_graph`).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph([("a", "b"), ("b", "c"), ("c", "d")]); G.add_node("e")
    >>> nx.set_node_attributes(G, {"a": "A", "b": "A", "c": "B", "d": "B", "e": "A"}, "agency")
    >>> sorted(map_view(G, agencies={"A"}))
    ['a', 'b', 'e']
    >>> sorted(map_view(G, agencies={"A"}, tied_only=True))
    ['a', 'b']
    >>> sorted(map_view(G, focus="a", radius=2))
    ['a', 'b', 'c']
    """
    view = G
    if agencies:
        wanted = set(agencies)
        view = view.subgraph([n for n, agency in view.nodes(data="agency") if agency in wanted])
    if focus is not None:
        view = ego_graph(G, focus, radius=radius)
    if tied_only:
        view = view.subgraph([n for n in view if view.degree(n) > 0])
    return view
