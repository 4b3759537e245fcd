"""The report's tables as text: each built frame (as shown, after the transform) laid out as
headers and rows of cell texts in Dutch or English, ready for the page to escape and place."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

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
    "Column",
    "Table",
    "band_table",
    "cases_table",
    "file_table",
    "key_figures_table",
    "kinds_table",
    "network_table",
    "outcomes_table",
    "peaks_table",
    "reach_table",
    "reasons_table",
    "store_table",
    "time_to_referral_table",
    "time_use_table",
]

Row = dict[str, Any]
Cell = Callable[[Row], str]


@dataclass(frozen=True)
class Column:
    """A column's header; ``numeric`` columns are right-aligned."""

    header: str
    numeric: bool = False


@dataclass(frozen=True)
class Table:
    """A table to show: its name (as passed to the transform), caption, columns and rows of
    plain cell text (a line break as ``\\n``); the first cell of a row is its header. ``notes``
    are footnotes shown under it."""

    name: str
    caption: str
    columns: list[Column]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)
    kind: ClassVar[str] = "table"


def _table(
    name: str,
    caption: str,
    cols: Sequence[tuple[Column, Cell]],
    rows: Iterable[Row],
    notes: Sequence[str] = (),
) -> Table:
    """A :class:`Table` with each row's cells from the cell functions."""
    return Table(
        name,
        caption,
        [c for c, _ in cols],
        [[cell(row) for _, cell in cols] for row in rows],
        list(notes),
    )


def _key(key: str) -> Cell:
    """A cell function showing ``row[key]`` (already text)."""

    def cell(row: Row) -> str:
        return str(row[key])

    return cell


def _value(key: str, kind: str, tx: Texts) -> Cell:
    """A cell function showing ``row[key]`` formatted as ``kind``."""

    def cell(row: Row) -> str:
        return tx.fmt(row.get(key), kind)

    return cell


def _pilot_columns(pilots: Sequence[str], tx: Texts) -> list[tuple[Column, Cell]]:
    """One right-aligned column per pilot (headed by its name), showing ``row[pilot]``."""
    return [(Column(tx.pilot(p), numeric=True), _key(p)) for p in pilots]


def _population_side(metric: str) -> str | None:
    """The population a key figure rests on ("families", "pupils"), or None."""
    if metric in ("families", "parents_reached_pct", "parents_reached_per_weekly_hour"):
        return "families"
    if metric in ("pupils", "pupils_reached_pct", "pupils_reached_per_weekly_hour"):
        return "pupils"
    return None


