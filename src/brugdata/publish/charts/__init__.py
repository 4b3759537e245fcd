"""Altair charts, one per analysis; Dutch labels by default, ``lang="en"`` for English.

Altair is imported only when a chart is made (it is slow to import).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS: dict[str, str] = {
    "reach_bands": "brugdata.publish.charts._reach",
    "reach_ci": "brugdata.publish.charts._reach",
    "seasonality_heatmap": "brugdata.publish.charts._seasonality",
    "network": "brugdata.publish.charts._network",
    "network_bands": "brugdata.publish.charts._network",
    "time_use": "brugdata.publish.charts._time_use",
    "comparison": "brugdata.publish.charts._compare",
    "trend_lines": "brugdata.publish.charts._trend",
    "pathway_routes": "brugdata.publish.charts._pathways",
    "time_to_referral": "brugdata.publish.charts._pathways",
    "survey_reach_bands": "brugdata.publish.charts._survey",
    "survey_themes": "brugdata.publish.charts._survey",
    "survey_contact_bands": "brugdata.publish.charts._survey",
    "answer_codes": "brugdata.publish.charts._survey",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'brugdata.charts' has no attribute {name!r}")
    value = getattr(import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
