"""The analyses: one module per question, each a function returning a polars frame (or a
small result object of frames) computed by SQL in DuckDB over the store or frames handed in."""
