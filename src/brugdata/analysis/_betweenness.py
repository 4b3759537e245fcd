"""Betweenness of an officer–node graph at national scale: Brandes' algorithm run from every
source at once with numpy, giving ``networkx.betweenness_centrality(g, normalized=True)`` to
the last bit (tests/test_network.py checks it against networkx).

Why it is here: a national store has one graph per pilot and school year (29 pilots × 8 years
in the benchmark, each of about a hundred nodes and a thousand edges); networkx's pure-Python
search took 16 s for them at 10M contacts, this about 1 s on one core
(bench/RESULTS.md, "network"). :func:`measure_all` runs it on every graph, with networkx (the
plain path) for a graph too large for n × n arrays.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

__all__ = ["DENSE_LIMIT", "degree_betweenness", "measure_all"]

#: Largest graph (officers and nodes of one pilot and year) whose betweenness is computed on
#: n × n numpy arrays (a few of them: 0.5 GB at this size); larger ones go through networkx.
DENSE_LIMIT = 4000

Measures = tuple[list[int], list[float]]


def measure_all(graphs: Sequence[tuple[int, Any]]) -> list[Measures]:
    """Degree and normalised betweenness of the nodes of each graph ``(n, pairs)`` (nodes
    0..n-1, ``pairs`` its edges in the order added: see :func:`degree_betweenness`).

    The graphs are measured on two threads where there are several cores: numpy lets go of
    the interpreter inside its array operations, so two graphs' searches run at once (1.0 s →
    0.65 s for the 232 graphs of the 10M benchmark on two cores). One core: one by one."""
    workers = min(2, os.cpu_count() or 1, len(graphs))
    if workers <= 1:
        return [_measure(n, pairs) for n, pairs in graphs]
    with ThreadPoolExecutor(workers, thread_name_prefix="brugdata-betweenness") as pool:
        return list(pool.map(lambda graph: _measure(*graph), graphs))


def _measure(n: int, pairs: Any) -> Measures:
    """:func:`degree_betweenness`, or networkx for a graph larger than :data:`DENSE_LIMIT`
    (the same numbers: networkx on nodes 0..n-1 with edges added in the same order)."""
    if n <= DENSE_LIMIT:
        return degree_betweenness(n, pairs)
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_edges_from((int(u), int(v)) for u, v in pairs)
    between = nx.betweenness_centrality(g, normalized=True)
    return [d for _, d in g.degree()], [between[v] for v in range(n)]


def degree_betweenness(n: int, pairs: Any) -> Measures:
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
