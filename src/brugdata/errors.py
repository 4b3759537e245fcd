"""The one error type brugdata raises for bad input, and its subclasses."""

from __future__ import annotations

__all__ = ["BrugdataError", "ReadError", "StoreError", "StoreFault"]


class BrugdataError(Exception):
    """Base class: its message is one clear sentence meant for the user, never a traceback."""


class ReadError(BrugdataError):
    """A file cannot be read at all (missing, empty, binary, unknown table, broken workbook)."""


class StoreError(BrugdataError):
    """The store cannot be opened or written (locked by another process, wrong version)."""


class StoreFault(StoreError):
    """The store or the file system failed: the store file is damaged (truncated, a block
    that fails its checksum) or cannot be written (disk full, read-only folder or file system,
    immutable file). The store is left as it was; the command line exits 3."""
