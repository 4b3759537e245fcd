"""Tests for the synthetic sample data generator (brugdata.sample) and the committed sample_data/.

The content checks read the committed files with the csv module only, so they state the
expectations by hand instead of relying on brugdata's own reader.
"""

from __future__ import annotations

import csv
import re
import statistics
import tomllib
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from brugdata.sample.generate import DEFAULT_SEED, generate_sample

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"
DATA = ROOT / "src" / "brugdata" / "model" / "data"

TABLES = ("schools", "officers", "assignments", "partners", "contacts", "activities", "time_use")

#: Per pilot folder: encoding, delimiter, date format, line ending, table -> file name.
PILOTS: dict[str, dict[str, Any]] = {
    "den_bosch": {
        "encoding": "cp1252",
        "delimiter": ";",
        "date_format": "%d-%m-%Y",
        "eol": b"\r\n",
        "files": {
            "schools": "scholen.csv",
            "officers": "functionarissen.csv",
            "assignments": "inzet.csv",
            "partners": "partners.csv",
            "contacts": "contacten.csv",
            "activities": "activiteiten.csv",
            "time_use": "tijdsbesteding.csv",
        },
    },
    "gooi_vechtstreek": {
        "encoding": "utf-8",
        "delimiter": ",",
        "date_format": "%Y-%m-%d",
        "eol": b"\n",
        "files": {table: f"{table}.csv" for table in TABLES},
    },
}

#: Column -> vocabulary whose codes (and, in Dutch files, aliases) the values must come from.
CODED = {
    "schools": {"school_type": "school_type", "region": "region"},
    "officers": {"role": "role"},
    "partners": {"kind": "partner_kind"},
    "contacts": {
        "counterpart": "counterpart",
        "colleague_role": "colleague_role",
        "channel": "channel",
        "initiated_by": "initiated_by",
        "themes": "theme",
    },
    "activities": {"kind": "activity_kind", "themes": "theme"},
    "time_use": {"task": "task"},
}

CANONICAL = {
    "schools": {
        "school_id",
        "school_year",
        "name",
        "pilot",
        "municipality",
        "school_type",
        "pupils",
        "families",
        "region",
    },
    "officers": {"officer_id", "pilot", "role"},
    "assignments": {"officer_id", "school_id", "school_year", "hours_per_week"},
    "partners": {"partner_id", "name", "kind"},
    "contacts": {
        "contact_id",
        "date",
        "officer_id",
        "school_id",
        "counterpart",
        "person_key",
        "family_key",
        "colleague_role",
        "partner_id",
        "themes",
        "channel",
        "initiated_by",
        "duration_min",
        "referred_to",
    },
    "activities": {"activity_id", "date", "officer_id", "school_id", "kind", "themes", "attendees"},
    "time_use": {"officer_id", "school_year", "task", "share_pct"},
}

FIRST_DAY, LAST_DAY = date(2024, 8, 19), date(2025, 7, 11)
#: Summer holidays 2024/2025 that fall inside the date range, per pilot's holiday region.
SUMMER = {
    "den_bosch": date(2025, 7, 5),  # zuid: summer starts 5 July 2025
    "gooi_vechtstreek": date(2024, 9, 2),  # noord: school starts 2 September 2024
}

# ------------------------------------------------------------------------------------------------
# Reading helpers
# ------------------------------------------------------------------------------------------------


def _vocabularies() -> dict[str, dict[str, str]]:
    """Vocabulary -> {folded accepted value -> code} from vocabularies.toml and themes.toml."""
    with (DATA / "vocabularies.toml").open("rb") as handle:
        vocab = tomllib.load(handle)
    with (DATA / "themes.toml").open("rb") as handle:
        themes = tomllib.load(handle)
    result: dict[str, dict[str, str]] = {}
    entries = {name: table["codes"] for name, table in vocab.items()}
    entries["theme"] = themes["theme"]
    for name, codes in entries.items():
        accepted: dict[str, str] = {}
        for entry in codes:
            accepted[entry["code"]] = entry["code"]
            for alias in entry.get("aliases", []):
                accepted.setdefault(alias.lower(), entry["code"])
        result[name] = accepted
    return result


