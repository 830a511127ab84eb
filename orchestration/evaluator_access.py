"""How `impact sql` opens the published snapshot: read-only, and with no access to other files.

Read-only mode refuses every write to the snapshot (CREATE, INSERT, UPDATE, DELETE, ALTER, DROP).
DuckDB would still let a read-only connection write *other* files (COPY ... TO, ATTACH of a new
database, EXPORT DATABASE) and install extensions, so `impact sql` also turns external access off
and locks the configuration: it reads the snapshot and nothing else. Analysts who want the Parquet
copies or their own exports use DuckDB directly (docs/evaluator-guide.md)."""

from __future__ import annotations

from pathlib import Path

import duckdb

QUERY_CONFIG = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "lock_configuration": True,
}

REFUSED_MARKERS = ("read-only", "read_only", "external access", "disabled by configuration",
                   "lock_configuration", "cannot change configuration", "permission")


def open_for_query(path: Path) -> duckdb.DuckDBPyConnection:
    """The snapshot, read-only, isolated from the file system."""
    if not path.exists():
        raise FileNotFoundError(f"no published snapshot at {path}: run `impact demo` or `impact run` first")
    return duckdb.connect(str(path), read_only=True, config=QUERY_CONFIG)


def explain_error(exc: Exception) -> str:
    """The error as `impact sql` prints it: a refused write says so plainly."""
    text = str(exc)
    if any(marker in text.lower() for marker in REFUSED_MARKERS):
        return ("refused: `impact sql` reads the published snapshot only; it writes neither to it "
                f"nor to any other file ({text})")
    return text
