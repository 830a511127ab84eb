"""Every documented way into the snapshot reads only: `impact sql`, Python's read-only connection,
the DuckDB CLI and R (the last two when installed). A refused write leaves the file unchanged."""

from __future__ import annotations

import hashlib
import shutil
import subprocess

import duckdb
import pytest
from impact_cli import impact

pytestmark = pytest.mark.e2e


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_impact_sql_answers_a_query(demo_dir):
    done = impact("sql", "--data-dir", str(demo_dir), "--csv",
                  "SELECT metric_id, value FROM marts.metrics WHERE metric_id = 'FE01' "
                  "AND geography_level = 'county' AND reporting_year = '2024-25'")
    assert done.returncode == 0, done.stderr
    header, row = done.stdout.strip().splitlines()
    assert header == "metric_id,value" and row.startswith("FE01,") and float(row.split(",")[1]) > 0


@pytest.mark.parametrize("statement", [
    "CREATE TABLE marts.x (a INTEGER)",
    "INSERT INTO marts.dim_districts SELECT * FROM marts.dim_districts",
    "UPDATE marts.metrics SET value = 0",
    "DELETE FROM marts.metrics",
    "DROP TABLE marts.metrics",
    "ALTER TABLE marts.metrics ADD COLUMN sneaky INTEGER",
    "ATTACH '{tmp}/other.duckdb' AS other",
    "COPY marts.metrics TO '{tmp}/metrics.csv'",
    "EXPORT DATABASE '{tmp}/export'",
    "SET enable_external_access = true",
])
def test_impact_sql_refuses_every_write(demo_dir, snapshot_path, tmp_path, statement):
    before = _digest(snapshot_path)
    done = impact("sql", "--data-dir", str(demo_dir), statement.format(tmp=tmp_path))
    assert done.returncode == 1
    assert "impact sql: refused" in done.stderr, done.stderr
    assert _digest(snapshot_path) == before
    assert list(tmp_path.iterdir()) == []  # no file written anywhere


def test_python_read_only_connection_refuses_writes(snapshot_path):
    before = _digest(snapshot_path)
    con = duckdb.connect(str(snapshot_path), read_only=True)  # as docs/evaluator-guide.md says
    try:
        for statement in ("CREATE TABLE marts.x (a INTEGER)", "UPDATE marts.metrics SET value = 0",
                          "DELETE FROM marts.metrics", "DROP TABLE marts.metrics",
                          f"ATTACH '{snapshot_path}' AS again (READ_WRITE)"):
            with pytest.raises(duckdb.Error):
                con.execute(statement)
    finally:
        con.close()
    assert _digest(snapshot_path) == before


def test_duckdb_cli_read_only_refuses_writes(snapshot_path):
    cli = shutil.which("duckdb")
    if not cli:
        pytest.skip("DuckDB CLI not installed (https://duckdb.org/docs/installation)")
    done = subprocess.run([cli, "-readonly", str(snapshot_path), "-c", "CREATE TABLE marts.x (a INTEGER)"],
                          capture_output=True, text=True, timeout=60)
    assert "read-only" in (done.stdout + done.stderr)


def test_r_read_only_connection_refuses_writes(snapshot_path):
    rscript = shutil.which("Rscript")
    if not rscript:
        pytest.skip("R not installed: the R connection string is documented, not tested")
    code = (f'con <- DBI::dbConnect(duckdb::duckdb(), "{snapshot_path}", read_only = TRUE); '
            'r <- tryCatch({DBI::dbExecute(con, "CREATE TABLE marts.x (a INTEGER)"); "written"}, '
            'error = function(e) "refused"); cat(r)')
    done = subprocess.run([rscript, "-e", code], capture_output=True, text=True, timeout=120)
    if "there is no package" in done.stderr:
        pytest.skip("R package duckdb not installed")
    assert done.stdout.strip().endswith("refused")
