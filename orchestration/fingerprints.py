"""Fingerprints: what a step's inputs were when it last succeeded, so a run does only the work its
new inputs need.

A table's fingerprint is its row count and the sum of its rows' hashes (order does not matter,
repeated rows count): any insert, delete or update changes it, and it costs one scan (tens of
milliseconds for the demo warehouse). A step records the fingerprints of its inputs when it
succeeds (orchestration/run_state.py); the next run compares and skips the step when they match.

- dbt: every raw table, the dbt project's files and the dbt vars; and the marts it left behind, so
  a mart changed by hand (the gate drill) or half-rebuilt by a killed run is rebuilt.
- the gate of a year: the rows of that year (and the year before, for year-on-year) in the annual
  marts and the facts the coverage suite counts, the gate's settings and code, the year's state.
- the snapshot: every table it copies.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import duckdb

from partnership.config import DBT_PROJECT_DIR, PROJECT_ROOT
from partnership.rows import one_row

DBT_INPUT_FOLDERS = ("models", "macros", "seeds", "tests", "snapshots")
# the gate's code: its suites, and the disclosure control and auditor its disclosure suite runs
GATE_CODE = [PROJECT_ROOT / "expectations", PROJECT_ROOT / "exports" / "audit"]
GATE_CODE_FILES = [PROJECT_ROOT / "exports" / "disclosure.py"]
DBT_OUTPUT_SCHEMAS = ("marts", "reference")
PUBLISHED_INPUT_SCHEMAS = ("marts", "reference", "gate")

# The rows of a year the gate reads: (table, year column, whether the year before counts too).
GATE_INPUTS = (
    ("marts.metrics", "reporting_year", True),
    ("marts.toc_indicators", "reporting_year", False),
    ("marts.fct_payments", "reporting_year", True),
    ("marts.fct_participants", "enrolment_year", False),
    ("marts.fct_outcomes", "reporting_year", False),
    ("marts.fct_responses", "reporting_year", False),
    ("marts.fct_pledge_status", "reporting_year", False),
)


def tables_in(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...]) -> list[str]:
    marks = ", ".join("?" for _ in schemas)
    rows = con.execute(
        f"SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database() "
        f"AND schema_name IN ({marks}) ORDER BY 1, 2", list(schemas)).fetchall()
    return [f"{schema}.{table}" for schema, table in rows]


FLOATING = ("DOUBLE", "FLOAT", "REAL")
SIGNIFICANT_DIGITS = 10


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """The table's columns as fingerprinted: floating-point values to 10 significant digits. A
    parallel sum of the same rows may differ in its last bits from one build to the next, and a
    difference of two such values (a change since baseline) more: at 12 digits a wellbeing
    indicator's change since baseline moved when nothing it reads had (0.320991169786 and
    0.320991169787), and its year was gated again."""
    schema, name = table.split(".") if "." in table else ("main", table)
    rows = con.execute("SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = "
                       "current_database() AND schema_name = ? AND table_name = ? ORDER BY column_index",
                       [schema, name]).fetchall()
    return [f"format('{{:.{SIGNIFICANT_DIGITS}g}}', \"{column}\")" if kind in FLOATING else f'"{column}"'
            for column, kind in rows]


def table_fingerprint(con: duckdb.DuckDBPyConnection, table: str, where: str = "",
                      params: list | None = None) -> str:
    """Row count and the sum of the rows' hashes: order-free, and repeated rows count."""
    columns = ", ".join(_columns(con, table)) or "1"
    count, total = one_row(
        con, f"SELECT count(*), coalesce(sum(hash(row({columns}))::HUGEINT), 0) FROM {table} {where}",
        params or [])
    return f"{count}:{total}"


def schema_fingerprints(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...]) -> dict[str, str]:
    return {table: table_fingerprint(con, table) for table in tables_in(con, schemas)}


def digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def files_digest(folders: list[Path], extra: Sequence[Path] = ()) -> str:
    """Content digest of every file under `folders` (plus `extra` files), by relative path."""
    hasher = hashlib.sha256()
    paths = [p for folder in folders if folder.exists() for p in folder.rglob("*")
             if p.is_file() and "__pycache__" not in p.parts]
    for path in sorted([*paths, *(p for p in extra if p.is_file())]):
        hasher.update(str(path.relative_to(PROJECT_ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return hasher.hexdigest()


def dbt_project_fingerprint(build_settings: dict) -> str:
    """The dbt project's files and what a build is given (its vars, its engine): a change means a
    full build."""
    folders = [DBT_PROJECT_DIR / name for name in DBT_INPUT_FOLDERS]
    files = files_digest(folders, [DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml"])
    return digest({"files": files, "build": build_settings})


def gate_fingerprint(con: duckdb.DuckDBPyConnection, year: str, previous: str, settings: dict) -> str:
    """What the gate of `year` reads, its settings (thresholds, open/closed, date-dependent
    expectations) and the code of the expectations."""
    existing = set(tables_in(con, ("marts",)))
    parts = {}
    for table, column, with_previous in GATE_INPUTS:
        if table not in existing:
            parts[table] = "absent"
            continue
        years = [year, previous] if with_previous else [year]
        parts[table] = table_fingerprint(con, table, f"WHERE {column} IN (SELECT unnest(?))", [years])
    if "marts.metric_catalogue" in existing:
        parts["marts.metric_catalogue"] = table_fingerprint(con, "marts.metric_catalogue")
    return digest({"tables": parts, "settings": settings, "code": files_digest(GATE_CODE, GATE_CODE_FILES)})


def snapshot_fingerprint(con: duckdb.DuckDBPyConnection, reference: list[dict], assumptions: dict) -> str:
    """Everything the snapshot is made of (publication/snapshot.py): the tables it copies from
    the working warehouse, and the reference data's provenance and the settings it records."""
    parts = schema_fingerprints(con, PUBLISHED_INPUT_SCHEMAS)
    if "raw.load_audit" in tables_in(con, ("raw",)):
        parts["raw.load_audit"] = table_fingerprint(con, "raw.load_audit")
    return digest({"tables": parts, "reference": reference, "assumptions": assumptions})
