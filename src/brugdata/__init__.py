"""brugdata: validated data, a DuckDB store and analyses for brugfunctionaris pilots.

Data flows one way: read → validate → store → analyse → chart / report. The public API is
everything in ``__all__``; modules load when a name from them is first used, so
``import brugdata`` stays fast.

>>> import brugdata
>>> store = brugdata.open(":memory:")
>>> store.counts()["contacts"]
0
"""

from __future__ import annotations

import os
import sys
from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: How polars' allocator (jemalloc) is set up when brugdata is imported before polars and
#: nobody chose otherwise: freed memory is kept for reuse for 30 s before it goes back to the
#: system. polars' own setting (:data:`_POLARS_OWN`) gives it back within about a second, and
#: an ingest, which frees and takes gigabytes a second, then spends about a tenth of its time
#: taking the same pages back (docs/store.md, "Speed"). Set ``_RJEM_MALLOC_CONF`` yourself
#: (even empty) to keep polars' own setting.
_ALLOCATOR_CONF = "dirty_decay_ms:30000,muzzy_decay_ms:30000"

#: What polars puts in ``_RJEM_MALLOC_CONF`` when it is imported: a process started by one
#: that imported polars inherits it, which is not a choice of the user's.
_POLARS_OWN = "dirty_decay_ms:500,muzzy_decay_ms:1000"

if "polars" not in sys.modules and os.environ.get("_RJEM_MALLOC_CONF") in (None, _POLARS_OWN):
    os.environ["_RJEM_MALLOC_CONF"] = _ALLOCATOR_CONF

# public name → module that defines it (the name there, if it differs)
_EXPORTS: dict[str, tuple[str, str]] = {
    "open": ("brugdata.store", "open_store"),
    "Store": ("brugdata.store", "Store"),
    "IngestResult": ("brugdata.store", "IngestResult"),
    "FileIngest": ("brugdata.store", "FileIngest"),
    "validate": ("brugdata.validation", "validate"),
    "ValidationResult": ("brugdata.result", "ValidationResult"),
    "FileResult": ("brugdata.result", "FileResult"),
    "Known": ("brugdata.result", "Known"),
    "read_raw": ("brugdata.read", "read_raw"),
    "RawTable": ("brugdata.read", "RawTable"),
    "TABLES": ("brugdata.model", "TABLES"),
    "table": ("brugdata.model", "table"),
    "schema": ("brugdata.schemas", "schema"),
    "vocabulary": ("brugdata.vocab", "vocabulary"),
    "themes": ("brugdata.vocab", "themes"),
    "label": ("brugdata.vocab", "label"),
    "generate_sample": ("brugdata.sample", "generate_sample"),
    "reach": ("brugdata.analysis.reach", "reach"),
    "reach_bands": ("brugdata.analysis.reach", "reach_bands"),
    "parents_of_pupil_cases": ("brugdata.analysis.reach", "parents_of_pupil_cases"),
    "seasonality": ("brugdata.analysis.seasonality", "seasonality"),
    "network": ("brugdata.analysis.network", "network"),
    "time_use": ("brugdata.analysis.time_use", "time_use"),
    "compare": ("brugdata.analysis.compare", "compare"),
    "cases": ("brugdata.analysis.pathways", "cases"),
    "pathways": ("brugdata.analysis.pathways", "pathways"),
    "convert_form": ("brugdata.forms", "convert_form"),
    "load_mapping": ("brugdata.forms", "load_mapping"),
    "load_codebook": ("brugdata.codebook", "load_codebook"),
    "code_counts": ("brugdata.codebook", "code_counts"),
    "untagged_answers": ("brugdata.codebook", "untagged_answers"),
    "survey_results": ("brugdata.analysis.survey", "survey_results"),
    "survey_reach": ("brugdata.analysis.survey", "survey_reach"),
    "survey_reach_bands": ("brugdata.analysis.survey", "survey_reach_bands"),
    "survey_time_use": ("brugdata.analysis.survey", "survey_time_use"),
    "survey_contact_bands": ("brugdata.analysis.survey", "survey_contact_bands"),
    "survey_themes": ("brugdata.analysis.survey", "survey_themes"),
    "read_duo": ("brugdata.reference.duo", "read_duo"),
    "fill_population": ("brugdata.reference.duo", "fill_population"),
    "holidays": ("brugdata.calendar", "holidays"),
    "school_year_of": ("brugdata.calendar", "school_year_of"),
    "region_of": ("brugdata.calendar", "region_of"),
    "settings": ("brugdata.config", "settings"),
    "protect": ("brugdata.privacy", "protect"),
    "pseudonym": ("brugdata.privacy", "pseudonym"),
    "BrugdataError": ("brugdata.errors", "BrugdataError"),
    "ReadError": ("brugdata.errors", "ReadError"),
    "StoreError": ("brugdata.errors", "StoreError"),
}

__all__ = ["__version__", *_EXPORTS]

if TYPE_CHECKING:
    from brugdata.analysis.compare import compare
    from brugdata.analysis.network import network
    from brugdata.analysis.pathways import cases, pathways
    from brugdata.analysis.reach import parents_of_pupil_cases, reach, reach_bands
    from brugdata.analysis.seasonality import seasonality
    from brugdata.analysis.survey import (
        survey_contact_bands,
        survey_reach,
        survey_reach_bands,
        survey_results,
        survey_themes,
        survey_time_use,
    )
    from brugdata.analysis.time_use import time_use
    from brugdata.calendar import holidays, region_of, school_year_of
    from brugdata.codebook import code_counts, load_codebook, untagged_answers
    from brugdata.config import settings
    from brugdata.errors import BrugdataError, ReadError, StoreError
    from brugdata.forms import convert_form, load_mapping
    from brugdata.model import TABLES, table
    from brugdata.privacy import protect, pseudonym
    from brugdata.read import RawTable, read_raw
    from brugdata.reference.duo import fill_population, read_duo
    from brugdata.result import FileResult, Known, ValidationResult
    from brugdata.sample import generate_sample
    from brugdata.schemas import schema
    from brugdata.store import FileIngest, IngestResult, Store
    from brugdata.store import open_store as open
    from brugdata.validation import validate
    from brugdata.vocab import label, themes, vocabulary


def __getattr__(name: str) -> Any:
    try:
        module, attr = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'brugdata' has no attribute {name!r}") from None
    value = getattr(import_module(module), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
