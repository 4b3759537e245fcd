"""The pilots' display names: a pilot is stored and exported by its code (``den_bosch``) and
shown by its name (``Den Bosch``), in Dutch or English, from the shipped, editable
``model/data/pilots.toml``. A store's own names (its ``pilots`` table, passed as ``names``)
come first, then names given at run time (:func:`set_pilot_names`), then the shipped ones."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any, Literal

from brugdata.model.vocab import load_data_toml

__all__ = ["Names", "pilot_code", "pilot_name", "pilot_names", "set_pilot_names"]

Lang = Literal["nl", "en"]

_EXTRA: dict[str, dict[str, str]] = {}


@cache
def _shipped() -> dict[str, dict[str, str]]:
    raw: dict[str, Any] = load_data_toml("pilots.toml").get("pilots", {})
    return {code: {k: str(v) for k, v in names.items()} for code, names in raw.items()}


def set_pilot_names(names: Mapping[str, Mapping[str, str]]) -> None:
    """Add or replace display names: code → {"nl": ..., "en": ...} (either may be missing)."""
    for code, by_lang in names.items():
        _EXTRA[code] = {k: v for k, v in by_lang.items() if v}


def pilot_names(lang: Lang = "nl") -> dict[str, str]:
    """Every pilot with a display name: code → name in ``lang``."""
    out = {}
    for code in {**_shipped(), **_EXTRA}:
        out[code] = pilot_name(code, lang)
    return out


#: A pilot's names by language, as a store's ``pilots`` table gives them: code → {lang: name}.
Names = Mapping[str, Mapping[str, str]]


def pilot_name(code: Any, lang: Lang = "nl", names: Names | None = None) -> str:
    """The display name of pilot ``code`` in ``lang`` (the other language's name, else the
    code itself, when none is given), from ``names`` (a store's own) first; an en dash for
    None."""
    if code is None:
        return "–"
    key = str(code)
    for source in (names or {}, _EXTRA, _shipped()):
        by_lang = source.get(key)
        if by_lang:
            other = "en" if lang == "nl" else "nl"
            return by_lang.get(lang) or by_lang.get(other) or key
    return key


def pilot_code(text: str, codes: list[str], names: Names | None = None) -> str | None:
    """The code of the pilot ``text`` names among ``codes``: the code itself, or a display
    name in either language (``names`` first), case and spacing ignored; None when it names
    none."""

    def norm(s: str) -> str:
        return " ".join(s.replace("_", " ").split()).casefold()

    wanted = norm(text)
    for code in codes:
        if norm(code) == wanted or wanted in {
            norm(pilot_name(code, "nl", names)),
            norm(pilot_name(code, "en", names)),
        }:
            return code
    return None
