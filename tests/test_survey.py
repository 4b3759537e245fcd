"""Questionnaire analyses: exact figures on a hand-made fixture, the sample questionnaire, and
survey figures in compare."""

from __future__ import annotations

import math

import polars as pl
import pytest

from brugdata.analysis._common import wilson
from brugdata.analysis._stats import chi2_homogeneity
from brugdata.analysis.compare import METRICS, compare
from brugdata.analysis.network import network
from brugdata.analysis.reach import parents_of_pupil_cases, reach, reach_bands
from brugdata.analysis.survey import response
from brugdata.analysis.themes import theme_shares
from brugdata.analysis.time_use import time_use
from brugdata.store.store import Store
from tests.fixtures import Y, frames

S_ROWS = [
    # officer, pilot, type, parents, pupils, families, pupils_total, pct spoken, internal, external
    ("R1", "S", "po", 30, 20, 100, 150, 80.0, 12, 15),
    ("R2", "S", "vo", 60, 50, 600, 800, 50.0, 25, 8),
    ("R3", "S", "po", 20, None, None, 90, None, None, 31),
    ("R4", "S", "po", 45, 10, 90, 0, 100.0, 9, 20),
    ("O1", "A", "po", 5, 2, 8, 10, 100.0, 3, 4),  # pilot A also has a log (tests.fixtures)
]


def survey_frames() -> dict[str, pl.DataFrame]:
    """tests.fixtures.frames() plus a questionnaire: pilot S (4 respondents, no log, no
    officers) and one respondent of the logged pilot A (officer O1 of 2)."""
    names = [
        "officer_id",
        "pilot",
        "school_type",
        "parents_helped",
        "pupils_helped",
        "families_total",
        "pupils_total",
        "pct_pupil_cases_parents_spoken",
        "internal_contacts",
        "external_contacts",
    ]
    survey = pl.DataFrame(
        [dict(zip(names, r, strict=True)) for r in S_ROWS],
        schema_overrides={"pct_pupil_cases_parents_spoken": pl.Float64},
    ).with_columns(school_year=pl.lit(Y))
    key = {"pilot": "S", "school_year": Y}
    time_use = pl.DataFrame(
        [
            {"officer_id": "R1", **key, "task": "social_domain", "share_pct": 40.0},
            {"officer_id": "R1", **key, "task": "school_team", "share_pct": 30.0},
            {"officer_id": "R1", **key, "task": "pupil_contact", "share_pct": 30.0},
            {"officer_id": "R2", **key, "task": "social_domain", "share_pct": 10.0},
            {"officer_id": "R2", **key, "task": "one_on_one_parent", "share_pct": 10.0},
        ]
    )
    themes = pl.DataFrame(
        [
            {"officer_id": o, **key, "asker": a, "theme": t}
            for o, a, t in [
                ("R1", "parent", "armoede"),
                ("R1", "parent", "opvoeding"),
                ("R1", "pupil", "pesten"),
                ("R2", "parent", "armoede"),
                ("R3", "parent", "taal"),
                ("R3", "pupil", "pesten"),
                ("R3", "pupil", "mentaal"),
            ]
        ]
    )
    partners = pl.DataFrame(
        [
            {"officer_id": o, **key, "organisation": n, "kind": k}
            for o, n, k in [
                ("R1", "Versa", "welzijn"),
                ("R1", "GGD", "ggd"),
                ("R2", "versa", "welzijn"),
                ("R2", "Wijkteam Noord", "wijkteam"),
            ]
        ]
    )
    return {
        **frames(),
        "survey": survey,
        "survey_time_use": time_use,
        "survey_themes": themes,
        "survey_partners": partners,
    }


def one(frame: pl.DataFrame, **where: object) -> dict:
    hit = frame
    for column, value in where.items():
        hit = hit.filter(pl.col(column) == value)
    assert hit.height == 1, (where, hit)
    return hit.row(0, named=True)


# --------------------------------------------------------------------------- reach


