"""Charts of the officers' network: the network itself and officers per band of contacts.

The network picture needs no layout library: officers sit on an inner circle, colleague roles
and partners on an outer circle grouped by kind, each officer turned towards the nodes it is
linked to. The layout is deterministic, so the same data always gives the same picture.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

import polars as pl

from brugdata.analysis._contract import Frames
from brugdata.analysis.network import BAND_LABELS
from brugdata.model.vocab import label, vocabulary
from brugdata.publish.charts._common import Lang, check_lang, one_year, title

if TYPE_CHECKING:
    import altair as alt

__all__ = ["network", "network_bands"]

_INNER = 1.0
_OUTER = 2.0
_EXTENT = 2.35
_SIZE = 380

_TEXT: dict[str, dict[str, str]] = {
    "colleague": {"nl": "Collega (school)", "en": "Colleague (school)"},
    "unknown_partner": {"nl": "Partner (soort onbekend)", "en": "Partner (kind unknown)"},
    "node": {"nl": "Contact", "en": "Contact"},
    "group": {"nl": "Soort", "en": "Kind"},
    "links": {"nl": "Verbindingen", "en": "Links"},
    "referrals": {"nl": "Verwijzingen", "en": "Referrals"},
    "officers": {"nl": "Aantal functionarissen", "en": "Number of officers"},
    "band": {"nl": "Aantal verschillende contacten", "en": "Number of distinct contacts"},
    "measure": {"nl": "Netwerk", "en": "Network"},
    "internal": {"nl": "Intern: collega's (rollen per school)", "en": "Internal: colleagues"},
    "external": {"nl": "Extern: partners", "en": "External: partners"},
    "network_title": {"nl": "Netwerk van de functionarissen", "en": "The officers' network"},
}

# Officer first, then colleagues, then partner kinds (tableau10 and more, without greys).
_OFFICER_COLOUR = "#222222"
_COLLEAGUE_COLOUR = "#9d9d9d"
_PALETTE = [
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#17becf", "#bcbd22", "#8c564b", "#e377c2", "#1f3a93", "#7f3c8d", "#d62728",
]  # fmt: skip


def _t(key: str, lang: Lang) -> str:
    return _TEXT[key][lang]


def _group(node_kind: str, partner_kind: str | None, lang: Lang) -> str:
    """The colour group of a node: colleague, a partner kind's label, or unknown partner."""
    if node_kind == "colleague_role":
        return _t("colleague", lang)
    if partner_kind is None:
        return _t("unknown_partner", lang)
    return label("partner_kind", partner_kind, lang)


def _total(column: str) -> pl.Expr:
    """The sum of ``column``, null where any value is hidden (null)."""
    return pl.when(pl.col(column).null_count() == 0).then(pl.col(column).sum()).alias(column)


