"""The readings: the sentences that open each section ("what the figures show"), written in
Dutch or English from the tables as shown (after the transform), so a suppressed cell is
suppressed in the text too. They say what was counted, never what caused it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from brugdata.publish.report.build import (
    Network,
    Pathways,
    Quality,
    Reach,
    Seasons,
    Summary,
    TimeUse,
)
from brugdata.publish.report.texts import Texts, isnum, pilots_in

__all__ = [
    "band_readings",
    "network_readings",
    "pathway_readings",
    "quality_readings",
    "reach_readings",
    "season_readings",
    "summary_readings",
    "time_use_readings",
]


def summary_readings(s: Summary, tx: Texts) -> list[str]:
    """Contacts per officer-hour per pilot, and the tests between pilots."""
    from brugdata.analysis.compare import METRICS, SCHOOL_WEEKS

    frame, idx = s.frame, 0 if tx.lang == "nl" else 1
    items = []
    for pilot in s.pilots:
        get = {c["metric"]: c["value"] for c in frame.filter(pl.col("pilot") == pilot).to_dicts()}
        if "contacts" in get:
            items.append(
                tx.r(
                    "contacts_hour",
                    pilot=tx.pilot(pilot),
                    contacts=tx.fmt(get.get("contacts"), "int"),
                    per_hour=tx.fmt(get.get("contacts_per_officer_hour"), "dec2"),
                    weeks=SCHOOL_WEEKS,
                )
            )
    for metric in (
        "parents_reached_pct",
        "pupils_reached_pct",
        "pupil_cases_parents_contacted_pct",
    ):
        tested = frame.filter((pl.col("metric") == metric) & pl.col("p_value").is_not_null())
        if len(s.pilots) < 2 or tested.is_empty():
            continue
        p = tested["p_value"][0]
        if not isnum(p):
            continue
        verdict = tx.r("significant" if p < 0.05 else "not_significant")
        items.append(tx.r("test", figure=METRICS[metric][idx], verdict=verdict, p=tx.fmt(p, "p")))
    return items


def partial_reach(row: dict[str, Any]) -> dict[str, Any] | None:
    """A reach row's share over the schools whose count is known, when some school's count
    is not (``value``, ``ci_low``, ``ci_high``, ``known`` and ``schools``, ``population`` of
    the known schools), else None."""
    if row.get("population") is not None or not isnum(row.get("pct")):
        return None
    if not row.get("schools_known"):
        return None
    return {
        "value": row["pct"],
        "ci_low": row.get("ci_low"),
        "ci_high": row.get("ci_high"),
        "known": row["schools_known"],
        "schools": row.get("schools"),
        "population": row.get("population_known"),
    }


def reach_readings(r: Reach, pilots: Sequence[str], tx: Texts) -> list[str]:
    """Families and pupils reached per pilot (over the schools with a known population where
    some school's is unknown, as the reach row gives it), and the parents of pupil cases."""
    items = []
    for pilot in pilots_in(r.reach, pilots):
        rows = {x["counterpart"]: x for x in r.reach.filter(pl.col("pilot") == pilot).to_dicts()}
        parent, pupil = rows.get("parent", {}), rows.get("pupil", {})
        items.append(
            tx.r(
                "reach",
                pilot=tx.pilot(pilot),
                parents=_reach_part(tx, "parent", parent),
                pupils=_reach_part(tx, "pupil", pupil),
                parents_hour=tx.fmt(parent.get("reached_per_weekly_hour"), "dec2"),
                pupils_hour=tx.fmt(pupil.get("reached_per_weekly_hour"), "dec2"),
            )
        )
    for row in r.cases.to_dicts():
        if row.get("pct") is None:
            continue
        items.append(
            tx.r(
                "cases",
                pilot=tx.pilot(row.get("pilot")),
                pct=tx.fmt(row["pct"], "pct"),
                k=tx.fmt(row.get("parents_contacted"), "int"),
                n=tx.fmt(row.get("linked"), "int"),
            )
        )
    return items


def _reach_part(tx: Texts, side: str, row: dict[str, Any]) -> str:
    """The reach of one side (parent, pupil) as a clause: number, share (over the schools
    whose count is known, where some school's count is not), interval, range."""
    n = tx.fmt(row.get("reached"), "int")
    partial = partial_reach(row)
    if partial is not None:
        return tx.r(
            f"reach_{side}_partial",
            n=n,
            pct=tx.fmt(partial["value"], "pct"),
            ci=tx.ci(partial.get("ci_low"), partial.get("ci_high")),
            known=partial["known"],
            schools=partial["schools"],
        )
    if row.get("pct") is None:
        return tx.r(f"reach_{side}_unknown", n=n)
    ci = tx.ci(row.get("ci_low"), row.get("ci_high"))
    pct = tx.fmt(row["pct"], "pct")
    if row.get("population_bounded") and row.get("pct_low") is not None:
        low, high = tx.fmt(row["pct_low"], "pct"), tx.fmt(row.get("pct_high"), "pct")
        return tx.r(f"reach_{side}_bounded", n=n, pct=pct, ci=ci, low=low, high=high)
    return tx.r(f"reach_{side}", n=n, pct=pct, ci=ci)


def band_readings(r: Reach, pilots: Sequence[str], tx: Texts) -> list[str]:
    """Per level (schools, then officers) and pilot: the band most units fall in."""
    items = []
    for level, units_key in (("school", "schools_word"), ("officer", "officers_word")):
        frame, units_word = r.bands[level], tx.t(units_key)
        for pilot in pilots_in(frame, pilots):
            part = frame.filter(pl.col("pilot") == pilot).to_dicts()
            known = [x for x in part if x["band"] != "unknown" and isnum(x.get("units"))]
            if not known or not sum(x["units"] for x in known):
                continue
            top = max(known, key=lambda x: x["units"])
            text = tx.r(
                "bands",
                pilot=tx.pilot(pilot),
                units_word=units_word,
                n=tx.fmt(top["units"], "int"),
                total=tx.fmt(sum(x["units"] for x in known), "int"),
                band=top["band"],
            )
            unknown = [x for x in part if x["band"] == "unknown" and x.get("units")]
            if unknown:
                text += tx.r("bands_unknown", n=tx.fmt(unknown[0]["units"], "int"))
            items.append(text)
    return items


def season_readings(s: Seasons, pilots: Sequence[str], tx: Texts) -> list[str]:
    """Per pilot the themes that peak at the start or end of the school year, or none."""
    from brugdata.model.vocab import themes

    peaks, items = s.peaks, []
    for pilot in pilots:
        part = peaks.filter(pl.col("pilot") == pilot) if "pilot" in peaks.columns else peaks
        start = [themes().label(t, tx.lang) for t in part.filter(pl.col("peak_start"))["theme"]]
        end = [themes().label(t, tx.lang) for t in part.filter(pl.col("peak_end"))["theme"]]
        if start:
            items.append(tx.r("season_start", pilot=tx.pilot(pilot), themes=tx.join(start)))
        if end:
            items.append(tx.r("season_end", pilot=tx.pilot(pilot), themes=tx.join(end)))
        if not start and not end and pilot in s.with_themes:
            items.append(tx.r("season_none", pilot=tx.pilot(pilot)))
    return items


def network_readings(n: Network, pilots: Sequence[str], tx: Texts) -> list[str]:
    """Per pilot the mean internal and external contacts, and the partner kinds most
    contacted or referred to."""
    items = []
    for row in n.pilots.to_dicts():
        items.append(
            tx.r(
                "network",
                pilot=tx.pilot(row.get("pilot")),
                officers=tx.fmt(row.get("officers"), "int"),
                internal=tx.fmt(row.get("mean_internal"), "dec1"),
                external=tx.fmt(row.get("mean_external"), "dec1"),
                nodes=tx.fmt(row.get("nodes"), "int"),
            )
        )
    for pilot in pilots_in(n.kinds, pilots):
        part = [
            x
            for x in n.kinds.filter(pl.col("pilot") == pilot).to_dicts()
            if isnum(x.get("contacts")) and isnum(x.get("referrals"))
        ]
        part.sort(key=lambda x: x["contacts"] + x["referrals"], reverse=True)
        top = [tx.partner_kind(x.get("partner_kind")) for x in part[:3]]
        if top:
            items.append(tx.r("partner_top", pilot=tx.pilot(pilot), kinds=tx.join(top)))
    return items


def time_use_readings(t: TimeUse, tx: Texts) -> list[str]:
    """Per column (pilot, source) the two largest tasks."""
    from brugdata.model.vocab import vocabulary

    tasks, items = vocabulary("task"), []
    for pilot, source in t.columns:
        part = [
            x
            for x in t.frame.filter(
                (pl.col("pilot") == pilot) & (pl.col("source") == source)
            ).to_dicts()
            if isnum(x.get("share_pct"))
        ]
        part.sort(key=lambda x: x["share_pct"], reverse=True)
        if len(part) >= 2:
            items.append(
                tx.r(
                    "time_use",
                    pilot=tx.source_column(pilot, source),
                    task=tasks.label(part[0]["task"], tx.lang),
                    share=tx.fmt(part[0]["share_pct"], "pct"),
                    task2=tasks.label(part[1]["task"], tx.lang),
                    share2=tx.fmt(part[1]["share_pct"], "pct"),
                )
            )
    return items


def pathway_readings(p: Pathways, tx: Texts) -> list[str]:
    """Per pilot how its cases were handled and the median days to a referral; the referrals
    that name no family, apart."""
    from brugdata.model.vocab import label

    return [
        tx.r(
            "pathways",
            pilot=tx.pilot(row.get("pilot")),
            cases=tx.fmt(row.get("cases"), "int"),
            none=tx.share(row, "share_no_referral", "no_referral"),
            light=tx.share(row, "share_light", "light"),
            specialised=tx.share(row, "share_specialised", "specialised"),
            days=tx.fmt(row.get("median_days_to_referral"), "int"),
        )
        for row in p.outcomes.to_dicts()
    ] + [
        tx.r(
            "pathways_unattached",
            pilot=tx.pilot(row.get("pilot")),
            n=tx.fmt(row.get("referrals"), "int"),
            counterpart=label("counterpart", str(row.get("counterpart")), tx.lang),
        )
        for row in p.unattached.to_dicts()
    ]


def quality_readings(q: Quality, tx: Texts) -> list[str]:
    """Rows read, loaded and rejected over the files, and the most frequent reason."""
    items = []
    files = q.files
    sums = {
        c: sum(v for v in files[c].to_list() if isnum(v))
        for c in ("rows_read", "rows_loaded", "rows_rejected")
        if c in files.columns
    }
    if len(sums) == 3:
        items.append(
            tx.r(
                "quality",
                files=tx.fmt(files.height, "int"),
                read=tx.fmt(sums["rows_read"], "int"),
                loaded=tx.fmt(sums["rows_loaded"], "int"),
                rejected=tx.fmt(sums["rows_rejected"], "int"),
            )
        )
    if q.reasons.height:
        top = q.reasons.row(0, named=True)
        items.append(
            tx.r(
                "quality_reasons",
                rule=top.get("rule"),
                column=top.get("column"),
                table=top.get("table_name"),
                n=tx.fmt(top.get("reasons"), "int"),
            )
        )
    return items
