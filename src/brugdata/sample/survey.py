"""The Gooi en Vechtstreek questionnaire: the five survey tables as canonical rows.

16 of the 21 officers responded (``survey.toml``); each gives the parents and pupils they
helped, their schools' population, how often they spoke the parents of pupils they helped,
their network, their time use in steps of 5%, themes per asker, partners and open answers.
"""

from __future__ import annotations

import random
from collections.abc import Mapping

from brugdata.sample.calibration import calibration
from brugdata.sample.draw import weighted_sample
from brugdata.sample.world import PilotPlan

__all__ = ["survey_tables"]

Row = dict[str, object]


def _shares_of_5(rng: random.Random, base: Mapping[str, float]) -> dict[str, int]:
    """Jittered percentages in steps of 5 summing to exactly 100 (largest remainder), as
    officers fill in a questionnaire."""
    jitter = calibration().activities.time_use_jitter
    raw = [weight * rng.uniform(*jitter) for weight in base.values()]
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
    """The range of an officer: their own, else their school type's, else the default."""
    return ranges.get(key) or ranges.get(school_type) or ranges["default"]


def survey_tables(plan: PilotPlan, seed: int) -> dict[str, list[Row]]:
    """The questionnaire of `plan`'s pilot: the five survey tables as canonical rows.

    Uses its own random stream, so the other tables do not change with it. The population a
    respondent gives is the pupils and families of their schools in ``schools``: unknown (empty)
    when a school's families are unknown.
    """
    cal = calibration()
    survey = cal.survey
    rng = random.Random(f"{seed}/{plan.pilot}/survey")
    schools = {school.school_id: school for school in plan.schools}
    officers = {o.officer_id: o for o in plan.officers}
    partners = plan.settings.partners
    key = {"pilot": plan.pilot, "school_year": cal.calendar.school_year}
    tables: dict[str, list[Row]] = {
        "survey": [],
        "survey_time_use": [],
        "survey_partners": [],
        "survey_themes": [],
        "survey_answers": [],
    }
    for officer_id, parents, pupils in survey.respondents:
        officer = officers[officer_id]
        own = [schools[s] for s, _ in officer.assignments]
        school_type = own[0].school_type
        families = [s.families for s in own]
        external = rng.randint(*_range_for(officer_id, school_type, survey.external_contacts))
        low, high = _range_for(officer_id, school_type, survey.parents_spoken_pct)
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
                    *_range_for(officer_id, school_type, survey.internal_contacts)
                ),
                "external_contacts": external,
            }
        )
        time_use = _shares_of_5(rng, cal.activities.time_use_base[officer.role])
        for task, share in time_use.items():
            tables["survey_time_use"].append({**base, "task": task, "share_pct": share})

        municipalities = {s.municipality for s in own}
        eligible = [p for p in partners if not p.municipality or p.municipality in municipalities]
        n_core = len(plan.settings.core_partner_ids)  # the pilot's first partners
        core, rest = eligible[:n_core], eligible[n_core:]
        named = core + weighted_sample(
            rng, rest, [p.weight for p in rest], min(external, len(eligible)) - len(core)
        )
        tables["survey_partners"] += [
            {**base, "organisation": p.name, "kind": p.kind}
            for p in sorted(named, key=partners.index)
        ]

        for asker, weights in survey.themes.items():
            count = rng.randint(*survey.theme_counts[asker])
            chosen = weighted_sample(rng, list(weights), list(weights.values()), count)
            tables["survey_themes"] += [
                {**base, "asker": asker, "theme": theme} for theme in chosen
            ]

        for (relation, kind), texts in survey.answers.items():
            if rng.random() < survey.answer_chance[kind]:
                tables["survey_answers"].append(
                    {**base, "relation": relation, "kind": kind, "text": rng.choice(texts)}
                )
    return tables
