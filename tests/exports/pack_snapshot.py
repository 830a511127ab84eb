"""A hand-made published snapshot (columns per docs/architecture.md) built to tempt differencing."""

from __future__ import annotations

from pathlib import Path

import duckdb

YEAR = "2024-25"
DISTRICTS = [("E07000177", "Cherwell"), ("E07000178", "Oxford"),
             ("E07000179", "South Oxfordshire"), ("E07000180", "Vale of White Horse")]
CATALOGUE = [
    # metric_id, name, family, unit, is_person_count
    ("PP01", "Analysed spend", "procurement", "gbp", False),
    ("PP02", "Spend with county suppliers", "procurement", "pct", False),
    ("PP10", "Distinct local suppliers paid", "procurement", "count", False),
    ("FE01", "Participants enrolled", "employment", "count", True),
    ("FE02", "Participants living in deciles 1-2", "employment", "pct", False),
    ("WB01", "Mean life satisfaction", "wellbeing", "mean", False),
]
PERSON_METRICS = {m for m, *_, person in CATALOGUE if person}


def _row(metric_id, level, code, name, value, unit, numerator=None, denominator=None, n=None,
         ci=(None, None), reason=None):
    return (metric_id, YEAR, level, code, name, value, numerator, denominator, n, *ci, unit, "up",
            reason, None)


def snapshot_metrics() -> list[tuple]:
    county = ("county", "E10000025", "Oxfordshire")
    rows = [
        _row("PP01", *county, 1_234_567.0, "gbp"),
        _row("PP02", *county, 44.0, "pct", 543_209.0, 1_234_567.0),
        _row("PP10", *county, 12.0, "count"),
        _row("FE01", *county, 100.0, "count"),
        _row("FE02", *county, 30.0, "pct", 30.0, 100.0),
        _row("WB01", *county, 7.3, "mean", n=400, ci=(7.1, 7.5)),
    ]
    fe01 = [3.0, 0.0, 20.0, 77.0]  # Oxford's 3 would be county - the rest without secondary
    fe02 = [(2.0, 6.0), (5.0, 20.0), (8.0, 30.0), (15.0, 44.0)]
    wb01 = [(8, 6.0), (150, 7.4), (120, 7.2), (122, 7.4)]
    for i, (code, name) in enumerate(DISTRICTS):
        district = ("district", code, name)
        rows += [
            _row("PP01", *district, [5.0, 300_000.0, 400_000.0, 834_562.0][i], "gbp"),
            _row("PP02", *district, 40.0 + i, "pct", 1000.0 * (40 + i), 100_000.0),
            _row("PP10", *district, 3.0, "count"),
            _row("FE01", *district, fe01[[1, 0, 2, 3][i]], "count"),
            _row("FE02", *district, 100 * fe02[i][0] / fe02[i][1], "pct", *fe02[i]),
            _row("WB01", *district, wb01[i][1], "mean", n=wb01[i][0]),
        ]
    return rows


TOC = [
    ("T1", "social_value_procurement", "outcome", "Local spend", "PP02", 44.0, 40.0, 60.0, 0.2,
     "green"),
    ("T2", "inclusive_employment", "output", "Enrolled", "FE01", 100.0, 120.0, 200.0, -0.25,
     "red"),
    ("T3", "inclusive_employment", "outcome", "Deciles 1-2", "FE02", 30.0, 28.0, 40.0, 0.1,
     "amber"),
    ("T4", "place_based", "impact", "Wellbeing", "WB01", None, 7.0, 7.5, None, "grey"),
]


