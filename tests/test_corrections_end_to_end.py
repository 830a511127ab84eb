"""Corrections as a steward makes them, then the whole pipeline: a new version of a loaded file
(same name) and a correction under another name (declared with `impact ingest --replaces`), then
`impact run`, which must build, pass the gate and publish a new pack revision (issue 12, class 1:
a `superseded` load used to fail dbt and block every publication)."""

from __future__ import annotations

import shutil
import subprocess

import duckdb
import openpyxl
import pytest
from impact_cli import impact as run_impact

pytestmark = pytest.mark.e2e
YEAR = "2024-25"
OCC = "oxford-city-council-payments-over-500-2024-06.csv"
OUH = "ouh-supplier-payments-jun-2024.csv"
OUH_FIXED = "ouh-supplier-payments-jun-2024-corrected.csv"


def impact(*args: str) -> subprocess.CompletedProcess:
    return run_impact(*args)


def _payments(con, source: str) -> tuple:
    return con.execute("SELECT count(*), sum(amount_gbp) FROM marts.fct_payments WHERE _source_file = ?",
                       [source]).fetchone()


def test_corrections_then_the_whole_pipeline_publishes(demo_data_dir, tmp_path):
    source, *_ = demo_data_dir
    data_dir = tmp_path / "data"
    shutil.copytree(source, data_dir, symlinks=True)
    spend = data_dir / "landing" / "spend"
    before = duckdb.connect(str(data_dir / "published" / "impact.duckdb"), read_only=True)
    occ_rows, _ = _payments(before, OCC)
    ouh_rows, _ = _payments(before, OUH)
    before.close()

    # 1. A new version of a loaded file, same name: the publisher adds a payment it had missed.
    occ = spend / OCC
    lines = occ.read_bytes().rstrip(b"\r\n").split(b"\r\n")
    occ.write_bytes(b"\r\n".join([*lines, lines[-1]]) + b"\r\n")  # a repeated line is a payment too
    # 2. A correction under another name: the last payment of June withdrawn, declared as replacing OUH.
    ouh_lines = (spend / OUH).read_bytes().split(b"\n")
    total = next(i for i, line in enumerate(ouh_lines) if line.startswith(b"Total"))
    (spend / OUH_FIXED).write_bytes(b"\n".join(ouh_lines[:total - 1] + ouh_lines[total:]))
    declared = impact("ingest", str(spend / OUH_FIXED), "--replaces", OUH, "--data-dir", str(data_dir))
    assert declared.returncode == 0, declared.stdout + declared.stderr
    assert f"{OUH_FIXED}: replaced" in declared.stdout and (spend / f"{OUH_FIXED}.replaces").exists()

    run = impact("run", "--year", YEAR, "--data-dir", str(data_dir))
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    assert "succeeded" in run.stdout and f"exports/{YEAR}/r002" in run.stdout

    snapshot = duckdb.connect(str(data_dir / "published" / "impact.duckdb"), read_only=True)
    statuses = dict(snapshot.execute(
        "SELECT source_file, list(status ORDER BY loaded_at) FROM lineage.load_audit "
        "WHERE source_file IN (?, ?, ?) GROUP BY 1", [OCC, OUH, OUH_FIXED]).fetchall())
    assert statuses == {OCC: ["superseded", "replaced"], OUH: ["superseded"], OUH_FIXED: ["replaced"]}
    current = {f for (f,) in snapshot.execute("SELECT source_file FROM lineage.files").fetchall()}
    assert {OCC, OUH_FIXED} <= current and OUH not in current
    assert _payments(snapshot, OCC)[0] == occ_rows + 1
    assert _payments(snapshot, OUH)[0] == 0 and _payments(snapshot, OUH_FIXED)[0] == ouh_rows - 1

    [workbook] = (data_dir / "exports" / YEAR / "r002").glob("*.xlsx")
    data_log = openpyxl.load_workbook(workbook, read_only=True)["Data log"]
    logged = {tuple(row[:4]) for row in data_log.iter_rows(values_only=True)}
    assert any(OUH in str(cells) and "superseded" in cells for cells in logged)
