"""Every registered command has help: walked from the command tree, not from a list."""

from __future__ import annotations

from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from brugdata.cli.app import app


def _commands(group: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command path below ``group`` (``("analyse",)``, ``("population", "duo")``, ...)."""
    out = [path] if path else []
    if hasattr(group, "commands"):
        for name, command in sorted(group.commands.items()):
            out += _commands(command, (*path, name))
    return out


COMMANDS = _commands(typer.main.get_command(app))


def test_the_tree_holds_the_main_commands() -> None:
    names = {c[0] for c in COMMANDS}
    assert {"validate", "ingest", "rejects", "info", "analyse", "report", "sample"} <= names


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    command = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]
    summary = (command.help or command.short_help or "").strip()
    assert summary, f"brugdata {' '.join(path)} has no help text"