def key_figures_table(s: Summary, tx: Texts) -> Table:
    """Figures as rows, pilots as columns, with the test between pilots and footnotes on
    shares that are unknown."""
    from brugdata.analysis.compare import METRICS
    from brugdata.model.vocab import label, themes

    frame, pilots, lang = s.frame, s.pilots, tx.lang
    idx = 0 if lang == "nl" else 1
    notes: list[str] = []
    rows: list[Row] = []
    present = list(dict.fromkeys(frame["metric"].to_list()))
    order = [m for m in METRICS if m in present] + [m for m in present if m not in METRICS]
    by_metric: dict[str, list[Row]] = {}
    for c in frame.drop_nulls("metric").to_dicts():
        by_metric.setdefault(c["metric"], []).append(c)
    for metric in order:
        part = by_metric.get(metric, [])
        unit = METRICS[metric][2] if metric in METRICS else ""
        kind = {"%": "pct", "n/h": "dec2", "h": "int", "n": "int"}.get(unit, "dec1")
        row: Row = {"figure": METRICS[metric][idx] if metric in METRICS else metric}
        for pilot in pilots:
            texts = []
            for c in (c for c in part if c["pilot"] == pilot):
                value = tx.fmt(c.get("value"), kind)
                if c.get("suppressed") is not None:
                    value = str(c["suppressed"])
                elif c.get("value") is None:
                    value = tx.t("unknown")
                    side = _population_side(metric)
                    if side and s.unknown.get((pilot, side)):
                        value += " *"
                        n, schools = s.unknown[(pilot, side)]
                        note = tx.t(
                            f"{side}_unknown_note", pilot=tx.pilot(pilot), n=n, schools=schools
                        )
                        if note not in notes:
                            notes.append(note)
                elif unit == "%" and (c.get("ci_low") is not None or c.get("ci_high") is not None):
                    value += f" ({tx.ci(c.get('ci_low'), c.get('ci_high'))})"
                side = _population_side(metric)
                if side and c.get("label") is not None and s.unknown.get((pilot, side)):
                    # a figure over the schools whose count is known: said in a footnote
                    n, schools = s.unknown[(pilot, side)]
                    value += " *"
                    note = tx.t(
                        f"{side}_partial_note",
                        pilot=tx.pilot(pilot),
                        n=n,
                        schools=schools,
                        known=schools - n,
                    )
                    if note not in notes:
                        notes.append(note)
                elif c.get("label") is not None:
                    code = str(c["label"])
                    name = (
                        themes().label(code, lang)
                        if metric == "top_theme"
                        else label("role", code, lang)
                        if metric == "officers_by_role"
                        else label("task", code, lang)
                        if metric == "top_task"
                        else code
                    )
                    value = f"{name}: {value}"
                if c.get("source") == "survey":  # the respondents' estimates: say so
                    value += f" ({tx.t('from_survey')})"
                texts.append(value)
            row[pilot] = "\n".join(texts) if texts else "–"
        p_values = [c for c in part if c.get("p_value") is not None]
        row["test"] = tx.fmt(p_values[0]["p_value"], "p") if p_values else ""
        rows.append(row)
    cols = [(Column(tx.col("figure")), _key("figure")), *_pilot_columns(pilots, tx)]
    if len(pilots) > 1 and any(r["test"] for r in rows):
        cols.append((Column(tx.t("test_between")), _key("test")))
    notes = [f"* {n}" for n in notes]
    return _table("key_figures", tx.t("tab_key_figures"), cols, rows, notes)


def reach_table(r: Reach, tx: Texts) -> Table:
    """Reach per pilot and counterpart; where a school's population is unknown, the
    population and share over the schools where it is known (marked, with a footnote)."""
    from brugdata.model.vocab import label
    from brugdata.publish.report.readings import partial_reach

    notes: list[str] = []
    rows = []
    for x in r.reach.to_dicts():
        part = partial_reach(x)
        if part is not None:
            side = "families" if x.get("counterpart") == "parent" else "pupils"
            x = {
                **x,
                "population": tx.fmt(part.get("population"), "int") + " *",
                "pct": tx.fmt(part["value"], "pct") + " *",
                "ci_low": part.get("ci_low"),
                "ci_high": part.get("ci_high"),
            }
            note = "* " + tx.t(
                f"{side}_partial_note",
                pilot=tx.pilot(x.get("pilot")),
                n=part["schools"] - part["known"],
                schools=part["schools"],
                known=part["known"],
            )
            if note not in notes:
                notes.append(note)
        rows.append(x)
    cols = [
        (Column(tx.col("pilot")), lambda x: tx.pilot(x.get("pilot"))),
        (
            Column(tx.col("counterpart")),
            lambda x: label("counterpart", str(x.get("counterpart")), tx.lang),
        ),
        (Column(tx.col("reached"), True), _value("reached", "int", tx)),
        (Column(tx.col("population"), True), lambda x: tx.unknown(x, "population", "int")),
        (Column(tx.col("pct"), True), lambda x: tx.unknown(x, "pct", "pct")),
        (Column(tx.col("ci"), True), lambda x: tx.ci(x.get("ci_low"), x.get("ci_high"))),
        (Column(tx.col("hours_per_week"), True), _value("hours_per_week", "int", tx)),
        (
            Column(tx.col("reached_per_weekly_hour"), True),
            _value("reached_per_weekly_hour", "dec2", tx),
        ),
    ]
    return _table("reach", tx.t("tab_reach"), cols, rows, notes)


