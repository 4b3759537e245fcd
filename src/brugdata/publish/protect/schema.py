"""What every published frame holds, column by column: the declaration its protection
follows. A frame or column without a declaration cannot be published (it fails closed)."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from brugdata.errors import BrugdataError

__all__ = [
    "BY_COLUMNS",
    "DECLARATIONS",
    "Declaration",
    "PublicationError",
    "Relation",
    "declaration",
    "publishable",
]


class PublicationError(BrugdataError, ValueError):
    """A frame or column cannot be published: it has no declared protection, or the
    publication's settings are unsafe."""


#: The group columns of the ``by`` vocabulary: keys of any analysis frame.
BY_COLUMNS = (
    "school_id",
    "officer_id",
    "school_type",
    "municipality",
    "theme",
    "pilot",
    "school_year",
)


@dataclass(frozen=True)
class Relation:
    """``total`` = the sum of ``parts`` (+ a part that is not published, when ``remainder``):
    a hidden part must not follow from the others and the total."""

    total: str
    parts: tuple[str, ...]
    remainder: bool = False


@dataclass(frozen=True)
class Declaration:
    """How one output frame is protected.

    ``people`` count pupils, families, cases or respondents and ``contacts`` count contacts:
    both are hidden below the threshold. ``derived`` columns (percentages, intervals, rates,
    medians and quantiles, test statistics, weights, bands) are hidden in a row where any
    count is hidden; ``tests`` (p-values over the rows of a school year) are hidden in every
    row of the school year then. ``keys`` and ``public`` columns are shown (group labels;
    schools, officers, partners, the DUO population, the calendar). ``margins`` name the
    columns whose rows add up to a total published elsewhere (one entry per direction; by
    default the most detailed group column present); ``relations`` the totals within a row.
    A frame with ``publishable=False`` (one row per case, free text) is never published."""

    keys: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    contacts: tuple[str, ...] = ()
    derived: tuple[str, ...] = ()
    public: tuple[str, ...] = ()
    tests: tuple[str, ...] = ()
    margins: tuple[tuple[str, ...], ...] | None = None
    relations: tuple[Relation, ...] = ()
    publishable: bool = True
    why_not: str = ""
    long: bool = field(default=False)

    @property
    def counts(self) -> tuple[str, ...]:
        """The protected counts: people and contacts."""
        return self.people + self.contacts

    def role(self, column: str) -> str | None:
        """The role of ``column``, or None when it is not declared."""
        for role in ("keys", "people", "contacts", "derived", "public", "tests"):
            if column in getattr(self, role):
                return role
        if column in BY_COLUMNS:
            return "keys"
        return None


_REACH = Declaration(
    keys=("counterpart", "note", "source"),
    people=(
        "reached",
        "reached_known",
        "respondents",
        "respondents_with_population",
        "reached_with_population",
    ),
    derived=("pct", "ci_low", "ci_high", "reached_per_weekly_hour", "pct_low", "pct_high"),
    public=(
        "population",
        "schools",
        "hours_per_week",
        "population_bounded",
        "schools_known",
        "population_known",
    ),
    # the families or pupils reached at the schools whose count is unknown (reached less
    # reached_known) are a count of their own, never published: small, it hides a part
    relations=(Relation("reached", ("reached_known",), remainder=True),),
)
_BANDS = Declaration(keys=("band", "low", "high", "source"), public=("units", "share"), margins=())
_PARENTS = Declaration(
    keys=("source",),
    people=("pupil_cases", "linked", "parents_contacted", "respondents"),
    derived=("pct", "ci_low", "ci_high"),
    relations=(
        Relation("pupil_cases", ("linked",), remainder=True),
        Relation("linked", ("parents_contacted",), remainder=True),
    ),
)
_THEME_SHARES = Declaration(
    keys=("asker", "theme", "source"),
    contacts=("contacts", "asker_contacts"),
    people=("respondents", "answered"),
    derived=("share",),
    margins=(("pilot", "officer_id", "school_id", "school_year", "asker", "source"),),
)
_PARTNER_KINDS = Declaration(
    keys=("partner_kind", "source"),
    contacts=("contacts", "referrals"),
    people=("answered",),
    derived=("share",),
    public=("partners", "officers", "schools"),
)
_OFFICER_BANDS = Declaration(
    keys=("side", "band", "source"), public=("officers", "share", "mean"), margins=()
)
_TIME_USE = Declaration(keys=("task", "source"), public=("share_pct", "officers"), margins=())
_RESPONSE = Declaration(
    people=("respondents", "linked"), public=("officers",), derived=("response_rate",)
)
_CODES = Declaration(
    keys=("relation", "kind", "code"),
    people=("answers", "respondents"),
    derived=("share",),
    margins=(("pilot", "school_year", "relation", "kind"),),
)
_FREE_TEXT = Declaration(publishable=False, why_not="it holds free text")
_COMPARE = Declaration(
    keys=("metric", "label", "unit", "source", "suppressed", "previous_school_year"),
    derived=("value", "ci_low", "ci_high", "previous_value", "change", "change_method"),
    tests=("method", "p_value", "change_p_value"),
    long=True,
)
_QUALITY = ("table_name", "file", "column", "rule", "lines", "values", "message", "sensitive")

