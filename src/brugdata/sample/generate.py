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

The numbers are calibrated to what pilot evaluations report (see the constants below), so that
analyses run on the sample give plausible answers. The output is byte-for-byte determined by
the seed: all randomness comes from `random.Random` instances seeded with strings derived from
it, nothing is iterated in set order, and nothing depends on today's date.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

__all__ = ["generate_sample", "DEFAULT_SEED"]

DEFAULT_SEED = 2025

T = TypeVar("T")

# ---------------------------------------------------------------------------------------------
# Calendar: school year 2024-2025 (official holiday dates, per holiday region)
# ---------------------------------------------------------------------------------------------

SCHOOL_YEAR = "2024-2025"

#: First and last school day per holiday region, clipped to 2024-08-19 .. 2025-07-11.
SCHOOL_YEAR_SPAN: dict[str, tuple[date, date]] = {
    "zuid": (date(2024, 8, 19), date(2025, 7, 4)),
    "noord": (date(2024, 9, 2), date(2025, 7, 11)),
}

#: Holidays within the school year (inclusive ranges), per region.
HOLIDAYS: dict[str, tuple[tuple[date, date], ...]] = {
    "zuid": (
        (date(2024, 10, 19), date(2024, 10, 27)),  # herfstvakantie
        (date(2024, 12, 21), date(2025, 1, 5)),  # kerstvakantie
        (date(2025, 2, 22), date(2025, 3, 2)),  # voorjaarsvakantie (carnaval)
        (date(2025, 4, 18), date(2025, 4, 21)),  # Pasen
        (date(2025, 4, 26), date(2025, 5, 5)),  # meivakantie + Bevrijdingsdag
        (date(2025, 5, 29), date(2025, 5, 30)),  # Hemelvaart
        (date(2025, 6, 9), date(2025, 6, 9)),  # Pinksteren
    ),
    "noord": (
        (date(2024, 10, 26), date(2024, 11, 3)),
        (date(2024, 12, 21), date(2025, 1, 5)),
        (date(2025, 2, 15), date(2025, 2, 23)),
        (date(2025, 4, 18), date(2025, 4, 21)),
        (date(2025, 4, 26), date(2025, 5, 5)),
        (date(2025, 5, 29), date(2025, 5, 30)),
        (date(2025, 6, 9), date(2025, 6, 9)),
    ),
}

# ---------------------------------------------------------------------------------------------
# Themes and their seasons
# ---------------------------------------------------------------------------------------------

#: Base weight of each theme code (themes.toml) as the main question of a case.
THEME_WEIGHTS: dict[str, float] = {
    "armoede": 14,
    "opvoeding": 14,
    "ontwikkeling": 12,
    "taal": 6,
    "schoolprocedures": 6,
    "leerlingenvervoer": 3,
    "gezondheid": 5,
    "mentaal": 7,
    "scheiding": 5,
    "huisvesting": 4,
    "pesten": 3,
    "sociale_media": 3,
    "sport_cultuur": 6,
    "schoolspullen": 5,
    "voedsel": 3,
    "thuissituatie": 7,
    "veiligheid": 2,
    "gedrag": 6,
    "overgang_po_vo": 3,
    "other": 2,
}

#: Months of the school year in order, August first.
SCHOOL_MONTHS = (8, 9, 10, 11, 12, 1, 2, 3, 4, 5, 6, 7)


def _by_month(*factors: float) -> dict[int, float]:
    """Month number -> factor, from one factor per school month (August first)."""
    return dict(zip(SCHOOL_MONTHS, factors, strict=True))


#: Month factors: practical questions peak at the start of the year, sport and school supplies
#: towards its end, the po-vo transition in winter (school advice); the rest is flat.
SEASON_START = _by_month(3.0, 3.0, 2.2, 1.0, 0.6, 0.6, 0.5, 0.5, 0.4, 0.4, 0.4, 0.4)
SEASON_END = _by_month(0.3, 0.3, 0.3, 0.3, 0.4, 0.4, 0.5, 0.7, 1.6, 2.6, 3.2, 3.2)
SEASON_WINTER = _by_month(0.3, 0.5, 0.8, 1.5, 1.8, 2.2, 2.0, 1.8, 0.8, 0.5, 0.4, 0.3)
THEME_SEASON: dict[str, dict[int, float]] = {
    "taal": SEASON_START,
    "schoolprocedures": SEASON_START,
    "leerlingenvervoer": SEASON_START,
    "sport_cultuur": SEASON_END,
    "schoolspullen": SEASON_END,
    "overgang_po_vo": SEASON_WINTER,
}

#: Theme multipliers per counterpart: pupils bring other questions than parents.
COUNTERPART_THEME_FACTORS: dict[str, dict[str, float]] = {
    "parent": {},
    "pupil": {
        "armoede": 0.3,
        "mentaal": 2.5,
        "pesten": 3.0,
        "gedrag": 2.0,
        "sociale_media": 2.5,
        "thuissituatie": 1.5,
        "huisvesting": 0.3,
        "schoolprocedures": 0.4,
        "taal": 0.5,
    },
    "colleague": {"ontwikkeling": 1.5, "gedrag": 1.5, "thuissituatie": 1.3},
}

#: Theme multipliers per school type.
SCHOOL_TYPE_THEME_FACTORS: dict[str, dict[str, float]] = {
    "po": {"sociale_media": 0.5},
    "gbo": {"leerlingenvervoer": 4.0, "gedrag": 1.5, "ontwikkeling": 1.5},
    "so": {"leerlingenvervoer": 5.0, "gedrag": 1.5, "ontwikkeling": 1.5, "overgang_po_vo": 0.3},
    "vso": {"leerlingenvervoer": 4.0, "gedrag": 1.5, "mentaal": 1.5, "overgang_po_vo": 0.2},
    "vo": {
        "overgang_po_vo": 0.3,
        "sociale_media": 2.5,
        "pesten": 1.5,
        "mentaal": 2.0,
        "leerlingenvervoer": 0.3,
        "opvoeding": 0.7,
    },
}

#: Theme multipliers per officer role (Den Bosch has youth nurses and school social workers).
ROLE_THEME_FACTORS: dict[str, dict[str, float]] = {
    "brugfunctionaris": {},
    "jeugdverpleegkundige": {
        "gezondheid": 3.0,
        "ontwikkeling": 1.5,
        "opvoeding": 1.3,
        "mentaal": 1.3,
        "leerlingenvervoer": 0.3,
    },
    "schoolmaatschappelijk_werker": {
        "thuissituatie": 1.6,
        "scheiding": 1.5,
        "armoede": 1.2,
        "gedrag": 1.3,
        "veiligheid": 1.5,
        "gezondheid": 0.5,
    },
}

#: Number of themes on a parent/pupil contact (1-3) and a colleague/partner contact (1-2).
CASE_THEME_COUNT_WEIGHTS = {1: 55, 2: 33, 3: 12}
OTHER_THEME_COUNT_WEIGHTS = {1: 70, 2: 30}

# ---------------------------------------------------------------------------------------------
# Contacts: channels, initiative, duration, colleague roles
# ---------------------------------------------------------------------------------------------

#: Number of contact moments per case (family or pupil helped): 1-5, mean about 2.3.
CONTACTS_PER_CASE_WEIGHTS = {1: 30, 2: 28, 3: 22, 4: 12, 5: 8}

#: School days between two contacts of the same case.
FOLLOW_UP_GAP_DAYS = (2, 15)

CHANNEL_WEIGHTS: dict[str, dict[str, float]] = {
    "parent": {
        "in_person": 40,
        "phone": 25,
        "whatsapp": 14,
        "email": 8,
        "home_visit": 6,
        "video": 4,
        "group": 1,
        "other": 2,
    },
    "pupil": {"in_person": 84, "group": 8, "whatsapp": 4, "other": 4},
    "colleague": {"in_person": 62, "email": 14, "phone": 10, "whatsapp": 8, "video": 6},
    "partner": {"phone": 35, "email": 25, "video": 20, "in_person": 18, "other": 2},
}

#: Who took the initiative, for the first contact of a case and for follow-ups.
FIRST_INITIATIVE_WEIGHTS: dict[str, dict[str, float]] = {
    "parent": {"parent": 40, "colleague": 35, "officer": 15, "partner": 10},
    "pupil": {"pupil": 35, "colleague": 45, "officer": 15, "parent": 5},
    "colleague": {"colleague": 60, "officer": 40},
    "partner": {"partner": 45, "officer": 55},
}
FOLLOW_UP_INITIATIVE_WEIGHTS: dict[str, dict[str, float]] = {
    "parent": {"officer": 60, "parent": 35, "partner": 5},
    "pupil": {"officer": 55, "pupil": 35, "colleague": 10},
}

