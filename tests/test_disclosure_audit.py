"""The disclosure audit on random stores: hypothesis thins the sample data's contact logs into
random small cells (per school, theme × month, network edge, pathway route, referral class,
survey respondents),
publishes the report with its SVG charts and ``analyse --publish``, and the attacker of
tests/test_disclosure.py tries to recover a hidden value from every output."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import brugdata
from brugdata.cli.app import app
from tests.conftest import SAMPLE
from tests.test_disclosure import leaks, records, recoverable, small, specs, table_leaks

LOGS = {"den_bosch/contacten.csv": ";", "gooi_vechtstreek/contacts.csv": ","}
SCHOOL = {"den_bosch/contacten.csv": "school", "gooi_vechtstreek/contacts.csv": "school_id"}

#: Per school: None keeps every contact, a number keeps that many (small cells).
keep = st.one_of(st.integers(min_value=0, max_value=12), st.none())


def thin(folder: Path, draw: st.DataObject) -> None:
    """The sample's contact logs in ``folder``, each school kept whole or cut to a few."""
    for name, sep in LOGS.items():
        path = folder / name
        frame = pl.read_csv(path, separator=sep, infer_schema=False)
        school = SCHOOL[name]
        parts = []
        for (code,), part in frame.group_by(school, maintain_order=True):
            n = draw.draw(keep, label=f"{name}:{code}")
            parts.append(part if n is None else part.head(n))
        pl.concat(parts).write_csv(path, separator=sep)
    survey = folder / "gooi_vechtstreek/survey.csv"  # the questionnaire: a few respondents
    n = draw.draw(keep, label="respondents")
    if n is not None:
        pl.read_csv(survey, infer_schema=False).head(n).write_csv(survey)


def assert_nothing_leaks(out: Path, db: Path) -> None:
    """Every output of a publication from the store at ``db``, attacked."""
    from brugdata.publish.report import write_report

    with brugdata.open(db, read_only=True) as store:
        html = write_report(
            store, out / "r.html", png_dir=out / "svg", image_format="svg", checks=True
        ).read_text("utf-8")
    for name, spec in specs(html).items():
        assert not leaks(records(spec)), name
    assert not table_leaks(html)
    log = json.loads((out / "r.checks.json").read_text("utf-8"))
    assert log["protected"] and log["threshold"] == 10
    event(f"hidden cells: {min(len(log['hidden_cells']) // 100 * 100, 1000)}+")
    for svg in (out / "svg").glob("*.svg"):
        text = svg.read_text("utf-8")
        for title in ("Contacten", "Casussen", "Verwijzingen"):
            for value in _after(text, f"{title}: "):
                assert not small(value), (svg.name, title, value)
    for args, frame_names in ANALYSES:
        result = CliRunner().invoke(
            app, ["analyse", *args, "--db", str(db), "--publish", "--format", "json"]
        )
        if result.exit_code != 0:  # a store without what the analysis needs: one sentence
            assert "error" in result.output.lower(), result.output
            continue
        # stderr ("not published: ...") comes first in the runner's output
        data: dict[str, Any] = json.loads(result.output[result.output.index("{") :])
        for key, rows in data.items():
            assert not leaks(iter(rows), text=True), (args, key)
            if key in frame_names:
                assert not recoverable(frame_names[key], rows), (args, key)


#: The analyses published, and the declared names of their frames (for the differencing).
ANALYSES: list[tuple[list[str], dict[str, str]]] = [
    (["reach", "--by", "pilot", "--by", "school"], {"reach": "reach"}),
    (["reach"], {"reach": "reach"}),
    (["parents-of-pupil-cases"], {"parents_of_pupil_cases": "parents_of_pupil_cases"}),
    (["pathways"], {"outcomes": "pathways.outcomes", "routes": "pathways.routes"}),
    (["network"], {"edges": "network.edges", "partner_kinds": "network.partner_kinds"}),
    (["seasonality"], {"monthly": "seasonality.monthly", "themes": "seasonality.themes"}),
    (["compare"], {}),
    (["theme-shares"], {"theme_shares": "theme_shares"}),
    (["survey"], {"reach": "survey.reach", "themes": "survey.themes"}),
]


def _after(text: str, prefix: str) -> list[float]:
    """The numbers written right after ``prefix`` in ``text``."""
    out = []
    at = text.find(prefix)
    while at >= 0:
        digits = ""
        for ch in text[at + len(prefix) :]:
            if not (ch.isdigit() or ch == "."):
                break
            digits += ch
        if digits.replace(".", ""):
            out.append(float(digits.replace(".", "")))
        at = text.find(prefix, at + 1)
    return out


@pytest.mark.slow
@settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no shrinking: each example is slow
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(draw=st.data())
def test_no_hidden_value_comes_back_from_a_store_with_small_cells(draw: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        shutil.copytree(SAMPLE, folder)
        thin(folder, draw)
        db = Path(tmp) / "s.duckdb"
        with brugdata.open(db) as store:
            store.ingest(folder)
        out = Path(tmp) / "out"
        out.mkdir()
        assert_nothing_leaks(out, db)
