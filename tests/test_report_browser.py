"""The report as a person sees it: opened in real headless Chromium (Debian's ``chromium``,
installed by ``.ci/run`` where missing), every chart drawn, no console error, no request
leaving the machine, and a full-page screenshot in ``tests/artifacts/`` to look at.

Playwright drives ``/usr/bin/chromium``; its own browser downloads (``playwright install``) are
never used. Without the browser the test fails in CI (``CI`` set) and is skipped elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from brugdata.publish.report import write_report
from brugdata.store.store import Store

CHROMIUM = Path(os.environ.get("BRUGDATA_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

#: Flags for a quiet, offline, headless browser (playwright adds --headless and, since the
#: sandbox cannot run as root, --no-sandbox; the profile is a temporary --user-data-dir).
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

#: Per chart container: drawn or not, what it holds, its width and the page's.
CHART_STATE = """
() => [...document.querySelectorAll("div.chart")].map((el) => {
  const svg = el.querySelector("svg");
  const canvas = el.querySelector("canvas");
  const marks = el.querySelectorAll(
    'g[class*="mark-"] path, g[class*="mark-"] rect, g[class*="mark-"] line,' +
    ' g[class*="mark-"] circle'
  ).length;
  return {
    name: el.dataset.chart,
    rendered: el.dataset.rendered || null,
    svg: !!svg,
    canvas: !!canvas,
    marks: marks,
    width: svg ? parseFloat(svg.getAttribute("width")) : 0,
    room: el.clientWidth,
  };
})
"""

#: Tables wider than their column (scrolled sideways: hard to read, cut off in print).
WIDE_TABLES = """
() => [...document.querySelectorAll(".table-wrap")]
  .filter((el) => el.scrollWidth > el.clientWidth + 1)
  .map((el) => el.querySelector("table").dataset.table)
"""


def _need(what: str) -> None:
    message = f"{what}; the browser test cannot run"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Any:
    if not CHROMIUM.exists():
        _need(f"{CHROMIUM} is missing (install Debian's chromium: apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need("playwright is not installed (pip install -e '.[dev]')")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=ARGS,
            viewport={"width": 1000, "height": 1200},
            device_scale_factor=1,
        )
        try:
            yield context
        finally:
            context.close()


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_report_renders_in_chromium(
    browser_context: Any, sample_store: Store, tmp_path: Path, lang: str
) -> None:
    report = write_report(sample_store, tmp_path / f"report-{lang}.html", lang=lang)  # type: ignore[arg-type]
    page = browser_context.new_page()
    errors: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "request",
        lambda r: None if r.url.startswith(("file:", "data:", "blob:")) else outside.append(r.url),
    )
    try:
        page.goto(report.as_uri())
        page.wait_for_selector('body[data-charts="done"]', timeout=60_000)
        charts = page.evaluate(CHART_STATE)
        wide_tables = page.evaluate(WIDE_TABLES)
        ARTIFACTS.mkdir(exist_ok=True)
        shot = ARTIFACTS / f"report-{lang}.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"screenshot: {shot}")
    finally:
        page.close()

    assert len(charts) >= 8
    for chart in charts:
        name = chart["name"]
        assert chart["rendered"] == "true", f"{name} was not drawn"
        assert chart["svg"] or chart["canvas"], f"{name} has no SVG or canvas"
        assert chart["marks"] > 0, f"{name} has no marks"
        # drawn at its own size, not shrunk to fit: its text stays readable
        assert chart["width"] <= chart["room"] + 1, f"{name} is wider than the page"
    assert not wide_tables, f"tables wider than the page: {wide_tables}"
    assert not errors, f"console errors: {errors}"
    assert not outside, f"requests leaving the machine: {outside}"
    assert shot.stat().st_size > 50_000