#: Duration in minutes by channel: (low, high, mode) of a triangular distribution.
DURATION_BY_CHANNEL: dict[str, tuple[float, float, float]] = {
    "in_person": (10, 60, 25),
    "home_visit": (30, 90, 60),
    "phone": (5, 30, 10),
    "video": (15, 60, 30),
    "whatsapp": (5, 15, 5),
    "email": (5, 15, 5),
    "group": (20, 90, 45),
    "other": (5, 30, 15),
}

#: Colleague roles (vocabularies colleague_role) by school type.
COLLEAGUE_ROLE_WEIGHTS: dict[str, dict[str, float]] = {
    "primary": {
        "leerkracht": 40,
        "intern_begeleider": 25,
        "directeur": 12,
        "bouwcoordinator": 5,
        "orthopedagoog": 5,
        "schoolmaatschappelijk_werker": 6,
        "jeugdconsulent": 3,
        "other": 4,
    },
    "secondary": {
        "mentor": 35,
        "zorgcoordinator": 25,
        "leerkracht": 15,
        "directeur": 5,
        "orthopedagoog": 5,
        "schoolmaatschappelijk_werker": 8,
        "other": 7,
    },
}
SECONDARY_TYPES = ("vo", "vso")

# ---------------------------------------------------------------------------------------------
# Partners: which themes they handle and how often they are used
# ---------------------------------------------------------------------------------------------

#: Themes discussed with a partner of each kind (vocabularies partner_kind).
PARTNER_KIND_THEMES: dict[str, tuple[str, ...]] = {
    "ggd": ("gezondheid", "ontwikkeling", "mentaal", "opvoeding"),
    "wijkteam": ("thuissituatie", "opvoeding", "armoede", "huisvesting", "scheiding"),
    "jeugdconsulent": ("opvoeding", "gedrag", "ontwikkeling", "thuissituatie"),
    "gemeente_loket": ("armoede", "huisvesting", "leerlingenvervoer", "schoolspullen"),
    "veilig_thuis": ("veiligheid", "thuissituatie"),
    "huisarts": ("gezondheid", "mentaal"),
    "jeugdzorg": ("gedrag", "mentaal", "opvoeding", "thuissituatie", "scheiding"),
    "welzijn": ("armoede", "opvoeding", "taal", "sport_cultuur", "voedsel"),
    "samenwerkingsverband": ("ontwikkeling", "gedrag", "overgang_po_vo"),
    "kinderopvang": ("opvoeding", "ontwikkeling"),
    "fonds": ("armoede", "sport_cultuur", "schoolspullen"),
    "voedselbank": ("voedsel", "armoede"),
    "schuldhulp": ("armoede", "huisvesting"),
    "politie": ("veiligheid", "sociale_media", "gedrag"),
    "other": ("taal", "ontwikkeling", "other"),
}

#: Heavily used partners (Versa Welzijn, jeugdconsulenten, loketten, GGD...) get this many extra
#: contacts per unit of their weight (rounded down) on top of the pilot's contacts_per_partner.
EXTRA_PARTNER_CONTACTS_PER_WEIGHT = 0.5

#: A referral goes this many times more often to a partner whose kind fits the case's theme.
REFERRAL_THEME_FIT_FACTOR = 4.0

#: Referral preference per partner kind. Den Bosch handles most questions in and around the
#: school and refers to light local support; Gooi en Vechtstreek refers more to specialised care.
REFERRAL_KIND_WEIGHTS: dict[str, dict[str, float]] = {
    "den_bosch": {
        "wijkteam": 30,
        "fonds": 20,
        "ggd": 15,
        "voedselbank": 8,
        "jeugdconsulent": 8,
        "welzijn": 8,
        "huisarts": 5,
        "jeugdzorg": 3,
        "veilig_thuis": 2,
        "other": 1,
    },
    "gooi_vechtstreek": {
        "jeugdzorg": 24,
        "welzijn": 14,
        "jeugdconsulent": 14,
        "veilig_thuis": 9,
        "ggd": 8,
        "huisarts": 8,
        "gemeente_loket": 7,
        "fonds": 6,
        "schuldhulp": 4,
        "samenwerkingsverband": 3,
        "voedselbank": 3,
        "kinderopvang": 1,
        "politie": 1,
        "other": 1,
    },
}

# ---------------------------------------------------------------------------------------------
# Activities and time use
# ---------------------------------------------------------------------------------------------

#: Activity kinds (vocabularies activity_kind): weight, attendees range, themes.
ACTIVITY_KINDS: dict[str, tuple[float, tuple[int, int], tuple[str, ...]]] = {
    "koffieochtend": (30, (4, 15), ("opvoeding", "armoede", "ontwikkeling", "sociale_media")),
    "ouderbijeenkomst": (18, (8, 40), ("opvoeding", "sociale_media", "overgang_po_vo")),
    "inloop": (20, (2, 10), ("armoede", "opvoeding", "schoolprocedures")),
    "taalcafe": (12, (4, 14), ("taal",)),
    "informatiebijeenkomst": (10, (10, 60), ("schoolprocedures", "overgang_po_vo", "armoede")),
    "kledingmarkt": (5, (20, 80), ("armoede", "schoolspullen")),
    "sport": (5, (10, 40), ("sport_cultuur",)),
}

#: Base share (%) of each task (vocabularies task) per role; jittered per officer.
TIME_USE_BASE: dict[str, dict[str, float]] = {
    "brugfunctionaris": {
        "social_domain": 20,
        "school_team": 15,
        "parent_contact_social": 15,
        "one_on_one_parent": 25,
        "pupil_contact": 12,
        "talent_development": 5,
        "other": 8,
    },
    "jeugdverpleegkundige": {
        "social_domain": 18,
        "school_team": 20,
        "parent_contact_social": 12,
        "one_on_one_parent": 30,
        "pupil_contact": 10,
        "talent_development": 3,
        "other": 7,
    },
    "schoolmaatschappelijk_werker": {
        "social_domain": 22,
        "school_team": 18,
        "parent_contact_social": 15,
        "one_on_one_parent": 25,
        "pupil_contact": 12,
        "talent_development": 2,
        "other": 6,
    },
}
TIME_USE_JITTER = (0.7, 1.3)

# ---------------------------------------------------------------------------------------------
# The two pilots
# ---------------------------------------------------------------------------------------------


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
class OfficerPlan:
    """An officer, the schools and hours they work, and how many people they reach."""

    officer_id: str
    role: str
    assignments: tuple[tuple[str, float], ...]  # (school_id, hours_per_week)
    families: int  # distinct families with a parent contact in the year
    pupils: int  # distinct pupils with a pupil contact in the year


@dataclass(frozen=True)
class Partner:
    """A partner organisation; `weight` is how much officers use it, `municipality` limits it."""

    partner_id: str
    name: str
    kind: str
    weight: float = 1.0
    municipality: str = ""  # "" = serves the whole pilot area


@dataclass(frozen=True)
class PilotPlan:
    """Everything fixed about a pilot plus the calibration ranges used for its contacts."""

    pilot: str
    prefix: str
    region: str  # holiday region of the whole pilot area (used for the calendar)
    schools: tuple[School, ...]
    officers: tuple[OfficerPlan, ...]
    partners: tuple[Partner, ...]
    core_partner_ids: tuple[str, ...]  # partners every officer works with
    partner_count: tuple[int, int]  # distinct partners contacted per officer
    contacts_per_partner: Mapping[int, float]  # weights of 1..n contacts with one partner
    colleague_contacts: tuple[int, int]
    pupil_family_linked: tuple[float, float]  # share of pupils whose parents were spoken too
    referral_share: tuple[float, float]  # share of cases with a referral, per officer
    activities: tuple[int, int]


MUNICIPALITY_DB = "'s-Hertogenbosch"

#: Den Bosch proeftuin: 6 kindcentra; families = pupils / 1.6 (siblings).
DB_SCHOOL_ROWS: tuple[tuple[str, str, int], ...] = (
    ("91DA00", "Kindcentrum De Vlinder", 312),
    ("91DB00", "Kindcentrum De Rietgors – Noord", 428),
    ("91DC00", "Kindcentrum De Zeeën", 266),
    ("91DD00", "Kindcentrum Het Spoorpark", 371),
    ("91DE00", "Kindcentrum Het Zonnespoor", 254),
    ("91DF00", "Kindcentrum De Reiger – Rosmalen", 395),
)
PUPILS_PER_FAMILY_PO = 1.6

