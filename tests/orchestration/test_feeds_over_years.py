"""Feeds that start or stop: a partnership's collection changes over the years.

Started: a partnership collected spend only and published 2023-24 from it; from 2024-25 it runs a
wellbeing survey. Adding "wellbeing" to [feeds] collected alone makes every earlier year fail its
gate (no survey then), so the snapshot is never refreshed again: the run says which setting says
so. With `first_year = { wellbeing = "2024-25" }` the earlier years are gated without the survey
and their wellbeing metrics read "not collected … from 2024-25", while 2024-25 has its figures.

An anchor left: Oxford University Hospitals publishes no spend for the partnership after 2023-24.
The gate then finds it with no payment month in 2024-25 and fails, whether or not it is still
declared; `last_year = "2023-24"` on the anchor says it is not owed after, and 2024-25 publishes.

Stopped: the demo partnership stops the Charter after 2023-24. With `last_year = { charter =
"2023-24" }` the years it was collected keep their Charter figures, later years are gated without
it and read "not collected … until 2023-24", and its freshness stops expecting files.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from impact_cli import impact

pytestmark = pytest.mark.e2e
TODAY, KEY = "2025-08-15", "feeds-over-years-test-key-0123456789"
OUH_ALIASES = 'aliases = ["OUH", "Oxford University Hospitals"]'
BASE_CONFIG = (Path(__file__).resolve().parents[2] / "impact.toml").read_text(encoding="utf-8")


def _config(path: Path, collected: list[str], extra: str = "", ouh: str = "") -> Path:
    text = re.sub(r"(?m)^collected = .*$", f"collected = {collected!r}".replace("'", '"') + extra, BASE_CONFIG)
    text = text.replace(f"{OUH_ALIASES}\n", f"{OUH_ALIASES}\n{ouh}\n")
    path.write_text(text, encoding="utf-8")
    return path


def _impact(data_dir: Path, config: Path, *args: str) -> subprocess.CompletedProcess:
    return impact(*args, "--data-dir", str(data_dir), "--config", str(config), today=TODAY, key=KEY)


def _county(data_dir: Path, metrics: tuple[str, ...]) -> dict[tuple[str, str], tuple]:
    con = duckdb.connect(str(data_dir / "published" / "impact.duckdb"), read_only=True)
    try:
        rows = con.execute(
            "SELECT metric_id, reporting_year, value, no_data_reason FROM marts.metrics "
            "WHERE geography_level = 'county' AND list_contains(?, metric_id)", [list(metrics)]).fetchall()
    finally:
        con.close()
    return {(m, y): (v, r) for m, y, v, r in rows}


def _feeds_table(status: str) -> list[str]:
    return status.split("\nFeeds\n", 1)[1].split("\n\n", 1)[0].splitlines()


@pytest.fixture(scope="module")
def started(demo_data_dir, tmp_path_factory):
    demo_dir = demo_data_dir[0]
    root = tmp_path_factory.mktemp("feed-started")
    data_dir, config = root / "data", root / "impact.toml"
    (data_dir / "landing").mkdir(parents=True)
    shutil.copytree(demo_dir / "landing" / "spend", data_dir / "landing" / "spend")
    seen = {"data_dir": data_dir}
    seen["spend_only"] = _impact(data_dir, _config(config, ["spend"]), "run", "--year", "2023-24")
    seen["r001"] = _county(data_dir, ("PP01",))
    (data_dir / "landing" / "wellbeing").mkdir()
    for path in (demo_dir / "landing" / "wellbeing").glob("*2024-25*"):
        shutil.copy(path, data_dir / "landing" / "wellbeing" / path.name)
    seen["added"] = _impact(data_dir, _config(config, ["spend", "wellbeing"]), "run")
    seen["with_first_year"] = _impact(
        data_dir, _config(config, ["spend", "wellbeing"], '\nfirst_year = { wellbeing = "2024-25" }'), "run")
    seen["metrics"] = _county(data_dir, ("PP01", "WB01", "IN01"))
    seen["status"] = _impact(data_dir, config, "status")
    return seen


def test_adding_a_feed_alone_fails_the_years_before_it_and_says_which_setting_fixes_that(started):
    assert started["spend_only"].returncode == 0, started["spend_only"].stdout[-3000:]
    added = started["added"]
    assert added.returncode == 1, added.stdout[-3000:]
    assert "wellbeing: 2 files loaded" in added.stdout, added.stdout
    assert "2023-24 [ERROR] coverage: the wellbeing survey has responses in the year" in added.stdout
    assert "snapshot  NOT refreshed" in added.stdout
    hint = [line for line in added.stdout.splitlines() if "first_year = { wellbeing" in line]
    assert len(hint) == 1 and "wellbeing has nothing in 2023-24" in hint[0], hint


def test_with_its_first_year_the_earlier_years_are_gated_and_published_without_it(started):
    run = started["with_first_year"]
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "gate      2023-24: passed" in run.stdout and "snapshot  refreshed" in run.stdout, run.stdout
    metrics = started["metrics"]
    for year in ("2022-23", "2023-24"):
        for metric in ("WB01", "IN01"):
            assert metrics[(metric, year)] == (
                None, "not collected: the partnership collects wellbeing surveys from 2024-25"), (metric, year)
    assert metrics[("WB01", "2024-25")][0] is not None and metrics[("WB01", "2024-25")][1] is None
    assert metrics[("PP01", "2023-24")] == started["r001"][("PP01", "2023-24")]  # spend is as published
    # The published 2023-24 pack said "does not collect"; written now it would say "from 2024-25".
    assert "2023-24 r001 OUT OF DATE" in run.stdout, run.stdout


def test_status_shows_the_year_a_feed_was_first_collected(started):
    out = started["status"].stdout
    assert "feeds collected: spend, wellbeing (from 2024-25)" in out, out
    [row] = [line for line in _feeds_table(out) if line.strip().startswith("wellbeing ")]
    assert "fresh: newest file" in row, row


@pytest.fixture(scope="module")
def stopped(demo_data_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("feed-stopped")
    data_dir = root / "data"
    shutil.copytree(demo_data_dir[0], data_dir, symlinks=True)
    charter = ("PO01", "PO02", "PO03", "PO04")
    seen = {"before": _county(data_dir, charter), "data_dir": data_dir}
    config = _config(root / "impact.toml", ["charter", "programme", "spend", "wellbeing"],
                     '\nlast_year = { charter = "2023-24" }')
    seen["run"] = _impact(data_dir, config, "run")
    seen["after"] = _county(data_dir, charter)
    seen["status"] = _impact(data_dir, config, "status")
    return seen


def test_a_feed_no_longer_collected_keeps_the_figures_of_its_years(stopped):
    run = stopped["run"]
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "gate      2024-25: passed" in run.stdout and "snapshot  refreshed" in run.stdout, run.stdout
    before, after = stopped["before"], stopped["after"]
    kept = {key: value for key, value in before.items() if key[1] <= "2023-24"}
    assert any(value[0] is not None for value in kept.values())
    assert {key: after[key] for key in kept} == kept
    assert any(before[(metric, "2024-25")][0] is not None for metric in ("PO01", "PO02", "PO03", "PO04"))
    for metric in ("PO01", "PO02", "PO03", "PO04"):
        assert after[(metric, "2024-25")] == (
            None, "not collected: the partnership collected Charter pledges until 2023-24"), metric


def test_status_stops_expecting_the_feed_it_no_longer_collects(stopped):
    out = stopped["status"].stdout
    assert "feeds collected: charter (until 2023-24), programme, spend, wellbeing" in out, out
    [row] = [line for line in _feeds_table(out) if line.strip().startswith("charter ")]
    assert "not expected now: collected until 2023-24 ([feeds] last_year)" in row and "LATE" not in row, row


@pytest.fixture(scope="module")
def anchor_left(demo_data_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("anchor-left")
    data_dir, config = root / "data", root / "impact.toml"
    (data_dir / "landing").mkdir(parents=True)
    shutil.copytree(demo_data_dir[0] / "landing" / "spend", data_dir / "landing" / "spend")
    left = [p for p in (data_dir / "landing" / "spend").glob("ouh-supplier-payments-*")
            if p.stem[-8:] in {f"{m}-2024" for m in ("apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")}
            or p.stem[-8:] in {"jan-2025", "feb-2025", "mar-2025"}]
    assert len(left) == 12
    for path in left:
        path.unlink()
    seen = {"data_dir": data_dir}
    seen["declared"] = _impact(data_dir, _config(config, ["spend"]), "run", "--year", "2024-25")
    seen["left"] = _impact(data_dir, _config(config, ["spend"], ouh='last_year = "2023-24"'),
                           "run", "--year", "2024-25")
    return seen


def test_an_anchor_that_left_fails_the_gate_until_its_last_year_is_given(anchor_left):
    declared = anchor_left["declared"]
    assert declared.returncode == 1, declared.stdout[-3000:]
    assert ("2024-25 [ERROR] coverage: each anchor's spend covers at least 10 months of the year — "
            "spend/Oxford University Hospitals NHS Foundation Trust: observed 1 of 3 rows unexpected: [0]"
            ) in declared.stdout, declared.stdout
    assert "spend has nothing" not in declared.stdout  # the other anchors' spend is there
    left = anchor_left["left"]
    assert left.returncode == 0, left.stdout[-3000:] + left.stderr[-3000:]
    assert "gate      2024-25: passed" in left.stdout and "2024-25 r001 written" in left.stdout, left.stdout