def cases_table(r: Reach, tx: Texts) -> Table:
    """The pupil cases whose parents were spoken too, per pilot."""
    cols = [
        (Column(tx.col("pilot")), lambda x: tx.pilot(x.get("pilot"))),
        (Column(tx.col("pupil_cases"), True), _value("pupil_cases", "int", tx)),
        (Column(tx.col("linked"), True), _value("linked", "int", tx)),
        (Column(tx.col("parents_contacted"), True), _value("parents_contacted", "int", tx)),
        (Column(tx.col("cases_pct"), True), _value("pct", "pct", tx)),
        (Column(tx.col("ci"), True), lambda x: tx.ci(x.get("ci_low"), x.get("ci_high"))),
    ]
    return _table("parents_of_pupil_cases", tx.t("tab_cases"), cols, r.cases.to_dicts())


def band_table(r: Reach, level: str, pilots: Sequence[str], tx: Texts) -> Table:
    """Bands of ``level`` ("school", "officer") as rows, pilots as columns: "units (share)"."""
    frame = r.bands[level]
    in_frame = pilots_in(frame, pilots)
    bands = [b for b in dict.fromkeys(frame["band"].to_list()) if b is not None]
    bands = [b for b in bands if b != "unknown"] + (["unknown"] if "unknown" in bands else [])
    first: dict[tuple[Any, Any], Row] = {}  # the row of each pilot and band
    for x in frame.to_dicts():
        first.setdefault((x["pilot"], x["band"]), x)
    rows = []
    for band in bands:
        row: Row = {"band": tx.col("band_unknown") if band == "unknown" else band}
        for pilot in in_frame:
            hit = first.get((pilot, band))
            if hit is None:
                row[pilot] = "–"
                continue
            text = tx.fmt(hit.get("units"), "int")
            if hit.get("share") is not None:
                text += f" ({tx.fmt(hit['share'], 'frac')})"
            row[pilot] = text
        rows.append(row)
    cols = [(Column(tx.col("band")), _key("band")), *_pilot_columns(in_frame, tx)]
    return _table(f"reach_bands_{level}", tx.t(f"tab_bands_{level}"), cols, rows)


def peaks_table(s: Seasons, tx: Texts) -> Table:
    """The themes with a peak: pilot, theme, which peak, busiest month, contacts, p-value."""
    from brugdata.model.vocab import themes
    from brugdata.publish.charts._common import MONTHS

    def month(x: Row) -> str:
        m = x.get("peak_school_month")
        return MONTHS[tx.lang][m - 1] if isinstance(m, int) and 1 <= m <= 12 else tx.fmt(m, "text")

    def peak(x: Row) -> str:
        return ", ".join(tx.t(k) for k in ("peak_start", "peak_end") if x.get(k) is True)

    cols = [
        (Column(tx.col("pilot")), lambda x: tx.pilot(x.get("pilot"))),
        (Column(tx.col("theme")), lambda x: themes().label(str(x.get("theme")), tx.lang)),
        (Column(tx.col("peak")), peak),
        (Column(tx.col("peak_month")), month),
        (Column(tx.col("contacts"), True), _value("contacts", "int", tx)),
        (Column(tx.col("p_value"), True), _value("p_value", "p", tx)),
    ]
    return _table("seasonality_peaks", tx.t("tab_peaks"), cols, s.peaks.to_dicts())


def _by_pilot(
    frame: pl.DataFrame,
    measures: Sequence[tuple[str, Cell]],
    pilots: Sequence[str],
    tx: Texts,
) -> tuple[list[tuple[Column, Cell]], list[Row]]:
    """A frame of one row per pilot with the measures as rows and the pilots as columns."""
    in_frame = pilots_in(frame, pilots)
    by_pilot = {r.get("pilot"): r for r in frame.to_dicts()}
    rows = []
    for header, cell in measures:
        row: Row = {"measure": header}
        for pilot in in_frame:
            row[pilot] = cell(by_pilot[pilot])
        rows.append(row)
    cols = [(Column(tx.col("figure")), _key("measure")), *_pilot_columns(in_frame, tx)]
    return cols, rows


