"""A steward's months across the day a year closes.

In May 2025 two years are open: 2024-25 is in its grace period for late returns (it closes on 1
June, year end + 61 days) and April 2025 opened 2025-26. `impact run` gates both to date and
publishes both as provisional; a pack asked for 2024-25 is refused. On 15 June, with May's spend,
2024-25 has closed: the run gates it again, in full, publishes it as closed, and its pack can be
written; 2025-26 stays open. A run with nothing new then writes nothing. `impact publish` refuses the
open year and, asked for no year, publishes the latest closed one (2024-25), not the open 2025-26.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import duckdb
import pytest
from impact_cli import impact
from publication_record import check_consistent

from demo.generate import generate_spend_month

pytestmark = pytest.mark.e2e
LAST, NEW = "2024-25", "2025-26"


def _run(data_dir: Path, today: str, *args: str) -> subprocess.CompletedProcess:
    done = impact("run", "--data-dir", str(data_dir), *args, today=today)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    return done


def _years(data_dir: Path) -> dict[str, tuple]:
    con = duckdb.connect(str(data_dir / "published" / "impact.duckdb"), read_only=True)
    try:
        check_consistent(con)
        return {y: (status, provisional) for y, status, provisional in con.execute(
            "SELECT reporting_year, status, is_provisional FROM marts.dim_reporting_years "
            "WHERE reporting_year IN (?, ?)", [LAST, NEW]).fetchall()}
    finally:
        con.close()


def _revisions(data_dir: Path, year: str) -> list[str]:
    folder = data_dir / "exports" / year
    return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.exists() else []


@pytest.fixture(scope="module")
def months(demo_data_dir, tmp_path_factory):
    demo_dir, _, scale, seed = demo_data_dir
    data_dir = tmp_path_factory.mktemp("year-closes") / "data"
    shutil.copytree(demo_dir, data_dir, symlinks=True)
    packs_before = _revisions(data_dir, LAST)  # the demo packed 2024-25 when it was closed (today's date)
    generate_spend_month(data_dir / "landing", date(2025, 4, 1), seed=seed, scale=scale)
    may = _run(data_dir, "2025-05-15")
    may_years = _years(data_dir)
    may_pack = _run(data_dir, "2025-05-15", "--year", LAST)
    packs_in_may = _revisions(data_dir, LAST)
    generate_spend_month(data_dir / "landing", date(2025, 5, 1), seed=seed, scale=scale)
    june = _run(data_dir, "2025-06-15")
    june_years = _years(data_dir)
    june_pack = _run(data_dir, "2025-06-15", "--year", LAST)
    again = _run(data_dir, "2025-06-15")
    packs_after = _revisions(data_dir, LAST)
    publish_open = impact("publish", "--year", NEW, "--data-dir", str(data_dir), today="2025-06-15")
    publish_latest = impact("publish", "--data-dir", str(data_dir), today="2025-06-15")
    # A year later 2025-26 has closed with two months of spend and nothing else: its gate fails.
    closed_short = impact("run", "--data-dir", str(data_dir), today="2026-06-02")
    snapshot = (data_dir / "published" / "impact.duckdb").read_bytes()
    runs = _dagster_runs(data_dir)
    failed_again = impact("run", "--data-dir", str(data_dir), today="2026-06-02")
    failed_pack = impact("run", "--data-dir", str(data_dir), "--year", NEW, today="2026-06-02")
    return {"may": may, "may_years": may_years, "may_pack": may_pack, "june": june, "june_years": june_years,
            "june_pack": june_pack, "again": again, "packs": (packs_before, packs_in_may, packs_after),
            "publish_open": publish_open, "publish_latest": publish_latest, "data_dir": data_dir,
            "closed_short": closed_short, "failed_again": failed_again, "failed_pack": failed_pack,
            "unchanged": (snapshot == (data_dir / "published" / "impact.duckdb").read_bytes(),
                          runs == _dagster_runs(data_dir))}


def _dagster_runs(data_dir: Path) -> list[str]:
    return sorted(p.name for p in (data_dir / "dagster_home" / "history" / "runs").glob("*.db"))


def test_in_the_grace_period_both_years_are_open_gated_to_date_and_provisional(months):
    out = months["may"].stdout
    assert f"{LAST} (open until 2025-06-01: provisional, checked to date): passed" in out
    assert f"{NEW} (open until 2026-06-01: provisional, checked to date): passed" in out
    assert f"({LAST}, {NEW} provisional)" in out
    assert months["may_years"] == {LAST: ("open", True), NEW: ("open", True)}


def test_a_pack_for_a_year_in_its_grace_period_is_refused_and_nothing_is_written(months):
    before, in_may, _ = months["packs"]
    assert f"none: {LAST} is open until 2025-06-01" in months["may_pack"].stdout
    assert in_may == before


def test_on_closing_the_year_is_gated_in_full_published_closed_and_its_pack_written(months):
    out = months["june"].stdout
    assert f"{LAST}: passed" in out and f"{LAST} (open" not in out  # gated again, in full
    assert f"{NEW} (open until 2026-06-01: provisional, checked to date): passed" in out
    assert months["june_years"] == {LAST: ("closed", False), NEW: ("open", True)}
    before, _, after = months["packs"]
    pack = months["june_pack"].stdout
    assert f"pack      {LAST} r" in pack
    assert after[-1] in pack and len(after) in (len(before), len(before) + 1)
    assert "Traceback" not in months["june"].stdout + pack


def test_after_the_close_a_run_with_nothing_new_writes_nothing(months):
    out = months["again"].stdout
    assert "nothing new (" in out and "dbt       skipped" in out and "snapshot  up to date" in out


def test_publish_refuses_the_open_year_and_by_default_takes_the_latest_closed_one(months):
    refused = months["publish_open"]
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert refused.stderr.strip().startswith(f"impact: reporting year: {NEW} is open until 2026-06-01 ")
    assert refused.stderr.strip().endswith("Nothing written") and not refused.stdout
    assert not (months["data_dir"] / "exports" / NEW).exists()

    latest = months["publish_latest"]
    assert latest.returncode == 0, latest.stdout[-4000:] + latest.stderr[-4000:]
    revisions = months["packs"][2]
    assert f"pack      {LAST} {revisions[-1]} unchanged (same content), no new revision" in latest.stdout
    assert _revisions(months["data_dir"], LAST) == revisions


def test_a_closed_year_whose_gate_failed_holds_back_the_snapshot_in_later_runs_without_another_run(months):
    """The failure stands on unchanged tables: later runs say so, make no Dagster run (one used to try the
    snapshot, and fail with advice to launch publish_job), suggest no publish, and write no pack."""
    first = months["closed_short"]
    assert first.returncode == 1, first.stdout[-3000:]
    assert f"  gate      {NEW}: FAILED" in first.stdout
    assert f"latest closed year {NEW}: its gate did not pass (below), so no pack can be published yet" in first.stdout
    for done in (months["failed_again"], months["failed_pack"]):
        assert done.returncode == 1, done.stdout[-3000:]
        [stand] = [line for line in done.stdout.splitlines() if "results stand: " in line]
        assert stand.endswith(f", {NEW} failed"), stand
        assert f"  snapshot  NOT refreshed (the gate of {NEW} failed)" in done.stdout
        assert "publish_job" not in done.stdout + done.stderr
        assert f"impact publish --year {NEW}" not in done.stdout
    assert f"  pack      {NEW}: none written: its gate did not pass (below)" in months["failed_pack"].stdout
    assert months["unchanged"] == (True, True)  # the evaluators' snapshot, and no Dagster run made
    assert _revisions(months["data_dir"], NEW) == []
