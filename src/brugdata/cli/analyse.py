"""``brugdata analyse`` and ``brugdata export``: an analysis's tables on the terminal, as
one CSV or JSON on stdout or as files in a folder, and the store's tables as Parquet.

The main CLI registers them with ``app.command()(analyse)`` and ``app.command()(export)``.
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from brugdata.cli.console import (
    DbOption,
    PilotOption,
    SchoolYearOption,
    ThresholdOption,
    err,
    fail,
    out,
    plural,
    table,
)
from brugdata.errors import BrugdataError

if TYPE_CHECKING:
    import polars as pl

    from brugdata.publish.protect import Publication
    from brugdata.publish.tables import FileFormat
    from brugdata.store.store import Store

__all__ = ["AnalysisName", "OutputFormat", "SourceName", "analyse", "export", "open_store"]


class AnalysisName(enum.StrEnum):
    """The analyses the command line runs: the keys of :data:`brugdata.analysis.ANALYSES`."""

    reach = "reach"
    reach_bands = "reach-bands"
    parents_of_pupil_cases = "parents-of-pupil-cases"
    seasonality = "seasonality"
    theme_shares = "theme-shares"
    network = "network"
    time_use = "time-use"
    compare = "compare"
    pathways = "pathways"
    cases = "cases"
    response = "response"
    survey = "survey"
    answer_codes = "answer-codes"
    untagged_answers = "untagged-answers"
    indicators = "indicators"


class SourceName(enum.StrEnum):
    """Where an analysis reads from (``--source``)."""

    log = "log"
    survey = "survey"
    auto = "auto"


class OutputFormat(enum.StrEnum):
    """Output formats of ``analyse``: a table on the terminal, or a data format."""

    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"


def open_store(db: Path, *, read_only: bool = False) -> Store:
    """The store at ``db``; exit 2 with one sentence when it is not there or cannot be
    opened."""
    from brugdata.store.store import open_store as opening

    if read_only and not db.exists():
        raise fail(f"{db}: no store there (make one with: brugdata ingest PATH --db {db})")
    try:
        return opening(db, read_only=read_only)
    except BrugdataError as exc:
        raise fail(str(exc)) from None


_NAMES = ", ".join(n.value for n in AnalysisName)


def analyse(
    name: Annotated[
        AnalysisName, typer.Argument(help=f"Which analysis: {_NAMES}.", metavar="NAME")
    ],
    db: DbOption,
    pilot: PilotOption = None,
    by: Annotated[
        list[str] | None,
        typer.Option(
            "--by",
            help="Group by pilot, school, officer, school_type, municipality, school_year or "
            "theme, as the analysis allows (repeat); default: the analysis's own (pilot for "
            "most).",
            metavar="KEY",
        ),
    ] = None,
    source: Annotated[
        SourceName | None,
        typer.Option(
            "--source",
            help="Read the contact log, the questionnaire (survey) or the log when it has "
            "contacts for the selection, else the questionnaire (auto, the default).",
            metavar="[log|survey|auto]",
        ),
    ] = None,
    school_year: SchoolYearOption = None,
    fmt: Annotated[
        OutputFormat,
        typer.Option(
            "--format",
            help="Output format: a table on the terminal; csv (one table: the main one or "
            "--table), json or parquet (with --out).",
            metavar="[table|csv|json|parquet]",
        ),
    ] = OutputFormat.table,
    table_name: Annotated[
        str | None,
        typer.Option(
            "--table",
            help="Only this table of the analysis (default for csv: the main one).",
            metavar="T",
        ),
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Write every table to DIR/<analysis>_<table>.csv (.json, .parquet with "
            "--format) instead of printing.",
            metavar="DIR",
        ),
    ] = None,
    publish: Annotated[
        bool,
        typer.Option(
            "--publish",
            help="Publication mode: hide counts of people below the small-cell threshold; "
            "with --out also write DIR/<analysis>.checks.json.",
        ),
    ] = False,
    threshold: ThresholdOption = None,
    wide: Annotated[
        bool, typer.Option("--wide", help="Show every column, however wide the table.")
    ] = False,
) -> None:
    """Run an analysis on the store and print or write its tables.

    The defaults (grouping, source) are the library's. A terminal table shows the key
    columns and as many others as fit; --wide shows all."""
    from brugdata.analysis import run
    from brugdata.analysis._contract import pilot_names_of
    from brugdata.publish import tables

    with open_store(db, read_only=True) as store:
        try:
            result = run(
                name.value,
                store,
                by=by,
                source=None if source is None else source.value,
                pilots=pilot,
                school_year=school_year,
            )
        except (BrugdataError, ValueError) as exc:
            raise fail(str(exc)) from None
        names = pilot_names_of(store.con)  # the store's own display names of its pilots
    frames = result.frames()
    if fmt is OutputFormat.parquet and out_dir is None:
        raise fail("parquet is not text: write it into a folder with --out DIR")
    publication: Publication | None = None
    try:
        chosen = None if table_name is None else [tables.pick_table(frames, table_name)]
        if publish:  # every frame declared, or no publication (one sentence naming it)
            from brugdata.publish.protect import Publication

            publication = Publication(threshold=threshold)
            text = fmt is OutputFormat.table and out_dir is None
            frames, left = tables.publish_frames(
                name.value, frames, publication, text=text, tables=chosen
            )
            if left:
                err.print(f"not published: {', '.join(left)}", markup=False)
        elif chosen is not None:
            frames = {chosen[0]: frames[chosen[0]]}
        if out_dir is not None:
            _write(name.value, frames, out_dir, fmt, publication)
            return
    except (BrugdataError, ValueError) as exc:
        raise fail(str(exc)) from None
    if fmt is OutputFormat.csv:  # one table: safe to open in a spreadsheet
        from brugdata.publish.exports import write_csv

        key = tables.pick_table(frames, table_name)
        typer.echo(write_csv(frames[key]), nl=False)  # as written: no console markup
    elif fmt is OutputFormat.json:
        typer.echo(tables.frames_json(frames))
    else:
        for key, frame in frames.items():
            table(frame, key, wide=wide, more="--wide", pilot_names=names)


def _write(
    analysis: str,
    frames: dict[str, pl.DataFrame],
    out_dir: Path,
    fmt: OutputFormat,
    publication: Publication | None,
) -> None:
    """Write the tables (and, published, the output log) into ``out_dir``; say what."""
    from brugdata.publish.tables import write_tables

    kind: FileFormat = "csv" if fmt is OutputFormat.table else fmt.value  # type: ignore[assignment]
    written = write_tables(analysis, frames, out_dir, kind)
    if publication is not None:
        from brugdata.publish.checks import write_checks

        written.append(write_checks(out_dir / f"{analysis}.json", written, publication))
    out.print(f"wrote {plural(len(written), 'file')} to {out_dir}", markup=False)
    for path in written:
        out.print(f"  {path.name}", markup=False)


def export(
    db: DbOption,
    out_dir: Annotated[
        Path,
        typer.Option("--out", help="A new or empty folder to write into.", metavar="DIR"),
    ],
    free_text: Annotated[
        bool,
        typer.Option(
            "--free-text",
            help="Also export the free-text columns (notes, open answers, organisations as "
            "respondents typed them), where names of people are not found.",
        ),
    ] = False,
) -> None:
    """Write the store's tables as Parquet, partitioned by school year (hive layout).

    For DuckDB, polars, R arrow or Spark: DIR/<table>/school_year=2024-2025/data_0.parquet.
    Row-level and pseudonymised: only for those allowed to see the store."""
    from brugdata.store.export import export_parquet

    with open_store(db, read_only=True) as store:
        try:
            done = export_parquet(store, out_dir, free_text=free_text)
        except BrugdataError as exc:
            raise fail(str(exc)) from None
    out.print(
        f"wrote {plural(done.total_rows, 'row')} of {plural(len(done.rows), 'table')} "
        f"in {plural(len(done.files), 'file')} to {out_dir}",
        markup=False,
    )
    for name, n in done.rows.items():
        how = "by school year" if name in done.partitioned else "one file"
        out.print(f"  {name}: {plural(n, 'row')}, {how}", markup=False)
    for name, cols in done.left_out.items():
        out.print(
            f"  {name}: left out {', '.join(cols)} (free text; --free-text exports it)",
            markup=False,
        )
