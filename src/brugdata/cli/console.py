"""What every command-line module shares: the consoles, one-sentence errors and tables."""

from __future__ import annotations

import polars as pl
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable

from brugdata.display import number

__all__ = ["EXIT_ERROR", "EXIT_OK", "EXIT_REJECTED", "cell", "err", "fail", "out", "table"]

EXIT_OK, EXIT_REJECTED, EXIT_ERROR = 0, 1, 2

out = Console(highlight=False, soft_wrap=True)
if not out.is_terminal:  # piped or captured: do not squeeze wide tables into 80 columns
    out = Console(highlight=False, soft_wrap=True, width=220)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str) -> typer.Exit:
    """Print ``message`` as one error sentence on stderr; return the exit to raise (code 2)."""
    err.print(f"[bold red]error:[/] {escape(message)}")
    return typer.Exit(EXIT_ERROR)


def cell(value: object) -> str:
    """A value as table text: numbers rounded for reading, lists joined with ``|``."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value != 0 and abs(value) < 1e-3:
            return f"{value:.4g}"
        return number(value, "en", 2, trim=True)
    if isinstance(value, list):
        return "|".join(map(str, value))
    return str(value)


def table(frame: pl.DataFrame, title: str | None = None) -> None:
    """Print a frame as a table, a pilot by its display name (CSV and JSON keep the code)."""
    if "pilot" in frame.columns and frame.schema["pilot"] == pl.String:
        from brugdata.model.pilots import pilot_name

        frame = frame.with_columns(
            pl.col("pilot").map_elements(
                lambda code: pilot_name(code, "en"), return_dtype=pl.String, skip_nulls=True
            )
        )
    grid = RichTable(title=title or None)
    for c in frame.columns:
        grid.add_column(c, overflow="fold")
    for row in frame.iter_rows():
        grid.add_row(*[escape(cell(v)) for v in row])
    out.print(grid)
