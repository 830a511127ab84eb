"""Coverage parameters, reporting-year labels, and broken inputs ending as gate errors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from gate_marts import YEAR

from expectations import CoverageThresholds, validate_year
from expectations.suites.coverage import year_bounds

ONE_MONTH_SHORT = (
    "delete from marts.fct_payments where anchor = 'Oxford City Council' and "
    "payment_date between date '2024-11-01' and date '2024-11-30'"
)


def failed(result):
    return [(o.suite, o.expectation, o.severity, o.concerns) for o in result.outcomes
            if not o.passed]


@pytest.mark.parametrize("statement, needle", [
    ("drop table marts.fct_responses", "fct_responses"),
    ("drop table marts.fct_payments", "fct_payments"),
    ("alter table marts.fct_payments drop column payment_date", "payment_date"),
    ("alter table marts.fct_outcomes drop column outcome_on", "outcome_on"),
    ("alter table marts.fct_pledge_status drop column status_updated_on", "status_updated_on"),
])
def test_missing_feed_table_or_column_is_an_error_not_a_pass(statement, needle, warehouse,
                                                             tmp_path: Path):
    con = warehouse()
    con.execute(statement)
    result = validate_year(con, YEAR, tmp_path / "gx")
    assert result.status == "error"
    assert needle in result.message
    [(suite, expectation, severity, _)] = failed(result)
    assert (suite, severity) == ("coverage", "error")
    assert all(o.passed for o in result.outcomes if o.suite != "coverage")  # the rest still ran


def test_an_anchor_that_stopped_paying_is_named(warehouse, tmp_path: Path):
    con = warehouse()
    con.execute("delete from marts.fct_payments where anchor = 'Oxford City Council' "
                f"and reporting_year = '{YEAR}'")
    result = validate_year(con, YEAR, tmp_path / "gx")
    assert failed(result) == [("coverage", "each anchor's spend covers at least 10 months of "
                               "the year", "error", ("spend/Oxford City Council",))]
    assert "[0]" in result.failures[0].observed


def test_coverage_thresholds_are_parameters(warehouse, tmp_path: Path):
    con = warehouse()
    con.execute(ONE_MONTH_SHORT)
    assert validate_year(con, YEAR, tmp_path / "gx").status == "warned"
    lenient = CoverageThresholds(payment_months_full=11)
    assert validate_year(con, YEAR, tmp_path / "gx", coverage=lenient).status == "passed"
    strict = CoverageThresholds(payment_months_warning_from=12, wellbeing_responses=6)
    result = validate_year(con, YEAR, tmp_path / "gx", coverage=strict)
    assert {(o.expectation, o.severity) for o in result.failures} == {
        ("each anchor's spend covers at least 12 months of the year", "error"),
        ("the wellbeing survey has responses in the year", "error"),
    }


def test_a_wrong_year_start_month_is_an_error_not_a_quiet_miscount(warehouse, tmp_path: Path):
    result = validate_year(warehouse(), YEAR, tmp_path / "gx",
                           coverage=CoverageThresholds(year_start_month=1))
    assert result.status == "error"
    assert "start month" in result.message


def test_quarters_are_named_by_their_first_month(warehouse, tmp_path: Path):
    con = warehouse()
    con.execute("delete from marts.fct_outcomes where outcome_on >= date '2025-01-01'")
    [gap] = validate_year(con, YEAR, tmp_path / "gx").failures
    assert gap.concerns == ("programme/Q4 (from Jan 2025)",)


def test_year_bounds_of_a_label():
    assert year_bounds("2024-25", 4) == (date(2024, 4, 1), date(2025, 4, 1))
    assert year_bounds("2024-25", 9) == (date(2024, 9, 1), date(2025, 9, 1))
    assert year_bounds("2025", 4) == (date(2025, 1, 1), date(2026, 1, 1))


def test_a_bad_year_label_is_an_error(warehouse, tmp_path: Path):
    result = validate_year(warehouse(), "FY2024", tmp_path / "gx")
    assert result.status == "error" and "FY2024" in result.message


def _open_year(as_of: date, feeds=("charter", "programme", "spend", "wellbeing")) -> CoverageThresholds:
    return CoverageThresholds(as_of=as_of, feeds=feeds)


def test_an_open_year_is_checked_to_date(warehouse, tmp_path: Path):
    """On 20 Oct 2024 spend is due for April to August (month end + 38 days), programme returns for
    Q1 (quarter end + 99 days), pledge updates; the year's survey is not due yet."""
    con = warehouse()
    for table, column in (("fct_payments", "payment_date"), ("fct_participants", "enrolled_on"),
                          ("fct_outcomes", "outcome_on")):
        con.execute(f"delete from marts.{table} where {column} >= date '2024-09-01'")
    con.execute(f"delete from marts.fct_responses where reporting_year = '{YEAR}'")
    result = validate_year(con, YEAR, tmp_path / "gx", coverage=_open_year(date(2024, 10, 20)))
    coverage = {o.expectation for o in result.outcomes if o.suite == "coverage"}
    assert "each anchor's spend covers all 5 months due by 20 Oct 2024 (the year is open)" in coverage
    assert "the wellbeing survey has responses in the year" not in coverage
    assert all(o.passed for o in result.outcomes if o.suite == "coverage"), failed(result)
    # the same year, closed, is far from complete
    closed = validate_year(con, YEAR, tmp_path / "gx")
    assert {o.suite for o in closed.failures} == {"coverage"}


def test_what_an_open_year_misses_to_date_is_a_warning_and_an_error_once_it_closes(warehouse, tmp_path: Path):
    con = warehouse()
    con.execute("delete from marts.fct_payments where payment_date >= date '2024-09-01'")
    con.execute("delete from marts.fct_payments where anchor = 'Oxford City Council' "
                "and payment_date >= date '2024-06-01'")  # three of the five months due are missing
    to_date = validate_year(con, YEAR, tmp_path / "gx", coverage=_open_year(date(2024, 10, 20), ("spend",)))
    assert to_date.status == "warned"
    assert [(o.expectation, o.severity, o.concerns) for o in to_date.outcomes if not o.passed] == [
        ("each anchor's spend covers all 5 months due by 20 Oct 2024 (the year is open)", "warning",
         ("spend/Oxford City Council",))]
    closed = validate_year(con, YEAR, tmp_path / "gx", coverage=CoverageThresholds(feeds=("spend",)))
    assert closed.status == "failed"


def test_only_the_feeds_collected_are_checked(warehouse, tmp_path: Path):
    con = warehouse()
    for table in ("fct_responses", "fct_participants", "fct_outcomes", "fct_pledge_status"):
        con.execute(f"drop table marts.{table}")  # a spend-only partnership: no such facts at all
    result = validate_year(con, YEAR, tmp_path / "gx", coverage=CoverageThresholds(feeds=("spend",)))
    assert result.status == "passed", failed(result)
    assert {o.expectation for o in result.outcomes if o.suite == "coverage"} == {
        "each anchor's spend covers at least 10 months of the year",
        "each anchor's spend covers all 12 months of the year"}
