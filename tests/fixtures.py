"""Small hand-made data sets shared by the analysis tests (hand counts in the comments)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

Y = "2024-2025"


def frames() -> dict[str, pl.DataFrame]:
    """Pilot A: S1 (10 pupils, 8 families), S2 (20 pupils, families unknown); pilot B: S3."""
    schools = pl.DataFrame(
        {
            "school_id": ["91AA00", "91AA01", "92BB"],
            "school_year": [Y, Y, Y],
            "pilot": ["A", "A", "B"],
            "school_type": ["po", "po", "vo"],
            "pupils": [10, 20, 100],
            "families": [8, None, 50],
        }
    )
    officers = pl.DataFrame(
        {"officer_id": ["O1", "O2", "O3"], "pilot": ["A", "A", "B"], "role": ["other"] * 3}
    )
    assignments = pl.DataFrame(
        {
            "officer_id": ["O1", "O2", "O2", "O3"],
            "school_id": ["91AA00", "91AA00", "91AA01", "92BB"],
            "school_year": [Y] * 4,
            "hours_per_week": [6.0, 4.0, 8.0, 20.0],
        }
    )
    rows = [
        # officer, school, counterpart, person, family, date
        ("O1", "91AA00", "parent", "P1", "F1", "2025-01-10"),
        ("O1", "91AA00", "parent", "P2", "F1", "2025-01-11"),  # same family: counts once
        ("O2", "91AA00", "parent", "P3", None, "2025-01-12"),  # no family: the person counts
        ("O1", "91AA00", "pupil", "K1", "F1", "2025-01-13"),
        ("O1", "91AA00", "pupil", "K1", "F1", "2025-02-13"),  # same pupil again
        ("O2", "91AA00", "pupil", "K2", "F9", "2025-02-14"),
        ("O2", "91AA01", "parent", "P4", "F4", "2025-02-15"),
        ("O3", "92BB", "pupil", "K3", "F5", "2025-03-01"),
        ("O3", "92BB", "colleague", None, None, "2025-03-02"),  # not a parent or pupil
        ("O1", "91AA00", "parent", "P1", "F1", "2023-09-01"),  # school year 2023-2024
    ]
    contacts = pl.DataFrame(
        {
            "contact_id": [f"C{i}" for i in range(len(rows))],
            "officer_id": [r[0] for r in rows],
            "school_id": [r[1] for r in rows],
            "counterpart": [r[2] for r in rows],
            "person_key": [r[3] for r in rows],
            "family_key": [r[4] for r in rows],
            "date": [dt.date.fromisoformat(r[5]) for r in rows],
            "themes": [["armoede"]] * len(rows),
        }
    )
    return {
        "schools": schools,
        "officers": officers,
        "assignments": assignments,
        "contacts": contacts,
    }


def add_earlier_year(path: Path, year: str = "2023-2024") -> None:
    """Give the store at ``path`` (the sample) the school year ``year`` before its own: its
    schools, assignments and time use again, and two thirds of its contacts a year earlier."""
    import brugdata

    with brugdata.open(path) as store, store.transaction() as con:
        for t in ("schools", "assignments", "time_use"):
            con.execute(f"INSERT INTO {t} SELECT * REPLACE ('{year}' AS school_year) FROM {t}")
        con.execute(
            "INSERT INTO contacts SELECT * REPLACE (contact_id || '-v' AS contact_id, "
            "CAST(date - INTERVAL 1 YEAR AS DATE) AS date) FROM contacts "
            "WHERE hash(contact_id) % 3 <> 0"
        )
