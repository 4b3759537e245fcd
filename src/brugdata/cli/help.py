"""Help that reads well in any terminal: plain text (no rich panels, which also keeps
``--help`` fast), no type placeholders (``<bool>``, ``<list[str]>``), docstring paragraphs
re-wrapped rather than copied with their hard line ends, no line broken inside a hyphenated
word (``time-use``), and the first paragraph of a command's docstring as its summary in the
list of commands.

Every command gets this when the top group (:class:`Group`) hands it out, so commands that
other modules register need nothing of their own.
"""

from __future__ import annotations

import inspect
from functools import partial
from typing import Any

import typer.core
from typer import _click  # typer (>= 0.29) has its own copy of click: its help formatter

__all__ = ["Context", "Formatter", "Group", "polish", "summary"]

#: Stands for a hyphen while text is wrapped, so no line ends inside a hyphenated word.
_NO_BREAK = "\u2011"


def _keep(text: str) -> str:
    return text.replace("-", _NO_BREAK)


class Formatter(_click.HelpFormatter):
    """click's help formatter that wraps at spaces only, never at a hyphen."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        """The usage line (hyphens kept whole)."""
        super().write_usage(_keep(prog), _keep(args), prefix)

    def write_text(self, text: str) -> None:
        """A paragraph, re-wrapped at spaces."""
        super().write_text(_keep(text))

    def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
        """A list of terms and their help, the help re-wrapped at spaces."""
        super().write_dl([(_keep(a), _keep(b)) for a, b in rows], col_max, col_spacing)

    def getvalue(self) -> str:
        """The help text."""
        return super().getvalue().replace(_NO_BREAK, "-")


class Context(typer.Context):
    """A command's context, formatting help with :class:`Formatter`."""

    formatter_class = Formatter


def summary(help_text: str) -> str:
    """The first paragraph of a docstring on one line: a command's summary."""
    text = inspect.cleandoc(help_text).partition("\f")[0]
    return " ".join(text.split("\n\n")[0].split())


def _metavar(param: Any) -> str:
    """An option's placeholder when its command set none: its choices, or its name."""
    choices = getattr(getattr(param, "type", None), "choices", None)
    if choices:
        listed = "|".join(str(getattr(c, "value", c)) for c in choices)
        if len(listed) <= 40:
            return f"[{listed}]"
    return str(param.name or "value").upper()


def _no_type(ctx: Any = None) -> None:
    """No type after an argument's name in the help."""
    return None


def _usage_name(param: Any) -> str:
    """An argument in the usage line: ``NAME``, ``[NAME]`` when optional, ``...`` after one
    that takes several."""
    name = str(param.metavar or param.name).upper()
    name = name if param.required else f"[{name}]"
    return name if param.nargs == 1 or name.endswith("...") else name + "..."


def polish(command: Any) -> Any:
    """``command`` and every command below it with plain help: the :class:`Context`, no
    rich, the docstring's first paragraph as summary and a placeholder for every option."""
    command.context_class = Context
    if hasattr(command, "rich_markup_mode"):
        command.rich_markup_mode = None
    if command.help and not getattr(command, "_polished", False):
        command.short_help = summary(command.help)
    for param in command.params:
        is_flag = getattr(param, "is_flag", False)
        if param.metavar is None and not is_flag:
            param.metavar = _metavar(param)
        if isinstance(param, typer.core.TyperArgument):  # its name, not its type
            param.display_type_rich = _no_type  # type: ignore[method-assign]
            param._usage_display_name = partial(_usage_name, param)  # type: ignore[method-assign]
    command._polished = True
    for sub in getattr(command, "commands", {}).values():
        polish(sub)
    return command


class Group(typer.core.TyperGroup):
    """The top command group: every command it hands out is :func:`polish` ed."""

    context_class = Context

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["rich_markup_mode"] = None
        super().__init__(*args, **kwargs)
        polish(self)
