"""Betweenness of an officer–node graph at national scale: Brandes' algorithm run from every
source at once with numpy, giving ``networkx.betweenness_centrality(g, normalized=True)`` to
the last bit (tests/test_network.py checks it against networkx).

Why it is here: a national store has one graph per pilot and school year (29 pilots × 8 years
in the benchmark, each of a few hundred nodes); networkx's pure-Python search took 16 s for
them at 10M contacts, this takes well under a second (bench/RESULTS.md, "network").
:func:`brugdata.analysis._graph.metrics` uses it when numpy is installed and the graph is
small enough for n × n arrays, and networkx (the plain path) otherwise.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DENSE_LIMIT", "Nodes", "degree_betweenness"]

#: Largest graph (officers and nodes of one pilot and year) whose betweenness is computed on
#: n × n numpy arrays (a few of them: 0.5 GB at this size); larger ones go through networkx.
DENSE_LIMIT = 4000


class Nodes:
    """Node numbers in the order they are first added, with a name and whether an officer."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.names: list[str] = []
        self.is_officer: list[bool] = []

    def add(self, key: str, name: str, officer: bool) -> int:
        if key not in self.index:
            self.index[key] = len(self.names)
            self.names.append(name)
            self.is_officer.append(officer)
        return self.index[key]


def degree_betweenness(n: int, pairs: list[tuple[int, int]]) -> tuple[list[int], list[float]]:
    """Degree and normalised betweenness of the nodes 0..n-1 of the undirected graph whose
    edges are ``pairs`` in the order they were added (which fixes each node's adjacency
    order, as in networkx), computed as ``networkx.betweenness_centrality(g,
    normalized=True)`` computes them, to the last bit.

    networkx runs a breadth-first search from each source in node order, visiting neighbours
    in adjacency order; then it pops the nodes in reverse order of discovery, adds
    ``sigma[v] * ((1 + delta[w]) / sigma[w])`` to ``delta[v]`` for each predecessor v of w
    and, summing over the sources in order, ``delta[w]`` to the betweenness of w. Here every
    source goes at once, level by level, on (node, source) cells: the order in which a level's
    nodes are found comes from (rank of the first predecessor popped, position in its
    adjacency); ``numpy.add.at`` adds in index order, so the contributions to each ``delta``
    are added in networkx's order, and ``cumsum`` sums over the sources in order.
    """
    import numpy as np

    m = len(pairs)
    if m == 0:
        return [0] * n, [0.0] * n
    nn = n * n
    arcs = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    src = np.concatenate([arcs[:, 0], arcs[:, 1]])
    dst = np.concatenate([arcs[:, 1], arcs[:, 0]])
    order = np.lexsort((np.concatenate([np.arange(m), np.arange(m)]), src))
    a_src, a_dst = src[order], dst[order]  # arcs by node, each node's in adjacency order
    degree = np.bincount(src, minlength=n)
    indptr = np.concatenate([[0], np.cumsum(degree)])
    at = np.empty(2 * m, dtype=np.int64)
    at[order] = np.arange(2 * m)
    reverse = at[np.concatenate([np.arange(m, 2 * m), np.arange(m)])[order]]
    back = (np.arange(2 * m) - indptr[a_src])[reverse]  # where a_src is in a_dst's adjacency

    diag = np.arange(n) * (n + 1)  # cell = node * n + source
    seen = np.zeros((n, n), dtype=bool)
    seen.ravel()[diag] = True
    frontier = seen.copy()
    sigma = np.zeros(nn)  # shortest paths from the source
    sigma[diag] = 1.0
    rank = np.zeros(nn, dtype=np.int64)  # place in the source's order of discovery
    found = np.ones(n, dtype=np.int64)
    never = np.int64(nn) * n
    levels: list[tuple[Any, Any]] = []
    while True:
        # arcs a: node a_src[a] found from a_dst[a], in the frontier, for a source
        hit = np.flatnonzero(frontier[a_dst] & ~seen[a_src])
        if not len(hit):
            break
        arc, source = np.divmod(hit, n)
        cw = a_src[arc] * n + source
        cv = a_dst[arc] * n + source
        sigma += np.bincount(cw, weights=sigma[cv], minlength=nn)
        first = np.full(nn, never, dtype=np.int64)
        np.minimum.at(first, cw, rank[cv] * n + back[arc])
        cells = np.flatnonzero(first < never)
        sources = cells % n
        by_find = np.argsort(sources * nn + first[cells])
        cells, sources = cells[by_find], sources[by_find]
        rank[cells] = found[sources] + (np.arange(len(cells)) - np.searchsorted(sources, sources))
        found += np.bincount(sources, minlength=n)
        frontier = np.zeros((n, n), dtype=bool)
        frontier.ravel()[cells] = True
        seen |= frontier
        levels.append((cv, cw))
    delta = np.zeros(nn)
    for cv, cw in reversed(levels):
        add = sigma[cv] * ((1 + delta[cw]) / sigma[cw])
        popped = np.argsort((n - rank[cw]).astype(np.uint16), kind="stable")
        np.add.at(delta, cv[popped], add[popped])
    delta[diag] = 0.0
    between = np.cumsum(delta.reshape(n, n), axis=1)[:, -1]
    if n - 1 >= 2:  # networkx's rescaling: endpoints left out, N = n - 1
        scale = 1 / ((n - 1) * (n - 2))
        if scale != 1:
            between = between * scale
    return degree.tolist(), between.tolist()
