"""Betweenness of an officer–node graph at national scale: Brandes' algorithm from every
source at once, as products of n × n matrices (numpy), equal to
``networkx.betweenness_centrality(g, normalized=True)`` within 1e-12 (tests/test_network.py
checks it against networkx).

Why it is here: a national store has one graph per pilot and school year (29 pilots × 8 years
in the benchmark, each of about a hundred nodes and a thousand edges); networkx's pure-Python
search took 16 s for them at 10M contacts, this 0.25 s (0.035 s for the 29 graphs at 1M).
:func:`measure_all` runs it on every graph, with networkx (the plain path) for a graph too
large for n × n matrices.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["DENSE_LIMIT", "degree_betweenness", "measure_all"]

#: Largest graph (officers and nodes of one pilot and year) whose betweenness is computed on
#: n × n matrices (a few of them: 0.5 GB at this size); larger ones go through networkx.
DENSE_LIMIT = 4000

Measures = tuple[list[int], list[float]]


def measure_all(graphs: Sequence[tuple[int, Any]]) -> list[Measures]:
    """Degree and normalised betweenness of the nodes of each graph ``(n, pairs)``: nodes
    0..n-1, ``pairs`` its edges (see :func:`degree_betweenness`); networkx for a graph larger
    than :data:`DENSE_LIMIT` (the same numbers)."""
    return [_measure(n, pairs) for n, pairs in graphs]


def _measure(n: int, pairs: Any) -> Measures:
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
    edges are ``pairs`` (no self-loops), as ``networkx.betweenness_centrality(g,
    normalized=True)`` gives them (within 1e-12).

    Brandes' algorithm with a row per source: a breadth-first search level by level, where
    the paths to the next level are the paths to this one times the adjacency matrix; then,
    from the last level back, each node's dependency ``delta[s, v] = sigma[s, v] * sum over
    its successors w of (1 + delta[s, w]) / sigma[s, w]``, again a product with the
    adjacency matrix. A node's betweenness is its dependencies summed over the sources,
    rescaled as networkx does for an undirected graph (endpoints left out)."""
    import numpy as np

    if len(pairs) == 0:
        return [0] * n, [0.0] * n
    ends = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    adjacency = np.zeros((n, n))
    adjacency[ends[:, 0], ends[:, 1]] = 1.0
    adjacency[ends[:, 1], ends[:, 0]] = 1.0

    sigma = np.eye(n)  # [s, v]: shortest paths from source s to v
    seen = np.eye(n, dtype=bool)
    frontier = np.eye(n)  # sigma on the last level found, 0 elsewhere
    levels = []  # [s, v]: v is on this level (1, 2, ...) of the search from s
    while True:
        ahead = frontier @ adjacency
        level = (ahead > 0) & ~seen
        if not level.any():
            break
        frontier = np.where(level, ahead, 0.0)
        sigma += frontier
        seen |= level
        levels.append(level)
    delta = np.zeros((n, n))
    for below, level in zip(reversed(levels[:-1]), reversed(levels[1:]), strict=True):
        share = np.divide(1.0 + delta, sigma, out=np.zeros((n, n)), where=level)
        delta += np.where(below, sigma * (share @ adjacency), 0.0)
    between = delta.sum(axis=0)
    if n > 2:  # networkx's rescaling: endpoints left out, N = n - 1
        between = between * (1 / ((n - 1) * (n - 2)))
    return np.count_nonzero(adjacency, axis=1).tolist(), between.tolist()
