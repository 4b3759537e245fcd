"""The open codebook: brugdata's data model as a Frictionless Data Package.

``datapackage.json`` has one resource per table (``contacts.csv``, ...) with its Table
Schema: column names, titles and descriptions (in ``lang``; both languages in the custom
``titles`` and ``descriptions``), types, required columns, the codes of the vocabularies as
``constraints.enum`` (their labels in the custom ``labels``), ranges, formats as patterns,
primary and foreign keys. ``codebook.md`` is the same as a page to read. The package version
is brugdata's version with the store schema version as build metadata (like ``0.1.0+schema6``)
(:func:`codebook_package`).

What a Table Schema cannot say is said in the descriptions: a theme column holds one or more
codes separated by ``|`` (a ``pattern`` of the theme codes, not an ``enum``); the ranges with
an excluded bound (hours per week above 0) give the bound as ``minimum``; dates in the
future, a pseudonym's digit and consecutive school years are checked by brugdata only.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from brugdata._version import __version__
from brugdata.errors import BrugdataError
from brugdata.model.schemas import BRIN_PATTERN, PSEUDONYM_PATTERN
from brugdata.model.tables import TABLES, Column, Table
from brugdata.model.vocab import Lang, vocabulary
from brugdata.publish.registration.labels import column_label

__all__ = ["codebook_markdown", "codebook_package", "package_descriptor", "package_version"]

_TYPES = {"int": "integer", "float": "number", "date": "date"}
_SCHOOL_YEAR = r"[0-9]{4}-[0-9]{4}"
_WORDS = {
    "nl": {
        "title": "Codeboek brugdata",
        "description": "Het datamodel van brugdata voor de registratie en evaluatie van "
        "brugfunctionarissen in het onderwijs: tabellen, kolommen, codes en regels.",
        "version": "Versie",
        "column": "kolom",
        "title_nl": "titel (nl)",
        "title_en": "titel (en)",
        "type": "type",
        "required": "verplicht",
        "rule": "regel",
        "description_col": "omschrijving",
        "key": "Sleutel",
        "vocabularies": "Codelijsten",
        "code": "code",
        "yes": "ja",
        "no": "nee",
        "themes_rule": "een of meer themacodes, gescheiden door |",
        "references": "verwijst naar",
        "intro": "Elke tabel is een CSV-bestand (UTF-8, komma's, kopregel met de kolomnamen); "
        "`datapackage.json` beschrijft ze als Frictionless Data Package.",
    },
    "en": {
        "title": "brugdata codebook",
        "description": "brugdata's data model for registering and evaluating bridge officers "
        "(brugfunctionarissen) in Dutch schools: tables, columns, codes and rules.",
        "version": "Version",
        "column": "column",
        "title_nl": "title (nl)",
        "title_en": "title (en)",
        "type": "type",
        "required": "required",
        "rule": "rule",
        "description_col": "description",
        "key": "Key",
        "vocabularies": "Code lists",
        "code": "code",
        "yes": "yes",
        "no": "no",
        "themes_rule": "one or more theme codes separated by |",
        "references": "refers to",
        "intro": "Each table is a CSV file (UTF-8, commas, a header row of column names); "
        "`datapackage.json` describes them as a Frictionless Data Package.",
    },
}


def package_version() -> str:
    """The codebook's version: brugdata's version + the store schema version."""
    from brugdata.store.ddl import SCHEMA_VERSION

    return f"{__version__}+schema{SCHEMA_VERSION}"


def codebook_package(out_dir: str | Path, *, lang: Lang = "nl") -> list[Path]:
    """Write ``datapackage.json`` and ``codebook.md`` into ``out_dir``; return their paths.

    The CSV files the resources name (``contacts.csv``, ...) are not written: put a data set
    in canonical columns next to ``datapackage.json`` and ``frictionless validate`` checks it.
    """
    if lang not in ("nl", "en"):
        raise BrugdataError(f"language {lang!r} is not nl or en")
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BrugdataError(f"{out}: cannot make the folder ({exc.strerror or exc})") from None
    descriptor = package_descriptor(lang)
    package = out / "datapackage.json"
    package.write_text(
        json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    page = out / "codebook.md"
    page.write_text(codebook_markdown(lang), encoding="utf-8")
    return [package, page]


def package_descriptor(lang: Lang = "nl") -> dict[str, Any]:
    """The ``datapackage.json`` of the data model, as a dict."""
    words = _WORDS[lang]
    return {
        "profile": "tabular-data-package",
        "name": "brugdata",
        "title": words["title"],
        "description": words["description"],
        "version": package_version(),
        "resources": [_resource(t, lang) for t in TABLES.values()],
    }


def _resource(spec: Table, lang: Lang) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "fields": [_field(spec, c, lang) for c in spec.columns],
        "missingValues": [""],
        "primaryKey": list(spec.key),
    }
    foreign = [
        {
            "fields": c.name,
            "reference": {"resource": c.references, "fields": TABLES[c.references].key[0]},
        }
        for c in spec.columns
        if c.references
    ]
    if foreign:
        schema["foreignKeys"] = foreign
    return {
        "name": spec.name,
        "path": f"{spec.name}.csv",
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "description": spec.description,
        "schema": schema,
    }


def _field(spec: Table, col: Column, lang: Lang) -> dict[str, Any]:
    labels = column_label(spec.name, col.name)
    field: dict[str, Any] = {
        "name": col.name,
        "title": labels.title(lang),
        "description": labels.description(lang),
        "type": _TYPES.get(col.kind, "string"),
        "titles": {"nl": labels.nl, "en": labels.en},
        "descriptions": {"nl": labels.description_nl, "en": labels.description_en},
    }
    if col.kind == "date":
        field["format"] = "default"  # ISO 8601: 2024-09-02
    constraints: dict[str, Any] = {}
    if col.required:
        constraints["required"] = True
    if col.kind == "code" and col.vocab:
        vocab = vocabulary(col.vocab)
        constraints["enum"] = vocab.code_list
        field["labels"] = {c.code: {"nl": c.nl, "en": c.en} for c in vocab.codes}
    elif col.kind == "themes":
        codes = "|".join(re.escape(c) for c in vocabulary(col.vocab or "theme").code_list)
        constraints["pattern"] = rf"(?:{codes})(?:\|(?:{codes}))*"
        field["multiValued"] = {"separator": "|", "vocabulary": col.vocab or "theme"}
    elif col.kind == "brin":
        constraints["pattern"] = BRIN_PATTERN.strip("^$")
    elif col.kind == "school_year":
        constraints["pattern"] = _SCHOOL_YEAR
    elif col.kind == "pseudonym":
        constraints["pattern"] = PSEUDONYM_PATTERN.strip("^$")
    if col.min is not None:
        constraints["minimum"] = int(col.min) if col.kind == "int" else col.min
    if col.max is not None:
        constraints["maximum"] = int(col.max) if col.kind == "int" else col.max
    if constraints:
        field["constraints"] = constraints
    return field


def _rule(col: Column, lang: Lang) -> str:
    """The rule of a column in a few words, for the codebook page."""
    words = _WORDS[lang]
    parts: list[str] = []
    if col.kind == "code" and col.vocab:
        parts.append(f"`{col.vocab}`")
    elif col.kind == "themes":
        parts.append(f"`theme`: {words['themes_rule']}")
    elif col.kind == "brin":
        parts.append("BRIN6 `91AB00` / BRIN4 `92EF`")
    elif col.kind == "school_year":
        parts.append("`2024-2025`")
    if col.min is not None and col.max is not None:
        parts.append(f"{'(' if col.min_exclusive else '['}{col.min:g}, {col.max:g}]")
    elif col.min is not None:
        parts.append(f"{'>' if col.min_exclusive else '≥'} {col.min:g}")
    if col.references:
        parts.append(f"{words['references']} {col.references}")
    return "; ".join(parts)


def codebook_markdown(lang: Lang = "nl") -> str:
    """The codebook as a Markdown page: every table, column and code list."""
    words = _WORDS[lang]
    lines = [
        f"# {words['title']}",
        "",
        f"{words['version']} {package_version()}. {words['description']}",
        "",
        words["intro"],
        "",
    ]
    used: list[str] = []
    for spec in TABLES.values():
        lines += [f"## {spec.name}", "", spec.description, ""]
        lines.append(f"{words['key']}: {', '.join(f'`{k}`' for k in spec.key)}")
        lines.append("")
        head = ("column", "title_nl", "title_en", "type", "required", "rule", "description_col")
        lines.append("| " + " | ".join(words[h] for h in head) + " |")
        lines.append("|" + "---|" * len(head))
        for col in spec.columns:
            labels = column_label(spec.name, col.name)
            cells = [
                f"`{col.name}`",
                labels.nl,
                labels.en,
                _TYPES.get(col.kind, "string"),
                words["yes"] if col.required else words["no"],
                _rule(col, lang),
                labels.description(lang),
            ]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
            if col.vocab and col.vocab not in used:
                used.append(col.vocab)
        lines.append("")
    lines += [f"## {words['vocabularies']}", ""]
    for name in used:
        vocab = vocabulary(name)
        lines += [f"### `{name}`: {vocab.title(lang)}", ""]
        lines += [f"| {words['code']} | nl | en |", "|---|---|---|"]
        lines += [f"| `{c.code}` | {c.nl} | {c.en} |" for c in vocab.codes]
        lines.append("")
    return "\n".join(lines)