#: Every frame that can be published, by name (``analysis`` or ``analysis.frame``).
DECLARATIONS: dict[str, Declaration] = {
    "reach": _REACH,
    "reach_bands": _BANDS,
    "parents_of_pupil_cases": _PARENTS,
    "seasonality.monthly": Declaration(
        keys=("school_month", "month"),
        contacts=("contacts",),
        derived=("share", "seasonal_index", "contacts_per_school_week", "school_week_index"),
        public=("school_weeks",),
        margins=(
            (
                "pilot",
                "school_id",
                "officer_id",
                "school_type",
                "municipality",
                "school_year",
                "theme",
            ),
            (
                "pilot",
                "school_id",
                "officer_id",
                "school_type",
                "municipality",
                "school_year",
                "school_month",
            ),
        ),  # fmt: skip
    ),
    "seasonality.themes": Declaration(
        contacts=("contacts",),
        derived=("chi2", "p_value", "peak_start", "peak_end", "peak_school_month"),
        public=("df",),
    ),
    "theme_shares": _THEME_SHARES,
    "network.edges": Declaration(
        keys=("node", "node_kind", "partner_kind", "partner_name", "source"),
        contacts=("contacts", "referrals"),
        derived=("weight",),
        margins=(
            ("pilot", "school_year", "officer_id"),
            ("pilot", "school_year", "node_kind", "partner_kind"),
        ),
    ),
    "network.officers": Declaration(
        keys=("internal_band", "external_band", "source"),
        public=("internal", "external", "degree_centrality", "betweenness"),
        margins=(),
    ),
    "network.partner_kinds": _PARTNER_KINDS,
    "network.pilots": Declaration(
        keys=("source",),
        public=(
            "officers",
            "nodes",
            "edges",
            "density",
            "mean_internal",
            "mean_external",
            "median_internal",
            "median_external",
        ),
        margins=(),
    ),
    "network.bands": _OFFICER_BANDS,
    "time_use": _TIME_USE,
    "compare": _COMPARE,
    "pathways.outcomes": Declaration(
        people=("cases", "no_referral", "light", "specialised", "unclassified", "referred_cases"),
        derived=(
            "share_no_referral",
            "share_light",
            "share_specialised",
            "share_unclassified",
            "ci_low",
            "ci_high",
            "median_days_to_referral",
        ),
        tests=("method", "p_value"),  # the method names the chi-square: it gives n away
        relations=(
            Relation("cases", ("no_referral", "referred_cases")),
            Relation("referred_cases", ("light", "specialised", "unclassified")),
        ),
    ),
    "pathways.routes": Declaration(
        keys=("partner_kind", "partner_class", "rank"),
        people=("cases",),
        contacts=("referrals",),
        margins=(
            ("pilot", "school_year", "theme"),
            ("pilot", "school_year", "partner_kind"),
        ),
    ),
    "pathways.consultations": Declaration(
        keys=("partner_kind", "partner_class"),
        contacts=("contacts", "total_contacts"),
        derived=("share",),
        public=("partners", "total_partners"),
    ),
    "pathways.time_to_referral": Declaration(
        keys=("referral_class",),
        people=("cases",),
        derived=("median_days", "p25_days", "p75_days", "min_days", "max_days"),
    ),
    "pathways.unattached_referrals": Declaration(
        keys=("counterpart",), contacts=("referrals",), public=("partners",)
    ),
    # its own rules (brugdata.publish.protect.indicators): a row per indicator
    "indicators": Declaration(
        keys=(
            "indicator",
            "label_nl",
            "label_en",
            "measure",
            "unit",
            "population_date",
            "status",
            "source",
            "note",
        ),
        people=("numerator", "denominator"),
        derived=("value",),
    ),  # fmt: skip
    "cases": Declaration(publishable=False, why_not="it has one row per case"),
    "response": _RESPONSE,
    "code_counts": _CODES,
    "untagged_answers": _FREE_TEXT,
    "survey.response": _RESPONSE,
    "survey.reach": _REACH,
    "survey.reach_by_officer": _REACH,
    "survey.bands": _BANDS,
    "survey.bands_pupils": _BANDS,
    "survey.time_use": _TIME_USE,
    "survey.contact_bands": _OFFICER_BANDS,
    "survey.themes": _THEME_SHARES,
    "survey.partner_kinds": _PARTNER_KINDS,
    "survey.parents_of_pupil_cases": _PARENTS,
    "survey.answer_codes": _CODES,
    "survey.untagged_answers": _FREE_TEXT,
    # the report's data-quality tables: about files and rows, not about people
    "store": Declaration(keys=_QUALITY, public=("rows",), margins=()),
    "files": Declaration(
        keys=(*_QUALITY, "unknown_columns"),
        public=("rows_read", "rows_loaded", "rows_rejected"),
        margins=(),
    ),
    "reject_reasons": Declaration(keys=_QUALITY, public=("reasons",), margins=()),
}

