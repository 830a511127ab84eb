"""A loaded file taken out of the landing folder, on a copy of the session's demo: deleting it withdraws
nothing (its rows stay) but every run and `impact status` name it; a renamed file is not gone; an empty
version declared to replace it withdraws it, the figures drop by its payments and the closed year's
pack is OUT OF DATE; a warehouse rebuilt from that folder has the same figures."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from impact_cli import impact

pytestmark = pytest.mark.e2e
APRIL = "ouh-supplier-payments-apr-2024.csv"
MAY, RENAMED = "ouh-supplier-payments-may-2024.csv", "renamed-may.csv"
RETURN = "thames-pathways-return-2023-24-Q2.xlsx"
GONE_LINE = "2 loaded files are no longer in the landing folder: "


def _run(data_dir: Path, *args: str):
    return impact(*args, "--data-dir", str(data_dir))


def _one(path: Path, sql: str, params=()):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, list(params)).fetchone()[0]


def _spend(data_dir: Path) -> float:
    """PP01 (total analysed spend) for 2024-25 in the evaluators' snapshot."""
    return _one(data_dir / "published" / "impact.duckdb", "SELECT value FROM marts.metrics WHERE metric_id = 'PP01' "
                "AND reporting_year = '2024-25' AND geography_level = 'county'")


@pytest.fixture(scope="module")
def steward(demo_data_dir, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("withdrawn") / "data"
    shutil.copytree(demo_data_dir[0], data_dir, symlinks=True)
    spend = data_dir / "landing" / "spend"
    seen = {"before": _spend(data_dir), "april_rows": _one(
        data_dir / "warehouse" / "impact.duckdb",
        "SELECT sum(rows_loaded) FROM raw.load_audit WHERE source_file = ? AND status = 'loaded'", [APRIL]),
        "april_analysed": float(_one(  # the file's share of PP01: influenceable payments, credit notes netted
            data_dir / "published" / "impact.duckdb", "SELECT sum(amount_gbp) FROM marts.fct_payments "
            "WHERE _source_file = ? AND is_influenceable", [APRIL]))}
    header = (spend / APRIL).read_bytes().splitlines(keepends=True)[:3]  # two preamble rows, then the header
    (spend / APRIL).unlink()
    (data_dir / "landing" / "programme" / RETURN).unlink()
    (spend / MAY).rename(spend / RENAMED)
    seen["deleted"] = _run(data_dir, "run")
    seen["deleted_status"] = _run(data_dir, "status")
    seen["after_delete"] = _spend(data_dir)
    (spend / APRIL).write_bytes(b"".join(header))
    seen["withdrawn"] = _run(data_dir, "ingest", str(spend / APRIL), "--replaces", APRIL)
    seen["run"] = _run(data_dir, "run")
    seen["status"] = _run(data_dir, "status")
    seen["after_withdrawal"] = _spend(data_dir)
    return data_dir, seen


def test_a_deleted_file_is_named_at_every_run_and_in_status_and_its_rows_stay(steward):
    _, seen = steward
    run, status = seen["deleted"], seen["deleted_status"]
    assert run.returncode == 0, run.stdout + run.stderr
    [line] = [x for x in run.stdout.splitlines() if GONE_LINE in x]
    assert f"programme/{RETURN} (" in line and f"spend/{APRIL} ({seen['april_rows']:,} rows)" in line
    assert line.endswith("their rows stay in the figures; put them back, or withdraw them with an empty version "
                         '(docs/operations.md, "Withdrawing a file")')
    assert MAY not in line and RENAMED not in line  # renamed, not gone: its content is in the folder
    assert "nothing new" in run.stdout and seen["after_delete"] == seen["before"]
    section = status.stdout.split("Loaded files no longer in the landing folder", 1)[1].split("\n\n", 1)[0]
    assert f"spend/{APRIL}" in section and f"programme/{RETURN}" in section and MAY not in section


def test_an_empty_version_withdraws_the_file_and_the_closed_years_pack_goes_out_of_date(steward):
    data_dir, seen = steward
    assert seen["withdrawn"].returncode == 0, seen["withdrawn"].stdout + seen["withdrawn"].stderr
    assert f"{APRIL}: replaced (spend) loaded 0" in seen["withdrawn"].stdout
    run = seen["run"]
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 loaded file is no longer in the landing folder: programme/" in run.stdout  # only the return now
    assert seen["april_analysed"] > 0
    assert seen["after_withdrawal"] == pytest.approx(seen["before"] - seen["april_analysed"], abs=0.01)
    assert "2024-25" in seen["status"].stdout and "OUT OF DATE" in seen["status"].stdout
    assert f"spend/{APRIL}" not in seen["status"].stdout.split("Loaded files no longer", 1)[1].split("\n\n", 1)[0]


def test_a_warehouse_rebuilt_from_the_folder_has_the_withdrawn_figures(steward):
    data_dir, seen = steward
    (data_dir / "warehouse" / "impact.duckdb").rename(data_dir / "old-warehouse.duckdb")
    rebuilt = _run(data_dir, "run")
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    assert "no longer in the landing folder" not in rebuilt.stdout  # a new warehouse has only what is there
    assert _spend(data_dir) == pytest.approx(seen["after_withdrawal"], abs=0.01)
