"""Lineage tables of the evaluators' snapshot: the files behind the published rows, and a record of
the publication itself (run id, time, row count of every table), so a reader can check that what
it sees is one whole publication.

These functions work on the connection that builds the new snapshot, with the working warehouse
attached read-only as `work` (publication/snapshot.py)."""

from __future__ import annotations

import json

import duckdb

from partnership.rows import one_value

# Files whose rows are in the warehouse now: loaded, or loaded as a correction of an earlier file.
CURRENT_FILE_STATUSES = ("loaded", "replaced")


def add_file_list(con: duckdb.DuckDBPyConnection) -> None:
    """lineage.files: one row per landing file whose rows are published, from the load audit."""
    con.execute("CREATE SCHEMA IF NOT EXISTS lineage")
    con.execute(f"""
        CREATE TABLE lineage.files AS
        SELECT feed, entity, source_file, file_sha256, load_id, status, publisher,
               period_start, period_end, rows_read, rows_loaded, rows_quarantined,
               rows_skipped_footer, loaded_at
        FROM work.raw.load_audit
        WHERE status IN {CURRENT_FILE_STATUSES}
        ORDER BY feed, entity, source_file""")


def add_reference_provenance(con: duckdb.DuckDBPyConnection, datasets: list[dict], assumptions: dict) -> None:
    """lineage.reference_data: each reference dataset in use (edition, source, file, sha256, rows,
    synthetic or not); lineage.assumptions: every dbt var in force (impact.toml, as dbt got it)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS lineage")
    con.execute("CREATE TABLE lineage.reference_data (dataset VARCHAR, edition VARCHAR, source VARCHAR, "
                "file VARCHAR, sha256 VARCHAR, rows BIGINT, synthetic BOOLEAN)")
    con.executemany("INSERT INTO lineage.reference_data VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [(d["dataset"], d["edition"], d["source"], d["file"], d["sha256"], d["rows"], d["synthetic"])
                     for d in datasets])
    con.execute("CREATE TABLE lineage.assumptions (name VARCHAR, value VARCHAR)")
    con.executemany("INSERT INTO lineage.assumptions VALUES (?, ?)",
                    [(name, json.dumps(value)) for name, value in sorted(assumptions.items())])


def published_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every table of the database being built, as schema.table (the main catalogue only)."""
    rows = con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() "
        "WHERE database_name = current_database() ORDER BY schema_name, table_name").fetchall()
    return [f"{schema}.{table}" for schema, table in rows]


def record_publication(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, int]:
    """lineage.publication (one row) and lineage.publication_tables (row count per table)."""
    counts = {name: one_value(con, f"SELECT count(*) FROM {name}")
              for name in published_tables(con)
              if name not in ("lineage.publication", "lineage.publication_tables")}
    con.execute("CREATE SCHEMA IF NOT EXISTS lineage")
    con.execute("CREATE TABLE lineage.publication AS SELECT ?::VARCHAR AS run_id, "
                "now()::TIMESTAMPTZ AS published_at, ?::INTEGER AS tables, ?::VARCHAR AS row_counts",
                [run_id, len(counts), json.dumps(counts, sort_keys=True)])
    con.execute("CREATE TABLE lineage.publication_tables (run_id VARCHAR, table_name VARCHAR, row_count BIGINT)")
    con.executemany("INSERT INTO lineage.publication_tables VALUES (?, ?, ?)",
                    [(run_id, name, count) for name, count in counts.items()])
    return counts
