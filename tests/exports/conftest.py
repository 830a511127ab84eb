"""Fixtures for the pack tests; the snapshot itself is built in pack_snapshot.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from pack_snapshot import build_snapshot


@pytest.fixture
def snapshot(tmp_path: Path) -> Path:
    return build_snapshot(tmp_path / "published.duckdb")
