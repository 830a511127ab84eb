"""A small warehouse with hand-made marts (columns per docs/architecture.md) for the gate."""

from __future__ import annotations

from pathlib import Path

import duckdb

YEAR = "2024-25"
METRIC_COLUMNS = (
    "metric_id varchar, reporting_year varchar, geography_level varchar, geography_code varchar, "
    "geography_name varchar, value double, numerator double, denominator double, n integer, "
    "ci_low double, ci_high double, unit varchar, direction varchar, no_data_reason varchar, "
    "notes varchar"
)
CATALOGUE = [
    # metric_id, name, goal, family, unit, direction, is_person_count
    ("PP01", "Analysed spend", "resilience", "procurement", "gbp", "none", False),
    ("PP02", "Spend with county suppliers", "resilience", "procurement", "pct", "up", False),
    ("FE01", "Participants enrolled", "falling inequality", "employment", "count", "up", True),
    ("WB01", "Mean life satisfaction", "rising wellbeing", "wellbeing", "mean", "up", False),
]
COUNTY = ("county", "E10000025", "Oxfordshire")
DISTRICT = ("district", "E07000178", "Oxford")


def metric_row(metric_id: str, year: str, value: float | None, *, unit: str,
               geography: tuple[str, str, str] = COUNTY, numerator: float | None = None,
               denominator: float | None = None, n: int | None = None,
               ci: tuple[float, float] | None = None, reason: str | None = None) -> tuple:
    ci_low, ci_high = ci or (None, None)
    return (metric_id, year, *geography, value, numerator, denominator, n, ci_low, ci_high, unit,
            "up", reason, None)


def clean_metrics() -> list[tuple]:
    rows = []
    for year, scale in (("2023-24", 1.0), (YEAR, 1.1)):
        rows += [
            metric_row("PP01", year, 1_000_000 * scale, unit="gbp"),
            metric_row("PP02", year, 40 * scale, unit="pct", numerator=400_000 * scale,
                       denominator=1_000_000.0),
            metric_row("PP02", year, 35 * scale, unit="pct", geography=DISTRICT,
                       numerator=35_000 * scale, denominator=100_000.0),
            metric_row("FE01", year, 120 * scale, unit="count"),
            metric_row("FE01", year, 8.0, unit="count", geography=DISTRICT),
            metric_row("WB01", year, 7.2, unit="mean", n=400, ci=(7.0, 7.4)),
        ]
    return rows


def toc_rows() -> list[tuple]:
    return [
        ("T1", "social_value_procurement", "outcome", "Local spend share", "PP02", YEAR, 44.0,
         "2023-24", 40.0, "2027-28", 60.0, "up", 4.0, 0.2, "amber", "good"),
        ("T2", "inclusive_employment", "output", "Participants", "FE01", YEAR, 132.0,
         "2023-24", 120.0, "2027-28", 200.0, "up", 12.0, 0.15, "red", "good"),
    ]


def build_marts(path: Path, metrics: list[tuple], catalogue=CATALOGUE, toc=None) -> Path:
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute(f"create table marts.metrics ({METRIC_COLUMNS})")
    con.executemany(f"insert into marts.metrics values ({', '.join(['?'] * 15)})", metrics)
    con.execute(
        "create table marts.metric_catalogue (metric_id varchar, name varchar, goal varchar, "
        "family varchar, definition varchar, numerator varchar, denominator varchar, "
        "unit varchar, direction varchar, source varchar, is_person_count boolean)"
    )
    con.executemany(
        "insert into marts.metric_catalogue values (?, ?, ?, ?, ?, null, null, ?, ?, 'demo', ?)",
        [(m, name, goal, fam, f"Definition of {name}", unit, d, p)
         for m, name, goal, fam, unit, d, p in catalogue],
    )
    con.execute(
        "create table marts.toc_indicators (indicator_id varchar, working_group varchar, "
        "toc_level varchar, indicator_name varchar, metric_id varchar, reporting_year varchar, "
        "actual double, baseline_year varchar, baseline_value double, target_year varchar, "
        "target_value double, direction varchar, change_since_baseline double, "
        "share_of_way_to_target double, rag_status varchar, data_quality varchar)"
    )
    con.executemany(
        f"insert into marts.toc_indicators values ({', '.join(['?'] * 16)})",
        toc if toc is not None else toc_rows(),
    )
    con.close()
    return path