def test_survey_reach_per_officer_by_hand() -> None:
    out = reach(survey_frames(), by=["pilot", "officer"], source="survey", pilots=["S"])
    # the columns of the log's reach, with the questionnaire's own filled and the log's null
    logged = reach(survey_frames(), by=["pilot", "officer"], source="log", pilots=["A"])
    assert out.columns == logged.columns
    assert out.columns[:4] == ["pilot", "officer_id", "school_year", "counterpart"]
    assert set(out["source"]) == {"survey"} and set(logged["source"]) == {"log"}
    assert out["schools"].null_count() == out.height
    assert logged["respondents"].null_count() == logged.height
    r1 = one(out, officer_id="R1", counterpart="parent")
    assert (r1["reached"], r1["population"], r1["pct"]) == (30, 100, 30.0)
    low, high = wilson(30, 100)
    assert r1["ci_low"] == pytest.approx(100 * low) and r1["ci_high"] == pytest.approx(100 * high)
    assert r1["note"] is None
    assert one(out, officer_id="R2", counterpart="parent")["pct"] == 10.0  # 60 / 600
    assert one(out, officer_id="R4", counterpart="parent")["pct"] == 50.0  # 45 / 90
    r3 = one(out, officer_id="R3", counterpart="parent")
    assert r3["pct"] is None and r3["ci_low"] is None
    assert r3["note"] == "population unknown: the respondent gave no number of families"
    r3p = one(out, officer_id="R3", counterpart="pupil")
    assert r3p["reached"] is None and r3p["note"].startswith("no answer")
    r4p = one(out, officer_id="R4", counterpart="pupil")
    assert r4p["pct"] is None and r4p["note"] == "population is 0 pupils"
    assert one(out, officer_id="R1", counterpart="pupil")["pct"] == pytest.approx(20 / 150 * 100)


def test_survey_reach_per_pilot_sums_respondents() -> None:
    out = reach(survey_frames(), by="pilot", source="survey", pilots=["S"])
    parent = one(out, counterpart="parent")
    # helped 30 + 60 + 20 + 45 = 155 over all 4 respondents; R3 gave no families, so pct is
    # (30 + 60 + 45) / (100 + 600 + 90) = 135 / 790
    assert parent["respondents"] == 4
    assert parent["reached"] == 155
    assert parent["population"] == 790
    assert parent["respondents_with_population"] == 3
    assert parent["reached_with_population"] == 135
    assert parent["pct"] == pytest.approx(135 / 790 * 100)
    low, high = wilson(135, 790)
    assert parent["ci_low"] == pytest.approx(100 * low)
    assert parent["ci_high"] == pytest.approx(100 * high)
    assert parent["note"] == (
        "pct over the 3 of 4 respondents who gave both the number helped and the number of families"
    )
    pupil = one(out, counterpart="pupil")
    # helped 20 + 50 + 10 = 80 (R3 did not say); R4's population is 0, R3's pupils unknown:
    # pct = (20 + 50) / (150 + 800)
    assert (pupil["reached"], pupil["population"]) == (80, 950)
    assert pupil["respondents_with_population"] == 2
    assert pupil["pct"] == pytest.approx(70 / 950 * 100)
    assert pupil["source"] == "survey"


def test_survey_reach_bands_by_hand() -> None:
    out = reach_bands(survey_frames(), by="officer", source="survey", pilots=["S"])
    assert out.columns == [
        "pilot",
        "school_year",
        "band",
        "low",
        "high",
        "units",
        "share",
        "source",
    ]
    # R2 10% → 0–20, R1 30% → 20–40, R4 50% → 40–60, R3 unknown
    assert out["band"].to_list() == ["0–20%", "20–40%", "40–60%", "60–80%", "80–100%", "unknown"]
    assert out["units"].to_list() == [1, 1, 1, 0, 0, 1]
    assert out["share"].to_list()[:5] == pytest.approx([1 / 3, 1 / 3, 1 / 3, 0, 0])
    assert out["share"][5] is None
    pupils = reach_bands(
        survey_frames(), by="officer", counterpart="pupil", source="survey", pilots=["S"]
    )
    # R1 13.3%, R2 6.25% → 0–20; R3 (no answer) and R4 (population 0) unknown
    assert pupils["units"].to_list() == [2, 0, 0, 0, 0, 2]
    with pytest.raises(ValueError):
        reach_bands(survey_frames(), counterpart="colleague")  # type: ignore[arg-type]
    # the questionnaire's units are respondents: by school is the log's only
    with pytest.raises(ValueError, match="choose from: officer"):
        reach_bands(survey_frames(), by="school", source="survey")
    # auto: the log for pilot A (logged), the questionnaire for pilot S (no log)
    assert set(reach_bands(survey_frames(), by="officer", pilots=["S"])["source"]) == {"survey"}
    assert set(reach_bands(survey_frames(), by="officer", pilots=["A"])["source"]) == {"log"}


