"""Command-line commands of the shared registration format: ``template`` (the workbook an
officer fills in) and ``codebook`` (the data model as a Frictionless Data Package). The main
CLI registers them with :func:`register`.

Exit codes follow ``brugdata``: 0 written, 2 the input could not be used (one sentence on
stderr, no traceback).
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

import typer

from brugdata.cli.console import fail, out
from brugdata.errors import BrugdataError

__all__ = ["codebook", "register", "template"]


class Language(enum.StrEnum):
    """Languages of the template and the codebook."""

    nl = "nl"
    en = "en"


def template(
    out_file: Annotated[Path, typer.Option("--out", help="The workbook to write (.xlsx).")],
    pilot: Annotated[
        str | None, typer.Option("--pilot", help="Pilot: shown, and filters the store's lists.")
    ] = None,
    school_year: Annotated[
        str | None,
        typer.Option("--school-year", help="School year like 2024-2025: limits the dates."),
    ] = None,
    db: Annotated[
        Path | None,
        typer.Option("--db", help="A store whose school, officer and partner codes to offer."),
    ] = None,
    lang: Annotated[Language, typer.Option(help="Language of headers and lists.")] = Language.nl,
) -> None:
    """Write the registration workbook an officer fills in (contacts, activities, time use,
    partners)."""
    from brugdata.publish.registration.template import write_template

    try:
        path = write_template(
            out_file, lang=lang.value, pilot=pilot, school_year=school_year, db=db
        )
    except (BrugdataError, OSError) as exc:
        raise fail(str(exc)) from None
    out.print(f"wrote {path}")


def codebook(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the codebook into.")],
    lang: Annotated[
        Language, typer.Option(help="Language of the titles and the page.")
    ] = Language.nl,
) -> None:
    """Write the codebook: datapackage.json (Frictionless Data Package) and codebook.md."""
    from brugdata.publish.registration.datapackage import codebook_package

    try:
        written = codebook_package(out_dir, lang=lang.value)
    except (BrugdataError, OSError) as exc:
        raise fail(str(exc)) from None
    out.print(f"wrote {', '.join(p.name for p in written)} to {out_dir}")


def register(app: typer.Typer) -> None:
    """Add ``template`` and ``codebook`` to the main CLI ``app``."""
    app.command("template")(template)
    app.command("codebook")(codebook)
