"""What the evaluators' snapshot holds: marts, catalogue, lineage, a publication record that
matches every table, Parquet copies of the same publication, and nothing private."""

from __future__ import annotations

import json
import os

import duckdb
import polars as pl
import pytest
from publication_record import check_consistent

from partnership.config import DEMO_PSEUDONYMISATION_KEY

pytestmark = pytest.mark.e2e


@pytest.fixture
def snapshot(snapshot_path):
    con = duckdb.connect(str(snapshot_path), read_only=True)
    yield con
    con.close()


def _tables(con) -> set[str]:
    return {f"{s}.{t}" for s, t in con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database()").fetchall()}


def test_the_snapshot_has_marts_catalogue_and_lineage(snapshot):
    tables = _tables(snapshot)
    for name in ("marts.metrics", "marts.metric_catalogue", "marts.metric_lineage", "marts.toc_indicators",
                 "marts.fct_payments", "marts.fct_responses", "marts.fct_wellbeing_pairs", "marts.dim_districts",
                 "lineage.load_audit", "lineage.files", "lineage.publication", "lineage.publication_tables",
                 "gate.results", "reference.metric_definitions"):
        assert name in tables, name
    assert not {t for t in tables if t.split(".")[0] in ("raw", "staging", "intermediate", "main")}


def test_nothing_from_the_quarantine_and_no_key(snapshot):
    tables = _tables(snapshot)
    assert not [t for t in tables if "quarantine" in t]
    columns = snapshot.execute(
        "SELECT schema_name, table_name, column_name, data_type FROM duckdb_columns() "
        "WHERE database_name = current_database()").fetchall()
    assert not [c for c in columns if c[2] in ("raw_value", "pseudonymisation_key", "key")]
    for schema, table, column, data_type in columns:
        if data_type != "VARCHAR":
            continue
        hits = snapshot.execute(
            f'SELECT count(*) FROM {schema}."{table}" WHERE contains("{column}", ?)',
            [DEMO_PSEUDONYMISATION_KEY]).fetchone()[0]
        assert hits == 0, f"the pseudonymisation key is in {schema}.{table}.{column}"


def test_the_publication_record_matches_every_table(snapshot, demo_dir):
    run_id = check_consistent(snapshot)
    [(tables, row_counts)] = snapshot.execute("SELECT tables, row_counts FROM lineage.publication").fetchall()
    counts = json.loads(row_counts)
    assert tables == len(counts) == len(_tables(snapshot)) - 2  # all but the two publication tables
    assert counts["marts.fct_payments"] > 1000 and counts["lineage.files"] > 10
    with pytest.raises(AssertionError, match="recorded"):  # the check can fail
        fake = duckdb.connect()
        fake.execute("CREATE SCHEMA lineage; CREATE SCHEMA marts; CREATE TABLE marts.t AS SELECT 1 AS a")
        fake.execute("CREATE TABLE lineage.publication AS SELECT 'x' AS run_id, '{\"marts.t\": 2}' AS row_counts")
        fake.execute("CREATE TABLE lineage.publication_tables AS SELECT 'x' AS run_id, 'marts.t' AS table_name, "
                     "2 AS row_count")
        check_consistent(fake)
    assert run_id in (demo_dir / "published" / "parquet" / "views.sql").read_text()


def test_file_list_accounts_for_every_fact_row(snapshot):
    files = snapshot.execute("SELECT count(*), sum(rows_loaded) FROM lineage.files").fetchone()
    assert files[0] > 10 and files[1] > 0
    for fact in ("fct_payments", "fct_responses", "fct_outcomes", "fct_participants", "fct_pledge_status",
                 "dim_signatories"):
        orphans = snapshot.execute(
            f"SELECT count(*) FROM marts.{fact} AS f ANTI JOIN lineage.files AS l "
            "ON f._load_id = l.load_id AND f._source_file = l.source_file").fetchone()[0]
        assert orphans == 0, fact
        assert snapshot.execute(f"SELECT count(*) FROM marts.{fact} WHERE _row_number < 1").fetchone()[0] == 0


def test_parquet_copies_and_views_sql_give_the_same_tables(snapshot, demo_dir, tmp_path):
    folder = demo_dir / "published" / "parquet"
    assert folder.is_symlink() and (folder / "views.sql").exists()
    expected = dict(snapshot.execute("SELECT table_name, row_count FROM lineage.publication_tables").fetchall())
    fresh = duckdb.connect()
    cwd = os.getcwd()
    try:
        os.chdir(tmp_path)  # anywhere: views.sql names its files by absolute path
        for line in (folder / "views.sql").read_text().splitlines():  # line by line, as R would
            if not line.startswith("--"):
                fresh.execute(line)
        for name, count in expected.items():
            assert fresh.execute(f"SELECT count(*) FROM {name}").fetchone()[0] == count, name
    finally:
        os.chdir(cwd)
    metrics = pl.read_parquet(folder / "marts.metrics.parquet")
    assert metrics.height == expected["marts.metrics"]
    assert {"metric_id", "reporting_year", "geography_code", "value", "ci_low", "ci_high"} <= set(metrics.columns)


def test_snapshot_file_is_read_only_on_disk(snapshot_path):
    assert not os.stat(snapshot_path).st_mode & 0o222
