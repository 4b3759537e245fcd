"""Small-cell protection for everything published.

Every published frame has a declaration (:mod:`.schema`): which columns count people or
contacts, which are derived from them, which are public. Counts below the threshold are
hidden, with what is derived from them, and a second cell where a hidden one could be worked
out from the others and a total (:mod:`.cells`). A frame or column without a declaration
cannot be published. One :class:`Publication` protects all the frames of one output (the
report, its charts, an export) and keeps every hidden cell with its reason, for the output
log (:mod:`brugdata.publish.checks`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from brugdata.publish.protect.cells import HIDDEN, SMALL, Masks, default_margins, mask, render
from brugdata.publish.protect.compare import protect_compare
from brugdata.publish.protect.rounding import round_compare, round_counts
from brugdata.publish.protect.schema import (
    ALIASES,
    DECLARATIONS,
    Declaration,
    PublicationError,
    Relation,
    declaration,
    publishable,
)

__all__ = [
    "DECLARATIONS",
    "HIDDEN",
    "MIN_THRESHOLD",
    "PROFILES",
    "SMALL",
    "Declaration",
    "Profile",
    "Publication",
    "PublicationError",
    "Relation",
    "declaration",
    "protect",
    "publishable",
    "suppress",
]

#: No publication hides less than counts below 5.
MIN_THRESHOLD = 5


@dataclass(frozen=True)
class Profile:
    """A set of rules for publishing: the default threshold (counts from 1 to threshold − 1
    are hidden) and whether percentages are clamped to [5%, 95%]."""

    name: str
    threshold: int
    clamp: bool
    description: dict[str, str]
    rounding: bool = False


#: The protection profiles, by name; ``rivm`` is the default.
PROFILES: dict[str, Profile] = {
    "rivm": Profile(
        "rivm",
        10,
        False,
        {
            "nl": "aantallen onder 10 verborgen",
            "en": "counts below 10 hidden",
        },
    ),
    "nco": Profile(
        "nco",
        6,
        True,
        {
            "nl": "groepen van 5 of minder verborgen, percentages begrensd op 5%–95%",
            "en": "groups of 5 or fewer hidden, percentages clamped to 5%–95%",
        },
    ),
    "cbs": Profile(
        "cbs",
        5,
        False,
        {
            "nl": "aantallen afgerond op vijftallen (onder 5 verborgen), percentages en "
            "andere afgeleide cijfers berekend uit de afgeronde aantallen",
            "en": "counts rounded to multiples of 5 (below 5 hidden), percentages and other "
            "derived figures computed from the rounded counts",
        },
        rounding=True,
    ),
}

#: Percentages (0–100) and fractions (0–1) that the ``nco`` profile clamps.
_PERCENT = ("pct", "pct_low", "pct_high", "share_pct", "response_rate")
_FRACTION = ("share", "share_no_referral", "share_light", "share_specialised",
             "share_unclassified")  # fmt: skip


@dataclass
class Publication:
    """The protection of one publication: a profile and threshold, and every hidden cell.

    ``table(name, frame)`` gives a frame as a table shows it (hidden counts as ``<10`` or
    ``x``); ``chart(name, frame)`` as a chart or data file embeds it (hidden values null, so
    they are absent). Both refuse a frame without a declaration. With ``protected=False``
    (analysts only) frames pass as they are and the output must say so."""

    profile: str | None = None
    threshold: int | None = None
    protected: bool = True
    hidden: list[dict[str, Any]] = field(default_factory=list)
    _seen: set[tuple[str, ...]] = field(default_factory=set, repr=False)
    #: (pilot, school_year, compare metric) hidden somewhere in this publication
    _figures: set[tuple[Any, Any, str]] = field(default_factory=set, repr=False)

    def __post_init__(self) -> None:
        from brugdata.config import settings

        if self.profile is None:
            self.profile = settings.profile
        if self.profile not in PROFILES:
            raise PublicationError(
                f"unknown protection profile {self.profile!r}; choose from: " + ", ".join(PROFILES)
            )
        if self.threshold is None:
            own = self.rules.threshold
            self.threshold = settings.small_cell_threshold if self.profile == "rivm" else own
        if self.protected and self.threshold < MIN_THRESHOLD:
            raise PublicationError(
                f"a publication hides counts below at least {MIN_THRESHOLD}, not "
                f"{self.threshold}; switch protection off for analysts only"
            )

    @property
    def rules(self) -> Profile:
        """The profile in force."""
        return PROFILES[self.profile or "rivm"]

    @property
    def limit(self) -> int:
        """The threshold in force."""
        assert self.threshold is not None
        return self.threshold

    def table(self, name: str, frame: pl.DataFrame) -> pl.DataFrame:
        """``frame`` (output ``name``) as a table shows it."""
        return self._protect(name, frame, text=True)

    def chart(self, name: str, frame: pl.DataFrame) -> pl.DataFrame:
        """``frame`` (output ``name``) as a chart or a data file holds it: hidden values null."""
        return self._protect(name, frame, text=False)

    def _protect(self, name: str, frame: pl.DataFrame, *, text: bool) -> pl.DataFrame:
        declared = declaration(name, frame)
        if not self.protected:
            return frame
        limit = self.limit
        if ALIASES.get(name, name) == "indicators":  # its own rules: one row per indicator
            return self._indicators(name, frame, text=text)
        if declared.long:
            out, log = protect_compare(frame, limit, text=text, forced=self._figures)
            self._log(name, log)
            self._figures |= {(c["pilot"], c["school_year"], c["metric"]) for c in log}
            if self.rules.rounding:
                out = round_compare(out)
            return self._clamp(out, declared)
        if not any(c in frame.columns for c in declared.counts):
            return self._clamp(frame, declared)
        links = _links(ALIASES.get(name, name), frame)
        forced = {c: _figure(m).is_in(self._wanted()).fill_null(False) for c, m in links.items()}
        masks = mask(
            frame,
            declared.counts,
            threshold=limit,
            margins=default_margins(frame, declared),
            relations=declared.relations,
            forced=forced,
        )
        self._log(name, _hidden_cells(masks.frame, masks.counts, declared))
        if self.rules.rounding:  # before the derived figures are shown
            key = ALIASES.get(name, name)
            frame_rounded = round_counts(
                masks.frame, key, masks.counts, declared.derived + declared.tests
            )
            masks = Masks(frame_rounded, masks.counts)
        for c, metric in links.items():
            hit = masks.frame.filter(pl.col(f"_p_{c}") | pl.col(f"_s_{c}"))
            ids = hit.select(_figure(metric)).to_series().drop_nulls().to_list()
            self._figures |= {tuple(i.split("\x00")) for i in ids}  # type: ignore[misc]
        out = render(masks, threshold=limit, derived=declared.derived, tests=declared.tests,
                     text=text)  # fmt: skip
        return self._clamp(out, declared)

    def _indicators(self, name: str, frame: pl.DataFrame, *, text: bool) -> pl.DataFrame:
        """The indicator set protected (:mod:`.indicators`), its hidden figures kept."""
        from brugdata.publish.protect import indicators as rules

        out, log = rules.protect_indicators(
            frame,
            self.limit,
            text=text,
            forced=self._figures,
            rounding=self.rules.rounding,
            clamp=self.rules.clamp,
        )
        self._log(name, log)
        self._figures |= rules.hidden_figures(log)
        return out

    def _wanted(self) -> list[str]:
        return ["\x00".join(map(str, f)) for f in self._figures]

    def _clamp(self, frame: pl.DataFrame, declared: Declaration) -> pl.DataFrame:
        """Percentages clamped to [5, 95] (the ``nco`` profile)."""
        if not self.rules.clamp:
            return frame
        exprs = []
        if declared.long and {"change", "previous_value", "unit"} <= set(frame.columns):
            outside = pl.lit(False)
            for c in ("value", "previous_value"):
                outside = outside | ~pl.col(c).is_between(5.0, 95.0).fill_null(True)
            clamped = (pl.col("unit") == "%") & outside  # the change would undo the clamp
            exprs += [
                pl.when(clamped).then(None).otherwise(pl.col(c)).alias(c)
                for c in ("change", "change_method", "change_p_value")
                if c in frame.columns
            ]
        for c in frame.columns:  # figures about people only: not the public ones
            if frame.schema[c] not in (pl.Float64, pl.Float32) or declared.role(c) != "derived":
                continue
            interval = c in ("ci_low", "ci_high")
            if declared.long and c in ("value", "ci_low", "ci_high", "previous_value"):
                e = pl.when(pl.col("unit") == "%").then(pl.col(c).clip(5.0, 95.0))
                exprs.append(e.otherwise(pl.col(c)).alias(c))
            elif c in _PERCENT or (interval and "pct" in frame.columns):
                exprs.append(pl.col(c).clip(5.0, 95.0).alias(c))
            elif c in _FRACTION or interval:
                exprs.append(pl.col(c).clip(0.05, 0.95).alias(c))
        return frame.with_columns(exprs) if exprs else frame

    def _log(self, name: str, cells: Iterable[dict[str, Any]]) -> None:
        """Keep each hidden cell once, under its output's declared name (a table and a chart
        of one frame hide the same cells)."""
        output = ALIASES.get(name, name)
        for cell in cells:
            key = (output, *(f"{k}={v}" for k, v in sorted(cell.items())))
            if key not in self._seen:
                self._seen.add(key)
                self.hidden.append({"output": output, **cell})

    def describe(self, lang: str = "nl") -> str:
        """The profile and threshold in words, for the output."""
        if not self.protected:
            return "niet beschermd / not protected"
        words = self.rules.description.get(lang, "")
        if self.profile == "rivm" and self.limit != 10:
            words = words.replace("10", str(self.limit))
        return f"{self.profile}: {words}"


#: Counts that are a key figure of ``compare`` too, in frames per pilot: the same number
#: is hidden in both tables of a publication.
_LINKS: dict[str, dict[str, pl.Expr]] = {
    "reach": {
        "reached": pl.col("counterpart").replace_strict(
            {"parent": "parents_reached", "pupil": "pupils_reached"}, default=None
        )
    },
    "pathways.outcomes": {
        "no_referral": pl.lit("cases_no_referral_pct"),
        "specialised": pl.lit("cases_specialised_pct"),
    },
    "parents_of_pupil_cases": {"parents_contacted": pl.lit("pupil_cases_parents_contacted_pct")},
}
_FINER = ("school_id", "officer_id", "school_type", "municipality", "theme")


def _links(key: str, frame: pl.DataFrame) -> dict[str, pl.Expr]:
    """The counts of ``frame`` that are key figures too, with the figure's metric."""
    links = _LINKS.get(key, {})
    if not {"pilot", "school_year"} <= set(frame.columns) or any(
        c in frame.columns for c in _FINER
    ):
        return {}
    needed = {"counterpart"} if key == "reach" else set()
    if not needed <= set(frame.columns):
        return {}
    return {c: m for c, m in links.items() if c in frame.columns}


