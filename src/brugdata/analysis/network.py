"""The officers' network: which colleagues (by role) and partners each officer works with.

Every officer is linked to the *nodes* they had contact with: a colleague role (colleague
contacts log the role, not the person) or a partner organisation (partner contacts, and
referrals of any contact to that partner). Counts are computed in SQL; the graph measures
(degree centrality, betweenness, density) with networkx on the bipartite officer–node graph of
each pilot, which :meth:`NetworkResult.to_networkx` also returns.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl

from brugdata.analysis._common import links_x, pilot_clause
from brugdata.model.vocab import Lang, label
from brugdata.sql import Source, connect, query

if TYPE_CHECKING:
    import duckdb
    import networkx

__all__ = [
    "BAND_LABELS",
    "NETWORK_BANDS",
    "NetworkResult",
    "link_counts",
    "network",
    "network_band",
]

#: Bands of the number of distinct colleagues or partners per officer, as the Gooi en
#: Vechtstreek evaluation shows them: [low, high), the last one open.
NETWORK_BANDS: tuple[tuple[int, int | None], ...] = ((0, 10), (10, 20), (20, 30), (30, None))

_EDGES_SCHEMA = pl.Schema(
    {
        "pilot": pl.String,
        "officer_id": pl.String,
        "node": pl.String,
        "node_kind": pl.String,
        "partner_kind": pl.String,
        "partner_name": pl.String,
        "contacts": pl.Int64,
        "referrals": pl.Int64,
        "weight": pl.Int64,
    }
)
_OFFICERS_SCHEMA = pl.Schema(
    {
        "pilot": pl.String,
        "officer_id": pl.String,
        "internal": pl.Int64,
        "external": pl.Int64,
        "internal_band": pl.String,
        "external_band": pl.String,
        "degree_centrality": pl.Float64,
        "betweenness": pl.Float64,
    }
)
_COUNTS_SCHEMA = pl.Schema(
    {"pilot": pl.String, "officer_id": pl.String, "internal": pl.Int64, "external": pl.Int64}
)
_KINDS_SCHEMA = pl.Schema(
    {
        "pilot": pl.String,
        "partner_kind": pl.String,
        "partners": pl.Int64,
        "officers": pl.Int64,
        "schools": pl.Int64,
        "contacts": pl.Int64,
        "referrals": pl.Int64,
    }
)
_PILOTS_SCHEMA = pl.Schema(
    {
        "pilot": pl.String,
        "officers": pl.Int64,
        "nodes": pl.Int64,
        "edges": pl.Int64,
        "density": pl.Float64,
        "mean_internal": pl.Float64,
        "mean_external": pl.Float64,
        "median_internal": pl.Float64,
        "median_external": pl.Float64,
    }
)


def _band_label(low: int, high: int | None) -> str:
    """``"10–20"``, or ``"30+"`` for the open top band."""
    return f"{low}+" if high is None else f"{low}–{high}"


#: The band labels in order: ``"0–10"``, ``"10–20"``, ``"20–30"``, ``"30+"``.
BAND_LABELS: tuple[str, ...] = tuple(_band_label(lo, hi) for lo, hi in NETWORK_BANDS)


def network_band(count: int) -> str:
    """The band label of a number of distinct colleagues or partners (``12`` → ``"10–20"``)."""
    for low, high in NETWORK_BANDS:
        if count >= low and (high is None or count < high):
            return _band_label(low, high)
    raise ValueError(f"a count of colleagues or partners cannot be negative: {count}")


def _band_expr(column: str) -> pl.Expr:
    expr: pl.Expr = pl.lit(None, dtype=pl.String)
    for low, high in reversed(NETWORK_BANDS):
        cond = pl.col(column) >= low
        if high is not None:
            cond = cond & (pl.col(column) < high)
        expr = pl.when(cond).then(pl.lit(_band_label(low, high))).otherwise(expr)
    return expr


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
    for o in officers.select("pilot", "officer_id").iter_rows(named=True):
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
        g.add_edge(
            officer,
            other,
            pilot=e["pilot"],
            weight=e["weight"],
            contacts=e["contacts"],
            referrals=e["referrals"],
        )
    return g


@dataclass
class NetworkResult:
    """The outcome of :func:`network`; see there for the columns of each frame."""

    def _repr_html_(self) -> str:
        from brugdata.display import frames_html

        return frames_html(self.frames(), title="Network")

    edges: pl.DataFrame
    officers: pl.DataFrame
    partner_kinds: pl.DataFrame
    pilots: pl.DataFrame

    def frames(self) -> dict[str, pl.DataFrame]:
        """The frames by name: edges, officers, partner_kinds, pilots."""
        return {
            "edges": self.edges,
            "officers": self.officers,
            "partner_kinds": self.partner_kinds,
            "pilots": self.pilots,
        }

    def to_networkx(self, pilot: str | None = None, *, lang: Lang = "nl") -> networkx.Graph:
        """The officer–node graph of ``pilot`` (of every pilot when None) as a networkx Graph.

        Nodes are ``"officer:<officer_id>"`` (every officer, also those without links),
        ``"colleague:<role>"`` and ``"partner:<partner_id>"``, with attributes ``kind``
        (officer, colleague_role or partner), ``node`` (the id or role code), ``pilot``,
        ``pilots`` (a tuple), ``label`` (officer id, colleague role label in ``lang`` or
        partner name) and ``partner_kind`` (None but for partners). Edges carry ``weight``
        (contacts + referrals), ``contacts``, ``referrals`` and ``pilot``. Over every pilot, a
        colleague role or partner linked in several pilots is one node whose ``pilot`` is
        None; the measures in the frames are computed on each pilot's graph on its own.
        """
        if pilot is not None:
            known = self.officers["pilot"].unique().sort().to_list()
            if pilot not in known:
                raise ValueError(f"unknown pilot {pilot!r}; known: {', '.join(known)}")
        return _graph(self.edges, self.officers, pilot, lang)


def _metrics(edges: pl.DataFrame, officers: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Degree centrality and betweenness per officer; nodes, edges, density per pilot."""
    try:
        import numpy  # noqa: F401
    except ImportError:  # pragma: no cover - without numpy: networkx, same numbers, slower
        officer_rows, pilot_rows = _metrics_networkx(edges, officers)
    else:
        officer_rows, pilot_rows = _metrics_numpy(edges, officers)
    return _metrics_frames(officer_rows, pilot_rows)