#: Per Den Bosch school a youth nurse and a school social worker, 6 extra hours a week each.
DB_HOURS = 6.0
#: Families and pupils one Den Bosch officer helps in the year (drawn per officer, seed-bound).
DB_FAMILIES_RANGE = (15, 26)
DB_PUPILS_RANGE = (5, 12)

#: Gooi en Vechtstreek schools: (id, name, municipality, type, pupils, families, region).
#: Families are chosen so that most officers reach 20-40% of their school's families and a
#: sizeable group 40-60%; the vo schools are large, so their reach is low; 93HA's population
#: is unknown (families empty) and two schools have no region (the export left it empty).
GV_SCHOOL_ROWS: tuple[tuple[str, str, str, str, int, int | None, str], ...] = (
    ("92GA00", "Basisschool De Heidebloem", "Hilversum", "po", 160, 100, "noord"),
    ("92GB00", "Montessorischool Het Lichtbaken", "Hilversum", "po", 154, 96, "noord"),
    ("93GA", "Meerlicht College", "Hilversum", "vo", 820, 725, "noord"),
    ("92GC00", "Daltonschool De Kievitshoek", "Hilversum", "po", 114, 71, "noord"),
    ("92GD00", "Speciale basisschool De Sterrenwacht", "Hilversum", "gbo", 112, 86, "noord"),
    ("92GE00", "SO De Vuurtoren", "Hilversum", "so", 90, 80, "noord"),
    ("92GF00", "VSO De Vuurtoren", "Hilversum", "vso", 80, 72, "noord"),
    ("92HA00", "IKC De Kraanvogel", "Huizen", "po", 149, 93, "noord"),
    ("92HB00", "Basisschool Het Havenlicht", "Huizen", "po", 130, 81, "noord"),
    ("93HA", "Huizermeer College", "Huizen", "vo", 1100, None, "noord"),
    ("92MA00", "Basisschool De Vestingwal", "Gooise Meren", "po", 175, 109, "noord"),
    ("92MB00", "IKC De Zandloper – locatie Oost", "Gooise Meren", "po", 93, 58, "noord"),
    ("92MB01", "IKC De Zandloper – locatie West", "Gooise Meren", "po", 82, 51, "noord"),
    ("92MC00", "Basisschool Het Zwanenmeer", "Gooise Meren", "po", 93, 58, "noord"),
    ("93MA", "Vestingstede College", "Gooise Meren", "vo", 640, 560, "noord"),
    ("92MD00", "Speciale basisschool Het Baken", "Gooise Meren", "gbo", 101, 78, "noord"),
    ("92WA00", "Dorpsschool Het Riet", "Wijdemeren", "po", 74, 46, "noord"),
    ("92WB00", "Basisschool De Plassen", "Wijdemeren", "po", 70, 44, "noord"),
    ("92WC00", "Basisschool De Kwakel", "Wijdemeren", "po", 64, 40, "noord"),
    ("92BA00", "Basisschool De Bijenkorf", "Blaricum", "po", 136, 85, ""),
    ("92LA00", "Basisschool Het Brinkhuis", "Laren", "po", 96, 60, ""),
    ("92EA00", "Basisschool De Eemlanden", "Eemnes", "po", 128, 80, "noord"),
    ("92GG00", "Kindcentrum De Vijverberg", "Hilversum", "po", 380, 237, "noord"),
    ("92GH00", "Basisschool Crescendo", "Hilversum", "po", 120, 75, "noord"),
)

#: Gooi en Vechtstreek officers: (id, [(school, hours)], distinct families helped).
#: Mostly 20-40 families, three officers 55-64; together about 700 families.
GV_OFFICER_ROWS: tuple[tuple[str, tuple[tuple[str, float], ...], int], ...] = (
    ("GV-BF-01", (("92GA00", 20.0),), 30),
    ("GV-BF-02", (("92GB00", 16.0),), 24),
    ("GV-BF-03", (("93GA", 32.0),), 62),
    ("GV-BF-04", (("92GC00", 16.0),), 32),
    ("GV-BF-05", (("92GD00", 20.0),), 30),
    ("GV-BF-06", (("92GE00", 16.0), ("92GF00", 12.0)), 36),
    ("GV-BF-07", (("92HA00", 16.0),), 26),
    ("GV-BF-08", (("92HB00", 20.0),), 34),
    ("GV-BF-09", (("93HA", 28.0),), 55),
    ("GV-BF-10", (("92MA00", 16.0),), 24),
    ("GV-BF-11", (("92MB00", 14.0), ("92MB01", 14.0)), 36),
    ("GV-BF-12", (("92MC00", 16.0),), 30),
    ("GV-BF-13", (("93MA", 24.0),), 34),
    ("GV-BF-14", (("92WA00", 12.0),), 22),
    ("GV-BF-15", (("92WB00", 12.0), ("92WC00", 12.0)), 32),
    ("GV-BF-16", (("92BA00", 16.0),), 29),
    ("GV-BF-17", (("92LA00", 14.0),), 27),
    ("GV-BF-18", (("92EA00", 18.0),), 33),
    ("GV-BF-19", (("92GG00", 32.0),), 64),
    ("GV-BF-20", (("92MD00", 16.0),), 25),
    ("GV-BF-21", (("92GH00", 16.0),), 27),
)

#: Pupils helped per family helped, by school type (about 580 pupils for 700 families).
PUPILS_PER_FAMILY_HELPED: dict[str, float] = {
    "po": 0.72,
    "gbo": 0.9,
    "so": 0.9,
    "vso": 0.9,
    "vo": 1.15,
}
PUPILS_PER_FAMILY_HELPED_JITTER = (-0.1, 0.1)

#: Families living behind the pupils of a school whose `families` is unknown.
PUPILS_PER_FAMILY_VO = 1.15

GV_MUNICIPALITIES = (
    "Hilversum",
    "Huizen",
    "Gooise Meren",
    "Wijdemeren",
    "Blaricum",
    "Laren",
    "Eemnes",
)

DB_PARTNER_ROWS: tuple[tuple[str, str, float], ...] = (
    ("Sociaal Wijkteam ’s-Hertogenbosch Noord", "wijkteam", 3.0),
    ("JGZ-team GGD regio Den Bosch", "ggd", 2.5),
    ("Jeugdconsulent gemeente ’s-Hertogenbosch", "jeugdconsulent", 1.5),
    ("Veilig Thuis Brabant Noordoost", "veilig_thuis", 0.6),
    ("Stichting Leergeld ’s-Hertogenbosch", "fonds", 2.0),
    ("Voedselbank ’s-Hertogenbosch", "voedselbank", 1.0),
    ("Gezondheidscentrum De Eikenhoeve – huisartsen", "huisarts", 1.0),
    ("Jeugdhulp Perspectief & Oriëntatie", "jeugdzorg", 0.8),
    ("Welzijn Café De Brug", "welzijn", 1.5),
    ("Expertiseteam Kindcentra – Coöperatie Onderwijs", "other", 2.0),
)