def network_table(n: Network, pilots: Sequence[str], tx: Texts) -> Table:
    """The network's measures as rows, pilots as columns."""
    measures = [
        (tx.col(key), _value(key, kind, tx))
        for key, kind in (
            ("officers", "int"),
            ("nodes", "int"),
            ("edges", "int"),
            ("density", "dec2"),
            ("mean_internal", "dec1"),
            ("median_internal", "dec1"),
            ("mean_external", "dec1"),
            ("median_external", "dec1"),
        )
    ]
    cols, rows = _by_pilot(n.pilots, measures, pilots, tx)
    return _table("network", tx.t("tab_network"), cols, rows)


def kinds_table(n: Network, pilots: Sequence[str], tx: Texts) -> Table:
    """Partner kinds as rows (most contacts first), pilots as columns: "contacts
    (referrals)"."""
    kinds = n.kinds
    kind_pilots = pilots_in(kinds, pilots)
    totals: dict[Any, float] = {}
    first: dict[tuple[Any, Any], Row] = {}  # the row of each pilot and kind
    for r in kinds.to_dicts():
        if isnum(r.get("contacts")):
            totals[r.get("partner_kind")] = totals.get(r.get("partner_kind"), 0) + r["contacts"]
        first.setdefault((r.get("pilot"), r.get("partner_kind")), r)
    kind_order = sorted(
        dict.fromkeys(kinds["partner_kind"].to_list()) if kinds.height else [],
        key=lambda k: (-totals.get(k, 0), k is None, str(k)),
    )
    rows = []
    for kind in kind_order:
        row: Row = {"kind": tx.partner_kind(kind)}
        for pilot in kind_pilots:
            hit = first.get((pilot, kind))
            if hit is None:
                row[pilot] = "–"
                continue
            contacts, referrals = hit.get("contacts"), hit.get("referrals")
            row[pilot] = f"{tx.fmt(contacts, 'int')} ({tx.fmt(referrals, 'int')})"
        rows.append(row)
    cols = [(Column(tx.col("partner_kind")), _key("kind"))]
    cols += [
        (Column(f"{tx.pilot(p)}: {tx.col('contacts_referrals')}", numeric=True), _key(p))
        for p in kind_pilots
    ]
    return _table("partner_kinds", tx.t("tab_partner_kinds"), cols, rows)


def time_use_table(t: TimeUse, tx: Texts) -> Table:
    """Tasks as rows, (pilot, source) as columns: the share of working time (%)."""
    from brugdata.model.vocab import vocabulary

    tasks, frame = vocabulary("task"), t.frame
    heads = [tx.source_column(pilot, source) for pilot, source in t.columns]
    # the first share of each pilot, source and task (a null matches no column)
    keys = ["pilot", "source", "task"]
    share: dict[tuple[Any, ...], Any] = {}
    for *key, pct in frame.drop_nulls(keys).select(*keys, "share_pct").iter_rows():
        share.setdefault(tuple(key), pct)
    rows = []
    for task in t.tasks:
        row: Row = {"task": tasks.label(task, tx.lang)}
        for (pilot, source), head in zip(t.columns, heads, strict=True):
            found = (pilot, source, task) in share
            row[head] = tx.fmt(share[(pilot, source, task)], "dec1") if found else "–"
        rows.append(row)
    cols = [(Column(tx.col("task")), _key("task"))]
    cols += [(Column(h, numeric=True), _key(h)) for h in heads]
    return _table("time_use", tx.t("tab_time_use"), cols, rows)


