"""Reporting years as Dagster partitions, keyed by the labels the marts use (`2024-25`).

A financial year starting in April is labelled by its two calendar years (`2024-25`); with
`year_start_month = 1` the label is the calendar year (`2025`), as in the dbt macro
`reporting_year_label`. Dagster's time-window partitions name keys with strftime of the window
start, which cannot write `2024-25`, so the partitions are a static list: every year from
`[reporting] first_year` to the year in progress, computed when the code location loads.

Open and closed: a year closes `grace_days` after its last day (late returns still arrive); until
then it is open. An open year is built, gated to date and published in the evaluators' snapshot
as provisional, never as an annual pack. "Today" is `partnership.config.today()`.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # dagster is imported only where partitions are built (config stays light)
    from dagster import StaticPartitionsDefinition

LABEL = re.compile(r"^(\d{4})(?:-(\d{2}))?$")


def year_label(start_year: int, start_month: int) -> str:
    if start_month == 1:
        return str(start_year)
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def is_label(label: str, start_month: int) -> bool:
    """Whether `label` names a reporting year in this partnership's convention."""
    try:
        start_year(label, start_month)
    except ValueError:
        return False
    return True


def start_year(label: str, start_month: int) -> int:
    """The calendar year a reporting year starts in; refuses labels of another convention."""
    match = LABEL.match(label.strip())
    if not match or year_label(int(match.group(1)), start_month) != label.strip():
        example = year_label(2024, start_month)
        raise ValueError(f"{label!r} is not a reporting year label (expected e.g. {example!r})")
    return int(match.group(1))


def previous_year(label: str) -> str:
    """The year before, read from the label alone: `2024-25` -> `2023-24`, `2025` -> `2024`
    (the label's form says which convention it follows)."""
    match = LABEL.match(str(label).strip())
    if not match:
        raise ValueError(f"{label!r} is not a reporting year label (e.g. '2024-25' or '2025')")
    start = int(match.group(1))
    start_month = 1 if match.group(2) is None else 4  # any month after January labels alike
    start_year(label, start_month)  # refuses '2024-26'
    return year_label(start - 1, start_month)


def year_containing(day: date | datetime, start_month: int) -> str:
    first = day.year if day.month >= start_month else day.year - 1
    return year_label(first, start_month)


def year_just_closed(day: date | datetime, start_month: int) -> str:
    """The last reporting year that ended before `day` (on 1 June 2025: `2024-25`)."""
    current = start_year(year_containing(day, start_month), start_month)
    return year_label(current - 1, start_month)


def reporting_years(first_year: str, today: date, start_month: int) -> list[str]:
    """Every reporting year from `first_year` to the one in progress on `today`, oldest first."""
    first = start_year(first_year, start_month)
    last = start_year(year_containing(today, start_month), start_month)
    return [year_label(y, start_month) for y in range(first, max(first, last) + 1)]


def year_start(label: str, start_month: int) -> date:
    return date(start_year(label, start_month), start_month, 1)


def year_end(label: str, start_month: int) -> date:
    """The last day of the year (2024-25 with April: 31 March 2025)."""
    first = year_start(label, start_month)
    return date(first.year + 1, first.month, 1) - timedelta(days=1)


def closes_on(label: str, start_month: int, grace_days: int) -> date:
    """The first day on which the year counts as closed: its end plus the grace for late returns."""
    return year_end(label, start_month) + timedelta(days=1 + grace_days)


def is_open(label: str, start_month: int, grace_days: int, today: date) -> bool:
    return today < closes_on(label, start_month, grace_days)


def first_open_year(start_month: int, grace_days: int, today: date) -> str:
    """The earliest year still open on `today` (the year just ended, during its grace period)."""
    current = year_containing(today, start_month)
    previous = year_label(start_year(current, start_month) - 1, start_month)
    return previous if is_open(previous, start_month, grace_days, today) else current


def latest_closed(years: list[str], start_month: int, grace_days: int, today: date) -> str | None:
    """The latest of `years` that is closed on `today`, or None."""
    closed = [y for y in years if not is_open(y, start_month, grace_days, today)]
    return max(closed, default=None)


def reporting_year_partitions(first_year: str, start_month: int,
                              today: date | None = None) -> StaticPartitionsDefinition:
    from dagster import StaticPartitionsDefinition

    from partnership.config import today as configured_today

    return StaticPartitionsDefinition(reporting_years(first_year, today or configured_today(), start_month))
