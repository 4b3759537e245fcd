"""``brugdata check``: is the store sound? Every block read and its checksum verified."""

from __future__ import annotations

import typer

from brugdata.cli.console import EXIT_ERROR, EXIT_FAULT, EXIT_OK, DbOption, fail, out
from brugdata.errors import StoreError

__all__ = ["check_command"]


def check_command(db: DbOption) -> None:
    """Check the store: read every block and verify its checksum; exit 0 when it is sound.

    Exit 3 when it is damaged (truncated, a block that does not match its checksum), with
    one sentence saying what is wrong; 2 when there is no store or another process holds
    it. ``ingest`` runs the same check before it builds on a store."""
    from brugdata.store.check import check_store

    try:
        found = check_store(db)
    except StoreError as exc:
        raise fail(str(exc), EXIT_ERROR) from None
    if not found.sound:
        raise fail(found.sentence(), EXIT_FAULT)
    out.print(found.sentence(), markup=False)
    raise typer.Exit(EXIT_OK)