def build_snapshot(path: Path, *, with_optional: bool = True, gate_failed: bool = False) -> Path:
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute(
        "create table marts.metrics (metric_id varchar, reporting_year varchar, "
        "geography_level varchar, geography_code varchar, geography_name varchar, value double, "
        "numerator double, denominator double, n integer, ci_low double, ci_high double, "
        "unit varchar, direction varchar, no_data_reason varchar, notes varchar)")
    con.executemany(f"insert into marts.metrics values ({', '.join('?' * 15)})",
                    snapshot_metrics())
    con.execute(
        "create table marts.metric_catalogue (metric_id varchar, name varchar, goal varchar, "
        "family varchar, definition varchar, numerator varchar, denominator varchar, "
        "unit varchar, direction varchar, source varchar, is_person_count boolean)")
    con.executemany(
        "insert into marts.metric_catalogue values (?, ?, 'goal', ?, ?, null, null, ?, 'up', "
        "'demo', ?)",
        [(m, name, fam, f"Definition of {name}", unit, p) for m, name, fam, unit, p in CATALOGUE])
    if with_optional:
        con.execute(
            "create table marts.toc_indicators (indicator_id varchar, working_group varchar, "
            "toc_level varchar, indicator_name varchar, metric_id varchar, "
            "reporting_year varchar, actual double, baseline_year varchar, baseline_value double,"
            " target_year varchar, target_value double, direction varchar, "
            "change_since_baseline double, share_of_way_to_target double, rag_status varchar, "
            "data_quality varchar)")
        con.executemany(
            "insert into marts.toc_indicators values "
            "(?, ?, ?, ?, ?, '2024-25', ?, '2023-24', ?, '2027-28', ?, 'up', null, ?, ?, 'ok')",
            TOC)
        con.execute("create schema gate")
        con.execute(
            "create table gate.results (run_id varchar, reporting_year varchar, suite varchar, "
            "expectation varchar, severity varchar, passed boolean, observed varchar, "
            "expected varchar, concerns varchar, validated_at timestamptz)")
        latest_passed = not gate_failed
        con.execute(
            "insert into gate.results values "
            "('old', '2024-25', 'metric_values', 'percentages lie between 0 and 100', 'error', "
            " false, '1 of 4 rows unexpected: [140.0]', '0..100', 'PP02/county', "
            " '2025-05-01 10:00:00+00'),"
            "('new', '2024-25', 'metric_values', 'percentages lie between 0 and 100', 'error', "
            f" {latest_passed}, '0 of 4 rows unexpected', '0..100', '', '2025-05-02 10:00:00+00'),"
            "('new', '2024-25', 'metric_year_on_year', 'year-on-year change is at most 50%', "
            " 'warning', false, '1 of 6 rows unexpected: [210.0]', '<= 50%', "
            " 'PP01/county/E10000025', '2025-05-02 10:00:00+00')")
        con.execute(
            "create table marts.fct_payments as select * from (values "
            "('p1', '2024-25', date '2024-04-03', 100.0, 'spend/county-2024-q1.csv', 7),"
            "('p2', '2024-25', date '2024-05-09', 250.0, 'spend/county-2024-q1.csv', 8),"
            "('p3', '2023-24', date '2024-03-28', 75.0, 'spend/county-2023-q4.csv', 2))"
            " t(payment_id, reporting_year, payment_date, amount_gbp, _source_file, _row_number)")
        con.execute("create schema lineage")
        con.execute(
            "create table lineage.load_audit (load_id varchar, feed varchar, entity varchar, "
            "source_file varchar, file_sha256 varchar, publisher varchar, status varchar, "
            "message varchar, rows_read integer, rows_loaded integer, rows_quarantined integer, "
            "rows_skipped_footer integer, columns_dropped varchar, net_amount_gbp decimal(18,2),"
            " loaded_at timestamptz)")
        con.execute(
            "insert into lineage.load_audit values "
            "('l1', 'spend', 'payments', 'spend/county-2024-q1.csv', 'ab12', 'County Council', "
            " 'loaded', null, 1000, 990, 10, 2, 'payee_name', 123456.78, '2025-04-30 09:00:00+00'),"
            "('l2', 'programme', 'participants', 'programme/bad.xlsx', 'cd34', 'Provider A', "
            " 'refused', 'missing column participant_ref', 0, 0, 0, 0, null, null, "
            " '2025-04-30 09:05:00+00')")
    con.close()
    return path
