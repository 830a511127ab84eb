"""Publication: the evaluators' read-only DuckDB snapshot, built beside the old one and swapped in
with one atomic rename, so a reader sees the previous publication or the new one, never a mixture."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import duckdb

from partnership.sql_text import literal
from publication.lineage import add_file_list, add_reference_provenance, record_publication
from publication.parquet_copies import swap_in, write_parquet_set

# What evaluators get: marts, reference data, gate results and the load audit (lineage), plus
# lineage.files, lineage.publication, lineage.reference_data and lineage.assumptions
# (publication/lineage.py) and Parquet copies.
# Never: raw rows, the quarantine (it holds raw values), staging, or any key.
PUBLISHED_SCHEMAS = ("marts", "reference", "gate")
LINEAGE_TABLES = {"raw.load_audit": "lineage.load_audit"}


def latest_reporting_year(con: duckdb.DuckDBPyConnection) -> str | None:
    row = con.execute(
        "SELECT max(reporting_year) FROM marts.metrics WHERE value IS NOT NULL").fetchone()
    return row[0] if row else None


def build_snapshot(warehouse: Path, published: Path, run_id: str, *, reference: list[dict] | None = None,
                   assumptions: dict | None = None,
                   pause: Callable[[str], None] = lambda point: None) -> dict[str, int]:
    """Copy the published tables into a new file, then rename it over the old snapshot.
    `reference`, `assumptions`: the provenance of the reference data and the settings in force
    (publication/reference_data.py), written as lineage.reference_data and lineage.assumptions.
    `pause` is the fault-injection hook (orchestration/faults.py), called before each swap."""
    published.parent.mkdir(parents=True, exist_ok=True)
    staging = published.with_name(f".{published.name}.{run_id}.tmp")
    staging.unlink(missing_ok=True)
    con = duckdb.connect(str(staging))
    try:
        con.execute(f"ATTACH {literal(warehouse)} AS work (READ_ONLY)")
        tables = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'work'"
        ).fetchall()
        wanted: list[tuple[str, str]] = [(s, t) for s, t in tables if s in PUBLISHED_SCHEMAS]
        wanted += [(s, t) for s, t in (k.split(".") for k in LINEAGE_TABLES) if (s, t) in tables]
        for schema, table in wanted:
            target = LINEAGE_TABLES.get(f"{schema}.{table}", f"{schema}.{table}")
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {target.split('.')[0]}")
            con.execute(f"CREATE TABLE {target} AS SELECT * FROM work.{schema}.{table}")
        if ("raw", "load_audit") in tables:
            add_file_list(con)
        con.execute("DETACH work")
        if reference is not None:
            add_reference_provenance(con, reference, assumptions or {})
        counts = record_publication(con, run_id)
        con.execute("CHECKPOINT")
        parquet = write_parquet_set(con, published, run_id)
    finally:
        con.close()
    with staging.open("rb") as handle:
        os.fsync(handle.fileno())
    staging.chmod(0o444)  # evaluators' tools open it read-only; a read-write open fails for non-root users
    pause("snapshot-swap")
    os.replace(staging, published)
    pause("parquet-swap")
    swap_in(published, parquet)
    return counts