def _layout(
    edges: pl.DataFrame, officer_ids: list[str], lang: Lang
) -> tuple[list[dict[str, Any]], pl.DataFrame]:
    """Node rows (with x, y) and the edges (with x, y, x2, y2) of one pilot."""
    roles = vocabulary("colleague_role").code_list
    kinds = vocabulary("partner_kind").code_list

    def rank(node_kind: str, node: str, partner_kind: str | None) -> tuple[int, int, str]:
        if node_kind == "colleague_role":
            return (0, roles.index(node) if node in roles else len(roles), node)
        return (1, kinds.index(partner_kind) if partner_kind in kinds else len(kinds), node)

    # Outer circle: one node per colleague role or partner (named by its first edge), in
    # group order, with one empty slot between groups.
    nodes = []
    for r in (
        edges.group_by("node_kind", "node", maintain_order=True)
        .agg(
            pl.col("partner_kind", "partner_name").first(),
            pl.len().alias("links"),
            _total("weight"),
            _total("referrals"),
        )
        .iter_rows(named=True)
    ):
        nodes.append(
            {
                "node_kind": r["node_kind"],
                "node": r["node"],
                "label": (
                    label("colleague_role", r["node"], lang)
                    if r["node_kind"] == "colleague_role"
                    else r["partner_name"] or r["node"]
                ),
                "group": _group(r["node_kind"], r["partner_kind"], lang),
                "rank": rank(r["node_kind"], r["node"], r["partner_kind"]),
                "links": r["links"],
                "weight": r["weight"],
                "referrals": r["referrals"],
            }
        )
    ordered = sorted(nodes, key=lambda r: r["rank"])
    slots: list[dict[str, Any] | None] = []
    previous: tuple[int, int] | None = None
    for row in ordered:
        group = row["rank"][:2]
        if previous is not None and group != previous:
            slots.append(None)
        slots.append(row)
        previous = group
    if len(slots) > 1 and ordered and ordered[0]["rank"][:2] != ordered[-1]["rank"][:2]:
        slots.append(None)  # a gap between the last and the first group, too
    for i, slot in enumerate(slots):
        if slot is None:
            continue
        a = math.pi / 2 - 2 * math.pi * i / len(slots)
        slot["cos"], slot["sin"] = math.cos(a), math.sin(a)
        slot["x"], slot["y"] = _OUTER * slot["cos"], _OUTER * slot["sin"]
    outer = pl.DataFrame(
        [
            (r["node_kind"], r["node"], r["label"], r["group"], r["cos"], r["sin"], r["x"], r["y"])
            for r in ordered
        ],
        schema={"node_kind": pl.String, "node": pl.String, "label": pl.String,
                "group": pl.String, "cos": pl.Float64, "sin": pl.Float64, "x2": pl.Float64,
                "y2": pl.Float64},
        orient="row",
    )  # fmt: skip
    linked = edges.join(
        outer, on=["node_kind", "node"], how="left", nulls_equal=True, maintain_order="left"
    )

    # Inner circle: officers ordered by the weighted mean direction of their links (summed
    # edge by edge, in order: floats summed in another order could swap two officers).
    direction_sums = {o: [0.0, 0.0] for o in officer_ids}
    weighted = linked.select("officer_id", pl.col("weight").fill_null(1), "cos", "sin")
    for officer, weight, cos, sin in weighted.iter_rows():  # hidden (null): 1, a thin line
        acc = direction_sums.setdefault(officer, [0.0, 0.0])
        acc[0] += weight * cos
        acc[1] += weight * sin
    totals = {
        r[0]: r[1:]
        for r in linked.group_by("officer_id")
        .agg(pl.len().alias("links"), _total("weight"), _total("referrals"))
        .iter_rows()
    }

    def direction(officer: str) -> tuple[float, str]:
        sx, sy = direction_sums[officer]
        if sx == 0 and sy == 0:
            return (math.tau, officer)  # no links: at the end
        # clockwise from the top, like the outer circle
        return ((math.pi / 2 - math.atan2(sy, sx)) % math.tau, officer)

    officers = sorted(direction_sums, key=direction)
    officer_rows: list[dict[str, Any]] = []
    for i, officer in enumerate(officers):
        if len(officers) == 1:
            x, y = 0.0, 0.0
        else:
            a = math.pi / 2 - 2 * math.pi * i / len(officers)
            x, y = _INNER * math.cos(a), _INNER * math.sin(a)
        links, weight, referrals = totals.get(officer, (0, 0, 0))
        officer_rows.append(
            {
                "node": officer,
                "label": officer,
                "group": title("officer", lang),
                "links": links,
                "weight": weight,
                "referrals": referrals,
                "x": x,
                "y": y,
            }
        )

    node_rows = officer_rows + [
        {k: r[k] for k in ("node", "label", "group", "links", "weight", "referrals", "x", "y")}
        for r in ordered
    ]
    at = pl.DataFrame(
        [(r["node"], r["x"], r["y"]) for r in officer_rows],
        schema={"officer_id": pl.String, "x": pl.Float64, "y": pl.Float64},
        orient="row",
    )
    edge_frame = linked.join(
        at, on="officer_id", how="left", nulls_equal=True, maintain_order="left"
    ).select(
        pl.col("officer_id").alias("officer"),
        pl.col("label").alias("node"),
        "group",
        "contacts",
        "referrals",
        "weight",
        "x",
        "y",
        "x2",
        "y2",
    )
    return node_rows, edge_frame


def _colour_scale(groups: list[str], lang: Lang) -> alt.Scale:
    """Officer, colleague, then the partner kinds drawn; each kind keeps its colour in every
    chart (by its place in the vocabulary)."""
    import altair as alt

    fixed = {title("officer", lang): _OFFICER_COLOUR, _t("colleague", lang): _COLLEAGUE_COLOUR}
    codes = vocabulary("partner_kind").code_list
    for i, code in enumerate(codes):
        fixed[label("partner_kind", code, lang)] = _PALETTE[i % len(_PALETTE)]
    fixed[_t("unknown_partner", lang)] = _PALETTE[len(codes) % len(_PALETTE)]
    domain = [g for g in fixed if g in groups]
    domain += sorted(g for g in groups if g not in fixed)
    return alt.Scale(domain=domain, range=[fixed.get(g, "#bab0ac") for g in domain])


