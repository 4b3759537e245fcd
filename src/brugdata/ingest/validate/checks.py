"""The checks on typed values: the table's pandera model, then the rules across rows.

Takes a file's typed columns; gives the failures of the pandera.polars model (required,
codes, ranges, formats; :func:`schema_failures`) and of the rules that span rows or tables
(unique keys, keys already stored, references, what a contact's counterpart needs;
:func:`row_rules`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from brugdata.ingest.results import Known
from brugdata.ingest.validate.failures import IDX, failure, quoted
from brugdata.model.tables import Table, table

__all__ = ["row_rules", "schema_failures"]


def schema_failures(typed: pl.DataFrame, spec: Table, today: dt.date) -> list[pl.DataFrame]:
    """Run the table's pandera.polars model and turn its failure cases into failures."""
    from pandera.errors import SchemaErrors

    from brugdata.model.schemas import schema_for

    schema, rules = schema_for(spec, today)
    try:
        schema.validate(typed.drop(IDX), lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases
    else:
        return []
    cases = cases.filter(pl.col("index").is_not_null() & pl.col("column").is_not_null())
    if cases.is_empty():
        return []
    idx = typed.get_column(IDX)
    out = []
    for (column, check, number), group in cases.group_by(
        "column", "check", "check_number", maintain_order=True
    ):
        rule, template = rules.get(
            (str(column), _check_key(str(check), number)), ("invalid", f"breaks {check}")
        )
        positions = group.get_column("index").cast(pl.Int64)
        value = group.get_column("failure_case").cast(pl.String)
        if rule == "required":
            value = pl.Series("value", [None] * group.height, dtype=pl.String)
        message = pl.format(template, pl.col("value")) if "{}" in template else pl.lit(template)
        part = pl.DataFrame({IDX: idx.gather(positions), "value": value})
        out.append(
            part.select(
                IDX,
                pl.lit(str(column)).alias("column"),
                pl.lit(rule).alias("rule"),
                "value",
                message.alias("message"),
            )
        )
    return out


def _check_key(check: str, number: Any) -> str:
    """The key under which :func:`~brugdata.model.schemas.schema_for` names a check's rule."""
    return "not_nullable" if check == "not_nullable" else str(number)


# --------------------------------------------------------------------------- rules across rows


def row_rules(typed: pl.DataFrame, spec: Table, known: Known) -> list[pl.DataFrame]:
    """The failures of the rules across rows and tables: keys, references, counterparts."""
    out: list[pl.DataFrame] = []
    out.extend(_key_rules(typed, spec, known))
    for col in spec.columns:
        if col.references is None:
            continue
        ref = table(col.references)
        ids = known.ids(ref.name, ref.key[0])
        mask = pl.col(col.name).is_not_null() & ~pl.col(col.name).is_in(ids.implode())
        out.append(
            failure(
                typed,
                mask,
                col.name,
                "unknown_reference",
                quoted(pl.col(col.name), f"does not exist in {ref.name}"),
            )
        )
    if spec.name == "contacts":
        out.extend(_contact_rules(typed))
    return out


def _key_rules(typed: pl.DataFrame, spec: Table, known: Known) -> list[pl.DataFrame]:
    """The failures of keys that repeat an earlier row or are already in the store."""
    key = list(spec.key)
    has_key = pl.all_horizontal(pl.col(k).is_not_null() for k in key)
    shown = key[0] if len(key) == 1 else "+".join(key)
    value = pl.concat_str([pl.col(k).cast(pl.String) for k in key], separator=" / ")
    first = pl.col(key[0]) if len(key) == 1 else pl.struct(key)
    repeat = has_key & ~first.is_first_distinct()
    out = [
        failure(
            typed,
            repeat,
            key[0],
            "duplicate_key",
            quoted(
                value,
                "repeats the " + shown + " of an earlier row",
            ),
            value=value,
        )
    ]
    stored = known.matching(spec.name, typed)
    if stored.height:
        # a key of a file read before in this call names that file, not a store
        hits = typed.join(known.origin(spec.name, stored), on=key, how="inner").filter(has_key)
        where = pl.when(pl.col("_origin").is_null()).then(pl.lit("the store"))
        out.append(
            failure(
                hits,
                pl.lit(True),
                key[0],
                "already_stored",
                pl.concat_str(quoted(value, "is already in "), where.otherwise(pl.col("_origin"))),
                value=value,
            )
        )
    return out


_COUNTERPART_NEEDS = {
    "parent": "person_key",
    "pupil": "person_key",
    "colleague": "colleague_role",
    "partner": "partner_id",
}


def _contact_rules(typed: pl.DataFrame) -> list[pl.DataFrame]:
    """The failures of contacts that lack what their counterpart needs."""
    out = []
    for counterpart, column in _COUNTERPART_NEEDS.items():
        mask = (pl.col("counterpart") == counterpart) & pl.col(column).is_null()
        out.append(
            failure(
                typed,
                mask,
                column,
                "required_for_counterpart",
                pl.lit(f"{column} is required for a contact with a {counterpart}"),
                value=pl.lit(None, dtype=pl.String),
            )
        )
    return out
