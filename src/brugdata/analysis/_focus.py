"""The focus areas of the national subsidy (armoede, zorg thuis, participatie in de wijk,
gezondheid, and other) and the themes that count for each, from the shipped, editable
``brugdata/model/data/focus_areas.toml`` or a mapping or file given at run time."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from brugdata.analysis._contract import AnalysisError
from brugdata.model.vocab import load_data_toml

__all__ = ["FocusAreas", "OTHER", "focus_areas"]

#: The area of a theme that no area lists.
OTHER = "other"

#: What ``focus_areas=`` takes: None (the shipped file), theme → area, or a TOML path.
FocusSource = Mapping[str, str] | str | Path | None


@dataclass(frozen=True)
class FocusAreas:
    """The areas in order (code → (Dutch label, English label)) and theme → area code."""

    areas: dict[str, tuple[str, str]]
    themes: dict[str, str]

    def area_of(self, theme: str) -> str:
        """The area of ``theme`` (``other`` when no area lists it)."""
        return self.themes.get(theme, OTHER)


def _parse(raw: Mapping[str, Any], where: str) -> FocusAreas:
    areas: dict[str, tuple[str, str]] = {}
    themes: dict[str, str] = {}
    entries = raw.get("area")
    if not isinstance(entries, list) or not entries:
        raise AnalysisError(f"{where} has no [[area]] entries; see focus_areas.toml")
    for entry in entries:
        code = str(entry.get("code", ""))
        if not code:
            raise AnalysisError(f"{where}: an [[area]] has no code")
        areas[code] = (str(entry.get("nl", code)), str(entry.get("en", code)))
        for theme in entry.get("themes", []):
            if theme in themes and themes[theme] != code:
                raise AnalysisError(
                    f"{where}: theme {theme!r} is in two areas, {themes[theme]!r} and {code!r}"
                )
            themes[str(theme)] = code
    areas.setdefault(OTHER, ("Overig", "Other"))
    return FocusAreas(areas, themes)


@cache
def _shipped() -> FocusAreas:
    return _parse(load_data_toml("focus_areas.toml"), "focus_areas.toml")


def focus_areas(source: FocusSource = None) -> FocusAreas:
    """The focus areas: the shipped file (None), a TOML file shaped like it (a path), or a
    mapping theme → area code (the shipped areas' labels; a new area is labelled by its
    code). AnalysisError (one sentence) for a file that cannot be read."""
    if source is None:
        return _shipped()
    if isinstance(source, Mapping):
        shipped = _shipped()
        themes = {**shipped.themes, **{str(k): str(v) for k, v in source.items()}}
        areas = {a: shipped.areas.get(a, (a, a)) for a in shipped.areas}
        for area in themes.values():
            areas.setdefault(area, (area, area))
        return FocusAreas(areas, themes)
    path = Path(source)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise AnalysisError(f"cannot read the focus areas in {path}: {exc}") from None
    return _parse(raw, str(path))
