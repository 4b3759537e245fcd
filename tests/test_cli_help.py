"""Every registered command has help: walked from the command tree, not from a list."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
from pathlib import Path
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


# ---------------------------------------------------------------- clean help (issue 21)

#: What typer prints for a parameter without a placeholder of its own.
PLACEHOLDERS = re.compile(
    r"<(?:bool|int|integer|float|str|text|path|file|filename|datetime|uuid|list\[)"
    r"|<[A-Za-z0-9_-]+\|"  # a choice list typer wraps in <...|...>
)


def _command(path: tuple[str, ...]) -> Any:
    command = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]
    return command


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("columns", ["100", "60"])
@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_help_is_clean(
    path: tuple[str, ...], columns: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    text = result.output
    assert not PLACEHOLDERS.search(text), PLACEHOLDERS.search(text)
    for line in text.splitlines():  # no line ends inside a word (time-/use)
        assert not re.search(r"[A-Za-z]-$", line), line
    command = _command(path)
    flat = _flat(text)
    # the docstring's paragraphs re-wrapped, not copied with their line ends: its first
    # paragraph appears whole, and so does the help of every option
    summary = _flat(inspect.cleandoc(command.help or "").split("\n\n")[0])
    assert summary in flat
    for param in command.params:
        if getattr(param, "help", None):
            assert _flat(param.help) in flat, (path, param.name)


@pytest.mark.parametrize("group", sorted({p[:-1] for p in COMMANDS}), ids=" ".join)
def test_command_lists_show_each_docstrings_first_paragraph(group: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*group, "--help"])
    assert result.exit_code == 0, result.output
    flat = _flat(result.output)
    for path in COMMANDS:
        if path[:-1] == group:
            command = _command(path)
            summary = _flat(inspect.cleandoc(command.help or "").split("\n\n")[0])
            assert f"{path[-1]} {summary}" in flat, path


def test_version() -> None:
    from brugdata import __version__

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"brugdata {__version__}\n"


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["analyse", "--help"]])
def test_help_and_version_import_no_heavy_library(args: list[str]) -> None:
    """Start-up time, measured robustly: what ``-X importtime`` says was imported."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "brugdata", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()}
    heavy = {"polars", "duckdb", "pandera", "altair", "numpy", "pyarrow", "rich.console"}
    assert not heavy & imported, heavy & imported


def test_readme_lists_every_command() -> None:
    """README's "Commands" table names every registered command, and no other."""
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Commands\n", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `brugdata ([a-z -]+?)`", section, flags=re.M))
    registered = {" ".join(p) for p in COMMANDS}
    groups = {" ".join(p[:-1]) for p in COMMANDS if len(p) > 1}
    assert listed - groups == registered - groups