#: Other names of declared frames: the report's tables and the command line's analyses.
ALIASES: dict[str, str] = {
    "key_figures": "compare",
    "reach_bands_school": "reach_bands",
    "reach_bands_officer": "reach_bands",
    "reach-bands": "reach_bands",
    "parents-of-pupil-cases": "parents_of_pupil_cases",
    "seasonality_peaks": "seasonality.themes",
    "theme-shares": "theme_shares",
    "network": "network.pilots",
    "partner_kinds": "network.partner_kinds",
    "time-use": "time_use",
    "pathways_outcomes": "pathways.outcomes",
    "pathways_time_to_referral": "pathways.time_to_referral",
    "pathways_unattached": "pathways.unattached_referrals",
    "answer-codes": "code_counts",
    "answer_codes": "code_counts",
    "untagged-answers": "untagged_answers",
    "survey.survey_results": "survey.response",
}


def declaration(name: str, frame: pl.DataFrame | None = None) -> Declaration:
    """The declaration of output ``name``, checked against ``frame``'s columns.

    Raises :class:`PublicationError` in one sentence when ``name`` has no declaration, cannot
    be published, or ``frame`` has a column the declaration does not name."""
    key = ALIASES.get(name, name)
    found = DECLARATIONS.get(key)
    if found is None:
        raise PublicationError(
            f"cannot publish {name!r}: it has no declared protection "
            "(declare its columns in brugdata.publish.protect.schema.DECLARATIONS)"
        )
    if not found.publishable:
        raise PublicationError(f"cannot publish {name!r}: {found.why_not}")
    if frame is not None:
        unknown = [c for c in frame.columns if found.role(c) is None]
        if unknown:
            raise PublicationError(
                f"cannot publish {name!r}: column {', '.join(map(repr, unknown))} has no "
                "declared protection (declare it in brugdata.publish.protect.schema)"
            )
    return found


def publishable(name: str) -> bool:
    """Whether output ``name`` may be published at all (False for one row per case or free
    text); :class:`PublicationError` when it has no declaration."""
    found = DECLARATIONS.get(ALIASES.get(name, name))
    if found is None:
        declaration(name)  # raises, naming it
    return found is not None and found.publishable
