"""One steward command that changes the warehouse at a time, per data directory.

`impact run`, `demo`, `publish` and `ingest` each hold this lock from before they look at what is
new until they end. Dagster's pool and the writers' lock already keep two writers out of the DuckDB
file at once, but a run decides its work (which landing files are new, which models and years to
build) before it waits for them: a second run that waited there would then redo the first one's
work with a stale plan ("3 new files", none loaded, every model rebuilt). Waiting here instead, it
plans once the first has finished, and finds only what is still new.

The kernel releases the lock when its process ends, however it ends (`kill -9` too): a crashed
command never leaves it held. The file names its holder, for the line a waiting command prints.
"""

from __future__ import annotations

import fcntl
import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from partnership.config import Settings
from partnership.warehouse import WarehouseBusy

WAIT_SECONDS = 3600  # longer than any full rebuild measured (3 min at demo scale 16)
POLL_SECONDS = 0.25


@contextmanager
def one_command_at_a_time(settings: Settings, command: str, say: Callable[[str], None],
                          wait_seconds: float = WAIT_SECONDS) -> Iterator[None]:
    """Hold the data directory's command lock for the block; `say` gets one line if it must wait."""
    path = settings.command_lock_path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if not _try_lock(fd):
            holder = _holder(fd)
            say(f"  waiting   for {holder} to finish (lock {path}); this {command} looks at what is new "
                "once it has")
            deadline = time.monotonic() + wait_seconds
            while not _try_lock(fd):
                if time.monotonic() > deadline:
                    raise WarehouseBusy(f"{holder} still holds {path} after {wait_seconds / 60:.0f} min; "
                                        f"nothing done: run this {command} again when it has finished "
                                        "(`impact status` shows the runs)")
                time.sleep(POLL_SECONDS)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"impact {command} (pid {os.getpid()}, started {datetime.now():%Y-%m-%d %H:%M:%S})"
                  .encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def command_running(settings: Settings) -> str | None:
    """The command holding the data directory now, as its lock file names it, without taking the lock
    (which would make a command starting now wait): None if none is, or if the one named has died
    (a `kill -9` leaves the name; the kernel has already freed the lock)."""
    try:
        text = settings.command_lock_path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None
    match = re.search(r"\(pid (\d+),", text)
    if not match:
        return None
    try:
        os.kill(int(match.group(1)), 0)
    except ProcessLookupError:
        return None
    except PermissionError:  # alive, another user's
        pass
    return text


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _holder(fd: int) -> str:
    text = os.pread(fd, 300, 0).decode(errors="replace").strip()
    return text or "another impact command"
