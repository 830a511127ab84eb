"""`impact run` stopped with Ctrl-C (SIGINT) at the gate of an open year, on a copy of the session's
demo with one new month. The run used to carry on as if the gate had merely failed: "ERROR", "the
gate failed for 2025-26: fix what these expectations say", the snapshot "NOT refreshed". Now it stops
there with one line and exit status 130; no gate result is recorded for the year, so the next run
gates it, refreshes the snapshot and ends where an uninterrupted run would."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from datetime import date

import duckdb
import pytest
from impact_cli import impact_paused_at, steward_env

from demo.generate import generate_spend_month

pytestmark = pytest.mark.e2e
TODAY = "2025-06-15"
OPEN = "2025-26"


def _gate_rows(data_dir) -> int:
    with duckdb.connect(str(data_dir / "warehouse" / "impact.duckdb"), read_only=True) as con:
        return con.execute("SELECT count(*) FROM gate.results WHERE reporting_year = ?", [OPEN]).fetchone()[0]


def test_ctrl_c_at_the_gate_stops_the_run_in_one_line_and_the_next_run_carries_on(demo_data_dir, tmp_path):
    demo_dir, _, scale, seed = demo_data_dir
    data_dir = tmp_path / "data"
    shutil.copytree(demo_dir, data_dir, symlinks=True)
    generate_spend_month(data_dir / "landing", date(2025, 4, 1), seed=seed, scale=scale)
    env = steward_env(TODAY)
    run = impact_paused_at("gate", data_dir, "run", env=env)
    os.kill(run.pid, signal.SIGINT)
    out, err = run.communicate(timeout=300)
    assert run.returncode == 130, out + err
    assert err.startswith(f"impact run: interrupted (Ctrl-C or a stop signal) in the gate of {OPEN} (run "), err
    assert "gate failed" not in out + err and "ERROR" not in out and "snapshot" not in out, out
    assert _gate_rows(data_dir) == 0  # nothing recorded for the interrupted gate
    again = subprocess.run([sys.executable, "-m", "cli.main", "run", "--data-dir", str(data_dir)],
                           capture_output=True, text=True, env=env, timeout=1800)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "  landing   nothing new" in again.stdout
    assert f"  gate      {OPEN} (open until 2026-06-01: provisional, checked to date): passed" in again.stdout
    assert f"  snapshot  refreshed with every year ({OPEN} provisional)" in again.stdout
    with duckdb.connect(str(data_dir / "published" / "impact.duckdb"), read_only=True) as con:
        new = con.execute("SELECT count(*) FROM marts.fct_payments WHERE payment_date >= DATE '2025-04-01'")
        assert new.fetchone()[0] > 0  # the new month reached the evaluators' snapshot
