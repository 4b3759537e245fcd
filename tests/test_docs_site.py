"""The documentation site: the generated CLI page is current, every page is in the nav, and
``mkdocs build --strict`` builds the site (notebooks executed) without a script from a CDN."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

DOCS = REPO / "docs"
NOTEBOOK_PAGES = ["01_quickstart", "02_compare_pilots", "03_evaluation_report"]
#: Charts per notebook (tests/test_notebooks.py counts the cells that draw them).
CHARTS = {"01_quickstart": 1, "02_compare_pilots": 6, "03_evaluation_report": 7}
#: nbconvert's mermaid loader (in mkdocs-jupyter's template): it imports mermaid from a CDN
#: only when the page has a mermaid diagram (``.jp-Mermaid > pre.mermaid``).
MERMAID = re.compile(r"https://cdnjs\.cloudflare\.com/ajax/libs/mermaid[-\w./]*\.mjs")


def test_cli_page_is_up_to_date() -> None:
    from dev import cli_markdown

    doc = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert doc == cli_markdown(), "run: python3 dev.py docs"
    for command in ("validate", "ingest", "report", "key new", "population duo"):
        assert f"## brugdata {command}\n" in doc, command


def test_every_page_is_in_the_nav() -> None:
    nav = (REPO / "mkdocs.yml").read_text(encoding="utf-8").split("\nnav:", 1)[1]
    entries = re.findall(r":\s*([\w./-]+\.(?:md|ipynb))\s*$", nav, re.MULTILINE)
    listed = set(entries)
    assert len(entries) == len(listed), "a page is in the nav twice"
    pages = {p.name for p in DOCS.glob("*.md")}
    assert pages - listed == set(), "add these pages to the nav in mkdocs.yml"
    notebooks = {f"notebooks/{p.name}" for p in (REPO / "notebooks").glob("*.ipynb")}
    assert notebooks <= listed


@pytest.mark.slow
def test_mkdocs_build_strict(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs_jupyter", reason="the docs extra: pip install -e '.[docs]'")
    site = tmp_path / "site"
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    for page in ("getting-started", "cli", "data-model", "analyses", "privacy", "reference"):
        assert (site / page / "index.html").is_file(), page
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "read → validate → store → analyse → publish" in home
    reference = (site / "reference" / "index.html").read_text(encoding="utf-8")
    assert "use_offline_charts" in reference and "readable" in reference  # mkdocstrings ran
    assert not re.search(r":(?:class|meth|func|mod|data):<code>", reference)  # docs/hooks.py
    cli = (site / "cli" / "index.html").read_text(encoding="utf-8")
    assert "Usage: brugdata ingest" in cli
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        # no script from the internet: the theme's own scripts are local, fonts are off
        assert not re.search(r"<script[^>]*\bsrc=\"(?:https?:)?//", html), page
        assert "fonts.googleapis" not in html and "cdn.jsdelivr" not in html, page
    for name in NOTEBOOK_PAGES:
        html = (site / "notebooks" / name / "index.html").read_text(encoding="utf-8")
        scripts = " ".join(re.findall(r"<script\b.*?</script>", html, re.DOTALL))
        urls = {re.sub(r"[?#].*", "", u) for u in re.findall(r"https?://[^\"'\s)]+", scripts)}
        loads = {u for u in urls if re.search(r"\.m?js$", u)}  # what a script could load
        assert loads == set(MERMAID.findall(scripts)), loads  # only nbconvert's mermaid loader,
        assert 'class="mermaid' not in html  # ... which loads nothing: the page has no diagram
        # executed at build time: every chart is an SVG in the page (an image of its own)
        svgs = re.findall(
            r'data-mime-type="image/svg\+xml"[^>]*>\s*<img [^>]*?src="([^"]{26})', html
        )
        assert svgs == ["data:image/svg+xml;base64,"] * CHARTS[name], (name, svgs)
        assert "Traceback" not in html, name
    quick = (site / "notebooks" / "01_quickstart" / "index.html").read_text(encoding="utf-8")
    assert re.search(r"\d+ rows read: \d+ loaded, 0 rejected", quick)  # outputs of the run
