"""Two steward commands on one data directory at once: the second waits for the first, says whom it
waits for, and then looks at what is new, so it never redoes the first one's work from a stale plan.
A holder killed with SIGKILL frees the lock at once; one that never ends is given up on, naming it.

The runs are real `impact` processes on a copy of the session's demo; the holders are real processes
holding the lock (partnership/command_lock.py)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest
from impact_cli import steward_env

from demo.generate import generate_spend_month
from partnership.command_lock import command_running, one_command_at_a_time
from partnership.config import load_settings
from partnership.warehouse import WarehouseBusy

TODAY = "2025-06-15"  # 2025-26 is open: a month of April 2025 is its first
KEY = "test-key-0123456789abcdef"
APRIL = ("Body Name,Organisational Unit,Expenditure Category,Paid Date,Trans No,Amount,Type,Supplier ID,"
         "Supplier Name\nOxfordshire County Council,Adult Care,Care homes,03/04/2024,T1,\"£1,234.56\",Revenue,"
         "S1,Acme Care Ltd\n")
HOLDER = ("import sys, time; from partnership.command_lock import command_running, one_command_at_a_time; "
          "from partnership.config import load_settings; "
          "s = load_settings(data_dir=sys.argv[1]); "
          "cm = one_command_at_a_time(s, 'run', print); cm.__enter__(); print('held', flush=True); time.sleep(600)")


def _impact(*args: str, today: str | None = TODAY) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "cli.main", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=steward_env(today, KEY), start_new_session=True)


def _holder(data_dir: Path) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(data_dir)], stdout=subprocess.PIPE, text=True,
                              env=steward_env(), start_new_session=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def _loaded(data_dir: Path) -> list[tuple]:
    with duckdb.connect(str(data_dir / "warehouse" / "impact.duckdb"), read_only=True) as con:
        return con.execute("SELECT file_name, status, count(DISTINCT load_id) FROM raw.load_audit "
                           "GROUP BY ALL ORDER BY ALL").fetchall()


def test_an_ingest_waits_for_the_command_holding_the_data_directory_and_loads_once_it_is_killed(tmp_path):
    data_dir = tmp_path / "data"
    april = tmp_path / "occ-2024-04.csv"
    april.write_text(APRIL, encoding="utf-8")
    holder = _holder(data_dir)
    try:
        ingest = _impact("ingest", str(april), "--feed", "spend", "--data-dir", str(data_dir), today=None)
        status = subprocess.run([sys.executable, "-m", "cli.main", "status", "--data-dir", str(data_dir)],
                                capture_output=True, text=True, env=steward_env(key=KEY), timeout=300)
        assert f"running now: impact run (pid {holder.pid}, started " in status.stdout, status.stdout + status.stderr
        assert ingest.poll() is None, ingest.communicate()  # still waiting, nothing loaded
        assert not (data_dir / "warehouse" / "impact.duckdb").exists()
    finally:
        os.killpg(holder.pid, signal.SIGKILL)  # a crashed command: the kernel frees its lock
        holder.wait(30)
    out, err = ingest.communicate(timeout=300)
    assert ingest.returncode == 0, out + err
    assert f"waiting   for impact run (pid {holder.pid}, started " in err
    assert "occ-2024-04.csv: loaded (spend) loaded 1" in out
    assert _loaded(data_dir) == [("occ-2024-04.csv", "loaded", 1)]
    kept = data_dir / "landing" / "spend" / "occ-2024-04.csv"
    assert kept.read_text(encoding="utf-8") == APRIL


def test_a_holder_that_never_finishes_is_given_up_on_by_name_and_nothing_is_done(tmp_path):
    settings = load_settings(data_dir=tmp_path / "data")
    holder = _holder(settings.data_dir)
    said: list[str] = []
    try:
        assert command_running(settings).startswith(f"impact run (pid {holder.pid}, started ")
        with pytest.raises(WarehouseBusy) as raised, one_command_at_a_time(settings, "ingest", said.append,
                                                                           wait_seconds=1):
            pytest.fail("the block ran while another command held the lock")
    finally:
        os.killpg(holder.pid, signal.SIGKILL)
        holder.wait(30)
    assert command_running(settings) is None  # its name is still in the file, but it has died
    assert f"impact run (pid {holder.pid}, started " in str(raised.value)
    assert "nothing done: run this ingest again when it has finished" in str(raised.value)
    assert len(said) == 1 and "waiting   for impact run" in said[0]
    with one_command_at_a_time(settings, "run", said.append):  # free again, without waiting
        assert settings.command_lock_path.read_text().startswith(f"impact run (pid {os.getpid()}, ")
    assert len(said) == 1
    assert settings.command_lock_path.read_text() == ""  # no holder named once it is released


@pytest.mark.e2e
def test_two_runs_started_together_load_the_new_month_once_and_the_second_finds_nothing_new(
        demo_data_dir, tmp_path_factory):
    demo_dir, _, scale, seed = demo_data_dir
    data_dir = tmp_path_factory.mktemp("two-runs") / "data"
    shutil.copytree(demo_dir, data_dir, symlinks=True)
    new_files = generate_spend_month(data_dir / "landing", date(2025, 4, 1), seed=seed, scale=scale)
    first = _impact("run", "--data-dir", str(data_dir))
    deadline = time.monotonic() + 120
    lock = data_dir / "warehouse" / "impact-command.lock"
    while not lock.read_text():  # the first holds the data directory
        assert first.poll() is None and time.monotonic() < deadline, first.communicate()
        time.sleep(0.1)
    second = _impact("run", "--data-dir", str(data_dir))
    first_out, first_err = first.communicate(timeout=1800)
    second_out, second_err = second.communicate(timeout=1800)
    assert first.returncode == 0, first_out + first_err
    assert second.returncode == 0, second_out + second_err
    assert f"  landing   {len(new_files)} new files (spend {len(new_files)})" in first_out
    assert f"waiting   for impact run (pid {first.pid}, started " in second_out
    assert "  landing   nothing new" in second_out
    assert "  dbt       skipped: no raw table changed since the last build" in second_out
    assert "  snapshot  up to date, nothing changed (2025-26 provisional)" in second_out
    assert "succeeded in" in second_out and "nothing new to do" in second_out
    loads = {name: (status, n) for name, status, n in _loaded(data_dir)}
    assert {f.name: loads.get(f.name) for f in new_files} == {f.name: ("loaded", 1) for f in new_files}
