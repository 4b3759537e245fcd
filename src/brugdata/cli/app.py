"""The ``brugdata`` command line: a thin layer that parses, calls the library and prints.

Exit codes: 0 all is well, 1 some rows were rejected, 2 usage or input that could not be
read (or another error that stops the command), 3 a store or file-system fault (a damaged
store, a full disk, a read-only or immutable file or folder), 4 an internal error (a bug).
Errors are one sentence on stderr, never a traceback (``brugdata --debug`` prints the
traceback of an internal error).
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from brugdata.cli.analyse import AnalysisName, analyse, export  # noqa: F401 (AnalysisName: API)
from brugdata.cli.analyse import open_store as _open
from brugdata.cli.check import check_command
from brugdata.cli.console import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_REJECTED,
    DbOption,
    GuardedGroup,
    Options,
    PilotOption,
    SchoolYearOption,
    err,
    fail,
    out,
    plural,
)
from brugdata.cli.console import table as print_table
from brugdata.cli.help import Group
from brugdata.cli.indicators import indicators_command
from brugdata.cli.keys import key_app
from brugdata.cli.reference import calendar_app, population_app
from brugdata.cli.registration import register as register_registration
from brugdata.errors import BrugdataError

if TYPE_CHECKING:
    import polars as pl

    from brugdata.ingest.results import FileResult, ValidationResult
    from brugdata.store.store import IngestResult


class _Commands(Group, GuardedGroup):
    """The top group: plain help (:class:`Group`); one sentence and an exit code for any
    error a command did not handle (:class:`GuardedGroup`)."""


app = typer.Typer(
    name="brugdata",
    help="Validate, store and analyse data about brugfunctionaris pilots.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    cls=_Commands,
)


def _show_version(value: bool) -> None:
    if value:
        from brugdata._version import __version__

        typer.echo(f"brugdata {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Show the version and exit.", is_eager=True, callback=_show_version
        ),
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Print the traceback of an internal error.")
    ] = False,
) -> None:
    """Validate, store and analyse data about brugfunctionaris pilots."""
    Options.debug = debug


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
    from rich.markup import escape
    from rich.table import Table as RichTable

    grid = RichTable(title="Validation", show_lines=False)
    for name in ("file", "table", "rows", "valid", "rejected"):
        grid.add_column(
            name,
            justify="right" if name in ("rows", "valid", "rejected") else "left",
            overflow="fold",
        )
    for f, label in zip(result.files, file_labels(result.files), strict=True):
        grid.add_row(
            escape(label),  # not markup: registratie.xlsx [contacten]
            f.table,
            str(f.rows_read),
            str(f.rows_valid),
            str(f.rows_rejected),
            style="" if f.ok else "red",
        )
    out.print(grid)
    print_rejections(result, max_rejects=max_rejects)


def file_labels(files: list[FileResult]) -> list[str]:
    """Each file as its rows name it: with its sheet (``registratie.xlsx [contacten]``) when
    the file gives several rows (a workbook read sheet by sheet)."""
    paths = [f.path for f in files]
    return [
        f"{f.path} [{f.sheet}]" if f.sheet and paths.count(f.path) > 1 else str(f.path)
        for f in files
    ]


def print_rejections(result: ValidationResult, *, max_rejects: int) -> None:
    """Print unknown columns, the first rejections per file, unreadable files and totals."""
    from rich.markup import escape

    for f, label in zip(result.files, file_labels(result.files), strict=True):
        if f.unknown_columns:
            names = ", ".join(f.unknown_columns)
            out.print(f"{label}: columns not in the data model, not kept: {names}", markup=False)
        if f.sheets_passed:
            passed = "; ".join(f"{name} ({why})" for name, why in f.sheets_passed.items())
            out.print(f"{f.path}: sheets not read: {passed}", markup=False)
        if f.ok:
            continue
        out.print(
            f"[bold]{escape(label)}[/]: {f.rows_rejected} of {plural(f.rows_read, 'row')} rejected"
        )
        for r in f.rejects.head(max_rejects).iter_rows(named=True):
            where = f"sheet {r['sheet']}, row" if r.get("sheet") else "line"
            line = f"{where} {r['line']}, column {r['column']}: {r['message']}"
            out.print(f"  {escape(line)} [dim]({r['rule']})[/]")
        if f.rejects.height > max_rejects:
            more = plural(f.rejects.height - max_rejects, "more reason")
            out.print(f"  … and {more}", markup=False)
    for e in result.errors:
        err.print(f"[bold red]error:[/] {escape(e.message)}")
    for e in result.skipped:  # lock and temporary files, a second copy of a file
        out.print(f"passed over: {e.message}", markup=False)
    for f in result.files:
        for note in f.notes:
            out.print(f"note: {f.path.name}: {note}", markup=False)
    print_validation_totals(result)


#: ``--sheet``: the sheet of each workbook to read.
SheetOption = Annotated[
    str | None,
    typer.Option(
        help="Sheet of each workbook to read (default: every visible sheet whose header "
        "names the table's columns).",
        metavar="NAME",
    ),
]
#: ``--date-format``: how the files write their dates.
DateFormatOption = Annotated[
    str | None,
    typer.Option(
        help="How dates are written, as a strptime format: '%m/%d/%y' for a US export "
        "(default: dd-mm-yyyy, d-m-yy and ISO).",
        metavar="FMT",
    ),
]


@app.command()
def validate(
    paths: Annotated[
        list[Path], typer.Argument(help="Files or folders to validate.", metavar="PATH...")
    ],
    table: Annotated[
        str | None,
        typer.Option(help="Table of every file (default: from the file name).", metavar="T"),
    ] = None,
    fmt: Annotated[
        Format, typer.Option("--format", help="Output format.", metavar="[text|json|github]")
    ] = Format.text,
    max_rejects: Annotated[
        int,
        typer.Option(help="Rejections shown per file (text and github formats).", metavar="N"),
    ] = 10,
    sheet: SheetOption = None,
    date_format: DateFormatOption = None,
) -> None:
    """Validate files against the data model; exit 1 when any row is rejected.

    Exit 2 when a file cannot be read."""
    from brugdata.ingest.validate import validate as run

    try:
        result = run(*paths, table=table, sheet=sheet, date_format=date_format)
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
        f"{plural(result.rows_read, 'row')} read: {result.rows_valid} valid, "
        f"{result.rows_rejected} rejected, in {plural(len(result.files), 'file')}"
    )
    if result.errors:
        n = len(result.errors)
        total += f"; {plural(n, 'file')} could not be read"
    out.print(total, markup=False)


#: Inputs larger than this (bytes, all files together) get a progress bar on a terminal.
PROGRESS_FROM_BYTES = 20_000_000


@app.command()
def ingest(
    paths: Annotated[
        list[Path], typer.Argument(help="Files or folders to load.", metavar="PATH...")
    ],
    db: DbOption,
    table: Annotated[
        str | None,
        typer.Option(help="Table of every file (default: from the file name).", metavar="T"),
    ] = None,
    max_rejects: Annotated[int, typer.Option(help="Rejections shown per file.", metavar="N")] = 10,
    update: Annotated[
        bool,
        typer.Option(
            "--update",
            help="Store changed schools, officers and partners as their new version "
            "(the old one is kept); without it a changed row is rejected.",
        ),
    ] = False,
    sheet: SheetOption = None,
    date_format: DateFormatOption = None,
) -> None:
    """Validate files and load them into the store; exit 1 when any row was rejected.

    The valid rows are loaded all the same; exit 2 when a file could not be read, 3 when
    the store is damaged or cannot be written (it is left as it was)."""
    from rich.progress import Progress

    from brugdata.ingest.validate import collect_files

    size = sum(f.stat().st_size for f in collect_files(paths) if f.is_file())
    with _open(db) as store:
        try:
            if size >= PROGRESS_FROM_BYTES and err.is_terminal:
                with Progress(console=err.console, transient=True) as bar:
                    task = bar.add_task("ingest", total=None)

                    def step(path: Path) -> None:
                        bar.update(task, advance=1, description=path.name)

                    result = store.ingest(
                        *paths,
                        table=table,
                        on_file=step,
                        update=update,
                        sheet=sheet,
                        date_format=date_format,
                    )
            else:
                result = store.ingest(
                    *paths, table=table, update=update, sheet=sheet, date_format=date_format
                )
        except (BrugdataError, ValueError) as exc:
            raise fail(str(exc)) from None
    print_ingest(result, db, max_rejects=max_rejects)
    if result.errors:
        raise typer.Exit(EXIT_ERROR)
    raise typer.Exit(EXIT_REJECTED if result.rows_rejected else EXIT_OK)


def print_ingest(result: IngestResult, db: Path, *, max_rejects: int) -> None:
    """Print what an ingest loaded, skipped and rejected."""
    from rich.markup import escape
    from rich.table import Table as RichTable

    grid = RichTable(title=f"Ingest into {db}")
    counts = ("rows", "loaded", "rejected", "unchanged")
    for name in ("file", "table", "status", *counts):
        grid.add_column(name, justify="right" if name in counts else "left")
    for f in result.files:
        if f.status == "error":
            continue
        style = "red" if f.rows_rejected else ("dim" if f.status == "skipped" else "")
        grid.add_row(
            escape(f.label),  # a workbook loaded sheet by sheet: a row per sheet, named
            f.table or "",
            f.status,
            str(f.rows_read),
            str(f.rows_loaded),
            str(f.rows_rejected),
            str(f.rows_unchanged),
            style=style,
        )
    out.print(grid)
    print_rejections(result.validation, max_rejects=max_rejects)
    skipped = len(result.skipped)
    out.print(
        f"loaded {plural(result.rows_loaded, 'row')}"
        + (f" ({result.rows_updated} as new versions)" if result.rows_updated else "")
        + f", rejected {result.rows_rejected}"
        + (f", unchanged {result.rows_unchanged}" if result.rows_unchanged else "")
        + (f", skipped {plural(skipped, 'file')} already ingested" if skipped else ""),
        markup=False,
    )
    checked_files = result.validation.files
    for checked, label in zip(checked_files, file_labels(checked_files), strict=True):
        if checked.pseudonymised:
            done = ", ".join(f"{n} in {col}" for col, n in checked.pseudonymised.items())
            out.print(f"{label}: direct identifiers replaced by pseudonyms: {done}", markup=False)
        if checked.redacted:
            done = ", ".join(f"{n} {kind}" for kind, n in checked.redacted.items())
            out.print(f"{label}: personal data redacted in free text: {done}", markup=False)


@app.command()
def rejects(
    db: DbOption,
    fmt: Annotated[
        TableFormat, typer.Option("--format", help="Output format.", metavar="[table|csv|json]")
    ] = TableFormat.table,
    limit: Annotated[int | None, typer.Option(help="Show at most this many.", metavar="N")] = None,
    wide: Annotated[
        bool, typer.Option("--wide", help="Show every column, however wide the table.")
    ] = False,
) -> None:
    """List what was rejected: file, line, column, rule, value and why."""
    with _open(db, read_only=True) as store:
        frame = store.rejects().drop("ingest_id")
    frame = frame if limit is None else frame.head(limit)
    print_frame(frame, fmt, title="Rejected rows", wide=wide)


@app.command()
def info(db: DbOption) -> None:
    """What the store holds: tables, row counts, school years, pilots and ingests made."""
    from rich.table import Table as RichTable

    with _open(db, read_only=True) as store:
        facts = store.info(check=True)  # counts come from metadata: read every block first
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
        f"ingests: {facts['ingests']} ({plural(facts['files_ingested'], 'file')}, "
        f"{plural(facts['rows_rejected'], 'row')} rejected), "
        f"last {facts['last_ingest'] or '-'}",
        markup=False,
    )


app.command()(analyse)
app.command()(export)
app.command("indicators")(indicators_command)


@app.command("convert-form")
def convert_form(
    export: Annotated[
        Path, typer.Argument(help="The form tool's export (.xlsx or .csv).", metavar="EXPORT")
    ],
    mapping: Annotated[
        str,
        typer.Option(
            help="A mapping TOML file, or the name of a shipped mapping.", metavar="MAPPING"
        ),
    ],
    out_dir: Annotated[
        Path, typer.Option("--out", help="Folder for the survey CSV files.", metavar="DIR")
    ],
    pilot: Annotated[
        str | None, typer.Option(help="Pilot, if the mapping leaves it open.", metavar="P")
    ] = None,
    school_year: Annotated[
        str | None,
        typer.Option(help="School year, if the mapping leaves it open.", metavar="YEAR"),
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
    out_file: Annotated[
        Path,
        typer.Option(
            "--out", help="The file to write: HTML, or an A4 PDF for a .pdf name.", metavar="FILE"
        ),
    ] = Path("report.html"),
    pilot: PilotOption = None,
    school_year: SchoolYearOption = None,
    lang: Annotated[
        Lang, typer.Option(help="Language of the report.", metavar="[nl|en]")
    ] = Lang.nl,
    title: Annotated[str | None, typer.Option(help="Title of the report.", metavar="TEXT")] = None,
    png: Annotated[
        Path | None,
        typer.Option("--png", help="Also write every chart as PNG into DIR.", metavar="DIR"),
    ] = None,
    svg: Annotated[
        Path | None,
        typer.Option("--svg", help="Also write every chart as SVG into DIR.", metavar="DIR"),
    ] = None,
) -> None:
    """Write the evaluation report: one self-contained HTML file that opens offline, or a
    print-ready A4 PDF when --out ends in .pdf (needs: pip install 'brugdata[pdf]').

    With small-cell protection (counts below 10 shown as <10) and its output log
    (report.checks.json) beside it."""
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


def print_frame(
    frame: pl.DataFrame, fmt: TableFormat, *, title: str = "", wide: bool = False
) -> None:
    """Print a frame as a table (fitting the terminal unless ``wide``), CSV or JSON."""
    if fmt is TableFormat.csv:  # safe to open in a spreadsheet: no formula runs
        from brugdata.publish.exports import write_csv

        typer.echo(write_csv(frame), nl=False)  # as written: no console markup
    elif fmt is TableFormat.json:
        from brugdata.publish.tables import table_json

        typer.echo(table_json(frame))
    else:
        print_table(frame, title, wide=wide, more="--wide")


@app.command()
def sample(
    out_dir: Annotated[
        Path, typer.Option("--out", help="Folder to write the sample into.", metavar="DIR")
    ],
    seed: Annotated[
        int | None,
        typer.Option(help="Random seed (default: the committed sample's).", metavar="N"),
    ] = None,
) -> None:
    """Write the synthetic sample data set (two pilots) into a folder."""
    from brugdata.sample.generate import DEFAULT_SEED, generate_sample

    written = generate_sample(out_dir, seed=DEFAULT_SEED if seed is None else seed)
    out.print(f"wrote {plural(len(written), 'file')} to {out_dir}", markup=False)


app.command("check")(check_command)
register_registration(app)  # template, codebook
app.add_typer(key_app, name="key")
app.add_typer(population_app, name="population")
app.add_typer(calendar_app, name="calendar")


def main() -> None:
    """Entry point of the ``brugdata`` console script."""
    app()