def _header_aliases() -> dict[str, dict[str, str]]:
    """Table -> {accepted header -> canonical column} from columns.toml."""
    with (DATA / "columns.toml").open("rb") as handle:
        columns = tomllib.load(handle)
    result: dict[str, dict[str, str]] = {}
    for table in TABLES:
        mapping: dict[str, str] = {}
        for section in ("all", table):
            for canonical, aliases in columns.get(section, {}).items():
                for alias in aliases:
                    mapping[alias] = canonical
        result[table] = mapping
    return result


VOCAB = _vocabularies()
HEADERS = _header_aliases()


def _decode(pilot: str, table: str, column: str, value: str) -> str:
    """The code for a value: exact codes in English files, codes or aliases in Dutch ones."""
    accepted = VOCAB[CODED[table][column]]
    if pilot == "den_bosch":
        return accepted[value.lower()]
    assert value in accepted and accepted[value] == value, (pilot, table, column, value)
    return value


def _read(pilot: str, table: str, root: Path = SAMPLE) -> list[dict[str, str]]:
    """One table as canonical rows: headers mapped to canonical names, codes decoded."""
    spec = PILOTS[pilot]
    path = root / pilot / spec["files"][table]
    with path.open(encoding=spec["encoding"], newline="") as handle:
        rows = list(csv.reader(handle, delimiter=spec["delimiter"]))
    header = [h if h in CANONICAL[table] else HEADERS[table][h] for h in rows[0]]
    result = []
    for raw in rows[1:]:
        row = dict(zip(header, raw, strict=True))
        for column in CODED.get(table, {}):
            if row.get(column):
                parts = row[column].split("|") if column == "themes" else [row[column]]
                row[column] = "|".join(_decode(pilot, table, column, p) for p in parts)
        result.append(row)
    return result


def _date(pilot: str, text: str) -> date:
    return datetime.strptime(text, PILOTS[pilot]["date_format"]).date()


def _number(text: str) -> float:
    return float(text.replace(",", "."))


@pytest.fixture(scope="module")
def data() -> dict[str, dict[str, list[dict[str, str]]]]:
    """The committed sample: pilot -> table -> canonical rows."""
    return {pilot: {table: _read(pilot, table) for table in TABLES} for pilot in PILOTS}


def _referral_share(contacts: list[dict[str, str]]) -> float:
    """Share of parent/pupil cases (officer, person) with at least one referral."""
    cases: dict[tuple[str, str], bool] = {}
    for row in contacts:
        if row["counterpart"] in ("parent", "pupil"):
            key = (row["officer_id"], row["person_key"])
            cases[key] = cases.get(key, False) or bool(row["referred_to"])
    return sum(cases.values()) / len(cases)


# ------------------------------------------------------------------------------------------------
# Determinism
# ------------------------------------------------------------------------------------------------


def test_regenerating_with_default_seed_matches_committed_sample(tmp_path: Path) -> None:
    written = generate_sample(tmp_path, seed=DEFAULT_SEED)
    assert written == sorted(written)
    assert len(written) == 19  # 7 tables per pilot + the Gooi en Vechtstreek questionnaire (5)
    for path in written:
        committed = SAMPLE / path.relative_to(tmp_path)
        assert committed.read_bytes() == path.read_bytes(), f"{committed} is out of date"
    committed_csvs = sorted(p.relative_to(SAMPLE) for p in SAMPLE.rglob("*.csv"))
    assert committed_csvs == sorted(p.relative_to(tmp_path) for p in written)


def test_other_seed_gives_other_contacts(tmp_path: Path) -> None:
    generate_sample(tmp_path / "a", seed=DEFAULT_SEED + 1)
    for pilot, spec in PILOTS.items():
        name = spec["files"]["contacts"]
        other = (tmp_path / "a" / pilot / name).read_bytes()
        assert other != (SAMPLE / pilot / name).read_bytes()


def test_generate_accepts_str_and_is_repeatable(tmp_path: Path) -> None:
    first = generate_sample(str(tmp_path / "x"), seed=7)
    second = generate_sample(tmp_path / "y", seed=7)
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()


