"""Every chart builds from the sample store and its Vega-Lite spec validates, in both languages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import brugdata
from brugdata import charts
from brugdata.store.store import Store

BUILDERS: dict[str, Callable[[Store, str], Any]] = {
    "reach_bands": lambda s, lang: charts.reach_bands(brugdata.reach_bands(s), lang=lang),
    "reach_bands_officer": lambda s, lang: charts.reach_bands(
        brugdata.reach_bands(s, by="officer"), lang=lang, level="officer"
    ),
    "reach_ci": lambda s, lang: charts.reach_ci(
        brugdata.reach(s, by=["pilot", "school"]), lang=lang
    ),
    "seasonality_heatmap": lambda s, lang: charts.seasonality_heatmap(
        brugdata.seasonality(s), lang=lang
    ),
    "network": lambda s, lang: charts.network(brugdata.network(s), lang=lang),
    "network_bands": lambda s, lang: charts.network_bands(brugdata.network(s), lang=lang),
    "time_use": lambda s, lang: charts.time_use(brugdata.time_use(s, by="pilot"), lang=lang),
    "comparison": lambda s, lang: charts.comparison(brugdata.compare(s), lang=lang),
    "pathway_routes": lambda s, lang: charts.pathway_routes(brugdata.pathways(s), lang=lang),
    "time_to_referral": lambda s, lang: charts.time_to_referral(brugdata.pathways(s), lang=lang),
    "survey_reach_bands": lambda s, lang: charts.survey_reach_bands(
        brugdata.reach_bands(s, by="officer", source="survey"), lang=lang
    ),
    "survey_themes": lambda s, lang: charts.survey_themes(
        brugdata.theme_shares(s, source="survey"), lang=lang
    ),
    "survey_contact_bands": lambda s, lang: charts.survey_contact_bands(
        brugdata.network(s, source="survey").bands, lang=lang
    ),
    "answer_codes": lambda s, lang: charts.answer_codes(brugdata.code_counts(s), lang=lang),
    # the sample holds one school year: one point per pilot and figure
    "trend_lines": lambda s, lang: charts.trend_lines(brugdata.compare(s), lang=lang),
}


def test_every_chart_has_a_builder_here() -> None:
    assert set(BUILDERS) - {"reach_bands_officer"} == set(charts.__all__)


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_chart_spec_validates(sample_store: Store, name: str, lang: str) -> None:
    chart = BUILDERS[name](sample_store, lang)
    spec = chart.to_dict(validate=True)
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/v")
    datasets = spec.get("datasets", {})
    assert datasets, "the chart carries its data inline"
    assert all(len(rows) > 0 for rows in datasets.values())
    assert len(str(spec)) < 2_000_000  # aggregated, not row-level data


def test_dutch_and_english_labels_differ(sample_store: Store) -> None:
    nl = str(BUILDERS["comparison"](sample_store, "nl").to_dict())
    en = str(BUILDERS["comparison"](sample_store, "en").to_dict())
    assert "Ouders bereikt (% van gezinnen)" in nl
    assert "Parents reached (% of families)" in en
    with pytest.raises(ValueError, match="lang must be 'nl' or 'en'"):
        charts.comparison(brugdata.compare(sample_store), lang="de")  # type: ignore[arg-type]
