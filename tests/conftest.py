"""Shared fixtures: every test works in its own temporary data directory."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from impact_cli import steward_env

SHARED_REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"


@pytest.fixture
def settings(tmp_path, monkeypatch):
    """Settings for a fresh data directory; the test key stands in for the steward's secret."""
    from partnership.config import load_settings

    monkeypatch.setenv("IMPACT_PSEUDONYMISATION_KEY", "test-key-0123456789abcdef")
    monkeypatch.delenv("IMPACT_DATA_DIR", raising=False)
    return load_settings(data_dir=tmp_path / "data")


@pytest.fixture
def real_data() -> Path:
    if not SHARED_REAL.exists():
        pytest.skip(f"real public files not present at {SHARED_REAL}")
    return SHARED_REAL


DEMO_SCALE = 0.25
DEMO_SEED = 20240401


@pytest.fixture(scope="session")
def demo_data_dir(tmp_path_factory) -> tuple[Path, str, float, int]:
    """`impact demo` once per session at a quarter of the demo's size: (data dir, its stdout,
    scale, seed).
    Tests read what it wrote and never write into it."""
    data_dir = tmp_path_factory.mktemp("demo") / "data"
    env = steward_env()
    done = subprocess.run(
        [sys.executable, "-m", "cli.main", "demo", "--data-dir", str(data_dir),
         "--scale", str(DEMO_SCALE), "--seed", str(DEMO_SEED)],
        capture_output=True, text=True, env=env, timeout=1800,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    return data_dir, done.stdout, DEMO_SCALE, DEMO_SEED
