"""What a publication says about its protection: the output log beside it
(``<name>.checks.json``, for an output checker), the legend of its markers, and the banner
of an unprotected output."""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from brugdata.publish.protect import Publication

__all__ = ["UNPROTECTED", "checks_path", "legend", "mark_page", "write_checks"]

#: The banner of an output without small-cell protection (analysts only).
UNPROTECTED = "niet beschermd / not protected"

_LEGEND = {
    "nl": "{small}: een aantal van 1 tot en met {top} (verborgen); x: verborgen zodat een "
    "verborgen aantal niet uit een totaal of uit andere cellen terug te rekenen is. "
    "Bescherming: {profile}.",
    "en": "{small}: a count from 1 to {top} (hidden); x: hidden so that a hidden count cannot "
    "be worked out from a total or other cells. Protection: {profile}.",
}


def sha256(path: Path) -> str:
    """The SHA-256 of a file, in hex."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def checks_path(out: str | Path) -> Path:
    """The output log of publication ``out``: ``report.html`` → ``report.checks.json``."""
    path = Path(out)
    return path.with_name(f"{path.stem}.checks.json")


def write_checks(out: str | Path, files: Sequence[str | Path], publication: Publication) -> Path:
    """Write the output log beside ``out``: every file with its SHA-256, the profile and
    threshold, every hidden cell with its reason (primary, secondary) and the software
    version. Returns its path."""
    from brugdata._version import __version__

    path = checks_path(out)
    log: dict[str, Any] = {
        "software": "brugdata",
        "version": __version__,
        "written": datetime.now(UTC).isoformat(timespec="seconds"),
        "protected": publication.protected,
        "profile": publication.profile if publication.protected else None,
        "threshold": publication.threshold if publication.protected else None,
        "rules": publication.describe("en"),
        "files": [
            {"file": Path(f).name, "sha256": sha256(Path(f)), "bytes": Path(f).stat().st_size}
            for f in files
        ],
        "hidden_cells": publication.hidden,
    }
    path.write_text(json.dumps(log, ensure_ascii=False, indent=2, default=str), "utf-8")
    return path


def legend(publication: Publication, lang: str = "nl") -> str:
    """The legend of the markers ``<10`` and ``x``, in ``lang``."""
    limit = publication.limit
    return _LEGEND.get(lang, _LEGEND["nl"]).format(
        small=f"<{limit}", top=limit - 1, profile=publication.describe(lang)
    )


_BODY = re.compile(r"<body[^>]*>")


def mark_page(page: str, publication: Publication, lang: str = "nl") -> str:
    """The HTML page with its protection made visible: a banner on every (printed) page when
    it is not protected; else the legend of the markers after the first table using them."""
    if not publication.protected:
        banner = (
            '<div role="alert" style="position:fixed;top:0;left:0;right:0;z-index:9999;'
            "background:#b00020;color:#fff;font-weight:bold;text-align:center;padding:4px;"
            f'">{html.escape(UNPROTECTED)}</div>'
            f'<p style="background:#b00020;color:#fff;font-weight:bold;padding:4px;">'
            f"{html.escape(UNPROTECTED)}</p>"
        )
        found = _BODY.search(page)
        at = found.end() if found else 0
        return page[:at] + banner + page[at:]
    small = html.escape(f"<{publication.limit}")
    marker = re.search(rf">\s*(?:{re.escape(small)}|x)\s*<", page)
    if marker is None:
        return page
    end = page.find("</table>", marker.end())
    if end < 0:
        return page
    end += len("</table>")
    note = f'<p class="legend brugdata-legend">{html.escape(legend(publication, lang))}</p>'
    return page[:end] + note + page[end:]
