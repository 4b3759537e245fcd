"""The contract every analysis keeps (docs/analyses.md): one ``by`` vocabulary, validated by
:func:`group_columns`; one multi-table return type, :class:`Frames`; one source switch
(``source="log" | "survey" | "auto"``, :func:`resolve_source`); and one sentence, naming what
the store holds, for a pilot, school year or data the store does not have
(:func:`check_selection`, :func:`need`).

Every analysis is ``f(data, /, *, by=..., pilots=None, school_year=None, ...)`` and returns a
``polars.DataFrame`` or :class:`Frames`; ``school_year`` is a key column of every frame.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Literal, get_args

import duckdb
import polars as pl

from brugdata.errors import BrugdataError

__all__ = [
    "BY_COLUMNS",
    "AnalysisError",
    "By",
    "Frames",
    "SourceKind",
    "check_selection",
    "cols",
    "conform",
    "group_columns",
    "has_log",
    "has_survey",
    "holdings",
    "logged_pilots",
    "need",
    "pilot_names_of",
    "resolve_source",
    "selection_text",
]

#: Every grouping key an analysis may take. Each analysis accepts the subset that makes sense
#: for it (docs/analyses.md lists them); ``school_year`` is a key column of every output
#: anyway, so ``by="school_year"`` groups by the school year alone.
By = Literal["pilot", "school", "officer", "school_type", "municipality", "school_year", "theme"]

#: Grouping key → column of the output.
BY_COLUMNS: dict[str, str] = {
    "pilot": "pilot",
    "school": "school_id",
    "officer": "officer_id",
    "school_type": "school_type",
    "municipality": "municipality",
    "school_year": "school_year",
    "theme": "theme",
}
assert tuple(BY_COLUMNS) == get_args(By)

#: Where the figures of an analysis come from: the contact log, the questionnaire, or the log
#: when the store has logged contacts for the selection and else the questionnaire.
SourceKind = Literal["log", "survey", "auto"]
SOURCES: tuple[str, ...] = get_args(SourceKind)


class AnalysisError(BrugdataError, ValueError):
    """An analysis cannot run as asked: an unknown ``by``, pilot, school year or source, or no
    data for it in the store. Its message is one sentence."""


def group_columns(
    by: str | Sequence[str] | None, allowed: Sequence[str], *, what: str = "this analysis"
) -> list[str]:
    """The output key columns of ``by`` (one key or several), ``school_year`` left out (every
    output has it). AnalysisError (a ValueError) naming the keys ``allowed`` for ``what``
    when a key is not one of them."""
    names: list[str] = [] if by is None else [by] if isinstance(by, str) else list(by)
    choose = ", ".join(allowed)
    if not names:
        raise AnalysisError(f"{what} needs a by; choose from: {choose}")
    for name in names:
        if name not in allowed:
            raise AnalysisError(f"cannot group {what} by {name!r}; choose from: {choose}")
    return list(dict.fromkeys(BY_COLUMNS[n] for n in names if n != "school_year"))


def cols(keys: Sequence[str], prefix: str = "") -> str:
    """``"p.a, p.b, "`` for keys a, b: a column list to put before more columns (empty for
    no keys)."""
    return "".join(f"{prefix}{k}, " for k in keys)


class Frames(Mapping[str, pl.DataFrame]):
    """The named frames of an analysis that gives more than one table: a read-only mapping
    name → ``polars.DataFrame`` with attribute access (``result.monthly``), :meth:`frames`
    for a plain dict and an HTML view in notebooks. ``meta`` holds what is not a frame (the
    grouping columns ``by``, a test's parameters); its keys are readable as attributes too.
    """

    __slots__ = ("_frames", "_meta", "_title")

    def __init__(
        self,
        frames: Mapping[str, pl.DataFrame],
        *,
        title: str = "",
        meta: Mapping[str, Any] | None = None,
    ) -> None:
        self._frames: dict[str, pl.DataFrame] = dict(frames)
        self._title = title
        self._meta: Mapping[str, Any] = MappingProxyType(dict(meta or {}))

    def __getitem__(self, name: str) -> pl.DataFrame:
        return self._frames[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._frames)

    def __len__(self) -> int:
        return len(self._frames)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if name in self._frames:
            return self._frames[name]
        if name in self._meta:
            return self._meta[name]
        raise AttributeError(
            f"{type(self).__name__} has no frame {name!r}; it has: {', '.join(self._frames)}"
        )

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *self._frames, *self._meta})

    @property
    def title(self) -> str:
        """What the frames are (``"Seasonality"``)."""
        return self._title

    @property
    def meta(self) -> Mapping[str, Any]:
        """What the result holds besides frames (read-only)."""
        return self._meta

    def frames(self) -> dict[str, pl.DataFrame]:
        """The frames by name, as a new dict."""
        return dict(self._frames)

    def __repr__(self) -> str:
        shapes = ", ".join(f"{k}: {f.height}×{f.width}" for k, f in self._frames.items())
        head = f"{self._title}: " if self._title else ""
        return f"Frames({head}{shapes})"

    def _repr_html_(self) -> str:
        from brugdata.display import frames_html

        return frames_html(self._frames, title=self._title or None)


# --------------------------------------------------------------------------- the store


#: The tables :func:`holdings` names, with what a row of each is.
_HOLDINGS: tuple[tuple[str, str], ...] = (
    ("schools", "school rows"),
    ("officers", "officers"),
    ("assignments", "assignments"),
    ("contacts", "logged contacts"),
    ("time_use", "time-use rows"),
    ("survey", "questionnaire answer sets"),
    ("survey_answers", "open questionnaire answers"),
)

_YEAR = re.compile(r"(\d{4})-(\d{4})")


def holdings(con: duckdb.DuckDBPyConnection) -> str:
    """What the store holds, for an error sentence: ``"it holds: 3 school rows, 2 officers
    and 9 logged contacts (pilots A, B; school years 2024-2025)"``."""
    parts = []
    for table, what in _HOLDINGS:
        n = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
        if n:
            parts.append(f"{n:,} {what}")
    if not parts:
        return "it holds no data yet"
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    pilots, years = _pilots(con), _years(con)
    more = []
    if pilots:
        more.append("pilots " + ", ".join(pilots))
    if years:
        more.append("school years " + ", ".join(years))
    return f"it holds {listed}" + (f" ({'; '.join(more)})" if more else "")


def _pilots(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "SELECT DISTINCT pilot FROM (SELECT pilot FROM schools UNION ALL SELECT pilot FROM "
        "officers UNION ALL SELECT pilot FROM survey UNION ALL SELECT pilot FROM "
        "survey_answers) WHERE pilot IS NOT NULL ORDER BY pilot"
    ).fetchall()
    return [r[0] for r in rows]


def pilot_names_of(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """The display names the store's own ``pilots`` table gives: code → {"nl": ..., "en":
    ...} (a language without a name left out); empty when the store has no such table."""
    from brugdata.sql import has_tables

    if not has_tables(con, ["pilots"]):
        return {}
    rows = con.execute("SELECT pilot, name_nl, name_en FROM pilots").fetchall()
    return {
        str(code): {lang: str(name) for lang, name in (("nl", nl), ("en", en)) if name}
        for code, nl, en in rows
    }


def _years(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every school year the store has data of (the contacts' years from their counts, which
    a store keeps small: ``brugdata.store.derived``)."""
    from brugdata.analysis._common import counts_x

    rows = con.execute(
        f"""SELECT DISTINCT y FROM (
            SELECT school_year AS y FROM schools UNION ALL
            SELECT school_year FROM assignments UNION ALL
            SELECT school_year FROM survey UNION ALL
            SELECT school_year FROM survey_answers UNION ALL
            SELECT school_year FROM time_use UNION ALL
            SELECT DISTINCT school_year FROM ({counts_x(con)})
        ) WHERE y IS NOT NULL ORDER BY y"""
    ).fetchall()
    return [r[0] for r in rows]


def selection_text(pilots: Sequence[str] | None, school_year: str | None) -> str:
    """``"pilot A in 2024-2025"``, ``"pilots A, B"``, ``"any pilot"``: the selection, for a
    sentence."""
    who = (
        "any pilot"
        if not pilots
        else f"pilot {pilots[0]}"
        if len(pilots) == 1
        else "pilots " + ", ".join(pilots)
    )
    return who + (f" in {school_year}" if school_year else "")


def check_selection(
    con: duckdb.DuckDBPyConnection, pilots: Sequence[str] | None, school_year: str | None
) -> None:
    """AnalysisError with one sentence naming what the store holds when a pilot of
    ``pilots`` or ``school_year`` is not in the store (or the year is not ``2024-2025``-like)."""
    if isinstance(pilots, str):
        raise AnalysisError(f"pilots takes a list of pilots, e.g. [{pilots!r}], not a string")
    if pilots:
        known = _pilots(con)
        for pilot in pilots:
            if pilot not in known:
                from brugdata.model.pilots import pilot_code

                held = ", ".join(known) if known else "no pilots"
                named = pilot_code(str(pilot), known, pilot_names_of(con))
                hint = f" (the pilot named {pilot!r} has the code {named!r})" if named else ""
                raise AnalysisError(f"no pilot {pilot!r} in the store; it holds: {held}{hint}")
    if school_year is not None:
        match = _YEAR.fullmatch(str(school_year))
        if match is None or int(match[2]) != int(match[1]) + 1:
            raise AnalysisError(f"a school year looks like 2024-2025, not {school_year!r}")
        if not _has_year(con, school_year, int(match[1])):
            years = _years(con)
            held = ", ".join(years) if years else "no school years"
            raise AnalysisError(f"no school year {school_year!r} in the store; it holds: {held}")


def _has_year(con: duckdb.DuckDBPyConnection, year: str, start: int) -> bool:
    small = con.execute(
        "SELECT 1 FROM (SELECT school_year FROM schools UNION ALL SELECT school_year FROM "
        "assignments UNION ALL SELECT school_year FROM survey UNION ALL SELECT school_year "
        "FROM survey_answers UNION ALL SELECT school_year FROM time_use) "
        "WHERE school_year = ? LIMIT 1",
        [year],
    ).fetchall()
    if small:
        return True
    found = con.execute(
        f"SELECT 1 FROM contacts WHERE date >= DATE '{start}-08-01' "
        f"AND date < DATE '{start + 1}-08-01' LIMIT 1"
    ).fetchall()
    return bool(found)


def need(
    con: duckdb.DuckDBPyConnection,
    present: bool,
    *,
    what: str,
    data: str,
    pilots: Sequence[str] | None,
    school_year: str | None,
) -> None:
    """AnalysisError ``"<what> needs <data>, and the store has none for <selection>; it holds
    ..."`` unless ``present``."""
    if not present:
        raise AnalysisError(
            f"{what} needs {data}, and the store has none for "
            f"{selection_text(pilots, school_year)}; {holdings(con)}"
        )


def _where(pilots: Sequence[str] | None, school_year: str | None) -> tuple[str, list[Any]]:
    conds, params = ["TRUE"], []
    if pilots:
        conds.append(f"pilot IN ({', '.join('?' for _ in pilots)})")
        params += list(pilots)
    if school_year is not None:
        conds.append("school_year = ?")
        params.append(school_year)
    return " AND ".join(conds), params


def logged_pilots(con: duckdb.DuckDBPyConnection, school_year: str | None) -> set[str | None]:
    """The pilots (None for contacts of no pilot) with logged contacts in ``school_year``
    (None: in any school year): one query over the contact counts, which a store keeps as a
    small derived table (``brugdata.store.derived``), so asking per pilot costs nothing; once
    per connection and year inside :func:`~brugdata.store.derived.one_reading`."""
    from brugdata.analysis._common import counts_x
    from brugdata.store.derived import per_reading

    def ask() -> set[str | None]:
        where, params = ("TRUE", []) if school_year is None else ("school_year = ?", [school_year])
        rows = con.execute(
            f"SELECT DISTINCT pilot FROM ({counts_x(con)}) WHERE {where}", params
        ).fetchall()
        return {r[0] for r in rows}

    return per_reading(con, ("logged_pilots", school_year), ask)


def has_log(
    con: duckdb.DuckDBPyConnection,
    pilots: Sequence[str] | None,
    school_year: str | None,
    *,
    time_use: bool = False,
    logged: set[str | None] | None = None,
) -> bool:
    """Whether the store has logged contacts (or, with ``time_use``, time-use rows) for the
    selection; ``logged`` is :func:`logged_pilots` of the school year when the caller has it."""
    where, params = _where(pilots, school_year)
    if time_use:
        found = con.execute(
            f"""SELECT 1 FROM time_use t LEFT JOIN (SELECT officer_id, min(pilot) AS pilot
                FROM officers GROUP BY ALL) o USING (officer_id)
                WHERE {where.replace("pilot", "o.pilot").replace("school_year", "t.school_year")}
                LIMIT 1""",
            params,
        ).fetchall()
        if found:
            return True
    if logged is None:
        logged = logged_pilots(con, school_year)
    return bool(logged) if not pilots else any(p in logged for p in pilots)


def has_survey(
    con: duckdb.DuckDBPyConnection, pilots: Sequence[str] | None, school_year: str | None
) -> bool:
    """Whether the store has questionnaire answer sets (table ``survey``) for the selection."""
    where, params = _where(pilots, school_year)
    return bool(con.execute(f"SELECT 1 FROM survey WHERE {where} LIMIT 1", params).fetchall())


def resolve_source(
    con: duckdb.DuckDBPyConnection,
    source: str,
    *,
    what: str,
    pilots: Sequence[str] | None,
    school_year: str | None,
    time_use: bool = False,
) -> Literal["log", "survey"]:
    """``"log"`` or ``"survey"`` for ``source``: ``"auto"`` is the log when the store has
    logged contacts for the selection, else the questionnaire. AnalysisError (one sentence
    naming what the store holds) for an unknown source or one without data for the selection.
    """
    if source not in SOURCES:
        raise AnalysisError(f"source must be one of: {', '.join(SOURCES)}; not {source!r}")
    log_data = "logged contacts or time-use rows" if time_use else "logged contacts"
    if source == "log" or (
        source == "auto" and has_log(con, pilots, school_year, time_use=time_use)
    ):
        need(
            con,
            source == "auto" or has_log(con, pilots, school_year, time_use=time_use),
            what=f"{what} (source='log')",
            data=log_data,
            pilots=pilots,
            school_year=school_year,
        )
        return "log"
    need(
        con,
        has_survey(con, pilots, school_year),
        what=what if source == "auto" else f"{what} (source='survey')",
        data=f"{log_data} or questionnaire answers"
        if source == "auto"
        else "questionnaire answers",
        pilots=pilots,
        school_year=school_year,
    )
    return "survey"


def conform(frame: pl.DataFrame, keys: list[str], schema: pl.Schema) -> pl.DataFrame:
    """``frame`` with the key columns and then exactly the columns of ``schema`` (missing ones
    null), cast to their types."""
    full = pl.Schema([*((k, pl.String()) for k in keys), *schema.items()])
    missing = [pl.lit(None, dtype=t).alias(c) for c, t in full.items() if c not in frame.columns]
    return frame.with_columns(missing).select(list(full)).cast(dict(full))  # type: ignore[arg-type]
