"""Access to the working DuckDB file: one writer at a time, across processes.

Inside Dagster every writing asset is also in the `duckdb_writer` pool (limit 1, set in the
instance's dagster.yaml); the file lock covers writers outside Dagster, such as `impact ingest`.
Evaluators never open this file: they read the published snapshot.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import duckdb
from filelock import FileLock, Timeout

from partnership.config import Settings

WRITER_POOL = "duckdb_writer"
LOCK_TIMEOUT_SECONDS = 600


class WarehouseBusy(RuntimeError):
    """Another writer held the warehouse for longer than we were willing to wait."""


# (lock path, thread) pairs holding the lock now: a thread asking again would wait for itself.
_HELD: set[tuple[str, int]] = set()


@contextmanager
def writer_lock(settings: Settings, timeout: float = LOCK_TIMEOUT_SECONDS) -> Iterator[None]:
    settings.lock_path.parent.mkdir(parents=True, exist_ok=True)
    holder = (str(settings.lock_path), threading.get_ident())
    if holder in _HELD:
        # A step Dagster stopped mid-stream (e.g. dbt's events out of the asset graph's order) keeps
        # its lock until its generator is collected: waiting here would hang the run for `timeout`.
        raise WarehouseBusy(f"this thread already holds the writers' lock {settings.lock_path} (a step that "
                            "stopped part-way has not released it); not waiting for itself")
    lock = FileLock(str(settings.lock_path))
    try:
        lock.acquire(timeout=timeout)
    except Timeout as exc:
        raise WarehouseBusy(
            f"another process is writing {settings.warehouse_path} (lock {settings.lock_path}); "
            f"waited {timeout:.0f}s. Try again when the running pipeline has finished."
        ) from exc
    _HELD.add(holder)
    try:
        yield
    finally:
        _HELD.discard(holder)
        lock.release()


@contextmanager
def write_connection(settings: Settings, *, lock_held: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """The only way this product opens the working database for writing (`lock_held`: the caller
    already holds the writers' lock, e.g. around a dbt build)."""
    with nullcontext() if lock_held else writer_lock(settings):
        settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(settings.warehouse_path))
        try:
            yield con
        finally:
            con.close()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """One DuckDB transaction: committed when the block completes, rolled back when it raises, so a
    table being replaced is never seen half-written."""
    con.execute("begin transaction")
    try:
        yield con
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


def read_snapshot(path: Path) -> duckdb.DuckDBPyConnection:
    """Open the published snapshot read-only (as every evaluator tool must)."""
    if not path.exists():
        raise FileNotFoundError(f"no published snapshot at {path}: run `impact demo` or `impact run` first")
    return duckdb.connect(str(path), read_only=True)
