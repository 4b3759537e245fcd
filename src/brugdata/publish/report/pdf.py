"""The report as a print-ready A4 PDF, made by WeasyPrint from the print variant of the page
(:func:`brugdata.publish.report.render.render_print`): the same texts and tables, every chart
an SVG drawn by vl-convert (WeasyPrint runs no JavaScript) with its text alternative, and the
print CSS (``templates/print.css``): numbered pages, a table of contents with page numbers,
captions kept with their tables.

Nothing is fetched: the page holds everything (CSS inline, images as ``data:`` URLs, the
system's fonts), and WeasyPrint gets a fetcher that refuses every other URL
(:func:`offline_fetcher`). WeasyPrint is an extra, ``pip install 'brugdata[pdf]'``, and needs
the Pango libraries of the system (Debian: ``libpango-1.0-0 libpangoft2-1.0-0``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from brugdata.errors import BrugdataError

__all__ = ["PDF_INSTALL", "check_pdf", "offline_fetcher", "write_pdf"]

#: How to get what a PDF needs, as the error sentence says it.
PDF_INSTALL = (
    "install it with: pip install 'brugdata[pdf]' "
    "(it needs the Pango libraries: apt-get install libpango-1.0-0 libpangoft2-1.0-0)"
)


def _weasyprint() -> Any:
    """The weasyprint module; BrugdataError (one sentence saying how to install it) when it or
    the system libraries it needs are missing."""
    try:
        import weasyprint
    except ImportError:
        raise BrugdataError(
            f"writing a PDF needs WeasyPrint, which is missing: {PDF_INSTALL}"
        ) from None
    except OSError as exc:  # the Python package is there, Pango is not
        raise BrugdataError(
            f"writing a PDF needs WeasyPrint, which cannot load a system library ({exc}): "
            f"{PDF_INSTALL}"
        ) from None
    return weasyprint


def check_pdf() -> None:
    """Nothing when a PDF can be written; else BrugdataError saying how to install WeasyPrint."""
    _weasyprint()


def offline_fetcher() -> Any:
    """A WeasyPrint URL fetcher that serves ``data:`` URLs only and refuses every other URL
    (http, https, file …). Its ``asked`` lists every URL it was asked for, ``refused`` those it
    refused."""
    from weasyprint.urls import URLFetcher

    class OfflineFetcher(URLFetcher):  # type: ignore[misc]
        """Serves ``data:`` URLs; refuses the rest (a ValueError: WeasyPrint leaves it out)."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols=("data",), allow_redirects=False)
            self.asked: list[str] = []
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            """The resource at a ``data:`` URL; ValueError for any other URL."""
            self.asked.append(url)
            if not url.lower().startswith("data:"):
                self.refused.append(url)
                raise ValueError(f"the report is made offline: {url.split(':', 1)[0]} refused")
            return super().fetch(url, headers)

    return OfflineFetcher()


def write_pdf(html: str, out: str | Path, *, fetcher: Any = None) -> Path:
    """Write the print page ``html`` as a PDF at ``out``, fetching nothing (``fetcher``:
    :func:`offline_fetcher` unless given). Returns the path written; BrugdataError when
    WeasyPrint is missing."""
    weasyprint = _weasyprint()
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    document = weasyprint.HTML(
        string=html, base_url=None, url_fetcher=fetcher or offline_fetcher(), media_type="print"
    )
    document.write_pdf(path, pdf_tags=True)
    return path
