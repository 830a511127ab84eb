"""How `impact sql` opens the published snapshot: read-only, with no access to other files, and
within the configured limits.

Read-only mode refuses every write to the snapshot (CREATE, INSERT, UPDATE, DELETE, ALTER, DROP).
DuckDB would still let a read-only connection write *other* files (COPY ... TO, ATTACH of a new
database, EXPORT DATABASE) and install extensions, so `impact sql` also turns external access off
and locks the configuration: it reads the snapshot and nothing else. Python variables are not
tables here (DuckDB's replacement scans are off). A query may use `[sql] memory_limit` of memory
and spills only into a private scratch folder that is removed afterwards. Statements that would
change the session are refused before this connection sees them (cli/sql_statements.py).
Analysts who want the Parquet copies or their own exports use DuckDB directly
(docs/evaluator-guide.md)."""

from __future__ import annotations

from pathlib import Path

import duckdb

QUERY_CONFIG: dict[str, bool] = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "python_enable_replacements": False,
}

REFUSED_MARKERS = ("read-only", "read_only", "external access", "disabled by configuration",
                   "lock_configuration", "cannot change configuration", "permission")


def open_for_query(path: Path, *, memory_limit: str = "2GB",
                   scratch: Path | None = None) -> duckdb.DuckDBPyConnection:
    """The snapshot, read-only, isolated from the file system, its configuration locked."""
    if not path.exists():
        raise FileNotFoundError(f"no published snapshot at {path}: run `impact demo` or `impact run` first")
    config: dict[str, str | bool] = {**QUERY_CONFIG, "memory_limit": memory_limit}
    if scratch is not None:
        config["temp_directory"] = str(scratch)
    return duckdb.connect(str(path), read_only=True, config={**config, "lock_configuration": True})


def one_line(text: str) -> str:
    """DuckDB's message on one line: its first line, and where in the query it points."""
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    if not lines:
        return "unknown error"
    # a LINE pointing into impact sql's own wrapper (unnamed_relation) would only confuse
    where = next((line for line in lines[1:] if line.startswith("LINE ") and "unnamed_relation" not in line), None)
    return lines[0] + (f" ({where})" if where else "")


def explain_error(exc: Exception) -> str:
    """The error as `impact sql` prints it, on one line: a refused write says so plainly."""
    text = one_line(str(exc))
    if any(marker in text.lower() for marker in REFUSED_MARKERS):
        return ("refused: `impact sql` reads the published snapshot only; it writes neither to it "
                f"nor to any other file ({text})")
    if isinstance(exc, duckdb.OutOfMemoryException):
        return f"{text}: the query needs more than [sql] memory_limit in the configuration; narrow it"
    return text
