"""National-scale synthetic data for the benchmark, calibrated like the sample generator.

:func:`build` makes the seven canonical tables for ``n`` contacts over 1,100+ schools (at 1M
contacts and up; fewer for small sizes) and as many school years as it takes at about 800
contacts per officer a year; :func:`write` writes them as the CSV exports a national study
receives (half of the pilots as a Dutch export: ``;``, Windows-1252, CRLF, Dutch headers and
values, ``dd-mm-yyyy``; the other half canonical UTF-8) and as Parquet (canonical columns,
typed, themes ``|``-joined), one contacts file per school year and style.

The distributions are those of :mod:`brugdata.sample` (its constants and calendar are reused):
themes by month, counterpart, school type and role; channels, initiative and durations by
counterpart and channel; colleague roles by school level; partner kinds and referral
preferences; reach of 20-60% of a school's families a year; pupils per family helped; time use
per role. Generation is vectorised with numpy (the sample generator's per-contact Python loop
would take minutes at 10M rows), and is deterministic for a seed.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from brugdata.model.tables import TABLES
from brugdata.sample import DEFAULT_SEED
from brugdata.sample.calibration import calibration
from brugdata.sample.contacts import shares, theme_weights
from brugdata.sample.world import school_days

#: The sample generator's calibration (brugdata/sample/data/*.toml).
CAL = calibration()

#: Bump when the generated data changes, so cached data is regenerated.
GENERATOR_VERSION = 5

#: Contacts per officer a year at national scale (the issue: 1,500 officers × 800).
CONTACTS_PER_OFFICER_YEAR = 800
NATIONAL_OFFICERS = 1500
OFFICERS_PER_SCHOOL = 1.3
SCHOOLS_PER_PILOT = 40
LAST_START_YEAR = 2024  # the last school year is 2024-2025, the sample's

#: School types of the schools with an officer (share), pupils (low, high, mode).
SCHOOL_TYPES = {"po": 0.74, "gbo": 0.05, "so": 0.04, "vso": 0.03, "vo": 0.14}
PUPILS = {
    "po": (60, 480, 190),
    "gbo": (60, 200, 110),
    "so": (40, 160, 90),
    "vso": (40, 160, 80),
    "vo": (300, 1900, 850),
}
#: Share of a school's families an officer reaches in a year (the sample: mostly 20-40%,
#: a sizeable group 40-60%).
REACH_SHARE = (0.18, 0.6)
#: Shares of an officer's contacts with colleagues and partners (the rest are cases).
COLLEAGUE_SHARE = (0.06, 0.10)
PARTNER_SHARE = (0.08, 0.14)
#: Share of officer-years that report their time use (the rest is derived from contacts).
TIME_USE_REPORTED = 0.6
#: Share of contacts without a duration, and with a free-text note.
NO_DURATION = 0.01
NOTES = 0.03
NOTE_TEXTS = (
    "Gesprek over één van de kinderen",
    "Ouder vraagt naar de schoolreis; café-bezoek gepland",
    "Zorgen over thuissituatie, ouder belt terug",
    "Overleg met IB’er over vervolg",
    "Aanvraag Leergeld besproken – formulier meegegeven",
)
#: A note with personal data (redacted at ingest), one in this many notes.
NOTE_WITH_PHONE_EVERY = 40


@dataclass(frozen=True)
class Plan:
    """The shape of the data for ``contacts`` contacts."""

    contacts: int
    officers: int
    schools: int
    pilots: int
    years: int

    @property
    def school_years(self) -> list[str]:
        first = LAST_START_YEAR - self.years + 1
        return [f"{y}-{y + 1}" for y in range(first, LAST_START_YEAR + 1)]


def plan(contacts: int, years: int | None = None) -> Plan:
    """1,500 officers and 1,154 schools from 1M contacts up (proportionally fewer below),
    and as many school years as ~800 contacts per officer a year take."""
    officers = max(8, min(NATIONAL_OFFICERS, round(NATIONAL_OFFICERS * contacts / 1_000_000)))
    schools = max(6, math.ceil(officers / OFFICERS_PER_SCHOOL))
    pilots = max(2, round(schools / SCHOOLS_PER_PILOT))
    if years is None:
        years = max(1, round(contacts / (officers * CONTACTS_PER_OFFICER_YEAR)))
    return Plan(contacts, officers, schools, pilots, years)


# --------------------------------------------------------------------------- helpers


def _cdf(weights: dict[str, float]) -> tuple[list[str], np.ndarray]:
    keys = list(weights)
    w = np.array([weights[k] for k in keys], dtype=float)
    return keys, np.cumsum(w / w.sum())


def _draw(rng: np.random.Generator, weights: dict[str, float], n: int) -> np.ndarray:
    """``n`` indices into ``list(weights)``, drawn with those weights."""
    _, cdf = _cdf(weights)
    return np.minimum(np.searchsorted(cdf, rng.random(n), side="right"), len(cdf) - 1)


def _draw_rows(rng: np.random.Generator, cdfs: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """One draw per element of ``rows`` from the cumulative distribution ``cdfs[row]``:
    one binary search in the rows' cdfs laid end to end (row r shifted by r)."""
    k = cdfs.shape[1]
    shifted = (cdfs + np.arange(cdfs.shape[0])[:, None]).ravel()
    u = np.minimum(rng.random(len(rows)), 1 - 1e-12)
    pos = np.searchsorted(shifted, rows + u, side="right") - rows * k
    return np.clip(pos, 0, k - 1)


