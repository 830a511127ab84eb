"""fct_payments is incremental on DuckDB: a run adds the payments of new loads and removes those of
loads a corrected file replaced, and equals a build from scratch; a changed supplier register
re-classifies every payment (a --full-refresh build)."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import duckdb
import pytest
from impact_cli import impact as run_impact

from demo.generate import generate_spend_month
from orchestration.fingerprints import schema_fingerprints

pytestmark = pytest.mark.e2e
TODAY = "2025-06-15"
OCC = "oxford-city-council-payments-over-500-2024-06.csv"
WHOLE = "incremental models rebuilt whole (--full-refresh)"


def impact(*args: str) -> subprocess.CompletedProcess:
    done = run_impact(*args, today=TODAY)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    return done


def _log(run: subprocess.CompletedProcess) -> str:
    return Path(re.search(r"details in (\S+\.log)", run.stdout).group(1)).read_text(encoding="utf-8")


def _marts(data_dir: Path) -> dict[str, str]:
    with duckdb.connect(str(data_dir / "warehouse" / "impact.duckdb"), read_only=True) as con:
        return schema_fingerprints(con, ("marts",))


def _unit_tests_run(data_dir: Path) -> list[str]:
    results = json.loads((data_dir / "dbt" / "target" / "run_results.json").read_text(encoding="utf-8"))
    return [r["unique_id"] for r in results["results"] if r["unique_id"].startswith("unit_test.")]


def _payments(data_dir: Path, sql: str, params: list) -> tuple:
    with duckdb.connect(str(data_dir / "warehouse" / "impact.duckdb"), read_only=True) as con:
        return con.execute(f"SELECT count(*), sum(amount_gbp) FROM marts.fct_payments WHERE {sql}", params).fetchone()


@pytest.fixture(scope="module")
def data_dir(demo_data_dir, tmp_path_factory) -> Path:
    demo_dir, _, scale, seed = demo_data_dir
    data_dir = tmp_path_factory.mktemp("incremental") / "data"
    shutil.copytree(demo_dir, data_dir, symlinks=True)
    settle = impact("run", "--data-dir", str(data_dir))  # the date moved: one full build
    assert WHOLE in _log(settle)
    generate_spend_month(data_dir / "landing", date(2025, 4, 1), seed=seed, scale=scale)
    return data_dir


def test_new_loads_and_a_corrected_file_are_applied_incrementally_and_equal_a_full_build(data_dir):
    occ = data_dir / "landing" / "spend" / OCC
    rows_before = _payments(data_dir, "_source_file = ?", [OCC])[0]
    lines = occ.read_bytes().rstrip(b"\r\n").split(b"\r\n")
    occ.write_bytes(b"\r\n".join([*lines, lines[-1]]) + b"\r\n")  # its new version: one payment more

    run = impact("run", "--data-dir", str(data_dir))
    assert "dbt       " in run.stdout and WHOLE not in _log(run)  # an incremental build
    assert _unit_tests_run(data_dir) == []  # the project is as at the last complete build, which ran them
    assert _payments(data_dir, "_source_file = ?", [OCC])[0] == rows_before + 1  # old load's rows gone
    assert _payments(data_dir, "reporting_year = ?", ["2025-26"])[0] > 0  # the new month's added
    incremental = _marts(data_dir)

    rebuilt = impact("run", "--rebuild", "--data-dir", str(data_dir))
    assert WHOLE in _log(rebuilt)
    assert _marts(data_dir) == incremental
    assert _unit_tests_run(data_dir)  # a complete build runs dbt's unit tests


def test_a_changed_supplier_register_reclassifies_every_payment(data_dir):
    register = data_dir / "landing" / "spend" / "supplier-register.csv"
    table = list(csv.DictReader(io.StringIO(register.read_text(encoding="utf-8"))))
    with duckdb.connect(str(data_dir / "warehouse" / "impact.duckdb"), read_only=True) as con:
        ref, = con.execute("SELECT matched_supplier_ref FROM marts.fct_payments WHERE supplier_match = 'supplier_ref' "
                           "AND NOT is_sme GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").fetchone()
    for row in table:
        if row["Supplier ID"] == ref:
            row["SME"], row["Supplier Type"] = "Y", "private"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(table[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(table)
    register.write_text(out.getvalue(), encoding="utf-8")  # a new version of the register

    run = impact("run", "--data-dir", str(data_dir))
    assert f"{WHOLE}: raw.spend__suppliers changed" in _log(run)
    count, _ = _payments(data_dir, "matched_supplier_ref = ? AND NOT is_sme", [ref])
    assert count == 0 and _payments(data_dir, "matched_supplier_ref = ? AND is_sme", [ref])[0] > 0
