"""The command line's console: one line per stage for people; Dagster's and dbt's own output goes
to a log file under the data directory (`logs/`), whose path is printed. `--verbose` prints it all.

Assets report progress through `progress()` and `done()`; outside the command line (the Dagster UI,
schedules, the daemon) nobody is listening and both do nothing. On a terminal, progress updates
one line in place; into a pipe or file, only each stage's final line is written.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

KEEP_LOGS = 30


class Console:
    def __init__(self, stream: TextIO, *, live: bool) -> None:
        self.stream, self.live = stream, live
        self.log_path: Path | None = None
        self._pending = False  # a progress line is on screen, not yet ended

    def _write(self, text: str, *, end: str) -> None:
        if self._pending:
            self.stream.write("\r\033[K")
        self.stream.write(text + end)
        self.stream.flush()
        self._pending = end == ""

    def line(self, text: str = "") -> None:
        self._write(text, end="\n")

    def progress(self, stage: str, text: str) -> None:
        if self.live:
            self._write(f"  {stage:<9} {text}"[:150], end="")

    def done(self, stage: str, text: str, seconds: float | None = None) -> None:
        took = f" ({seconds:.1f} s)" if seconds is not None else ""
        self._write(f"  {stage:<9} {text}{took}", end="\n")


_current: Console | None = None


def progress(stage: str, text: str) -> None:
    if _current is not None:
        _current.progress(stage, text)


def done(stage: str, text: str, seconds: float | None = None) -> None:
    if _current is not None:
        _current.done(stage, text, seconds)


def line(text: str = "") -> None:
    if _current is not None:
        _current.line(text)


def current() -> Console | None:
    return _current


def new_log_path(logs_dir: Path, command: str) -> Path:
    logs_dir.mkdir(parents=True, exist_ok=True)
    old = sorted(logs_dir.glob("impact-*.log"))
    for stale in old[:max(0, len(old) - KEEP_LOGS + 1)]:
        stale.unlink(missing_ok=True)
    return logs_dir / f"impact-{command}-{dt.datetime.now():%Y%m%d-%H%M%S}.log"


@contextmanager
def session(log_path: Path | None, *, verbose: bool) -> Iterator[Console]:
    """Route everything written to stdout/stderr (this process and its children) to the log file,
    keeping the terminal for the console; with `verbose`, leave both on the terminal."""
    global _current
    sys.stdout.flush()
    sys.stderr.flush()
    if verbose or log_path is None:
        _current = Console(sys.stdout, live=False)
        try:
            yield _current
        finally:
            _current = None
        return
    terminal_fd = os.dup(1)
    saved_err = os.dup(2)
    log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    terminal = os.fdopen(terminal_fd, "w", buffering=1, encoding="utf-8", errors="replace")
    _current = Console(terminal, live=terminal.isatty())
    _current.log_path = log_path
    os.dup2(log_fd, 1)
    os.dup2(log_fd, 2)
    try:
        yield _current
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(terminal_fd, 1)
        os.dup2(saved_err, 2)
        os.close(log_fd)
        os.close(saved_err)
        terminal.flush()
        _current = None
        terminal.close()
