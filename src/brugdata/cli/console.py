"""What every command-line module shares: the consoles, one-sentence errors, plural forms
and tables that fit the terminal.

Nothing heavy is imported here: rich loads when a console first prints, polars when a table
is printed, so ``brugdata --help`` and ``--version`` start fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer import _click  # typer's own copy of click, which its commands are made of
from typer.core import TyperGroup

if TYPE_CHECKING:
    import polars as pl
    from rich.console import Console

__all__ = [
    "EXIT_ERROR",
    "EXIT_FAULT",
    "EXIT_INTERNAL",
    "EXIT_OK",
    "EXIT_REJECTED",
    "DbOption",
    "GuardedGroup",
    "Options",
    "cell",
    "err",
    "fail",
    "fit_columns",
    "out",
    "plural",
    "table",
    "unexpected",
]

#: 0 all is well; 1 rows were rejected; 2 usage or unreadable input; 3 a store or
#: file-system fault (a damaged store, a full disk, a read-only or immutable file or folder);
#: 4 an internal error (a bug: ``--debug`` prints its traceback).
EXIT_OK, EXIT_REJECTED, EXIT_ERROR, EXIT_FAULT, EXIT_INTERNAL = 0, 1, 2, 3, 4

#: The width of output that is piped or captured, unless ``COLUMNS`` says otherwise.
PIPE_WIDTH = 220

#: ``--db FILE``, the store of every command that reads or writes one.
DbOption = Annotated[Path, typer.Option("--db", help="The store: a DuckDB file.", metavar="FILE")]
#: ``--pilot P`` (repeatable), ``--school-year YEAR`` and ``--threshold N``: the selection
#: and the small-cell threshold of the commands that analyse or publish.
PilotOption = Annotated[
    list[str] | None, typer.Option("--pilot", help="Only these pilots (repeat).", metavar="P")
]
SchoolYearOption = Annotated[
    str | None, typer.Option(help="Only this school year.", metavar="YEAR")
]
ThresholdOption = Annotated[
    int | None,
    typer.Option(help="Small-cell threshold (default 10, or the setting).", metavar="N"),
]


class LazyConsole:
    """A rich console made when first used, and made again when its stream or ``COLUMNS``
    changed (a test runner swaps ``sys.stdout``). Attributes are the console's."""

    def __init__(self, *, stderr: bool = False) -> None:
        self._stderr = stderr
        self._console: Console | None = None
        self._key: tuple[int, str | None] | None = None

    @property
    def console(self) -> Console:
        """The rich console for the current stream and terminal width."""
        stream = sys.stderr if self._stderr else sys.stdout
        columns = os.environ.get("COLUMNS")
        key = (id(stream), columns)
        if self._console is None or self._key != key:
            from rich.console import Console

            made = Console(stderr=self._stderr, highlight=False, soft_wrap=True)
            if not made.is_terminal and not (columns or "").isdigit():
                # piped or captured: do not squeeze wide tables into 80 columns
                made = Console(
                    stderr=self._stderr, highlight=False, soft_wrap=True, width=PIPE_WIDTH
                )
            self._console, self._key = made, key
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.console, name)


out = LazyConsole()
err = LazyConsole(stderr=True)


def fail(message: str, code: int | None = None) -> typer.Exit:
    """Print ``message`` as one error sentence on stderr; return the exit to raise: ``code``,
    by default 3 when the error being handled is a store or file-system fault
    (:class:`~brugdata.errors.StoreFault`) and 2 otherwise."""
    from rich.markup import escape

    from brugdata.errors import StoreFault

    if code is None:
        code = EXIT_FAULT if isinstance(sys.exc_info()[1], StoreFault) else EXIT_ERROR
    err.print(f"[bold red]error:[/] {escape(message)}")
    return typer.Exit(code)


class Options:
    """The global options, set by the top command's callback (``brugdata --debug COMMAND``)."""

    debug = False


class GuardedGroup(TyperGroup):
    """The command group: an error that no command turned into a sentence ends in one too,
    with its exit code (:func:`unexpected`), never in a traceback (but with ``--debug``)."""

    def invoke(self, ctx: _click.Context) -> Any:
        """Run the command; turn an unexpected error into one sentence and an exit code."""
        args = [*getattr(ctx, "_protected_args", []), *ctx.args]
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except Exception as exc:
            raise unexpected(exc, _option(args, "--db")) from None


def unexpected(exc: Exception, db: str | None = None) -> typer.Exit:
    """Print one sentence for an error no command handled and return the exit to raise: 3
    for a store or file-system fault (``db``: the store the command was given), 2 for bad
    input, 4 for anything else (a bug: ``--debug`` prints the traceback first)."""
    from brugdata.errors import BrugdataError, StoreFault

    if isinstance(exc, BrugdataError):
        return fail(str(exc), EXIT_FAULT if isinstance(exc, StoreFault) else EXIT_ERROR)
    if isinstance(exc, OSError):
        from brugdata.store.files import os_reason

        where = exc.filename if exc.filename is not None else (db or "a file")
        return fail(f"{where}: {os_reason(exc)}; nothing more was written", EXIT_FAULT)
    if "duckdb" in sys.modules:  # a damaged block met by a query outside the store's own
        from brugdata.store.check import is_damage
        from brugdata.store.files import fault

        if is_damage(exc):
            return fail(str(fault(db or "the store", exc)), EXIT_FAULT)
    if Options.debug:
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    then = (
        "report it with the traceback above"
        if Options.debug
        else "run again with --debug for the traceback and report it"
    )
    return fail(f"internal error ({type(exc).__name__}), a bug in brugdata: {then}", EXIT_INTERNAL)


