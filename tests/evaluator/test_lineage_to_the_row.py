"""marts.metric_lineage: for every metric whose value is a plain aggregate of fact rows, the rows
its filter selects re-aggregate to the published value, for every year and geography; and each of
those rows leads to a file of the publication and a line within it."""

from __future__ import annotations

import math

import duckdb
import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture
def snapshot(snapshot_path):
    con = duckdb.connect(str(snapshot_path), read_only=True)
    yield con
    con.close()


def test_every_implemented_metric_has_a_lineage_row(snapshot):
    missing = snapshot.execute(
        "SELECT metric_id FROM marts.metric_catalogue WHERE status = 'implemented' "
        "EXCEPT SELECT metric_id FROM marts.metric_lineage").fetchall()
    assert not missing
    without_rule = snapshot.execute(
        "SELECT metric_id FROM marts.metric_lineage WHERE value_sql IS NULL AND notes IS NULL").fetchall()
    assert not without_rule


def test_traced_rows_re_aggregate_to_every_published_value(snapshot):
    rules = snapshot.execute("SELECT metric_id, fact_table, row_filter, value_sql FROM marts.metric_lineage "
                             "WHERE value_sql IS NOT NULL").fetchall()
    families = {metric_id[:2] for metric_id, *_ in rules}
    assert {"PP", "FE", "WB", "PO", "IN"} <= families
    checked = 0
    for metric_id, table, row_filter, value_sql in rules:
        values = snapshot.execute("SELECT reporting_year, geography_code, value FROM marts.metrics "
                                  "WHERE metric_id = ? AND value IS NOT NULL", [metric_id]).fetchall()
        for year, geography, published in values:
            params = {"reporting_year": year, "geography_code": geography}
            traced = snapshot.execute(f"SELECT {value_sql} FROM {table} WHERE {row_filter}", params).fetchone()[0]
            assert traced is not None and math.isclose(traced, published, rel_tol=1e-9, abs_tol=1e-6), \
                (metric_id, year, geography, published, traced)
            checked += 1
    assert checked > 200


@pytest.mark.parametrize("metric_id", ["PP02", "WB05", "FE03"])
def test_traced_rows_lead_to_source_files_and_lines(snapshot, metric_id):
    table, row_filter = snapshot.execute(
        "SELECT fact_table, row_filter FROM marts.metric_lineage WHERE metric_id = ?", [metric_id]).fetchone()
    params = {"reporting_year": "2024-25", "geography_code": "E10000025"}
    if table == "marts.fct_wellbeing_pairs":  # a pair leads to its two responses
        rows = snapshot.execute(
            f"SELECT r._source_file, r._row_number, r._load_id FROM (SELECT * FROM {table} WHERE {row_filter}) AS p "
            "JOIN marts.fct_responses AS r ON r.response_id IN (p.baseline_response_id, p.follow_up_response_id)",
            params).fetchall()
    else:
        rows = snapshot.execute(f"SELECT _source_file, _row_number, _load_id FROM {table} WHERE {row_filter}",
                                params).fetchall()
    assert rows
    # rows and files both name the sheet of a workbook (<file>#<sheet>) and the member of a ZIP (<file>!<member>)
    files = {(f, load): rows_read for f, load, rows_read in snapshot.execute(
        "SELECT source_file, load_id, max(rows_read) FROM lineage.files GROUP BY ALL").fetchall()}
    for source_file, row_number, load_id in rows:
        assert (source_file, load_id) in files
        assert 1 <= row_number <= files[(source_file, load_id)] + 50  # header and preamble lines
