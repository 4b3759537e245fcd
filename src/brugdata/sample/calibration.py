"""The calibration of the synthetic world, read from the package data in ``sample/data/``.

Every number, list and name that describes the synthetic pilots (calendar, themes and their
seasons, channels, durations, partners, schools, officers, the questionnaire, the export
styles) lives in a TOML file next to this module; this module only reads those files into
typed, read-only structures. Each file's comments say where its numbers come from:

* ``calendar.toml``: the official school holidays 2024-2025 per holiday region;
* ``themes.toml``, ``contacts.toml``, ``activities.toml``: calibrated to be plausible (see
  ``sample_data/README.md``), not to reproduce an evaluation;
* ``den_bosch.toml``: the Den Bosch proeftuin (6 kindcentra, 12 officers at 6 hours a week);
* ``gooi_vechtstreek.toml`` and ``survey.toml``: Gooi en Vechtstreek (21 brugfunctionarissen),
  calibrated to the pilot's evaluation of December 2025; 16 respondents to the questionnaire,
  together 540 parents and 440 pupils;
* ``export.toml``: how the pilots' systems write their files (Dutch or modern export).

`calibration()` reads the files once and caches the result. Mappings keep the order of the
file (the generator draws in that order) and are read-only.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.resources import files
from types import MappingProxyType
from typing import Any, TypeVar

__all__ = [
    "ActivityKind",
    "Activities",
    "Calendar",
    "Calibration",
    "Contacts",
    "DenBosch",
    "Duration",
    "Export",
    "ExportStyle",
    "GooiVechtstreek",
    "OfficerSpec",
    "PartnerSpec",
    "PilotSettings",
    "School",
    "Survey",
    "Themes",
    "calibration",
]

K = TypeVar("K")
V = TypeVar("V")

Range = tuple[int, int]
FloatRange = tuple[float, float]


# ---------------------------------------------------------------------------------------------
# The structures
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Calendar:
    """School year 2024-2025: first and last school day and holidays per holiday region
    (``calendar.toml``, the official holiday dates)."""

    school_year: str
    span: Mapping[str, tuple[date, date]]  # region -> (first, last school day)
    holidays: Mapping[str, tuple[tuple[date, date], ...]]  # region -> inclusive ranges


@dataclass(frozen=True)
class Themes:
    """Theme weights and the factors of month, counterpart, school type and role
    (``themes.toml``)."""

    weights: Mapping[str, float]  # theme -> base weight as a case's main question
    season: Mapping[str, Mapping[int, float]]  # theme -> month -> factor (others: 1)
    counterpart_factors: Mapping[str, Mapping[str, float]]
    school_type_factors: Mapping[str, Mapping[str, float]]
    role_factors: Mapping[str, Mapping[str, float]]
    case_count_weights: Mapping[int, float]  # number of themes on a parent/pupil contact
    other_count_weights: Mapping[int, float]  # ... on a colleague/partner contact, activity


@dataclass(frozen=True)
class Duration:
    """A triangular distribution of minutes."""

    low: float
    high: float
    mode: float


@dataclass(frozen=True)
class Contacts:
    """Channels, initiative, durations, colleague roles, partner kinds and referral
    preferences (``contacts.toml``)."""

    contacts_per_case: Mapping[int, float]
    pupils_per_family_when_unknown: float
    follow_up_gap_days: Range
    channels: Mapping[str, Mapping[str, float]]  # counterpart -> channel -> weight
    first_initiative: Mapping[str, Mapping[str, float]]  # counterpart -> initiator -> weight
    follow_up_initiative: Mapping[str, Mapping[str, float]]
    durations: Mapping[str, Duration]  # channel -> minutes
    secondary_types: tuple[str, ...]
    colleague_roles: Mapping[str, Mapping[str, float]]  # "primary"/"secondary" -> role -> w
    extra_partner_contacts_per_weight: float
    referral_theme_fit_factor: float
    partner_kind_themes: Mapping[str, tuple[str, ...]]
    referral_kinds: Mapping[str, Mapping[str, float]]  # pilot -> partner kind -> weight


@dataclass(frozen=True)
class ActivityKind:
    """A kind of group activity: how often, how many attend, its themes (main one first) and
    the months it takes place in (empty: all year)."""

    weight: float
    attendees: Range
    themes: tuple[str, ...]
    months: tuple[int, ...]


@dataclass(frozen=True)
class Activities:
    """Group activities and time use (``activities.toml``)."""

    kinds: Mapping[str, ActivityKind]
    time_use_base: Mapping[str, Mapping[str, float]]  # role -> task -> base share (%)
    time_use_jitter: FloatRange


@dataclass(frozen=True)
class School:
    """A school (one row of `schools`); `families` None means the population is unknown."""

    school_id: str
    name: str
    municipality: str
    school_type: str
    pupils: int
    families: int | None
    region: str  # "" when the export leaves it empty


@dataclass(frozen=True)
class PartnerSpec:
    """A partner organisation; `weight` is how much officers use it, `municipality` limits it
    ("" = serves the whole pilot area)."""

    name: str
    kind: str
    weight: float
    municipality: str


@dataclass(frozen=True)
class PilotSettings:
    """What both pilots' files say: schools, partners and the ranges drawn per officer."""

    pilot: str
    prefix: str
    region: str  # holiday region of the whole pilot area (used for the calendar)
    export_style: str
    schools: tuple[School, ...]
    partners: tuple[PartnerSpec, ...]  # numbered <prefix>-P01, -P02... in this order
    core_partner_ids: tuple[str, ...]  # partners every officer works with
    partner_count: Range  # distinct partners contacted per officer
    contacts_per_partner: Mapping[int, float]  # weights of 1..n contacts with one partner
    colleague_contacts: Range
    pupil_family_linked: FloatRange  # share of pupils whose parents were spoken too
    referral_share: FloatRange  # share of cases with a referral, per officer
    activities: Range


