"""The working DuckDB file's side of an engine build: which raw tables there are (with their
column types), and swapping the published schemas for what the engine built, in one transaction
so a reader of the file sees the previous build or the new one."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import duckdb

from partnership.rows import one_value

Columns = list[tuple[str, str]]  # (column, DuckDB type)


def raw_tables(warehouse: Path) -> dict[str, Columns]:
    """Every table of schema raw, with its columns in order."""
    if not warehouse.exists():
        raise FileNotFoundError(f"no working warehouse at {warehouse}: nothing has been loaded yet")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            """SELECT table_name, column_name, data_type FROM duckdb_columns()
               WHERE schema_name = 'raw' AND database_name = current_database()
               ORDER BY table_name, column_index""").fetchall()
    finally:
        con.close()
    tables: dict[str, Columns] = {}
    for table, column, data_type in rows:
        tables.setdefault(table, []).append((column, data_type))
    return tables


def replace_built_tables(warehouse: Path, selects: Mapping[tuple[str, str], str],
                         schemas: tuple[str, ...]) -> dict[str, int]:
    """Make `schemas` hold exactly the tables of `selects` ((schema, table) -> a SELECT DuckDB runs,
    e.g. over Parquet or CSV the engine wrote): all of it or nothing. Rows per table."""
    con = duckdb.connect(str(warehouse))
    counts: dict[str, int] = {}
    try:
        con.execute("BEGIN TRANSACTION")
        for schema in schemas:
            con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            existing = con.execute(
                """SELECT table_name, table_type FROM information_schema.tables
                   WHERE table_schema = ? AND table_catalog = current_database()""", [schema]).fetchall()
            for name, kind in existing:
                if kind == "VIEW" or (schema, name) not in selects:
                    con.execute(f'DROP {"VIEW" if kind == "VIEW" else "TABLE"} "{schema}"."{name}"')
        for (schema, table), select in selects.items():
            con.execute(f'CREATE OR REPLACE TABLE "{schema}"."{table}" AS {select}')
            counts[f"{schema}.{table}"] = one_value(con, f'SELECT count(*) FROM "{schema}"."{table}"')
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.close()
    return counts
