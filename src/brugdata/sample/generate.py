"""Deterministic synthetic sample data for two brugfunctionaris pilots.

`generate_sample` writes one school year (2024-2025) of invented data for two pilots:

* ``den_bosch/``: the Den Bosch proeftuin, written like a Dutch system export: Dutch headers
  (aliases from ``data/columns.toml``), ``;``-separated, Windows-1252, CRLF line endings,
  ``dd-mm-yyyy`` dates, decimal commas and Dutch values (aliases from ``data/vocabularies.toml``).
* ``gooi_vechtstreek/``: 21 brugfunctionarissen in Gooi en Vechtstreek, written like a modern
  export: canonical English headers and codes, ``,``-separated, UTF-8, LF, ISO dates; plus the
  pilot's questionnaire (the five survey tables): 16 of the 21 officers responded, together
  helping exactly 540 parents and 440 pupils.

Everything is made up: school names, BRIN numbers (in the unused 91-93 range), officer ids and
the pseudonymous person and family keys. Partner organisations are generic or invented.

The numbers are calibrated to what pilot evaluations report; the calibration is package data
(``brugdata/sample/data/*.toml``, read by `brugdata.sample.calibration`), so that analyses run on
the sample give plausible answers. The modules split the work: `world` (schools, officers,
partners, calendar, keys), `contacts` (contacts, activities, time use), `survey` (the
questionnaire) and `write` (export styles); this module puts the tables together. The output
is byte-for-byte determined by the seed: all randomness comes from `random.Random` instances
seeded with strings derived from it, nothing is iterated in set order, and nothing depends on
today's date.
"""

from __future__ import annotations

import random
from pathlib import Path

from brugdata.sample.calibration import School, calibration
from brugdata.sample.contacts import Contact, OfficerContext, activities, officer_contacts, shares
from brugdata.sample.survey import survey_tables
from brugdata.sample.world import (
    KeyMaker,
    People,
    PilotPlan,
    den_bosch_plan,
    gooi_vechtstreek_plan,
    school_days,
)
from brugdata.sample.write import export_style, write_table

__all__ = ["generate_sample", "DEFAULT_SEED"]

DEFAULT_SEED = 2025

Row = dict[str, object]


def _build_pilot(plan: PilotPlan, seed: int, people: People) -> dict[str, list[Row]]:
    """All seven tables of one pilot as canonical rows (codes, dates, numbers)."""
    cal = calibration()
    school_year = cal.calendar.school_year
    schools = {school.school_id: school for school in plan.schools}
    days = school_days(plan.settings.region)
    contacts: list[Contact] = []
    activity_rows: list[Row] = []
    time_use: list[Row] = []
    for officer in plan.officers:
        rng = random.Random(f"{seed}/{plan.pilot}/{officer.officer_id}")
        ctx = OfficerContext(plan, officer, tuple(schools[s] for s, _ in officer.assignments), days)
        contacts += officer_contacts(rng, ctx, people)
        activity_rows += activities(rng, ctx)
        for task, share in shares(rng, cal.activities.time_use_base[officer.role]).items():
            time_use.append(
                {
                    "officer_id": officer.officer_id,
                    "school_year": school_year,
                    "task": task,
                    "share_pct": share,
                }
            )

    # Sorting is stable, so equal keys keep their (deterministic) generation order.
    prefix = plan.settings.prefix
    contacts.sort(key=lambda c: (c.date, c.officer_id))
    activity_rows.sort(key=lambda a: (str(a["date"]), str(a["officer_id"])))
    for number, row in enumerate(activity_rows, start=1):
        row["activity_id"] = f"{prefix}-A{number:03d}"

    return {
        "schools": [_school_row(plan.pilot, school_year, school) for school in plan.schools],
        "officers": [
            {"officer_id": o.officer_id, "pilot": plan.pilot, "role": o.role} for o in plan.officers
        ],
        "assignments": [
            {
                "officer_id": o.officer_id,
                "school_id": school_id,
                "school_year": school_year,
                "hours_per_week": hours,
            }
            for o in plan.officers
            for school_id, hours in o.assignments
        ],
        "partners": [
            {"partner_id": p.partner_id, "name": p.name, "kind": p.kind} for p in plan.partners
        ],
        "contacts": [
            _contact_row(f"{prefix}-C{number:05d}", contact)
            for number, contact in enumerate(contacts, start=1)
        ],
        "activities": activity_rows,
        "time_use": time_use,
    }


def _school_row(pilot: str, school_year: str, school: School) -> Row:
    """A `schools` row."""
    return {
        "school_id": school.school_id,
        "school_year": school_year,
        "name": school.name,
        "pilot": pilot,
        "municipality": school.municipality,
        "school_type": school.school_type,
        "pupils": school.pupils,
        "families": school.families,
        "region": school.region,
    }


def _contact_row(contact_id: str, c: Contact) -> Row:
    """A `contacts` row."""
    return {
        "contact_id": contact_id,
        "date": c.date,
        "officer_id": c.officer_id,
        "school_id": c.school_id,
        "counterpart": c.counterpart,
        "person_key": c.person_key,
        "family_key": c.family_key,
        "colleague_role": c.colleague_role,
        "partner_id": c.partner_id,
        "themes": c.themes,
        "channel": c.channel,
        "initiated_by": c.initiated_by,
        "duration_min": c.duration_min,
        "referred_to": c.referred_to,
    }


def generate_sample(out_dir: str | Path, *, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write the synthetic sample data set into out_dir; return the files written (sorted).

    Creates ``out_dir/den_bosch/`` (Dutch export style) and ``out_dir/gooi_vechtstreek/``
    (canonical English style), seven CSV tables each; Gooi en Vechtstreek also gets its
    questionnaire (``survey.csv``, ``survey_time_use.csv``, ``survey_partners.csv``,
    ``survey_themes.csv``, ``survey_answers.csv``: 16 of the 21 officers responded). The same
    seed always gives the same bytes.
    """
    out = Path(out_dir)
    people = People(KeyMaker(random.Random(f"{seed}/keys")))
    plans = (
        den_bosch_plan(random.Random(f"{seed}/den_bosch/plan")),
        gooi_vechtstreek_plan(random.Random(f"{seed}/gooi_vechtstreek/plan")),
    )
    written: list[Path] = []
    for plan in plans:
        style = export_style(plan.settings.export_style)
        tables = _build_pilot(plan, seed, people)
        folder = out / plan.pilot
        folder.mkdir(parents=True, exist_ok=True)
        if plan.pilot == calibration().survey.pilot:
            tables.update(survey_tables(plan, seed))
        for table, rows in tables.items():
            path = folder / style.file_names[table]
            write_table(path, table, rows, style)
            written.append(path)
    return sorted(written)
