"""Time use per task: reported shares, shares derived from contact durations, pilot means."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest

from brugdata.analysis.time_use import counterpart_tasks, time_use
from brugdata.model.vocab import vocabulary
from brugdata.publish.charts._time_use import time_use as time_use_chart
from brugdata.store.store import Store

YEAR = "2024-2025"
TASKS = [
    "social_domain",
    "school_team",
    "parent_contact_social",
    "one_on_one_parent",
    "pupil_contact",
    "talent_development",
    "other",
]


@pytest.fixture
def source() -> dict[str, pl.DataFrame]:
    """Officers A, B, C in pilot p1 and D in p2.

    - A reports 40% one-to-one parents, 60% pupils for 2024-2025 (its contacts that year are
      ignored); in 2023-2024 it has no report, only contacts: colleague 20 min, partner 60.
    - B reports nothing; contacts parent 30 min, pupil 10 min, parent without a duration.
    - C reports social domain 40, one-to-one parents 40 (sums to 80).
    - D reports nothing and has one contact without a duration.
    """
    contacts = [
        ("A", dt.date(2024, 9, 2), "parent", 300),
        ("A", dt.date(2023, 10, 2), "colleague", 20),
        ("A", dt.date(2024, 3, 2), "partner", 60),
        ("B", dt.date(2024, 9, 3), "parent", 30),
        ("B", dt.date(2025, 2, 3), "pupil", 10),
        ("B", dt.date(2025, 2, 4), "parent", None),
        ("D", dt.date(2024, 9, 5), "parent", None),
    ]
    return {
        "schools": pl.DataFrame(
            {
                "school_id": ["91AA00", "91BB00"],
                "school_year": [YEAR, YEAR],
                "pilot": ["p1", "p2"],
                "school_type": ["po", "po"],
            }
        ),
        "officers": pl.DataFrame(
            {
                "officer_id": ["A", "B", "C", "D"],
                "pilot": ["p1", "p1", "p1", "p2"],
                "role": ["brugfunctionaris"] * 4,
            }
        ),
        "time_use": pl.DataFrame(
            {
                "officer_id": ["A", "A", "C", "C"],
                "school_year": [YEAR] * 4,
                "task": [
                    "one_on_one_parent",
                    "pupil_contact",
                    "social_domain",
                    "one_on_one_parent",
                ],
                "share_pct": [40.0, 60.0, 40.0, 40.0],
            }
        ),
        "contacts": pl.DataFrame(
            [
                {
                    "contact_id": f"C{i}",
                    "date": date,
                    "officer_id": officer,
                    "school_id": "91BB00" if officer == "D" else "91AA00",
                    "counterpart": counterpart,
                    "themes": ["armoede"],
                    "duration_min": minutes,
                }
                for i, (officer, date, counterpart, minutes) in enumerate(contacts)
            ],
            schema={
                "contact_id": pl.String,
                "date": pl.Date,
                "officer_id": pl.String,
                "school_id": pl.String,
                "counterpart": pl.String,
                "themes": pl.List(pl.String),
                "duration_min": pl.Int64,
            },
        ),
    }


def _shares(frame: pl.DataFrame, **keys: Any) -> dict[str, float]:
    rows = frame.filter(**keys)
    return dict(zip(rows.get_column("task"), rows.get_column("share_pct"), strict=True))


def _zeros(**shares: float) -> dict[str, float]:
    return {task: shares.get(task, 0.0) for task in TASKS}


def test_mapping_is_shipped_data() -> None:
    assert counterpart_tasks() == {
        "parent": "one_on_one_parent",
        "pupil": "pupil_contact",
        "colleague": "school_team",
        "partner": "social_domain",
    }
    assert set(counterpart_tasks().values()) <= set(vocabulary("task").code_list)
    assert vocabulary("task").code_list == TASKS


def test_per_officer(source: dict[str, pl.DataFrame]) -> None:
    frame = time_use(source, by="officer")
    assert frame.columns == ["officer_id", "pilot", "school_year", "task", "share_pct", "source"]
    assert frame.schema["share_pct"] == pl.Float64
    # A (two years), B and C, 7 tasks each in vocabulary order; D has no usable minutes.
    keys = frame.select("officer_id", "school_year", "source").unique(maintain_order=True)
    assert keys.rows() == [
        ("A", "2023-2024", "contacts"),
        ("A", YEAR, "time_use"),
        ("B", YEAR, "contacts"),
        ("C", YEAR, "time_use"),
    ]
    assert frame.filter(officer_id="C").get_column("task").to_list() == TASKS
    # A reports 40/60: used as reported, zeros for the other tasks.
    assert _shares(frame, officer_id="A", school_year=YEAR) == _zeros(
        one_on_one_parent=40.0, pupil_contact=60.0
    )
    # B: parent 30 min, pupil 10 min (the parent contact without a duration is not counted):
    # 100 × 30 / 40 = 75, 100 × 10 / 40 = 25.
    assert _shares(frame, officer_id="B") == pytest.approx(
        _zeros(one_on_one_parent=75.0, pupil_contact=25.0)
    )
    # A in 2023-2024: colleague 20 min → school_team 25, partner 60 min → social_domain 75.
    assert _shares(frame, officer_id="A", school_year="2023-2024") == pytest.approx(
        _zeros(school_team=25.0, social_domain=75.0)
    )
    # C as reported, even though it sums to 80.
    assert _shares(frame, officer_id="C") == _zeros(social_domain=40.0, one_on_one_parent=40.0)
    assert frame.filter(officer_id="B").get_column("pilot").unique().to_list() == ["p1"]


def test_per_pilot(source: dict[str, pl.DataFrame]) -> None:
    frame = time_use(source, by="pilot", school_year=YEAR)
    assert frame.columns == ["pilot", "school_year", "task", "share_pct", "officers", "source"]
    assert frame.schema["share_pct"] == pl.Float64
    reported = frame.filter(source="time_use")
    # A: 40/60; C normalised from 40/40 (sum 80) to 50/50. Means over the two officers:
    # one_on_one_parent (40 + 50) / 2 = 45, pupil_contact (60 + 0) / 2 = 30,
    # social_domain (0 + 50) / 2 = 25.
    assert _shares(reported, pilot="p1") == pytest.approx(
        _zeros(one_on_one_parent=45.0, pupil_contact=30.0, social_domain=25.0)
    )
    assert reported.get_column("officers").unique().to_list() == [2]
    # B alone, from its contacts.
    derived = frame.filter(source="contacts")
    assert _shares(derived, pilot="p1") == pytest.approx(
        _zeros(one_on_one_parent=75.0, pupil_contact=25.0)
    )
    assert derived.get_column("officers").unique().to_list() == [1]
    assert frame.get_column("pilot").unique().to_list() == ["p1"]  # D has nothing to show


def test_filters(source: dict[str, pl.DataFrame]) -> None:
    assert time_use(source, by="officer", pilots=["p2"]).is_empty()
    older = time_use(source, by="officer", school_year="2023-2024")
    assert older.get_column("officer_id").unique().to_list() == ["A"]
    assert time_use(source, by="officer", pilots=["p1"], school_year=YEAR).height == 3 * len(TASKS)
    with pytest.raises(ValueError, match="choose from: pilot, officer, school_year"):
        time_use(source, by="school")  # type: ignore[arg-type]


def test_sample(sample_store: Store) -> None:
    frame = time_use(sample_store, by="officer")
    officers = sample_store.table("officers").height
    assert frame.height == officers * len(TASKS)
    assert frame.get_column("source").unique().to_list() == ["time_use"]
    pilots = time_use(sample_store, by="pilot")
    sums = pilots.group_by("pilot", "source").agg(pl.col("share_pct").sum())
    assert sums.get_column("share_pct").to_list() == pytest.approx([100.0] * sums.height)
    assert sorted(pilots.get_column("pilot").unique()) == ["den_bosch", "gooi_vechtstreek"]
    # Without the time_use table every officer's shares come from the contacts.
    frames = {t: sample_store.table(t) for t in ("schools", "officers", "contacts")}
    derived = time_use(frames, by="officer")
    assert derived.get_column("source").unique().to_list() == ["contacts"]
    per = derived.group_by("officer_id").agg(pl.col("share_pct").sum())
    assert per.get_column("share_pct").to_list() == pytest.approx([100.0] * per.height)


def _chart_rows(spec: dict[str, Any]) -> list[dict[str, Any]]:
    if "values" in spec.get("data", {}):
        return spec["data"]["values"]
    return spec["datasets"][spec["data"]["name"]]


def test_chart_per_officer(sample_store: Store) -> None:
    frame = time_use(sample_store, by="officer")
    spec = time_use_chart(frame).to_dict()
    assert spec["mark"]["type"] == "bar"
    rows = _chart_rows(spec)
    assert len(rows) == frame.height
    assert spec["encoding"]["x"]["field"] == "share_pct"
    assert spec["encoding"]["y"]["title"] == "Functionaris"
    assert spec["encoding"]["color"]["sort"][3] == "één-op-één contact ouders"
    assert {r["task_label"] for r in rows} == {vocabulary("task").label(t, "nl") for t in TASKS}


def test_chart_per_pilot_in_english(sample_store: Store, source: dict[str, pl.DataFrame]) -> None:
    frame = time_use(sample_store, by="pilot")
    spec = time_use_chart(frame, lang="en").to_dict()
    rows = _chart_rows(spec)
    assert len(rows) == 2 * len(TASKS)
    assert spec["encoding"]["y"]["title"] == "Pilot"
    assert "one-to-one contact with parents" in {r["task_label"] for r in rows}
    # Bars derived from contacts say so; several years name the year.
    small = _chart_rows(time_use_chart(time_use(source, by="officer"), lang="en").to_dict())
    assert {r["bar"] for r in small} == {
        "A 2023-2024 (from contacts)",
        "A 2024-2025",
        "B 2024-2025 (from contacts)",
        "C 2024-2025",
    }
    with pytest.raises(ValueError, match="lang"):
        time_use_chart(frame, lang="fr")  # type: ignore[arg-type]