def _gv_partner_rows() -> list[tuple[str, str, float, str]]:
    """Gooi en Vechtstreek partners: (name, kind, weight, municipality or '')."""
    rows: list[tuple[str, str, float, str]] = [
        ("Versa Welzijn", "welzijn", 4.0, ""),
        ("GGD Gooi en Vechtstreek – jeugdgezondheidszorg", "ggd", 3.0, ""),
        ("Veilig Thuis Gooi en Vechtstreek", "veilig_thuis", 1.0, ""),
    ]
    for municipality in GV_MUNICIPALITIES:
        rows.append((f"Jeugdconsulenten {municipality}", "jeugdconsulent", 4.0, municipality))
    for municipality in GV_MUNICIPALITIES:
        rows.append((f"Sociaal loket gemeente {municipality}", "gemeente_loket", 3.0, municipality))
    rows += [
        ("Jeugdhulp De Vaart", "jeugdzorg", 2.5, ""),
        ("Kinder- en jeugdpraktijk Het Baken", "jeugdzorg", 2.5, ""),
        ("Jeugd-GGZ Tussen de Meren", "jeugdzorg", 2.5, ""),
        ("Gezinshuis De Linde", "jeugdzorg", 1.0, ""),
        ("Ambulante jeugdhulp Vechtstreek", "jeugdzorg", 2.0, ""),
        ("Huisartsenpraktijk Oostereng", "huisarts", 2.0, "Hilversum"),
        ("Huisartsenpraktijk De Lindenhof", "huisarts", 2.0, "Hilversum"),
        ("Huisartsen Bussum-Zuid", "huisarts", 2.0, "Gooise Meren"),
        ("Huisartsenpraktijk Het Oude Dorp", "huisarts", 2.0, "Huizen"),
        ("Gezondheidscentrum De Plassen", "huisarts", 2.0, "Wijdemeren"),
        ("Huisartsen Laren-Blaricum-Eemnes", "huisarts", 2.0, ""),
        ("Stichting Leergeld Gooi e.o.", "fonds", 1.5, ""),
        ("Jeugdfonds Sport & Cultuur", "fonds", 1.5, ""),
        ("Voedselbank Gooi & omstreken", "voedselbank", 1.0, ""),
        ("Schuldhulpmaatje Gooi", "schuldhulp", 1.0, ""),
        ("Samenwerkingsverband po Gooi en Vechtstreek", "samenwerkingsverband", 1.2, ""),
        ("Samenwerkingsverband vo Gooi en Vechtstreek", "samenwerkingsverband", 1.2, ""),
        ("Kinderopvang Het Speelnest", "kinderopvang", 0.6, ""),
        ("BSO De Boomhut", "kinderopvang", 0.6, ""),
        ("Politie basisteam Gooi – wijkagenten", "politie", 0.8, ""),
        ("Taalhuis Gooi en Vechtstreek", "other", 0.8, ""),
        ("Vluchtelingenwerk Gooi", "other", 0.8, ""),
        ("Humanitas Gooi – thuisadministratie", "welzijn", 1.0, ""),
        ("MEE Gooi – cliëntondersteuning", "other", 0.8, ""),
    ]
    return rows


def _den_bosch_plan(rng: random.Random) -> PilotPlan:
    """The Den Bosch proeftuin; family and pupil counts per officer are drawn from `rng`."""
    schools = tuple(
        School(
            sid, name, MUNICIPALITY_DB, "po", pupils, round(pupils / PUPILS_PER_FAMILY_PO), "zuid"
        )
        for sid, name, pupils in DB_SCHOOL_ROWS
    )
    officers: list[OfficerPlan] = []
    for role, code in (("jeugdverpleegkundige", "JVK"), ("schoolmaatschappelijk_werker", "SMW")):
        for number, school in enumerate(schools, start=1):
            officers.append(
                OfficerPlan(
                    officer_id=f"DB-{code}-{number:02d}",
                    role=role,
                    assignments=((school.school_id, DB_HOURS),),
                    families=rng.randint(*DB_FAMILIES_RANGE),
                    pupils=rng.randint(*DB_PUPILS_RANGE),
                )
            )
    partners = tuple(
        Partner(f"DB-P{number:02d}", name, kind, weight)
        for number, (name, kind, weight) in enumerate(DB_PARTNER_ROWS, start=1)
    )
    return PilotPlan(
        pilot="den_bosch",
        prefix="DB",
        region="zuid",
        schools=schools,
        officers=tuple(officers),
        partners=partners,
        core_partner_ids=("DB-P01", "DB-P02"),
        partner_count=(5, 9),
        contacts_per_partner={1: 30, 2: 35, 3: 25, 4: 10},  # consultation is common
        colleague_contacts=(8, 14),
        pupil_family_linked=(0.6, 0.9),
        referral_share=(0.07, 0.13),
        activities=(2, 4),
    )


def _gooi_vechtstreek_plan(rng: random.Random) -> PilotPlan:
    """Gooi en Vechtstreek; pupil counts per officer are drawn from `rng`."""
    schools = tuple(School(*row) for row in GV_SCHOOL_ROWS)
    types = {school.school_id: school.school_type for school in schools}
    officers: list[OfficerPlan] = []
    for officer_id, assignments, families in GV_OFFICER_ROWS:
        ratio = PUPILS_PER_FAMILY_HELPED[types[assignments[0][0]]]
        ratio += rng.uniform(*PUPILS_PER_FAMILY_HELPED_JITTER)
        officers.append(
            OfficerPlan(
                officer_id,
                "brugfunctionaris",
                assignments,
                families,
                max(1, round(families * ratio)),
            )
        )
    partners = tuple(
        Partner(f"GV-P{number:02d}", name, kind, weight, municipality)
        for number, (name, kind, weight, municipality) in enumerate(_gv_partner_rows(), start=1)
    )
    return PilotPlan(
        pilot="gooi_vechtstreek",
        prefix="GV",
        region="noord",
        schools=schools,
        officers=tuple(officers),
        partners=partners,
        core_partner_ids=("GV-P01", "GV-P02", "GV-P03"),  # Versa, GGD, Veilig Thuis
        partner_count=(10, 20),
        contacts_per_partner={1: 40, 2: 35, 3: 15, 4: 10},
        colleague_contacts=(10, 20),
        pupil_family_linked=(0.72, 0.98),
        referral_share=(0.25, 0.35),
        activities=(3, 7),
    )


# ---------------------------------------------------------------------------------------------
# Random helpers
# ---------------------------------------------------------------------------------------------


def _pick(rng: random.Random, weights: Mapping[str, float]) -> str:
    """One key of `weights`, drawn with those weights (dict order is insertion order)."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _pick_int(rng: random.Random, weights: Mapping[int, float]) -> int:
    """One integer key of `weights`, drawn with those weights."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _weighted_sample(
    rng: random.Random, items: Sequence[T], weights: Sequence[float], k: int
) -> list[T]:
    """`k` distinct items drawn without replacement, proportional to `weights`."""
    pool = list(zip(items, weights, strict=True))
    chosen: list[T] = []
    while pool and len(chosen) < k:
        index = rng.choices(range(len(pool)), weights=[w for _, w in pool])[0]
        chosen.append(pool.pop(index)[0])
    return chosen