# --------------------------------------------------------------------------- the rest


def test_survey_time_use_by_hand() -> None:
    per_officer = time_use(survey_frames(), by="officer", source="survey")
    assert per_officer.columns == [
        "officer_id",
        "pilot",
        "school_year",
        "task",
        "share_pct",
        "source",
    ]
    assert per_officer.height == 14  # R1 and R2, every one of the 7 tasks
    r1 = per_officer.filter(pl.col("officer_id") == "R1")
    assert r1["task"].to_list()[:2] == ["social_domain", "school_team"]
    assert r1["share_pct"].sum() == 100
    assert one(r1, task="other")["share_pct"] == 0.0
    pilot = time_use(survey_frames(), by="pilot", source="survey")
    assert pilot.columns == ["pilot", "school_year", "task", "share_pct", "officers", "source"]
    # R2's 10 + 10 normalised to 50 + 50; means over R1 and R2:
    expected = {
        "social_domain": (40 + 50) / 2,
        "school_team": (30 + 0) / 2,
        "one_on_one_parent": (0 + 50) / 2,
        "pupil_contact": (30 + 0) / 2,
        "parent_contact_social": 0.0,
    }
    for task, share in expected.items():
        assert one(pilot, task=task)["share_pct"] == pytest.approx(share)
    assert set(pilot["officers"]) == {2}
    assert pilot["share_pct"].sum() == pytest.approx(100)


def test_survey_contact_bands_by_hand() -> None:
    out = network(survey_frames(), source="survey", pilots=["S"]).bands
    assert out.columns == [
        "pilot",
        "school_year",
        "side",
        "band",
        "officers",
        "share",
        "mean",
        "source",
    ]
    internal = out.filter(pl.col("side") == "internal")
    # 12 → 10–20, 25 → 20–30, 9 → 0–10, R3 did not say
    assert internal["band"].to_list() == ["0–10", "10–20", "20–30", "30+", "unknown"]
    assert internal["officers"].to_list() == [1, 1, 1, 0, 1]
    assert internal["share"].to_list()[:4] == pytest.approx([1 / 3, 1 / 3, 1 / 3, 0])
    assert internal["mean"][0] == pytest.approx((12 + 25 + 9) / 3)
    external = out.filter(pl.col("side") == "external")
    # 15 → 10–20, 8 → 0–10, 31 → 30+, 20 → 20–30 (bands are [low, high))
    assert external["officers"].to_list() == [1, 1, 1, 1, 0]
    assert external["mean"][0] == pytest.approx((15 + 8 + 31 + 20) / 4)


def test_survey_themes_by_hand() -> None:
    out = theme_shares(survey_frames(), source="survey")
    assert out.columns == [
        "pilot",
        "school_year",
        "asker",
        "theme",
        "contacts",
        "asker_contacts",
        "respondents",
        "answered",
        "share",
        "source",
    ]
    assert out["contacts"].null_count() == out.height  # the log's columns
    # parents: R1, R2, R3 answered; armoede by R1 and R2
    assert one(out, asker="parent", theme="armoede")["share"] == pytest.approx(2 / 3)
    assert one(out, asker="parent", theme="taal")["respondents"] == 1
    assert out.filter(pl.col("asker") == "parent")["theme"][0] == "armoede"  # most named first
    # pupils: R1 and R3 answered; both named pesten
    assert one(out, asker="pupil", theme="pesten")["share"] == 1.0
    assert one(out, asker="pupil", theme="mentaal")["share"] == 0.5
    assert out["asker"].unique(maintain_order=True).to_list() == ["parent", "pupil"]


def test_survey_partner_kinds_by_hand() -> None:
    out = network(survey_frames(), source="survey").partner_kinds
    welzijn = one(out, partner_kind="welzijn")
    # "Versa" and "versa" are one organisation, named by both respondents who answered
    assert (welzijn["partners"], welzijn["officers"], welzijn["answered"]) == (1, 2, 2)
    assert welzijn["share"] == 1.0
    assert one(out, partner_kind="wijkteam")["share"] == 0.5
    assert out["partner_kind"][0] == "welzijn"
    assert out["contacts"].null_count() == out.height  # the log's columns


