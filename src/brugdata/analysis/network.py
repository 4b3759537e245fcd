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
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from brugdata.analysis import _questionnaire as questionnaire
from brugdata.analysis._common import links_x, pilot_clause
from brugdata.analysis._contract import (
    Frames,
    SourceKind,
    check_selection,
    conform,
    group_columns,
    resolve_source,
)
from brugdata.analysis._graph import metrics as _metrics
from brugdata.analysis._graph import to_networkx
from brugdata.analysis._mixed import per_pilot_source
from brugdata.sql import Source, connect, query

if TYPE_CHECKING:
    import duckdb

__all__ = [
    "BAND_LABELS",
    "NETWORK_BANDS",
    "link_counts",
    "network",
    "network_band",
    "to_networkx",
]

#: Bands of the number of distinct colleagues or partners per officer, as the Gooi en
#: Vechtstreek evaluation shows them: [low, high), the last one open.
NETWORK_BANDS: tuple[tuple[int, int | None], ...] = ((0, 10), (10, 20), (20, 30), (30, None))

_EDGES_SCHEMA = pl.Schema(
    {
        "pilot": pl.String,
        "school_year": pl.String,
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
        "school_year": pl.String,
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
    {
        "pilot": pl.String,
        "school_year": pl.String,
        "officer_id": pl.String,
        "internal": pl.Int64,
        "external": pl.Int64,
    }
)
_KINDS_SCHEMA = pl.Schema(
    {
        "pilot": pl.String,
        "school_year": pl.String,
        "partner_kind": pl.String,
        "partners": pl.Int64,
        "officers": pl.Int64,
        "schools": pl.Int64,
        "contacts": pl.Int64,
        "referrals": pl.Int64,
        "answered": pl.Int64,
        "share": pl.Float64,
    }
)
_PILOTS_SCHEMA = pl.Schema(
    {
        "pilot": pl.String,
        "school_year": pl.String,
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
_BANDS_SCHEMA = pl.Schema(
    {
        "pilot": pl.String,
        "school_year": pl.String,
        "side": pl.String,
        "band": pl.String,
        "officers": pl.Int64,
        "share": pl.Float64,
        "mean": pl.Float64,
    }
)
_SOURCE = pl.Schema({"source": pl.String})


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


def _edges(con: duckdb.DuckDBPyConnection, view: str) -> pl.DataFrame:
    """The edges of :func:`network` from the links in ``view``."""
    edges = query(
        con,
        f"""
        SELECT l.pilot, l.school_year, l.officer_id, l.node, l.node_kind,
               p.kind AS partner_kind, p.name AS partner_name,
               CAST(sum(l.contact) AS BIGINT) AS contacts,
               CAST(sum(l.referral) AS BIGINT) AS referrals,
               CAST(sum(l.contact + l.referral) AS BIGINT) AS weight
        FROM {view} l
        LEFT JOIN partners p ON l.node_kind = 'partner' AND p.partner_id = l.node
        GROUP BY ALL
        """,
    )
    # sorted by polars: DuckDB's ORDER BY took a third of this at 1M contacts (30,000 edges)
    order = ["pilot", "school_year", "officer_id", "node_kind", "node"]
    return edges.sort(order, nulls_last=True).cast(_EDGES_SCHEMA)


def _officer_counts(
    con: duckdb.DuckDBPyConnection,
    view: str,
    cond: str,
    params: list[Any],
    school_year: str | None,
) -> pl.DataFrame:
    """Distinct colleagues (internal) and partners (external) of every officer of the
    pilots (``cond`` on ``o.pilot``) in each school year of their pilot, from the links in
    ``view``. A pilot's school years are those of its schools, its officers' assignments
    and its links (only ``school_year`` when given: the rows of a year are those the whole
    result has for it)."""
    years = f"""SELECT DISTINCT pilot, school_year FROM (
                SELECT pilot, school_year FROM schools
                UNION ALL SELECT o.pilot, a.school_year
                          FROM assignments a JOIN officers o USING (officer_id)
                UNION ALL SELECT pilot, school_year FROM {view})"""
    year_params: list[Any] = []
    if school_year is not None:
        years, year_params = f"SELECT * FROM ({years}) WHERE school_year = ?", [school_year]
    return query(
        con,
        f"""
        WITH years AS ({years})
        SELECT o.pilot, y.school_year, o.officer_id,
               CAST(coalesce(i.internal, 0) AS BIGINT) AS internal,
               CAST(coalesce(e.external, 0) AS BIGINT) AS external
        FROM officers o
        JOIN years y ON y.pilot = o.pilot
        LEFT JOIN (
            SELECT officer_id, school_year, count(DISTINCT (school_id, node)) AS internal
            FROM {view} WHERE node_kind = 'colleague_role' GROUP BY ALL
        ) i ON i.officer_id = o.officer_id AND i.school_year = y.school_year
        LEFT JOIN (
            SELECT officer_id, school_year, count(DISTINCT node) AS external
            FROM {view} WHERE node_kind = 'partner' GROUP BY ALL
        ) e ON e.officer_id = o.officer_id AND e.school_year = y.school_year
        WHERE {cond}
        ORDER BY o.pilot, y.school_year, o.officer_id
        """,
        [*year_params, *params],
    ).cast(_COUNTS_SCHEMA)


def _partner_kinds(con: duckdb.DuckDBPyConnection, view: str) -> pl.DataFrame:
    """The partner kinds of :func:`network` from the links in ``view``."""
    return query(
        con,
        f"""
        SELECT l.pilot, l.school_year, p.kind AS partner_kind,
               count(DISTINCT l.node) AS partners,
               count(DISTINCT l.officer_id) AS officers,
               count(DISTINCT l.school_id) AS schools,
               CAST(sum(l.contact) AS BIGINT) AS contacts,
               CAST(sum(l.referral) AS BIGINT) AS referrals
        FROM {view} l
        LEFT JOIN partners p ON p.partner_id = l.node
        WHERE l.node_kind = 'partner'
        GROUP BY ALL
        ORDER BY l.pilot, l.school_year, partner_kind NULLS LAST
        """,
    )


@per_pilot_source
def network(
    data: Source,
    /,
    *,
    by: Literal["pilot"] = "pilot",
    source: SourceKind = "auto",
    pilots: Sequence[str] | None = None,
    school_year: str | None = None,
) -> Frames:
    """The network of colleagues and partners around each officer, per pilot and school year.

    A *node* is a colleague role or a partner. The contact log names colleagues by role, not
    person, so an officer's ``internal`` count is the number of distinct colleague roles per
    school (distinct school × role pairs) they had contact with that school year: a lower
    bound on the number of distinct colleagues. An officer's ``external`` count is the number
    of distinct partners they had a partner contact with or referred a contact to that school
    year. Colleague contacts without a role and partner contacts without a partner cannot be
    placed and are left out. An officer's pilot is the pilot of the officers table. Every
    officer of the pilots appears in ``officers`` in each school year of their pilot (its
    schools, assignments and links; ``school_year`` when given), with 0 when they had no
    colleague or partner contacts. ``by`` is ``"pilot"``: each graph is one pilot's in one
    school year.

    From the questionnaire (``source="survey"``) ``internal`` and ``external`` are the
    numbers of colleagues and partners each respondent says they work with (null without an
    answer), ``partner_kinds`` the kinds of the organisations they name; there is no graph:
    ``edges`` is empty and the graph measures are null. ``"auto"``: the log when the store
    has logged contacts for the selection, else the questionnaire.

    Returns :class:`~brugdata.analysis._contract.Frames` with:

    ``edges`` (one row per officer, school year and node linked): pilot, school_year,
    officer_id, node (colleague role code or partner_id), node_kind (``colleague_role`` or
    ``partner``), partner_kind (partners.kind; null for colleague roles and unknown
    partners), partner_name (partners.name; null for colleague roles), contacts (colleague
    contacts with that role, or partner contacts with that partner), referrals (contacts of
    the officer referred to that partner), weight (contacts + referrals), source.

    ``officers`` (one row per officer and school year): pilot, school_year, officer_id,
    internal (distinct school × colleague role pairs), external (distinct partners),
    internal_band and external_band (``0–10``, ``10–20``, ``20–30``, ``30+``: [low, high);
    null without an answer), degree_centrality (degree / (n - 1) in the pilot's graph of n
    officers and nodes; 0 when alone), betweenness (networkx, unweighted, normalized, in the
    pilot's graph), source.

    ``partner_kinds`` (one row per pilot, school year and partner kind): pilot, school_year,
    partner_kind, partners (distinct partners of that kind linked, or organisations named),
    officers (distinct officers linked to one, or respondents naming one), schools (distinct
    schools of the contacts with or referrals to them), contacts, referrals (log only),
    answered (respondents naming any partner), share (officers / answered) (questionnaire
    only), source.

    ``pilots`` (one row per pilot and school year with officers): pilot, school_year,
    officers, nodes, edges, density (bipartite density: edges / (officers × nodes), as
    ``networkx.bipartite.density``; 0 without edges; null for the questionnaire),
    mean_internal, mean_external, median_internal, median_external (over the officers with a
    number), source.

    ``bands`` (officers per band of ``internal`` and ``external``): pilot, school_year, side
    (internal | external), band (``0–10`` ... ``30+``, ``unknown`` where the number is null),
    officers, share (officers / officers with a number; null for unknown), mean (over the
    officers with a number), source.

    :func:`to_networkx` gives the graph of a pilot.
    """
    group_columns(by, ("pilot",), what="network")
    con = connect(data)
    check_selection(con, pilots, school_year)
    kind = resolve_source(con, source, what="network", pilots=pilots, school_year=school_year)
    if kind == "survey":
        counts = questionnaire.officer_counts(con, pilots, school_year)
        edges = pl.DataFrame(schema=_EDGES_SCHEMA)
        kinds = questionnaire.partner_kinds(con, pilots, school_year)
        officer_metrics = pl.DataFrame(schema={"school_year": pl.String, "officer_id": pl.String})
        pilot_metrics = pl.DataFrame(schema={"pilot": pl.String, "school_year": pl.String})
    else:
        with _links(con, pilots, school_year) as (view, cond, params):
            edges = _edges(con, view)
            counts = _officer_counts(con, view, cond, params, school_year)
            kinds = _partner_kinds(con, view)
        officer_metrics, pilot_metrics = _metrics(edges, counts)
    officers = conform(
        counts.with_columns(
            internal_band=_band_expr("internal"), external_band=_band_expr("external")
        ).join(officer_metrics, on=["school_year", "officer_id"], how="left"),
        [],
        _OFFICERS_SCHEMA,
    )
    summary = officers.group_by("pilot", "school_year").agg(
        officers=pl.len().cast(pl.Int64),
        mean_internal=pl.col("internal").mean(),
        mean_external=pl.col("external").mean(),
        median_internal=pl.col("internal").median(),
        median_external=pl.col("external").median(),
    )
    pilots_frame = conform(
        summary.join(pilot_metrics, on=["pilot", "school_year"], how="left"), [], _PILOTS_SCHEMA
    ).sort("pilot", "school_year")
    value = "log" if kind == "log" else questionnaire.SOURCE
    frames = {
        "edges": conform(edges, [], _EDGES_SCHEMA),
        "officers": officers,
        "partner_kinds": conform(kinds, [], _KINDS_SCHEMA),
        "pilots": pilots_frame,
        "bands": _bands(officers),
    }
    return Frames(
        {k: f.with_columns(source=pl.lit(value)) for k, f in frames.items()},
        title="Network",
        meta={"by": ["pilot"], "source": value},
    )


def _bands(officers: pl.DataFrame) -> pl.DataFrame:
    """Officers per band of internal and external per pilot and school year (see
    :func:`network`)."""
    long = pl.concat(
        [
            officers.select(
                "pilot",
                "school_year",
                pl.lit(side).alias("side"),
                pl.col(side).alias("n"),
                pl.col(f"{side}_band").fill_null("unknown").alias("band"),
            )
            for side in ("internal", "external")
        ]
    )
    labels = [*BAND_LABELS, "unknown"]
    counts = long.group_by("pilot", "school_year", "side", "band").agg(
        officers=pl.len().cast(pl.Int64)
    )
    means = long.group_by("pilot", "school_year", "side").agg(mean=pl.col("n").mean())
    grid = (
        long.select("pilot", "school_year", "side")
        .unique()
        .join(pl.DataFrame({"band": labels}), how="cross")
    )
    known = (
        pl.col("officers")
        .filter(pl.col("band") != "unknown")
        .sum()
        .over("pilot", "school_year", "side")
    )
    order = {b: i for i, b in enumerate(labels)}
    out = (
        grid.join(counts, on=["pilot", "school_year", "side", "band"], how="left")
        .join(means, on=["pilot", "school_year", "side"], how="left")
        .with_columns(officers=pl.col("officers").fill_null(0).cast(pl.Int64))
        .with_columns(
            share=pl.when((pl.col("band") != "unknown") & (known > 0)).then(
                pl.col("officers") / known
            )
        )
        .sort(
            "pilot",
            "school_year",
            pl.col("side").replace_strict({"internal": 0, "external": 1}),
            pl.col("band").replace_strict(order),
        )
    )
    return conform(out, [], _BANDS_SCHEMA)


def link_counts(
    data: Source,
    /,
    *,
    pilots: Sequence[str] | None = None,
    school_year: str | None = None,
) -> pl.DataFrame:
    """The distinct colleagues and partners of every officer per school year, as
    :func:`network` counts them from the log, without the graph measures: pilot, school_year,
    officer_id, internal, external (see :func:`network`)."""
    con = connect(data)
    with _links(con, pilots, school_year) as (view, cond, params):
        return _officer_counts(con, view, cond, params, school_year)


@contextmanager
def _links(
    con: duckdb.DuckDBPyConnection, pilots: Sequence[str] | None, school_year: str | None
) -> Iterator[tuple[str, str, list[Any]]]:
    """The links of the officers of ``pilots`` in ``school_year`` as a view on ``con``:
    yields its name, and the condition on ``o.pilot`` with its parameters."""
    cond, params = pilot_clause("o.pilot", pilots)
    year_cond, year_params = ("x.school_year = ?", [school_year]) if school_year else ("TRUE", [])
    # the links of the officers asked for, summed over the contacts once, then read by the
    # queries of the caller from a view on that small frame
    links_frame = query(
        con,
        f"""
        SELECT o.pilot, x.school_year, x.officer_id, x.school_id, x.node, x.node_kind,
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
