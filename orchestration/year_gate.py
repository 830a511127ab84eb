"""The gate of one reporting year as configured: which feeds it checks, whether the year is open
(checked to date) or closed (in full), and whether its last result still stands.

A gate result stands while the year's gate inputs are unchanged (orchestration/fingerprints.py):
the same tables, settings, expectations code and periods due. `impact run` re-gates only the
years whose result no longer stands; a year that failed on unchanged tables is reported again
without re-running the same validation.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import duckdb

from orchestration import run_state
from orchestration.fingerprints import gate_fingerprint
from partnership.config import Settings, today
from partnership.reporting_years import closes_on, is_open, start_year, year_label

if TYPE_CHECKING:  # Great Expectations is imported only where a gate runs
    from expectations import CoverageThresholds

GATE_STAGE = "gate"
_CODE = re.compile(r"\b([EWSN]\d{8})\b")


def year_is_open(settings: Settings, year: str) -> bool:
    return is_open(year, settings.reporting.year_start_month, settings.reporting.grace_days, today())


def year_closes_on(settings: Settings, year: str):
    return closes_on(year, settings.reporting.year_start_month, settings.reporting.grace_days)


def coverage_for(settings: Settings, year: str) -> CoverageThresholds:
    """Coverage of the feeds collected in the year: to date for an open year, in full for a closed one."""
    from expectations import CoverageThresholds

    grace, cadence = settings.freshness.grace_days, settings.freshness.cadence_days
    feeds = settings.feeds.collected_in(year)  # a feed collected from a later year is not owed before it
    return CoverageThresholds(
        year_start_month=settings.reporting.year_start_month,
        feeds=tuple(feeds),
        anchors_not_due=anchors_not_due(settings, year),
        as_of=today() if year_is_open(settings, year) else None,
        lag_days={feed: cadence.get(feed, 365) + grace for feed in feeds},
    )


def anchors_not_due(settings: Settings, year: str) -> tuple[str, ...]:
    """Anchors whose spend is not owed in the year: they joined later, or had left."""
    return tuple(a.name for a in settings.anchors if not a.expected_in(year))


def gate_settings(settings: Settings, year: str) -> dict:
    """Everything besides the tables that decides the gate's verdict. An open year is checked to
    date, so its result stands for the day it was reached on."""
    opened = year_is_open(settings, year)
    return {"yoy_warning_pct": settings.gate.yoy_warning_pct,
            "suppression_threshold": settings.disclosure.suppression_threshold,
            "feeds": settings.feeds.collected_in(year), "anchors_not_due": list(anchors_not_due(settings, year)),
            "open": opened, "as_of": today() if opened else None,
            "cadence_days": settings.freshness.cadence_days, "grace_days": settings.freshness.grace_days,
            "year_start_month": settings.reporting.year_start_month}


def previous_year(settings: Settings, year: str) -> str:
    start = settings.reporting.year_start_month
    return year_label(start_year(year, start) - 1, start)


def fingerprint_now(con: duckdb.DuckDBPyConnection, settings: Settings, year: str) -> str:
    return gate_fingerprint(con, year, previous_year(settings, year), gate_settings(settings, year))


def record_gate(con: duckdb.DuckDBPyConnection, settings: Settings, year: str, status: str,
                run_id: str) -> None:
    run_state.record(con, GATE_STAGE, {year: fingerprint_now(con, settings, year)}, status=status,
                     run_id=run_id)


def standing_results(con: duckdb.DuckDBPyConnection, settings: Settings,
                     years: list[str]) -> dict[str, run_state.StageRecord]:
    """The years among `years` whose last gate result still stands, with that result."""
    state = run_state.recorded(con, GATE_STAGE)
    return {year: state[year] for year in years
            if year in state and state[year].status != "error"  # an exception is always retried
            and state[year].fingerprint == fingerprint_now(con, settings, year)}


def years_with_rows(con: duckdb.DuckDBPyConnection) -> list[str]:
    try:
        return [y for (y,) in con.execute(
            "SELECT DISTINCT reporting_year FROM marts.metrics WHERE value IS NOT NULL ORDER BY 1").fetchall()]
    except duckdb.CatalogException:
        return []


def area_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    try:
        return dict(con.execute("SELECT DISTINCT geography_code, geography_name FROM marts.metrics "
                                "WHERE geography_name IS NOT NULL").fetchall())
    except duckdb.Error:
        return {}


def name_areas(text: str, names: dict[str, str]) -> str:
    """`PP02/district/E07000178` → `PP02/district/Oxford (E07000178)`: stewards know areas by name."""
    return _CODE.sub(lambda m: f"{names[m.group(1)]} ({m.group(1)})" if m.group(1) in names else m.group(1), text)
