"""A small warehouse with hand-made marts (columns per docs/architecture.md and
dbt_project/models/marts/_marts__models.yml) for the gate: a clean reporting year that passes every
suite, built so that one planted defect fails exactly one expectation."""

from __future__ import annotations

from pathlib import Path

import duckdb

from expectations import record_build_checks

YEAR = "2024-25"
PREVIOUS = "2023-24"
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
    ("FE03", "Job starts", "falling inequality", "employment", "count", "up", True),
    ("IN02", "Participants from deprived areas", "falling inequality", "inequality", "pct",
     "up", False),
    ("WB01", "Mean life satisfaction", "rising wellbeing", "wellbeing", "mean", "up", False),
    ("WB04", "Mean SWEMWBS score", "rising wellbeing", "wellbeing", "score", "up", False),
]
COUNTY = ("county", "E10000025", "Oxfordshire")
OXFORD = ("district", "E07000178", "Oxford")
CHERWELL = ("district", "E07000177", "Cherwell")
WEST = ("district", "E07000181", "West Oxfordshire")
DISTRICT = OXFORD
ANCHORS = ("Oxfordshire County Council", "Oxford City Council")


def metric_row(metric_id: str, year: str, value: float | None, *, unit: str,
               geography: tuple[str, str, str] = COUNTY, numerator: float | None = None,
               denominator: float | None = None, n: int | None = None,
               ci: tuple[float, float] | None = None, reason: str | None = None) -> tuple:
    ci_low, ci_high = ci or (None, None)
    return (metric_id, year, *geography, value, numerator, denominator, n, ci_low, ci_high, unit,
            "up", reason, None)


def _share(metric_id: str, year: str, geography, numerator: float, denominator: float) -> tuple:
    return metric_row(metric_id, year, 100 * numerator / denominator, unit="pct",
                      geography=geography, numerator=numerator, denominator=denominator,
                      n=int(denominator))


def clean_metrics() -> list[tuple]:
    """Both years. FE01's districts do not add up to the county (people without a district);
    FE03's and IN02's do, and the exports' masking still leaves nothing recoverable."""
    rows = []
    for year, scale in ((PREVIOUS, 1.0), (YEAR, 1.1)):
        rows += [
            metric_row("PP01", year, 1_000_000 * scale, unit="gbp"),
            metric_row("PP02", year, 40 * scale, unit="pct", numerator=400_000 * scale,
                       denominator=1_000_000.0, n=500),
            metric_row("PP02", year, 35 * scale, unit="pct", geography=OXFORD,
                       numerator=35_000 * scale, denominator=100_000.0, n=50),
        ]
        for metric_id, county, districts in (("FE01", 85, (8, 30, 40)), ("FE03", 40, (5, 15, 20))):
            rows.append(metric_row(metric_id, year, county, unit="count", n=county))
            rows += [metric_row(metric_id, year, v, unit="count", geography=g, n=v)
                     for g, v in zip((OXFORD, CHERWELL, WEST), districts, strict=True)]
        rows += [
            _share("IN02", year, COUNTY, 42, 115), _share("IN02", year, OXFORD, 2, 20),
            _share("IN02", year, CHERWELL, 12, 30), _share("IN02", year, WEST, 28, 65),
            metric_row("WB01", year, 7.2, unit="mean", n=420, ci=(7.0, 7.4)),
            metric_row("WB01", year, 7.0, unit="mean", geography=OXFORD, n=6, ci=(6.0, 8.0)),
            metric_row("WB01", year, 7.3, unit="mean", geography=CHERWELL, n=150, ci=(7.1, 7.5)),
            metric_row("WB01", year, 7.2, unit="mean", geography=WEST, n=244, ci=(7.0, 7.4)),
            metric_row("WB04", year, 22.0, unit="score", n=400, ci=(21.8, 22.2)),
        ]
    return rows


