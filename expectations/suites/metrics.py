"""Suites over `marts.metrics` for one reporting year, parameterised by the year.

Single-row checks run on the year's rows as they are. Cross-row and cross-table checks
(completeness against the catalogue, year-on-year movement) are computed with pandas into a
derived frame, and a GX expectation judges that frame, so every check has a GX result.
"""

from __future__ import annotations

import pandas as pd
from great_expectations import expectations as gxe
from great_expectations.expectations.row_conditions import Column

from expectations.suites.check import Check, SuiteSpec

UNITS = ["gbp", "pct", "count", "mean", "score", "wellby", "ratio"]
GEOGRAPHY_LEVELS = ["county", "district"]
REPORTED = ["value", "no_data_reason"]
# the scale a survey mean or score lies on: metric_id -> (lowest, highest, unit, in words)
SCALES: dict[str, tuple[float, float, str, str]] = {
    "WB01": (0, 10, "mean", "mean life satisfaction (WB01) lies on its 0-10 scale"),
    "WB04": (7, 35, "score", "mean SWEMWBS wellbeing score (WB04) lies on its 7-35 scale"),
}


def start_year(reporting_year: str) -> int:
    """`2024-25` -> 2024 (a year starting after January); `2025` -> 2025 (a calendar year)."""
    text = str(reporting_year)
    start = int(text[:4]) if text[:4].isdigit() else None
    if start is None or text not in (f"{start}-{(start + 1) % 100:02d}", str(start)):
        raise ValueError(f"reporting year {reporting_year!r} is not of the form 2024-25 or 2025")
    return start


def previous_year(reporting_year: str) -> str:
    """`2024-25` -> `2023-24`; `2025` -> `2024`."""
    start = start_year(reporting_year)
    if len(reporting_year) == 4:
        return str(start - 1)
    return f"{start - 1}-{start % 100:02d}"


def _reported_as(frame: pd.DataFrame) -> pd.Series:
    """'value', 'no_data_reason' or None: how a row accounts for itself."""
    reason = frame["no_data_reason"].astype("string").str.strip().replace("", pd.NA)
    out = pd.Series(None, index=frame.index, dtype="object")
    out[reason.notna()] = "no_data_reason"
    out[frame["value"].notna()] = "value"
    return out


def implemented_metric_ids(catalogue: pd.DataFrame) -> list[str]:
    """Catalogue metrics the year must report; all of them unless the seed carries a status."""
    if "status" in catalogue.columns:
        catalogue = catalogue[catalogue["status"] == "implemented"]
    return sorted(catalogue["metric_id"].dropna().unique().tolist())