def _option(args: list[str], name: str) -> str | None:
    """The value given to option ``name`` among the command-line ``args``."""
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


def plural(n: int, one: str, many: str | None = None) -> str:
    """``"1 file"``, ``"2 files"``: ``n`` with the word in its singular or plural form
    (``many``, by default ``one`` + s; give it for Dutch: ``plural(2, "rij", "rijen")``)."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


def cell(value: object) -> str:
    """A value as table text: numbers rounded for reading, lists joined with ``|``."""
    if value is None:
        return ""
    if isinstance(value, float):
        from brugdata.display import number

        if value != 0 and abs(value) < 1e-3:
            return f"{value:.4g}"
        return number(value, "en", 2, trim=True)
    if isinstance(value, list):
        return "|".join(map(str, value))
    return str(value)


#: What a table's frame takes besides the cells: padding and a border per column.
_PER_COLUMN = 3


def _cost(widths: list[int], shown: list[int]) -> int:
    """The width of a table of the columns ``shown`` at their ``widths``."""
    return 1 + sum(widths[i] + _PER_COLUMN for i in shown)


def fit_columns(
    widths: list[int], words: list[int], numeric: list[bool], room: int
) -> tuple[list[int], int | None]:
    """The columns to show in ``room`` characters, and the one to wrap at spaces (or None).

    ``widths`` are the columns' natural widths, ``words`` their longest word (or header).
    First the key columns (those before the first ``numeric`` one) and that first figure;
    when they do not fit, key columns are left out from the last, down to two. Then the
    columns after the figure, in order, as long as they fit whole; a column of text may
    take the rest of the room, wrapped at spaces, when its longest word fits."""
    n = len(widths)
    first = next((i for i, number in enumerate(numeric) if number), None)
    keys = list(range(n if first is None else first))
    figure = [] if first is None else [first]
    while _cost(widths, keys + figure) > room and len(keys) > 2:
        keys.pop()
    shown = keys + figure
    for i in range(n if first is None else first + 1, n):
        if _cost(widths, [*shown, i]) > room:
            break
        shown.append(i)
    left = room - _cost(widths, shown) - _PER_COLUMN
    wrap = next(
        (i for i in range(n) if i not in shown and words[i] < widths[i] and words[i] <= left),
        None,
    )
    if wrap is not None and left >= 10:
        shown.append(wrap)
    else:
        wrap = None
    return sorted(shown), wrap


def table(
    frame: pl.DataFrame,
    title: str | None = None,
    *,
    wide: bool = False,
    more: str | None = None,
    pilot_names: Mapping[str, Mapping[str, str]] | None = None,
) -> None:
    """Print a frame as a table, a pilot by its display name (``pilot_names``: the store's own,
    before the shipped ones; CSV and JSON keep the code).

    When it is wider than the terminal only the columns :func:`fit_columns` chooses are
    shown (the keys, the first figure and what fits after it), each whole on one line, with
    a line naming the others; ``wide`` shows every column (lines longer than the terminal).
    ``more`` is the option that shows them, for that line. Cells are text as they are: no
    console markup or emoji codes."""
    import polars as pl
    from rich.cells import cell_len
    from rich.table import Table as RichTable
    from rich.text import Text

    if "pilot" in frame.columns and frame.schema["pilot"] == pl.String:
        from brugdata.model.pilots import pilot_name

        frame = frame.with_columns(
            pl.col("pilot").map_elements(
                lambda code: pilot_name(code, "en", pilot_names),
                return_dtype=pl.String,
                skip_nulls=True,
            )
        )
    texts = [[cell(v) for v in row] for row in frame.iter_rows()]
    names = frame.columns
    widths = [max([cell_len(c), *(cell_len(r[i]) for r in texts)]) for i, c in enumerate(names)]
    words = [
        max([cell_len(c), *(cell_len(w) for r in texts for w in r[i].split())])
        for i, c in enumerate(names)
    ]
    numeric = [dtype.is_numeric() for dtype in frame.dtypes]
    need = _cost(widths, list(range(len(names))))
    room = out.width
    shown, wrap = (
        (list(range(len(names))), None) if wide else (fit_columns(widths, words, numeric, room))
    )
    whole = wide or _cost(widths, [i for i in shown if i != wrap]) <= room
    grid = RichTable(title=title or None)
    for i in shown:  # each column whole on its line, but the one wrapped at spaces
        grid.add_column(Text(names[i]), overflow="fold", no_wrap=whole and i != wrap)
    for row in texts:
        grid.add_row(*[Text(row[i]) for i in shown])
    if wide and need > room:  # lines longer than the terminal, each row on one line
        from rich.console import Console

        wider = Console(file=out.file, width=need, highlight=False, soft_wrap=True)
        wider.print(grid)
    else:
        out.print(grid)
    left = [c for i, c in enumerate(names) if i not in shown]
    if left:
        out.print(
            f"{plural(len(left), 'more column')} not shown for lack of width: "
            f"{', '.join(left)} ({more or 'a wider terminal'} shows them)",
            markup=False,
        )
