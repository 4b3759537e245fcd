"""mkdocs hooks for the documentation site (mkdocs.yml ``hooks:``): the notebooks in
``notebooks/`` become pages under ``notebooks/``, rendered by mkdocs-jupyter, without a copy in
``docs/``; the Sphinx roles of the docstrings (``:class:`~brugdata.Store` ``) read as code."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[1]
#: a Sphinx role before code, as Markdown renders a docstring's ``:class:`~x.Y` ``
_ROLE = re.compile(r":(?:class|meth|func|mod|data|attr|exc|obj):(<code>)~?")


@event_priority(100)  # before mkdocs-jupyter turns .ipynb files into pages
def on_files(files: Files, config: Any) -> Files:
    """``files`` with every ``notebooks/*.ipynb`` added, read from where it is."""
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        files.append(
            File(
                f"notebooks/{path.name}",
                src_dir=str(ROOT),
                dest_dir=config["site_dir"],
                use_directory_urls=config["use_directory_urls"],
            )
        )
    return files


def on_page_content(html: str, page: Any, config: Any, files: Files) -> str:
    """``html`` with each Sphinx role dropped from before its code (``~`` too)."""
    return _ROLE.sub(r"\1", html)