class KeyMaker:
    """Pseudonymous keys like ``P-7F3A21`` / ``G-00A1B2``: random hex, unique, with a digit."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = set()

    def new(self, prefix: str) -> str:
        """A key never handed out before, with at least one digit in it."""
        while True:
            key = f"{prefix}-{self._rng.getrandbits(24):06X}"
            if key not in self._used and any(ch.isdigit() for ch in key):
                self._used.add(key)
                return key


class People:
    """Lazily created family, parent and pupil keys, per school and family number."""

    def __init__(self, keys: KeyMaker) -> None:
        self._keys = keys
        self._families: dict[tuple[str, int], str] = {}
        self._parents: dict[tuple[str, int], str] = {}
        self._pupils: dict[tuple[str, int, int], str] = {}

    def family(self, school_id: str, number: int) -> str:
        """The family key of family `number` at a school."""
        key = (school_id, number)
        if key not in self._families:
            self._families[key] = self._keys.new("G")
        return self._families[key]

    def parent(self, school_id: str, number: int) -> str:
        """The person key of the parent of family `number` at a school."""
        key = (school_id, number)
        if key not in self._parents:
            self._parents[key] = self._keys.new("P")
        return self._parents[key]

    def pupil(self, school_id: str, number: int, child: int) -> str:
        """The person key of child `child` (0, 1, ...) of family `number` at a school."""
        key = (school_id, number, child)
        if key not in self._pupils:
            self._pupils[key] = self._keys.new("P")
        return self._pupils[key]


# ---------------------------------------------------------------------------------------------
# Calendar and themes
# ---------------------------------------------------------------------------------------------


def _school_days(region: str) -> list[date]:
    """All weekdays of the school year in a holiday region, holidays left out."""
    first, last = SCHOOL_YEAR_SPAN[region]
    holidays = HOLIDAYS[region]
    days: list[date] = []
    day = first
    while day <= last:
        if day.weekday() < 5 and not any(start <= day <= end for start, end in holidays):
            days.append(day)
        day += timedelta(days=1)
    return days


def _theme_weights(month: int, counterpart: str, school_type: str, role: str) -> dict[str, float]:
    """Weight of each theme for a question asked in `month` in the given setting."""
    weights: dict[str, float] = {}
    for theme, base in THEME_WEIGHTS.items():
        weight = base * THEME_SEASON.get(theme, {}).get(month, 1.0)
        weight *= COUNTERPART_THEME_FACTORS.get(counterpart, {}).get(theme, 1.0)
        weight *= SCHOOL_TYPE_THEME_FACTORS[school_type].get(theme, 1.0)
        weight *= ROLE_THEME_FACTORS[role].get(theme, 1.0)
        weights[theme] = weight
    return weights


def _themes(
    rng: random.Random, weights: dict[str, float], count: int, first: str | None = None
) -> tuple[str, ...]:
    """`count` distinct themes: `first` (if given) and then draws from `weights`."""
    chosen = [first] if first else []
    remaining = {theme: w for theme, w in weights.items() if theme not in chosen}
    while len(chosen) < count and remaining:
        theme = _pick(rng, remaining)
        chosen.append(theme)
        del remaining[theme]
    return tuple(chosen)


def _duration(rng: random.Random, channel: str) -> int:
    """Duration in minutes, rounded to 5, within 5..120."""
    low, high, mode = DURATION_BY_CHANNEL[channel]
    minutes = 5 * round(rng.triangular(low, high, mode) / 5)
    return min(120, max(5, minutes))


# ---------------------------------------------------------------------------------------------
# Contacts
# ---------------------------------------------------------------------------------------------


@dataclass
class Contact:
    """One contact moment, in canonical codes; the id is given after sorting by date."""

    date: date
    officer_id: str
    school_id: str
    counterpart: str
    themes: tuple[str, ...]
    channel: str
    initiated_by: str
    duration_min: int
    person_key: str = ""
    family_key: str = ""
    colleague_role: str = ""
    partner_id: str = ""
    referred_to: str = ""


@dataclass(frozen=True)
class Case:
    """A parent or pupil helped by an officer."""

    counterpart: str
    school: School
    person_key: str
    family_key: str


@dataclass(frozen=True)
class OfficerContext:
    """What contact generation needs to know about one officer."""

    plan: PilotPlan
    officer: OfficerPlan
    schools: tuple[School, ...]
    days: list[date]


def _split(total: int, sizes: Sequence[int]) -> list[int]:
    """Split `total` over parts proportional to `sizes` (largest remainder, stable order)."""
    whole = sum(sizes)
    exact = [total * size / whole for size in sizes]
    parts = [int(x) for x in exact]
    order = sorted(range(len(sizes)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _population(school: School) -> int:
    """Number of families at a school, estimated from pupils when unknown."""
    if school.families is not None:
        return school.families
    return round(school.pupils / PUPILS_PER_FAMILY_VO)


def _cases(rng: random.Random, ctx: OfficerContext, people: People) -> list[Case]:
    """The parents and pupils one officer helps: families, then pupils (mostly of those)."""
    officer = ctx.officer
    populations = [_population(school) for school in ctx.schools]
    parent_families: list[tuple[School, int]] = []
    for school, count, population in zip(
        ctx.schools, _split(officer.families, populations), populations, strict=True
    ):
        numbers = rng.sample(range(population), min(count, population))
        parent_families += [(school, number) for number in numbers]

    linked = round(officer.pupils * rng.uniform(*ctx.plan.pupil_family_linked))
    linked = min(linked, officer.pupils)
    pupil_families = rng.sample(parent_families, min(linked, len(parent_families)))
    pupil_families += rng.choices(parent_families, k=linked - len(pupil_families))  # siblings
    used = set(parent_families)
    others: list[tuple[School, int]] = []
    for school, count, population in zip(
        ctx.schools, _split(officer.pupils - linked, populations), populations, strict=True
    ):
        free = [n for n in range(population) if (school, n) not in used]
        others += [(school, number) for number in rng.sample(free, min(count, len(free)))]

    cases = [
        Case(
            "parent",
            school,
            people.parent(school.school_id, number),
            people.family(school.school_id, number),
        )
        for school, number in parent_families
    ]
    children: dict[tuple[str, int], int] = {}
    for school, number in pupil_families + others:
        child = children.get((school.school_id, number), 0)
        children[(school.school_id, number)] = child + 1
        cases.append(
            Case(
                "pupil",
                school,
                people.pupil(school.school_id, number, child),
                people.family(school.school_id, number),
            )
        )
    return cases


def _referral(
    rng: random.Random, ctx: OfficerContext, partners: Sequence[Partner], theme: str
) -> str:
    """The partner a case about `theme` is referred to, from the officer's partners."""
    kind_weights = REFERRAL_KIND_WEIGHTS[ctx.plan.pilot]
    weights = [
        kind_weights.get(p.kind, 0.0)
        * (REFERRAL_THEME_FIT_FACTOR if theme in PARTNER_KIND_THEMES[p.kind] else 1.0)
        for p in partners
    ]
    if not any(weights):
        weights = [p.weight for p in partners]
    return rng.choices(partners, weights=weights)[0].partner_id


def _case_contacts(
    rng: random.Random, ctx: OfficerContext, case: Case, referred: bool, partners: Sequence[Partner]
) -> list[Contact]:
    """The 1-5 contact moments of one case, the last one carrying a referral if any."""
    index = rng.randrange(len(ctx.days))
    start = ctx.days[index]
    role = ctx.officer.role
    theme_weights = _theme_weights(start.month, case.counterpart, case.school.school_type, role)
    main_theme = _pick(rng, theme_weights)
    wanted = _pick_int(rng, CONTACTS_PER_CASE_WEIGHTS)
    contacts: list[Contact] = []
    while len(contacts) < wanted and index < len(ctx.days):
        day = ctx.days[index]
        follow_up = bool(contacts)
        initiative = FOLLOW_UP_INITIATIVE_WEIGHTS if follow_up else FIRST_INITIATIVE_WEIGHTS
        channel = _pick(rng, CHANNEL_WEIGHTS[case.counterpart])
        month_weights = _theme_weights(day.month, case.counterpart, case.school.school_type, role)
        count = _pick_int(rng, CASE_THEME_COUNT_WEIGHTS)
        contacts.append(
            Contact(
                date=day,
                officer_id=ctx.officer.officer_id,
                school_id=case.school.school_id,
                counterpart=case.counterpart,
                themes=_themes(rng, month_weights, count, first=main_theme),
                channel=channel,
                initiated_by=_pick(rng, initiative[case.counterpart]),
                duration_min=_duration(rng, channel),
                person_key=case.person_key,
                family_key=case.family_key,
            )
        )
        index += rng.randint(*FOLLOW_UP_GAP_DAYS)
    if referred:
        contacts[-1].referred_to = _referral(rng, ctx, partners, main_theme)
    return contacts


def _colleague_contacts(rng: random.Random, ctx: OfficerContext) -> list[Contact]:
    """Contacts with colleagues at the officer's schools, spread over colleague roles."""
    contacts: list[Contact] = []
    for _ in range(rng.randint(*ctx.plan.colleague_contacts)):
        school = rng.choice(ctx.schools)
        level = "secondary" if school.school_type in SECONDARY_TYPES else "primary"
        roles = dict(COLLEAGUE_ROLE_WEIGHTS[level])
        if ctx.officer.role in roles:  # a school social worker does not consult themself
            del roles[ctx.officer.role]
        day = rng.choice(ctx.days)
        channel = _pick(rng, CHANNEL_WEIGHTS["colleague"])
        weights = _theme_weights(day.month, "colleague", school.school_type, ctx.officer.role)
        contacts.append(
            Contact(
                date=day,
                officer_id=ctx.officer.officer_id,
                school_id=school.school_id,
                counterpart="colleague",
                themes=_themes(rng, weights, _pick_int(rng, OTHER_THEME_COUNT_WEIGHTS)),
                channel=channel,
                initiated_by=_pick(rng, FIRST_INITIATIVE_WEIGHTS["colleague"]),
                duration_min=_duration(rng, channel),
                colleague_role=_pick(rng, roles),
            )
        )
    return contacts


def _officer_partners(rng: random.Random, ctx: OfficerContext) -> list[Partner]:
    """The distinct partners an officer works with: the core ones plus weighted others."""
    municipalities = {school.municipality for school in ctx.schools}
    eligible = [
        p for p in ctx.plan.partners if not p.municipality or p.municipality in municipalities
    ]
    core = [p for p in eligible if p.partner_id in ctx.plan.core_partner_ids]
    local = [p for p in eligible if p.municipality and p.kind != "huisarts"]
    chosen = core + [p for p in local if p not in core]
    rest = [p for p in eligible if p not in chosen]
    wanted = min(rng.randint(*ctx.plan.partner_count), len(eligible))
    chosen += _weighted_sample(rng, rest, [p.weight for p in rest], wanted - len(chosen))
    return sorted(chosen, key=lambda p: p.partner_id)


