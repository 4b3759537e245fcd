"""The public API: every exported name exists, the import is light, the docs are complete."""

from __future__ import annotations

import subprocess
import sys

import brugdata
from brugdata.ingest.validate import RULES
from brugdata.model.tables import TABLES
from tests.conftest import REPO


def test_all_exports_exist() -> None:
    for name in brugdata.__all__:
        assert getattr(brugdata, name) is not None, name


def test_import_does_not_load_heavy_libraries() -> None:
    code = (
        "import sys, brugdata; "
        "print(','.join(m for m in ('pandera', 'duckdb', 'altair', 'networkx', 'polars') "
        "if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == ""


def test_data_model_doc_is_up_to_date() -> None:
    from brugdata.publish.docs import data_model_markdown

    doc = (REPO / "docs" / "data-model.md").read_text(encoding="utf-8")
    assert doc == data_model_markdown(), "run: python dev.py docs"
    for t in TABLES.values():
        for c in t.columns:
            assert f"| {c.name} |" in doc, (t.name, c.name)
    for rule in RULES:
        assert f"`{rule}`" in doc, rule


def test_api_doc_lists_every_public_name_and_is_up_to_date() -> None:
    from dev import api_markdown

    import brugdata

    doc = (REPO / "docs" / "api.md").read_text(encoding="utf-8")
    assert doc == api_markdown(), "run: python dev.py docs"
    for name in brugdata.__all__:
        if name != "__version__":
            assert f"`brugdata.{name}`" in doc, name


def test_vocabularies_hold_the_minimum_code_sets() -> None:
    expected = {
        "counterpart": {"parent", "pupil", "colleague", "partner"},
        "channel": {
            "in_person",
            "phone",
            "video",
            "whatsapp",
            "email",
            "home_visit",
            "group",
            "other",
        },
        "initiated_by": {"parent", "pupil", "colleague", "partner", "officer"},
        "role": {
            "brugfunctionaris",
            "jeugdverpleegkundige",
            "schoolmaatschappelijk_werker",
            "ouderfunctionaris",
            "other",
        },
        "school_type": {"po", "gbo", "so", "vso", "vo"},
        "region": {"noord", "midden", "zuid"},
        "partner_kind": {
            "ggd",
            "wijkteam",
            "jeugdconsulent",
            "gemeente_loket",
            "veilig_thuis",
            "huisarts",
            "jeugdzorg",
            "welzijn",
            "samenwerkingsverband",
            "kinderopvang",
            "fonds",
            "voedselbank",
            "schuldhulp",
            "politie",
            "other",
        },
        "task": {
            "social_domain",
            "school_team",
            "parent_contact_social",
            "one_on_one_parent",
            "pupil_contact",
            "talent_development",
            "other",
        },
        "theme": {
            "armoede",
            "opvoeding",
            "ontwikkeling",
            "taal",
            "schoolprocedures",
            "leerlingenvervoer",
            "gezondheid",
            "mentaal",
            "scheiding",
            "huisvesting",
            "pesten",
            "sociale_media",
            "sport_cultuur",
            "schoolspullen",
            "voedsel",
            "thuissituatie",
            "veiligheid",
            "gedrag",
            "overgang_po_vo",
            "other",
        },
    }
    for name, codes in expected.items():
        assert codes <= set(brugdata.vocabulary(name).code_list), name
    v = brugdata.vocabulary("counterpart")
    assert (v.to_code("Ouder"), v.to_code("leerling"), v.to_code("COLLEGA")) == (
        "parent",
        "pupil",
        "colleague",
    )
    assert brugdata.vocabulary("school_type").to_code("Sbo") == "gbo"
    assert brugdata.vocabulary("task").to_code("Één-op-één contact ouders") == "one_on_one_parent"
    for theme in brugdata.themes().codes:
        assert theme.nl and theme.en and theme.description, theme.code
    assert brugdata.label("theme", "armoede", "en") == "Poverty and money worries"


def test_each_table_has_a_pandera_model() -> None:
    for name, spec in TABLES.items():
        model = brugdata.schema(name)
        assert list(model.columns) == spec.column_names
