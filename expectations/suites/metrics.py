"""The gate's suite over `marts.metrics` for one reporting year: year-on-year movement.

The shape of the metrics (units, ranges and scales, intervals, numerator and denominator, a value
or a reason, one row per key, every implemented metric present) is a structural contract of the
mart and dbt checks it (dbt_project/models/marts/_marts__models.yml, dbt_project/tests/); the gate
refuses a year whose build failed those checks (expectations/build_checks.py). What stays here is
publication policy: how far a published figure may move from the year before. The movement is
computed with pandas into a derived frame and a GX expectation judges it.
"""

from __future__ import annotations

import pandas as pd
from great_expectations import expectations as gxe

from expectations.suites.check import Check, SuiteSpec
from partnership.reporting_years import previous_year


def metric_year_on_year_suite(metrics: pd.DataFrame, year: str, warning_pct: float) -> SuiteSpec:
    """One row per metric and geography reported in both years: the % change between them."""
    keys = ["metric_id", "geography_level", "geography_code"]
    current = metrics[metrics["reporting_year"] == year][[*keys, "value"]]
    before = metrics[metrics["reporting_year"] == previous_year(year)][[*keys, "value"]]
    frame = current.merge(before, on=keys, suffixes=("", "_previous_year"))
    frame = frame[frame["value"].notna() & frame["value_previous_year"].notna()]
    # a change from zero has no percentage; those rows are left out rather than made infinite
    frame = frame[frame["value_previous_year"] != 0].reset_index(drop=True)
    frame["change_pct"] = (
        (frame["value"] - frame["value_previous_year"]).abs()
        / frame["value_previous_year"].abs() * 100
    ).astype("float64")
    check = Check(
        f"year-on-year change is at most {warning_pct:g}%", "warning",
        gxe.ExpectColumnValuesToBeBetween(column="change_pct", min_value=0, max_value=warning_pct),
        f"|value - previous year| / |previous year| <= {warning_pct:g}%",
    )
    return SuiteSpec("metric_year_on_year", frame, (check,))


def metric_suites(metrics: pd.DataFrame, year: str, *, yoy_warning_pct: float = 50.0) -> list[SuiteSpec]:
    """The metric suites for one reporting year; `metrics` holds every year (for year on year)."""
    return [metric_year_on_year_suite(metrics, year, yoy_warning_pct)]
