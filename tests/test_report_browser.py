"""The report as a person sees it: opened in real headless Chromium (Debian's ``chromium``,
installed by ``.ci/run`` where missing), on a desktop (1400 px) and a phone (400 px): every
chart drawn at its own size in its layout (wide, or narrow below 600 px) with labels of at
least 10 px and its text alternative, no table cell cut off (tables scroll in their own box,
the first column staying in view), no console error, no request leaving the machine, and
full-page screenshots in ``tests/artifacts/`` (``report-nl-400.png``, ``report-nl-1400.png``
…) to look at.

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

#: Per chart container: drawn or not, in which layout, what it holds, its width as drawn and
#: as laid out, the room the page gives it, its smallest text as drawn (px), its text
#: alternative (the aria-label Vega gives its container) and its figure's caption.
CHART_STATE = """
() => [...document.querySelectorAll("div.chart")].map((el) => {
  const svg = el.querySelector("svg");
  const canvas = el.querySelector("canvas");
  const marks = el.querySelectorAll(
    'g[class*="mark-"] path, g[class*="mark-"] rect, g[class*="mark-"] line,' +
    ' g[class*="mark-"] circle'
  ).length;
  const drawn = svg ? svg.getBoundingClientRect().width : 0;
  const width = svg ? parseFloat(svg.getAttribute("width")) : 0;
  let smallest = null;
  for (const text of svg ? svg.querySelectorAll("text") : []) {
    if (!text.textContent.trim()) continue;
    const size = parseFloat(getComputedStyle(text).fontSize) * (drawn / width);
    smallest = smallest === null ? size : Math.min(smallest, size);
  }
  const doc = el.querySelector('[role="graphics-document"]');
  return {
    name: el.dataset.chart,
    rendered: el.dataset.rendered || null,
    layout: el.dataset.layout || null,
    svg: !!svg,
    canvas: !!canvas,
    marks: marks,
    width: width,
    drawn: drawn,
    room: el.closest("figure").clientWidth,
    smallest: smallest,
    alt: doc ? doc.getAttribute("aria-label") : null,
    caption: el.closest("figure").querySelector("figcaption").textContent.trim(),
  };
})
"""

#: Table cells whose text is cut off (wider than the cell: it would not show when scrolled).
CLIPPED_CELLS = """
() => [...document.querySelectorAll("td, th")]
  .filter((c) => c.scrollWidth > c.clientWidth)
  .map((c) => c.closest("table").dataset.table + ": " + c.textContent.trim())
"""

#: Tables scrolled to their right end: the name of each table that scrolls, and where its
#: first cell (its row label) then is against the box's left edge (0: still in view).
STICKY_FIRST_COLUMN = """
() => [...document.querySelectorAll(".table-wrap")]
  .filter((box) => box.scrollWidth > box.clientWidth + 1)
  .map((box) => {
    box.scrollLeft = box.scrollWidth;
    const cell = box.querySelector("tbody tr > :first-child");
    const offset = cell.getBoundingClientRect().left - box.getBoundingClientRect().left;
    box.scrollLeft = 0;
    return [box.querySelector("table").dataset.table, Math.round(offset)];
  })
"""

#: The page's width against the screen's (wider: the whole page scrolls sideways).
PAGE_WIDTH = "() => [document.documentElement.scrollWidth, window.innerWidth]"

#: Readable text on a screen: no chart text drawn smaller than this (px).
SMALLEST_TEXT = 10

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


def _open_report(context: Any, report: Path, width: int) -> tuple[Any, list[str], list[str]]:
    """The report opened in a page ``width`` px wide, its charts drawn; the console errors and
    the requests leaving the machine, as they come."""
    page = context.new_page()
    page.set_viewport_size({"width": width, "height": 900})
    errors: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "request",
        lambda r: None if r.url.startswith(("file:", "data:", "blob:")) else outside.append(r.url),
    )
    page.goto(report.as_uri())
    page.wait_for_selector('body[data-charts="done"]', timeout=60_000)
    return page, errors, outside


def _screenshot(page: Any, name: str) -> Path:
    """A full-page screenshot of ``page`` in tests/artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / name
    page.screenshot(path=str(shot), full_page=True)
    print(f"screenshot: {shot}")
    return shot


