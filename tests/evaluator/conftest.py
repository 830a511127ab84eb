"""One demo data directory for the evaluator tests: `impact demo` at scale 0.25, as
tests/test_end_to_end.py runs it. Tests here only read it; the reader-loop test copies it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCALE = 0.25
SEED = 20240401
YEAR = "2024-25"
COUNTY = "E10000025"


def impact(*args: str, timeout: float = 1800) -> subprocess.CompletedProcess:
    """The `impact` command as a steward runs it, in a clean environment."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("IMPACT_DATA_DIR", "IMPACT_PSEUDONYMISATION_KEY", "DAGSTER_HOME")}
    return subprocess.run([sys.executable, "-m", "orchestration.cli", *args],
                          capture_output=True, text=True, env=env, timeout=timeout)


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory) -> Path:
    data_dir = tmp_path_factory.mktemp("evaluator-demo") / "data"
    done = impact("demo", "--data-dir", str(data_dir), "--scale", str(SCALE), "--seed", str(SEED))
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    return data_dir


@pytest.fixture(scope="session")
def snapshot_path(demo_dir) -> Path:
    return demo_dir / "published" / "impact.duckdb"