def outcomes_table(p: Pathways, pilots: Sequence[str], tx: Texts) -> Table:
    """How cases were handled: measures as rows, pilots as columns, with the test between
    pilots."""

    def no_referral(x: Row) -> str:
        share = tx.share(x, "share_no_referral", "no_referral")
        if x.get("ci_low") is None:
            return share
        return share + f" ({tx.ci(x.get('ci_low'), x.get('ci_high'), frac=True)})"

    def share(column: str, count: str) -> Cell:
        return lambda x: tx.share(x, column, count)

    unattached: dict[Any, int] = {}
    for u in p.unattached.to_dicts() if "referrals" in p.unattached.columns else []:
        if isnum(u.get("referrals")):
            unattached[u.get("pilot")] = unattached.get(u.get("pilot"), 0) + u["referrals"]
    measures: list[tuple[str, Cell]] = [
        (tx.col("cases"), _value("cases", "int", tx)),
        (tx.col("share_no_referral"), no_referral),
        (tx.col("share_light"), share("share_light", "light")),
        (tx.col("share_specialised"), share("share_specialised", "specialised")),
        (tx.col("median_days_to_referral"), _value("median_days_to_referral", "int", tx)),
    ]
    if unattached:
        measures.append(
            (
                tx.col("unattached_referrals"),
                lambda x: tx.fmt(unattached.get(x.get("pilot"), 0), "int"),
            )
        )
    outcomes = p.outcomes
    cols, rows = _by_pilot(outcomes, measures, pilots, tx)
    p_values = (
        [v for v in outcomes.get_column("p_value").to_list() if v is not None]
        if ("p_value" in outcomes.columns)
        else []
    )
    if outcomes.height > 1 and p_values:
        rows[1]["test"] = tx.fmt(p_values[0], "p")
        cols.append((Column(tx.t("test_between")), lambda x: x.get("test", "")))
    return _table("pathways_outcomes", tx.t("tab_pathways"), cols, rows)


def time_to_referral_table(p: Pathways, tx: Texts) -> Table:
    """Days from first contact to referral per pilot and referral class."""
    from brugdata.analysis.pathways import class_label

    cols = [
        (Column(tx.col("pilot")), lambda x: tx.pilot(x.get("pilot"))),
        (
            Column(tx.col("referral_class")),
            lambda x: class_label(str(x.get("referral_class")), tx.lang),
        ),
        (Column(tx.col("cases"), True), _value("cases", "int", tx)),
        (Column(tx.col("median_days"), True), _value("median_days", "int", tx)),
        (Column(tx.col("p25_days"), True), _value("p25_days", "int", tx)),
        (Column(tx.col("p75_days"), True), _value("p75_days", "int", tx)),
    ]
    return _table(
        "pathways_time_to_referral", tx.t("tab_time_to_referral"), cols, p.times.to_dicts()
    )


def file_table(q: Quality, tx: Texts) -> Table:
    """Per file the rows read, loaded and rejected and the unknown columns."""
    cols = [
        (Column(tx.col("file")), lambda x: str(x.get("file"))),
        (Column(tx.col("table_name")), lambda x: str(x.get("table_name"))),
        (Column(tx.col("rows_read"), True), _value("rows_read", "int", tx)),
        (Column(tx.col("rows_loaded"), True), _value("rows_loaded", "int", tx)),
        (Column(tx.col("rows_rejected"), True), _value("rows_rejected", "int", tx)),
        (
            Column(tx.col("unknown_columns")),
            lambda x: tx.fmt(x.get("unknown_columns") or "", "text"),
        ),
    ]
    return _table("files", tx.t("tab_files"), cols, q.files.to_dicts())


def reasons_table(q: Quality, tx: Texts) -> Table:
    """The reasons for rejection; values and messages of sensitive columns not shown."""
    hidden = tx.t("hidden")

    def unless_sensitive(key: str) -> Cell:
        def cell(x: Row) -> str:
            return hidden if x.get("sensitive") else tx.fmt(x.get(key), "text")

        return cell

    cols = [
        (Column(tx.col("table_name")), lambda x: str(x.get("table_name"))),
        (Column(tx.col("column")), lambda x: str(x.get("column"))),
        (Column(tx.col("rule")), lambda x: str(x.get("rule"))),
        (Column(tx.col("reasons"), True), _value("reasons", "int", tx)),
        (Column(tx.col("lines")), _value("lines", "text", tx)),
        (Column(tx.col("values")), unless_sensitive("values")),
        (Column(tx.col("message")), unless_sensitive("message")),
    ]
    return _table("reject_reasons", tx.t("tab_reasons"), cols, q.reasons.to_dicts())


def store_table(q: Quality, tx: Texts) -> Table:
    """Rows per table in the store."""
    cols = [
        (Column(tx.col("table_name")), lambda x: str(x.get("table_name"))),
        (Column(tx.col("rows"), True), _value("rows", "int", tx)),
    ]
    return _table("store", tx.t("tab_store"), cols, q.store.to_dicts())