def _metrics_networkx(
    edges: pl.DataFrame, officers: pl.DataFrame
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """:func:`_metrics` by networkx on each pilot's graph."""
    import networkx as nx
    from networkx.algorithms import bipartite

    officer_rows: list[dict[str, Any]] = []
    pilot_rows: list[dict[str, Any]] = []
    for pilot in officers["pilot"].unique().sort().to_list():
        g = _graph(edges, officers, pilot)
        officer_nodes = {n for n, kind in g.nodes(data="kind") if kind == "officer"}
        n = g.number_of_nodes()
        degree = {v: d / (n - 1) for v, d in g.degree()} if n > 1 else {v: 0.0 for v in g}
        between = nx.betweenness_centrality(g, normalized=True)
        for v in officer_nodes:
            officer_rows.append(
                {
                    "officer_id": g.nodes[v]["node"],
                    "degree_centrality": float(degree[v]),
                    "betweenness": float(between[v]),
                }
            )
        pilot_rows.append(
            {
                "pilot": pilot,
                "nodes": n - len(officer_nodes),
                "edges": g.number_of_edges(),
                "density": float(bipartite.density(g, officer_nodes)),
            }
        )
    return officer_rows, pilot_rows


def _metrics_numpy(
    edges: pl.DataFrame, officers: pl.DataFrame
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """:func:`_metrics` without building networkx graphs: the same graphs (nodes and
    adjacency in the order :func:`_graph` adds them) and the same betweenness, by Brandes'
    algorithm run from every source at once with numpy. Every floating-point operation of
    ``networkx.betweenness_centrality`` is done on the same numbers in the same order, so the
    results are identical to the last bit (tests/test_bench.py checks it)."""
    officer_rows: list[dict[str, Any]] = []
    pilot_rows: list[dict[str, Any]] = []
    edges_of = edges.partition_by("pilot", as_dict=True, maintain_order=True)
    officers_of = officers.partition_by("pilot", as_dict=True, maintain_order=True)
    no_edges = edges.clear()
    for pilot in officers["pilot"].unique().sort().to_list():
        if pilot is None:  # as _graph: None takes everything
            e, o = edges, officers
        else:
            e, o = edges_of.get((pilot,), no_edges), officers_of[(pilot,)]
        nodes = _Nodes()
        for officer_id in o["officer_id"].to_list():
            nodes.add(_officer_node(officer_id), officer_id, True)
        pairs: dict[tuple[int, int], None] = {}
        for officer_id, kind, other in zip(
            e["officer_id"].to_list(), e["node_kind"].to_list(), e["node"].to_list(), strict=True
        ):
            u = nodes.add(_officer_node(officer_id), officer_id, True)
            v = nodes.add(_counterpart_node(kind, other), other, False)
            pairs.setdefault((u, v))
        names, is_officer = nodes.names, nodes.is_officer
        n = len(names)
        n_off = sum(is_officer)
        if n > _DENSE_LIMIT:  # n × n matrices would not fit: networkx, node by node
            more_officers, more_pilots = _metrics_networkx(e, o)
            officer_rows += more_officers
            pilot_rows += more_pilots
            continue
        degree, between = _degree_betweenness(n, list(pairs))
        for v in range(n):
            if is_officer[v]:
                officer_rows.append(
                    {
                        "officer_id": names[v],
                        "degree_centrality": float(degree[v] / (n - 1)) if n > 1 else 0.0,
                        "betweenness": float(between[v]),
                    }
                )
        m = len(pairs)
        pilot_rows.append(
            {
                "pilot": pilot,
                "nodes": n - n_off,
                "edges": m,
                "density": 0.0 if m == 0 else float(m / (n_off * (n - n_off))),
            }
        )
    return officer_rows, pilot_rows


#: Largest graph (officers and nodes of one pilot) whose betweenness is computed on n × n
#: numpy arrays (a few of them: 0.5 GB at this size); larger ones go through networkx.
_DENSE_LIMIT = 4000


class _Nodes:
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


def _degree_betweenness(n: int, pairs: list[tuple[int, int]]) -> tuple[list[int], list[float]]:
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


def _metrics_frames(
    officer_rows: list[dict[str, Any]], pilot_rows: list[dict[str, Any]]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    officer_metrics = pl.DataFrame(
        officer_rows,
        schema={
            "officer_id": pl.String,
            "degree_centrality": pl.Float64,
            "betweenness": pl.Float64,
        },
    )
    pilot_metrics = pl.DataFrame(
        pilot_rows,
        schema={"pilot": pl.String, "nodes": pl.Int64, "edges": pl.Int64, "density": pl.Float64},
    )
    return officer_metrics, pilot_metrics


def _edges(con: duckdb.DuckDBPyConnection, view: str) -> pl.DataFrame:
    """The edges of :func:`network` from the links in ``view``."""
    return query(
        con,
        f"""
        SELECT l.pilot, l.officer_id, l.node, l.node_kind,
               p.kind AS partner_kind, p.name AS partner_name,
               CAST(sum(l.contact) AS BIGINT) AS contacts,
               CAST(sum(l.referral) AS BIGINT) AS referrals,
               CAST(sum(l.contact + l.referral) AS BIGINT) AS weight
        FROM {view} l
        LEFT JOIN partners p ON l.node_kind = 'partner' AND p.partner_id = l.node
        GROUP BY ALL
        ORDER BY l.pilot, l.officer_id, l.node_kind, l.node
        """,
    ).cast(_EDGES_SCHEMA)


def _officer_counts(
    con: duckdb.DuckDBPyConnection, view: str, cond: str, params: list[Any]
) -> pl.DataFrame:
    """Distinct colleagues (internal) and partners (external) of every officer of the
    pilots (``cond`` on ``o.pilot``) from the links in ``view``."""
    return query(
        con,
        f"""
        SELECT o.pilot, o.officer_id,
               CAST(coalesce(i.internal, 0) AS BIGINT) AS internal,
               CAST(coalesce(e.external, 0) AS BIGINT) AS external
        FROM officers o
        LEFT JOIN (
            SELECT officer_id, count(DISTINCT (school_id, node)) AS internal
            FROM {view} WHERE node_kind = 'colleague_role' GROUP BY officer_id
        ) i ON i.officer_id = o.officer_id
        LEFT JOIN (
            SELECT officer_id, count(DISTINCT node) AS external
            FROM {view} WHERE node_kind = 'partner' GROUP BY officer_id
        ) e ON e.officer_id = o.officer_id
        WHERE {cond}
        ORDER BY o.pilot, o.officer_id
        """,
        params,
    ).cast(_COUNTS_SCHEMA)


def _partner_kinds(con: duckdb.DuckDBPyConnection, view: str) -> pl.DataFrame:
    """The partner kinds of :func:`network` from the links in ``view``."""
    return query(
        con,
        f"""
        SELECT l.pilot, p.kind AS partner_kind,
               count(DISTINCT l.node) AS partners,
               count(DISTINCT l.officer_id) AS officers,
               count(DISTINCT l.school_id) AS schools,
               CAST(sum(l.contact) AS BIGINT) AS contacts,
               CAST(sum(l.referral) AS BIGINT) AS referrals
        FROM {view} l
        LEFT JOIN partners p ON p.partner_id = l.node
        WHERE l.node_kind = 'partner'
        GROUP BY ALL
        ORDER BY l.pilot, partner_kind NULLS LAST
        """,
    ).cast(_KINDS_SCHEMA)


def network(
    source: Source,
    *,
    pilots: Sequence[str] | None = None,
    school_year: str | None = None,
) -> NetworkResult:
    """The network of colleagues and partners around each officer, per pilot.

    A *node* is a colleague role or a partner. The contact log names colleagues by role, not
    person, so an officer's ``internal`` count is the number of distinct colleague roles per
    school (distinct school × role pairs) they had contact with: a lower bound on the number of
    distinct colleagues. The officers' own count of colleagues comes from the survey. An
    officer's ``external`` count is the number of distinct partners they had a partner contact
    with or referred a contact to. Colleague contacts without a role and partner contacts
    without a partner cannot be placed and are left out. An officer's pilot is the pilot of the
    officers table; ``pilots`` restricts to those pilots and ``school_year`` (``2024-2025``) to
    the contacts in that school year. Every officer of the pilots appears in ``officers``, with
    0 when they had no colleague or partner contacts.

    Columns of ``edges`` (one row per officer and node they are linked to): pilot, officer_id,
    node (colleague role code or partner_id), node_kind (``colleague_role`` or ``partner``),
    partner_kind (partners.kind; null for colleague roles and unknown partners), partner_name
    (partners.name; null for colleague roles), contacts (colleague contacts with that role, or
    partner contacts with that partner), referrals (contacts of the officer referred to that
    partner), weight (contacts + referrals).

    Columns of ``officers`` (one row per officer): pilot, officer_id, internal (distinct school ×
    colleague role pairs), external (distinct partners), internal_band and external_band
    (``0–10``, ``10–20``, ``20–30``, ``30+``: [low, high)), degree_centrality (degree / (n - 1)
    in the pilot's graph of n officers and nodes; 0 when alone), betweenness (networkx,
    unweighted, normalized, in the pilot's graph).

    Columns of ``partner_kinds`` (one row per pilot and partner kind): pilot, partner_kind,
    partners (distinct partners of that kind linked), officers (distinct officers linked to
    one), schools (distinct schools of the contacts with or referrals to them), contacts,
    referrals.

    Columns of ``pilots`` (one row per pilot with officers): pilot, officers, nodes, edges,
    density (bipartite density: edges / (officers × nodes), as ``networkx.bipartite.density``;
    0 without edges), mean_internal, mean_external, median_internal, median_external.
    """
    con = connect(source)
    with _links(con, pilots, school_year) as (view, cond, params):
        edges = _edges(con, view)
        counts = _officer_counts(con, view, cond, params)
        partner_kinds = _partner_kinds(con, view)
    officer_metrics, pilot_metrics = _metrics(edges, counts)
    officers = (
        counts.with_columns(
            internal_band=_band_expr("internal"), external_band=_band_expr("external")
        )
        .join(officer_metrics, on="officer_id", how="left")
        .select(list(_OFFICERS_SCHEMA))
        .cast(_OFFICERS_SCHEMA)
    )
    summary = officers.group_by("pilot").agg(
        officers=pl.len().cast(pl.Int64),
        mean_internal=pl.col("internal").mean(),
        mean_external=pl.col("external").mean(),
        median_internal=pl.col("internal").median(),
        median_external=pl.col("external").median(),
    )
    pilots_frame = (
        summary.join(pilot_metrics, on="pilot", how="left")
        .select(list(_PILOTS_SCHEMA))
        .cast(_PILOTS_SCHEMA)
        .sort("pilot")
    )
    return NetworkResult(
        edges=edges, officers=officers, partner_kinds=partner_kinds, pilots=pilots_frame
    )


def link_counts(
    source: Source,
    *,
    pilots: Sequence[str] | None = None,
    school_year: str | None = None,
) -> pl.DataFrame:
    """The distinct colleagues and partners of every officer, as :func:`network` counts them,
    without the graph measures: pilot, officer_id, internal, external (see :func:`network`)."""
    con = connect(source)
    with _links(con, pilots, school_year) as (view, cond, params):
        return _officer_counts(con, view, cond, params)


@contextmanager
def _links(
    con: duckdb.DuckDBPyConnection, pilots: Sequence[str] | None, school_year: str | None
) -> Iterator[tuple[str, str, list[Any]]]:
    """The links of the officers of ``pilots`` in ``school_year`` as a view on ``con``:
    yields its name, and the condition on ``o.pilot`` with its parameters."""
    cond, params = pilot_clause("o.pilot", pilots)
    year_cond, year_params = ("x.school_year = ?", [school_year]) if school_year else ("TRUE", [])
    # the links of the officers asked for, summed over the contacts (and school years) once,
    # then read by the queries of the caller from a view on that small frame
    links_frame = query(
        con,
        f"""
        SELECT o.pilot, x.officer_id, x.school_id, x.node, x.node_kind,
               CAST(sum(x.contact) AS BIGINT) AS contact,
               CAST(sum(x.referral) AS BIGINT) AS referral
        FROM ({links_x(con)}) x
        JOIN officers o ON o.officer_id = x.officer_id
        WHERE {cond} AND {year_cond}
        GROUP BY ALL
        """,
        [*params, *year_params],
    )
    view = f"_brugdata_links_{uuid.uuid4().hex}"
    con.register(view, links_frame)
    try:
        yield view, cond, params
    finally:
        con.unregister(view)
