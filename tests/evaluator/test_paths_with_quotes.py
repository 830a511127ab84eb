"""A data directory whose path holds a quote or a space (`/srv/St John's partnership/data`): the
snapshot, its Parquet copies and the evaluators' views.sql are written and read back. DuckDB's
ATTACH and COPY ... TO take the path inside the statement; it once broke the snapshot's run."""

from __future__ import annotations

import duckdb

from partnership.sql_text import literal
from publication.snapshot import build_snapshot


def test_the_snapshot_and_its_parquet_copies_live_under_a_path_with_a_quote(tmp_path):
    root = tmp_path / "St John's partnership" / "dätä 1"
    warehouse = root / "warehouse" / "impact.duckdb"
    warehouse.parent.mkdir(parents=True)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("CREATE SCHEMA marts")
        con.execute("CREATE TABLE marts.metrics AS SELECT 'PP01' AS metric_id, '2024-25' AS reporting_year, "
                    "1.5 AS value")
    published = root / "published" / "impact.duckdb"
    assert build_snapshot(warehouse, published, "run-1") == {"marts.metrics": 1}
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("SELECT metric_id, value FROM marts.metrics").fetchall() == [("PP01", 1.5)]
    views = root / "published" / "parquet" / "views.sql"
    with duckdb.connect() as con:  # as an evaluator runs it: duckdb -c ".read views.sql"
        for statement in filter(None, (s.strip() for s in views.read_text(encoding="utf-8").split(";\n"))):
            if not statement.startswith("--") or "\n" in statement:
                con.execute(statement)
        assert con.execute("SELECT reporting_year, value FROM marts.metrics").fetchall() == [("2024-25", 1.5)]


def test_a_literal_doubles_quotes():
    with duckdb.connect() as con:
        assert con.execute(f"SELECT {literal(chr(39) + 'a' + chr(39) + chr(39) + 'b')}").fetchone() == ("'a''b",)