def test_survey_parents_of_pupil_cases_by_hand() -> None:
    kw = {"source": "survey", "pilots": ["S"]}
    per = parents_of_pupil_cases(survey_frames(), by=["pilot", "officer"], **kw)  # type: ignore[arg-type]
    # each respondent's estimate: R1 80, R2 50, R3 no answer, R4 100
    assert per.select("officer_id", "pct").rows() == [
        ("R1", 80.0),
        ("R2", 50.0),
        ("R3", None),
        ("R4", 100.0),
    ]
    out = parents_of_pupil_cases(survey_frames(), by="pilot", **kw)  # type: ignore[arg-type]
    assert out["pct"][0] == pytest.approx((80 + 50 + 100) / 3)
    assert out["respondents"][0] == 3
    assert out["linked"][0] is None and out["source"][0] == "survey"


def test_response_by_hand() -> None:
    out = response(survey_frames())
    assert out.columns == [
        "pilot",
        "school_year",
        "respondents",
        "officers",
        "linked",
        "response_rate",
    ]
    a = one(out, pilot="A")
    assert (a["respondents"], a["officers"], a["linked"], a["response_rate"]) == (1, 2, 1, 0.5)
    s = one(out, pilot="S")
    assert (s["respondents"], s["officers"], s["linked"], s["response_rate"]) == (
        4,
        None,
        0,
        None,
    )


def test_the_survey_source_on_a_store_without_answers_says_what_it_holds() -> None:
    empty = frames()
    holds = "it holds 3 school rows, 3 officers, 4 assignments and 10 logged contacts"
    for name, call in {
        "reach": lambda: reach(empty, source="survey"),
        "reach_bands": lambda: reach_bands(empty, by="officer", source="survey"),
        "time_use": lambda: time_use(empty, source="survey"),
        "network": lambda: network(empty, source="survey"),
        "theme_shares": lambda: theme_shares(empty, source="survey"),
        "parents_of_pupil_cases": lambda: parents_of_pupil_cases(empty, source="survey"),
    }.items():
        with pytest.raises(ValueError, match=f"^{name} \\(source='survey'\\) needs .*; {holds}"):
            call()
    with pytest.raises(ValueError, match="^response needs questionnaire answers"):
        response(empty)
    with pytest.raises(ValueError, match="choose from: pilot, officer, school_year"):
        reach(survey_frames(), by="school", source="survey")
    with pytest.raises(ValueError, match="source must be one of: log, survey, auto"):
        reach(survey_frames(), source="questionnaire")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- compare


def value(out: pl.DataFrame, pilot: str, metric: str, source: str) -> dict:
    return one(out, pilot=pilot, metric=metric, source=source)


def test_compare_by_default_adds_survey_figures_of_pilots_without_a_log() -> None:
    out = compare(survey_frames(), school_year=Y)
    assert set(out.filter(pl.col("pilot") == "S")["source"]) == {"survey"}
    # A has a log: by default only its logged figures, one row per metric as before
    assert "survey" not in set(out.filter(pl.col("pilot") == "A")["source"])
    assert out.filter(pl.col("pilot") == "A").select("metric", "label").is_duplicated().sum() == 0
    # the questionnaire test is then over the survey-only pilots: just S, so none
    assert value(out, "S", "parents_reached_pct", "survey")["method"] is None
    with pytest.raises(ValueError):
        compare(survey_frames(), survey="yes")  # type: ignore[arg-type]


