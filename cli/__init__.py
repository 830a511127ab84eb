"""`impact`, the command line of stewards and evaluators: run, ingest, status, sql, docs, ui, drill.
It is the outermost layer: it may import every package, the Dagster wiring included (it launches
the jobs); nothing imports it."""
