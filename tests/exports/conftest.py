"""Fixtures for the pack tests; the snapshots themselves are built in pack_snapshot.py and
report_snapshot.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from pack_snapshot import YEAR, build_snapshot
from report_snapshot import build_report_snapshot

from exports.pack import PackResult, write_pack


@pytest.fixture
def snapshot(tmp_path: Path) -> Path:
    return build_snapshot(tmp_path / "published.duckdb")


@pytest.fixture(scope="module")
def report_pack(tmp_path_factory: pytest.TempPathFactory) -> PackResult:
    """One pack written from the two-year snapshot, shared by the report tests (read only)."""
    folder = tmp_path_factory.mktemp("report")
    snapshot = build_report_snapshot(folder / "published.duckdb")
    return write_pack(snapshot, YEAR, folder / "exports",
                      partnership_name="Oxfordshire Inclusive Economy Partnership",
                      run_id="run-1", code_version="abc123")