def _labels(labels: list[str], codes: np.ndarray) -> pl.Series:
    return pl.Series(labels, dtype=pl.String).gather(pl.Series(codes.astype(np.int64)))


def _keys(prefix: str, ids: np.ndarray, salt: int) -> pl.Series:
    """Pseudonymous keys ``P-012345678``: a bijection of 28-bit ids (distinct ids give
    distinct keys) that does not show the school or family number."""
    x = (ids.astype(np.uint64) * np.uint64(0x9E3779B1) + np.uint64(salt)) & np.uint64(0xFFFFFFF)
    digits = pl.Series("key", x.astype(np.int64)).cast(pl.String).str.zfill(9)
    return (prefix + "-" + digits).rename("key")


def _school_days(region: str, start_year: int) -> np.ndarray:
    """The sample's school days of 2024-2025 in ``region``, moved to the school year starting
    in ``start_year`` by whole weeks (weekdays stay weekdays); as days since 1970."""
    days = school_days(region)
    shift = dt.timedelta(weeks=52 * (LAST_START_YEAR - start_year))
    epoch = dt.date(1970, 1, 1)
    return np.array([(d - shift - epoch).days for d in days], dtype=np.int64)


# --------------------------------------------------------------------------- the tables


def build(
    contacts: int, seed: int = DEFAULT_SEED, years: int | None = None
) -> dict[str, pl.DataFrame]:
    """The seven canonical tables (typed polars frames) plus ``_pilots`` (pilot, style)."""
    p = plan(contacts, years)
    rng = np.random.default_rng([seed, contacts, GENERATOR_VERSION])
    year_names = p.school_years
    start_years = [int(y[:4]) for y in year_names]

    # pilots: even ones write Dutch exports (Den Bosch style), odd ones English (GV style)
    pilot_names = [f"pilot_{i + 1:02d}" for i in range(p.pilots)]
    dutch = np.array([i % 2 == 0 for i in range(p.pilots)])
    flavour = ["den_bosch" if d else "gooi_vechtstreek" for d in dutch]
    region = ["zuid" if d else "noord" for d in dutch]

    # schools
    n_s = p.schools
    stype = _draw(rng, SCHOOL_TYPES, n_s)
    type_names = list(SCHOOL_TYPES)
    pupils = np.empty(n_s, dtype=np.int64)
    for t, name in enumerate(type_names):
        low, high, mode = PUPILS[name]
        mask = stype == t
        pupils[mask] = np.round(rng.triangular(low, mode, high, mask.sum()))
    per_family = np.where(
        np.array(type_names)[stype] == "vo", CAL.contacts.pupils_per_family_when_unknown, 1.6
    )
    families = np.maximum(1, np.round(pupils / per_family)).astype(np.int64)
    families_known = rng.random(n_s) >= 0.02
    school_pilot = np.minimum(np.arange(n_s) * p.pilots // n_s, p.pilots - 1)
    is_vo = np.array(type_names)[stype] == "vo"
    school_ids = [
        (
            f"93{chr(65 + (i // 26) % 26)}{chr(65 + i % 26)}"
            if vo and i < 676
            else f"{91 + (i // 676) % 2}{chr(65 + (i // 26) % 26)}{chr(65 + i % 26)}00"
        )
        for i, vo in enumerate(is_vo)
    ]
    municipality = [
        f"Gemeente {pilot_names[sp][-2:]}-{i % 5 + 1}" for i, sp in enumerate(school_pilot)
    ]
    names = [
        f"{['Basisschool', 'Kindcentrum', 'IKC'][i % 3]} De Zeeën {i}"
        if not vo
        else f"Scholengemeenschap Het Baken {i}"
        for i, vo in enumerate(is_vo)
    ]
    school_region = [region[sp] if i % 17 else None for i, sp in enumerate(school_pilot)]
    schools_one = pl.DataFrame(
        {
            "school_id": school_ids,
            "name": names,
            "pilot": [pilot_names[sp] for sp in school_pilot],
            "municipality": municipality,
            "school_type": _labels(type_names, stype),
            "pupils": pupils,
            "families": pl.Series(np.where(families_known, families, 0)).set(
                pl.Series(~families_known), None
            ),
            "region": school_region,
        }
    )
    schools = pl.concat(
        [schools_one.with_columns(school_year=pl.lit(y)) for y in year_names]
    ).select(TABLES["schools"].column_names)

    # officers: one per school first, the rest at the larger schools; 10% take a second school
    n_o = p.officers
    first_school = np.concatenate(
        [np.arange(min(n_o, n_s)), rng.choice(n_s, size=max(0, n_o - n_s), p=pupils / pupils.sum())]
    )
    officer_pilot = school_pilot[first_school]
    second = np.full(n_o, -1)
    takes_two = rng.random(n_o) < 0.1
    for o in np.flatnonzero(takes_two):
        same = np.flatnonzero(school_pilot == officer_pilot[o])
        other = same[same != first_school[o]]
        if len(other):
            second[o] = rng.choice(other)
    role_names = ["brugfunctionaris", "jeugdverpleegkundige", "schoolmaatschappelijk_werker"]
    role = np.where(dutch[officer_pilot], rng.choice([0, 0, 1, 2], n_o), 0)
    officer_ids = [f"{pilot_names[officer_pilot[o]][-2:]}-BF-{o + 1:04d}" for o in range(n_o)]
    officers = pl.DataFrame(
        {
            "officer_id": officer_ids,
            "pilot": [pilot_names[x] for x in officer_pilot],
            "role": _labels(role_names, role),
        }
    )

    # assignments (officer, school, year): hours; the unit contacts are generated for
    a_off = np.concatenate([np.arange(n_o), np.flatnonzero(second >= 0)])
    a_school = np.concatenate([first_school, second[second >= 0]])
    a_hours = np.where(
        role[a_off] == 0,
        np.round(rng.uniform(12, 32, len(a_off)) / 2) * 2,
        6.0,
    )
    a_hours = np.where(np.arange(len(a_off)) >= n_o, np.maximum(6.0, a_hours / 2), a_hours)
    n_a = len(a_off)
    assignments = pl.concat(
        [
            pl.DataFrame(
                {
                    "officer_id": [officer_ids[o] for o in a_off],
                    "school_id": [school_ids[s] for s in a_school],
                    "school_year": [y] * n_a,
                    "hours_per_week": a_hours,
                }
            )
            for y in year_names
        ]
    )

    # partners: the sample's Gooi en Vechtstreek partner list, per pilot
    rows = CAL.gooi_vechtstreek.settings.partners
    kinds = [r.kind for r in rows]
    weights = np.array([r.weight for r in rows])
    n_pp = len(rows)
    partner_ids = [
        f"{pilot_names[i][-2:]}-P{j + 1:02d}" for i in range(p.pilots) for j in range(n_pp)
    ]
    partners = pl.DataFrame(
        {
            "partner_id": partner_ids,
            "name": [f"{r.name} ({pilot_names[i]})" for i in range(p.pilots) for r in rows],
            "kind": [k for _ in range(p.pilots) for k in kinds],
        }
    )
    # each officer works with the 3 core partners and 7-17 more (weighted, without
    # replacement: Gumbel top-k); contact and referral distributions over those
    k_max = 20
    want = rng.integers(10, 21, n_o)
    gumbel = np.log(weights)[None, :] - np.log(-np.log(rng.random((n_o, n_pp))))
    gumbel[:, :3] = np.inf  # core partners
    order = np.argsort(-gumbel, axis=1)[:, :k_max]
    chosen_mask = np.arange(k_max)[None, :] < want[:, None]
    contact_w = np.where(chosen_mask, weights[order], 0.0)
    ref_w = np.zeros_like(contact_w)
    for officer in range(n_o):
        kw = CAL.contacts.referral_kinds[flavour[officer_pilot[officer]]]
        ref_w[officer] = [kw.get(kinds[j], 0.0) for j in order[officer]]
    ref_w = np.where(chosen_mask, ref_w, 0.0)
    ref_w[ref_w.sum(axis=1) == 0] = contact_w[ref_w.sum(axis=1) == 0]
    contact_cdf = np.cumsum(contact_w / contact_w.sum(1, keepdims=True), axis=1)
    ref_cdf = np.cumsum(ref_w / ref_w.sum(1, keepdims=True), axis=1)
    partner_base = officer_pilot * n_pp  # index of the officer's pilot's first partner

    # units: assignment × year; contacts per unit ∝ hours, summing to exactly p.contacts
    u_a = np.repeat(np.arange(n_a), len(year_names))
    u_y = np.tile(np.arange(len(year_names)), n_a)
    share = a_hours[u_a] * rng.uniform(0.85, 1.15, len(u_a))
    total = np.floor(share / share.sum() * p.contacts).astype(np.int64)
    total[np.argsort(-share)[: p.contacts - total.sum()]] += 1
    u_off, u_school = a_off[u_a], a_school[u_a]
    n_colleague = np.round(total * rng.uniform(*COLLEAGUE_SHARE, len(total))).astype(np.int64)
    n_partner = np.round(total * rng.uniform(*PARTNER_SHARE, len(total))).astype(np.int64)
    n_case = total - n_colleague - n_partner
    pop = families[u_school]
    fam_cases = np.maximum(1, np.round(pop * rng.uniform(*REACH_SHARE, len(total)))).astype(int)
    ratio = np.array(
        [CAL.gooi_vechtstreek.pupils_per_family_helped[type_names[t]] for t in stype[u_school]]
    )
    pup_cases = np.maximum(1, np.round(fam_cases * ratio * rng.uniform(0.9, 1.1, len(total))))
    pup_cases = pup_cases.astype(np.int64)
    # never more cases than case contacts
    cases = np.minimum(fam_cases + pup_cases, n_case)
    fam_cases = np.minimum(fam_cases, np.ceil(cases * 0.58).astype(np.int64))
    pup_cases = cases - fam_cases

    # -- case contacts: one row per contact, each of a case of its unit
    cu = np.repeat(np.arange(len(total)), n_case)  # unit of each case contact
    j = np.arange(len(cu)) - np.repeat(np.cumsum(n_case) - n_case, n_case)
    k = np.where(j < cases[cu], j, (cases[cu] * rng.random(len(cu)) ** 2).astype(np.int64))
    is_parent = k < fam_cases[cu]
    F = pop[cu]
    step = _coprime_steps(F)
    offset = rng.integers(0, 1 << 30, len(total))[cu]
    # pupil cases: a linked share are children of the families reached, the rest other families
    linked_share = np.where(dutch[officer_pilot[u_off[cu]]], 0.75, 0.85)
    pk = k - fam_cases[cu]
    pupil_linked = (pk < np.round(pup_cases[cu] * linked_share)) & (fam_cases[cu] > 0)
    seq = np.where(
        is_parent,
        k,
        np.where(pupil_linked, pk % np.maximum(fam_cases[cu], 1), fam_cases[cu] + pk),
    )
    child = np.where(is_parent | ~pupil_linked, 0, pk // np.maximum(fam_cases[cu], 1))
    child = np.minimum(child, 3)
    number = (offset + seq * step) % F  # distinct families within a unit while seq < F
    school_of = u_school[cu]
    fam_id = school_of.astype(np.int64) * 4096 + number
    family_key = _keys("G", fam_id, 0x1234567)
    parent_key = _keys("P", fam_id, 0x0ABCDEF)
    pupil_key = _keys("P", (1 << 26) + fam_id * 4 + child, 0x0ABCDEF)
    c_counterpart = np.where(is_parent, 0, 1)  # parent, pupil

    # -- colleague and partner contacts
    gu = np.repeat(np.arange(len(total)), n_colleague)
    pu = np.repeat(np.arange(len(total)), n_partner)

    unit = np.concatenate([cu, gu, pu])
    counterpart = np.concatenate(
        [c_counterpart, np.full(len(gu), 2), np.full(len(pu), 3)]
    )  # parent, pupil, colleague, partner
    n = len(unit)
    assert n == p.contacts, (n, p.contacts)
    off = u_off[unit]
    sch = u_school[unit]
    year = u_y[unit]

    # dates: a school day of the unit's year in the pilot's holiday region
    date = np.empty(n, dtype=np.int64)
    for ri, reg in enumerate(("zuid", "noord")):
        for yi, sy in enumerate(start_years):
            days = _school_days(reg, sy)
            mask = (year == yi) & (dutch[officer_pilot[off]] == (ri == 0))
            date[mask] = days[rng.integers(0, len(days), mask.sum())]
    dates = pl.Series("date", date).cast(pl.Date)
    month = dates.dt.month().to_numpy().astype(np.int64)

    # themes: main theme by month × counterpart × school type × role, then 0-2 more
    theme_names = list(CAL.themes.weights)
    cp_names = ["parent", "pupil", "colleague", "partner"]
    cdfs = np.zeros((12, 4, len(type_names), 3, len(theme_names)))
    for m in range(12):
        for c, cp in enumerate(cp_names):
            for t, tn in enumerate(type_names):
                for r, rn in enumerate(role_names):
                    w = theme_weights(m + 1, cp, tn, rn)
                    arr = np.array([w[x] for x in theme_names])
                    cdfs[m, c, t, r] = np.cumsum(arr / arr.sum())
    row = (((month - 1) * 4 + counterpart) * len(type_names) + stype[sch]) * 3 + role[off]
    flat = cdfs.reshape(-1, len(theme_names))
    t1 = _draw_rows(rng, flat, row)
    case_like = counterpart < 2
    count = np.where(
        case_like,
        _draw(rng, {str(k): v for k, v in CAL.themes.case_count_weights.items()}, n) + 1,
        _draw(rng, {str(k): v for k, v in CAL.themes.other_count_weights.items()}, n) + 1,
    )
    t2 = np.where(count >= 2, _draw_rows(rng, flat, row), -1)
    t3 = np.where(count >= 3, _draw_rows(rng, flat, row), -1)
    # partner contacts: themes of the partner's kind
    p_slot = _draw_rows(rng, contact_cdf, off)
    partner_idx = partner_base[off] + order[off, p_slot]
    is_partner = counterpart == 3
    kind_themes = [
        [theme_names.index(x) for x in CAL.contacts.partner_kind_themes[kinds[j]]]
        for j in range(n_pp)
    ]
    kt_len = np.array([len(x) for x in kind_themes])
    kt = np.full((n_pp, max(kt_len)), -1)
    for jj, x in enumerate(kind_themes):
        kt[jj, : len(x)] = x
    pk_local = partner_idx % n_pp
    pick1 = (rng.random(n) * kt_len[pk_local]).astype(np.int64)
    pick2 = (pick1 + 1 + (rng.random(n) * (kt_len[pk_local] - 1)).astype(np.int64)) % kt_len[
        pk_local
    ]
    t1 = np.where(is_partner, kt[pk_local, pick1], t1)
    t2 = np.where(is_partner, np.where(count >= 2, kt[pk_local, pick2], -1), t2)
    t3 = np.where(is_partner, -1, t3)
    tn_series = pl.Series(theme_names + [""], dtype=pl.String)
    themes = (
        pl.DataFrame(
            {
                "a": tn_series.gather(pl.Series(t1)),
                "b": tn_series.gather(pl.Series(np.where(t2 < 0, len(theme_names), t2))),
                "c": tn_series.gather(pl.Series(np.where(t3 < 0, len(theme_names), t3))),
            }
        )
        .select(
            pl.concat_list("a", "b", "c")
            .list.eval(pl.element().filter(pl.element() != ""))
            .list.unique(maintain_order=True)
            .list.join("|")
            .alias("themes")
        )
        .get_column("themes")
    )

    # channel, initiative, duration
    channel_names = list(CAL.contacts.durations)
    ch_cdf = np.zeros((4, len(channel_names)))
    init_names = ["parent", "pupil", "colleague", "partner", "officer"]
    in_cdf = np.zeros((4, len(init_names)))
    for c, cp in enumerate(cp_names):
        w = CAL.contacts.channels[cp]
        ch_cdf[c] = np.cumsum([w.get(x, 0) for x in channel_names]) / sum(w.values())
        wi = CAL.contacts.first_initiative[cp]
        in_cdf[c] = np.cumsum([wi.get(x, 0) for x in init_names]) / sum(wi.values())
    channel = _draw_rows(rng, ch_cdf, counterpart)
    initiated = _draw_rows(rng, in_cdf, counterpart)
    low = np.array([CAL.contacts.durations[c].low for c in channel_names])[channel]
    high = np.array([CAL.contacts.durations[c].high for c in channel_names])[channel]
    mode = np.array([CAL.contacts.durations[c].mode for c in channel_names])[channel]
    minutes = np.clip(5 * np.round(rng.triangular(low, mode, high) / 5), 5, 120).astype(np.int64)
    no_duration = rng.random(n) < NO_DURATION

    # colleague roles by school level (a school social worker does not consult themself)
    col_names = list(
        dict.fromkeys(
            list(CAL.contacts.colleague_roles["primary"])
            + list(CAL.contacts.colleague_roles["secondary"])
        )
    )
    role_cdf = np.zeros((2, 3, len(col_names)))
    for lv, level in enumerate(("primary", "secondary")):
        for r, rn in enumerate(role_names):
            w = {k: v for k, v in CAL.contacts.colleague_roles[level].items() if k != rn}
            role_cdf[lv, r] = np.cumsum([w.get(x, 0) for x in col_names]) / sum(w.values())
    secondary = np.isin(np.array(type_names)[stype], CAL.contacts.secondary_types).astype(np.int64)
    colleague_role = _draw_rows(rng, role_cdf.reshape(6, -1), secondary[sch] * 3 + role[off])

    # referrals: a case contact carries one with the pilot's referral share per case
    ref_share = np.where(dutch[officer_pilot[off]], 0.10, 0.30)
    per_case = np.maximum(1.0, n_case[unit] / np.maximum(cases[unit], 1))
    referred = case_like & (rng.random(n) < ref_share / per_case)
    ref_slot = _draw_rows(rng, ref_cdf, off)
    referral_idx = partner_base[off] + order[off, ref_slot]

    # notes: a few, some with accents (cp1252 in the Dutch exports), a few with a phone number
    has_note = rng.random(n) < NOTES
    note_pick = rng.integers(0, len(NOTE_TEXTS) + 1, n)
    note_texts = list(NOTE_TEXTS) + ["Ouder vraagt terugbellen op 06-12345678"]
    note_pick = np.where(
        rng.random(n) < 1 / NOTE_WITH_PHONE_EVERY, len(NOTE_TEXTS), note_pick % len(NOTE_TEXTS)
    )

    order_rows = np.lexsort((off, date))  # by date, then officer, like the sample

    def by_date(a: np.ndarray) -> np.ndarray:
        return a[order_rows]

    null = pl.lit(None, dtype=pl.String)
    is_case = by_date(case_like)
    is_colleague = by_date(counterpart == 2)
    contacts_frame = pl.DataFrame(
        {
            "date": dates.gather(pl.Series(order_rows)),
            "officer_id": _labels(officer_ids, by_date(off)),
            "school_id": _labels(school_ids, by_date(sch)),
            "counterpart": _labels(cp_names, by_date(counterpart)),
            "_parent_key": _pad(parent_key, n).gather(pl.Series(order_rows)),
            "_pupil_key": _pad(pupil_key, n).gather(pl.Series(order_rows)),
            "_family_key": _pad(family_key, n).gather(pl.Series(order_rows)),
            "_is_case": is_case,
            "_is_colleague": is_colleague,
            "_colleague_role": _labels(col_names, by_date(colleague_role)),
            "_partner": _labels(partner_ids, by_date(partner_idx)),
            "themes": themes.gather(pl.Series(order_rows)),
            "channel": _labels(channel_names, by_date(channel)),
            "initiated_by": _labels(init_names, by_date(initiated)),
            "duration_min": pl.Series(by_date(minutes)).set(pl.Series(by_date(no_duration)), None),
            "_referred": by_date(referred),
            "_referral": _labels(partner_ids, by_date(referral_idx)),
            "_has_note": by_date(has_note),
            "_note": _labels(note_texts, by_date(note_pick)),
        }
    )
    parent = pl.col("counterpart") == "parent"
    contacts_frame = contacts_frame.select(
        pl.format("C{}", (pl.int_range(1, pl.len() + 1)).cast(pl.String).str.zfill(9)).alias(
            "contact_id"
        ),
        "date",
        "officer_id",
        "school_id",
        "counterpart",
        pl.when(parent)
        .then(pl.col("_parent_key"))
        .when(pl.col("_is_case"))
        .then(pl.col("_pupil_key"))
        .otherwise(null)
        .alias("person_key"),
        pl.when(pl.col("_is_case")).then(pl.col("_family_key")).otherwise(null).alias("family_key"),
        pl.when(pl.col("_is_colleague"))
        .then(pl.col("_colleague_role"))
        .otherwise(null)
        .alias("colleague_role"),
        pl.when(pl.col("counterpart") == "partner")
        .then(pl.col("_partner"))
        .otherwise(null)
        .alias("partner_id"),
        "themes",
        "channel",
        "initiated_by",
        "duration_min",
        pl.when(pl.col("_referred")).then(pl.col("_referral")).otherwise(null).alias("referred_to"),
        pl.when(pl.col("_has_note")).then(pl.col("_note")).otherwise(null).alias("notes"),
    )
    # every Dutch export holds accented text, so it is Windows-1252 however small: the first
    # contact of each officer of a Dutch pilot each month carries a note with "één"
    dutch_officers = [officer_ids[o] for o in range(n_o) if dutch[officer_pilot[o]]]
    first = pl.struct("officer_id", pl.col("date").dt.truncate("1mo")).is_first_distinct()
    contacts_frame = contacts_frame.with_columns(
        notes=pl.when(first & pl.col("officer_id").is_in(pl.Series(dutch_officers).implode()))
        .then(pl.lit(NOTE_TEXTS[0]))
        .otherwise(pl.col("notes"))
    )

    # time use: reported by most officer-years (the sample's base shares, jittered)
    tu_rows = []
    py_rng = __import__("random").Random(f"{seed}/{contacts}/time_use")
    for o_i in range(n_o):
        for y in year_names:
            if py_rng.random() < TIME_USE_REPORTED:
                pct = shares(py_rng, CAL.activities.time_use_base[role_names[role[o_i]]])
                tu_rows += [(officer_ids[o_i], y, task, v) for task, v in pct.items()]
    time_use = pl.DataFrame(
        tu_rows,
        schema={
            "officer_id": pl.String,
            "school_year": pl.String,
            "task": pl.String,
            "share_pct": pl.Float64,
        },
        orient="row",
    )

    # activities: a few per officer and year
    act_kinds = list(CAL.activities.kinds)
    n_act = n_o * len(year_names) * 4
    a_o = np.repeat(np.arange(n_o), len(year_names) * 4)
    a_y = np.tile(np.repeat(np.arange(len(year_names)), 4), n_o)
    a_kind = _draw(rng, {k: v.weight for k, v in CAL.activities.kinds.items()}, n_act)
    a_days = np.array(
        [
            _school_days("noord", start_years[y])[int(d)]
            for y, d in zip(a_y, rng.integers(0, 180, n_act), strict=True)
        ]
    )
    activities = pl.DataFrame(
        {
            "activity_id": [f"A{i + 1:08d}" for i in range(n_act)],
            "date": pl.Series(a_days).cast(pl.Date),
            "officer_id": _labels(officer_ids, a_o),
            "school_id": _labels(school_ids, first_school[a_o]),
            "kind": _labels(act_kinds, a_kind),
            "themes": [CAL.activities.kinds[act_kinds[k]].themes[0] for k in a_kind],
            "attendees": rng.integers(4, 40, n_act),
            "notes": pl.Series([None] * n_act, dtype=pl.String),
        }
    )
    return {
        "schools": schools,
        "officers": officers,
        "partners": partners,
        "assignments": assignments,
        "contacts": contacts_frame,
        "activities": activities,
        "time_use": time_use,
        "_pilots": pl.DataFrame({"pilot": pilot_names, "dutch": dutch.tolist()}),
    }


def _pad(keys: pl.Series, n: int) -> pl.Series:
    """Keys of the case contacts (which come first) padded with nulls to all n contacts."""
    return keys.extend_constant(None, n - len(keys))


def _coprime_steps(F: np.ndarray) -> np.ndarray:
    """Per population size a step coprime with it, so (offset + i × step) mod F visits
    distinct families for i < F."""
    primes = np.array([7919, 7927, 7933, 7937, 7949, 7951, 7963, 7993])
    step = np.full(len(F), primes[0])
    for p_ in primes[::-1]:
        step = np.where(F % p_ != 0, p_, step)
    return step


# --------------------------------------------------------------------------- writing


def _dutch_contacts(frame: pl.DataFrame) -> pl.DataFrame:
    """Contacts as a Dutch export writes them: Dutch headers and values, dd-mm-yyyy."""
    style = CAL.export.styles["dutch"]
    out = frame.with_columns(pl.col("date").dt.strftime("%d-%m-%Y"))
    for column in ("counterpart", "colleague_role", "channel", "initiated_by"):
        mapping = style.values.get(CAL.export.column_vocab[("contacts", column)], {})
        if mapping:
            out = out.with_columns(pl.col(column).replace(mapping))
    theme_map = style.values.get("theme", {})
    out = out.with_columns(
        pl.col("themes").str.split("|").list.eval(pl.element().replace(theme_map)).list.join("|")
    )
    headers = dict(style.headers["contacts"])
    headers["notes"] = "notities"
    return out.rename(headers)


def write(tables: dict[str, pl.DataFrame], out: Path) -> dict[str, list[Path]]:
    """Write ``out/csv/`` and ``out/parquet/``; return the contacts files by format."""
    csv_dir, pq_dir = out / "csv", out / "parquet"
    csv_dir.mkdir(parents=True, exist_ok=True)
    pq_dir.mkdir(parents=True, exist_ok=True)
    for name in ("schools", "officers", "partners", "assignments", "activities", "time_use"):
        frame = tables[name]
        frame.write_csv(csv_dir / f"{name}.csv")
        frame.write_parquet(pq_dir / f"{name}.parquet")
    contacts = tables["contacts"]
    dutch_pilots = tables["_pilots"].filter("dutch").get_column("pilot")
    dutch_officers = tables["officers"].filter(pl.col("pilot").is_in(dutch_pilots.implode()))
    is_dutch = pl.col("officer_id").is_in(dutch_officers.get_column("officer_id").implode())
    start = pl.col("date").dt.year() - (pl.col("date").dt.month() < 8).cast(pl.Int32)
    year_of = pl.format("{}-{}", start, start + 1)
    files: dict[str, list[Path]] = {"csv": [], "parquet": []}
    for (year,), part in contacts.with_columns(_y=year_of).group_by("_y", maintain_order=True):
        part = part.drop("_y")
        pq = pq_dir / f"contacts_{year}.parquet"
        part.write_parquet(pq)
        files["parquet"].append(pq)
        nl = part.filter(is_dutch)
        en = part.filter(~is_dutch)
        path_en = csv_dir / f"contacts_{year}.csv"
        en.write_csv(path_en)
        path_nl = csv_dir / f"contacten_{year}.csv"
        text = _dutch_contacts(nl).write_csv(separator=";", line_terminator="\r\n")
        path_nl.write_bytes(text.encode("cp1252"))
        files["csv"] += [path_nl, path_en]
    return files
