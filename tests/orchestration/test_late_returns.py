"""A steward's year after a pack went out: late returns for closed years.

In August 2025, 2024-25 is closed and its pack r001 is with the steering group. A late spend file
for March 2025 arrives: `impact run` loads it, re-gates 2024-25 and refreshes the snapshot, and says
that r001 no longer matches the snapshot (and `impact status` says so) without writing a pack; the
next run, with nothing new, says it again. `impact publish --year 2024-25` writes r002, which lists
the late file. A month of the open year 2025-26 then leaves r002 alone. A late file for 2023-24, a
year with no pack of its own, makes r002 out of date too (the 2024-25 pack shows 2023-24 in its
trends and year-on-year changes); that run is killed after the snapshot's swap, before the
comparison, and the next run, with nothing new to load, makes the comparison and says so.
"""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
from datetime import date
from pathlib import Path

import duckdb
import pytest
from impact_cli import impact, impact_paused_at, steward_env
from publication_record import check_consistent

from demo.generate import generate_spend_month
from partnership.config import DEFAULT_CONFIG_FILE

pytestmark = pytest.mark.e2e
CLOSED, EARLIER, TODAY = "2024-25", "2023-24", "2025-08-15"


def _run(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    done = impact(*args, "--data-dir", str(data_dir), today=TODAY)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    return done


def _late_file(data_dir: Path, month: date, scale: float, work: Path) -> str:
    """One anchor's spend for `month`, as a second file beside the one already loaded (another seed)."""
    [made] = generate_spend_month(work / month.isoformat(), month, seed=4242, scale=scale, anchors=1)
    name = f"{made.stem}-late{made.suffix}"
    shutil.copy(made, data_dir / "landing" / "spend" / name)
    return name


def _pack_line(done: subprocess.CompletedProcess) -> list[str]:
    return [line for line in done.stdout.splitlines() if line.strip().startswith("pack ")]


def _status_pack(data_dir: Path, *args: str) -> str:
    out = _run(data_dir, "status", *args).stdout
    [row] = [line for line in out.split("Reporting years", 1)[1].splitlines() if line.strip().startswith(CLOSED)]
    return row


def _revisions(data_dir: Path) -> list[str]:
    return sorted(p.name for p in (data_dir / "exports" / CLOSED).iterdir() if p.is_dir())


def _published_files(data_dir: Path) -> set[str]:
    con = duckdb.connect(str(data_dir / "published" / "impact.duckdb"), read_only=True)
    try:
        check_consistent(con)
        return {name for (name,) in con.execute("SELECT file_name FROM lineage.load_audit").fetchall()}
    finally:
        con.close()


def _killed_at_the_comparison(data_dir: Path, log_path: Path) -> str:
    """`impact run` killed (SIGKILL to its process group) once the snapshot is swapped in, before the
    packs are compared; returns what it printed."""
    run = impact_paused_at("pack-check", data_dir, "run", env=steward_env(today=TODAY), log=log_path)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait(30)
    return log_path.read_text()


@pytest.fixture(scope="module")
def year(demo_data_dir, tmp_path_factory):
    demo_dir, _, scale, _ = demo_data_dir
    work = tmp_path_factory.mktemp("late-returns")
    data_dir = work / "data"
    shutil.copytree(demo_dir, data_dir, symlinks=True)
    seen = {"revisions_before": _revisions(data_dir),
            "r001_manifest": (data_dir / "exports" / CLOSED / "r001" / "manifest.json").read_bytes()}
    seen["late"] = _late_file(data_dir, date(2025, 3, 1), scale, work)
    seen["late_run"] = _run(data_dir, "run")
    seen["late_files"] = _published_files(data_dir)
    seen["late_revisions"] = _revisions(data_dir)
    seen["late_status"] = _status_pack(data_dir)
    seen["again"] = _run(data_dir, "run")
    seen["publish"] = _run(data_dir, "publish", "--year", CLOSED)
    seen["published_status"] = _status_pack(data_dir)
    generate_spend_month(data_dir / "landing", date(2025, 4, 1), seed=4242, scale=scale)
    seen["month_run"] = _run(data_dir, "run")
    seen["month_status"] = _status_pack(data_dir)
    seen["earlier"] = _late_file(data_dir, date(2024, 1, 1), scale, work)
    seen["killed"] = _killed_at_the_comparison(data_dir, work / "killed.log")
    seen["earlier_run"] = _run(data_dir, "run")
    seen["earlier_status"] = _status_pack(data_dir)
    # The partnership lengthens its grace period for late returns: 2024-25 (closed on 1 June) is
    # open again until 29 August, with its pack already with the steering group.
    config = work / "impact.toml"
    config.write_text(DEFAULT_CONFIG_FILE.read_text(encoding="utf-8").replace(
        "grace_days = 61 ", "grace_days = 150 ", 1), encoding="utf-8")
    seen["reopened_run"] = _run(data_dir, "run", "--config", str(config))
    seen["reopened_status"] = _status_pack(data_dir, "--config", str(config))
    seen["data_dir"] = data_dir
    return seen


def test_a_late_return_for_a_closed_year_is_loaded_and_its_pack_is_said_to_be_out_of_date(year):
    assert year["revisions_before"] == ["r001"]  # the demo packed 2024-25
    assert year["late"] in year["late_files"]  # in the snapshot evaluators read
    assert f"gate      {CLOSED}" in year["late_run"].stdout  # the closed year was re-gated
    [line] = _pack_line(year["late_run"])
    assert f"{CLOSED} r001 OUT OF DATE" in line and f"impact publish --year {CLOSED}" in line, line
    assert year["late_revisions"] == ["r001"]  # a run tells; publishing stays the steward's decision
    assert "r001" in year["late_status"] and "OUT OF DATE" in year["late_status"], year["late_status"]


def test_the_next_run_with_nothing_new_says_it_again(year):
    run = year["again"].stdout
    assert "nothing new to do" in run, run
    [line] = _pack_line(year["again"])
    assert f"{CLOSED} r001 OUT OF DATE" in line, line


def test_publishing_again_writes_the_next_revision_with_the_late_file_and_keeps_the_first(year):
    data_dir = year["data_dir"]
    assert f"{CLOSED} r002 written" in year["publish"].stdout, year["publish"].stdout
    r001 = data_dir / "exports" / CLOSED / "r001"
    assert (r001 / "manifest.json").read_bytes() == year["r001_manifest"]
    with (data_dir / "exports" / CLOSED / "r002" / "data_log.csv").open(encoding="utf-8") as handle:
        assert year["late"] in {row["file"] for row in csv.DictReader(handle)}
    with (r001 / "data_log.csv").open(encoding="utf-8") as handle:
        assert year["late"] not in {row["file"] for row in csv.DictReader(handle)}
    assert "r002" in year["published_status"] and "OUT OF DATE" not in year["published_status"]


def test_a_month_of_the_open_year_leaves_the_closed_years_pack_alone(year):
    run = year["month_run"].stdout
    assert "ingest    spend:" in run and "2025-26" in run, run
    assert "OUT OF DATE" not in run, run
    assert "r002" in year["month_status"] and "OUT OF DATE" not in year["month_status"]
    assert sorted(p.name for p in (year["data_dir"] / "exports" / CLOSED).iterdir() if p.is_dir()) == [
        "r001", "r002"]


def test_a_late_return_for_an_earlier_year_puts_the_later_pack_out_of_date_even_after_a_kill(year):
    """2023-24 has no pack; 2024-25's pack compares with it, so that is the one said to be out of date.
    The run that loaded the file died before comparing: the next one compares."""
    killed = year["killed"]
    assert "snapshot  refreshed" in killed and "OUT OF DATE" not in killed, killed
    assert "landing   nothing new" in year["earlier_run"].stdout, year["earlier_run"].stdout
    lines = _pack_line(year["earlier_run"])
    assert any(f"{CLOSED} r002 OUT OF DATE" in line for line in lines), lines
    assert not any(EARLIER in line for line in lines), lines
    assert "r002" in year["earlier_status"] and "OUT OF DATE" in year["earlier_status"]


def test_a_year_opened_again_by_a_longer_grace_keeps_its_pack_and_does_not_ask_for_a_new_one(year):
    """A published year that the configuration opens again is provisional in the snapshot; its pack
    stands, and neither the run nor status suggests publishing a year that cannot be published."""
    run = year["reopened_run"].stdout
    assert f"{CLOSED} (open until 2025-08-29: provisional, checked to date)" in run, run
    assert f"{CLOSED} r002 was published, and the year is OPEN again" in run, run
    assert f"impact publish --year {CLOSED}" not in run, run
    status = year["reopened_status"]
    assert "open, provisional until 2025-08-29" in status and "r002" in status, status
    assert "the year is OPEN again" in status and "OUT OF DATE" not in status, status
    con = duckdb.connect(str(year["data_dir"] / "published" / "impact.duckdb"), read_only=True)
    try:
        assert con.execute("SELECT is_provisional FROM marts.dim_reporting_years WHERE reporting_year = ?",
                           [CLOSED]).fetchone() == (True,)
    finally:
        con.close()
    assert sorted(p.name for p in (year["data_dir"] / "exports" / CLOSED).iterdir() if p.is_dir()) == [
        "r001", "r002"]
