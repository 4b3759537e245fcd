"""Which files to validate, and in which order.

Takes paths of files and folders; gives the data files in them (:func:`collect_files`) and
each file paired with its table, in load order (:func:`plan_files`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from brugdata.ingest.privacy import redact_label
from brugdata.ingest.results import FileError
from brugdata.model.tables import TABLES, table, table_for_file, table_names

__all__ = ["DATA_EXTENSIONS", "collect_files", "plan_files", "source_names"]

#: Extensions picked up when a folder is given.
DATA_EXTENSIONS = (".csv", ".tsv", ".xlsx", ".xlsm", ".parquet")


def collect_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand folders (recursively, data files only, sorted); keep files as given."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(
                sorted(
                    f
                    for f in p.rglob("*")
                    if f.is_file()
                    and f.suffix.lower() in DATA_EXTENSIONS
                    and not any(part.startswith(".") for part in f.relative_to(p).parts)
                )
            )
        else:
            out.append(p)
    return out


def plan_files(
    files: list[Path], forced: str | None = None
) -> tuple[list[tuple[Path, str]], list[FileError]]:
    """Pair each file with its table, in load order (a table after the tables it refers to);
    files whose table cannot be told become errors."""
    order = {name: i for i, name in enumerate(table_names())}
    if forced is not None:
        table(forced)  # ValueError for an unknown name
    jobs: list[tuple[Path, str]] = []
    errors: list[FileError] = []
    for path in files:
        if not path.exists():
            errors.append(FileError(path, f"{path}: file not found"))
            continue
        name = forced or table_for_file(path)
        if name is None:
            hint = ", ".join(t.prefixes[0] + "*" for t in TABLES.values())
            errors.append(
                FileError(
                    path,
                    f"{path.name}: cannot tell which table this file "
                    f"holds from its name (name it {hint}, or give the "
                    "table explicitly)",
                )
            )
        else:
            jobs.append((path, name))
    jobs.sort(key=lambda job: order[job[1]])  # stable: files keep their order within a table
    return jobs, errors


def source_names(paths: Iterable[str | Path], files: Sequence[Path]) -> dict[Path, str]:
    """Each file's name as provenance keeps it: relative to the folder given that holds it
    (its own name when given as a file), each part redacted (:func:`redact_label`), so a
    folder named after a child is not kept."""
    folders = [Path(p) for p in paths if Path(p).is_dir()]
    out: dict[Path, str] = {}
    for f in files:
        parts: tuple[str, ...] = (f.name,)
        for folder in folders:
            if f.is_relative_to(folder):
                parts = f.relative_to(folder).parts
                break
        out[f] = "/".join(redact_label(part) for part in parts)
    return out
