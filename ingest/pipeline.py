"""Overlap the two halves of a large load: while DuckDB writes batch k (on a worker thread; DuckDB
releases the GIL), Polars reads and conforms batch k+1. The queue holds at most one batch waiting,
so memory stays bounded; a write error is raised in the caller, so the file's transaction still
rolls back as a whole."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

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