@dataclass(frozen=True)
class DenBosch:
    """The Den Bosch proeftuin (``den_bosch.toml``): per school one officer of each role."""

    settings: PilotSettings
    officer_roles: tuple[tuple[str, str], ...]  # (role, code in the officer id)
    hours_per_week: float
    families_per_officer: Range
    pupils_per_officer: Range


@dataclass(frozen=True)
class OfficerSpec:
    """A listed officer: the schools and hours they work, and the families they help."""

    officer_id: str
    assignments: tuple[tuple[str, float], ...]  # (school_id, hours_per_week)
    families: int


@dataclass(frozen=True)
class GooiVechtstreek:
    """Gooi en Vechtstreek (``gooi_vechtstreek.toml``): 21 listed brugfunctionarissen."""

    settings: PilotSettings
    officer_role: str
    officers: tuple[OfficerSpec, ...]
    pupils_per_family_helped: Mapping[str, float]  # school type -> pupils per family helped
    pupils_per_family_helped_jitter: FloatRange


@dataclass(frozen=True)
class Survey:
    """The Gooi en Vechtstreek questionnaire (``survey.toml``)."""

    pilot: str
    respondents: tuple[tuple[str, int, int], ...]  # (officer_id, parents, pupils helped)
    parents_spoken_pct: Mapping[str, Range]  # officer id / school type / "default" -> range
    internal_contacts: Mapping[str, Range]
    external_contacts: Mapping[str, Range]
    themes: Mapping[str, Mapping[str, float]]  # asker -> theme -> weight
    theme_counts: Mapping[str, Range]
    answer_chance: Mapping[str, float]  # kind -> chance
    answers: Mapping[tuple[str, str], tuple[str, ...]]  # (relation, kind) -> texts


@dataclass(frozen=True)
class ExportStyle:
    """How one pilot's system writes its files."""

    file_names: Mapping[str, str]  # table -> file name
    headers: Mapping[str, Mapping[str, str]]  # table -> canonical column -> header
    values: Mapping[str, Mapping[str, str]]  # vocabulary -> code -> written value
    delimiter: str
    encoding: str
    line_ending: str
    date_format: str
    decimal_comma: bool


@dataclass(frozen=True)
class Export:
    """Column order, coded columns and export styles (``export.toml``)."""

    columns: Mapping[str, tuple[str, ...]]
    column_vocab: Mapping[tuple[str, str], str]  # (table, column) -> vocabulary
    styles: Mapping[str, ExportStyle]


@dataclass(frozen=True)
class Calibration:
    """The whole synthetic world, one section per data file."""

    calendar: Calendar
    themes: Themes
    contacts: Contacts
    activities: Activities
    den_bosch: DenBosch
    gooi_vechtstreek: GooiVechtstreek
    survey: Survey
    export: Export


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def _load(name: str) -> dict[str, Any]:
    """One TOML file of ``brugdata/sample/data``."""
    text = (files("brugdata.sample") / "data" / name).read_text(encoding="utf-8")
    return tomllib.loads(text)


def _frozen(mapping: Mapping[K, V]) -> Mapping[K, V]:
    """A read-only copy of `mapping`, in its order."""
    return MappingProxyType(dict(mapping))


def _weights(table: Mapping[str, Any]) -> Mapping[str, float]:
    """Name -> weight, as floats."""
    return _frozen({str(k): float(v) for k, v in table.items()})


def _nested_weights(table: Mapping[str, Any]) -> Mapping[str, Mapping[str, float]]:
    """Name -> (name -> weight)."""
    return _frozen({str(k): _weights(v) for k, v in table.items()})


