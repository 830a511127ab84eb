"""A partnership that collects procurement spend only, with no supplier register: the real Oxford
City Council spend files (Oxfordshire) are loaded, gated on spend coverage alone, and published as
a spend-only pack. Procurement shares that need the register, and every metric of a feed not
collected, are no-data rows that say why — never 0%. `impact status` shows the spend feed only.
Files dropped into the folders of feeds not collected are never loaded, and every run says so."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pytest
from impact_cli import impact as run_impact

pytestmark = pytest.mark.e2e
YEAR = "2017-18"  # the latest full year of the files (April 2017 to March 2018)
CORPUS = Path(__file__).resolve().parents[1] / "ingest" / "corpus"
STRAY = {"programme": "participants_aspire.csv", "wellbeing": "wellbeing_out_of_range.csv"}
REGISTER_METRICS = {"PP02", "PP03", "PP04", "PP05", "PP06", "PP07", "PP10"}
CONFIG = """\
[reporting]
first_year = "2015-16"

[feeds]
collected = ["spend"]
supplier_register = false

[[anchors]]
name = "Oxford City Council"
"""
REGISTER_FILE = "supplier-register.csv"
REGISTER = ("Supplier ID,Supplier Name,Company No,Post Code,SME,Supplier Type,Living Wage Employer,"
            "Carbon Reduction Plan\nS1,Acme Ltd,,OX4 6AB,Y,private,Y,N\n")


def impact(*args: str) -> subprocess.CompletedProcess:
    return run_impact(*args, key="spend-only-test-key-0123456789")


@pytest.fixture(scope="module")
def spend_only(tmp_path_factory):
    real_data = Path(__file__).resolve().parents[3] / "shared" / "data" / "real"  # as tests/conftest.py
    if not real_data.exists():
        pytest.skip(f"real public files not present at {real_data}")
    root = tmp_path_factory.mktemp("spend_only")
    config = root / "impact.toml"
    config.write_text(CONFIG)
    landing = root / "data" / "landing" / "spend"
    landing.mkdir(parents=True)
    for path in sorted((real_data / "spend" / "oxford_city_council").glob("*.csv")):
        shutil.copyfile(path, landing / path.name)
    # A supplier register dropped anyway: the partnership says it provides none, so it is not used.
    (landing / REGISTER_FILE).write_text(REGISTER, encoding="utf-8")
    for feed, name in STRAY.items():  # files of feeds the partnership does not collect
        (landing.parent / feed).mkdir()
        shutil.copyfile(CORPUS / name, landing.parent / feed / name)
    args = ("--data-dir", str(root / "data"), "--config", str(config))
    done = impact("run", *args, "--year", YEAR)
    return root / "data", args, done


def test_a_spend_only_partnership_publishes_a_spend_only_pack(spend_only):
    data_dir, _, done = spend_only
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{YEAR} r001 written" in done.stdout
    [pack] = (data_dir / "exports" / YEAR).glob("r001")
    with (pack / "metrics.csv").open(encoding="utf-8") as handle:
        county = {r["metric_id"]: r for r in csv.DictReader(handle) if r["geography_level"] == "county"}
    assert float(county["PP01"]["value"]) > 1_000_000  # analysed spend, in pounds
    assert county["PP08"]["value"]  # concentration needs no register
    for metric in REGISTER_METRICS:
        assert (county[metric]["value"], county[metric]["no_data_reason"]) == ("", "no supplier register"), metric
        assert "supplier register matched" not in county[metric]["notes"], county[metric]  # none was used
    for metric, row in county.items():
        if metric[:2] in ("FE", "WB", "IN", "PO"):
            assert row["value"] == "" and row["no_data_reason"].startswith("not collected: "), (metric, row)
    with (pack / "toc_indicators.csv").open(encoding="utf-8") as handle:
        quality = {r["metric_id"]: r["data_quality"] for r in csv.DictReader(handle)}
    assert {"PP02", "PP07"} <= set(quality)
    assert all(quality[m] == "no data: no supplier register" for m in REGISTER_METRICS & set(quality))
    assert "no supplier register" in (pack / f"impact-report-{YEAR}.html").read_text(encoding="utf-8")


def test_the_gate_checks_spend_coverage_only(spend_only):
    data_dir, _, done = spend_only
    import duckdb

    con = duckdb.connect(str(data_dir / "published" / "impact.duckdb"), read_only=True)
    checked = {e for (e,) in con.execute(
        "SELECT DISTINCT expectation FROM gate.results WHERE suite = 'coverage' AND reporting_year = ?",
        [YEAR]).fetchall()}
    con.close()
    assert checked and all("spend" in e for e in checked), checked


def test_status_shows_only_the_spend_feed(spend_only):
    _, args, _ = spend_only
    status = impact("status", *args)
    assert status.returncode == 0, status.stderr
    feeds = status.stdout.split("\nFeeds\n", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    assert [line.split()[0] for line in feeds] == ["spend"]
    assert "feeds collected: spend, without a supplier register" in status.stdout


def test_files_of_feeds_not_collected_are_never_loaded_and_each_run_says_so(spend_only):
    data_dir, args, done = spend_only
    for feed in STRAY:
        assert (f"landing   1 file in {feed}/ not loaded: the partnership does not collect {feed} "
                f'(add "{feed}" to [feeds] collected to load)') in done.stdout, done.stdout
    import duckdb

    con = duckdb.connect(str(data_dir / "warehouse" / "impact.duckdb"), read_only=True)
    feeds = {f for (f,) in con.execute("SELECT DISTINCT feed FROM raw.load_audit").fetchall()}
    stored = {t: n for t, n in con.execute("SELECT table_name, estimated_size FROM duckdb_tables() "
                                           "WHERE schema_name = 'raw'").fetchall()
              if t.startswith(("programme__", "wellbeing__"))}
    [(loaded_file,)] = con.execute("SELECT min(source_file) FROM raw.load_audit WHERE status = 'loaded'").fetchall()
    con.close()
    assert feeds == {"spend"} and not any(stored.values()), (feeds, stored)

    stray = data_dir / "landing" / "wellbeing" / STRAY["wellbeing"]
    refused = run_impact("ingest", str(stray), *args)  # no key: a partnership without such feeds needs none
    assert refused.returncode == 1 and "refused (wellbeing)" in refused.stdout, refused.stdout + refused.stderr
    assert "the partnership does not collect wellbeing" in refused.stdout
    loaded = run_impact("ingest", str(data_dir / "landing" / "spend" / loaded_file), *args)
    assert loaded.returncode == 0 and ": duplicate (" in loaded.stdout, loaded.stdout + loaded.stderr

    again = impact("run", *args)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "1 file in wellbeing/ not loaded" in again.stdout and "nothing new (" in again.stdout
    status = impact("status", *args)
    landing = status.stdout.split("\nLanding folder", 1)[1].split("\n\n", 1)[0]
    for feed, name in STRAY.items():
        assert f"{feed}/{name}" in landing and f"not loaded: the partnership does not collect {feed}" in landing


def test_a_supplier_register_the_partnership_does_not_provide_is_refused_and_not_used(spend_only):
    data_dir, args, done = spend_only
    assert "2 REFUSED" in done.stdout  # the register, and a real file whose dates are unusable
    status = impact("status", *args).stdout
    landing = status.split("\nLanding folder", 1)[1].split("\n\n", 1)[0]
    [line] = [line for line in landing.splitlines() if f"spend/{REGISTER_FILE}" in line]
    assert (f"REFUSED: {REGISTER_FILE}: a supplier register, and the partnership does not provide a supplier "
            "register ([feeds] supplier_register = false") in line, line
    import duckdb

    con = duckdb.connect(str(data_dir / "published" / "impact.duckdb"), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM marts.dim_suppliers").fetchone() == (0,)
    finally:
        con.close()
