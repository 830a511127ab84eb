"""Overlap the stages of a large load, each on its own thread: while the writer stages batch k
(BackgroundWriter: Polars writes it as Parquet, off the GIL; ingest/staging.py), Polars conforms
batch k+1 and the reader reads batch k+2 (read_ahead; Polars releases the GIL while it parses).
Each queue holds at most one batch waiting, so memory stays bounded; an error in the reader or the
writer is raised in the caller, so the file's transaction still rolls back as a whole.

While a file loads (`load_settings`), DuckDB:
- runs on one thread while the batches stream (it only writes quarantine rows and checks keys
  then), and on the connection's own threads for the one insert of the staged rows (`every_core`),
  with INSERT_MEMORY_LIMIT: DuckDB's insert that keeps the file's order runs its threads in
  parallel only with room for their row groups (at 256MB it ran on one thread);
- keeps at most LOAD_MEMORY_LIMIT in its buffer pool. The file's rows go to the database file as
  they are inserted (DuckDB writes a large transaction's row groups optimistically), but the
  buffer pool keeps every block it wrote cached, up to the instance's limit (80% of RAM by
  default), so without a limit the memory grows with the file (~17 bytes a row).
The connection's own settings are restored after the file.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

import duckdb

_DONE = object()


class BackgroundWriter:
    def __init__(self, write: Callable[..., None], depth: int = 1) -> None:
        self._write = write
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="duckdb-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (item := self._queue.get()) is not _DONE:
            if self._error is None:
                try:
                    self._write(*item)
                except BaseException as exc:  # handed to the caller in submit()/close()
                    self._error = exc

    def submit(self, *args) -> None:
        if self._error is not None:
            self.close()
        self._queue.put(args)

    def close(self) -> None:
        """Wait for every submitted write; raise the first write error, if any."""
        if self._thread.is_alive():
            self._queue.put(_DONE)
            self._thread.join()
        if self._error is not None:
            error, self._error = self._error, None
            raise error


LOAD_MEMORY_LIMIT = "256MB"  # DuckDB's share of the ingest's < 1 GiB while Polars holds batches
INSERT_MEMORY_LIMIT = "512MB"  # while DuckDB inserts the staged rows (Polars holds nothing then)


@contextmanager
def read_ahead(batches: Iterable, depth: int = 1) -> Iterator[Iterator]:
    """`with read_ahead(reader) as batches:` the reader runs on its own thread, at most `depth`
    batches ahead; its error is raised in the consumer; leaving the block stops it."""
    items: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(entry: tuple) -> bool:
        while not stop.is_set():
            try:
                items.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        iterator = iter(batches)
        try:
            for item in iterator:
                if not put((True, item)):
                    break
            else:
                put((False, None))
        except BaseException as exc:  # handed to the consumer
            put((False, exc))
        finally:
            getattr(iterator, "close", lambda: None)()

    def consume() -> Iterator:
        while True:
            more, item = items.get()
            if not more:
                if item is not None:
                    raise item
                return
            yield item

    thread = threading.Thread(target=produce, name="reader", daemon=True)
    thread.start()
    try:
        yield consume()
    finally:
        stop.set()
        thread.join()


@contextmanager
def load_settings(con: duckdb.DuckDBPyConnection) -> Iterator[int]:
    """DuckDB on one thread and within LOAD_MEMORY_LIMIT while a file loads; then as it was.
    Yields the connection's own thread count (for `every_core`)."""
    before = _settings(con)
    con.execute(f"SET threads = 1; SET memory_limit = '{LOAD_MEMORY_LIMIT}'")
    try:
        yield int(before[0])
    finally:
        con.execute("RESET threads; RESET memory_limit")  # exact when they were the defaults
        if _settings(con) != before:
            con.execute(f"SET threads = {int(before[0])}")
            con.execute("SET memory_limit = ?", [before[1]])


@contextmanager
def every_core(con: duckdb.DuckDBPyConnection, threads: int) -> Iterator[None]:
    """Inside load_settings: DuckDB on the connection's own `threads` and INSERT_MEMORY_LIMIT (one
    statement: the insert of the staged rows), then back to the load's settings."""
    con.execute(f"SET threads = {int(threads)}; SET memory_limit = '{INSERT_MEMORY_LIMIT}'")
    try:
        yield
    finally:
        con.execute(f"SET threads = 1; SET memory_limit = '{LOAD_MEMORY_LIMIT}'")


def _settings(con: duckdb.DuckDBPyConnection) -> tuple[str, str]:
    threads, memory_limit = con.execute(
        "SELECT current_setting('threads'), current_setting('memory_limit')").fetchall()[0]  # always one row
    return threads, memory_limit
