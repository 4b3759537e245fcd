"""The ``brugdata`` command line: a thin layer that parses, calls the library and prints.

Exit codes: 0 all is well, 1 some rows were rejected, 2 input could not be read (or another
error that stops the command). Errors are one sentence on stderr, never a traceback.
"""

from __future__ import annotations

import enum
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import polars as pl
import typer
from rich.markup import escape
from rich.table import Table as RichTable

from brugdata.cli.console import EXIT_ERROR, EXIT_OK, EXIT_REJECTED, err, fail, out
from brugdata.cli.console import table as print_table
from brugdata.cli.keys import key_app
from brugdata.cli.reference import calendar_app, population_app
from brugdata.errors import BrugdataError
from brugdata.ingest.results import ValidationResult
from brugdata.sample.generate import DEFAULT_SEED

if TYPE_CHECKING:
    from brugdata.store.store import IngestResult, Store

app = typer.Typer(
    name="brugdata",
    help="Validate, store and analyse data about brugfunctionaris pilots.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class Format(enum.StrEnum):
    """Output formats of ``validate``."""

    text = "text"
    json = "json"
    github = "github"


class TableFormat(enum.StrEnum):
    """Output formats of commands that print a table."""

    table = "table"
    csv = "csv"
    json = "json"


def _exit_code(result: ValidationResult) -> int:
    if result.errors:
        return EXIT_ERROR
    return EXIT_REJECTED if result.rows_rejected else EXIT_OK


def print_validation(result: ValidationResult, *, max_rejects: int) -> None:
    """Print a readable summary per file and its first rejections."""
    grid = RichTable(title="Validation", show_lines=False)
    for name in ("file", "table", "rows", "valid", "rejected"):
        grid.add_column(
            name,
            justify="right" if name in ("rows", "valid", "rejected") else "left",
            overflow="fold",
        )
    for f in result.files:
        grid.add_row(
            str(f.path),
            f.table,
            str(f.rows_read),
            str(f.rows_valid),
            str(f.rows_rejected),
            style="" if f.ok else "red",
        )
    out.print(grid)
    print_rejections(result, max_rejects=max_rejects)


def print_rejections(result: ValidationResult, *, max_rejects: int) -> None:
    """Print unknown columns, the first rejections per file, unreadable files and totals."""
    for f in result.files:
        if f.unknown_columns:
            names = ", ".join(f.unknown_columns)
            out.print(f"{f.path}: columns not in the data model, not kept: {names}", markup=False)
        if f.ok:
            continue
        out.print(
            f"[bold]{escape(str(f.path))}[/]: {f.rows_rejected} of {f.rows_read} rows rejected"
        )
        for r in f.rejects.head(max_rejects).iter_rows(named=True):
            line = f"line {r['line']}, column {r['column']}: {r['message']}"
            out.print(f"  {escape(line)} [dim]({r['rule']})[/]")
        if f.rejects.height > max_rejects:
            out.print(f"  … and {f.rejects.height - max_rejects} more reasons")
    for e in result.errors:
        err.print(f"[bold red]error:[/] {escape(e.message)}")
    print_validation_totals(result)


@app.command()
def validate(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to validate.")],
    table: Annotated[
        str | None, typer.Option(help="Table of every file (default: from the file name).")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.text,
    max_rejects: Annotated[
        int, typer.Option(help="Rejections shown per file (text and github formats).")
    ] = 10,
) -> None:
    """Validate files against the data model; exit 1 when any row is rejected."""
    from brugdata.ingest.validate import validate as run

    try:
        result = run(*paths, table=table)
    except (BrugdataError, ValueError) as exc:
        raise fail(str(exc)) from None
    if fmt is Format.json:
        out.print(result.to_json(), markup=False, highlight=False)
    elif fmt is Format.github:
        for line in result.github_annotations(max_rejects=max_rejects):
            out.print(line, markup=False, highlight=False)
        print_validation_totals(result)
    else:
        print_validation(result, max_rejects=max_rejects)
    raise typer.Exit(_exit_code(result))


def print_validation_totals(result: ValidationResult) -> None:
    """One line with the totals."""
    total = (
        f"{result.rows_read} rows read: {result.rows_valid} valid, "
        f"{result.rows_rejected} rejected, in {len(result.files)} files"
    )
    if result.errors:
        total += f"; {len(result.errors)} files could not be read"
    out.print(total, markup=False)


DbOption = Annotated[Path, typer.Option("--db", help="The store: a DuckDB file.")]


def _open(db: Path, *, read_only: bool = False) -> Store:
    from brugdata.store.store import open_store

    if read_only and not db.exists():
        raise fail(f"{db}: no store there (make one with: brugdata ingest PATH --db {db})")
    try:
        return open_store(db, read_only=read_only)
    except BrugdataError as exc:
        raise fail(str(exc)) from None


#: Inputs larger than this (bytes, all files together) get a progress bar on a terminal.
PROGRESS_FROM_BYTES = 20_000_000


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to load.")],
    db: DbOption,
    table: Annotated[
        str | None, typer.Option(help="Table of every file (default: from the file name).")
    ] = None,
    max_rejects: Annotated[int, typer.Option(help="Rejections shown per file.")] = 10,
) -> None:
    """Validate files and load them into the store; exit 1 when any row was rejected (the
    valid rows are loaded all the same), 2 when a file could not be read."""
    from rich.progress import Progress

    from brugdata.ingest.validate import collect_files

    size = sum(f.stat().st_size for f in collect_files(paths) if f.is_file())
    with _open(db) as store:
        try:
            if size >= PROGRESS_FROM_BYTES and err.is_terminal:
                with Progress(console=err, transient=True) as bar:
                    task = bar.add_task("ingest", total=None)

                    def step(path: Path) -> None:
                        bar.update(task, advance=1, description=path.name)

                    result = store.ingest(*paths, table=table, on_file=step)
            else:
                result = store.ingest(*paths, table=table)
        except (BrugdataError, ValueError) as exc:
            raise fail(str(exc)) from None
    print_ingest(result, db, max_rejects=max_rejects)
    if result.errors:
        raise typer.Exit(EXIT_ERROR)
    raise typer.Exit(EXIT_REJECTED if result.rows_rejected else EXIT_OK)


def print_ingest(result: IngestResult, db: Path, *, max_rejects: int) -> None:
    """Print what an ingest loaded, skipped and rejected."""
    grid = RichTable(title=f"Ingest into {db}")
    for name in ("file", "table", "status", "rows", "loaded", "rejected"):
        grid.add_column(name, justify="right" if name in ("rows", "loaded", "rejected") else "left")
    for f in result.files:
        if f.status == "error":
            continue
        style = "red" if f.rows_rejected else ("dim" if f.status == "skipped" else "")
        grid.add_row(
            str(f.path),
            f.table or "",
            f.status,
            str(f.rows_read),
            str(f.rows_loaded),
            str(f.rows_rejected),
            style=style,
        )
    out.print(grid)
    print_rejections(result.validation, max_rejects=max_rejects)
    skipped = len(result.skipped)
    out.print(
        f"loaded {result.rows_loaded} rows, rejected {result.rows_rejected}"
        + (f", skipped {skipped} files already ingested" if skipped else ""),
        markup=False,
    )
    for checked in result.validation.files:
        if checked.pseudonymised:
            done = ", ".join(f"{n} in {col}" for col, n in checked.pseudonymised.items())
            out.print(
                f"{checked.path}: direct identifiers replaced by pseudonyms: {done}", markup=False
            )
        if checked.redacted:
            done = ", ".join(f"{n} {kind}" for kind, n in checked.redacted.items())
            out.print(f"{checked.path}: personal data redacted in free text: {done}", markup=False)


@app.command()
def rejects(
    db: DbOption,
    fmt: Annotated[TableFormat, typer.Option("--format", help="Output format.")] = (
        TableFormat.table
    ),
    limit: Annotated[int | None, typer.Option(help="Show at most this many.")] = None,
) -> None:
    """List what was rejected: file, line, column, rule, value and why."""
    with _open(db, read_only=True) as store:
        frame = store.rejects().drop("ingest_id")
    print_frame(frame if limit is None else frame.head(limit), fmt, title="Rejected rows")


@app.command()
def info(db: DbOption) -> None:
    """What the store holds: tables, row counts, school years, pilots and ingests made."""
    with _open(db, read_only=True) as store:
        facts = store.info()
    grid = RichTable(title=f"Store {db} (schema version {facts['schema_version']})")
    grid.add_column("table")
    grid.add_column("rows", justify="right")
    for name, n in facts["tables"].items():
        grid.add_row(name, str(n))
    out.print(grid)
    out.print(f"school years: {', '.join(facts['school_years']) or '-'}", markup=False)
    out.print(f"pilots: {', '.join(facts['pilots']) or '-'}", markup=False)
    out.print(f"pseudonym key fingerprint: {facts['key_fingerprint'] or '-'}", markup=False)
    out.print(
        f"ingests: {facts['ingests']} ({facts['files_ingested']} files, "
        f"{facts['rows_rejected']} rows rejected), last {facts['last_ingest'] or '-'}",
        markup=False,
    )


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


class SourceName(enum.StrEnum):
    """Where an analysis reads from (``--source``)."""

    log = "log"
    survey = "survey"
    auto = "auto"


@app.command()
def analyse(
    name: Annotated[AnalysisName, typer.Argument(help="Which analysis.")],
    db: DbOption,
    pilot: Annotated[
        list[str] | None, typer.Option("--pilot", help="Only these pilots (repeat).")
    ] = None,
    by: Annotated[
        list[str] | None,
        typer.Option(
            "--by",
            help="Group by pilot, school, officer, school_type, municipality, school_year or "
            "theme, as the analysis allows (repeat); default: the analysis's own (pilot for "
            "most).",
        ),
    ] = None,
    source: Annotated[
        SourceName | None,
        typer.Option(
            "--source",
            help="Read the contact log, the questionnaire (survey) or the log when it has "
            "contacts for the selection, else the questionnaire (auto, the default).",
        ),
    ] = None,
    school_year: Annotated[str | None, typer.Option(help="Only this school year.")] = None,
    fmt: Annotated[TableFormat, typer.Option("--format", help="Output format.")] = (
        TableFormat.table
    ),
    publish: Annotated[
        bool,
        typer.Option(
            "--publish",
            help="Publication mode: hide counts of people below the small-cell threshold.",
        ),
    ] = False,
    threshold: Annotated[
        int | None, typer.Option(help="Small-cell threshold (default 10, or the setting).")
    ] = None,
) -> None:
    """Run an analysis on the store and print its tables (the defaults are the library's)."""
    from brugdata.analysis import run

    with _open(db, read_only=True) as store:
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
    frames = result.frames()
    if publish:  # every frame declared, or no publication (one sentence naming it)
        frames = _published(name.value, frames, threshold)
    if fmt is TableFormat.json:
        data = {key: frame.to_dicts() for key, frame in frames.items()}
        out.print(json.dumps(data, ensure_ascii=False, default=str, indent=2), markup=False)
        return
    for key, frame in frames.items():
        if fmt is TableFormat.csv and len(frames) > 1:
            out.print(f"# {key}", markup=False)
        print_frame(frame, fmt, title=key)


def _published(
    name: str, frames: dict[str, pl.DataFrame], threshold: int | None
) -> dict[str, pl.DataFrame]:
    """The frames of analysis ``name`` protected for publication; of an analysis with several
    frames those never published (free text, one row per case) are left out, said on stderr."""
    from brugdata.publish.protect import Publication, publishable

    names = {k: name if len(frames) == 1 else f"{name}.{k}" for k in frames}
    try:
        publication = Publication(threshold=threshold)
        if len(frames) > 1:
            left = [k for k in frames if not publishable(names[k])]
            if left:
                err.print(f"not published: {', '.join(left)}", markup=False)
            frames = {k: f for k, f in frames.items() if k not in left}
        return {k: publication.table(names[k], f) for k, f in frames.items()}
    except (BrugdataError, ValueError) as exc:
        raise fail(str(exc)) from None


@app.command("convert-form")
def convert_form(
    export: Annotated[Path, typer.Argument(help="The form tool's export (.xlsx or .csv).")],
    mapping: Annotated[
        str, typer.Option(help="A mapping TOML file, or the name of a shipped mapping.")
    ],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the survey CSV files.")],
    pilot: Annotated[str | None, typer.Option(help="Pilot, if the mapping leaves it open.")] = None,
    school_year: Annotated[
        str | None, typer.Option(help="School year, if the mapping leaves it open.")
    ] = None,
) -> None:
    """Convert a questionnaire export (Microsoft Forms, Excel) into the survey tables."""
    from brugdata.ingest.forms import convert_form as convert
    from brugdata.ingest.forms import load_mapping

    try:
        result = convert(
            export, load_mapping(mapping), out_dir=out_dir, pilot=pilot, school_year=school_year
        )
    except BrugdataError as exc:
        raise fail(str(exc)) from None
    out.print(result.summary(), markup=False)


class Lang(enum.StrEnum):
    """Languages of the report."""

    nl = "nl"
    en = "en"


@app.command()
def report(
    db: DbOption,
    out_file: Annotated[Path, typer.Option("--out", help="The HTML file to write.")] = Path(
        "report.html"
    ),
    pilot: Annotated[
        list[str] | None, typer.Option("--pilot", help="Only these pilots (repeat).")
    ] = None,
    school_year: Annotated[str | None, typer.Option(help="Only this school year.")] = None,
    lang: Annotated[Lang, typer.Option(help="Language of the report.")] = Lang.nl,
    title: Annotated[str | None, typer.Option(help="Title of the report.")] = None,
    png: Annotated[
        Path | None, typer.Option("--png", help="Also write every chart as PNG into DIR.")
    ] = None,
    svg: Annotated[
        Path | None, typer.Option("--svg", help="Also write every chart as SVG into DIR.")
    ] = None,
) -> None:
    """Write the evaluation report: ONE self-contained HTML file that opens offline, with
    small-cell protection (counts below 10 shown as <10)."""
    from brugdata.publish.report import write_report

    with _open(db, read_only=True) as store:
        try:
            path = write_report(
                store,
                out_file,
                pilots=pilot,
                lang=lang.value,
                title=title,
                school_year=school_year,
                png_dir=png,
                svg_dir=svg,
                checks=True,
            )
        except (BrugdataError, ValueError) as exc:
            raise fail(str(exc)) from None
    out.print(f"wrote {path}", markup=False)


def print_frame(frame: pl.DataFrame, fmt: TableFormat, *, title: str = "") -> None:
    """Print a frame as a table, CSV or JSON."""
    if fmt is TableFormat.csv:  # safe to open in a spreadsheet: no formula runs
        from brugdata.publish.exports import write_csv

        out.print(write_csv(frame), markup=False, end="")
    elif fmt is TableFormat.json:
        text = json.dumps(frame.to_dicts(), ensure_ascii=False, default=str, indent=2)
        out.print(text, markup=False)
    else:
        print_table(frame, title)


@app.command()
def sample(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the sample into.")],
    seed: Annotated[int, typer.Option(help="Random seed.")] = DEFAULT_SEED,
) -> None:
    """Write the synthetic sample data set (two pilots) into a folder."""
    from brugdata.sample.generate import generate_sample

    written = generate_sample(out_dir, seed=seed)
    out.print(f"wrote {len(written)} files to {out_dir}")


app.add_typer(key_app, name="key")
app.add_typer(population_app, name="population")
app.add_typer(calendar_app, name="calendar")


def main() -> None:
    """Entry point of the ``brugdata`` console script."""
    app()
