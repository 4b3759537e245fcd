"""The officers' network as graphs: the bipartite officer–node graph of a pilot (networkx),
its measures (degree centrality, betweenness, density) and :func:`to_networkx`."""

from __future__ import annotations

from typing import TYPE_CHECKING

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
    """The measures of each pilot's graph of one school year (the graph :func:`_graph` builds
    from ``edges`` and ``officers``; groups are the pilots and school years of ``officers``).

    Returns the officers' measures (school_year, officer_id, degree_centrality: degree /
    (n - 1), 0 when alone; betweenness: networkx's, unweighted and normalized) and the
    graphs' (pilot, school_year, nodes: other than officers, edges, density: bipartite, as
    ``networkx.bipartite.density``, 0 without edges)."""
    from brugdata.analysis._betweenness import measure_all

    nodes, pairs = _numbered(edges, officers)
    graphs = nodes.group_by("graph", maintain_order=True).agg(
        pl.col("pilot").first(),
        pl.col("school_year").first(),
        n=pl.len().cast(pl.Int64),
        n_officers=pl.col("officer").sum().cast(pl.Int64),
    )
    graphs = graphs.join(
        pairs.group_by("graph").agg(edges=pl.len().cast(pl.Int64)),
        on="graph",
        how="left",
        maintain_order="left",
    ).with_columns(pl.col("edges").fill_null(0))
    sizes = graphs["n"].to_list()
    ends = pairs["graph"].search_sorted(graphs["graph"], side="right").to_list()
    arcs = pairs.select("u", "v").to_numpy()
    measured = measure_all(
        [(n, arcs[start:end]) for n, start, end in zip(sizes, [0, *ends][:-1], ends, strict=True)]
    )
    degree = [d for graph_degree, _ in measured for d in graph_degree]
    between = [b for _, graph_between in measured for b in graph_between]
    n = pl.len().over("graph")
    officer_metrics = (
        nodes.with_columns(
            degree=pl.Series(degree, dtype=pl.Int64),
            betweenness=pl.Series(between, dtype=pl.Float64),
        )
        .with_columns(
            degree_centrality=pl.when(n > 1).then(pl.col("degree") / (n - 1)).otherwise(0.0)
        )
        .filter("officer")
        .select("school_year", officer_id="name", degree_centrality="degree_centrality",
                betweenness="betweenness")
    )  # fmt: skip
    others = pl.col("n") - pl.col("n_officers")
    pilot_metrics = graphs.select(
        "pilot",
        "school_year",
        nodes=others,
        edges="edges",
        density=pl.when((pl.col("edges") == 0) | (pl.col("n_officers") == 0))
        .then(0.0)
        .otherwise(pl.col("edges") / (pl.col("n_officers") * others)),
    )
    return officer_metrics, pilot_metrics


def _numbered(edges: pl.DataFrame, officers: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The nodes and edges of every graph of :func:`metrics`, numbered in the order
    :func:`_graph` adds them (which fixes networkx's order of search): the officers first, in
    the order of ``officers``, then each edge's officer and node in the order of ``edges``.

    Returns the nodes (graph, pilot, school_year, kind: officer | colleague | partner, name:
    officer id or node, officer: whether an officer, node: its number in the graph), sorted
    by graph and node, and the pairs (graph, u, v: the numbers of an edge's officer and
    node), each graph's distinct pairs in the order first added, sorted by graph."""
    keys = ["pilot", "school_year"]
    graphs = officers.select(keys).unique().sort(keys).with_row_index("graph")

    def in_graphs(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.join(graphs, on=keys, nulls_equal=True, maintain_order="left")

    listed = in_graphs(officers.select(keys + ["officer_id"]).with_row_index("seq"))
    first = officers.height  # an edge's ends come after every officer
    ends = in_graphs(edges.select(keys + ["officer_id", "node_kind", "node"]).with_row_index())
    seq = first + 2 * pl.col("index").cast(pl.Int64)
    other_kind = pl.when(pl.col("node_kind") == "colleague_role").then(pl.lit("colleague"))
    officer_ends = ends.select("graph", kind=pl.lit("officer"), name="officer_id", seq=seq)
    other_ends = ends.select(
        "graph", kind=other_kind.otherwise(pl.lit("partner")), name="node", seq=seq + 1
    )
    every = pl.concat(
        [
            listed.select(
                "graph", kind=pl.lit("officer"), name="officer_id", seq=pl.col("seq").cast(pl.Int64)
            ),
            officer_ends,
            other_ends,
        ]
    )
    nodes = (
        every.group_by("graph", "kind", "name")
        .agg(pl.col("seq").min())
        .sort("graph", "seq")
        .with_columns(node=pl.int_range(pl.len(), dtype=pl.Int64).over("graph"))
    )
    on = ["graph", "kind", "name"]
    u = officer_ends.join(nodes, on=on, how="left", maintain_order="left")["node"]
    v = other_ends.join(nodes, on=on, how="left", maintain_order="left")["node"]
    pairs = (
        pl.DataFrame({"graph": ends["graph"], "u": u, "v": v})
        .filter(pl.struct("graph", "u", "v").is_first_distinct())
        .sort("graph", maintain_order=True)
    )
    nodes = nodes.join(graphs, on="graph", maintain_order="left").select(
        "graph", *keys, "kind", "name", officer=pl.col("kind") == "officer", node="node"
    )
    return nodes, pairs
