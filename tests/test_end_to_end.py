"""The whole product on demo data, as a steward runs it: `impact demo` into a temporary directory,
then every output checked against what the demo generator says it planted."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import openpyxl
import pytest

from demo.generate import build_files, summarise

pytestmark = pytest.mark.e2e
YEAR = "2024-25"


@pytest.fixture(scope="module")
def demo_run(demo_data_dir):
    data_dir, stdout, scale, seed = demo_data_dir
    summary = summarise(build_files(seed, scale), data_dir / "landing", seed, scale)
    return data_dir, stdout, summary


def _warehouse(data_dir: Path):
    return duckdb.connect(str(data_dir / "warehouse" / "impact.duckdb"), read_only=True)


def test_cli_says_where_the_outputs_are(demo_run):
    data_dir, stdout, _ = demo_run
    assert "succeeded" in stdout and f"gate      {YEAR}: passed" in stdout
    assert str(data_dir / "published" / "impact.duckdb") in stdout
    assert f"exports/{YEAR}/r001" in stdout


def test_the_demo_console_is_one_line_per_stage_and_the_rest_is_in_the_log(demo_run):
    data_dir, stdout, _ = demo_run
    lines = stdout.splitlines()
    assert len(lines) < 30, stdout
    assert max(len(line) for line in lines) < 400
    stages = [line.split()[0] for line in lines if line.startswith("  ") and not line.startswith("   ")]
    for stage in ("landing", "ingest", "dbt", "gate", "snapshot", "pack"):
        assert stage in stages, stdout
    [log] = (data_dir / "logs").glob("impact-demo-*.log")
    assert str(log) in stdout
    assert "START" in log.read_text() and "START" not in stdout  # dbt's node lines went to the log


def test_row_counts_per_feed_match_what_the_demo_planted(demo_run):
    data_dir, _, summary = demo_run
    con = _warehouse(data_dir)
    for table, expected in summary.expected_loaded().items():
        assert con.execute(f"SELECT count(*) FROM raw.{table}").fetchone()[0] == expected, table
    assert summary.count("spend", "payments").rows_loaded > 5_000


def test_every_planted_defect_is_in_the_quarantine(demo_run):
    data_dir, _, summary = demo_run
    con = _warehouse(data_dir)
    rows = con.execute("SELECT source_file, row_number, column_name, reason FROM raw.quarantine").fetchall()
    for defect in summary.defects:
        hits = [r for r in rows if r[0].split("#")[0] == defect.file_name and r[1] == defect.row_number
                and r[2] == defect.column]
        assert hits, f"planted defect not quarantined: {defect}"
    assert len(rows) == summary.quarantine_records


def test_participants_enrolled_recomputed_from_the_landing_files(demo_run):
    """FE01 for the county, counted here straight from the providers' workbooks."""
    data_dir, _, summary = demo_run
    bad_rows = {(d.file_name, d.row_number) for d in summary.defects if d.entity == "participants"}
    start, end = dt.date(2024, 4, 1), dt.date(2025, 3, 31)
    people = set()
    for path in sorted((data_dir / "landing" / "programme").glob("*.xlsx")):
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        rows = list(book["Participants"].iter_rows(values_only=True))
        header = [str(h) for h in rows[0]]
        ref = header.index(next(h for h in header if h.lower() in ("client id", "participant id", "participant_ref")))
        prov = header.index(next(h for h in header if h.lower() in ("provider", "provider name", "delivery partner")))
        when = header.index(next(h for h in header if "enrol" in h.lower() or "start date" in h.lower()))
        for number, row in enumerate(rows[1:], start=2):
            if (path.name, number) in bad_rows or not row[ref]:
                continue
            enrolled = row[when]
            enrolled = enrolled.date() if isinstance(enrolled, dt.datetime) else \
                dt.datetime.strptime(str(enrolled), "%d/%m/%Y").date()
            if start <= enrolled <= end:
                people.add((row[prov], row[ref]))
    snapshot = duckdb.connect(str(data_dir / "published" / "impact.duckdb"), read_only=True)
    value = snapshot.execute(
        "SELECT value FROM marts.metrics WHERE metric_id = 'FE01' AND reporting_year = ? "
        "AND geography_level = 'county'", [YEAR]).fetchone()[0]
    assert value == len(people) > 0


def test_gate_passed_and_results_are_published(demo_run):
    data_dir, _, _ = demo_run
    snapshot = duckdb.connect(str(data_dir / "published" / "impact.duckdb"), read_only=True)
    failed_errors = snapshot.execute(
        "SELECT count(*) FROM gate.results WHERE reporting_year = ? AND severity = 'error' AND NOT passed",
        [YEAR]).fetchone()[0]
    evaluated = snapshot.execute("SELECT count(*) FROM gate.results WHERE reporting_year = ?", [YEAR]).fetchone()[0]
    assert evaluated > 0 and failed_errors == 0
    schemas = {r[0] for r in snapshot.execute("SELECT DISTINCT schema_name FROM duckdb_tables()").fetchall()}
    assert "raw" not in schemas  # no quarantine payloads or raw rows for evaluators


def test_snapshot_is_read_only(demo_run):
    data_dir, _, _ = demo_run
    snapshot = duckdb.connect(str(data_dir / "published" / "impact.duckdb"), read_only=True)
    with pytest.raises(duckdb.Error):
        snapshot.execute("CREATE TABLE marts.sneaky AS SELECT 1")


def test_workbook_and_csvs_open(demo_run):
    data_dir, _, _ = demo_run
    folder = data_dir / "exports" / YEAR / "r001"
    [workbook] = folder.glob("*.xlsx")
    book = openpyxl.load_workbook(workbook)
    assert len(book.sheetnames) >= 4
    assert any(c.value and YEAR in str(c.value) for row in book.worksheets[0].iter_rows() for c in row)
    assert (folder / "manifest.json").exists() and list(folder.glob("*.csv"))


PERSONAL = {
    "e-mail": re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+"),
    "NI number": re.compile(r"\b[A-CEGHJ-PR-TW-Z]{2}\d{6}[A-D]\b"),
    "full postcode": re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b"),
    "phone": re.compile(r"\b0\d{9,10}\b|\+44\s?\d{9,10}"),
}


def test_nothing_personal_in_any_warehouse_or_published_table(demo_run):
    data_dir, _, _ = demo_run
    for path in (data_dir / "warehouse" / "impact.duckdb", data_dir / "published" / "impact.duckdb"):
        con = duckdb.connect(str(path), read_only=True)
        columns = con.execute(
            "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
            "WHERE data_type = 'VARCHAR' AND schema_name NOT IN ('information_schema', 'pg_catalog')"
        ).fetchall()
        for schema, table, column in columns:
            if schema == "raw" and table == "quarantine" and column in ("reason", "column_name"):
                continue
            values = [v for (v,) in con.execute(
                f'SELECT DISTINCT "{column}" FROM {schema}."{table}" WHERE "{column}" IS NOT NULL').fetchall()]
            for kind, pattern in PERSONAL.items():
                found = [v for v in values if pattern.search(v)]
                assert not found, f"{kind} in {path.name} {schema}.{table}.{column}: {found[:3]}"
        con.close()
