"""Pilot display names from the store's own ``pilots`` table: in the report, its charts and
the analyses' messages; the code stays in the data and in exports."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import brugdata
from brugdata.analysis._contract import AnalysisError, pilot_names_of
from brugdata.model.pilots import pilot_code, pilot_name
from brugdata.publish.report import write_report
from brugdata.store.store import Store
from tests.conftest import SAMPLE, write_csv
from tests.test_report import specs

PILOTS = """pilot,name_nl,name_en
den_bosch,Proeftuin 's-Hertogenbosch,Den Bosch trial
gooi_vechtstreek,Regio Gooi en Vecht,
"""


def _values(node: Any, key: str) -> list[Any]:
    """Every value of ``key`` in a JSON tree (a chart spec's data rows)."""
    if isinstance(node, dict):
        own = [node[key]] if isinstance(node.get(key), str) else []
        return own + [v for x in node.values() for v in _values(x, key)]
    if isinstance(node, list):
        return [v for x in node for v in _values(x, key)]
    return []


@pytest.fixture(scope="module")
def named_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The sample data with a pilots.csv naming its two pilots."""
    folder = tmp_path_factory.mktemp("named") / "data"
    shutil.copytree(SAMPLE, folder)
    write_csv(folder, "pilots.csv", PILOTS)
    store = brugdata.open(folder.parent / "named.duckdb")
    result = store.ingest(folder)
    assert not result.rows_rejected
    yield store
    store.close()


def test_the_store_names_come_before_the_shipped_ones() -> None:
    names = {"den_bosch": {"nl": "Proeftuin", "en": "Trial"}, "x": {"nl": "Iks"}}
    assert pilot_name("den_bosch", "nl", names) == "Proeftuin"
    assert pilot_name("den_bosch", "en", names) == "Trial"
    assert pilot_name("x", "en", names) == "Iks"  # no English name: the Dutch one
    assert pilot_name("gooi_vechtstreek", "nl", names) == "Gooi en Vechtstreek"  # shipped
    assert pilot_name("den_bosch", "nl") == "Den Bosch"  # without the store's names
    assert pilot_code("iks", ["x", "den_bosch"], names) == "x"


def test_the_pilots_table_is_read_from_the_store(named_store: Store) -> None:
    assert pilot_names_of(named_store.con) == {
        "den_bosch": {"nl": "Proeftuin 's-Hertogenbosch", "en": "Den Bosch trial"},
        "gooi_vechtstreek": {"nl": "Regio Gooi en Vecht"},
    }
    # a mapping of frames without a pilots frame has no names
    assert pilot_names_of(brugdata.sql.connect({})) == {}


def test_an_analysis_names_the_code_of_a_store_name(named_store: Store) -> None:
    with pytest.raises(AnalysisError, match="has the code 'gooi_vechtstreek'"):
        brugdata.reach(named_store, pilots=["Regio Gooi en Vecht"])


def test_the_report_shows_the_store_names_and_exports_keep_the_code(
    named_store: Store, tmp_path: Path
) -> None:
    nl = write_report(named_store, tmp_path / "nl.html").read_text("utf-8")
    assert '<th scope="col" class="num">Proeftuin &#39;s-Hertogenbosch</th>' in nl
    assert '<th scope="col" class="num">Regio Gooi en Vecht</th>' in nl
    # the readings name the pilot by the store's name, not the shipped one
    assert "Regio Gooi en Vecht: " in nl and "Gooi en Vechtstreek: " not in nl
    # the charts' data: pilots by the store's names, never by code or shipped name
    drawn = set(_values(specs(nl), "pilot"))
    assert drawn == {"Proeftuin 's-Hertogenbosch", "Regio Gooi en Vecht"}
    en = write_report(named_store, tmp_path / "en.html", lang="en").read_text("utf-8")
    assert '<th scope="col" class="num">Den Bosch trial</th>' in en
    assert '<th scope="col" class="num">Regio Gooi en Vecht</th>' in en  # no English name
    # the analyses (and so every export of them) keep the code
    codes = set(brugdata.reach(named_store)["pilot"].to_list())
    assert codes == {"den_bosch", "gooi_vechtstreek"}


def test_the_command_line_tables_show_the_store_names_and_csv_the_code(
    named_store: Store,
) -> None:
    from typer.testing import CliRunner

    from brugdata.cli.app import app

    path = str(named_store.path)
    shown = CliRunner().invoke(
        app, ["analyse", "reach", "--db", path, "--wide"], env={"COLUMNS": "250"}
    )
    assert shown.exit_code == 0, shown.output
    assert "Den Bosch trial" in shown.stdout  # the console tables are in English
    assert "Regio Gooi en Vecht" in shown.stdout  # no English name: the Dutch one
    assert "gooi_vechtstreek" not in shown.stdout
    csv = CliRunner().invoke(app, ["analyse", "reach", "--db", path, "--format", "csv"])
    assert csv.exit_code == 0, csv.output
    assert "gooi_vechtstreek" in csv.stdout and "Regio Gooi en Vecht" not in csv.stdout
