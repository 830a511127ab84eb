"""A reader querying the snapshot while a full pipeline run replaces it: never an error, never a
mixture of two publications, and it does see the switch (so the test can fail)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from impact_cli import steward_env
from publication_record import check_consistent

pytestmark = pytest.mark.e2e


def _read_snapshot(path: Path) -> str:
    con = duckdb.connect(str(path), read_only=True)
    try:
        run_id = check_consistent(con)
        # a query an evaluator would run, in the same connection
        assert con.execute("SELECT count(*) FROM marts.metrics WHERE value IS NOT NULL").fetchone()[0] > 0
        return run_id
    finally:
        con.close()


def _read_parquet_set(link: Path) -> str:
    folder = link.resolve(strict=True)  # what a reader who opens the link gets: one folder
    con = duckdb.connect()
    con.execute(f"SET file_search_path = '{folder}'")
    try:
        [(run_id,)] = con.execute("SELECT run_id FROM read_parquet('lineage.publication.parquet')").fetchall()
        recorded = dict(con.execute(
            "SELECT table_name, row_count FROM read_parquet('lineage.publication_tables.parquet')").fetchall())
        for name in ("marts.metrics", "marts.fct_payments", "lineage.files"):
            actual = con.execute(f"SELECT count(*) FROM read_parquet('{name}.parquet')").fetchone()[0]
            assert actual == recorded[name], (name, actual, recorded[name])
        assert run_id in (folder / "views.sql").read_text()
        return run_id
    finally:
        con.close()


def test_a_reader_loop_sees_whole_publications_during_a_full_run(demo_dir, tmp_path):
    data_dir = tmp_path / "data"
    shutil.copytree(demo_dir, data_dir, symlinks=True)
    snapshot, link = data_dir / "published" / "impact.duckdb", data_dir / "published" / "parquet"
    first = _read_snapshot(snapshot)
    env = steward_env()
    log = tmp_path / "run.log"  # a file, not a pipe: nobody reads a pipe during the loop, so it would fill
    with log.open("w") as sink:
        # --rebuild: the copied data directory has nothing new, and the run must replace the snapshot
        run = subprocess.Popen([sys.executable, "-m", "cli.main", "run", "--rebuild",
                                "--data-dir", str(data_dir)],
                               stdout=sink, stderr=subprocess.STDOUT, text=True, env=env)
    seen, parquet_seen, reads = [first], [], 0
    try:
        while run.poll() is None:
            seen.append(_read_snapshot(snapshot))
            parquet_seen.append(_read_parquet_set(link))
            reads += 1
            time.sleep(0.2)
        output = log.read_text()
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 0, output[-4000:]
    seen.append(_read_snapshot(snapshot))
    parquet_seen.append(_read_parquet_set(link))
    switches = [(a, b) for a, b in zip(seen, seen[1:], strict=False) if a != b]
    assert reads > 20
    assert len(switches) == 1 and switches[0][0] == first, switches  # old, then new: one switch
    assert seen[-1] != first and parquet_seen[-1] == seen[-1]
    assert set(parquet_seen) <= {first, seen[-1]}
