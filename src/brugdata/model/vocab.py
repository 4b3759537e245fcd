"""Vocabularies (code lists, the theme taxonomy, header aliases) loaded from package data.

The files live in ``brugdata/data/`` and are plain TOML, so they can be read and extended
without touching code. Every lookup folds its input first (see :func:`fold`), so ``Één``,
``een`` and ``EEN`` are the same word.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any, Literal

__all__ = [
    "Code",
    "Vocabulary",
    "column_aliases",
    "fold",
    "label",
    "load_data_toml",
    "themes",
    "vocabulary",
    "vocabularies",
]

Lang = Literal["nl", "en"]

_NON_WORD = re.compile(r"[\s\-./]+")


def fold(text: str) -> str:
    """Return ``text`` lower-cased, without accents, with runs of spaces, ``-``, ``.`` and
    ``/`` turned into one ``_`` and no leading or trailing ``_``: ``"Één-op-één"`` gives
    ``"een_op_een"``."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = plain.replace("'", "").replace("’", "")
    return _NON_WORD.sub("_", plain).strip("_")


@dataclass(frozen=True)
class Code:
    """One code of a vocabulary with its Dutch and English label."""

    code: str
    nl: str
    en: str
    description: str = ""
    aliases: tuple[str, ...] = ()

    def label(self, lang: Lang = "nl") -> str:
        """The label in ``lang`` (``"nl"`` or ``"en"``)."""
        return self.nl if lang == "nl" else self.en


@dataclass(frozen=True)
class Vocabulary:
    """A named list of codes, with a lookup that maps accepted input values to codes."""

    name: str
    nl: str
    en: str
    codes: tuple[Code, ...]
    _lookup: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        lookup: dict[str, str] = {}
        # Aliases first, so a code or label always wins over another code's alias.
        for c in self.codes:
            for alias in c.aliases:
                lookup.setdefault(fold(alias), c.code)
        for c in self.codes:
            lookup[fold(c.nl)] = c.code
            lookup[fold(c.en)] = c.code
        for c in self.codes:
            lookup[fold(c.code)] = c.code
        object.__setattr__(self, "_lookup", lookup)

    @property
    def code_list(self) -> list[str]:
        """The codes, in file order."""
        return [c.code for c in self.codes]

    @property
    def lookup(self) -> dict[str, str]:
        """Folded input value → code, for every code, label and alias."""
        return dict(self._lookup)

    def to_code(self, value: str) -> str | None:
        """The code ``value`` stands for, or None when it is not known."""
        return self._lookup.get(fold(value))

    def label(self, code: str, lang: Lang = "nl") -> str:
        """The label of ``code`` in ``lang``; the code itself when it is not known."""
        for c in self.codes:
            if c.code == code:
                return c.label(lang)
        return code

    def title(self, lang: Lang = "nl") -> str:
        """The vocabulary's own name in ``lang``."""
        return self.nl if lang == "nl" else self.en


def load_data_toml(name: str) -> dict[str, Any]:
    """Parse the TOML file ``brugdata/data/<name>`` shipped with the package."""
    return tomllib.loads(files("brugdata.model.data").joinpath(name).read_text(encoding="utf-8"))


def _code(entry: dict[str, Any]) -> Code:
    return Code(
        code=entry["code"],
        nl=entry.get("nl", entry["code"]),
        en=entry.get("en", entry["code"]),
        description=entry.get("description", ""),
        aliases=tuple(entry.get("aliases", ())),
    )


@cache
def vocabularies() -> dict[str, Vocabulary]:
    """Every shipped vocabulary by name (``counterpart``, ``channel``, ``theme``, ...)."""
    raw = load_data_toml("vocabularies.toml")
    out = {
        name: Vocabulary(name, section["nl"], section["en"], tuple(map(_code, section["codes"])))
        for name, section in raw.items()
    }
    out["theme"] = Vocabulary(
        "theme", "Thema", "Theme", tuple(map(_code, load_data_toml("themes.toml")["theme"]))
    )
    return out


def vocabulary(name: str) -> Vocabulary:
    """The vocabulary called ``name``; ValueError listing the known names otherwise."""
    vocabs = vocabularies()
    if name not in vocabs:
        raise ValueError(f"unknown vocabulary {name!r}; known: {', '.join(sorted(vocabs))}")
    return vocabs[name]


def themes() -> Vocabulary:
    """The theme taxonomy (``armoede``, ``opvoeding``, ...)."""
    return vocabulary("theme")


def label(vocab: str, code: str, lang: Lang = "nl") -> str:
    """The ``lang`` label of ``code`` in vocabulary ``vocab``."""
    return vocabulary(vocab).label(code, lang)


@cache
def _aliases_file() -> dict[str, dict[str, list[str]]]:
    return load_data_toml("columns.toml")


def column_aliases(table: str) -> dict[str, str]:
    """Folded header → canonical column for ``table``: the ``[all]`` aliases, overridden by
    the table's own section."""
    raw = _aliases_file()
    out: dict[str, str] = {}
    for section in ("all", table):
        for canonical, aliases in raw.get(section, {}).items():
            for alias in aliases:
                out[fold(alias)] = canonical
    return out
