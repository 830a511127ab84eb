"""The pack's tidy CSVs described as a Frictionless data package (`datapackage.json`).

Every column of every CSV has a type and a description; value columns say where their unit is.
The suppression marker is declared as a missing value, so a `[c]` cell reads as "withheld", not as
a malformed number. `describe` refuses a CSV with a column the schema does not know: a new column
must be documented before it can be published.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

YEAR_FIELD = ("The partnership's reporting year, labelled by the calendar years it spans (2024-25; 2025 for a "
              "year starting in January); the pack's cover gives its first and last day.")

# column: (Table Schema type, description)
METRIC_FIELDS = {
    "metric_id": ("string", "Metric identifier in the catalogue (definitions.csv)."),
    "reporting_year": ("string", YEAR_FIELD),
    "geography_level": ("string", "county, district or deprivation band the row describes."),
    "geography_code": ("string", "ONS GSS code of the area (county E10…, district E07…)."),
    "geography_name": ("string", "Area name."),
    "value": ("number", "The metric's value, in the unit given in `unit`; [c] where suppressed."),
    "numerator": ("number", "Count or amount the value is the share of; [c] where suppressed."),
    "denominator": ("number", "Base of the share (people or £); [c] where suppressed."),
    "n": ("number", "Number of people (or responses) behind a mean; [c] where suppressed."),
    "ci_low": ("number", "Lower end of the 95% confidence interval (survey means and shares, paired change, gap)."),
    "ci_high": ("number", "Upper end of the 95% confidence interval (as ci_low)."),
    "unit": ("string", "gbp (pounds), pct (per cent, 0-100), count, mean, score, wellby or ratio."),
    "direction": ("string", "Which way is better: up, down or none."),
    "no_data_reason": ("string", "Why the value is empty, where it is (not a suppression)."),
    "notes": ("string", "Caveats on this value."),
}
TOC_FIELDS = {
    "indicator_id": ("string", "Theory of Change indicator identifier."),
    "working_group": ("string", "The partnership working group that owns the indicator."),
    "toc_level": ("string", "output, outcome or impact."),
    "indicator_name": ("string", "What the indicator measures."),
    "metric_id": ("string", "The catalogue metric the indicator reads (definitions.csv)."),
    "reporting_year": ("string", YEAR_FIELD),
    "actual": ("number", "The metric's county value in the year, in the metric's unit; [c] where suppressed."),
    "actual_ci_low": ("number", "Lower end of the actual's 95% confidence interval, where it has one."),
    "actual_ci_high": ("number", "Upper end of the actual's 95% confidence interval, where it has one."),
    "baseline_year": ("string", "Year of the baseline value."),
    "baseline_value": ("number", "Value in the baseline year, in the metric's unit."),
    "target_year": ("string", "Year by which the target should be met."),
    "target_value": ("number", "Target value, in the metric's unit."),
    "trajectory_value": ("number", "The value on the straight line from baseline to target this year: "
                                   "at or beyond it is on track."),
    "direction": ("string", "Which way is better: up or down."),
    "change_since_baseline": ("number", "actual minus baseline_value, in the metric's unit."),
    "share_of_way_to_target": ("number", "Share (1 = 100%) of the way from baseline to target."),
    "rag_status": ("string", "green (on track), amber (improving, behind the line), red (not improving), "
                             "no_clear_change (the 95% interval includes the baseline), grey (no data "
                             "or withheld)."),
    "data_quality": ("string", "ok, or what limits the indicator's value this year."),
    "source": ("string", "Where the indicator and its target come from (partnership documents)."),
    "values_note": ("string", "Whether the baseline and target are agreed or placeholders."),
}
BREAKDOWN_FIELDS = {
    "metric_id": ("string", "PO01 (signatories) or PO02 (active pledges), see definitions.csv."),
    "reporting_year": ("string", YEAR_FIELD),
    "breakdown": ("string", "sector or size_band (PO01), priority_area (PO02)."),
    "category": ("string", "The category's code; not_recorded where the source left it blank."),
    "category_name": ("string", "The category as the pack labels it."),
    "sort_order": ("integer", "Order of the categories in the pack."),
    "geography_code": ("string", "ONS GSS code of the county (breakdowns are county level)."),
    "geography_name": ("string", "Area name."),
    "value": ("number", "Signatories or active pledges in the category; [c] where suppressed."),
    "n": ("number", "Signatories, or pledges with any status, in the category; [c] where suppressed."),
    "unit": ("string", "count."),
    "no_data_reason": ("string", "Why the value is empty, where it is (not a suppression)."),
    "notes": ("string", "What is counted."),
}
DEFINITION_FIELDS = {
    "metric_id": ("string", "Metric identifier."),
    "name": ("string", "Metric name."),
    "goal": ("string", "The CLES pillar or partnership goal the metric serves."),
    "family": ("string", "Theme: procurement, employment, wellbeing, inequality or partnership."),
    "definition": ("string", "How the metric is computed."),
    "numerator": ("string", "What is counted in the numerator, for shares."),
    "denominator": ("string", "What the numerator is a share of."),
    "unit": ("string", "gbp, pct, count, mean, score, wellby or ratio."),
    "direction": ("string", "Which way is better: up, down or none."),
    "source": ("string", "The feeds and reference data the metric is computed from."),
    "is_person_count": ("boolean", "Counts people (so small numbers below county level are suppressed)."),
    "status": ("string", "implemented, or why the metric is not computed yet."),
}
DATA_LOG_FIELDS = {
    "feed": ("string", "spend, programme, wellbeing or charter."),
    "file": ("string", "Source file name as received in the landing folder."),
    "contributes": ("string", "What the file gave to this reporting year."),
    "rows_in_year": ("integer", "Rows of the file dated in the reporting year (empty: not dated by year)."),
    "sha256": ("string", "SHA-256 of the file as loaded."),
    "rows_loaded": ("integer", "Rows of the file that passed its contract and were loaded."),
    "rows_rejected": ("integer", "Rows of the file that failed the contract and were quarantined."),
    "loaded_at": ("string", "When the file was loaded (UTC)."),
}
RESOURCES = {
    "metrics.csv": ("metrics", "The year's CLES broad metrics, county and below, long format.",
                    METRIC_FIELDS, ["metric_id", "geography_level", "geography_code"]),
    "toc_indicators.csv": ("toc-indicators", "Theory of Change indicators with RAG status.",
                           TOC_FIELDS, ["indicator_id"]),
    "metric_breakdowns.csv": ("metric-breakdowns", "Charter breakdowns: PO01 by sector and size, PO02 by "
                              "priority area, county level.", BREAKDOWN_FIELDS,
                              ["metric_id", "breakdown", "category"]),
    "definitions.csv": ("definitions", "The metric catalogue: definitions, units and sources.",
                        DEFINITION_FIELDS, ["metric_id"]),
    "data_log.csv": ("data-log", "The source files that fed the year, with rows loaded and rejected.",
                     DATA_LOG_FIELDS, None),
}


class UndescribedColumn(ValueError):
    """A CSV of the pack has a column the data package does not describe."""


class InvalidPackage(ValueError):
    """The CSVs do not match their descriptor (Frictionless found errors)."""


def describe(folder: Path, *, title: str, year: str, marker: str, licence: str | None = None) -> dict[str, Any]:
    """The descriptor for the CSVs present in `folder` (their header rows are checked)."""
    resources = []
    for filename, (name, description, fields, key) in RESOURCES.items():
        path = folder / filename
        if not path.exists():
            continue
        with path.open(encoding="utf-8") as f:
            header = f.readline().rstrip("\r\n").split(",")
        unknown = [c for c in header if c not in fields]
        if unknown:
            raise UndescribedColumn(f"{filename}: column(s) {', '.join(unknown)} not described in "
                                    "exports/datapackage.py")
        schema: dict[str, Any] = {
            "fields": [{"name": c, "type": fields[c][0], "description": fields[c][1]} for c in header],
            "missingValues": ["", marker],
        }
        if key:
            schema["primaryKey"] = key
        resources.append({
            "name": name, "path": filename, "profile": "tabular-data-resource", "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8", "description": description, "schema": schema,
        })
    package: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": f"impact-pack-{year}".lower(),
        "title": title,
        "description": f"Tidy CSVs of the annual impact pack for {year}. {marker} marks a value withheld "
                       "to protect people's confidentiality (see the pack's cover).",
        "resources": resources,
    }
    if licence:
        package["licenses"] = [{"name": licence}]
    return package


def check_package(descriptor: Path) -> None:
    """Validate the package and its CSVs with Frictionless; the first errors become the message."""
    from frictionless import validate  # imported here: it is slow to import and only needed here

    report = validate(str(descriptor))
    if not report.valid:
        problems = report.flatten(["rowNumber", "fieldName", "type", "note"])
        lines = [f"row {r}, column {c}: {t} ({n})" for r, c, t, n in problems[:5]]
        raise InvalidPackage(f"{descriptor} does not validate: " + "; ".join(lines or [str(report.errors)]))