# ------------------------------------------------------------------------------------------------
# File format
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("pilot", list(PILOTS))
def test_file_format(pilot: str) -> None:
    spec = PILOTS[pilot]
    for table, name in spec["files"].items():
        raw = (SAMPLE / pilot / name).read_bytes()
        raw.decode(spec["encoding"])  # raises if not in the pilot's encoding
        assert not raw.startswith(b"\xef\xbb\xbf"), "no BOM"
        lines = raw.split(b"\n")
        assert lines[-1] == b""
        if spec["eol"] == b"\r\n":
            assert all(line.endswith(b"\r") for line in lines[:-1])
        else:
            assert b"\r" not in raw
        with (SAMPLE / pilot / name).open(encoding=spec["encoding"], newline="") as handle:
            header = next(csv.reader(handle, delimiter=spec["delimiter"]))
        if pilot == "gooi_vechtstreek":
            assert len(header) == len(CANONICAL[table]) and set(header) == CANONICAL[table]
        else:  # Dutch headers: aliases from columns.toml or the canonical name itself
            for column in header:
                assert column in CANONICAL[table] or column in HEADERS[table], column


def test_den_bosch_looks_like_a_dutch_export() -> None:
    text = (SAMPLE / "den_bosch" / "scholen.csv").read_bytes().decode("cp1252")
    assert "–" in text and "ë" in text  # accents survive the Windows-1252 round trip
    contacts = (SAMPLE / "den_bosch" / "contacten.csv").read_text(encoding="cp1252")
    assert contacts.startswith("contactnummer;datum;functionaris;school;gesprekspartner;")
    assert re.search(r";\d\d-\d\d-2024;", contacts)
    assert ";ouder;" in contacts and ";leerling;" in contacts and ";telefoon;" in contacts
    hours = (SAMPLE / "den_bosch" / "inzet.csv").read_bytes().decode("cp1252")
    assert hours.startswith("functionaris;school;schooljaar;uren_per_week\r\n")
    assert ";2024-2025;6,0\r\n" in hours


# ------------------------------------------------------------------------------------------------
# Content: hand-stated expectations
# ------------------------------------------------------------------------------------------------


def test_den_bosch_size(data: dict) -> None:
    db = data["den_bosch"]
    assert len(db["schools"]) == 6
    assert {s["school_type"] for s in db["schools"]} == {"po"}
    assert {s["region"] for s in db["schools"]} == {"zuid"}
    for school in db["schools"]:
        assert 250 <= int(school["pupils"]) <= 450
    assert len(db["officers"]) == 12
    roles = sorted(o["role"] for o in db["officers"])
    assert roles == ["jeugdverpleegkundige"] * 6 + ["schoolmaatschappelijk_werker"] * 6
    assert len(db["assignments"]) == 12
    assert {_number(a["hours_per_week"]) for a in db["assignments"]} == {6.0}
    per_officer: dict[str, int] = defaultdict(int)
    for row in db["contacts"]:
        per_officer[row["officer_id"]] += 1
    assert all(60 <= n <= 120 for n in per_officer.values()), per_officer


def test_gooi_vechtstreek_size(data: dict) -> None:
    gv = data["gooi_vechtstreek"]
    assert len(gv["officers"]) == 21
    assert {o["role"] for o in gv["officers"]} == {"brugfunctionaris"}
    types = {s["school_type"] for s in gv["schools"]}
    assert types == {"po", "vo", "gbo", "so", "vso"}
    hours: dict[str, float] = defaultdict(float)
    for row in gv["assignments"]:
        hours[row["officer_id"]] += _number(row["hours_per_week"])
    assert all(12 <= h <= 32 for h in hours.values())
    unknown = [s for s in gv["schools"] if s["families"] == ""]
    assert [(s["school_type"]) for s in unknown] == ["vo"]
    assert sum(1 for s in gv["schools"] if s["region"] == "") == 2
    # all of Noord-Holland is in region noord, and so is Eemnes (Utrecht)
    assert {s["region"] for s in gv["schools"]} == {"noord", ""}


