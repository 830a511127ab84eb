"""A hand-made raw warehouse for the dbt tests: the raw.* tables ingest/ writes
(docs/architecture.md + ingest/contracts/*.yaml), created empty, filled from Python rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from ingest.contracts import all_entities
from ingest.warehouse import ensure_raw_schema

# The raw tables exactly as ingest/ creates them (from the contracts), so the two cannot drift.
FEED_TABLES = {e.table for e in all_entities()}


def create_raw_warehouse(path: Path, rows: dict[str, list[dict[str, Any]]] | None = None) -> None:
    """Create every raw table (empty), then insert `rows` (table -> list of column dicts).
    Feed rows get lineage columns filled in: file name per table, row number in list order."""
    rows = rows or {}
    with duckdb.connect(str(path)) as con:
        ensure_raw_schema(con)
        tables = [r[0] for r in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'raw'").fetchall()]
        for table in tables:
            all_columns = {r[0] for r in con.execute(
                "select column_name from duckdb_columns() where schema_name = 'raw' and table_name = ?",
                [table]).fetchall()}
            for number, row in enumerate(rows.get(table, []), start=2):
                record = dict(row)
                if table in FEED_TABLES:
                    record.setdefault("_source_file", f"{table}.csv")
                    record.setdefault("_file_sha256", f"sha-{table}")
                    record.setdefault("_row_number", number)
                    record.setdefault("_load_id", f"load-{table}")
                    record.setdefault("_loaded_at", "2025-06-01 12:00:00")
                unknown = set(record) - set(all_columns)
                assert not unknown, f"{table}: unknown columns {unknown}"
                names = list(record)
                placeholders = ", ".join("?" for _ in names)
                con.execute(
                    f"insert into raw.{table} ({', '.join(names)}) values ({placeholders})",
                    [record[name] for name in names],
                )
