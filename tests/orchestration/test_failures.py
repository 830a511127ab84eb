"""Machine errors in one line: a full disk and a refused write name the path and what to do."""

from __future__ import annotations

import errno

import pytest

from orchestration.failures import explain, explain_text


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
    duck = explain_text("IO Error: Could not write file \"/srv/impact/warehouse/impact.duckdb.wal\": "
                        "No space left on device", settings)
    assert "/srv/impact/warehouse/impact.duckdb.wal" in duck


def test_a_refused_write_names_the_path_and_the_user(settings):
    refused = PermissionError(errno.EACCES, "Permission denied", "/srv/impact/exports/2024-25")
    text = explain(refused, settings)
    assert text.startswith("no permission to write /srv/impact/exports/2024-25")
    assert "writable for user" in text and "--data-dir" in text
    assert explain(ValueError("something else"), settings) is None