def test_school_ids_and_years(data: dict) -> None:
    for pilot, tables in data.items():
        for school in tables["schools"]:
            pattern = r"\d\d[A-Z][A-Z]" if school["school_type"] == "vo" else r"\d\d[A-Z]{2}\d\d"
            assert re.fullmatch(pattern, school["school_id"]), school
            assert school["school_year"] == "2024-2025"
            assert school["pilot"] == pilot
            assert int(school["pupils"]) >= 0
            assert school["families"] == "" or int(school["families"]) >= 0
        for table in ("assignments", "time_use"):
            assert {r["school_year"] for r in tables[table]} == {"2024-2025"}
        for row in tables["assignments"]:
            assert 0 < _number(row["hours_per_week"]) <= 40


def test_codes_exist_in_vocabularies(data: dict) -> None:
    # _read already decoded every coded value through the TOML vocabularies (KeyError if not);
    # here: every coded cell that must be filled is filled.
    for tables in data.values():
        for table, columns in CODED.items():
            for row in tables[table]:
                for column in columns:
                    if column in ("colleague_role", "region"):
                        continue
                    assert row[column], (table, column, row)


def test_ids_unique_and_references_resolve(data: dict) -> None:
    contact_ids = [r["contact_id"] for t in data.values() for r in t["contacts"]]
    assert len(contact_ids) == len(set(contact_ids))
    partner_ids = [r["partner_id"] for t in data.values() for r in t["partners"]]
    assert len(partner_ids) == len(set(partner_ids))
    activity_ids = [r["activity_id"] for t in data.values() for r in t["activities"]]
    assert len(activity_ids) == len(set(activity_ids))
    for pilot, tables in data.items():
        prefix = {"den_bosch": "DB-", "gooi_vechtstreek": "GV-"}[pilot]
        assert all(r["contact_id"].startswith(prefix) for r in tables["contacts"])
        officers = {r["officer_id"] for r in tables["officers"]}
        schools = {r["school_id"] for r in tables["schools"]}
        partners = {r["partner_id"] for r in tables["partners"]}
        assert len(officers) == len(tables["officers"])
        for table in ("assignments", "contacts", "activities"):
            for row in tables[table]:
                assert row["officer_id"] in officers and row["school_id"] in schools, row
        assert {r["officer_id"] for r in tables["time_use"]} == officers
        assert {r["officer_id"] for r in tables["assignments"]} == officers
        for row in tables["contacts"]:
            for column in ("partner_id", "referred_to"):
                assert row[column] == "" or row[column] in partners, row


def test_contact_rules(data: dict) -> None:
    key = re.compile(r"(?=.*\d)[A-Za-z0-9_-]+")
    for pilot, tables in data.items():
        for row in tables["contacts"]:
            counterpart = row["counterpart"]
            themes = row["themes"].split("|")
            assert len(themes) == len(set(themes))
            if counterpart in ("parent", "pupil"):
                assert key.fullmatch(row["person_key"]) and key.fullmatch(row["family_key"])
                assert row["colleague_role"] == row["partner_id"] == ""
                assert 1 <= len(themes) <= 3
            else:
                assert row["person_key"] == row["family_key"] == row["referred_to"] == ""
                assert 1 <= len(themes) <= 2
                assert bool(row["colleague_role"]) == (counterpart == "colleague")
                assert bool(row["partner_id"]) == (counterpart == "partner")
            assert 5 <= int(row["duration_min"]) <= 120
            day = _date(pilot, row["date"])
            assert FIRST_DAY <= day <= LAST_DAY and day.weekday() < 5, row
            if pilot == "den_bosch":
                assert day < SUMMER[pilot]
            else:
                assert day >= SUMMER[pilot]
        for row in tables["activities"]:
            day = _date(pilot, row["date"])
            assert FIRST_DAY <= day <= LAST_DAY and day.weekday() < 5
            assert int(row["attendees"]) >= 0


def test_person_keys_belong_to_one_family(data: dict) -> None:
    family_of: dict[str, str] = {}
    for tables in data.values():
        for row in tables["contacts"]:
            if row["person_key"]:
                assert (
                    family_of.setdefault(row["person_key"], row["family_key"]) == row["family_key"]
                )