def metric_values_suite(metrics: pd.DataFrame, catalogue: pd.DataFrame, year: str) -> SuiteSpec:
    frame = metrics[metrics["reporting_year"] == year].reset_index(drop=True)
    frame = frame.assign(reported_as=_reported_as(frame))
    units = catalogue[["metric_id", "unit"]].rename(columns={"unit": "catalogue_unit"})
    frame = frame.merge(units, on="metric_id", how="left")
    reversed_ci = pd.to_numeric(frame["ci_low"]) > pd.to_numeric(frame["ci_high"])
    frame["ci_shape"] = reversed_ci.map({True: "reversed", False: "ordered"}).astype("object")
    catalogue_ids = sorted(catalogue["metric_id"].dropna().unique().tolist())
    checks = (
        Check(
            "metric is in the catalogue", "error",
            gxe.ExpectColumnValuesToBeInSet(column="metric_id", value_set=catalogue_ids),
            "every metric_id is a row of marts.metric_catalogue",
        ),
        Check(
            "each metric row has a value or a no-data reason", "error",
            gxe.ExpectColumnValuesToNotBeNull(column="reported_as"),
            "value not null, or no_data_reason set",
        ),
        Check(
            "one row per metric and geography", "error",
            gxe.ExpectCompoundColumnsToBeUnique(
                column_list=["metric_id", "geography_level", "geography_code"]
            ),
            "(metric_id, geography_level, geography_code) unique within the year",
        ),
        Check(
            "unit is a known unit", "error",
            gxe.ExpectColumnValuesToBeInSet(column="unit", value_set=UNITS),
            f"unit in {UNITS}",
        ),
        Check(
            "unit matches the catalogue", "error",
            gxe.ExpectColumnPairValuesToBeEqual(
                column_A="unit", column_B="catalogue_unit",
                ignore_row_if="either_value_is_missing",
            ),
            "unit equals the catalogue's unit for the metric",
        ),
        Check(
            "geography level is county or district", "error",
            gxe.ExpectColumnValuesToBeInSet(column="geography_level", value_set=GEOGRAPHY_LEVELS),
            f"geography_level in {GEOGRAPHY_LEVELS}",
        ),
        Check(
            "percentages lie between 0 and 100", "error",
            gxe.ExpectColumnValuesToBeBetween(
                column="value", min_value=0, max_value=100, row_condition=Column("unit") == "pct"
            ),
            "0 <= value <= 100 where unit is pct",
        ),
        Check(
            "counts are not negative", "error",
            gxe.ExpectColumnValuesToBeBetween(
                column="value", min_value=0, row_condition=Column("unit") == "count"
            ),
            "value >= 0 where unit is count",
        ),
        *(
            Check(
                words, "error",
                gxe.ExpectColumnValuesToBeBetween(
                    column="value", min_value=low, max_value=high,
                    row_condition=(Column("metric_id") == metric_id) & (Column("unit") == unit),
                ),
                f"{low:g} <= value <= {high:g} for {metric_id} ({unit})",
            )
            for metric_id, (low, high, unit, words) in SCALES.items()
        ),
        Check(
            "confidence interval is not reversed (its low end is not above its high end)",
            "error",
            gxe.ExpectColumnValuesToNotBeInSet(column="ci_shape", value_set=["reversed"]),
            "ci_low <= ci_high (a width of zero or more)",
        ),
        # the two below judge well-formed intervals only: a reversed one is reported just above
        Check(
            "value is not below its confidence interval", "error",
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="value", column_B="ci_low", or_equal=True,
                ignore_row_if="either_value_is_missing",
                row_condition=Column("ci_shape") == "ordered",
            ),
            "ci_low <= value",
        ),
        Check(
            "value is not above its confidence interval", "error",
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="ci_high", column_B="value", or_equal=True,
                ignore_row_if="either_value_is_missing",
                row_condition=Column("ci_shape") == "ordered",
            ),
            "value <= ci_high",
        ),
        Check(
            # Shares only: a ratio such as job starts per 100 enrolled (FE04) may exceed its base.
            "numerator does not exceed denominator", "error",
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="denominator", column_B="numerator", or_equal=True,
                ignore_row_if="either_value_is_missing",
                row_condition=Column("unit") == "pct",
            ),
            "numerator <= denominator",
        ),
    )
    return SuiteSpec("metric_values", frame, checks)


def metric_completeness_suite(
    metrics: pd.DataFrame, catalogue: pd.DataFrame, year: str
) -> SuiteSpec:
    """One row per implemented catalogue metric: how its county row for the year reports."""
    county = metrics[(metrics["reporting_year"] == year) & (metrics["geography_level"] == "county")]
    county = county.assign(reported_as=_reported_as(county))
    # a metric counts as reported if any of its county rows reports (duplicates are caught above)
    best = (
        county.assign(rank=county["reported_as"].map({"value": 0, "no_data_reason": 1}).fillna(2))
        .sort_values("rank")
        .drop_duplicates("metric_id")
        .set_index("metric_id")["reported_as"]
    )
    ids = implemented_metric_ids(catalogue)
    frame = pd.DataFrame({"metric_id": ids})
    frame["county_row"] = [
        ("blank" if pd.isna(best.get(m)) else best.get(m)) if m in best.index else "missing"
        for m in ids
    ]
    check = Check(
        "every implemented catalogue metric has a county row for the year", "error",
        gxe.ExpectColumnValuesToBeInSet(column="county_row", value_set=REPORTED),
        "a county row with a value, or with no_data_reason set",
        concern_columns=("metric_id", "county_row"),
    )
    return SuiteSpec("metric_completeness", frame, (check,))


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


def metric_suites(
    metrics: pd.DataFrame, catalogue: pd.DataFrame, year: str, *, yoy_warning_pct: float = 50.0
) -> list[SuiteSpec]:
    """The metric suites for one reporting year; `metrics` holds every year (for year on year)."""
    return [
        metric_values_suite(metrics, catalogue, year),
        metric_completeness_suite(metrics, catalogue, year),
        metric_year_on_year_suite(metrics, year, yoy_warning_pct),
    ]
