"""SQL text the product writes itself: a value that must be part of the statement (a file path in
DuckDB's ATTACH, COPY ... TO or read_parquet, which take no parameters) is quoted as a string
literal, so a data directory such as `/srv/St John's/data` is a path, never a syntax error."""

from __future__ import annotations

from pathlib import Path


def literal(value: str | Path) -> str:
    """`value` as a single-quoted SQL string literal (quotes doubled)."""
    return "'" + str(value).replace("'", "''") + "'"
