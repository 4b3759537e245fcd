"""DUO open data on pupils per school as the population of the store's schools.

:func:`read_duo` reads one of DUO's open-data files of pupils (``;``-separated, Windows-1252,
quoted; read with :func:`brugdata.read.read_raw`) and totals the pupils per school:

- **po** (pupils per vestiging by age): an instelling column (``INSTELLINGSCODE``, or
  ``BRIN_NUMMER`` in older files), a vestiging column (``VESTIGINGSCODE``, or
  ``VESTIGINGSNUMMER`` in older files) and either a ``TOTAAL`` column or age columns
  ``LEEFTIJD_*`` (usually with ``SOORT_PO``). The vestiging is either the full BRIN6
  (``12AB01``) or its number (``1`` or ``01``), zero padded to two digits and put after the
  BRIN4. Totals are per BRIN6; a vestiging on several rows (one per SOORT_PO, say) is summed.
  With a ``TOTAAL`` column only that column is counted, otherwise the ``LEEFTIJD_*`` columns.
- **vo** (pupils per vestiging and onderwijstype by leerjaar and sex): an instelling column
  and per-year columns by sex, ``LJ1_MAN``, ``LJ1_VROUW``, ... or ``LEERJAAR_1_MAN``, ...
  Totals are per BRIN4 (instelling), summed over all its vestigingen and rows.

Headers are matched without regard to case, spaces and hyphens. Any other layout raises a
:class:`~brugdata.errors.BrugdataError` in one sentence.

DUO publishes counts of 1 to 4 as ``<5``. Such a cell is kept as a fact, not guessed: it adds
1 to ``pupils_low`` and 4 to ``pupils_high`` and is counted in ``suppressed_cells``; an empty
cell counts as 0.

:func:`fill_population` puts the totals into the store for one school year (count date
1 October): ``schools.pupils`` becomes ``pupils_low`` for schools without pupils, and the
bounds go to the table ``population_bounds`` (the schools table is not changed in shape).
A school whose pupils differ from the file is reported and only overwritten with
``replace=True``; schools of the store the file lacks are listed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import polars as pl

from brugdata.errors import BrugdataError
from brugdata.ingest.read import LINE_COLUMN, PROBLEM_COLUMN, read_raw
from brugdata.model.vocab import fold

if TYPE_CHECKING:
    pass

__all__ = [
    "DuoPupils",
    "SECTOR_SCHOOL_TYPES",
    "read_duo",
]

Sector = Literal["po", "vo"]

#: The school types of the store a DUO file of each sector is expected to cover: schools of
#: these types that the file lacks are listed as missing.
SECTOR_SCHOOL_TYPES: dict[str, tuple[str, ...]] = {
    "po": ("po", "gbo", "so"),
    "vo": ("vo", "vso"),
}

_INSTELLING = ("instellingscode", "brin_nummer", "brinnummer", "brin")
_VESTIGING = ("vestigingscode", "vestigingsnummer", "vestiging")
_OLD_NAMES = {"brin_nummer", "brinnummer", "brin", "vestigingsnummer"}
_TOTAL = ("totaal", "totaal_leerlingen", "aantal_leerlingen")
_AGE = re.compile(r"^leeftijd_?\w+$")
_VO_YEAR = re.compile(r"^(lj|leerjaar)_?(\d{1,2})_(man|vrouw|mannen|vrouwen|m|v)$")
_BRIN4 = re.compile(r"^[0-9]{2}[A-Z]{2}$")
_BRIN6 = re.compile(r"^[0-9]{2}[A-Z]{2}[0-9]{2}$")
_VESTIGING_NUMBER = re.compile(r"^[0-9]{1,2}$")
_SUPPRESSED = "<5"

_FRAME_SCHEMA = {
    "school_id": pl.String,
    "sector": pl.String,
    "pupils_low": pl.Int64,
    "pupils_high": pl.Int64,
    "suppressed_cells": pl.Int64,
    "source_rows": pl.Int64,
}


@dataclass(frozen=True)
class DuoPupils:
    """Pupil totals read from one DUO file.

    ``frame`` has one row per school: school_id (BRIN6 for po, BRIN4 for vo), sector
    (``"po"`` | ``"vo"``), pupils_low and pupils_high (Int64; equal when no ``<5`` cell was
    involved), suppressed_cells (Int64: the ``<5`` cells summed) and source_rows (rows of the
    file summed). ``layout`` names the layout recognised (``po``, ``po-old``, ``vo``,
    ``vo-old``); ``count_columns`` the columns counted."""

    path: Path
    sector: Sector
    layout: str
    frame: pl.DataFrame
    rows_read: int
    count_columns: tuple[str, ...]

    @property
    def source(self) -> str:
        """What the counts came from, as recorded in ``population_bounds``."""
        return f"DUO {self.sector} ({self.path.name})"


def _headers(frame: pl.DataFrame) -> dict[str, str]:
    """Folded header → column name, for the file's own columns."""
    out: dict[str, str] = {}
    for column in frame.columns:
        if column in (LINE_COLUMN, PROBLEM_COLUMN):
            continue
        out.setdefault(fold(column), column)
    return out


def _first(headers: dict[str, str], names: tuple[str, ...]) -> tuple[str, str] | None:
    for name in names:
        if name in headers:
            return name, headers[name]
    return None


