"""Errors from the machine, said in one line a steward can act on: a full disk or a permission
problem names the path and what to do, instead of a traceback ("disk I/O error" from SQLite
never says the disk is full)."""

from __future__ import annotations

import errno
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

from partnership.config import Settings

DISK_FULL = {errno.ENOSPC, errno.EDQUOT}
NO_PERMISSION = {errno.EACCES, errno.EPERM, errno.EROFS}
_FULL_WORDS = ("no space left on device", "database or disk is full", "disk quota exceeded")
_PERMISSION_WORDS = ("permission denied", "read-only file system", "attempt to write a readonly database")
_PATH = re.compile(r"""(?:^|[\s'"(])(/[^\s'"():]+)""")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and every cause or context behind it, each once."""
    seen: set[int] = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        yield link
        link = link.__cause__ or link.__context__


def _free(path: Path) -> str:
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        return f"{shutil.disk_usage(probe).free / 1e6:,.0f} MB free"
    except OSError:
        return "free space unknown"


def _path_in(text: str, default: Path) -> Path:
    """The first absolute path in an error message that lies on this machine (not a URL's)."""
    for match in _PATH.finditer(text):
        path = Path(match.group(1).rstrip(".,;"))
        if len(path.parts) > 1 and Path(path.anchor, path.parts[1]).exists():
            return path
    return default


def disk_full(path: Path, settings: Settings) -> str:
    return (f"the disk is full writing {path} ({_free(path)}): free space on that disk, e.g. old pack "
            f"revisions under {settings.exports_dir}, old logs under {settings.logs_dir}, or run history "
            f"under {settings.dagster_home / 'history'}; then run the command again. Nothing was published.")


def no_permission(path: Path) -> str:
    return (f"no permission to write {path}: make it (and its folder) writable for user "
            f"{_user()}, or use a data directory you own (--data-dir); then run the command again.")


def _user() -> str:
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):
        return str(os.getuid())


def explain(exc: BaseException, settings: Settings) -> str | None:
    """The one-line explanation of a machine error anywhere in `exc`'s chain, or None."""
    for error in _chain(exc):
        if isinstance(error, OSError) and error.errno in DISK_FULL | NO_PERMISSION:
            path = Path(error.filename) if error.filename else settings.data_dir
            return disk_full(path, settings) if error.errno in DISK_FULL else no_permission(path)
        text = explain_text(str(error), settings)
        if text:
            return text
    return None


def explain_text(text: str, settings: Settings) -> str | None:
    """The same, from an error's message (a failed Dagster step reports text, not the exception)."""
    lower = text.lower()
    if "database or disk is full" in lower or "disk i/o error" in lower:  # SQLite: Dagster's run history
        return disk_full(settings.dagster_home, settings)
    if any(word in lower for word in _FULL_WORDS):
        return disk_full(_path_in(text, settings.data_dir), settings)
    if "attempt to write a readonly database" in lower:
        return no_permission(settings.dagster_home)
    if any(word in lower for word in _PERMISSION_WORDS):
        return no_permission(_path_in(text, settings.data_dir))
    return None