def _layers(
    colour: alt.Scale, max_weight: int, max_links: int, lang: Lang
) -> tuple[alt.Chart, alt.Chart]:
    """The edge layer and the node layer, without data: the same for every pilot, so they
    are encoded once."""
    import altair as alt

    scale = alt.Scale(domain=[-_EXTENT, _EXTENT], nice=False, zero=False)
    x = alt.X("x:Q", scale=scale, axis=None)
    y = alt.Y("y:Q", scale=scale, axis=None)
    edges = (
        alt.Chart()
        .mark_rule(color="#7f7f7f", opacity=0.35)
        .encode(
            x=x,
            y=y,
            x2="x2:Q",
            y2="y2:Q",
            strokeWidth=alt.StrokeWidth(
                "weight:Q",
                scale=alt.Scale(domain=[1, max(max_weight, 2)], range=[0.4, 5]),
                title=title("weight", lang),
                legend=None,
            ),
            tooltip=[
                alt.Tooltip("officer:N", title=title("officer", lang)),
                alt.Tooltip("node:N", title=_t("node", lang)),
                alt.Tooltip("group:N", title=_t("group", lang)),
                alt.Tooltip("contacts:Q", title=title("contacts", lang)),
                alt.Tooltip("referrals:Q", title=_t("referrals", lang)),
            ],
        )
    )
    nodes = (
        alt.Chart()
        .mark_circle(opacity=0.95, stroke="white", strokeWidth=0.8)
        .encode(
            x=x,
            y=y,
            color=alt.Color("group:N", scale=colour, title=_t("group", lang)),
            size=alt.Size(
                "links:Q",
                scale=alt.Scale(domain=[0, max(max_links, 1)], range=[30, 700]),
                title=_t("links", lang),
            ),
            tooltip=[
                alt.Tooltip("label:N", title=_t("node", lang)),
                alt.Tooltip("group:N", title=_t("group", lang)),
                alt.Tooltip("links:Q", title=_t("links", lang)),
                alt.Tooltip("weight:Q", title=title("weight", lang)),
                alt.Tooltip("referrals:Q", title=_t("referrals", lang)),
            ],
        )
    )
    return edges, nodes


#: An edge row has the far end of its line; a node row has none.
_IS_EDGE = "isValid(datum.x2)"


def _rows(
    drawn: list[tuple[str, list[dict[str, Any]], pl.DataFrame]], pilot: bool
) -> list[dict[str, Any]]:
    """The edge and node rows of every pilot drawn, as one dataset (with ``pilot`` first when
    ``pilot``: the panels' field)."""
    rows: list[dict[str, Any]] = []
    for p, nodes, edges in drawn:
        for part in (edges.rows(named=True), pl.DataFrame(nodes).rows(named=True)):
            rows += [{"pilot": p, **r} for r in part] if pilot else part
    return rows


