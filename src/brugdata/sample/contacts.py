"""Contact moments, group activities and time use of one officer, drawn from the calibration.

An officer helps parents and pupils (cases: 1-5 contacts each, some ending in a referral),
consults colleagues at their schools and partners, holds a few group activities and spends
their time on tasks. Everything is in canonical codes; writing comes later.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from brugdata.sample.calibration import calibration
from brugdata.sample.draw import pick, pick_int, split, weighted_sample
from brugdata.sample.world import OfficerPlan, Partner, People, PilotPlan, School

__all__ = [
    "Contact",
    "OfficerContext",
    "activities",
    "officer_contacts",
    "shares",
    "theme_weights",
]


# ---------------------------------------------------------------------------------------------
# Themes and durations
# ---------------------------------------------------------------------------------------------


def theme_weights(month: int, counterpart: str, school_type: str, role: str) -> dict[str, float]:
    """Weight of each theme for a question asked in `month` in the given setting."""
    themes = calibration().themes
    weights: dict[str, float] = {}
    for theme, base in themes.weights.items():
        weight = base * themes.season.get(theme, {}).get(month, 1.0)
        weight *= themes.counterpart_factors.get(counterpart, {}).get(theme, 1.0)
        weight *= themes.school_type_factors[school_type].get(theme, 1.0)
        weight *= themes.role_factors[role].get(theme, 1.0)
        weights[theme] = weight
    return weights


def _themes(
    rng: random.Random, weights: Mapping[str, float], count: int, first: str | None = None
) -> tuple[str, ...]:
    """`count` distinct themes: `first` (if given) and then draws from `weights`."""
    chosen = [first] if first else []
    remaining = {theme: w for theme, w in weights.items() if theme not in chosen}
    while len(chosen) < count and remaining:
        theme = pick(rng, remaining)
        chosen.append(theme)
        del remaining[theme]
    return tuple(chosen)


def _duration(rng: random.Random, channel: str) -> int:
    """Duration in minutes, rounded to 5, within 5..120."""
    spec = calibration().contacts.durations[channel]
    minutes = 5 * round(rng.triangular(spec.low, spec.high, spec.mode) / 5)
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


def _population(school: School) -> int:
    """Number of families at a school, estimated from pupils when unknown."""
    if school.families is not None:
        return school.families
    return round(school.pupils / calibration().contacts.pupils_per_family_when_unknown)


def _cases(rng: random.Random, ctx: OfficerContext, people: People) -> list[Case]:
    """The parents and pupils one officer helps: families, then pupils (mostly of those)."""
    officer = ctx.officer
    populations = [_population(school) for school in ctx.schools]
    parent_families: list[tuple[School, int]] = []
    for school, count, population in zip(
        ctx.schools, split(officer.families, populations), populations, strict=True
    ):
        numbers = rng.sample(range(population), min(count, population))
        parent_families += [(school, number) for number in numbers]

    linked = round(officer.pupils * rng.uniform(*ctx.plan.settings.pupil_family_linked))
    linked = min(linked, officer.pupils)
    pupil_families = rng.sample(parent_families, min(linked, len(parent_families)))
    pupil_families += rng.choices(parent_families, k=linked - len(pupil_families))  # siblings
    used = set(parent_families)
    others: list[tuple[School, int]] = []
    for school, count, population in zip(
        ctx.schools, split(officer.pupils - linked, populations), populations, strict=True
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
    cal = calibration().contacts
    kind_weights = cal.referral_kinds[ctx.plan.pilot]
    fit = cal.referral_theme_fit_factor
    weights = [
        kind_weights.get(p.kind, 0.0) * (fit if theme in cal.partner_kind_themes[p.kind] else 1.0)
        for p in partners
    ]
    if not any(weights):
        weights = [p.weight for p in partners]
    return rng.choices(partners, weights=weights)[0].partner_id


def _case_contacts(
    rng: random.Random, ctx: OfficerContext, case: Case, referred: bool, partners: Sequence[Partner]
) -> list[Contact]:
    """The 1-5 contact moments of one case, the last one carrying a referral if any."""
    cal = calibration()
    index = rng.randrange(len(ctx.days))
    start = ctx.days[index]
    role = ctx.officer.role
    start_weights = theme_weights(start.month, case.counterpart, case.school.school_type, role)
    main_theme = pick(rng, start_weights)
    wanted = pick_int(rng, cal.contacts.contacts_per_case)
    contacts: list[Contact] = []
    while len(contacts) < wanted and index < len(ctx.days):
        day = ctx.days[index]
        follow_up = bool(contacts)
        initiative = (
            cal.contacts.follow_up_initiative if follow_up else cal.contacts.first_initiative
        )
        channel = pick(rng, cal.contacts.channels[case.counterpart])
        month_weights = theme_weights(day.month, case.counterpart, case.school.school_type, role)
        count = pick_int(rng, cal.themes.case_count_weights)
        contacts.append(
            Contact(
                date=day,
                officer_id=ctx.officer.officer_id,
                school_id=case.school.school_id,
                counterpart=case.counterpart,
                themes=_themes(rng, month_weights, count, first=main_theme),
                channel=channel,
                initiated_by=pick(rng, initiative[case.counterpart]),
                duration_min=_duration(rng, channel),
                person_key=case.person_key,
                family_key=case.family_key,
            )
        )
        index += rng.randint(*cal.contacts.follow_up_gap_days)
    if referred:
        contacts[-1].referred_to = _referral(rng, ctx, partners, main_theme)
    return contacts


def _colleague_contacts(rng: random.Random, ctx: OfficerContext) -> list[Contact]:
    """Contacts with colleagues at the officer's schools, spread over colleague roles."""
    cal = calibration()
    contacts: list[Contact] = []
    for _ in range(rng.randint(*ctx.plan.settings.colleague_contacts)):
        school = rng.choice(ctx.schools)
        secondary = school.school_type in cal.contacts.secondary_types
        roles = dict(cal.contacts.colleague_roles["secondary" if secondary else "primary"])
        if ctx.officer.role in roles:  # a school social worker does not consult themself
            del roles[ctx.officer.role]
        day = rng.choice(ctx.days)
        channel = pick(rng, cal.contacts.channels["colleague"])
        weights = theme_weights(day.month, "colleague", school.school_type, ctx.officer.role)
        contacts.append(
            Contact(
                date=day,
                officer_id=ctx.officer.officer_id,
                school_id=school.school_id,
                counterpart="colleague",
                themes=_themes(rng, weights, pick_int(rng, cal.themes.other_count_weights)),
                channel=channel,
                initiated_by=pick(rng, cal.contacts.first_initiative["colleague"]),
                duration_min=_duration(rng, channel),
                colleague_role=pick(rng, roles),
            )
        )
    return contacts


