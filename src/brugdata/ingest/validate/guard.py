"""The privacy step: identifiers replaced and personal data redacted before anything else.

Takes a file's string columns and the :class:`Privacy` settings; gives them with direct
identifiers in person and family columns replaced by keyed pseudonyms (or rejected), personal
data in free text redacted (or rejected), the failures, and counts of what was replaced
(:func:`guard`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import polars as pl

from brugdata.errors import BrugdataError
from brugdata.ingest.privacy import (
    is_direct_identifier,
    might_hold_personal_data,
    pseudonym,
    redact,
)
from brugdata.ingest.read import LINE_COLUMN
from brugdata.ingest.validate.failures import failure
from brugdata.model.tables import Table

__all__ = ["Privacy", "guard"]


@dataclass(frozen=True)
class Privacy:
    """How validation treats direct identifiers and personal data.

    ``key``: the pseudonym key; identifiers in person and family columns are replaced by keyed
    pseudonyms. Without a key, ``identifiers="reject"`` rejects those rows (the value is not
    kept) and ``"error"`` stops with one sentence (what ingest does: it never stores them).
    ``personal_data``: BSNs, phone numbers, e-mail addresses and addresses in free text are
    ``"redact"``-ed (replaced by a mark) or make the row ``"reject"``-ed.
    """

    key: bytes | None = None
    identifiers: Literal["reject", "error"] = "reject"
    personal_data: Literal["redact", "reject"] = "redact"


def guard(
    strings: pl.DataFrame, spec: Table, privacy: Privacy, path: Path
) -> tuple[pl.DataFrame, list[pl.DataFrame], dict[str, dict[str, int]]]:
    """The strings with identifiers replaced by pseudonyms and personal data in free text
    redacted, the failures (rows rejected instead), and the counts of what was replaced
    (``pseudonymised`` by column, ``redacted`` by kind)."""
    failures: list[pl.DataFrame] = []
    counts: dict[str, dict[str, int]] = {"pseudonymised": {}, "redacted": {}}
    for col in (c for c in spec.columns if c.kind == "pseudonym"):
        distinct = strings.get_column(col.name).drop_nulls().unique().to_frame("v")
        identifying = distinct.filter(is_direct_identifier(pl.col("v"))).get_column("v")
        if identifying.is_empty():
            continue
        mask = pl.col(col.name).is_in(identifying.implode())
        hits = strings.filter(mask)
        if hits.is_empty():
            continue
        if privacy.key is not None:
            key = privacy.key
            values = hits.get_column(col.name).unique().to_list()
            mapping = {v: pseudonym(v, key) for v in values}
            strings = strings.with_columns(pl.col(col.name).replace(mapping))
            counts["pseudonymised"][col.name] = hits.height
            continue
        if privacy.identifiers == "error":
            first = hits.get_column(LINE_COLUMN)[0]
            raise BrugdataError(
                f"{path.name}: line {first}, column {col.name}: {hits.height} rows hold a "
                "direct identifier (a name, number or e-mail address) where a pseudonym "
                "belongs; set BRUGDATA_PSEUDONYM_KEY or BRUGDATA_PSEUDONYM_KEY_FILE so they "
                "are replaced by keyed pseudonyms, or pseudonymise the file first"
            )
        failures.append(
            failure(
                hits,
                pl.lit(True),
                col.name,
                "direct_identifier",
                pl.lit(
                    "holds a direct identifier (a name, number or e-mail address); "
                    "set a pseudonym key to replace it by a pseudonym"
                ),
                value=pl.lit(None, dtype=pl.String),
            )
        )
        strings = strings.with_columns(
            pl.when(mask).then(pl.lit("[redacted]")).otherwise(pl.col(col.name)).alias(col.name)
        )
    for col in (c for c in spec.columns if c.kind == "text"):
        suspects = strings.filter(might_hold_personal_data(pl.col(col.name)))
        if suspects.is_empty():
            continue
        redactions: dict[str, str] = {}
        kinds_of: dict[str, str] = {}
        for value in suspects.get_column(col.name).unique().to_list():
            clean, found = redact(value)
            if found:
                redactions[value] = clean
                kinds_of[value] = ", ".join(sorted(found))
                for kind, n in found.items():
                    counts["redacted"][kind] = counts["redacted"].get(kind, 0) + n * int(
                        (suspects.get_column(col.name) == value).sum()
                    )
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