def test_compare_puts_a_survey_pilot_beside_a_logged_one() -> None:
    out = compare(survey_frames(), school_year=Y, survey=True)
    assert set(out["metric"]) <= set(METRICS)
    s = out.filter(pl.col("pilot") == "S")
    assert set(s["source"]) == {"survey"}  # no log, no schools, no officers
    assert value(out, "S", "respondents", "survey")["value"] == 4
    assert value(out, "S", "response_rate", "survey")["value"] is None  # no officers table
    assert value(out, "S", "parents_reached", "survey")["value"] == 155
    pct = value(out, "S", "parents_reached_pct", "survey")
    assert pct["value"] == pytest.approx(135 / 790 * 100)
    assert pct["ci_low"] == pytest.approx(100 * wilson(135, 790)[0])
    assert value(out, "S", "families", "survey")["value"] == 790
    assert value(out, "S", "pupils_reached", "survey")["value"] == 80
    assert value(out, "S", "pupil_cases_parents_contacted_pct", "survey")["value"] == (
        pytest.approx(230 / 3)
    )
    assert value(out, "S", "internal_per_officer", "survey")["value"] == pytest.approx(46 / 3)
    assert value(out, "S", "external_per_officer", "survey")["value"] == pytest.approx(18.5)
    task = value(out, "S", "top_task", "survey")
    assert (task["label"], task["value"], task["unit"]) == ("social_domain", 45.0, "%")
    # pilot A keeps its logged figures and gets its survey figures as extra rows
    assert value(out, "A", "parents_reached", "contacts")["value"] == 3
    assert value(out, "A", "parents_reached", "survey")["value"] == 5
    assert value(out, "A", "response_rate", "survey")["value"] == 50.0
    assert value(out, "A", "officers", "officers")["value"] == 2
    # within a pilot and figure, the logged row comes before the survey row
    a = out.filter((pl.col("pilot") == "A") & (pl.col("metric") == "parents_reached"))
    assert a["source"].to_list() == ["contacts", "survey"]


def test_compare_tests_only_same_source_figures() -> None:
    out = compare(survey_frames(), school_year=Y, survey=True)
    logged = out.filter((pl.col("metric") == "pupils_reached_pct") & (pl.col("source") != "survey"))
    # the logged test is as before: A 2/30 against B 1/100
    assert logged["pilot"].to_list() == ["A", "B"]
    assert "chi2 = 3.29, df = 1" in logged["method"][0]
    survey = out.filter(
        (pl.col("metric") == "parents_reached_pct") & (pl.col("source") == "survey")
    )
    # questionnaire pilots tested with each other only: A 5/8 against S 135/790
    chi2, df, p = chi2_homogeneity([5, 135], [8, 790])
    assert survey["pilot"].to_list() == ["A", "S"]
    assert survey["p_value"].to_list() == pytest.approx([p, p])
    assert "questionnaire" in survey["method"][0] and f"chi2 = {chi2:.2f}" in survey["method"][0]
    assert df == 1
    assert out.filter(pl.col("metric") == "respondents")["p_value"].to_list() == [None, None]


def test_compare_drops_log_figures_of_a_pilot_without_a_log() -> None:
    data = survey_frames()
    data["schools"] = pl.concat(
        [
            data["schools"],
            pl.DataFrame(
                {
                    "school_id": ["93SS00"],
                    "school_year": [Y],
                    "pilot": ["S"],
                    "school_type": ["po"],
                    "pupils": [300],
                    "families": [200],
                }
            ),
        ],
        how="diagonal_relaxed",
    )
    data["officers"] = pl.concat(
        [
            data["officers"],
            pl.DataFrame(
                {
                    "officer_id": ["R1", "R2", "R3", "R4", "R5"],
                    "pilot": ["S"] * 5,
                    "role": ["brugfunctionaris"] * 5,
                }
            ),
        ]
    )
    out = compare(data, school_year=Y)
    s = out.filter(pl.col("pilot") == "S")
    assert "contacts" not in set(s["source"])  # no zeros that would read as "nobody reached"
    assert value(out, "S", "families", "schools")["value"] == 200
    assert value(out, "S", "response_rate", "survey")["value"] == 80.0  # 4 of 5
    # S is left out of the logged test, which stays A against B
    logged = out.filter((pl.col("metric") == "pupils_reached_pct") & (pl.col("source") != "survey"))
    assert "chi2 = 3.29, df = 1" in logged["method"][0]
    without = compare(data, school_year=Y, survey=False)
    assert "survey" not in set(without["source"])
    assert value(without, "S", "parents_reached", "contacts")["value"] == 0  # the old behaviour


# --------------------------------------------------------------------------- the sample


