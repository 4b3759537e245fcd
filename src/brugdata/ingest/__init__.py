"""Reading and validating files: readers for CSV, Excel and Parquet, validation against the
model (every row valid or rejected with its reasons), pseudonyms and redaction at ingest,
questionnaire exports (forms) and DUO reference files.

Takes the model; gives :class:`~brugdata.ingest.results.ValidationResult` and valid frames to
the store.
"""
