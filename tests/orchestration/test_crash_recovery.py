"""Fault injection: `impact run` killed (SIGKILL to its process group, dbt's subprocess included)
at each stage of its work. After every kill the published snapshot is one whole publication, the
next `impact run` marks the dead run failed, frees its writer slot, completes, and publishes the
same metrics and pack content as a run that was never interrupted; no partial pack folder stays.

The kill lands deterministically through the documented hook IMPACT_PAUSE_AT (orchestration/
faults.py): the run writes `paused-at-<stage>` into the data directory and waits there."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest
from impact_cli import impact_paused_at, steward_env
from publication_record import check_consistent

from demo.generate import generate_spend_month
from orchestration.faults import POINTS
from orchestration.fingerprints import SIGNIFICANT_DIGITS

pytestmark = pytest.mark.e2e
YEAR = "2024-25"  # closed on TODAY; its pack is what the runs write
TODAY = "2025-06-15"  # 2025-26 is open: the new month is gated to date and published as provisional


def _env(**extra: str) -> dict[str, str]:
    return steward_env(today=TODAY) | extra


def _run(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cli.main", "run", "--data-dir", str(data_dir), *args],
                          capture_output=True, text=True, env=_env(), timeout=1800)


def _metrics(data_dir: Path) -> list[tuple]:
    con = duckdb.connect(str(data_dir / "published" / "impact.duckdb"), read_only=True)
    try:
        check_consistent(con)
        rows = con.execute("SELECT * FROM marts.metrics ORDER BY ALL").fetchall()
    finally:
        con.close()
    # a parallel sum may differ in its last bits from one build of the same rows to the next: compared
    # as the fingerprints compare them
    return [tuple(float(f"{v:.{SIGNIFICANT_DIGITS}g}") if isinstance(v, float) else v for v in row) for row in rows]


def _latest_pack(data_dir: Path) -> dict:
    revisions = sorted((data_dir / "exports" / YEAR).glob("r[0-9]*"))
    return json.loads((revisions[-1] / "manifest.json").read_text())


@pytest.fixture(scope="module")
def prepared(demo_data_dir, tmp_path_factory):
    """The session's demo on TODAY, with one new month of spend (2025-26, open) just dropped in and
    2024-25's pack not yet written; and what an uninterrupted `impact run --year 2024-25` makes of
    it (every stage runs: ingest, dbt, gate, snapshot and Parquet swaps, pack)."""
    demo_dir, _, scale, seed = demo_data_dir
    root = tmp_path_factory.mktemp("crash")
    source = root / "prepared"
    shutil.copytree(demo_dir, source, symlinks=True)
    settle = _run(source)  # the date moved: the open year's state is redone once, here
    assert settle.returncode == 0, settle.stdout + settle.stderr
    generate_spend_month(source / "landing", date(2025, 4, 1), seed=seed, scale=scale)
    shutil.rmtree(source / "exports" / YEAR)
    reference = root / "reference"
    shutil.copytree(source, reference, symlinks=True)
    done = _run(reference, "--year", YEAR)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "r001 written" in done.stdout and "models downstream of" in done.stdout, done.stdout
    return source, _metrics(reference), _latest_pack(reference)["content_sha256"]


@pytest.mark.parametrize("stage", POINTS)
def test_a_run_killed_at_any_stage_is_recovered_by_the_next_run(stage, prepared, tmp_path):
    source, reference_metrics, reference_pack = prepared
    data_dir = tmp_path / "data"
    shutil.copytree(source, data_dir, symlinks=True)
    before = _metrics(data_dir)
    killed = impact_paused_at(stage, data_dir, "run", "--year", YEAR, env=_env(), log=tmp_path / "killed.log",
                              timeout=600)
    os.killpg(killed.pid, signal.SIGKILL)
    killed.wait(30)

    assert _metrics(data_dir) in (before, reference_metrics)  # one whole publication, old or new

    again = _run(data_dir, "--year", YEAR)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "recovery  run" in again.stdout and "marked failed" in again.stdout, again.stdout
    assert _metrics(data_dir) == reference_metrics
    assert _latest_pack(data_dir)["content_sha256"] == reference_pack
    assert not list((data_dir / "exports").glob("*/.partial-*"))
    assert not list((data_dir / "published").glob(".impact.duckdb.*.tmp"))
    link = (data_dir / "published" / "parquet").resolve()
    con = duckdb.connect(str(data_dir / "published" / "impact.duckdb"), read_only=True)
    assert con.execute("SELECT run_id FROM lineage.publication").fetchone()[0] in (link / "views.sql").read_text()
    con.close()
