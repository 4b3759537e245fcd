"""``brugdata indicators``: the indicator set (:func:`brugdata.indicators`) of a store, on the
terminal, as CSV or JSON, or into a folder, through the output path of ``brugdata analyse``
(the same as ``brugdata analyse indicators``).

The main CLI registers it with ``app.command("indicators")(indicators_command)``. Exit codes
as every command: 0, or 2 with one sentence (a bad ``--by``, pilot, school year, a store
without the data, an unsafe publication).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from brugdata.cli.analyse import AnalysisName, OutputFormat, analyse
from brugdata.cli.console import DbOption, PilotOption, SchoolYearOption, ThresholdOption

__all__ = ["indicators_command"]


def indicators_command(
    db: DbOption,
    by: Annotated[
        list[str] | None,
        typer.Option(
            "--by",
            help="Group by pilot (the default), school, municipality, school_type or "
            "school_year (repeat to combine).",
            metavar="KEY",
        ),
    ] = None,
    pilot: PilotOption = None,
    school_year: SchoolYearOption = None,
    publish: Annotated[
        bool,
        typer.Option(
            "--publish",
            help="Publication mode: hide small numerators (and what gives them away); with "
            "--out also write DIR/indicators.checks.json.",
        ),
    ] = False,
    threshold: ThresholdOption = None,
    fmt: Annotated[
        OutputFormat,
        typer.Option(
            "--format",
            help="Output format: a table on the terminal, csv, json, or parquet (with --out).",
            metavar="[table|csv|json|parquet]",
        ),
    ] = OutputFormat.table,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Write the table to DIR/indicators_indicators.csv (.json, .parquet with "
            "--format) instead of printing.",
            metavar="DIR",
        ),
    ] = None,
    wide: Annotated[
        bool, typer.Option("--wide", help="Show every column, however wide the table.")
    ] = False,
) -> None:
    """The indicator set: per indicator, group and school year its numerator, denominator and
    value, unit, status and source (docs/indicators.md)."""
    analyse(
        AnalysisName.indicators,
        db,
        pilot=pilot,
        by=by,
        source=None,
        school_year=school_year,
        fmt=fmt,
        table_name=None,
        out_dir=out_dir,
        publish=publish,
        threshold=threshold,
        wide=wide,
    )