def test_time_use_sums_to_100(data: dict) -> None:
    for tables in data.values():
        totals: dict[str, int] = defaultdict(int)
        for row in tables["time_use"]:
            assert int(row["share_pct"]) >= 0
            totals[row["officer_id"]] += int(row["share_pct"])
        assert set(totals.values()) == {100}


# ------------------------------------------------------------------------------------------------
# Calibration
# ------------------------------------------------------------------------------------------------


def test_gooi_vechtstreek_calibration(data: dict) -> None:
    contacts = data["gooi_vechtstreek"]["contacts"]
    families: dict[str, set[str]] = defaultdict(set)
    pupils: dict[str, set[str]] = defaultdict(set)
    colleagues: dict[str, int] = defaultdict(int)
    partners: dict[str, set[str]] = defaultdict(set)
    parent_families: set[str] = set()
    pupil_family: dict[str, str] = {}
    for row in contacts:
        officer = row["officer_id"]
        if row["counterpart"] == "parent":
            families[officer].add(row["family_key"])
            parent_families.add(row["family_key"])
        elif row["counterpart"] == "pupil":
            pupils[officer].add(row["person_key"])
            pupil_family[row["person_key"]] = row["family_key"]
        elif row["counterpart"] == "colleague":
            colleagues[officer] += 1
        else:
            partners[officer].add(row["partner_id"])
    assert 20 <= statistics.median(len(f) for f in families.values()) <= 45
    assert 600 <= sum(len(f) for f in families.values()) <= 800
    assert 480 <= sum(len(p) for p in pupils.values()) <= 680
    linked = sum(1 for f in pupil_family.values() if f in parent_families) / len(pupil_family)
    assert 0.7 <= linked <= 1.0
    assert all(10 <= n <= 20 for n in colleagues.values())
    assert all(10 <= len(p) <= 20 for p in partners.values())


def test_referral_shares(data: dict) -> None:
    db = _referral_share(data["den_bosch"]["contacts"])
    gv = _referral_share(data["gooi_vechtstreek"]["contacts"])
    assert 0.06 <= db <= 0.14
    assert 0.22 <= gv <= 0.38
    assert db < gv


def test_seasonal_themes(data: dict) -> None:
    """Practical questions early in the school year, sport and school supplies late."""
    share: dict[str, dict[str, float]] = {}
    for theme in ("leerlingenvervoer", "schoolprocedures", "taal", "sport_cultuur"):
        counts = {"start": 0, "end": 0}
        totals = {"start": 0, "end": 0}
        for row in data["gooi_vechtstreek"]["contacts"]:
            if row["counterpart"] not in ("parent", "pupil"):
                continue
            month = int(row["date"][5:7])
            part = "start" if month in (8, 9, 10) else "end" if month in (5, 6, 7) else None
            if part:
                totals[part] += 1
                counts[part] += theme in row["themes"].split("|")
        share[theme] = {part: counts[part] / totals[part] for part in counts}
    for theme in ("leerlingenvervoer", "schoolprocedures", "taal"):
        assert share[theme]["start"] > 2 * share[theme]["end"], theme
    assert share["sport_cultuur"]["end"] > 2 * share["sport_cultuur"]["start"]


# ------------------------------------------------------------------------------------------------
# The Gooi en Vechtstreek questionnaire (survey tables)
# ------------------------------------------------------------------------------------------------

SURVEY_COLUMNS = {
    "survey": [
        "officer_id",
        "pilot",
        "school_year",
        "school_type",
        "parents_helped",
        "pupils_helped",
        "families_total",
        "pupils_total",
        "pct_pupil_cases_parents_spoken",
        "internal_contacts",
        "external_contacts",
    ],
    "survey_time_use": ["officer_id", "pilot", "school_year", "task", "share_pct"],
    "survey_partners": ["officer_id", "pilot", "school_year", "organisation", "kind"],
    "survey_themes": ["officer_id", "pilot", "school_year", "asker", "theme"],
    "survey_answers": ["officer_id", "pilot", "school_year", "relation", "kind", "text"],
}


