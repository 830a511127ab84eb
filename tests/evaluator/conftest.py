"""The evaluator tests read the session's demo data directory (tests/conftest.py: `impact demo`
at scale 0.25, shared with the end-to-end and pack tests). Tests here only read it; the
reader-loop test copies it."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def demo_dir(demo_data_dir) -> Path:
    return demo_data_dir[0]


@pytest.fixture(scope="session")
def snapshot_path(demo_dir) -> Path:
    return demo_dir / "published" / "impact.duckdb"
