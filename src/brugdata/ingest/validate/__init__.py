"""Validation that loses nothing: raw strings in, typed valid rows and explained rejects out.

For every file, every row read ends up either in ``valid`` (typed, canonical columns) or in
``rejected_rows`` (the values as read), and each rejected row has one or more reasons in
``rejects`` naming its line, column, rule and value; rows above the header row are skipped.
Always ``rows_read == rows_valid + rows_rejected + rows_skipped``.

The steps, per file, each in its own module: map headers to canonical columns (Dutch aliases
and a caller's mapping; :mod:`~brugdata.ingest.validate.headers`), replace identifiers and
redact personal data (:mod:`~brugdata.ingest.validate.guard`), trim values and parse types
(dates, decimal commas, codes; :mod:`~brugdata.ingest.validate.parse`), run the table's
pandera.polars model (required, codes, ranges, formats), then the rules that span rows or
tables (unique keys, references to schools, officers and partners, what a contact with a
parent needs; :mod:`~brugdata.ingest.validate.checks`). :mod:`~brugdata.ingest.validate.files`
finds and orders the files, :mod:`~brugdata.ingest.validate.failures` records what failed and
:mod:`~brugdata.ingest.validate.run` holds the entry points.
"""

from __future__ import annotations

from brugdata.ingest.validate.failures import RULES
from brugdata.ingest.validate.files import (
    DATA_EXTENSIONS,
    collect_files,
    gather_files,
    plan_files,
    source_names,
)
from brugdata.ingest.validate.guard import Privacy
from brugdata.ingest.validate.headers import check_mapping
from brugdata.ingest.validate.run import validate, validate_raw

__all__ = [
    "DATA_EXTENSIONS",
    "RULES",
    "Privacy",
    "check_mapping",
    "collect_files",
    "gather_files",
    "plan_files",
    "source_names",
    "validate",
    "validate_raw",
]
