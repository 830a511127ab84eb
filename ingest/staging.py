"""A file's conformed rows on their way into a raw table: Parquet in a staging folder beside the
database file, then one INSERT ... SELECT that DuckDB runs on every core, inside the file's
transaction (so a file that fails still leaves nothing behind).

Why not insert each batch as it is conformed: an insert of one batch (about one DuckDB row group)
runs on one thread, and appending and compressing the strings is most of an ingest's CPU (about
1 µs a row for a spend file, 6 CPU-seconds for 5,000,000 rows); that one writer thread was the
ingest's critical path while the conform waited for it. Polars writes a batch of Parquet in a few
milliseconds off the GIL; DuckDB then reads the staged files in parallel and writes whole row
groups on every thread.

Row groups are aligned: every staged file holds whole DuckDB row groups (ROW_GROUP_ROWS rows, the
remainder waits for the next batch), so DuckDB's ordered parallel insert writes each row group
once, in file order. With row groups cut at arbitrary batch sizes it merged and rewrote them
(twice the CPU, and seconds of checkpoint when the database closed).

The folder is `<database>.staging/<load id>-<8 hex>/` beside the database file, one per table of
the file (a temporary folder for an in-memory database). It is removed when the table is written or
the load fails; a folder left by a process that died is removed by the next load (one writer at a
time: partnership/warehouse.py).
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from pathlib import Path

import duckdb
import polars as pl

ROW_GROUP_ROWS = 122_880  # DuckDB's row group size


def staging_root(con: duckdb.DuckDBPyConnection) -> Path | None:
    """`<database>.staging` beside the database file; None for an in-memory database."""
    row = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    if not row or not row[0]:
        return None
    database = Path(row[0])
    return database.with_name(database.name.removesuffix(".duckdb") + ".staging")


def remove_leftovers(con: duckdb.DuckDBPyConnection) -> None:
    """Staging folders of loads whose process died (their rows were never committed)."""
    root = staging_root(con)
    if root is not None and root.is_dir():
        shutil.rmtree(root, ignore_errors=True)


class Staging:
    """The staged Parquet files of one raw table of one file, in file order."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=False)
        self.folder = folder
        self.files: list[Path] = []
        self._carry: pl.DataFrame | None = None

    @classmethod
    def open(cls, con: duckdb.DuckDBPyConnection, name: str) -> Staging:
        root = staging_root(con)
        if root is None:
            return cls(Path(tempfile.mkdtemp(prefix="impact-staging-")) / name)  # removed by close()
        return cls(root / name)

    def add(self, rows: pl.DataFrame) -> None:
        """Stage a batch: whole row groups now, the remainder with the next batch."""
        carry = rows if self._carry is None else pl.concat([self._carry, rows], how="vertical")
        whole = carry.height // ROW_GROUP_ROWS * ROW_GROUP_ROWS
        if whole:
            self._write(carry.slice(0, whole))
        self._carry = carry.slice(whole)

    def _write(self, frame: pl.DataFrame) -> None:
        path = self.folder / f"{len(self.files):06d}.parquet"
        frame.write_parquet(path, compression="lz4", statistics=False, row_group_size=ROW_GROUP_ROWS)
        self.files.append(path)

    def rows_so_far(self, con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyRelation | None:
        """Every row staged so far, the remainder still held included without writing it out (so
        the key checks of each batch leave every staged file whole row groups), or None."""
        parts = [con.read_parquet([str(f) for f in self.files])] if self.files else []
        if self._carry is not None and self._carry.height:
            parts.append(con.from_arrow(self._carry))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else parts[0].union(parts[1])

    def staged(self, con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyRelation | None:
        """Every row staged, the remainder written out first (the table's rows are all read), or None."""
        if self._carry is not None and self._carry.height:
            self._write(self._carry)
            self._carry = None
        return con.read_parquet([str(f) for f in self.files]) if self.files else None

    def close(self) -> None:
        """Remove the staged files (and the staging folder, once empty)."""
        self._carry = None
        shutil.rmtree(self.folder, ignore_errors=True)
        with contextlib.suppress(OSError):
            self.folder.parent.rmdir()