def _survey(table: str) -> list[dict[str, str]]:
    path = SAMPLE / "gooi_vechtstreek" / f"{table}.csv"
    raw = path.read_bytes()
    raw.decode("utf-8")
    assert b"\r" not in raw and raw.endswith(b"\n") and not raw.startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == SURVEY_COLUMNS[table]
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


@pytest.fixture(scope="module")
def survey() -> dict[str, list[dict[str, str]]]:
    return {table: _survey(table) for table in SURVEY_COLUMNS}


def test_questionnaire_respondents_and_totals(survey: dict, data: dict) -> None:
    rows = survey["survey"]
    officers = {o["officer_id"] for o in data["gooi_vechtstreek"]["officers"]}
    ids = [r["officer_id"] for r in rows]
    assert len(ids) == len(set(ids)) == 16  # 16 of the 21 officers responded
    assert set(ids) < officers and len(officers) == 21
    assert {r["pilot"] for r in rows} == {"gooi_vechtstreek"}
    assert {r["school_year"] for r in rows} == {"2024-2025"}
    parents = [int(r["parents_helped"]) for r in rows]
    pupils = [int(r["pupils_helped"]) for r in rows]
    assert sum(parents) == 540 and sum(pupils) == 440
    assert sum(20 <= n <= 40 for n in parents) >= 12  # mostly 20-40
    assert 2 <= sum(50 <= n <= 70 for n in parents) <= 4  # a few 50-70
    assert all(15 <= n <= 70 for n in parents + pupils)
    assert sum(20 <= n <= 40 for n in pupils) >= 10


def test_questionnaire_population_matches_the_schools(survey: dict, data: dict) -> None:
    gv = data["gooi_vechtstreek"]
    schools = {s["school_id"]: s for s in gv["schools"]}
    assigned: dict[str, list[str]] = defaultdict(list)
    for a in gv["assignments"]:
        assigned[a["officer_id"]].append(a["school_id"])
    bands: dict[str, int] = defaultdict(int)
    for row in survey["survey"]:
        own = [schools[s] for s in assigned[row["officer_id"]]]
        assert row["school_type"] == own[0]["school_type"]
        assert int(row["pupils_total"]) == sum(int(s["pupils"]) for s in own)
        if any(s["families"] == "" for s in own):
            assert row["families_total"] == ""  # the respondent does not know either
            bands["unknown"] += 1
            continue
        assert int(row["families_total"]) == sum(int(s["families"]) for s in own)
        pct = 100 * int(row["parents_helped"]) / int(row["families_total"])
        bands[f"{int(pct // 20) * 20}"] += 1
    assert bands["unknown"] == 1
    known = sum(bands.values()) - bands["unknown"]
    assert bands["20"] > known / 2  # most officers reach 20-40% of families
    assert bands["40"] >= 4  # a sizeable group 40-60%
    assert bands["60"] == bands["80"] == 0


def test_questionnaire_answers(survey: dict) -> None:
    rows = survey["survey"]
    spoken = [float(r["pct_pupil_cases_parents_spoken"]) for r in rows]
    assert sum(70 <= p <= 100 for p in spoken) >= 12  # mostly 70-100
    for column in ("internal_contacts", "external_contacts"):
        counts = [int(r[column]) for r in rows]
        assert sum(10 <= n < 20 for n in counts) >= 12, column  # mostly 10-20
    totals: dict[str, int] = defaultdict(int)
    for row in survey["survey_time_use"]:
        assert int(row["share_pct"]) % 5 == 0
        totals[row["officer_id"]] += int(row["share_pct"])
    assert set(totals) == {r["officer_id"] for r in rows}
    assert set(totals.values()) == {100}
    askers: dict[str, set[str]] = defaultdict(set)
    for row in survey["survey_themes"]:
        askers[row["asker"]].add(row["theme"])
    assert {"armoede", "opvoeding"} <= askers["parent"]
    assert {"pesten", "mentaal", "gedrag"} <= askers["pupil"]
    assert set(askers) == {"parent", "pupil", "colleague", "partner"}
    named: dict[str, int] = defaultdict(int)
    for row in survey["survey_partners"]:
        named[row["officer_id"]] += 1
    assert all(10 <= n <= 26 for n in named.values())
    answers = survey["survey_answers"]
    assert 40 <= len(answers) <= 110  # a few per respondent
    assert {(r["relation"], r["kind"]) for r in answers} == {
        (relation, kind)
        for relation in ("parents", "pupils", "internal_partners", "external_partners")
        for kind in ("works", "bottleneck")
    }
    for table in ("survey_time_use", "survey_partners", "survey_themes", "survey_answers"):
        for row in survey[table]:
            coded = {"task": "task", "kind": "partner_kind", "asker": "asker", "theme": "theme"}
            for column, vocab in coded.items():
                if column in row and table != "survey_answers":
                    assert row[column] in VOCAB[vocab], (table, row)


