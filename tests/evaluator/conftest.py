"""One demo data directory for the evaluator tests: `impact demo` at scale 0.25, as
tests/test_end_to_end.py runs it. Tests here only read it; the reader-loop test copies it."""

from __future__ import annotations

from pathlib import Path

import pytest
from impact_cli import impact

SCALE = 0.25
SEED = 20240401


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory) -> Path:
    data_dir = tmp_path_factory.mktemp("evaluator-demo") / "data"
    done = impact("demo", "--data-dir", str(data_dir), "--scale", str(SCALE), "--seed", str(SEED))
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    return data_dir


@pytest.fixture(scope="session")
def snapshot_path(demo_dir) -> Path:
    return demo_dir / "published" / "impact.duckdb"
