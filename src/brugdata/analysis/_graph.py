"""The officers' network as graphs: the bipartite officer–node graph of a pilot (networkx),
its measures (degree centrality, betweenness, density) and :func:`to_networkx`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl

from brugdata.analysis._contract import AnalysisError, Frames
from brugdata.model.vocab import Lang, label

if TYPE_CHECKING:
    import networkx

__all__ = ["metrics", "to_networkx"]


def _officer_node(officer_id: str) -> str:
    return f"officer:{officer_id}"


def _counterpart_node(node_kind: str, node: str) -> str:
    return f"{'colleague' if node_kind == 'colleague_role' else 'partner'}:{node}"


def _node_label(node_kind: str, node: str, partner_name: str | None, lang: Lang) -> str:
    if node_kind == "colleague_role":
        return label("colleague_role", node, lang)
    return partner_name or node


def _graph(
    edges: pl.DataFrame,
    officers: pl.DataFrame,
    pilot: str | None,
    lang: Lang = "nl",
) -> networkx.Graph:
    import networkx as nx

    if pilot is not None:
        edges = edges.filter(pl.col("pilot") == pilot)
        officers = officers.filter(pl.col("pilot") == pilot)
    g = nx.Graph()
    for o in (
        officers.select("pilot", "officer_id").unique(maintain_order=True).iter_rows(named=True)
    ):
        g.add_node(
            _officer_node(o["officer_id"]),
            kind="officer",
            node=o["officer_id"],
            pilot=o["pilot"],
            pilots=(o["pilot"],),
            label=o["officer_id"],
            partner_kind=None,
        )
    for e in edges.iter_rows(named=True):
        officer = _officer_node(e["officer_id"])
        if officer not in g:  # an edges frame handed in without its officer
            g.add_node(
                officer,
                kind="officer",
                node=e["officer_id"],
                pilot=e["pilot"],
                pilots=(e["pilot"],),
                label=e["officer_id"],
                partner_kind=None,
            )
        other = _counterpart_node(e["node_kind"], e["node"])
        if other in g:
            attrs = g.nodes[other]
            if e["pilot"] not in attrs["pilots"]:
                attrs["pilots"] = (*attrs["pilots"], e["pilot"])
                attrs["pilot"] = None
        else:
            g.add_node(
                other,
                kind=e["node_kind"],
                node=e["node"],
                pilot=e["pilot"],
                pilots=(e["pilot"],),
                label=_node_label(e["node_kind"], e["node"], e["partner_name"], lang),
                partner_kind=e["partner_kind"],
            )
        if g.has_edge(officer, other):  # the same link in several school years
            data = g.edges[officer, other]
            for key in ("weight", "contacts", "referrals"):
                data[key] += e[key]
        else:
            g.add_edge(
                officer,
                other,
                pilot=e["pilot"],
                weight=e["weight"],
                contacts=e["contacts"],
                referrals=e["referrals"],
            )
    return g


def to_networkx(
    result: Frames,
    pilot: str | None = None,
    *,
    school_year: str | None = None,
    lang: Lang = "nl",
) -> networkx.Graph:
    """The officer–node graph of a :func:`network` result for ``pilot`` (every pilot when
    None) in ``school_year`` (the links of every school year of the result added up when
    None) as a networkx Graph.

    Nodes are ``"officer:<officer_id>"`` (every officer, also those without links),
    ``"colleague:<role>"`` and ``"partner:<partner_id>"``, with attributes ``kind``
    (officer, colleague_role or partner), ``node`` (the id or role code), ``pilot``,
    ``pilots`` (a tuple), ``label`` (officer id, colleague role label in ``lang`` or
    partner name) and ``partner_kind`` (None but for partners). Edges carry ``weight``
    (contacts + referrals), ``contacts``, ``referrals`` and ``pilot``. Over every pilot, a
    colleague role or partner linked in several pilots is one node whose ``pilot`` is
    None; the measures in the frames are computed on each pilot's graph of one school year.
    """
    edges, officers = result["edges"], result["officers"]
    if school_year is not None:
        known = officers["school_year"].unique().sort().to_list()
        if school_year not in known:
            raise AnalysisError(
                f"no school year {school_year!r} in the network; it holds: {', '.join(known)}"
            )
        edges = edges.filter(pl.col("school_year") == school_year)
        officers = officers.filter(pl.col("school_year") == school_year)
    if pilot is not None:
        known = officers["pilot"].unique().sort().to_list()
        if pilot not in known:
            raise AnalysisError(f"no pilot {pilot!r} in the network; it holds: {', '.join(known)}")
    return _graph(edges, officers, pilot, lang)


def metrics(edges: pl.DataFrame, officers: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Degree centrality and betweenness per officer and school year; nodes, edges and
    density per pilot and school year, on each pilot's graph of one school year: with numpy
    (:mod:`brugdata.analysis._betweenness`, the same numbers) where it is installed and the
    graph fits, else networkx."""
    try:
        import numpy  # noqa: F401
    except ImportError:  # pragma: no cover - without numpy: networkx, same numbers, slower
        fast = False
    else:
        fast = True
    officer_rows: list[dict[str, Any]] = []
    pilot_rows: list[dict[str, Any]] = []
    groups = officers.select("pilot", "school_year").unique().sort("pilot", "school_year")
    keys = ["pilot", "school_year"]
    edges_of = edges.partition_by(keys, as_dict=True, maintain_order=True)
    officers_of = officers.partition_by(keys, as_dict=True, maintain_order=True)
    for pilot, year in groups.iter_rows():
        if pilot is None:  # as _graph: no pilot takes everything of the year
            in_year = pl.col("school_year") == year
            e, o = edges.filter(in_year), officers.filter(in_year)
        else:
            e, o = edges_of.get((pilot, year), edges.clear()), officers_of[(pilot, year)]
        rows = _metrics_numpy(e, o) if fast else None
        if rows is None:
            rows = _metrics_networkx(e, o, pilot)
        per_officer, counts = rows
        officer_rows += [{"school_year": year, **r} for r in per_officer]
        pilot_rows.append({"pilot": pilot, "school_year": year, **counts})
    officer_metrics = pl.DataFrame(
        officer_rows,
        schema={
            "school_year": pl.String,
            "officer_id": pl.String,
            "degree_centrality": pl.Float64,
            "betweenness": pl.Float64,
        },
    )
    pilot_metrics = pl.DataFrame(
        pilot_rows,
        schema={
            "pilot": pl.String,
            "school_year": pl.String,
            "nodes": pl.Int64,
            "edges": pl.Int64,
            "density": pl.Float64,
        },
    )
    return officer_metrics, pilot_metrics