def test_sample_questionnaire(sample_store: Store) -> None:
    gv = ["gooi_vechtstreek"]
    answered = response(sample_store, pilots=gv)
    assert answered.select("respondents", "officers", "linked").row(0) == (16, 21, 16)
    assert answered["response_rate"][0] == pytest.approx(16 / 21)
    pilot = reach(sample_store, by="pilot", source="survey", pilots=gv)
    assert one(pilot, counterpart="parent")["reached"] == 540
    assert one(pilot, counterpart="pupil")["reached"] == 440
    bands = reach_bands(sample_store, by="officer", source="survey", pilots=gv)
    units = dict(zip(bands["band"], bands["units"], strict=True))
    known = sum(n for b, n in units.items() if b != "unknown")
    assert units["20–40%"] == max(units.values())  # most officers reach 20–40% of families
    assert units["20–40%"] > known / 2
    assert units["40–60%"] >= 4  # a sizeable group 40–60%
    spoken = parents_of_pupil_cases(
        sample_store, by=["pilot", "officer"], source="survey", pilots=gv
    )
    assert spoken.filter(pl.col("pct") >= 60).height >= 12
    contact = network(sample_store, source="survey", pilots=gv).bands
    for side in ("internal", "external"):
        assert one(contact, side=side, band="10–20")["share"] > 0.5
    tasks = time_use(sample_store, by="pilot", source="survey", pilots=gv)
    assert tasks["share_pct"].sum() == pytest.approx(100)
    themes = theme_shares(sample_store, source="survey", pilots=gv)
    assert set(themes["asker"]) == {"parent", "pupil", "colleague", "partner"}
    top_pupil = themes.filter(pl.col("asker") == "pupil")["theme"].head(3).to_list()
    assert set(top_pupil) & {"pesten", "mentaal", "gedrag"}
    assert "survey" not in set(compare(sample_store)["source"])  # both pilots have a log
    out = compare(sample_store, survey=True)
    assert value(out, "gooi_vechtstreek", "parents_reached", "survey")["value"] == 540
    assert value(out, "gooi_vechtstreek", "respondents", "survey")["value"] == 16
    assert not math.isnan(value(out, "gooi_vechtstreek", "parents_reached", "contacts")["value"])
    assert "survey" not in set(out.filter(pl.col("pilot") == "den_bosch")["source"])


# --------------------------------------------------------------------------- charts


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_survey_charts_validate(sample_store: Store, lang: str) -> None:
    import json

    from brugdata.analysis.answers import code_counts
    from brugdata.publish.charts import _survey as charts

    made = {
        "reach_bands": charts.survey_reach_bands(
            reach_bands(sample_store, by="officer", source="survey"), lang=lang
        ),
        "themes": charts.survey_themes(theme_shares(sample_store, source="survey"), lang=lang),
        "contact_bands": charts.survey_contact_bands(
            network(sample_store, source="survey").bands, lang=lang
        ),
        "answer_codes": charts.answer_codes(code_counts(sample_store), lang=lang),
    }
    for name, chart in made.items():
        spec = chart.to_dict(validate=True)
        text = json.dumps(spec, ensure_ascii=False)
        assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/"), name
        if lang == "nl":
            assert "Respondenten" in text or "Antwoorden" in text, name
    themes = json.dumps(made["themes"].to_dict(), ensure_ascii=False)
    codes = json.dumps(made["answer_codes"].to_dict(), ensure_ascii=False)
    if lang == "nl":  # Dutch asker, theme and code labels
        assert '"leerling"' in themes and '"Pesten"' in themes
        assert "Wachttijden" in codes and "(geen code)" in codes and "knelpunt" in codes
    else:
        assert '"pupil"' in themes and '"Bullying"' in themes
        assert "Waiting times" in codes and "(no code)" in codes and "bottleneck" in codes
    with pytest.raises(ValueError):
        charts.survey_themes(theme_shares(sample_store, source="survey"), lang="de")  # type: ignore[arg-type]


def test_survey_results_names_every_frame(sample_store: Store) -> None:
    from brugdata.analysis.survey import survey_results

    out = survey_results(sample_store, pilots=["gooi_vechtstreek"])
    assert list(out) == [
        "response",
        "reach",
        "reach_by_officer",
        "bands",
        "bands_pupils",
        "time_use",
        "contact_bands",
        "themes",
        "partner_kinds",
        "parents_of_pupil_cases",
        "answer_codes",
        "untagged_answers",
    ]
    assert all(isinstance(f, pl.DataFrame) and f.height for f in out.values())
    assert survey_results(survey_frames())["reach"].height == 4  # pilots A and S × 2
