"""The open codebook: a Frictionless Data Package of the data model that validates the
sample data and catches what brugdata rejects (codes, themes, references)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from brugdata._version import __version__
from brugdata.errors import BrugdataError
from brugdata.ingest.validate.headers import map_headers
from brugdata.model.tables import TABLES
from brugdata.model.vocab import vocabulary
from brugdata.publish.registration.datapackage import codebook_package
from brugdata.store.ddl import SCHEMA_VERSION
from tests.conftest import SAMPLE

frictionless = pytest.importorskip("frictionless")

#: the sample pilot written in canonical columns and codes
CANONICAL = SAMPLE / "gooi_vechtstreek"


def write_sample(folder: Path) -> dict[str, int]:
    """The canonical sample tables as CSV next to the package, every column of the table in
    order (optional columns the sample leaves out are empty; a table it lacks has a header
    only); the rows of each."""
    counts = {}
    for name, spec in TABLES.items():
        source = CANONICAL / f"{name}.csv"
        frame = (
            pl.read_csv(source, infer_schema=False)
            if source.exists()
            else pl.DataFrame(schema=dict.fromkeys(spec.column_names, pl.String))
        )
        missing = [c for c in spec.column_names if c not in frame.columns]
        frame = frame.with_columns(pl.lit(None, pl.String).alias(c) for c in missing)
        frame.select(spec.column_names).write_csv(folder / f"{name}.csv")
        counts[name] = frame.height
    return counts


def descriptor(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))


def test_sample_data_validates(tmp_path: Path) -> None:
    written = codebook_package(tmp_path)
    assert [p.name for p in written] == ["datapackage.json", "codebook.md"]
    counts = write_sample(tmp_path)
    assert counts["contacts"] > 1000 and counts["survey_answers"] > 0  # real data was checked
    report = frictionless.validate(tmp_path / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    rows = {task.name: task.stats.get("rows", 0) for task in report.tasks}  # none: no rows
    assert rows == counts
    # and as a user runs it: `frictionless validate datapackage.json`
    run = subprocess.run(
        [sys.executable, "-m", "frictionless", "validate", "--json", "datapackage.json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-2000:]
    assert json.loads(run.stdout)["valid"] is True


def test_bad_rows_are_caught(tmp_path: Path) -> None:
    codebook_package(tmp_path)
    write_sample(tmp_path)
    contacts = pl.read_csv(tmp_path / "contacts.csv", infer_schema=False)
    bad = contacts.with_columns(
        channel=pl.when(pl.int_range(pl.len()) == 2).then(pl.lit("fax")).otherwise("channel"),
        themes=pl.when(pl.int_range(pl.len()) == 4)
        .then(pl.lit("armoede|ruimtevaart"))
        .otherwise("themes"),
        officer_id=pl.when(pl.int_range(pl.len()) == 6)
        .then(pl.lit("GV-BF-99"))
        .otherwise("officer_id"),
    )
    bad.write_csv(tmp_path / "contacts.csv")
    report = frictionless.validate(tmp_path / "datapackage.json")
    assert not report.valid
    errors = report.flatten(["rowNumber", "fieldName", "type"])
    # data rows 3, 5 and 7 are file rows 4, 6 and 8 (the header is row 1)
    assert sorted(map(tuple, errors)) == [
        (4, "channel", "constraint-error"),
        (6, "themes", "constraint-error"),
        (8, None, "foreign-key"),
    ]


def test_descriptor(tmp_path: Path) -> None:
    codebook_package(tmp_path, lang="en")
    package = descriptor(tmp_path)
    assert package["version"] == f"{__version__}+schema{SCHEMA_VERSION}"
    resources = {r["name"]: r for r in package["resources"]}
    assert list(resources) == list(TABLES)
    contacts = resources["contacts"]
    assert contacts["path"] == "contacts.csv"
    fields = {f["name"]: f for f in contacts["schema"]["fields"]}
    assert list(fields) == TABLES["contacts"].column_names
    assert fields["channel"]["constraints"]["enum"] == vocabulary("channel").code_list
    assert fields["channel"]["labels"]["home_visit"] == {"nl": "huisbezoek", "en": "home visit"}
    assert fields["channel"]["title"] == "channel"  # lang en
    assert fields["channel"]["titles"] == {"nl": "kanaal", "en": "channel"}
    assert fields["date"]["type"] == "date"
    assert fields["duration_min"]["type"] == "integer"
    assert fields["duration_min"]["constraints"] == {"minimum": 0, "maximum": 600}
    assert "enum" not in fields["themes"].get("constraints", {})  # several codes: a pattern
    assert fields["themes"]["multiValued"]["separator"] == "|"
    for name, spec in TABLES.items():
        required = [
            f["name"]
            for f in resources[name]["schema"]["fields"]
            if f.get("constraints", {}).get("required")
        ]
        assert required == spec.required
        assert resources[name]["schema"]["primaryKey"] == list(spec.key)
    assert {
        "fields": "officer_id",
        "reference": {"resource": "officers", "fields": "officer_id"},
    } in contacts["schema"]["foreignKeys"]
    assert codebook_package(tmp_path / "nl")  # Dutch titles by default
    nl = {f["name"]: f for f in descriptor(tmp_path / "nl")["resources"][5]["schema"]["fields"]}
    assert nl["channel"]["title"] == "kanaal"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_titles_are_headers_the_reader_maps(tmp_path: Path, lang: str) -> None:
    codebook_package(tmp_path, lang=lang)  # type: ignore[arg-type]
    for resource in descriptor(tmp_path)["resources"]:
        spec = TABLES[resource["name"]]
        titles = [f["title"] for f in resource["schema"]["fields"]]
        mapping, unknown = map_headers(titles, spec, {})
        assert unknown == []
        assert list(mapping.values()) == spec.column_names


def test_codebook_page(tmp_path: Path) -> None:
    codebook_package(tmp_path)
    page = (tmp_path / "codebook.md").read_text(encoding="utf-8")
    assert f"+schema{SCHEMA_VERSION}" in page
    for name in TABLES:
        assert f"\n## {name}\n" in page
    for code in vocabulary("channel").codes:
        assert f"| `{code.code}` | {code.nl} | {code.en} |" in page
    assert "| `themes` | thema | theme | string | ja |" in page


def test_unknown_language(tmp_path: Path) -> None:
    with pytest.raises(BrugdataError, match="'fr' is not nl or en"):
        codebook_package(tmp_path, lang="fr")  # type: ignore[arg-type]
