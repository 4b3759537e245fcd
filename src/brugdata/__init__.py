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

from importlib import import_module
from typing import TYPE_CHECKING, Any

from brugdata._version import __version__

# public name → module that defines it (the name there, if it differs)
_EXPORTS: dict[str, tuple[str, str]] = {
    "open": ("brugdata.store.store", "open_store"),
    "Store": ("brugdata.store.store", "Store"),
    "IngestResult": ("brugdata.store.store", "IngestResult"),
    "FileIngest": ("brugdata.store.store", "FileIngest"),
    "validate": ("brugdata.ingest.validate", "validate"),
    "ValidationResult": ("brugdata.ingest.results", "ValidationResult"),
    "FileResult": ("brugdata.ingest.results", "FileResult"),
    "Known": ("brugdata.ingest.results", "Known"),
    "read_raw": ("brugdata.ingest.read", "read_raw"),
    "RawTable": ("brugdata.ingest.read", "RawTable"),
    "TABLES": ("brugdata.model.tables", "TABLES"),
    "table": ("brugdata.model.tables", "table"),
    "schema": ("brugdata.model.schemas", "schema"),
    "vocabulary": ("brugdata.model.vocab", "vocabulary"),
    "themes": ("brugdata.model.vocab", "themes"),
    "label": ("brugdata.model.vocab", "label"),
    "generate_sample": ("brugdata.sample.generate", "generate_sample"),
    "reach": ("brugdata.analysis.reach", "reach"),
    "reach_bands": ("brugdata.analysis.reach", "reach_bands"),
    "parents_of_pupil_cases": ("brugdata.analysis.reach", "parents_of_pupil_cases"),
    "seasonality": ("brugdata.analysis.seasonality", "seasonality"),
    "theme_shares": ("brugdata.analysis.themes", "theme_shares"),
    "network": ("brugdata.analysis.network", "network"),
    "to_networkx": ("brugdata.analysis.network", "to_networkx"),
    "time_use": ("brugdata.analysis.time_use", "time_use"),
    "compare": ("brugdata.analysis.compare", "compare"),
    "cases": ("brugdata.analysis.pathways", "cases"),
    "pathways": ("brugdata.analysis.pathways", "pathways"),
    "response": ("brugdata.analysis.survey", "response"),
    "survey_results": ("brugdata.analysis.survey", "survey_results"),
    "indicators": ("brugdata.analysis.indicators", "indicators"),
    "Frames": ("brugdata.analysis._contract", "Frames"),
    "AnalysisError": ("brugdata.analysis._contract", "AnalysisError"),
    "convert_form": ("brugdata.ingest.forms", "convert_form"),
    "load_mapping": ("brugdata.ingest.forms", "load_mapping"),
    "load_codebook": ("brugdata.model.codebook", "load_codebook"),
    "code_counts": ("brugdata.analysis.answers", "code_counts"),
    "untagged_answers": ("brugdata.analysis.answers", "untagged_answers"),
    "read_duo": ("brugdata.ingest.duo", "read_duo"),
    "fill_population": ("brugdata.store.population", "fill_population"),
    "holidays": ("brugdata.model.calendar", "holidays"),
    "school_year_of": ("brugdata.model.calendar", "school_year_of"),
    "region_of": ("brugdata.model.calendar", "region_of"),
    "settings": ("brugdata.config", "settings"),
    "protect": ("brugdata.publish.protect", "protect"),
    "write_template": ("brugdata.publish.registration", "write_template"),
    "codebook_package": ("brugdata.publish.registration", "codebook_package"),
    "use_offline_charts": ("brugdata.publish.notebook", "use_offline_charts"),
    "readable": ("brugdata.publish.notebook", "readable"),
    "pseudonym": ("brugdata.ingest.privacy", "pseudonym"),
    "BrugdataError": ("brugdata.errors", "BrugdataError"),
    "ReadError": ("brugdata.errors", "ReadError"),
    "StoreError": ("brugdata.errors", "StoreError"),
    "StoreFault": ("brugdata.errors", "StoreFault"),
    "check_store": ("brugdata.store.check", "check_store"),
    "StoreCheck": ("brugdata.store.check", "StoreCheck"),
}

#: public submodules by the names the documentation uses
_MODULES: dict[str, str] = {
    "calendar": "brugdata.model.calendar",
    "charts": "brugdata.publish.charts",
}

__all__ = ["__version__", *_EXPORTS, *_MODULES]

if TYPE_CHECKING:
    from brugdata.analysis._contract import AnalysisError, Frames
    from brugdata.analysis.answers import code_counts, untagged_answers
    from brugdata.analysis.compare import compare
    from brugdata.analysis.indicators import indicators
    from brugdata.analysis.network import network, to_networkx
    from brugdata.analysis.pathways import cases, pathways
    from brugdata.analysis.reach import parents_of_pupil_cases, reach, reach_bands
    from brugdata.analysis.seasonality import seasonality
    from brugdata.analysis.survey import response, survey_results
    from brugdata.analysis.themes import theme_shares
    from brugdata.analysis.time_use import time_use
    from brugdata.config import settings
    from brugdata.errors import BrugdataError, ReadError, StoreError, StoreFault
    from brugdata.ingest.duo import read_duo
    from brugdata.ingest.forms import convert_form, load_mapping
    from brugdata.ingest.privacy import pseudonym
    from brugdata.ingest.read import RawTable, read_raw
    from brugdata.ingest.results import FileResult, Known, ValidationResult
    from brugdata.ingest.validate import validate
    from brugdata.model.calendar import holidays, region_of, school_year_of
    from brugdata.model.codebook import load_codebook
    from brugdata.model.schemas import schema
    from brugdata.model.tables import TABLES, table
    from brugdata.model.vocab import label, themes, vocabulary
    from brugdata.publish.notebook import readable, use_offline_charts
    from brugdata.publish.protect import protect
    from brugdata.publish.registration import codebook_package, write_template
    from brugdata.sample.generate import generate_sample
    from brugdata.store.check import StoreCheck, check_store
    from brugdata.store.population import fill_population
    from brugdata.store.store import FileIngest, IngestResult, Store
    from brugdata.store.store import open_store as open


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        submodule = import_module(_MODULES[name])
        globals()[name] = submodule
        return submodule
    try:
        module_name, attr = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'brugdata' has no attribute {name!r}") from None
    value = getattr(import_module(module_name), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
