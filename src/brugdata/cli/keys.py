"""``brugdata key``: make a pseudonym key file, and show a key's fingerprint."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from brugdata.cli.console import fail, out
from brugdata.errors import BrugdataError

__all__ = ["key_app", "new_key_file"]

key_app = typer.Typer(
    help="The pseudonym key: person and family keys are replaced by pseudonyms made with it.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)


def new_key_file(path: Path) -> Path:
    """Write a new strong pseudonym key (43 random URL-safe characters, 256 bits) to a new
    file at ``path`` that only its owner can read (0600). An existing file is never
    overwritten: losing a store's key makes new files impossible to link to it."""
    import secrets

    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise BrugdataError(
            f"{path}: a file is there already; a key is never overwritten (a store's "
            "pseudonyms need the key they were made with): choose another name"
        ) from None
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(secrets.token_urlsafe(32) + "\n")
    os.chmod(path, 0o600)
    return path


@key_app.command("new")
def new(
    out_file: Annotated[
        Path, typer.Option("--out", help="The key file to write (new).", metavar="FILE")
    ],
) -> None:
    """Make a strong pseudonym key in a new file only you can read (0600)."""
    from brugdata.config import Settings, key_fingerprint

    try:
        path = new_key_file(out_file)
        key = Settings(pseudonym_key_file=str(path)).pseudonym_key()
    except BrugdataError as exc:
        raise fail(str(exc)) from None
    assert key is not None
    out.print(f"wrote a new pseudonym key to {path} (fingerprint {key_fingerprint(key)})")
    out.print(
        f"use it with: export BRUGDATA_PSEUDONYM_KEY_FILE={path}; keep it where the data's "
        "owner keeps secrets, not next to the store, and keep a copy: without it new files "
        "cannot be linked to the store's pseudonyms",
        markup=False,
    )


@key_app.command("fingerprint")
def fingerprint() -> None:
    """Show the fingerprint of the pseudonym key set, to compare with a store's.

    The key is BRUGDATA_PSEUDONYM_KEY_FILE's (or BRUGDATA_PSEUDONYM_KEY's); ``brugdata info``
    shows the store's fingerprint."""
    from brugdata.config import key_fingerprint, settings

    try:
        key = settings.pseudonym_key()
    except BrugdataError as exc:
        raise fail(str(exc)) from None
    if key is None:
        raise fail("no pseudonym key is set: set BRUGDATA_PSEUDONYM_KEY_FILE")
    out.print(key_fingerprint(key))
