"""Reading the one row a query must return (a count, an aggregate, a setting). DuckDB's `fetchone()`
says "a row or None" for any query; for these queries None would mean a broken warehouse, so it
becomes an error naming the query instead of a `TypeError: 'NoneType' object is not subscriptable`
further on. Every stage reads counts this way, so it lives in the shared package."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb


def one_row(con: duckdb.DuckDBPyConnection, query: str, params: Sequence[object] | None = None) -> tuple[Any, ...]:
    """The query's first row; a LookupError naming the query when it returned none."""
    row = con.execute(query, params).fetchone()
    if row is None:
        raise LookupError(f"expected a row, the query returned none: {' '.join(query.split())}")
    return row


def one_value(con: duckdb.DuckDBPyConnection, query: str, params: Sequence[object] | None = None) -> Any:
    """The first column of the query's first row (`SELECT count(*) ...`)."""
    return one_row(con, query, params)[0]


def has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    """Whether the connection's own database (not one attached to it) has this table (views aside)."""
    return bool(one_value(con, "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
                               "AND schema_name = ? AND table_name = ?", [schema, table]))
