"""Shared fixtures: tiny hand-made files in tmp_path, an in-memory store and the sample store
(built once per session); the ``--slow`` option that runs the tests marked slow (CI does)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

import brugdata
from brugdata.store.store import Store

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_data"
TODAY = dt.date(2026, 1, 1)

SCHOOLS = """school_id,school_year,name,pilot,municipality,school_type,pupils,families,region
91AB00,2024-2025,De Vlinder,p1,Utrecht,po,200,120,midden
91AB01,2024-2025,De Zeeën,p1,Utrecht,po,100,,midden
92EF,2024-2025,Het Lyceum,p2,Zeist,vo,800,600,midden
"""
OFFICERS = """officer_id,pilot,role
O-1,p1,brugfunctionaris
O-2,p2,ouderfunctionaris
"""
PARTNERS = """partner_id,name,kind
PA-1,Wijkteam Oost,wijkteam
PA-2,Veilig Thuis,veilig_thuis
"""

WriteFn = Callable[..., Path]

#: The pseudonym key every test runs with (a test of "no key" unsets it).
TEST_KEY = "brugdata-test-key-not-secret-7Qx2"


@pytest.fixture(autouse=True, scope="session")
def pseudonym_key() -> Iterator[str]:
    """Every test runs with a pseudonym key set, as a real ingest of person keys needs one."""
    from brugdata.config import settings

    before = settings.pseudonym_key_value, settings.pseudonym_key_file
    settings.pseudonym_key_value, settings.pseudonym_key_file = TEST_KEY, None
    yield TEST_KEY
    settings.pseudonym_key_value, settings.pseudonym_key_file = before


@pytest.fixture
def no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """No pseudonym key set, for this test."""
    from brugdata.config import settings

    monkeypatch.setattr(settings, "pseudonym_key_value", None)
    monkeypatch.setattr(settings, "pseudonym_key_file", None)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--slow",
        action="store_true",
        default=False,
        help="also run the tests marked slow and the notebooks (CI does)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Notebooks count as slow; slow tests are skipped unless ``--slow`` is given."""
    skip = pytest.mark.skip(reason="slow: run with --slow (python3 dev.py test --slow)")
    for item in items:
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.slow)
        if "slow" in item.keywords and not config.getoption("--slow"):
            item.add_marker(skip)


def write_csv(
    folder: Path, name: str, text: str, *, encoding: str = "utf-8", newline: str = "\n"
) -> Path:
    """Write ``text`` (with ``\\n`` line ends) to ``folder/name`` in the given encoding."""
    path = folder / name
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


def csv_text(header: Sequence[str], rows: Sequence[Sequence[str]], sep: str = ",") -> str:
    """A small CSV text from a header and rows (no quoting: keep values simple)."""
    return "\n".join(sep.join(r) for r in [header, *rows]) + "\n"


@pytest.fixture
def refs(tmp_path: Path) -> Path:
    """A folder holding valid schools, officers and partners files."""
    folder = tmp_path / "refs"
    folder.mkdir()
    write_csv(folder, "schools.csv", SCHOOLS)
    write_csv(folder, "officers.csv", OFFICERS)
    write_csv(folder, "partners.csv", PARTNERS)
    return folder


@pytest.fixture
def store() -> Iterator[Store]:
    """A fresh in-memory store."""
    s = brugdata.open(":memory:")
    yield s
    s.close()


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A store holding the committed sample data (read it; do not ingest into it)."""
    path = tmp_path_factory.mktemp("sample") / "sample.duckdb"
    s = brugdata.open(path)
    s.ingest(SAMPLE)
    yield s
    s.close()
