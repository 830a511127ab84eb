"""Machine errors in one line: a full disk and a refused write name the path and what to do."""

from __future__ import annotations

import errno

import pytest

from cli.failures import explain, explain_text


def _error_writing(path: str) -> OSError:
    try:
        with open(path, "wb") as handle:
            handle.write(b"x" * 4096)
            handle.flush()
    except OSError as exc:
        return exc
    pytest.skip(f"writing {path} did not fail here")


def test_a_full_disk_is_named_with_what_to_free(settings):
    full = _error_writing("/dev/full")  # the kernel's always-full device
    assert full.errno == errno.ENOSPC
    wrapped = RuntimeError("a step failed")
    wrapped.__cause__ = full
    text = explain(wrapped, settings)
    assert text.startswith(f"the disk is full writing {settings.data_dir}")
    assert "MB free" in text and str(settings.exports_dir) in text and "Nothing was published" in text
    sqlite = explain_text("(sqlite3.OperationalError) database or disk is full", settings)
    assert sqlite and "the disk is full" in sqlite
    assert "the disk is full" in explain_text("(sqlite3.OperationalError) disk I/O error", settings)
    assert str(settings.dagster_home) in explain_text("disk I/O error", settings)
    wal = settings.data_dir / "warehouse" / "impact.duckdb.wal"
    duck = explain_text(f'IO Error: Could not write file "{wal}": No space left on device', settings)
    assert duck.startswith(f"the disk is full writing {wal} (")
    url = explain_text("(sqlite3.OperationalError) database or disk is full (Background on this error at: "
                       "https://sqlalche.me/e/20/e3q8)", settings)
    assert url.startswith(f"the disk is full writing {settings.dagster_home} (")


def test_a_refused_write_names_the_path_and_the_user(settings):
    refused = _error_writing("/sys/kernel/notes")  # refused even to root
    assert isinstance(refused, PermissionError)
    text = explain(refused, settings)
    assert text.startswith("no permission to write /sys/kernel/notes")
    assert "writable for user" in text and "--data-dir" in text
    assert explain(ValueError("something else"), settings) is None