def toc_rows() -> list[tuple]:
    def row(indicator, group, level, name, metric, actual, baseline, target, rag):
        return (indicator, group, level, name, metric, YEAR, actual, PREVIOUS, baseline,
                "2027-28", target, "up", actual - baseline, None, rag, "ok")

    return [
        row("T1", "social_value_procurement", "outcome", "Local spend share", "PP02", 44.0, 40.0,
            60.0, "amber"),
        row("T2", "inclusive_employment", "output", "Participants", "FE01", 85.0, 85.0, 200.0,
            "red"),
        row("T3", "place_based", "outcome", "Life satisfaction", "WB01", 7.2, 7.2, 7.5, "red"),
        row("T4", "place_based", "outcome", "Mental wellbeing", "WB04", 22.0, 22.0, 23.0, "red"),
    ]


FEEDS = [
    # payments: every anchor pays on the 3rd and 17th of every month of both years
    """create table marts.fct_payments as
       select md5(anchor || d::varchar) as payment_id, anchor, d::date as payment_date,
              case when d < date '2024-04-01' then '2023-24' else '2024-25' end as reporting_year,
              1000.0 as amount_gbp
       from unnest(?::varchar[]) as a(anchor),
            (select unnest(generate_series(date '2023-04-01', date '2025-03-31', interval 1 day))
             as d) days
       where day(d) in (3, 17)""",
    # programme: one enrolment and one outcome in every month of both years
    """create table marts.fct_participants as
       select 'provider-a' as provider, 'p' || m::varchar as participant_key,
              m::date as enrolled_on,
              case when m < date '2024-04-01' then '2023-24' else '2024-25' end as enrolment_year
       from (select unnest(generate_series(date '2023-04-10', date '2025-03-10',
             interval 1 month)) as m)""",
    """create table marts.fct_outcomes as
       select md5(participant_key) as outcome_id, provider, participant_key,
              'job_start' as outcome_type, enrolled_on + 5 as outcome_on,
              enrolment_year as reporting_year
       from marts.fct_participants""",
    """create table marts.fct_responses as
       select 'r' || i::varchar as response_id, 'resident_panel' as survey,
              date '2024-06-01' + i::integer as completed_on, '2024-25' as reporting_year
       from range(5) t(i)""",
    """create table marts.fct_pledge_status as
       select 'pl' || i::varchar as pledge_id, '2024-25' as reporting_year,
              date '2025-03-31' as year_end_on, date '2024-10-01' as status_updated_on,
              'in_progress' as pledge_status
       from range(3) t(i)""",
]


# What dbt's run_results.json says of a clean build of these marts (the gate's precondition): a
# few of its nodes, all passed.
CLEAN_BUILD = {
    "metadata": {"generated_at": "2025-04-02T09:00:00.000000Z", "invocation_id": "build-1"},
    "results": [
        {"unique_id": "operation.impact.impact-on-run-start-0", "status": "success", "failures": None},
        {"unique_id": "model.impact.metrics", "status": "success", "failures": None},
        {"unique_id": "test.impact.metrics_pct_within_0_100.3d0aa2d04d", "status": "pass", "failures": 0},
        {"unique_id": "test.impact.assert_metrics_cover_implemented_metrics", "status": "pass", "failures": 0},
    ],
}


def build_marts(path: Path, metrics: list[tuple], catalogue=CATALOGUE, toc=None,
                build: dict | None = CLEAN_BUILD) -> Path:
    """The marts; `build`: the dbt results recorded for them (None: no build recorded)."""
    con = duckdb.connect(str(path))
    if build is not None:
        record_build_checks(con, build, "build-1")
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
    toc = toc_rows() if toc is None else toc
    if toc:
        con.executemany(f"insert into marts.toc_indicators values ({', '.join(['?'] * 16)})", toc)
    con.execute(FEEDS[0], [list(ANCHORS)])
    for statement in FEEDS[1:]:
        con.execute(statement)
    con.close()
    return path
