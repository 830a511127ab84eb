"""Coverage: does each feed cover the reporting year? One suite over a small frame of counts.

Counts are taken from the marts with DuckDB (columns per dbt_project/models/marts/_marts__models.yml)
and judged by GX. A missing table or column raises, and the runner turns that into a gate error.
Rows labelled with the year but dated outside it raise too: the year's start month is then wrong.

- spend: months with a payment, per anchor (anchors paying in the year or the year before, so a
  feed that stopped is seen); all months pass, `payment_months_warning_from` up to all warns,
  fewer is an error;
- programme: participants enrolled and outcomes reported in each quarter of the year;
- wellbeing: survey responses completed in the year;
- charter: pledge updates in the year (a pledge's status at the year end set by an update dated
  within the year).

Only the feeds the partnership collects are checked (`feeds`). An open year (`as_of` set) is
checked to date: a month or quarter is due once its end plus the feed's lag (`lag_days`, the
freshness cadence plus grace) has passed by `as_of`; the survey and the Charter once the year's
start plus their lag has. What is due and missing in an open year is a warning, not an error:
the year is provisional, and a late return is what freshness alerts are for. Once the year
closes it is checked in full, and gaps are errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import duckdb
import pandas as pd
from great_expectations import expectations as gxe
from great_expectations.expectations.row_conditions import AndCondition, Column, ComparisonCondition

from expectations.suites.check import Check, Severity, SuiteSpec
from partnership.reporting_years import previous_year, year_end, year_start

_CONCERNS = ("feed", "period")


@dataclass(frozen=True)
class CoverageThresholds:
    """How much of the year each feed must cover (settings for the coverage suite)."""

    year_start_month: int = 4  # impact.toml [reporting] year_start_month; a `2025` label is Jan
    payment_months_full: int = 12  # months with payments for a pass
    payment_months_warning_from: int = 10  # from here up to full: a warning; below: an error
    programme_records_per_quarter: int = 1  # enrolments, and outcomes, in each quarter
    wellbeing_responses: int = 1
    pledge_updates: int = 1
    feeds: tuple[str, ...] = ("charter", "programme", "spend", "wellbeing")  # impact.toml [feeds]
    anchors_not_due: tuple[str, ...] = ()  # anchors that joined later or left ([[anchors]] first/last_year)
    as_of: date | None = None  # an open year, checked to this date; None: a closed year, in full
    lag_days: dict[str, int] = field(default_factory=lambda: {
        "spend": 38, "programme": 99, "wellbeing": 372, "charter": 99})


@dataclass(frozen=True)
class Due:
    """What of the year must be in by `as_of` (all of it for a closed year)."""

    payment_months: int
    quarters: tuple[int, ...]
    survey: bool
    pledges: bool


def _month_start(start: date, offset: int) -> date:
    month = start.month - 1 + offset
    return date(start.year + month // 12, month % 12 + 1, 1)


def due(year: str, t: CoverageThresholds) -> Due:
    as_of = t.as_of
    if as_of is None:
        return Due(t.payment_months_full, (1, 2, 3, 4), True, True)
    start, _ = year_bounds(year, t.year_start_month)

    def passed(period_end: date, feed: str) -> bool:
        return period_end + timedelta(days=t.lag_days.get(feed, 0)) <= as_of

    months = sum(passed(_month_start(start, m + 1) - timedelta(days=1), "spend") for m in range(12))
    quarters = tuple(q for q in (1, 2, 3, 4)
                     if passed(_month_start(start, 3 * q) - timedelta(days=1), "programme"))
    return Due(months, quarters, passed(start, "wellbeing"), passed(start, "charter"))


def year_bounds(year: str, start_month: int) -> tuple[date, date]:
    """First day of the year and first day of the next: `2024-25` with April -> 2024-04-01, 2025-04-01."""
    month = 1 if len(year) == 4 else start_month  # a calendar-year label is a calendar year
    try:
        return year_start(year, month), year_end(year, month) + timedelta(days=1)
    except ValueError as exc:
        raise ValueError(f"{exc}: is the reporting year's start month ({start_month}) right?") from exc


def _quarter_label(start: date, quarter: int) -> str:
    month = start.month + 3 * (quarter - 1)
    first = date(start.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
    return f"Q{quarter} (from {first:%b %Y})"


def _outside(con: duckdb.DuckDBPyConnection, table: str, year_column: str, date_column: str,
             year: str, bounds: tuple[date, date]) -> None:
    [(outside,)] = con.execute(
        f"select count(*) from {table} where {year_column} = $year"
        f" and ({date_column} < $start or {date_column} >= $end)",
        {"year": year, "start": bounds[0], "end": bounds[1]},
    ).fetchall()
    if outside:
        raise ValueError(
            f"{outside} rows of {table} labelled {year} are dated outside {bounds[0]} to "
            f"{bounds[1]}: is the reporting year's start month right?"
        )


def _payment_rows(con: duckdb.DuckDBPyConnection, year: str,
                  bounds: tuple[date, date]) -> list[tuple]:
    _outside(con, "marts.fct_payments", "reporting_year", "payment_date", year, bounds)
    months = con.execute(
        "select coalesce(anchor, '(anchor not given)') as anchor, count(distinct case when"
        " reporting_year = $year then date_trunc('month', payment_date) end) as months"
        " from marts.fct_payments where reporting_year in ($year, $previous)"
        " group by all order by anchor",
        {"year": year, "previous": previous_year(year)},
    ).fetchall()
    return [("spend", anchor, "payment months", n) for anchor, n in months] or [
        ("spend", "(no anchor has any payment)", "payment months", 0)
    ]


def _quarter_rows(con: duckdb.DuckDBPyConnection, year: str, bounds: tuple[date, date],
                  table: str, year_column: str, date_column: str, measure: str) -> list[tuple]:
    _outside(con, table, year_column, date_column, year, bounds)
    counts = dict(con.execute(
        f"select datediff('month', $start, {date_column}) // 3 + 1 as quarter, count(*)"
        f" from {table} where {year_column} = $year group by all",
        {"year": year, "start": bounds[0]},
    ).fetchall())
    return [("programme", _quarter_label(bounds[0], q), measure, counts.get(q, 0))
            for q in (1, 2, 3, 4)]


def coverage_frame(con: duckdb.DuckDBPyConnection, year: str,
                   thresholds: CoverageThresholds) -> pd.DataFrame:
    """One row per feed and period due, for the feeds collected."""
    bounds = year_bounds(year, thresholds.year_start_month)
    feeds, owed = thresholds.feeds, due(year, thresholds)
    rows: list[tuple] = []
    if "spend" in feeds:
        rows += [row for row in _payment_rows(con, year, bounds) if row[1] not in thresholds.anchors_not_due]
    if "programme" in feeds:
        for table, year_column, date_column, measure in (
                ("marts.fct_participants", "enrolment_year", "enrolled_on", "participants enrolled"),
                ("marts.fct_outcomes", "reporting_year", "outcome_on", "outcomes reported")):
            quarters = _quarter_rows(con, year, bounds, table, year_column, date_column, measure)
            rows += [row for q, row in zip((1, 2, 3, 4), quarters, strict=True) if q in owed.quarters]
    if "wellbeing" in feeds and owed.survey:
        [(responses,)] = con.execute(
            "select count(*) from marts.fct_responses where reporting_year = ?", [year]
        ).fetchall()
        rows.append(("wellbeing", year, "survey responses", responses))
    if "charter" in feeds and owed.pledges:
        [(updates,)] = con.execute(
            "select count(*) from marts.fct_pledge_status where reporting_year = $year"
            " and status_updated_on >= $start and status_updated_on < $end",
            {"year": year, "start": bounds[0], "end": bounds[1]},
        ).fetchall()
        rows.append(("charter", year, "pledge updates", updates))
    frame = pd.DataFrame(rows, columns=["feed", "period", "measure", "count"]).astype(
        {"feed": "object", "period": "object", "measure": "object", "count": "int64"}
    )
    return frame


def _at_least(measure: str, minimum: int, words: str, unit: str, *, severity: Severity = "error",
              below: int | None = None) -> Check:
    condition: ComparisonCondition | AndCondition = Column("measure") == measure
    if below is not None:  # only rows at or above the error tier: a shorter one is an error
        condition = condition & (Column("count") >= below)
    return Check(
        words, severity,
        gxe.ExpectColumnValuesToBeBetween(column="count", min_value=minimum,
                                          row_condition=condition),
        f"at least {minimum} {unit}", concern_columns=_CONCERNS,
    )


def _in_full(t: CoverageThresholds) -> list[Check]:
    full, warn = t.payment_months_full, t.payment_months_warning_from
    checks = []
    if "spend" in t.feeds:
        checks += [
            _at_least("payment months", warn, f"each anchor's spend covers at least {warn} months of the year",
                      "months with payments per anchor"),
            _at_least("payment months", full, f"each anchor's spend covers all {full} months of the year",
                      "months with payments per anchor", severity="warning", below=warn),
        ]
    if "programme" in t.feeds:
        checks += [
            _at_least("participants enrolled", t.programme_records_per_quarter,
                      "programme providers returned enrolments in every quarter", "participant enrolled per quarter"),
            _at_least("outcomes reported", t.programme_records_per_quarter,
                      "programme providers returned outcomes in every quarter", "outcome per quarter"),
        ]
    if "wellbeing" in t.feeds:
        checks.append(_at_least("survey responses", t.wellbeing_responses,
                                "the wellbeing survey has responses in the year", "responses in the year"))
    if "charter" in t.feeds:
        checks.append(_at_least("pledge updates", t.pledge_updates,
                                "Charter signatories updated their pledges in the year", "pledge update in the year"))
    return checks


def _to_date(t: CoverageThresholds, owed: Due) -> list[Check]:
    """An open year: what is due by `as_of`, each a warning."""
    by = f"due by {t.as_of:%d %b %Y} (the year is open)"
    checks = []
    if "spend" in t.feeds and owed.payment_months:
        checks.append(_at_least("payment months", owed.payment_months,
                                f"each anchor's spend covers all {owed.payment_months} months {by}",
                                "months with payments per anchor", severity="warning"))
    if "programme" in t.feeds and owed.quarters:
        checks += [
            _at_least("participants enrolled", t.programme_records_per_quarter,
                      f"programme providers returned enrolments in every quarter {by}",
                      "participant enrolled per quarter", severity="warning"),
            _at_least("outcomes reported", t.programme_records_per_quarter,
                      f"programme providers returned outcomes in every quarter {by}", "outcome per quarter",
                      severity="warning"),
        ]
    if "wellbeing" in t.feeds and owed.survey:
        checks.append(_at_least("survey responses", t.wellbeing_responses, f"the wellbeing survey has responses {by}",
                                "responses in the year", severity="warning"))
    if "charter" in t.feeds and owed.pledges:
        checks.append(_at_least("pledge updates", t.pledge_updates,
                                f"Charter signatories updated their pledges {by}", "pledge update in the year",
                                severity="warning"))
    return checks


def coverage_suites(con: duckdb.DuckDBPyConnection, year: str,
                    thresholds: CoverageThresholds | None = None) -> list[SuiteSpec]:
    t = thresholds or CoverageThresholds()
    owed = due(year, t)
    if t.as_of is not None:
        checks = _to_date(t, owed)
    else:
        checks = _in_full(t)
    frame = coverage_frame(con, year, t)
    return [SuiteSpec("coverage", frame, tuple(checks))] if checks else []
