"""The synthetic world: the two pilots' schools, officers and partners, the school calendar and
the pseudonymous keys of the people in it.

The facts come from the calibration (``sample/data/``); this module turns them into plans,
drawing what the calibration gives as a range (Den Bosch's families and pupils per officer,
Gooi en Vechtstreek's pupils per officer) from a seeded `random.Random`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from brugdata.sample.calibration import PilotSettings, School, calibration

__all__ = [
    "KeyMaker",
    "OfficerPlan",
    "Partner",
    "People",
    "PilotPlan",
    "School",
    "den_bosch_plan",
    "gooi_vechtstreek_plan",
    "school_days",
]


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
    """Everything fixed about a pilot: its calibration settings, officers and partners."""

    settings: PilotSettings
    officers: tuple[OfficerPlan, ...]
    partners: tuple[Partner, ...]

    @property
    def pilot(self) -> str:
        """The pilot's code (also its folder name)."""
        return self.settings.pilot

    @property
    def schools(self) -> tuple[School, ...]:
        """The pilot's schools."""
        return self.settings.schools


def _partners(settings: PilotSettings) -> tuple[Partner, ...]:
    """The pilot's partners, numbered <prefix>-P01, -P02... in the calibration's order."""
    return tuple(
        Partner(f"{settings.prefix}-P{number:02d}", p.name, p.kind, p.weight, p.municipality)
        for number, p in enumerate(settings.partners, start=1)
    )


def den_bosch_plan(rng: random.Random) -> PilotPlan:
    """The Den Bosch proeftuin; family and pupil counts per officer are drawn from `rng`."""
    db = calibration().den_bosch
    officers: list[OfficerPlan] = []
    for role, code in db.officer_roles:
        for number, school in enumerate(db.settings.schools, start=1):
            officers.append(
                OfficerPlan(
                    officer_id=f"{db.settings.prefix}-{code}-{number:02d}",
                    role=role,
                    assignments=((school.school_id, db.hours_per_week),),
                    families=rng.randint(*db.families_per_officer),
                    pupils=rng.randint(*db.pupils_per_officer),
                )
            )
    return PilotPlan(db.settings, tuple(officers), _partners(db.settings))


def gooi_vechtstreek_plan(rng: random.Random) -> PilotPlan:
    """Gooi en Vechtstreek; pupil counts per officer are drawn from `rng`."""
    gv = calibration().gooi_vechtstreek
    types = {school.school_id: school.school_type for school in gv.settings.schools}
    officers: list[OfficerPlan] = []
    for spec in gv.officers:
        ratio = gv.pupils_per_family_helped[types[spec.assignments[0][0]]]
        ratio += rng.uniform(*gv.pupils_per_family_helped_jitter)
        officers.append(
            OfficerPlan(
                spec.officer_id,
                gv.officer_role,
                spec.assignments,
                spec.families,
                max(1, round(spec.families * ratio)),
            )
        )
    return PilotPlan(gv.settings, tuple(officers), _partners(gv.settings))


def school_days(region: str) -> list[date]:
    """All weekdays of the school year in a holiday region, holidays left out."""
    cal = calibration().calendar
    first, last = cal.span[region]
    holidays = cal.holidays[region]
    days: list[date] = []
    day = first
    while day <= last:
        if day.weekday() < 5 and not any(start <= day <= end for start, end in holidays):
            days.append(day)
        day += timedelta(days=1)
    return days


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