def _partner_contacts(
    rng: random.Random, ctx: OfficerContext, partners: Sequence[Partner]
) -> list[Contact]:
    """Consultations with partners (no referral): every partner of the officer at least once."""
    contacts: list[Contact] = []
    for partner in partners:
        extra = int(partner.weight * EXTRA_PARTNER_CONTACTS_PER_WEIGHT)
        for _ in range(_pick_int(rng, ctx.plan.contacts_per_partner) + extra):
            school = rng.choice(ctx.schools)
            day = rng.choice(ctx.days)
            channel = _pick(rng, CHANNEL_WEIGHTS["partner"])
            count = _pick_int(rng, OTHER_THEME_COUNT_WEIGHTS)
            kind_themes = PARTNER_KIND_THEMES[partner.kind]
            contacts.append(
                Contact(
                    date=day,
                    officer_id=ctx.officer.officer_id,
                    school_id=school.school_id,
                    counterpart="partner",
                    themes=tuple(rng.sample(kind_themes, min(count, len(kind_themes)))),
                    channel=channel,
                    initiated_by=_pick(rng, FIRST_INITIATIVE_WEIGHTS["partner"]),
                    duration_min=_duration(rng, channel),
                    partner_id=partner.partner_id,
                )
            )
    return contacts


def _officer_contacts(rng: random.Random, ctx: OfficerContext, people: People) -> list[Contact]:
    """All contacts of one officer: cases (some referred), colleagues and partners."""
    partners = _officer_partners(rng, ctx)
    cases = _cases(rng, ctx, people)
    share = rng.uniform(*ctx.plan.referral_share)
    referred = set(rng.sample(range(len(cases)), round(share * len(cases))))
    contacts: list[Contact] = []
    for number, case in enumerate(cases):
        contacts += _case_contacts(rng, ctx, case, number in referred, partners)
    contacts += _colleague_contacts(rng, ctx)
    contacts += _partner_contacts(rng, ctx, partners)
    return contacts


# ---------------------------------------------------------------------------------------------
# Activities and time use
# ---------------------------------------------------------------------------------------------


def _activities(rng: random.Random, ctx: OfficerContext) -> list[dict[str, object]]:
    """A few group activities of one officer (without ids; those follow after sorting)."""
    kinds = {kind: spec[0] for kind, spec in ACTIVITY_KINDS.items()}
    rows: list[dict[str, object]] = []
    for _ in range(rng.randint(*ctx.plan.activities)):
        kind = _pick(rng, kinds)
        _, (low, high), themes = ACTIVITY_KINDS[kind]
        days = ctx.days
        if kind == "sport":  # outdoor sports in spring and summer
            days = [d for d in days if d.month in (4, 5, 6, 7)]
        count = min(len(themes), _pick_int(rng, OTHER_THEME_COUNT_WEIGHTS))
        rows.append(
            {
                "date": rng.choice(days),
                "officer_id": ctx.officer.officer_id,
                "school_id": rng.choice(ctx.schools).school_id,
                "kind": kind,
                "themes": tuple(rng.sample(themes, count)),
                "attendees": rng.randint(low, high),
            }
        )
    return rows


def _shares(rng: random.Random, base: dict[str, float]) -> dict[str, int]:
    """Jittered integer percentages summing to exactly 100 (largest remainder)."""
    raw = [weight * rng.uniform(*TIME_USE_JITTER) for weight in base.values()]
    total = sum(raw)
    exact = [100 * value / total for value in raw]
    shares = [int(value) for value in exact]
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in order[: 100 - sum(shares)]:
        shares[i] += 1
    return dict(zip(base, shares, strict=True))


# ---------------------------------------------------------------------------------------------
# Building the canonical tables of one pilot
# ---------------------------------------------------------------------------------------------

Row = dict[str, object]


def _build_pilot(plan: PilotPlan, seed: int, people: People) -> dict[str, list[Row]]:
    """All seven tables of one pilot as canonical rows (codes, dates, numbers)."""
    schools = {school.school_id: school for school in plan.schools}
    days = _school_days(plan.region)
    contacts: list[Contact] = []
    activities: list[Row] = []
    time_use: list[Row] = []
    for officer in plan.officers:
        rng = random.Random(f"{seed}/{plan.pilot}/{officer.officer_id}")
        ctx = OfficerContext(plan, officer, tuple(schools[s] for s, _ in officer.assignments), days)
        contacts += _officer_contacts(rng, ctx, people)
        activities += _activities(rng, ctx)
        for task, share in _shares(rng, TIME_USE_BASE[officer.role]).items():
            time_use.append(
                {
                    "officer_id": officer.officer_id,
                    "school_year": SCHOOL_YEAR,
                    "task": task,
                    "share_pct": share,
                }
            )

    # Sorting is stable, so equal keys keep their (deterministic) generation order.
    contacts.sort(key=lambda c: (c.date, c.officer_id))
    activities.sort(key=lambda a: (str(a["date"]), str(a["officer_id"])))
    for number, row in enumerate(activities, start=1):
        row["activity_id"] = f"{plan.prefix}-A{number:03d}"

    return {
        "schools": [_school_row(plan.pilot, school) for school in plan.schools],
        "officers": [
            {"officer_id": o.officer_id, "pilot": plan.pilot, "role": o.role} for o in plan.officers
        ],
        "assignments": [
            {
                "officer_id": o.officer_id,
                "school_id": school_id,
                "school_year": SCHOOL_YEAR,
                "hours_per_week": hours,
            }
            for o in plan.officers
            for school_id, hours in o.assignments
        ],
        "partners": [
            {"partner_id": p.partner_id, "name": p.name, "kind": p.kind} for p in plan.partners
        ],
        "contacts": [
            _contact_row(f"{plan.prefix}-C{number:05d}", contact)
            for number, contact in enumerate(contacts, start=1)
        ],
        "activities": activities,
        "time_use": time_use,
    }


