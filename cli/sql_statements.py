"""Which statements `impact sql` runs: reads of the snapshot, and nothing that changes the session.

A read-only connection with external access off already refuses writes to the snapshot and to
files, but DuckDB still lets it change its own session: temporary tables and macros, settings
(`SET`, `PRAGMA`), logging (`CALL enable_logging(...)`, which once aborted the whole process on
its way out), prepared statements, variables. So every statement is parsed first (DuckDB's own
parser: `extract_statements` gives each statement's type, `json_serialize_sql` the tree of a
query) and held against an allow-list before DuckDB executes anything:

- SELECT in all its forms (FROM-first, VALUES, WITH, DESCRIBE, SHOW, SUMMARIZE, PIVOT with an
  IN list), whose table functions are all catalogue or generator functions (TABLE_FUNCTIONS) and
  which calls no scalar function with a side effect (SIDE_EFFECT_FUNCTIONS);
- EXPLAIN [ANALYZE] of such a query;
- CALL of an allowed table function (`CALL pragma_table_info('marts.metrics')`).

Everything else is refused in one line, and nothing of the input has run."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

import duckdb

READS = ("SELECT (also FROM ..., WITH, VALUES, DESCRIBE, SHOW, SUMMARIZE), EXPLAIN, "
         "or CALL of a catalogue function")

# Table functions that only read the catalogue, the snapshot's storage facts, or generate rows.
TABLE_FUNCTIONS = frozenset({
    "duckdb_columns", "duckdb_constraints", "duckdb_databases", "duckdb_dependencies",
    "duckdb_extensions", "duckdb_functions", "duckdb_indexes", "duckdb_keywords", "duckdb_memory",
    "duckdb_optimizers", "duckdb_schemas", "duckdb_sequences", "duckdb_settings", "duckdb_tables",
    "duckdb_temporary_files", "duckdb_types", "duckdb_variables", "duckdb_views",
    "pragma_collations", "pragma_database_size", "pragma_metadata_info", "pragma_platform",
    "pragma_show", "pragma_storage_info", "pragma_table_info", "pragma_user_agent", "pragma_version",
    "generate_series", "range", "unnest", "repeat", "repeat_row", "json_each", "json_tree",
    "summary", "test_all_types", "test_vector_types", "icu_calendar_names", "pg_timezone_names",
})
# Scalar functions that change the session's state (a sequence, the random seed, the log).
SIDE_EFFECT_FUNCTIONS = frozenset({"setseed", "nextval", "write_log"})

_EXPLAIN = re.compile(r"^\s*EXPLAIN\s+(?:ANALY[SZ]E\s+)?(?:\([^)]*\)\s*)?", re.IGNORECASE)
_CALL = re.compile(r"^\s*CALL\s+", re.IGNORECASE)
_FIRST_WORD = re.compile(r"^\s*(?:(?:--[^\n]*\n|/\*.*?\*/)\s*)*([A-Za-z]+)", re.DOTALL)


class Refused(ValueError):
    """The input holds a statement `impact sql` does not run; the message says which and why."""


@dataclass(frozen=True)
class Runnable:
    """One vetted statement: `sql` is a query (SELECT) or, when `explain`, an EXPLAIN."""

    sql: str
    explain: bool = False


def vet(con: duckdb.DuckDBPyConnection, text: str) -> list[Runnable]:
    """Every statement of `text`, checked; raises Refused (nothing has run) or duckdb.Error."""
    statements = con.extract_statements(text)
    if not statements:
        raise duckdb.InvalidInputException("the input holds no SQL statement")
    return [_vet_one(con, statement, position, len(statements))
            for position, statement in enumerate(statements, start=1)]


def _vet_one(con, statement, position: int, count: int) -> Runnable:
    kind = statement.type.name if hasattr(statement.type, "name") else str(statement.type)
    where = f"statement {position} of {count}: " if count > 1 else ""
    if kind == "SELECT" and statement.query.strip():
        _check_query(con, statement.query, where)
        return Runnable(statement.query)
    if kind == "EXPLAIN":
        inner = _EXPLAIN.sub("", statement.query, count=1)
        if inner == statement.query:
            raise Refused(f"{where}write EXPLAIN as EXPLAIN [ANALYZE] <query>")
        _check_single_select(con, inner, where)
        return Runnable(statement.query, explain=True)
    if kind == "CALL":
        rest = _CALL.sub("", statement.query, count=1)
        if rest == statement.query:  # CHECKPOINT and friends parse as CALL
            raise Refused(f"{where}{statement.query.strip().split()[0].upper()} changes the database; "
                          f"impact sql runs reads only: {READS}")
        query = f"SELECT * FROM {rest}"
        _check_single_select(con, query, where)
        return Runnable(query)
    if kind == "CREATE" and not statement.query.strip():
        raise Refused(f"{where}a PIVOT without an IN list creates a type first; list the values: "
                      "PIVOT t ON col IN ('a', 'b') USING ...")
    first = _FIRST_WORD.match(statement.query)
    words = first.group(1).upper() if first else kind.replace("_", " ")
    raise Refused(f"{where}{words} statements change the session or the database; "
                  f"impact sql runs reads only: {READS}")


def _check_single_select(con, query: str, where: str) -> None:
    inner = con.extract_statements(query)
    if len(inner) != 1 or inner[0].type.name != "SELECT":
        raise Refused(f"{where}only a query can follow EXPLAIN or CALL; impact sql runs reads only: {READS}")
    _check_query(con, inner[0].query, where)


def _check_query(con, query: str, where: str) -> None:
    tree = json.loads(con.execute("SELECT json_serialize_sql(?::VARCHAR)", [query]).fetchone()[0])
    if tree.get("error"):
        raise duckdb.ParserException(tree.get("error_message") or "the query could not be parsed")
    for role, name in function_calls(tree):
        if role == "table" and name not in TABLE_FUNCTIONS:
            raise Refused(f"{where}the table function {name}() is not available in impact sql, which "
                          f"reads the published snapshot only (allowed: catalogue functions such as "
                          f"duckdb_tables(), pragma_table_info(), range(), unnest())")
        if role == "scalar" and name in SIDE_EFFECT_FUNCTIONS:
            raise Refused(f"{where}{name}() changes the session's state; impact sql runs reads only")


def function_calls(node) -> Iterator[tuple[str, str]]:
    """(role, lower-case name) of every function a serialized query calls; role is `table` for a
    table function in a FROM clause, `scalar` for any other call (scalar, aggregate, window)."""
    if isinstance(node, list):
        for item in node:
            yield from function_calls(item)
    elif isinstance(node, dict):
        if node.get("type") == "TABLE_FUNCTION" and isinstance(node.get("function"), dict):
            function = node["function"]
            yield "table", str(function.get("function_name", "")).lower()
            yield from function_calls({k: v for k, v in function.items() if k != "function_name"})
            yield from function_calls({k: v for k, v in node.items() if k != "function"})
            return
        if "function_name" in node:
            yield "scalar", str(node["function_name"]).lower()
        for value in node.values():
            yield from function_calls(value)
