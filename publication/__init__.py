"""Publication: the evaluators' read-only snapshot of the working warehouse (one DuckDB file,
replaced atomically), its Parquet copies, the lineage it carries and the reference data it cites.
It reads the working file and writes under the data directory; it never imports the Dagster wiring."""
