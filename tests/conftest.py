"""Shared fixtures: every test works in its own temporary data directory."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"


@pytest.fixture
def settings(tmp_path, monkeypatch):
    """Settings for a fresh data directory; the test key stands in for the steward's secret."""
    from orchestration.config import load_settings

    monkeypatch.setenv("IMPACT_PSEUDONYMISATION_KEY", "test-key-0123456789abcdef")
    monkeypatch.delenv("IMPACT_DATA_DIR", raising=False)
    return load_settings(data_dir=tmp_path / "data")


@pytest.fixture
def real_data() -> Path:
    if not SHARED_REAL.exists():
        pytest.skip(f"real public files not present at {SHARED_REAL}")
    return SHARED_REAL
