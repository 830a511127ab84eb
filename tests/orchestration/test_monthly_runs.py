"""A steward's month: one new month of spend lands in a year that is still open. `impact run` loads
it, rebuilds what it feeds, gates the open year to date and refreshes the snapshot with the year
marked provisional; no pack is written for it. The next run, with nothing new, writes nothing.

"Today" is 15 June 2025 (IMPACT_TODAY): 2024-25 closed on 1 June (year end + 61 days' grace),
2025-26 is open."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from datetime import date
from pathlib import Path

import duckdb
import pytest
from impact_cli import impact as run_impact
from publication_record import check_consistent

from demo.generate import generate_spend_month

pytestmark = pytest.mark.e2e
TODAY = "2025-06-15"
OPEN, CLOSED = "2025-26", "2024-25"


def impact(*args: str) -> subprocess.CompletedProcess:
    return run_impact(*args, today=TODAY)


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _state(data_dir: Path) -> dict:
    """What a run could write: the snapshot and its Parquet copies, the packs, Dagster's runs."""
    return {"published": _digest(data_dir / "published"), "exports": _digest(data_dir / "exports"),
            "runs": sorted(p.name for p in (data_dir / "dagster_home" / "history" / "runs").glob("*.db"))}


@pytest.fixture(scope="module")
def month(demo_data_dir, tmp_path_factory):
    """The session's demo, brought to 15 June 2025, then one new month of spend and two runs."""
    demo_dir, _, scale, seed = demo_data_dir
    data_dir = tmp_path_factory.mktemp("month") / "data"
    shutil.copytree(demo_dir, data_dir, symlinks=True)
    settle = impact("run", "--data-dir", str(data_dir))  # the date moved: every year's state is redone once
    assert settle.returncode == 0, settle.stdout + settle.stderr
    new_files = generate_spend_month(data_dir / "landing", date(2025, 4, 1), seed=seed, scale=scale)
    first = impact("run", "--data-dir", str(data_dir))
    before = _state(data_dir)
    second = impact("run", "--data-dir", str(data_dir))
    return data_dir, new_files, first, second, (before, _state(data_dir))


def test_a_new_month_in_an_open_year_is_loaded_gated_to_date_and_published_as_provisional(month):
    data_dir, new_files, first, _, _ = month
    assert first.returncode == 0, first.stdout + first.stderr
    out = first.stdout
    assert "3 new files (spend 3)" in out
    assert f"{OPEN} (open until 2026-06-01: provisional, checked to date): passed" in out
    # only what the new rows feed: payments (and the load audit), not the supplier register's chain
    assert "models downstream of raw.load_audit, raw.spend__payments (the raw tables that changed)" in out
    assert "every model" not in out
    assert f"{CLOSED} warned" in out or f"{CLOSED} passed" in out  # the closed years' results stand
    con = duckdb.connect(str(data_dir / "published" / "impact.duckdb"), read_only=True)
    check_consistent(con)
    loaded = con.execute("SELECT count(*) FROM marts.fct_payments WHERE reporting_year = ?", [OPEN]).fetchone()[0]
    lines = sum(len(p.read_bytes().splitlines()) for p in new_files)
    assert loaded == lines - 6  # three headers, the trust's two preamble lines and its Total row
    assert con.execute("SELECT status, is_provisional, closes_on FROM marts.dim_reporting_years "
                       "WHERE reporting_year = ?", [OPEN]).fetchone() == ("open", True, date(2026, 6, 1))
    assert con.execute("SELECT status FROM marts.dim_reporting_years WHERE reporting_year = ?",
                       [CLOSED]).fetchone() == ("closed",)
    assert con.execute("SELECT count(*) FROM marts.metrics WHERE reporting_year = ? AND value IS NOT NULL",
                       [OPEN]).fetchone()[0] > 0
    con.close()
    assert not (data_dir / "exports" / OPEN).exists()
    assert len(out.splitlines()) < 20 and "Traceback" not in out + first.stderr


def test_the_open_year_is_provisional_in_status_and_gets_no_pack_even_when_asked(month):
    data_dir, *_ = month
    status = impact("status", "--data-dir", str(data_dir))
    [row] = [line for line in status.stdout.splitlines() if line.strip().startswith(OPEN)]
    assert "open, provisional until 2026-06-01" in row
    asked = impact("run", "--data-dir", str(data_dir), "--year", OPEN)
    assert asked.returncode == 0, asked.stdout + asked.stderr
    assert f"none: {OPEN} is open until 2026-06-01" in asked.stdout
    assert not (data_dir / "exports" / OPEN).exists()


def test_a_second_run_with_nothing_new_writes_nothing_new(month):
    _, _, _, second, (before, after) = month
    assert second.returncode == 0, second.stdout + second.stderr
    assert "nothing new (" in second.stdout and "dbt       skipped" in second.stdout
    assert "snapshot  up to date" in second.stdout and "nothing new to do" in second.stdout
    assert after["published"] == before["published"] and after["exports"] == before["exports"]
    assert after["runs"] == before["runs"]  # not even a Dagster run was started


def test_a_rebuild_of_every_model_finds_the_marts_the_month_left(month):
    """The month's build left out what no changed table reaches (the supplier chain, the quarantine
    view): rebuilding every model from the same raw tables changes no mart."""
    from orchestration.fingerprints import schema_fingerprints

    data_dir, *_ = month

    def marts() -> dict[str, str]:
        with duckdb.connect(str(data_dir / "warehouse" / "impact.duckdb"), read_only=True) as con:
            return schema_fingerprints(con, ("marts", "reference"))

    before = marts()
    rebuilt = impact("run", "--data-dir", str(data_dir), "--rebuild")
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    assert "rebuilt: every model" in rebuilt.stdout
    assert marts() == before
