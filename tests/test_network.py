"""The network analysis and its charts: exact numbers on hand-made frames, sanity on the sample."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import polars as pl
import pytest

from brugdata.analysis._contract import Frames
from brugdata.analysis.network import (
    BAND_LABELS,
    _band_expr,
    network,
    network_band,
    to_networkx,
)
from brugdata.sql import query
from brugdata.store.store import Store

D = dt.date(2024, 10, 1)

SCHOOLS = pl.DataFrame(
    {
        "school_id": ["91AA00", "91AA01", "92BB"],
        "school_year": ["2024-2025"] * 3,
        "pilot": ["pA", "pA", "pB"],
        "school_type": ["po", "po", "vo"],
    }
)
OFFICERS = pl.DataFrame(
    {
        "officer_id": ["O1", "O2", "O3"],
        "pilot": ["pA", "pA", "pB"],
        "role": ["brugfunctionaris"] * 3,
    }
)
PARTNERS = pl.DataFrame(
    {
        "partner_id": ["P1", "P2", "P3"],
        "name": ["Wijkteam Noord", "GGD", "Wijkteam Zuid"],
        "kind": ["wijkteam", "ggd", "wijkteam"],
    }
)

# contact_id, date, officer, school, counterpart, colleague_role, partner_id, referred_to
_CONTACTS = [
    ("c1", D, "O1", "91AA00", "colleague", "intern_begeleider", None, None),
    ("c2", D, "O1", "91AA01", "colleague", "intern_begeleider", None, None),
    ("c3", D, "O1", "91AA00", "colleague", "leerkracht", None, None),
    ("c4", D, "O1", "91AA00", "partner", None, "P1", None),
    ("c5", D, "O1", "91AA01", "partner", None, "P1", None),
    ("c6", D, "O1", "91AA00", "parent", None, None, "P2"),
    ("c7", D, "O1", "91AA01", "pupil", None, None, "P1"),
    # school year 2023-2024
    ("c11", dt.date(2024, 6, 1), "O1", "91AA00", "partner", None, "P3", None),
    ("c8", D, "O2", "91AA01", "colleague", "intern_begeleider", None, None),
    ("c9", D, "O2", "91AA01", "partner", None, "P3", "P1"),
    ("c10", D, "O2", "91AA01", "parent", None, None, "P3"),
    # O3 has contacts, but none that places a colleague or partner
    ("c12", D, "O3", "92BB", "parent", None, None, None),
    ("c13", D, "O3", "92BB", "colleague", None, None, None),
    ("c14", D, "O3", "92BB", "partner", None, None, None),
]


def contacts_frame(rows: list[tuple]) -> pl.DataFrame:
    cols = [
        "contact_id",
        "date",
        "officer_id",
        "school_id",
        "counterpart",
        "colleague_role",
        "partner_id",
        "referred_to",
    ]
    frame = pl.DataFrame(
        rows,
        schema={
            **{c: pl.String for c in cols},
            "date": pl.Date,
        },
        orient="row",
    )
    return frame.with_columns(
        themes=pl.lit(["opvoeding"], dtype=pl.List(pl.String)),
        person_key=pl.lit("P-1"),
    )


@pytest.fixture
def frames() -> dict[str, pl.DataFrame]:
    return {
        "schools": SCHOOLS,
        "officers": OFFICERS,
        "partners": PARTNERS,
        "contacts": contacts_frame(_CONTACTS),
    }


@pytest.fixture
def result(frames: dict[str, pl.DataFrame]) -> Frames:
    return network(frames)


# --------------------------------------------------------------------------- exact numbers


def test_edges(result: Frames) -> None:
    # School years are never pooled. 2023-2024: O1 → P3 (contact c11).
    # 2024-2025: O1: ib at two schools (2 contacts), leerkracht 1, P1: 2 contacts + referral
    # c7, P2: referral c6. O2: ib 1, P1: referral c9, P3: contact c9 + referral c10.
    y0, y1 = "2023-2024", "2024-2025"
    expected = pl.DataFrame(
        [
            ("pA", y0, "O1", "P3", "partner", "wijkteam", "Wijkteam Zuid", 1, 0, 1, "log"),
            ("pA", y1, "O1", "intern_begeleider", "colleague_role", None, None, 2, 0, 2, "log"),
            ("pA", y1, "O1", "leerkracht", "colleague_role", None, None, 1, 0, 1, "log"),
            ("pA", y1, "O1", "P1", "partner", "wijkteam", "Wijkteam Noord", 2, 1, 3, "log"),
            ("pA", y1, "O1", "P2", "partner", "ggd", "GGD", 0, 1, 1, "log"),
            ("pA", y1, "O2", "intern_begeleider", "colleague_role", None, None, 1, 0, 1, "log"),
            ("pA", y1, "O2", "P1", "partner", "wijkteam", "Wijkteam Noord", 0, 1, 1, "log"),
            ("pA", y1, "O2", "P3", "partner", "wijkteam", "Wijkteam Zuid", 1, 1, 2, "log"),
        ],
        schema={
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
            "source": pl.String,
        },
        orient="row",
    )
    assert result.edges.equals(expected)


def test_officers(result: Frames) -> None:
    o = result.officers
    assert o.columns == [
        "pilot",
        "school_year",
        "officer_id",
        "internal",
        "external",
        "internal_band",
        "external_band",
        "degree_centrality",
        "betweenness",
        "source",
    ]
    # every officer of a pilot in each school year of the pilot (pA has a link in 2023-2024)
    assert o.select("pilot", "school_year", "officer_id").rows() == [
        ("pA", "2023-2024", "O1"),
        ("pA", "2023-2024", "O2"),
        ("pA", "2024-2025", "O1"),
        ("pA", "2024-2025", "O2"),
        ("pB", "2024-2025", "O3"),
    ]
    # 2023-2024: O1 → P3 only. 2024-2025: O1: (91AA00, ib), (91AA01, ib), (91AA00,
    # leerkracht) = 3; partners P1, P2 = 2. O2: (91AA01, ib) = 1; partners P1, P3 = 2.
    # O3: nothing placeable = 0, 0.
    assert o["internal"].to_list() == [0, 0, 3, 1, 0]
    assert o["external"].to_list() == [1, 0, 2, 2, 0]
    assert o["internal_band"].to_list() == ["0–10"] * 5
    assert o["external_band"].to_list() == ["0–10"] * 5
    assert o.schema["internal"] == pl.Int64 and o.schema["external"] == pl.Int64
    # 2023-2024 graph of pA: O1 – P3 and O2 alone, n = 3: degree O1 1/2, O2 0; no node lies
    # between two others. 2024-2025 graph of pA: O1, O2 + ib, leerkracht, P1, P2, P3 → n = 7;
    # degree centrality = degree / (n - 1): O1 4/6, O2 3/6. O3 is alone in pB: 0.
    assert o["degree_centrality"].to_list() == pytest.approx([1 / 2, 0.0, 4 / 6, 3 / 6, 0.0])
    # Betweenness in 2024-2025 (pairs of other nodes, normalized by (n-1)(n-2)/2 = 15):
    # leerkracht and P2 hang on O1 only: the 5 pairs with leerkracht and the 4 other pairs with
    # P2 all pass O1 (9); ib–P1 has two shortest paths, one through each officer (1/2 each).
    # P3 hangs on O2 only: its 5 pairs pass O2. O1: (9 + 0.5) / 15; O2: (5 + 0.5) / 15.
    assert o["betweenness"].to_list() == pytest.approx([0.0, 0.0, 9.5 / 15, 5.5 / 15, 0.0])


def test_officer_without_contacts_has_zero(result: Frames) -> None:
    o3 = result.officers.filter(pl.col("officer_id") == "O3").row(0, named=True)
    assert o3["internal"] == 0 and o3["external"] == 0
    assert o3["internal_band"] == "0–10" and o3["external_band"] == "0–10"
    assert o3["degree_centrality"] == 0.0 and o3["betweenness"] == 0.0
    assert result.edges.filter(pl.col("officer_id") == "O3").is_empty()


def test_partner_kinds(result: Frames) -> None:
    kinds = result.partner_kinds
    assert kinds.select(
        "pilot", "school_year", "partner_kind", "partners", "officers", "schools"
    ).rows() == [
        # 2023-2024 wijkteam: P3 (c11, O1, 91AA00)
        ("pA", "2023-2024", "wijkteam", 1, 1, 1),
        # 2024-2025 ggd: P2 via referral c6 (O1, 91AA00)
        ("pA", "2024-2025", "ggd", 1, 1, 1),
        # 2024-2025 wijkteam: P1, P3; O1 and O2; at 91AA00 and 91AA01
        ("pA", "2024-2025", "wijkteam", 2, 2, 2),
    ]
    # contacts c11 | none | c4, c5, c9; referrals none | c6 | c7, c9 (P1), c10 (P3)
    assert kinds["contacts"].to_list() == [1, 0, 3]
    assert kinds["referrals"].to_list() == [0, 1, 3]
    assert kinds["answered"].null_count() == 3 and set(kinds["source"]) == {"log"}


def test_pilots(result: Frames) -> None:
    p = result.pilots
    assert p.columns == [
        "pilot",
        "school_year",
        "officers",
        "nodes",
        "edges",
        "density",
        "mean_internal",
        "mean_external",
        "median_internal",
        "median_external",
        "source",
    ]
    # 2023-2024: 2 officers, 1 node (P3), 1 edge: density 1 / (2 × 1); external 1 and 0
    assert p.row(0)[:10] == pytest.approx(("pA", "2023-2024", 2, 1, 1, 0.5, 0.0, 0.5, 0.0, 0.5))
    # 2024-2025: 5 nodes, 7 edges: density 7 / (2 × 5); internal 3, 1; external 2, 2
    assert p.row(1)[:10] == pytest.approx(("pA", "2024-2025", 2, 5, 7, 0.7, 2.0, 2.0, 2.0, 2.0))
    # pB: one officer, no nodes, no edges: density 0.
    assert p.row(2)[:10] == ("pB", "2024-2025", 1, 0, 0, 0.0, 0.0, 0.0, 0.0, 0.0)


def test_bands_frame(result: Frames) -> None:
    bands = result.bands.filter(pl.col("school_year") == "2024-2025", pl.col("pilot") == "pA")
    internal = bands.filter(pl.col("side") == "internal")
    assert internal["band"].to_list() == ["0–10", "10–20", "20–30", "30+", "unknown"]
    assert internal["officers"].to_list() == [2, 0, 0, 0, 0]
    assert internal["mean"][0] == 2.0  # (3 + 1) / 2


def test_school_year_filter(frames: dict[str, pl.DataFrame]) -> None:
    r = network(frames, school_year="2024-2025")
    # c11 (O1 → P3, 1 June 2024) belongs to 2023-2024 and drops out.
    assert r.edges.height == 7
    assert r.edges.filter((pl.col("officer_id") == "O1") & (pl.col("node") == "P3")).is_empty()
    assert r.officers["external"].to_list() == [2, 2, 0]
    assert r.officers["internal"].to_list() == [3, 1, 0]
    # P3 is still linked through O2: 5 nodes, 7 edges, density 7 / (2 × 5).
    assert r.pilots.row(0)[:6] == pytest.approx(("pA", "2024-2025", 2, 5, 7, 0.7))
    # the same as the 2024-2025 rows of the result over every school year
    every = network(frames)
    for name in ("edges", "officers", "partner_kinds", "pilots", "bands"):
        assert every[name].filter(pl.col("school_year") == "2024-2025").equals(r[name]), name
    wijkteam = r.partner_kinds.filter(pl.col("partner_kind") == "wijkteam").row(0, named=True)
    assert (wijkteam["contacts"], wijkteam["referrals"], wijkteam["schools"]) == (3, 3, 2)
    with pytest.raises(ValueError, match="no school year '2025-2026' in the store; it holds"):
        network(frames, school_year="2025-2026")


def test_pilots_filter(frames: dict[str, pl.DataFrame]) -> None:
    r = network(frames, pilots=["pB"])
    assert r.officers["officer_id"].to_list() == ["O3"]
    assert r.edges.is_empty() and r.partner_kinds.is_empty()
    assert r.pilots["pilot"].to_list() == ["pB"]
    assert network(frames, pilots=["pA", "pB"]).edges.height == 8
    with pytest.raises(ValueError, match="no pilot 'pC' in the store; it holds: pA, pB"):
        network(frames, pilots=["pC"])


def test_path_graph_betweenness() -> None:
    # O1 – P1 – O2 – P2: a path of n = 4 nodes.
    rows = [
        ("k1", D, "O1", "91AA00", "partner", None, "P1", None),
        ("k2", D, "O2", "91AA01", "partner", None, "P1", None),
        ("k3", D, "O2", "91AA01", "pupil", None, None, "P2"),
    ]
    frames = {
        "schools": SCHOOLS,
        "officers": OFFICERS.filter(pl.col("pilot") == "pA"),
        "partners": PARTNERS,
        "contacts": contacts_frame(rows),
    }
    r = network(frames)
    # O2 lies on the shortest paths O1–P2 and P1–P2: 2 of (n-1)(n-2)/2 = 3 pairs; O1 on none.
    assert r.officers["betweenness"].to_list() == pytest.approx([0.0, 2 / 3])
    # degree / (n - 1): O1 1/3, O2 2/3.
    assert r.officers["degree_centrality"].to_list() == pytest.approx([1 / 3, 2 / 3])
    # 3 edges / (2 officers × 2 partners).
    assert r.pilots["density"].to_list() == pytest.approx([0.75])
    assert r.pilots["nodes"].to_list() == [2]


def test_empty_source() -> None:
    with pytest.raises(ValueError, match="network needs logged contacts or questionnaire"):
        network({})
    r = network(
        {"schools": SCHOOLS, "officers": OFFICERS, "contacts": contacts_frame(_CONTACTS[-1:])}
    )
    assert r.edges.is_empty() and r.edges.schema["weight"] == pl.Int64
    assert r.officers.schema["betweenness"] == pl.Float64
    assert to_networkx(r, "pB").number_of_nodes() == 1  # O3, whose contacts place no node


@pytest.mark.parametrize(
    ("count", "band"),
    [(0, "0–10"), (9, "0–10"), (10, "10–20"), (19, "10–20"), (20, "20–30"), (29, "20–30")]
    + [(30, "30+"), (150, "30+")],
)
def test_bands(count: int, band: str) -> None:
    assert network_band(count) == band
    frame = pl.DataFrame({"n": [count]}).select(b=_band_expr("n"))
    assert frame["b"].to_list() == [band]


def test_band_labels() -> None:
    assert BAND_LABELS == ("0–10", "10–20", "20–30", "30+")
    with pytest.raises(ValueError):
        network_band(-1)


def test_frames(result: Frames) -> None:
    assert list(result.frames()) == ["edges", "officers", "partner_kinds", "pilots", "bands"]
    assert result.frames()["edges"] is result.edges
    assert isinstance(result, Frames) and result["pilots"] is result.pilots
    assert result.meta["by"] == ["pilot"] and result.by == ["pilot"]
    assert "<h5>edges</h5>" in result._repr_html_()
    assert repr(result).startswith("Frames(Network: edges: 8×11")


# --------------------------------------------------------------------------- networkx


def test_to_networkx(result: Frames) -> None:
    g = to_networkx(result, "pA")
    assert g.number_of_nodes() == 7
    assert g.number_of_edges() == 8
    assert g.nodes["officer:O1"] == {
        "kind": "officer",
        "node": "O1",
        "pilot": "pA",
        "pilots": ("pA",),
        "label": "O1",
        "partner_kind": None,
    }
    assert g.nodes["partner:P1"]["kind"] == "partner"
    assert g.nodes["partner:P1"]["label"] == "Wijkteam Noord"
    assert g.nodes["partner:P1"]["partner_kind"] == "wijkteam"
    assert g.nodes["colleague:intern_begeleider"]["kind"] == "colleague_role"
    assert g.nodes["colleague:intern_begeleider"]["label"] == "intern begeleider"
    assert g.nodes["colleague:intern_begeleider"]["partner_kind"] is None
    e = g.edges["officer:O1", "partner:P1"]
    assert (e["weight"], e["contacts"], e["referrals"], e["pilot"]) == (3, 2, 1, "pA")
    assert g.degree("officer:O1") == 5
    assert g.degree("officer:O1", weight="weight") == 2 + 1 + 3 + 1 + 1

    everything = to_networkx(result)
    assert everything.number_of_nodes() == 8  # with O3, alone
    assert everything.number_of_edges() == 8
    assert everything.degree("officer:O3") == 0

    pb = to_networkx(result, "pB")
    assert list(pb.nodes) == ["officer:O3"]

    en = to_networkx(result, "pA", lang="en")
    assert en.nodes["colleague:intern_begeleider"]["label"] == "special needs coordinator"
    with pytest.raises(ValueError, match="no pilot 'nowhere' in the network"):
        to_networkx(result, "nowhere")
    # one school year: 2024-2025 has no O1 – P3 link
    assert to_networkx(result, "pA", school_year="2024-2025").number_of_edges() == 7


def test_shared_node_across_pilots() -> None:
    rows = [
        ("k1", D, "O1", "91AA00", "colleague", "mentor", None, None),
        ("k2", D, "O3", "92BB", "colleague", "mentor", None, None),
    ]
    frames = {"officers": OFFICERS, "contacts": contacts_frame(rows)}
    r = network(frames)
    g = to_networkx(r)
    assert g.nodes["colleague:mentor"]["pilot"] is None
    assert g.nodes["colleague:mentor"]["pilots"] == ("pA", "pB")
    # Measures are per pilot: each pilot has one node, linked to one officer.
    assert r.pilots["nodes"].to_list() == [1, 1]
    assert to_networkx(r, "pB").nodes["colleague:mentor"]["pilot"] == "pB"


# --------------------------------------------------------------------------- sample data


@pytest.fixture(scope="module")
def sample_result(sample_store: Store) -> Frames:
    return network(sample_store)


def test_sample_external_bands(sample_result: Frames) -> None:
    gv = sample_result.officers.filter(pl.col("pilot") == "gooi_vechtstreek")
    assert gv.height == 21
    in_band = gv.filter(pl.col("external_band") == "10–20").height
    assert in_band > gv.height / 2
    assert (gv["internal"] > 0).all()


def test_sample_consistency(sample_store: Store, sample_result: Frames) -> None:
    r = sample_result
    # external = number of partner edges per officer
    partner_edges = (
        r.edges.filter(pl.col("node_kind") == "partner").group_by("officer_id").agg(n=pl.len())
    )
    joined = r.officers.join(partner_edges, on="officer_id", how="left").with_columns(
        pl.col("n").fill_null(0)
    )
    assert (joined["external"] == joined["n"]).all()
    # every colleague contact with a role, partner contact and referral is counted once
    expected = query(
        sample_store,
        """
        SELECT (SELECT count(*) FROM contacts
                WHERE counterpart = 'colleague' AND colleague_role IS NOT NULL)
             + (SELECT count(*) FROM contacts
                WHERE counterpart = 'partner' AND partner_id IS NOT NULL)
             + (SELECT count(referred_to) FROM contacts) AS n
        """,
    ).item()
    assert r.edges["weight"].sum() == expected
    assert r.pilots["pilot"].to_list() == ["den_bosch", "gooi_vechtstreek"]
    assert r.pilots["edges"].sum() == r.edges.height
    assert (r.pilots["density"] > 0).all() and (r.pilots["density"] <= 1).all()
    assert (
        r.partner_kinds["partners"].sum()
        == r.edges.filter(pl.col("node_kind") == "partner").select("pilot", "node").n_unique()
    )


def test_sample_school_year(sample_store: Store, sample_result: Frames) -> None:
    same = network(sample_store, school_year="2024-2025")
    assert same.edges.equals(sample_result.edges)
    only = network(sample_store, pilots=["den_bosch"])
    assert only.officers["pilot"].unique().to_list() == ["den_bosch"]


# --------------------------------------------------------------------------- charts


def _rows(spec: dict) -> int:
    return sum(len(v) for v in spec.get("datasets", {}).values())


def test_network_chart(sample_result: Frames) -> None:
    from brugdata.publish.charts._network import network as network_chart

    spec = network_chart(sample_result).to_dict()  # validates against the Vega-Lite schema
    # a panel per pilot, side by side, drawn from one dataset
    assert spec["facet"]["column"]["field"] == "pilot" and spec["data"] == {"name": "network"}
    (rows,) = spec["datasets"].values()
    assert sorted({r["pilot"] for r in rows}) == ["den_bosch", "gooi_vechtstreek"]
    panel = spec["spec"]
    marks = [layer["mark"]["type"] for layer in panel["layer"]]
    assert marks == ["rule", "circle"]
    rule = panel["layer"][0]["encoding"]
    assert {"x", "y", "x2", "y2", "strokeWidth"} <= set(rule)
    circle = panel["layer"][1]["encoding"]
    assert {"x", "y", "color", "size", "tooltip"} <= set(circle)
    # each layer draws its own rows: an edge has the far end of its line, a node has none
    edges = [r for r in rows if "x2" in r]
    nodes = [r for r in rows if "x2" not in r]
    assert [layer["transform"] for layer in panel["layer"]] == [
        [{"filter": "isValid(datum.x2)"}],
        [{"filter": "!isValid(datum.x2)"}],
    ]
    assert 0 < len(rows) < 5000
    assert "Functionaris" in circle["color"]["scale"]["domain"]

    one = network_chart(sample_result, pilot="gooi_vechtstreek", lang="en").to_dict()
    assert [layer["mark"]["type"] for layer in one["layer"]] == ["rule", "circle"]
    assert one["title"] == "gooi_vechtstreek" and "facet" not in one
    domain = one["layer"][1]["encoding"]["color"]["scale"]["domain"]
    assert domain[:2] == ["Officer", "Colleague (school)"]
    # one row per officer and node (circles), one per edge (rules)
    gv = sample_result.pilots.filter(pl.col("pilot") == "gooi_vechtstreek").row(0, named=True)
    assert gv["officers"] == 21 and gv["edges"] > 0
    assert _rows(one) == gv["officers"] + gv["nodes"] + gv["edges"]
    # the panel of a pilot holds its rows, those of the pilot drawn alone
    (alone,) = network_chart(sample_result, pilot="gooi_vechtstreek").to_dict()["datasets"].values()
    mine = [
        {k: v for k, v in r.items() if k != "pilot"}
        for r in edges + nodes
        if r["pilot"] == "gooi_vechtstreek"
    ]
    key = str
    assert sorted(mine, key=key) == sorted(alone, key=key)

    # a partner kind keeps its colour whichever pilots are drawn
    def colours(spec: dict) -> dict[str, str]:
        scale = spec["layer"][1]["encoding"]["color"]["scale"]
        return dict(zip(scale["domain"], scale["range"], strict=True))

    both = colours(panel)
    alone_colours = colours(network_chart(sample_result, pilot="den_bosch").to_dict())
    assert alone_colours["wijkteam"] == both["wijkteam"]
    assert alone_colours["Functionaris"] == "#222222"

    with pytest.raises(ValueError, match="unknown pilot"):
        network_chart(sample_result, pilot="nowhere")
    with pytest.raises(ValueError, match="lang"):
        network_chart(sample_result, lang="de")  # type: ignore[arg-type]


def test_network_chart_stacked(sample_result: Frames) -> None:
    from brugdata.publish.charts._network import network as network_chart

    side = network_chart(sample_result).to_dict()
    stacked = network_chart(sample_result, stacked=True).to_dict()  # validates
    assert "column" not in stacked["facet"] and stacked["facet"]["row"]["field"] == "pilot"
    # the same panels, title and data, one under the other
    assert stacked["spec"] == side["spec"]
    assert stacked["title"] == side["title"] and stacked["datasets"] == side["datasets"]
    one = network_chart(sample_result, pilot="den_bosch", stacked=True).to_dict()
    assert "layer" in one and "facet" not in one  # one pilot: one panel


def test_network_chart_small(result: Frames) -> None:
    from brugdata.publish.charts._network import network as network_chart

    spec = network_chart(result, pilot="pA").to_dict()
    data = next(iter(spec["datasets"].values()))
    rows = [r for values in spec["datasets"].values() for r in values]
    assert len(rows) == 7 + 7  # the latest school year, 2024-2025: 7 nodes, 7 edges
    assert data  # a dataset is there
    older = network_chart(result, pilot="pA", school_year="2023-2024").to_dict()
    assert len([r for v in older["datasets"].values() for r in v]) == 3 + 1  # O1, O2, P3
    # a pilot with one officer and no links still draws (the officer, in the centre)
    lone = network_chart(result, pilot="pB").to_dict()
    assert [layer["mark"]["type"] for layer in lone["layer"]] == ["circle"]
    (nodes,) = lone["datasets"].values()
    assert nodes == [
        {
            "node": "O3",
            "label": "O3",
            "group": "Functionaris",
            "links": 0,
            "weight": 0,
            "referrals": 0,
            "x": 0.0,
            "y": 0.0,
        }
    ]


def test_network_bands_chart(sample_result: Frames) -> None:
    from brugdata.publish.charts._network import network_bands

    spec = network_bands(sample_result).to_dict()
    assert spec["mark"]["type"] == "bar"
    enc = spec["encoding"]
    assert enc["x"]["field"] == "band" and enc["x"]["sort"] == list(BAND_LABELS)
    assert enc["column"]["field"] == "pilot"
    assert enc["xOffset"]["field"] == "measure"
    (rows,) = spec["datasets"].values()
    assert len(rows) == 2 * 2 * 4  # pilots × internal/external × bands
    gv_external = {
        r["band"]: r["officers"]
        for r in rows
        if r["pilot"] == "gooi_vechtstreek" and r["measure"].startswith("Extern")
    }
    assert sum(gv_external.values()) == 21
    assert gv_external["10–20"] > 10
    en = network_bands(sample_result, lang="en").to_dict()
    assert en["encoding"]["y"]["title"] == "Number of officers"


def test_import_is_light() -> None:
    code = (
        "import sys, brugdata.analysis.network, brugdata.publish.charts._network;"
        "print('networkx' in sys.modules, 'altair' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["False", "False"]


def test_a_year_asked_for_has_only_the_pilots_active_that_year() -> None:
    """network(school_year=Y) gives exactly the rows network() gives for Y: a pilot with no
    schools, assignments or links in Y has no officer rows for it (it had rows of zeros)."""
    schools = pl.DataFrame(
        {
            "school_id": ["91AA00", "91AA00", "92BB"],
            "school_year": ["2023-2024", "2024-2025", "2024-2025"],
            "pilot": ["pA", "pA", "pB"],
            "school_type": ["po", "po", "vo"],
        }
    )
    officers = pl.DataFrame(
        {"officer_id": ["O1", "O3"], "pilot": ["pA", "pB"], "role": ["brugfunctionaris"] * 2}
    )
    contacts = pl.DataFrame(
        {
            "contact_id": ["c1", "c2", "c3"],
            "date": [dt.date(2023, 10, 2), D, D],
            "officer_id": ["O1", "O1", "O3"],
            "school_id": ["91AA00", "91AA00", "92BB"],
            "counterpart": ["colleague"] * 3,
            "colleague_role": ["leerkracht", "mentor", "mentor"],
        }
    )
    frames = {"schools": schools, "officers": officers, "contacts": contacts}
    whole = network(frames).officers
    early = network(frames, school_year="2023-2024").officers
    assert early["officer_id"].to_list() == ["O1"]  # pB had nothing in 2023-2024
    assert early.to_dicts() == whole.filter(pl.col("school_year") == "2023-2024").to_dicts()


def _random_graphs() -> list[tuple[str, int, list[tuple[int, int]]]]:
    """Graphs to set the matrix betweenness against networkx: random bipartite officer–node
    graphs (repeated pairs, isolated nodes), and graphs with many shortest paths of equal
    length, several components, a path, a star and a single edge."""
    import random

    import networkx as nx

    graphs = []
    for seed in range(40):
        rng = random.Random(seed)
        n = rng.randint(3, 80)
        pairs = list(
            dict.fromkeys(
                (rng.randrange(n // 3 + 1), rng.randrange(n // 3 + 1, n)) for _ in range(n * 2)
            )
        )
        graphs.append((f"bipartite {seed}", n, pairs))
    for name, g in [
        ("complete bipartite 6×9", nx.complete_bipartite_graph(6, 9)),
        ("grid 7×8", nx.convert_node_labels_to_integers(nx.grid_2d_graph(7, 8))),
        ("hypercube 6", nx.convert_node_labels_to_integers(nx.hypercube_graph(6))),
        ("two components", nx.disjoint_union(nx.path_graph(5), nx.cycle_graph(6))),
        ("path 12", nx.path_graph(12)),
        ("star 9", nx.star_graph(9)),
        ("one edge", nx.path_graph(2)),
        ("one edge and an isolated node", nx.Graph([(0, 1)])),
    ]:
        if name.endswith("isolated node"):
            g.add_node(2)
        graphs.append((name, g.number_of_nodes(), list(g.edges())))
    return graphs


@pytest.mark.parametrize(
    ("n", "pairs"), [pytest.param(n, pairs, id=name) for name, n, pairs in _random_graphs()]
)
def test_matrix_betweenness_equals_networkx(n: int, pairs: list[tuple[int, int]]) -> None:
    """The matrix path (brugdata.analysis._betweenness) gives networkx's degree exactly and
    its normalised betweenness within 1e-12 (the sums are added in another order)."""
    import networkx as nx

    from brugdata.analysis._betweenness import degree_betweenness

    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_edges_from(pairs)
    degree, between = degree_betweenness(n, pairs)
    expected = nx.betweenness_centrality(g, normalized=True)
    assert degree == [d for _, d in sorted(g.degree())]
    assert between == pytest.approx([expected[v] for v in range(n)], rel=0, abs=1e-12)
    assert max(between) > 0 or max(expected.values()) == 0


def test_measure_all_gives_each_graph_and_networkx_above_the_dense_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every graph measured, in the order of the graphs; a graph over the dense limit goes
    through networkx and gives the same numbers (within 1e-12)."""
    import random

    from brugdata.analysis import _betweenness

    rng = random.Random(7)
    graphs = []
    for _ in range(6):
        n = rng.randint(4, 40)
        pairs = list(
            dict.fromkeys((rng.randrange(n // 2), rng.randrange(n // 2, n)) for _ in range(n))
        )
        graphs.append((n, pairs))
    graphs.append((3, []))
    one = [_betweenness.degree_betweenness(n, pairs) for n, pairs in graphs]
    assert any(max(between) > 0 for _, between in one)
    assert _betweenness.measure_all(graphs) == one
    monkeypatch.setattr(_betweenness, "DENSE_LIMIT", 0)
    by_networkx = _betweenness.measure_all(graphs)
    assert [degree for degree, _ in by_networkx] == [degree for degree, _ in one]
    for (_, got), (_, want) in zip(by_networkx, one, strict=True):
        assert got == pytest.approx(want, rel=0, abs=1e-12)


def test_metrics_of_no_graph_are_empty_frames() -> None:
    """No officers (a selection without any): no rows, the columns all the same (it used to
    fail on slicing the edges of no graph)."""
    from brugdata.analysis import _graph

    edges = pl.DataFrame(
        schema={k: pl.String for k in ("pilot", "school_year", "officer_id", "node_kind", "node")}
    )
    officers = pl.DataFrame(schema={k: pl.String for k in ("pilot", "school_year", "officer_id")})
    per_officer, per_graph = _graph.metrics(edges, officers)
    assert per_officer.is_empty() and per_graph.is_empty()
    assert per_officer.columns == ["school_year", "officer_id", "degree_centrality", "betweenness"]
    assert per_graph.columns == ["pilot", "school_year", "nodes", "edges", "density"]


def test_network_metrics_are_the_same_as_networkx_on_each_graph(sample_store: Store) -> None:
    """The officers' degree centrality and betweenness, and each graph's nodes, edges and
    density, are networkx's on the graph ``to_networkx`` gives for the pilot and year."""
    import networkx as nx
    from networkx.algorithms import bipartite

    result = network(sample_store, source="log")
    officers = result.officers
    groups = officers.select("pilot", "school_year").unique().sort("pilot", "school_year")
    assert groups.height >= 2
    for pilot, year in groups.iter_rows():
        g = to_networkx(result, pilot, school_year=year)
        n = g.number_of_nodes()
        between = nx.betweenness_centrality(g, normalized=True)
        mine = {v for v, kind in g.nodes(data="kind") if kind == "officer"}
        want = {
            g.nodes[v]["node"]: (g.degree(v) / (n - 1) if n > 1 else 0.0, between[v]) for v in mine
        }
        got = officers.filter((pl.col("school_year") == year) & (pl.col("pilot") == pilot))
        mine_measured = {
            r["officer_id"]: (r["degree_centrality"], r["betweenness"])
            for r in got.iter_rows(named=True)
        }
        assert mine_measured.keys() == want.keys()
        for officer, (centrality, between_officer) in mine_measured.items():
            assert centrality == want[officer][0]
            assert between_officer == pytest.approx(want[officer][1], rel=0, abs=1e-12)
        row = result.pilots.filter((pl.col("pilot") == pilot) & (pl.col("school_year") == year))
        assert row.select("nodes", "edges", "density").row(0) == (
            n - len(mine),
            g.number_of_edges(),
            bipartite.density(g, mine) if mine else 0.0,
        )
    assert officers["betweenness"].max() > 0


def test_network_chart_with_many_hidden_edges_first(sample_result: Frames) -> None:
    """A pilot whose first hundred-odd edges are hidden (null counts, as a protected chart
    embeds them) and whose later ones are not: the chart used to build its edge rows with
    polars' schema inference from the first rows (all null) and failed on the first number;
    it keeps the numbers and the hidden values absent."""
    from brugdata.publish.charts._network import network as network_chart

    edges = sample_result.edges.filter(pl.col("pilot") == "gooi_vechtstreek")
    year = edges["school_year"].max()
    many = edges.filter(pl.col("school_year") == year).with_row_index("_i")
    hidden = pl.col("_i") < 150
    many = many.with_columns(
        [pl.when(hidden).then(None).otherwise(pl.col(c)).alias(c)
         for c in ("contacts", "referrals", "weight")]
    ).drop("_i")  # fmt: skip
    assert many.height > 150 and many["contacts"].drop_nulls().len() > 0
    officers = sample_result.officers.filter(
        (pl.col("pilot") == "gooi_vechtstreek") & (pl.col("school_year") == year)
    )
    spec = network_chart({"edges": many, "officers": officers}).to_dict()
    rows = [r for values in spec["datasets"].values() for r in values if "x2" in r]
    assert len(rows) == many.height
    contacts = [r.get("contacts") for r in rows]
    assert contacts.count(None) == 150
    assert sorted(c for c in contacts if c is not None) == sorted(
        many["contacts"].drop_nulls().to_list()
    )
