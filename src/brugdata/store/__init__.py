"""The DuckDB store: one file holding every table of the model, the provenance of every row
and every reject, kept whole by copy-and-swap writes; tables derived from contacts for the
analyses; the population of schools from DUO.

Takes validated frames from ingest; gives a :class:`Store`, the source of every analysis.
By job: ``store`` (the :class:`Store`: open, read, write), ``pipeline`` (the ingest),
``ddl`` (layout, versions, migrations), ``files`` (writer lock, copy-and-swap, faults),
``check`` (is the file sound: every block read), ``reference`` (reference rows delivered
again, their history), ``derived`` (the tables derived from contacts), ``results`` (what an
ingest gives back), ``population`` (DUO pupil counts), ``html`` (notebook display).
"""

from brugdata.store.store import FileIngest, IngestResult, Store, open_store

__all__ = ["FileIngest", "IngestResult", "Store", "open_store"]
