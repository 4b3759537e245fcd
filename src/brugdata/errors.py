"""The one error type brugdata raises for bad input, and its subclasses."""

from __future__ import annotations

__all__ = ["BrugdataError", "ReadError", "StoreError"]


class BrugdataError(Exception):
    """Base class: its message is one clear sentence meant for the user, never a traceback."""


class ReadError(BrugdataError):
    """A file cannot be read at all (missing, empty, binary, unknown table, broken workbook)."""


class StoreError(BrugdataError):
    """The store cannot be opened or written (locked by another process, wrong version)."""