def _figure(metric: pl.Expr) -> pl.Expr:
    """(pilot, school_year, metric) as one text."""
    return pl.concat_str(
        [pl.col("pilot").cast(pl.String), pl.col("school_year").cast(pl.String), metric],
        separator="\x00",
    )


def _hidden_cells(
    frame: pl.DataFrame, counts: Sequence[str], declared: Declaration
) -> list[dict[str, Any]]:
    """Every hidden cell: its row's keys, its column and its reason."""
    keys = [c for c in frame.columns if declared.role(c) == "keys" and not c.startswith("_")]
    cells: list[dict[str, Any]] = []
    for c in counts:
        hit = frame.filter(pl.col(f"_p_{c}") | pl.col(f"_s_{c}")).select(
            *keys,
            pl.lit(c).alias("column"),
            pl.when(pl.col(f"_p_{c}")).then(pl.lit("primary")).otherwise(pl.lit("secondary"))
            .alias("reason"),
        )  # fmt: skip
        cells.extend(hit.to_dicts())
    return cells


def protect(name: str, frame: pl.DataFrame, *, threshold: int | None = None) -> pl.DataFrame:
    """``frame`` (output ``name``, see :data:`DECLARATIONS`) fit for publication as a table:
    counts of people and contacts below the threshold shown as ``<10``, a second cell ``x``
    where a hidden one could be worked out, and what is derived from them hidden. Raises
    :class:`PublicationError` for a frame or column without a declared protection.
    ``threshold`` defaults to the settings."""
    return Publication(threshold=threshold).table(name, frame)


def suppress(
    frame: pl.DataFrame,
    counts: Sequence[str],
    *,
    by: Sequence[str] = (),
    derived: Iterable[str] = (),
    threshold: int = 10,
    relations: Iterable[Relation] = (Relation("cases", ("no_referral", "light", "specialised")),),
) -> pl.DataFrame:
    """Hide small values of the ``counts`` columns of any frame (no declaration needed).

    A value from 1 to ``threshold`` − 1 is hidden (primary); within each group of ``by`` and
    within each row ``relation``, where exactly one cell is hidden, the smallest other
    non-zero cell is hidden too (secondary). Counts become text: the number, ``<threshold``
    or ``x``. The ``derived`` columns are null in a row where any count is hidden."""
    masks = mask(frame, counts, threshold=threshold, margins=[list(by)], relations=relations)
    return render(masks, threshold=threshold, derived=derived)


# the analysis names of the command line for frames of one name
ALIASES.setdefault("seasonality", "seasonality.monthly")
