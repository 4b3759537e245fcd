"""Command-line groups for reference data: ``population`` (DUO pupil counts) and ``calendar``
(school holidays). The main CLI adds them with::

    app.add_typer(population_app, name="population")
    app.add_typer(calendar_app, name="calendar")

Exit codes follow ``brugdata``: 0 all is well, 1 changed counts were refused for lack of
``--replace``, 2 the input could not be read (one sentence on stderr, no traceback).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from brugdata.cli.console import EXIT_OK, DbOption, err, fail, out, table
from brugdata.errors import BrugdataError

if TYPE_CHECKING:
    from brugdata.store.population import PopulationUpdate

__all__ = ["calendar_app", "population_app"]

EXIT_REFUSED = 1

population_app = typer.Typer(
    help="Fill the pupils of the store's schools from DUO open data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
calendar_app = typer.Typer(
    help="The Dutch school calendar: school holidays per region.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@population_app.command("duo")
def population_duo(
    file: Annotated[
        Path, typer.Argument(help="DUO open-data file of pupils (po or vo).", metavar="FILE")
    ],
    school_year: Annotated[
        str,
        typer.Option(
            "--school-year", help="School year of the counts, like 2024-2025.", metavar="YEAR"
        ),
    ],
    db: DbOption,
    replace: Annotated[
        bool, typer.Option("--replace", help="Overwrite pupils that differ from the file.")
    ] = False,
) -> None:
    """Fill the pupils of the store's schools of a school year from a DUO file.

    Exit 1 when changed counts were refused (use --replace), 2 when the input cannot be
    read."""
    from brugdata.ingest.duo import read_duo
    from brugdata.store.population import fill_population
    from brugdata.store.store import open_store

    if not db.exists():
        raise fail(f"{db}: no store there (make one with: brugdata ingest PATH --db {db})")
    try:
        duo = read_duo(file)
        with open_store(db) as store:
            update = fill_population(store, duo, school_year=school_year, replace=replace)
    except BrugdataError as exc:
        raise fail(str(exc)) from None
    _print_update(update, duo.layout)
    raise typer.Exit(EXIT_REFUSED if update.refused else EXIT_OK)


def _print_update(update: PopulationUpdate, layout: str) -> None:
    if update.filled.height:
        table(update.filled, f"Filled ({update.school_year})")
    if update.changed.height:
        title = "Changed (written)" if update.replace else "Changed (refused: use --replace)"
        table(update.changed, title)
    if update.missing.height:
        table(update.missing, "In the store, not in the file")
    out.print(
        f"{update.source}, layout {layout}, count date {update.count_date}: "
        f"{update.filled.height} filled, {update.changed.height} changed"
        f"{'' if update.replace else f' ({update.refused} refused)'}, "
        f"{update.unchanged.height} unchanged, {update.missing.height} missing; "
        f"{update.not_in_store} schools of the file are not in the store that year",
        markup=False,
    )
    if update.refused:
        err.print(
            f"{update.refused} changed counts were not written: run again with --replace to "
            "overwrite them",
            markup=False,
        )


@calendar_app.command("holidays")
def calendar_holidays(
    region: Annotated[
        str | None,
        typer.Option("--region", help="Only this region: noord, midden or zuid.", metavar="REGION"),
    ] = None,
    school_year: Annotated[
        str | None,
        typer.Option("--school-year", help="Only this school year.", metavar="YEAR"),
    ] = None,
    add: Annotated[
        list[Path] | None,
        typer.Option(
            "--add",
            help="A Rijksoverheid open-data JSON file of holidays to add (repeat).",
            metavar="FILE",
        ),
    ] = None,
) -> None:
    """Print the school holidays (dates inclusive) per region and school year."""
    import polars as pl

    from brugdata.model.calendar import holidays, load_rijksoverheid_json

    try:
        extra = None
        if add:
            extra = pl.concat([load_rijksoverheid_json(path) for path in add])
        frame = holidays(region, school_year, extra=extra)
    except BrugdataError as exc:
        raise fail(str(exc)) from None
    if frame.is_empty():
        raise fail("no holidays known for that region and school year")
    table(frame, "School holidays")