def _metrics_networkx(
    edges: pl.DataFrame, officers: pl.DataFrame, pilot: str | None
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The officers' degree centrality and betweenness, and the graph's nodes, edges and
    density, by networkx on the graph of ``edges`` and ``officers`` (one pilot, one year)."""
    import networkx as nx
    from networkx.algorithms import bipartite

    g = _graph(edges, officers, pilot)
    officer_nodes = {n for n, kind in g.nodes(data="kind") if kind == "officer"}
    n = g.number_of_nodes()
    degree = {v: d / (n - 1) for v, d in g.degree()} if n > 1 else {v: 0.0 for v in g}
    between = nx.betweenness_centrality(g, normalized=True)
    rows = [
        {
            "officer_id": g.nodes[v]["node"],
            "degree_centrality": float(degree[v]),
            "betweenness": float(between[v]),
        }
        for v in officer_nodes
    ]
    counts = {
        "nodes": n - len(officer_nodes),
        "edges": g.number_of_edges(),
        "density": float(bipartite.density(g, officer_nodes)) if officer_nodes else 0.0,
    }
    return rows, counts


def _metrics_numpy(
    edges: pl.DataFrame, officers: pl.DataFrame
) -> tuple[list[dict[str, Any]], dict[str, Any]] | None:
    """:func:`_metrics_networkx` without building a networkx graph: the same nodes and
    adjacency order as :func:`_graph` and the same betweenness (numpy, every source at once);
    None for a graph too large for n × n arrays."""
    from brugdata.analysis._betweenness import DENSE_LIMIT, Nodes, degree_betweenness

    nodes = Nodes()
    for officer_id in (
        officers.select("pilot", "officer_id").unique(maintain_order=True)["officer_id"].to_list()
    ):
        nodes.add(_officer_node(officer_id), officer_id, True)
    pairs: dict[tuple[int, int], None] = {}
    for officer_id, kind, other in zip(
        edges["officer_id"].to_list(),
        edges["node_kind"].to_list(),
        edges["node"].to_list(),
        strict=True,
    ):
        u = nodes.add(_officer_node(officer_id), officer_id, True)
        v = nodes.add(_counterpart_node(kind, other), other, False)
        pairs.setdefault((u, v))
    n = len(nodes.names)
    if n > DENSE_LIMIT:
        return None
    n_off = sum(nodes.is_officer)
    degree, between = degree_betweenness(n, list(pairs))
    rows = [
        {
            "officer_id": nodes.names[v],
            "degree_centrality": float(degree[v] / (n - 1)) if n > 1 else 0.0,
            "betweenness": float(between[v]),
        }
        for v in range(n)
        if nodes.is_officer[v]
    ]
    m = len(pairs)
    density = 0.0 if m == 0 or n_off == 0 else float(m / (n_off * (n - n_off)))
    return rows, {"nodes": n - n_off, "edges": m, "density": density}
