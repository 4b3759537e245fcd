"""Documentation made from the code, so it cannot drift: the data model page."""

from __future__ import annotations

from brugdata.ingest.validate import RULES
from brugdata.model.tables import TABLES, Column

__all__ = ["data_model_markdown"]

_KINDS = {
    "id": "identifier",
    "text": "text",
    "code": "code",
    "themes": "theme codes",
    "brin": "BRIN",
    "school_year": "school year",
    "pseudonym": "pseudonym",
    "int": "whole number",
    "float": "number",
    "date": "date",
}

_FORMATS = """## Value formats

- BRIN: BRIN6 `91AB00` for a school location, BRIN4 `92EF` for vo; lower case and spaces are
  tidied.
- School year: `YYYY-YYYY` of consecutive years (`2024/2025` accepted); a school year runs
  1 August – 31 July.
- Dates: `dd-mm-yyyy`, `d-m-yyyy`, `dd/mm/yyyy`, `dd.mm.yyyy` or ISO (with a time part from
  Excel); `31-02-2025` is rejected; no date after today.
- Numbers: `24,5`, `24.5`, `1.234` (thousands) and `1.234,5`.
- Codes: the code, its Dutch or English label, or an alias from the vocabulary file; case,
  accents, spaces and hyphens do not matter.
- Themes: one or more codes separated by `|`, or `,` / `;` inside a quoted field.
- Person and family keys (`person_key`, `family_key`): any value; every one is replaced at
  ingest by its keyed pseudonym `PS1-` + 16 hex digits (a value that is one already stays),
  so a name, pupil number or e-mail address is never stored (see [privacy.md](privacy.md)).

## Vocabularies

Shipped as TOML in `src/brugdata/data/`: `vocabularies.toml` (counterpart, channel,
initiated_by, colleague_role, role, school_type, region, partner_kind, activity_kind, task,
asker, relation, answer_kind), `themes.toml` (the theme taxonomy with Dutch and English labels
and descriptions) and `columns.toml` (header aliases). Add codes and aliases there; never
rename a code.
"""


def _rule(c: Column) -> str:
    parts = []
    if c.vocab:
        parts.append(f"vocabulary `{c.vocab}`")
    if c.references:
        parts.append(f"must exist in {c.references}")
    if c.min is not None and c.max is not None:
        low = "(" if c.min_exclusive else "["
        parts.append(f"in {low}{c.min:g}, {c.max:g}]")
    elif c.min is not None:
        parts.append(f"{'>' if c.min_exclusive else '≥'} {c.min:g}")
    return "; ".join(parts)


def data_model_markdown() -> str:
    """The page ``docs/data-model.md``: every table, column and rule."""
    lines = [
        "# The data model and its rules",
        "",
        "Made from the code by `python dev.py docs`; a test fails when it is out of date.",
        "Canonical names are English snake_case.",
        "",
    ]
    for t in TABLES.values():
        prefixes = ", ".join(f"`{p}*`" for p in t.prefixes)
        lines += [
            f"## {t.name}",
            "",
            f"{t.description} Unique key: {', '.join(t.key)}. File names: {prefixes}.",
            "",
            "| column | kind | required | rule | meaning |",
            "|---|---|---|---|---|",
        ]
        for c in t.columns:
            required = "yes" if c.required else ""
            lines.append(
                f"| {c.name} | {_KINDS[c.kind]} | {required} | {_rule(c)} | {c.description} |"
            )
        lines.append("")
    lines += [
        "## Rules",
        "",
        "A rejected row has one reason per broken rule, each naming line, column, rule and value.",
        "",
        "| rule | meaning |",
        "|---|---|",
        *[f"| `{k}` | {v} |" for k, v in RULES.items()],
        "",
        "Contacts also need: `person_key` for a parent or pupil contact, `colleague_role` for a",
        "colleague contact, `partner_id` for a partner contact (rule `required_for_counterpart`).",
        "A repeated key keeps the first row and rejects each later one (`duplicate_key`); a key",
        "already in the store is `already_stored`. A cell that fails to parse is not also",
        "reported by later rules.",
        "",
        _FORMATS,
    ]
    return "\n".join(lines)
