"""Figures made from a few counts of a row, shown where those counts are.

The transform (small-cell protection) hides the figures computed from a row's counts when any
count of the row is hidden. A share made from counts that are all shown reveals nothing the
table does not already show, so the report shows it: :func:`shown_by_parts` passes the table
through the transform, then gives back each figure the transform left empty where the shown
table has every count it is made from, unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import polars as pl

__all__ = ["OUTCOME_PARTS", "shown_by_parts"]

#: ``pathways().outcomes``: each derived column → the counts it is made from.
OUTCOME_PARTS: dict[str, tuple[str, ...]] = {
    "share_no_referral": ("no_referral", "cases"),
    "ci_low": ("no_referral", "cases"),
    "ci_high": ("no_referral", "cases"),
    "share_light": ("light", "cases"),
    "share_specialised": ("specialised", "cases"),
    "share_unclassified": ("unclassified", "cases"),
    "median_days_to_referral": ("referred_cases",),
}


def _visible(shown: pl.Series, raw: pl.Series) -> list[bool]:
    """Per row: the shown cell is the raw count itself (not hidden or replaced)."""
    return [
        r is not None and s is not None and str(s) == str(r)
        for s, r in zip(shown.to_list(), raw.to_list(), strict=True)
    ]


def shown_by_parts(
    shown: Callable[[str, pl.DataFrame], pl.DataFrame],
    name: str,
    raw: pl.DataFrame,
    parts: Mapping[str, Sequence[str]],
) -> pl.DataFrame:
    """``raw`` as the table ``name`` is shown (``shown(name, raw)``, once), with each derived
    column of ``parts`` that the transform left null given back from ``raw`` in the rows where
    the shown table has all the counts it is made from as they are. A figure the transform
    changed (not null) is left as the transform made it."""
    whole = shown(name, raw)
    if whole.height != raw.height:
        return whole
    restored = {}
    for column, counts in parts.items():
        if column not in whole.columns or any(c not in whole.columns for c in counts):
            continue
        keep = [
            all(flags) for flags in zip(*(_visible(whole[c], raw[c]) for c in counts), strict=True)
        ]
        values = [
            new if ok and old is None else old
            for ok, new, old in zip(
                keep, raw[column].to_list(), whole[column].to_list(), strict=True
            )
        ]
        restored[column] = pl.Series(column, values, dtype=whole.schema[column])
    return whole.with_columns(**restored) if restored else whole