def test_sample_validates_without_rejects() -> None:
    from brugdata import validate

    result = validate(SAMPLE)
    assert result.rows_rejected == 0 and not result.summary().is_empty()
    tables = set(result.summary()["table"].to_list())
    assert set(SURVEY_COLUMNS) <= tables


# ------------------------------------------------------------------------------------------------
# The calibration is package data (brugdata/sample/data/*.toml)
# ------------------------------------------------------------------------------------------------


def test_calibration_loads_with_the_documented_numbers() -> None:
    from brugdata.sample.calibration import calibration

    cal = calibration()
    assert cal is calibration()  # read once
    assert cal.calendar.school_year == "2024-2025"
    assert cal.calendar.span["zuid"] == (date(2024, 8, 19), date(2025, 7, 4))
    assert cal.calendar.span["noord"] == (date(2024, 9, 2), date(2025, 7, 11))
    gv = cal.gooi_vechtstreek
    assert len(gv.officers) == 21
    assert len(gv.settings.schools) == 24
    assert sum(o.families for o in gv.officers) == 712  # "about 700 families", summed by hand
    unknown = [s.school_id for s in gv.settings.schools if s.families is None]
    assert unknown == ["93HA"]
    assert cal.contacts.pupils_per_family_when_unknown == 1.15
    db = cal.den_bosch
    assert len(db.settings.schools) == 6 and db.hours_per_week == 6.0
    assert db.settings.schools[0].families == 195  # 312 pupils / 1.6, rounded
    assert len(cal.survey.respondents) == 16
    assert sum(r[1] for r in cal.survey.respondents) == 540
    assert sum(r[2] for r in cal.survey.respondents) == 440
    assert cal.themes.season["taal"][8] == 3.0 and cal.themes.season["taal"][7] == 0.4
    assert list(cal.contacts.contacts_per_case) == [1, 2, 3, 4, 5]
    assert cal.export.styles["dutch"].encoding == "cp1252"
    with pytest.raises(TypeError):
        cal.themes.weights["armoede"] = 1.0  # type: ignore[index]


def test_generator_uses_the_calibration(tmp_path: Path) -> None:
    from brugdata.sample.calibration import calibration

    cal = calibration()
    generate_sample(tmp_path, seed=DEFAULT_SEED)
    gv_officers = _read("gooi_vechtstreek", "officers", tmp_path)
    assert [r["officer_id"] for r in gv_officers] == [
        o.officer_id for o in cal.gooi_vechtstreek.officers
    ]
    assert len(gv_officers) == 21
    db_officers = _read("den_bosch", "officers", tmp_path)
    assert len(db_officers) == 12  # 6 schools × 2 roles
    assert {_number(r["hours_per_week"]) for r in _read("den_bosch", "assignments", tmp_path)} == {
        6.0
    }
    db_schools = _read("den_bosch", "schools", tmp_path)
    assert [r["name"] for r in db_schools] == [s.name for s in cal.den_bosch.settings.schools]
    assert db_schools[0]["families"] == "195"
    gv_partners = _read("gooi_vechtstreek", "partners", tmp_path)
    assert [r["name"] for r in gv_partners] == [
        p.name for p in cal.gooi_vechtstreek.settings.partners
    ]
    assert gv_partners[0]["partner_id"] == "GV-P01" and gv_partners[0]["name"] == "Versa Welzijn"