def _int_weights(table: Mapping[str, Any]) -> Mapping[int, float]:
    """Integer (written as a TOML key) -> weight."""
    return _frozen({int(k): float(v) for k, v in table.items()})


def _range(value: Any) -> Range:
    """An inclusive integer range ``[low, high]``."""
    low, high = value
    if not (isinstance(low, int) and isinstance(high, int)) or low > high:
        raise ValueError(f"not an integer range [low, high]: {value!r}")
    return (low, high)


def _float_range(value: Any) -> FloatRange:
    """A range ``[low, high]`` of numbers."""
    low, high = value
    if low > high:
        raise ValueError(f"not a range [low, high]: {value!r}")
    return (float(low), float(high))


def _ranges(table: Mapping[str, Any]) -> Mapping[str, Range]:
    """Name -> inclusive integer range."""
    return _frozen({str(k): _range(v) for k, v in table.items()})


def _calendar(data: Mapping[str, Any]) -> Calendar:
    """``calendar.toml``."""
    regions = data["regions"]
    return Calendar(
        school_year=data["school_year"],
        span=_frozen({r: (spec["first_day"], spec["last_day"]) for r, spec in regions.items()}),
        holidays=_frozen(
            {
                r: tuple((h["first"], h["last"]) for h in spec["holidays"])
                for r, spec in regions.items()
            }
        ),
    )


def _themes(data: Mapping[str, Any]) -> Themes:
    """``themes.toml``; seasons become month -> factor per seasonal theme."""
    seasons = dict(data["seasons"])
    months = seasons.pop("months")
    by_month = {
        name: _frozen(dict(zip(months, map(float, factors), strict=True)))
        for name, factors in seasons.items()
    }
    return Themes(
        weights=_weights(data["weights"]),
        season=_frozen({theme: by_month[name] for theme, name in data["theme_season"].items()}),
        counterpart_factors=_nested_weights(data["counterpart_factors"]),
        school_type_factors=_nested_weights(data["school_type_factors"]),
        role_factors=_nested_weights(data["role_factors"]),
        case_count_weights=_int_weights(data["theme_count"]["case"]),
        other_count_weights=_int_weights(data["theme_count"]["other"]),
    )


def _contacts(data: Mapping[str, Any]) -> Contacts:
    """``contacts.toml``."""
    roles = dict(data["colleague_roles"])
    partners = data["partners"]
    return Contacts(
        contacts_per_case=_int_weights(data["contacts_per_case"]),
        pupils_per_family_when_unknown=float(data["pupils_per_family_when_unknown"]),
        follow_up_gap_days=_range(data["follow_up_gap_days"]),
        channels=_nested_weights(data["channels"]),
        first_initiative=_nested_weights(data["initiative"]["first"]),
        follow_up_initiative=_nested_weights(data["initiative"]["follow_up"]),
        durations=_frozen(
            {
                channel: Duration(float(d["low"]), float(d["high"]), float(d["mode"]))
                for channel, d in data["durations"].items()
            }
        ),
        secondary_types=tuple(roles.pop("secondary_types")),
        colleague_roles=_nested_weights(roles),
        extra_partner_contacts_per_weight=float(partners["extra_contacts_per_weight"]),
        referral_theme_fit_factor=float(partners["referral_theme_fit_factor"]),
        partner_kind_themes=_frozen({k: tuple(v) for k, v in partners["kind_themes"].items()}),
        referral_kinds=_nested_weights(partners["referral_kinds"]),
    )


def _activities(data: Mapping[str, Any]) -> Activities:
    """``activities.toml``."""
    kinds = {
        kind: ActivityKind(
            weight=float(spec["weight"]),
            attendees=_range(spec["attendees"]),
            themes=tuple(spec["themes"]),
            months=tuple(spec.get("months", ())),
        )
        for kind, spec in data["activities"].items()
    }
    return Activities(
        kinds=_frozen(kinds),
        time_use_base=_nested_weights(data["time_use"]["base"]),
        time_use_jitter=_float_range(data["time_use"]["jitter"]),
    )


def _school(entry: Mapping[str, Any], defaults: Mapping[str, Any]) -> School:
    """A school from its entry, completed with the pilot's `school_defaults`; without
    `families`, families are pupils / `pupils_per_family` if the defaults give one, else
    unknown."""
    spec = {**defaults, **entry}
    families = spec.get("families")
    if families is None and "pupils_per_family" in spec:
        families = round(spec["pupils"] / spec["pupils_per_family"])
    return School(
        school_id=spec["id"],
        name=spec["name"],
        municipality=spec["municipality"],
        school_type=spec["school_type"],
        pupils=int(spec["pupils"]),
        families=None if families is None else int(families),
        region=spec["region"],
    )