def _school_row(pilot: str, school: School) -> Row:
    """A `schools` row."""
    return {
        "school_id": school.school_id,
        "school_year": SCHOOL_YEAR,
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


# ---------------------------------------------------------------------------------------------
# The Gooi en Vechtstreek questionnaire (survey tables)
# ---------------------------------------------------------------------------------------------

#: Respondents of the Gooi en Vechtstreek questionnaire: 16 of the 21 officers, with the
#: parents and pupils they say they helped this school year (together exactly 540 parents and
#: 440 pupils; mostly 20-40 each, three officers at large schools 50-60). Officers' own
#: estimates: lower than the distinct families in the log. GV-BF-04, -10, -14, -17 and -20 did
#: not respond.
GV_SURVEY_ROWS: tuple[tuple[str, int, int], ...] = (
    ("GV-BF-01", 30, 22),
    ("GV-BF-02", 26, 20),
    ("GV-BF-03", 52, 56),
    ("GV-BF-05", 37, 26),
    ("GV-BF-06", 36, 28),
    ("GV-BF-07", 24, 20),
    ("GV-BF-08", 35, 23),
    ("GV-BF-09", 52, 54),
    ("GV-BF-11", 29, 24),
    ("GV-BF-12", 26, 20),
    ("GV-BF-13", 26, 30),
    ("GV-BF-15", 36, 24),
    ("GV-BF-16", 22, 18),
    ("GV-BF-18", 21, 17),
    ("GV-BF-19", 56, 34),
    ("GV-BF-21", 32, 24),
)
GV_SURVEY_PARENTS = 540
GV_SURVEY_PUPILS = 440

#: Share of pupil cases in which the parents were spoken too (%, in steps of 5): mostly
#: 70-100; lower at vo schools, where pupils come on their own more often.
SURVEY_PARENTS_SPOKEN = {"default": (70, 100), "vo": (40, 70)}
#: Colleagues in school and external partners a respondent works with: mostly 10-19 (the band
#: 10–20 of the network analysis); more colleagues at the large vo schools, more partners for
#: the officer of two special schools.
SURVEY_INTERNAL = {"default": (10, 19), "vo": (20, 28)}
SURVEY_EXTERNAL = {"default": (10, 19), "GV-BF-06": (20, 26)}

#: Themes respondents say each asker brings (vocabulary asker → theme weights), and how many
#: a respondent names.
SURVEY_THEME_WEIGHTS: dict[str, dict[str, float]] = {
    "parent": {
        "armoede": 10,
        "opvoeding": 10,
        "schoolprocedures": 6,
        "ontwikkeling": 6,
        "taal": 5,
        "thuissituatie": 5,
        "schoolspullen": 4,
        "sport_cultuur": 4,
        "huisvesting": 3,
        "scheiding": 3,
        "gezondheid": 2,
        "leerlingenvervoer": 2,
    },
    "pupil": {
        "pesten": 10,
        "mentaal": 9,
        "gedrag": 8,
        "thuissituatie": 6,
        "sociale_media": 6,
        "scheiding": 3,
        "ontwikkeling": 2,
    },
    "colleague": {
        "gedrag": 8,
        "thuissituatie": 8,
        "ontwikkeling": 7,
        "armoede": 5,
        "veiligheid": 4,
        "opvoeding": 4,
        "mentaal": 3,
    },
    "partner": {
        "thuissituatie": 8,
        "opvoeding": 6,
        "armoede": 6,
        "veiligheid": 5,
        "mentaal": 4,
        "huisvesting": 3,
    },
}
SURVEY_THEME_COUNTS: dict[str, tuple[int, int]] = {
    "parent": (3, 6),
    "pupil": (2, 5),
    "colleague": (2, 4),
    "partner": (1, 3),
}

#: Open answers (Dutch) per (relation, kind); most contain words of the shipped codebook
#: (data/codebook.toml), a few do not, so the analysis has untagged answers to list.
SURVEY_ANSWERS: dict[tuple[str, str], tuple[str, ...]] = {
    ("parents", "works"): (
        "Laagdrempelig contact op het schoolplein bij het brengen en halen",
        "Ouders weten mij te vinden, ook voor kleine vragen",
        "Er is een vertrouwensband ontstaan, ouders durven hun verhaal te doen",
        "De koffieochtenden: daar komen ouders die anders niet komen",
        "Snel schakelen als er iets is, korte lijnen met ouders",
        "Cultuursensitief werken, een sleutelfiguur uit de gemeenschap helpt",
        "Een huisbezoek samen met de jeugdconsulent",
        "Meedenken over regelingen en samen formulieren invullen",
    ),
    ("parents", "bottleneck"): (
        "Taalbarrière: veel ouders spreken geen Nederlands en een tolk regelen kost tijd",
        "Schaamte om hulp te vragen bij geldzorgen",
        "Ouders zijn lastig te bereiken, ze nemen de telefoon niet op",
        "Niet alle ouders weten wie ik ben en wat ik doe",
        "Te weinig tijd om ouders goed te volgen",
        "Andere opvattingen over opvoeding, oog voor de culturele achtergrond is nodig",
        "Sommige ouders houden de boot af",
    ),
    ("pupils", "works"): (
        "Leerlingen kunnen in de pauze even binnenlopen",
        "Een vast gezicht in de school, leerlingen kennen mij",
        "Leerlingen voelen zich gehoord en serieus genomen",
        "Vertrouwen opbouwen door er gewoon te zijn",
        "Samen met de mentor een plan maken",
    ),
    ("pupils", "bottleneck"): (
        "Wachttijd bij de jeugd-GGZ, intussen moet de leerling het zelf redden",
        "Weinig tijd voor gesprekken met leerlingen naast het werk met ouders",
        "Schaamte bij leerlingen om over thuis te praten",
        "Leerlingen willen niet dat hun ouders iets horen",
    ),
    ("internal_partners", "works"): (
        "Korte lijnen met de IB'er en de leerkrachten",
        "Ik zit bij het zorgoverleg en het ondersteuningsteam",
        "De directie ziet het belang en geeft ruimte",
        "Leerkrachten sturen ouders direct naar mij door",
        "Goede samenwerking met de schoolmaatschappelijk werker",
    ),
    ("internal_partners", "bottleneck"): (
        "Het is niet altijd duidelijk wie wat doet: IB, smw of ik",
        "Leerkrachten hebben weinig tijd voor overleg",
        "Niet iedereen in het team kent de functie; de bekendheid moet groeien",
        "Veel wisselingen in het team door personeelstekort",
        "Privacy: wat mag ik delen met de leerkracht?",
        "De rolverdeling met de intern begeleider is soms onduidelijk",
    ),
    ("external_partners", "works"): (
        "Korte lijnen met de jeugdconsulent, even bellen is genoeg",
        "Warme overdracht naar het wijkteam",
        "Versa Welzijn is goed bereikbaar en denkt mee",
        "Een vaste contactpersoon bij het sociaal loket",
        "Samen met de GGD een ouderavond over slapen",
    ),
    ("external_partners", "bottleneck"): (
        "Lange wachtlijsten bij jeugdhulp en jeugd-GGZ",
        "Steeds een andere contactpersoon bij de jeugdhulp",
        "Na een verwijzing horen we niets terug",
        "Onduidelijk wie de regie heeft in een gezin met meerdere hulpverleners",
        "Partners zijn slecht bereikbaar in de vakanties",
        "Privacyregels maken informatie delen lastig",
        "Het aanbod in kleine gemeenten is beperkt",
    ),
}
#: Chance that a respondent answers an open question (per relation and kind).
SURVEY_ANSWER_CHANCE = {"works": 0.65, "bottleneck": 0.55}


def _shares_of_5(rng: random.Random, base: dict[str, float]) -> dict[str, int]:
    """Jittered percentages in steps of 5 summing to exactly 100 (largest remainder), as
    officers fill in a questionnaire."""
    raw = [weight * rng.uniform(*TIME_USE_JITTER) for weight in base.values()]
    total = sum(raw)
    exact = [20 * value / total for value in raw]
    units = [int(value) for value in exact]
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - units[i]), i))
    for i in order[: 20 - sum(units)]:
        units[i] += 1
    return {task: 5 * unit for task, unit in zip(base, units, strict=True)}


def _range_for(
    key: str, school_type: str, ranges: Mapping[str, tuple[int, int]]
) -> tuple[int, int]:
    return ranges.get(key) or ranges.get(school_type) or ranges["default"]