def network(
    result: Frames | Mapping[str, pl.DataFrame],
    *,
    lang: Lang = "nl",
    pilot: str | None = None,
    school_year: str | None = None,
    stacked: bool = False,
) -> alt.LayerChart | alt.FacetChart:
    """The officer–colleague–partner network of ``pilot``, or of every pilot in a panel of
    its own, side by side (``stacked``: one under the other), in ``school_year`` (the latest
    school year of the :func:`brugdata.network` result when None).

    Officers (dark) sit on the inner circle, colleague roles (grey) and partners (coloured by
    kind) on the outer circle; a line links an officer to each node, thicker for more contacts
    and referrals, and a circle is larger for more links. Tooltips give names and counts.
    """
    import altair as alt

    lang_ = check_lang(lang)
    officers = one_year(result["officers"], school_year)
    all_edges = result["edges"]
    if officers.height:
        all_edges = all_edges.filter(
            pl.col("school_year").is_in(officers["school_year"].unique().to_list())
        )
    pilots = officers["pilot"].unique().sort().to_list()
    if pilot is not None:
        if pilot not in pilots:
            raise ValueError(f"unknown pilot {pilot!r}; known: {', '.join(pilots)}")
        pilots = [pilot]
    if not pilots:
        raise ValueError("the network result holds no officers to draw")
    drawn = []
    for p in pilots:
        edges = all_edges.filter(pl.col("pilot") == p)
        officer_ids = officers.filter(pl.col("pilot") == p)["officer_id"].to_list()
        drawn.append((p, *_layout(edges, officer_ids, lang_)))
    groups = sorted({r["group"] for _, nodes, _ in drawn for r in nodes})
    colour = _colour_scale(groups, lang_)
    max_weight = max(
        (w for _, _, edges in drawn for w in edges["weight"].drop_nulls().to_list()), default=1
    )
    max_links = max((r["links"] for _, nodes, _ in drawn for r in nodes), default=1)
    edge_layer, node_layer = _layers(colour, max_weight, max_links, lang_)
    # one dataset, its rows written as they are (see ._datasets), and one panel faceted by
    # pilot: a chart of its own per pilot took altair 0.5 s to build and write at 10M
    # contacts (29 pilots, 32,000 edges), this 0.2 s
    from brugdata.publish.charts._datasets import Datasets

    edges_drawn = any(edges.height for _, _, edges in drawn)
    layers = [edge_layer.transform_filter(_IS_EDGE)] if edges_drawn else []
    layers.append(node_layer.transform_filter(f"!{_IS_EDGE}"))
    data = alt.NamedData(name="network")
    datasets = Datasets({"network": _rows(drawn, pilot=len(drawn) > 1)})
    if len(drawn) == 1:
        chart = alt.layer(
            *layers,
            data=data,
            title=drawn[0][0],
            width=_SIZE,
            height=_SIZE,
            view=alt.ViewBackground(stroke=None),
        )
        chart.datasets = datasets
        return cast("alt.LayerChart", chart)
    panel = alt.layer(*layers, width=_SIZE, height=_SIZE, view=alt.ViewBackground(stroke=None))
    panels = (
        {"row": alt.Row("pilot:N", title=None)}
        if stacked
        else {"column": alt.Column("pilot:N", title=None)}
    )
    return panel.facet(data=data, title=_t("network_title", lang_), datasets=datasets, **panels)


def network_bands(
    result: Frames | Mapping[str, pl.DataFrame],
    *,
    lang: Lang = "nl",
    school_year: str | None = None,
) -> alt.Chart:
    """Officers per band of distinct colleagues (internal) and partners (external), per pilot,
    in ``school_year`` (the latest when None): bars side by side per band, one panel per
    pilot."""
    import altair as alt

    lang_ = check_lang(lang)
    officers = one_year(result["officers"], school_year)
    measures = {"internal": _t("internal", lang_), "external": _t("external", lang_)}
    long = pl.concat(
        [
            officers.filter(pl.col(f"{m}_band").is_not_null()).select(
                "pilot",
                measure=pl.lit(measures[m]),
                band=pl.col(f"{m}_band"),
            )
            for m in measures
        ]
    )
    counts = long.group_by("pilot", "measure", "band").agg(officers=pl.len().cast(pl.Int64))
    grid = (
        pl.DataFrame({"pilot": officers["pilot"].unique().sort()})
        .join(pl.DataFrame({"measure": list(measures.values())}), how="cross")
        .join(pl.DataFrame({"band": list(BAND_LABELS)}), how="cross")
    )
    data = (
        grid.join(counts, on=["pilot", "measure", "band"], how="left")
        .with_columns(pl.col("officers").fill_null(0))
        .sort("pilot", "measure", "band")
    )
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X(
                "band:N",
                sort=list(BAND_LABELS),
                title=_t("band", lang_),
                axis=alt.Axis(labelAngle=0),
            ),
            xOffset=alt.XOffset("measure:N", sort=list(measures.values())),
            y=alt.Y("officers:Q", title=_t("officers", lang_)),
            color=alt.Color(
                "measure:N",
                sort=list(measures.values()),
                scale=alt.Scale(range=["#9d9d9d", "#4e79a7"]),
                title=_t("measure", lang_),
            ),
            column=alt.Column("pilot:N", title=title("pilot", lang_)),
            tooltip=[
                alt.Tooltip("pilot:N", title=title("pilot", lang_)),
                alt.Tooltip("measure:N", title=_t("measure", lang_)),
                alt.Tooltip("band:N", title=_t("band", lang_)),
                alt.Tooltip("officers:Q", title=_t("officers", lang_)),
            ],
        )
        .properties(width=220, height=220)
    )