def _settings(data: Mapping[str, Any]) -> PilotSettings:
    """The part both pilot files share."""
    defaults = data.get("school_defaults", {})
    return PilotSettings(
        pilot=data["pilot"],
        prefix=data["prefix"],
        region=data["region"],
        export_style=data["export_style"],
        schools=tuple(_school(entry, defaults) for entry in data["schools"]),
        partners=tuple(
            PartnerSpec(p["name"], p["kind"], float(p["weight"]), p.get("municipality", ""))
            for p in data["partners"]
        ),
        core_partner_ids=tuple(data["core_partner_ids"]),
        partner_count=_range(data["partner_count"]),
        contacts_per_partner=_int_weights(data["contacts_per_partner"]),
        colleague_contacts=_range(data["colleague_contacts"]),
        pupil_family_linked=_float_range(data["pupil_family_linked"]),
        referral_share=_float_range(data["referral_share"]),
        activities=_range(data["activities"]),
    )


def _den_bosch(data: Mapping[str, Any]) -> DenBosch:
    """``den_bosch.toml``."""
    return DenBosch(
        settings=_settings(data),
        officer_roles=tuple((r["role"], r["code"]) for r in data["officer_roles"]),
        hours_per_week=float(data["hours_per_week"]),
        families_per_officer=_range(data["families_per_officer"]),
        pupils_per_officer=_range(data["pupils_per_officer"]),
    )


def _gooi_vechtstreek(data: Mapping[str, Any]) -> GooiVechtstreek:
    """``gooi_vechtstreek.toml``."""
    helped = data["pupils_per_family_helped"]
    return GooiVechtstreek(
        settings=_settings(data),
        officer_role=data["officer_role"],
        officers=tuple(
            OfficerSpec(
                officer_id=o["id"],
                assignments=tuple((a["school"], float(a["hours"])) for a in o["assignments"]),
                families=int(o["families"]),
            )
            for o in data["officers"]
        ),
        pupils_per_family_helped=_weights(helped["by_school_type"]),
        pupils_per_family_helped_jitter=_float_range(helped["jitter"]),
    )


def _survey(data: Mapping[str, Any]) -> Survey:
    """``survey.toml``; the respondents must add up to the stated totals."""
    respondents = tuple(
        (r["officer"], int(r["parents"]), int(r["pupils"])) for r in data["respondents"]
    )
    for total, column in ((data["parents_total"], 1), (data["pupils_total"], 2)):
        if sum(int(r[column]) for r in respondents) != total:
            raise ValueError(f"survey.toml: respondents do not add up to {total}")
    answers = {
        (relation, kind): tuple(texts)
        for relation, by_kind in data["answers"].items()
        for kind, texts in by_kind.items()
    }
    return Survey(
        pilot=data["pilot"],
        respondents=respondents,
        parents_spoken_pct=_ranges(data["parents_spoken_pct"]),
        internal_contacts=_ranges(data["internal_contacts"]),
        external_contacts=_ranges(data["external_contacts"]),
        themes=_nested_weights(data["themes"]),
        theme_counts=_ranges(data["theme_counts"]),
        answer_chance=_frozen({k: float(v) for k, v in data["answer_chance"].items()}),
        answers=_frozen(answers),
    )


def _export(data: Mapping[str, Any]) -> Export:
    """``export.toml``; a style without a table's file name writes ``<table>.csv``."""
    columns = {table: tuple(cols) for table, cols in data["columns"].items()}
    styles = {
        name: ExportStyle(
            file_names=_frozen(
                {table: spec.get("file_names", {}).get(table, f"{table}.csv") for table in columns}
            ),
            headers=_frozen({t: _frozen(h) for t, h in spec.get("headers", {}).items()}),
            values=_frozen({v: _frozen(m) for v, m in spec.get("values", {}).items()}),
            delimiter=spec["delimiter"],
            encoding=spec["encoding"],
            line_ending=spec["line_ending"],
            date_format=spec["date_format"],
            decimal_comma=bool(spec["decimal_comma"]),
        )
        for name, spec in data["styles"].items()
    }
    return Export(
        columns=_frozen(columns),
        column_vocab=_frozen(
            {
                (table, column): vocab
                for table, by_column in data["column_vocab"].items()
                for column, vocab in by_column.items()
            }
        ),
        styles=_frozen(styles),
    )


@cache
def calibration() -> Calibration:
    """The calibration of the synthetic world, read once from ``brugdata/sample/data/``."""
    return Calibration(
        calendar=_calendar(_load("calendar.toml")),
        themes=_themes(_load("themes.toml")),
        contacts=_contacts(_load("contacts.toml")),
        activities=_activities(_load("activities.toml")),
        den_bosch=_den_bosch(_load("den_bosch.toml")),
        gooi_vechtstreek=_gooi_vechtstreek(_load("gooi_vechtstreek.toml")),
        survey=_survey(_load("survey.toml")),
        export=_export(_load("export.toml")),
    )