def _unknown_layout(name: str, headers: dict[str, str]) -> BrugdataError:
    columns = list(headers.values())
    shown = ", ".join(columns[:8]) + (f" and {len(columns) - 8} more" if len(columns) > 8 else "")
    return BrugdataError(
        f"{name}: not a DUO pupil file this version knows (it needs INSTELLINGSCODE or "
        "BRIN_NUMMER with VESTIGINGSCODE or VESTIGINGSNUMMER and LEEFTIJD_* or TOTAAL columns "
        f"for po, or LJ1_MAN, LJ1_VROUW and further per-year columns for vo; its columns are "
        f"{shown})"
    )


def read_duo(path: str | Path) -> DuoPupils:
    """Read a DUO open-data file of pupils per school location (po or vo, current or older
    layout) into pupil totals per school; see the module documentation for the layouts.
    Raises :class:`~brugdata.errors.BrugdataError` (one sentence) for unreadable files,
    unknown layouts and cells that are not counts."""
    raw = read_raw(path)
    name = raw.path.name
    data = raw.data
    headers = _headers(data)
    instelling = _first(headers, _INSTELLING)
    vestiging = _first(headers, _VESTIGING)
    vo_columns = [column for key, column in headers.items() if _VO_YEAR.match(key)]
    total = _first(headers, _TOTAL)
    age_columns = [column for key, column in headers.items() if _AGE.match(key)]
    if instelling is None:
        raise _unknown_layout(name, headers)
    old = instelling[0] in _OLD_NAMES
    sector: Sector
    if vo_columns:
        sector, counted = "vo", vo_columns
    elif vestiging is not None and (total is not None or age_columns):
        sector = "po"
        counted = [total[1]] if total is not None else age_columns
        old = old or vestiging[0] in _OLD_NAMES
    else:
        raise _unknown_layout(name, headers)
    layout = f"{sector}-old" if old else sector

    broken = data.filter(pl.col(PROBLEM_COLUMN).is_not_null())
    if broken.height:
        row = broken.row(0, named=True)
        raise BrugdataError(f"{name}, line {row[LINE_COLUMN]}: {row[PROBLEM_COLUMN]}")

    ids = _school_ids(data, name, sector, instelling[1], vestiging[1] if vestiging else None)
    low, high, suppressed = _counts(data, name, counted)
    rows = pl.DataFrame(
        {"school_id": ids, "low": low, "high": high, "suppressed": suppressed},
        schema={"school_id": pl.String, "low": pl.Int64, "high": pl.Int64, "suppressed": pl.Int64},
    )
    frame = (
        rows.group_by("school_id")
        .agg(
            pl.col("low").sum().alias("pupils_low"),
            pl.col("high").sum().alias("pupils_high"),
            pl.col("suppressed").sum().alias("suppressed_cells"),
            pl.len().cast(pl.Int64).alias("source_rows"),
        )
        .with_columns(pl.lit(sector).alias("sector"))
        .select(list(_FRAME_SCHEMA))
        .cast(_FRAME_SCHEMA)  # type: ignore[arg-type]
        .sort("school_id")
    )
    return DuoPupils(raw.path, sector, layout, frame, data.height, tuple(counted))


def _school_ids(
    data: pl.DataFrame, name: str, sector: Sector, instelling: str, vestiging: str | None
) -> list[str]:
    """BRIN6 (po) or BRIN4 (vo) of every row; BrugdataError at the first malformed code."""
    lines = data[LINE_COLUMN].to_list()
    brin4s = data[instelling].to_list()
    vestigingen = data[vestiging].to_list() if vestiging else [None] * data.height
    out: list[str] = []
    for line, brin4_raw, vestiging_raw in zip(lines, brin4s, vestigingen, strict=True):
        brin4 = (brin4_raw or "").strip().upper()
        if not _BRIN4.match(brin4):
            raise BrugdataError(
                f"{name}, line {line}: {brin4_raw!r} in {instelling} is not a BRIN4 (like 12AB)"
            )
        if sector == "vo":
            out.append(brin4)
            continue
        code = (vestiging_raw or "").strip().upper()
        if _VESTIGING_NUMBER.match(code):
            out.append(brin4 + code.zfill(2))
        elif _BRIN6.match(code) and code.startswith(brin4):
            out.append(code)
        else:
            raise BrugdataError(
                f"{name}, line {line}: {vestiging_raw!r} in {vestiging} is not a vestiging "
                f"number (like 1 or 01) or a BRIN6 of instelling {brin4}"
            )
    return out


def _counts(
    data: pl.DataFrame, name: str, columns: list[str]
) -> tuple[pl.Series, pl.Series, pl.Series]:
    """Per row: the low and high pupil count and the number of ``<5`` cells."""
    low = pl.lit(0, dtype=pl.Int64)
    high = pl.lit(0, dtype=pl.Int64)
    suppressed = pl.lit(0, dtype=pl.Int64)
    for column in columns:
        cell = pl.col(column).str.replace_all(r"\s", "")
        hidden = cell.fill_null("") == _SUPPRESSED
        value = cell.cast(pl.Int64, strict=False)
        bad = cell.is_not_null() & (cell != "") & ~hidden & (value.is_null() | (value < 0))
        wrong = data.filter(bad)
        if wrong.height:
            row = wrong.row(0, named=True)
            raise BrugdataError(
                f"{name}, line {row[LINE_COLUMN]}: {row[column]!r} in {column} is not a pupil "
                f"count (a whole number or {_SUPPRESSED})"
            )
        exact = value.fill_null(0)
        low = low + pl.when(hidden).then(1).otherwise(exact)
        high = high + pl.when(hidden).then(4).otherwise(exact)
        suppressed = suppressed + hidden.cast(pl.Int64)
    out = data.select(low.alias("low"), high.alias("high"), suppressed.alias("suppressed"))
    return out["low"], out["high"], out["suppressed"]