def _check_charts(charts: list[dict[str, Any]], layout: str) -> None:
    """Every chart drawn in ``layout`` at its own size, within its room, its text readable
    and its text alternative its figure's caption."""
    assert len(charts) >= 8
    for chart in charts:
        name = chart["name"]
        assert chart["rendered"] == "true", f"{name} was not drawn"
        assert chart["layout"] == layout, f"{name} is drawn {chart['layout']}, not {layout}"
        assert chart["svg"] or chart["canvas"], f"{name} has no SVG or canvas"
        assert chart["marks"] > 0, f"{name} has no marks"
        # drawn at its own size, not shrunk to fit, and within the page: its text stays readable
        assert abs(chart["drawn"] - chart["width"]) < 1, f"{name} is scaled"
        assert chart["width"] <= chart["room"] + 1, f"{name} is wider than the page"
        assert chart["smallest"] >= SMALLEST_TEXT, f"{name}: text of {chart['smallest']:.1f} px"
        assert chart["alt"] == " ".join(chart["caption"].split()), f"{name}: no text alternative"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_report_on_a_desktop(
    browser_context: Any, sample_store: Store, tmp_path: Path, lang: str
) -> None:
    report = write_report(sample_store, tmp_path / f"report-{lang}.html", lang=lang)  # type: ignore[arg-type]
    page, errors, outside = _open_report(browser_context, report, 1400)
    try:
        charts = page.evaluate(CHART_STATE)
        wide_tables = page.evaluate(WIDE_TABLES)
        clipped = page.evaluate(CLIPPED_CELLS)
        shot = _screenshot(page, f"report-{lang}-1400.png")
    finally:
        page.close()

    _check_charts(charts, "wide")
    assert not wide_tables, f"tables wider than the page: {wide_tables}"
    assert not clipped, f"table cells cut off: {clipped}"
    assert not errors, f"console errors: {errors}"
    assert not outside, f"requests leaving the machine: {outside}"
    assert shot.stat().st_size > 50_000


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_report_on_a_phone(
    browser_context: Any, sample_store: Store, tmp_path: Path, lang: str
) -> None:
    report = write_report(sample_store, tmp_path / f"report-{lang}.html", lang=lang)  # type: ignore[arg-type]
    page, errors, outside = _open_report(browser_context, report, 400)
    try:
        charts = page.evaluate(CHART_STATE)
        clipped = page.evaluate(CLIPPED_CELLS)
        sticky = page.evaluate(STICKY_FIRST_COLUMN)
        page_width = page.evaluate(PAGE_WIDTH)
        shot = _screenshot(page, f"report-{lang}-400.png")
        # wider than 600 px again: the wide layout comes back
        page.set_viewport_size({"width": 900, "height": 900})
        page.wait_for_function(
            "() => [...document.querySelectorAll('div.chart')]"
            ".every((el) => el.dataset.layout === 'wide')",
            timeout=60_000,
        )
        page.wait_for_selector('body[data-charts="done"]', timeout=60_000)
        widened = page.evaluate(CHART_STATE)
    finally:
        page.close()

    _check_charts(charts, "narrow")
    _check_charts(widened, "wide")
    assert page_width[0] <= page_width[1], f"the page is wider than the screen: {page_width}"
    assert not clipped, f"table cells cut off: {clipped}"
    # the wide tables scroll in their own box, and their first column stays in view
    assert len(sticky) >= 3, f"tables that scroll at 400 px: {sticky}"
    assert all(offset == 0 for _, offset in sticky), f"first column scrolled away: {sticky}"
    assert "key_figures" in dict(sticky)
    assert not errors, f"console errors: {errors}"
    assert not outside, f"requests leaving the machine: {outside}"
    assert shot.stat().st_size > 50_000


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_narrow_layout_fits_a_phone(sample_store: Store, lang: str) -> None:
    """Without a browser: each chart's phone layout, drawn by vl-convert, fits a 400 px
    screen, its panels one under the other (no column facet, no hconcat left)."""
    import json
    import re

    from brugdata.publish.report import report_charts
    from brugdata.publish.report.export import chart_svg, specs
    from brugdata.publish.report.narrow import NARROW_ROOM, narrow_spec

    wide = specs(report_charts(sample_store, lang=lang))  # type: ignore[arg-type]
    assert len(wide) >= 8
    for name, spec in wide.items():
        narrow = narrow_spec(spec)
        assert "datasets" not in narrow  # the page gives it the wide spec's
        text = json.dumps(narrow)
        assert '"hconcat"' not in text and '"column"' not in text, name
        svg = chart_svg({**narrow, "datasets": spec.get("datasets", {})}, lang)  # type: ignore[arg-type]
        found = re.search(r'<svg[^>]*?\swidth="([0-9.]+)"', svg)
        assert found, name
        assert float(found.group(1)) <= NARROW_ROOM, f"{name} is {found.group(1)} px wide"
        # it draws the same data (the wide spec's datasets, by name)
        assert narrow.get("data") == spec.get("data"), name
