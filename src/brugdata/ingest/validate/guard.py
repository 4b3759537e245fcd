"""The privacy step: identifiers replaced and personal data redacted before anything else.

Takes a file's string columns and the :class:`Privacy` settings; gives them with every value
of the person and family columns replaced by its keyed pseudonym, personal
data in free text redacted (or rejected), the failures, and counts of what was replaced
(:func:`guard`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import polars as pl

from brugdata.errors import BrugdataError
from brugdata.ingest.privacy import (
    PSEUDONYM_PATTERN,
    might_hold_personal_data,
    pseudonym_series,
    redact,
    redact_label,
)
from brugdata.ingest.read import LINE_COLUMN
from brugdata.ingest.validate.failures import failure
from brugdata.model.tables import Table

__all__ = ["NO_KEY", "Privacy", "guard", "scrub_failures", "scrub_rows"]


@dataclass(frozen=True)
class Privacy:
    """How validation treats person and family keys and personal data.

    ``key``: the pseudonym key; every value of a person or family column is replaced by its
    keyed pseudonym (a value that already is a ``PS1-`` pseudonym stays). Without a key,
    ``identifiers="throwaway"`` uses a random key for this run only (what :func:`validate`
    does: nothing is kept) and ``"error"`` stops with one sentence (what ingest does).
    ``personal_data``: BSNs, phone numbers, e-mail addresses and addresses in free text are
    ``"redact"``-ed (replaced by a mark) or make the row ``"reject"``-ed.
    """

    key: bytes | None = None
    identifiers: Literal["throwaway", "error"] = "throwaway"
    personal_data: Literal["redact", "reject"] = "redact"


#: The sentence that says why an ingest of person or family keys needs a key.
NO_KEY = (
    "holds person or family keys, which are always replaced by keyed pseudonyms, and no "
    "pseudonym key is set: make one with 'brugdata key new --out FILE' and set "
    "BRUGDATA_PSEUDONYM_KEY_FILE=FILE (or BRUGDATA_PSEUDONYM_KEY); nothing was written"
)


def guard(
    strings: pl.DataFrame, spec: Table, privacy: Privacy, path: Path
) -> tuple[pl.DataFrame, list[pl.DataFrame], dict[str, dict[str, int]]]:
    """The strings with every person and family key replaced by its pseudonym and personal
    data in free text redacted, the failures (rows rejected instead), and the counts of what
    was replaced (``pseudonymised`` by column, ``redacted`` by kind)."""
    failures: list[pl.DataFrame] = []
    counts: dict[str, dict[str, int]] = {"pseudonymised": {}, "redacted": {}}
    key = privacy.key
    for col in (c for c in spec.columns if c.kind == "pseudonym"):
        # every value but blanks and values that are pseudonyms already, worked out once per
        # distinct value and joined back
        to_replace = (
            pl.col(col.name)
            .str.strip_chars()
            .pipe(lambda v: (v != "") & ~v.str.contains(PSEUDONYM_PATTERN))
        )
        column = strings.get_column(col.name)
        raw = column.drop_nulls().unique().to_frame().filter(to_replace)
        if raw.is_empty():
            continue
        if key is None:
            if privacy.identifiers == "error":
                first = strings.filter(to_replace).get_column(LINE_COLUMN)[0]
                raise BrugdataError(f"{path.name}: line {first}, column {col.name}: {NO_KEY}")
            key = secrets.token_bytes(32)
        new = raw.with_columns(pseudonym_series(raw.get_column(col.name), key).alias("_new"))
        # a join, not ``replace``: several times faster for 100,000s of distinct keys
        replaced = column.to_frame().join(new, on=col.name, how="left", maintain_order="left")
        counts["pseudonymised"][col.name] = replaced.get_column("_new").count()
        strings = strings.with_columns(
            replaced.select(pl.coalesce("_new", col.name).alias(col.name)).to_series()
        )
    for col in (c for c in spec.columns if c.kind == "text"):
        text = pl.col(col.name)
        suspects = strings.select(text.filter(might_hold_personal_data(text))).to_series()
        if suspects.is_empty():
            continue
        redactions: dict[str, str] = {}
        kinds_of: dict[str, str] = {}
        times = dict(suspects.value_counts().iter_rows())
        for value in suspects.unique().to_list():
            clean, found = redact(value)
            if found:
                redactions[value] = clean
                kinds_of[value] = ", ".join(sorted(found))
                for kind, n in found.items():
                    counts["redacted"][kind] = counts["redacted"].get(kind, 0) + n * times[value]
        if not redactions:
            continue
        if privacy.personal_data == "reject":
            hit = pl.col(col.name).is_in(list(redactions))
            failures.append(
                failure(
                    strings,
                    hit,
                    col.name,
                    "personal_data",
                    pl.concat_str(
                        pl.lit("holds personal data ("),
                        pl.col(col.name).replace_strict(kinds_of, default=""),
                        pl.lit(")"),
                    ),
                    value=pl.lit(None, dtype=pl.String),
                )
            )
        strings = strings.with_columns(pl.col(col.name).replace(redactions))
    return strings, failures, counts


def scrub_failures(failures: pl.DataFrame) -> pl.DataFrame:
    """The failures with no raw personal data: each value as :func:`redact_label` leaves it
    (personal data and what reads like a name replaced by marks), and each message quoting
    that instead of the raw value, redacted."""
    values = failures.get_column("value").drop_nulls().unique().to_list()
    clean = {v: c for v in values if (c := redact_label(v)) != v}
    pairs = failures.select("value", "message").unique()
    fixed: dict[tuple[str | None, str], str] = {}
    for value, message in pairs.iter_rows():
        text = message
        if value is not None and value in clean:
            text = text.replace(value, clean[value])
        if might_hold(text):
            text = redact(text)[0]
        if text != message:
            fixed[(value, message)] = text
    out = failures.with_columns(pl.col("value").replace(clean))
    if fixed:
        table = pl.DataFrame(
            {
                "_v": [k[0] for k in fixed],
                "_m": [k[1] for k in fixed],
                "_new": list(fixed.values()),
            },
            schema={"_v": pl.String, "_m": pl.String, "_new": pl.String},
        )
        out = (
            failures.with_columns(pl.col("value").alias("_v"), pl.col("message").alias("_m"))
            .join(table, on=["_v", "_m"], how="left", nulls_equal=True, maintain_order="left")
            .with_columns(
                pl.col("value").replace(clean),
                pl.coalesce("_new", "message").alias("message"),
            )
            .drop("_v", "_m", "_new")
        )
    return out


def scrub_rows(rows: pl.DataFrame, spec: Table) -> pl.DataFrame:
    """Rejected rows (strings) with no raw personal data: person and family keys are
    pseudonyms and free text is redacted already (as in valid rows); the other columns' values
    as :func:`redact_label` leaves them."""
    kinds = {c.name: c.kind for c in spec.columns}
    out = rows
    for name in rows.columns:
        if kinds.get(name) in (None, "pseudonym", "text"):
            continue
        values = rows.get_column(name).drop_nulls().unique().to_list()
        clean = {v: c for v in values if (c := redact_label(v)) != v}
        if clean:
            out = out.with_columns(pl.col(name).replace(clean))
    return out


def might_hold(text: str) -> bool:
    """True when ``text`` may hold personal data (a digit or an ``@``)."""
    return any(ch.isdigit() or ch == "@" for ch in text)