def _officer_partners(rng: random.Random, ctx: OfficerContext) -> list[Partner]:
    """The distinct partners an officer works with: the core ones plus weighted others."""
    settings = ctx.plan.settings
    municipalities = {school.municipality for school in ctx.schools}
    eligible = [
        p for p in ctx.plan.partners if not p.municipality or p.municipality in municipalities
    ]
    core = [p for p in eligible if p.partner_id in settings.core_partner_ids]
    local = [p for p in eligible if p.municipality and p.kind != "huisarts"]
    chosen = core + [p for p in local if p not in core]
    rest = [p for p in eligible if p not in chosen]
    wanted = min(rng.randint(*settings.partner_count), len(eligible))
    chosen += weighted_sample(rng, rest, [p.weight for p in rest], wanted - len(chosen))
    return sorted(chosen, key=lambda p: p.partner_id)


def _partner_contacts(
    rng: random.Random, ctx: OfficerContext, partners: Sequence[Partner]
) -> list[Contact]:
    """Consultations with partners (no referral): every partner of the officer at least once."""
    cal = calibration()
    contacts: list[Contact] = []
    for partner in partners:
        extra = int(partner.weight * cal.contacts.extra_partner_contacts_per_weight)
        for _ in range(pick_int(rng, ctx.plan.settings.contacts_per_partner) + extra):
            school = rng.choice(ctx.schools)
            day = rng.choice(ctx.days)
            channel = pick(rng, cal.contacts.channels["partner"])
            count = pick_int(rng, cal.themes.other_count_weights)
            kind_themes = cal.contacts.partner_kind_themes[partner.kind]
            contacts.append(
                Contact(
                    date=day,
                    officer_id=ctx.officer.officer_id,
                    school_id=school.school_id,
                    counterpart="partner",
                    themes=tuple(rng.sample(kind_themes, min(count, len(kind_themes)))),
                    channel=channel,
                    initiated_by=pick(rng, cal.contacts.first_initiative["partner"]),
                    duration_min=_duration(rng, channel),
                    partner_id=partner.partner_id,
                )
            )
    return contacts


def officer_contacts(rng: random.Random, ctx: OfficerContext, people: People) -> list[Contact]:
    """All contacts of one officer: cases (some referred), colleagues and partners."""
    partners = _officer_partners(rng, ctx)
    cases = _cases(rng, ctx, people)
    share = rng.uniform(*ctx.plan.settings.referral_share)
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


def activities(rng: random.Random, ctx: OfficerContext) -> list[dict[str, object]]:
    """A few group activities of one officer (without ids; those follow after sorting)."""
    cal = calibration()
    kinds = {kind: spec.weight for kind, spec in cal.activities.kinds.items()}
    rows: list[dict[str, object]] = []
    for _ in range(rng.randint(*ctx.plan.settings.activities)):
        kind = pick(rng, kinds)
        spec = cal.activities.kinds[kind]
        days = ctx.days
        if spec.months:  # e.g. outdoor sports in spring and summer
            days = [d for d in days if d.month in spec.months]
        count = min(len(spec.themes), pick_int(rng, cal.themes.other_count_weights))
        rows.append(
            {
                "date": rng.choice(days),
                "officer_id": ctx.officer.officer_id,
                "school_id": rng.choice(ctx.schools).school_id,
                "kind": kind,
                "themes": tuple(rng.sample(spec.themes, count)),
                "attendees": rng.randint(*spec.attendees),
            }
        )
    return rows


def shares(rng: random.Random, base: Mapping[str, float]) -> dict[str, int]:
    """Jittered integer percentages summing to exactly 100 (largest remainder)."""
    jitter = calibration().activities.time_use_jitter
    raw = [weight * rng.uniform(*jitter) for weight in base.values()]
    total = sum(raw)
    exact = [100 * value / total for value in raw]
    result = [int(value) for value in exact]
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - result[i]), i))
    for i in order[: 100 - sum(result)]:
        result[i] += 1
    return dict(zip(base, result, strict=True))