def _gv_survey(plan: PilotPlan, seed: int) -> dict[str, list[Row]]:
    """The Gooi en Vechtstreek questionnaire: the five survey tables as canonical rows.

    Uses its own random stream, so the other tables do not change with it. The population a
    respondent gives is the pupils and families of their schools in ``schools``: unknown (empty)
    when a school's families are unknown.
    """
    rng = random.Random(f"{seed}/{plan.pilot}/survey")
    schools = {school.school_id: school for school in plan.schools}
    officers = {o.officer_id: o for o in plan.officers}
    partners = _gv_partner_rows()
    key = {"pilot": plan.pilot, "school_year": SCHOOL_YEAR}
    tables: dict[str, list[Row]] = {
        "survey": [],
        "survey_time_use": [],
        "survey_partners": [],
        "survey_themes": [],
        "survey_answers": [],
    }
    for officer_id, parents, pupils in GV_SURVEY_ROWS:
        own = [schools[s] for s, _ in officers[officer_id].assignments]
        school_type = own[0].school_type
        families = [s.families for s in own]
        external = rng.randint(*_range_for(officer_id, school_type, SURVEY_EXTERNAL))
        low, high = _range_for(officer_id, school_type, SURVEY_PARENTS_SPOKEN)
        base = {"officer_id": officer_id, **key}
        tables["survey"].append(
            {
                **base,
                "school_type": school_type,
                "parents_helped": parents,
                "pupils_helped": pupils,
                "families_total": None if None in families else sum(f or 0 for f in families),
                "pupils_total": sum(s.pupils for s in own),
                "pct_pupil_cases_parents_spoken": 5 * rng.randint(low // 5, high // 5),
                "internal_contacts": rng.randint(
                    *_range_for(officer_id, school_type, SURVEY_INTERNAL)
                ),
                "external_contacts": external,
            }
        )
        for task, share in _shares_of_5(rng, TIME_USE_BASE["brugfunctionaris"]).items():
            tables["survey_time_use"].append({**base, "task": task, "share_pct": share})

        municipalities = {s.municipality for s in own}
        eligible = [p for p in partners if not p[3] or p[3] in municipalities]
        core, rest = eligible[:3], eligible[3:]
        named = core + _weighted_sample(
            rng, rest, [p[2] for p in rest], min(external, len(eligible)) - len(core)
        )
        tables["survey_partners"] += [
            {**base, "organisation": name, "kind": kind}
            for name, kind, _, _ in sorted(named, key=partners.index)
        ]

        for asker, weights in SURVEY_THEME_WEIGHTS.items():
            count = rng.randint(*SURVEY_THEME_COUNTS[asker])
            chosen = _weighted_sample(rng, list(weights), list(weights.values()), count)
            tables["survey_themes"] += [
                {**base, "asker": asker, "theme": theme} for theme in chosen
            ]

        for (relation, kind), texts in SURVEY_ANSWERS.items():
            if rng.random() < SURVEY_ANSWER_CHANCE[kind]:
                tables["survey_answers"].append(
                    {**base, "relation": relation, "kind": kind, "text": rng.choice(texts)}
                )
    return tables


# ---------------------------------------------------------------------------------------------
# Writing: canonical rows -> export style
# ---------------------------------------------------------------------------------------------

COLUMNS: dict[str, tuple[str, ...]] = {
    "schools": (
        "school_id",
        "school_year",
        "name",
        "pilot",
        "municipality",
        "school_type",
        "pupils",
        "families",
        "region",
    ),
    "officers": ("officer_id", "pilot", "role"),
    "assignments": ("officer_id", "school_id", "school_year", "hours_per_week"),
    "partners": ("partner_id", "name", "kind"),
    "contacts": (
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
    ),
    "activities": ("activity_id", "date", "officer_id", "school_id", "kind", "themes", "attendees"),
    "time_use": ("officer_id", "school_year", "task", "share_pct"),
    "survey": (
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
    ),
    "survey_time_use": ("officer_id", "pilot", "school_year", "task", "share_pct"),
    "survey_partners": ("officer_id", "pilot", "school_year", "organisation", "kind"),
    "survey_themes": ("officer_id", "pilot", "school_year", "asker", "theme"),
    "survey_answers": ("officer_id", "pilot", "school_year", "relation", "kind", "text"),
}

#: Vocabulary of each coded column (per table where it differs).
COLUMN_VOCAB: dict[tuple[str, str], str] = {
    ("schools", "school_type"): "school_type",
    ("officers", "role"): "role",
    ("partners", "kind"): "partner_kind",
    ("contacts", "counterpart"): "counterpart",
    ("contacts", "colleague_role"): "colleague_role",
    ("contacts", "channel"): "channel",
    ("contacts", "initiated_by"): "initiated_by",
    ("contacts", "themes"): "theme",
    ("activities", "kind"): "activity_kind",
    ("activities", "themes"): "theme",
    ("time_use", "task"): "task",
}


@dataclass(frozen=True)
class ExportStyle:
    """How one pilot's system writes its files."""

    file_names: dict[str, str]
    headers: dict[str, dict[str, str]]  # table -> canonical column -> header (default: same)
    values: dict[str, dict[str, str]]  # vocabulary -> code -> written value (default: code)
    delimiter: str
    encoding: str
    line_ending: str
    date_format: str
    decimal_comma: bool


ENGLISH_STYLE = ExportStyle(
    file_names={table: f"{table}.csv" for table in COLUMNS},
    headers={},
    values={},
    delimiter=",",
    encoding="utf-8",
    line_ending="\n",
    date_format="%Y-%m-%d",
    decimal_comma=False,
)

#: Dutch export: headers are aliases from columns.toml ([all] or the table's own section) and
#: values are aliases from vocabularies.toml / themes.toml (or the code itself).
DUTCH_STYLE = ExportStyle(
    file_names={
        "schools": "scholen.csv",
        "officers": "functionarissen.csv",
        "assignments": "inzet.csv",
        "partners": "partners.csv",
        "contacts": "contacten.csv",
        "activities": "activiteiten.csv",
        "time_use": "tijdsbesteding.csv",
    },
    headers={
        "schools": {
            "school_id": "brin",
            "school_year": "schooljaar",
            "name": "naam",
            "pilot": "proeftuin",
            "municipality": "gemeente",
            "school_type": "schoolsoort",
            "pupils": "leerlingen",
            "families": "gezinnen",
            "region": "regio",
        },
        "officers": {"officer_id": "functionaris", "pilot": "proeftuin", "role": "rol"},
        "assignments": {
            "officer_id": "functionaris",
            "school_id": "school",
            "school_year": "schooljaar",
            "hours_per_week": "uren_per_week",
        },
        "partners": {"partner_id": "partner_code", "name": "naam", "kind": "soort"},
        "contacts": {
            "contact_id": "contactnummer",
            "date": "datum",
            "officer_id": "functionaris",
            "school_id": "school",
            "counterpart": "gesprekspartner",
            "person_key": "persoon",
            "family_key": "gezin",
            "colleague_role": "rol_collega",
            "partner_id": "partner",
            "themes": "thema",
            "channel": "kanaal",
            "initiated_by": "initiatief",
            "duration_min": "duur",
            "referred_to": "doorverwezen_naar",
        },
        "activities": {
            "activity_id": "activiteit",
            "date": "datum",
            "officer_id": "functionaris",
            "school_id": "school",
            "kind": "soort",
            "themes": "thema",
            "attendees": "aanwezigen",
        },
        "time_use": {
            "officer_id": "functionaris",
            "school_year": "schooljaar",
            "task": "taak",
            "share_pct": "aandeel",
        },
    },
    values={
        "school_type": {"po": "basisonderwijs"},
        "role": {"schoolmaatschappelijk_werker": "smw"},
        "partner_kind": {"veilig_thuis": "Veilig Thuis", "other": "overig"},
        "counterpart": {"parent": "ouder", "pupil": "leerling", "colleague": "collega"},
        "colleague_role": {
            "intern_begeleider": "ib",
            "schoolmaatschappelijk_werker": "smw",
            "other": "overig",
        },
        "channel": {
            "in_person": "persoonlijk",
            "phone": "telefoon",
            "video": "beeldbellen",
            "whatsapp": "WhatsApp",
            "email": "e-mail",
            "home_visit": "huisbezoek",
            "group": "groep",
            "other": "overig",
        },
        "initiated_by": {
            "parent": "ouder",
            "pupil": "leerling",
            "colleague": "collega",
            "officer": "functionaris",
        },
        "theme": {"other": "overig"},
        "activity_kind": {"inloop": "inloopspreekuur", "other": "overig"},
        "task": {
            "social_domain": "samenwerking sociaal domein",
            "school_team": "ondersteuning schoolteam",
            "parent_contact_social": "oudercontact sociaal domein",
            "one_on_one_parent": "één-op-één contact ouders",
            "pupil_contact": "contact leerlingen",
            "other": "overig",
        },
    },
    delimiter=";",
    encoding="cp1252",
    line_ending="\r\n",
    date_format="%d-%m-%Y",
    decimal_comma=True,
)


def _format(table: str, column: str, value: object, style: ExportStyle) -> str:
    """One cell as text in the given export style."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime(style.date_format)
    if isinstance(value, float):
        text = f"{value:.1f}"
        return text.replace(".", ",") if style.decimal_comma else text
    vocab = COLUMN_VOCAB.get((table, column))
    mapping = style.values.get(vocab, {}) if vocab else {}
    if isinstance(value, tuple):
        return "|".join(mapping.get(str(v), str(v)) for v in value)
    return mapping.get(str(value), str(value))


def _write_table(path: Path, table: str, rows: Sequence[Row], style: ExportStyle) -> None:
    """Write one table as CSV in the given export style."""
    columns = COLUMNS[table]
    headers = style.headers.get(table, {})
    with path.open("w", encoding=style.encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=style.delimiter, lineterminator=style.line_ending)
        writer.writerow([headers.get(column, column) for column in columns])
        for row in rows:
            writer.writerow([_format(table, column, row[column], style) for column in columns])


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


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
    pilots = (
        (_den_bosch_plan(random.Random(f"{seed}/den_bosch/plan")), DUTCH_STYLE),
        (_gooi_vechtstreek_plan(random.Random(f"{seed}/gooi_vechtstreek/plan")), ENGLISH_STYLE),
    )
    written: list[Path] = []
    for plan, style in pilots:
        tables = _build_pilot(plan, seed, people)
        folder = out / plan.pilot
        folder.mkdir(parents=True, exist_ok=True)
        if plan.pilot == "gooi_vechtstreek":
            tables.update(_gv_survey(plan, seed))
        for table, rows in tables.items():
            path = folder / style.file_names[table]
            _write_table(path, table, rows, style)
            written.append(path)
    return sorted(written)
