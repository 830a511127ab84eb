"""Fixtures for the dbt project tests: a hand-made raw warehouse in a temporary directory and a
`dbt build` of the project against it (subprocess, own target and log paths)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from dbt_fixture_rows import RAW_ROWS
from dbt_raw_warehouse import create_raw_warehouse

PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
DBT = Path(sys.executable).parent / "dbt"


def run_dbt(work_dir: Path, warehouse: Path, *args: str, variables: dict | None = None):
    """Run a dbt command on `warehouse`, with target and logs inside `work_dir`."""
    command = [
        str(DBT),
        *args,
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
        "--target-path",
        str(work_dir / "target"),
        "--log-path",
        str(work_dir / "logs"),
    ]
    if variables:
        command += ["--vars", json.dumps(variables)]
    env = {**os.environ, "IMPACT_WAREHOUSE_PATH": str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    return subprocess.run(command, env=env, cwd=work_dir, capture_output=True, text=True, timeout=300)


def build(work_dir: Path, rows: dict, variables: dict | None = None) -> Path:
    work_dir.mkdir(parents=True, exist_ok=True)
    warehouse = work_dir / "impact.duckdb"
    create_raw_warehouse(warehouse, rows)
    result = run_dbt(work_dir, warehouse, "build", variables=variables)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    return warehouse


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("dbt_fixture"), RAW_ROWS)
