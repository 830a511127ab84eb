"""Reporting years as Dagster partitions, keyed by the labels the marts use (`2024-25`).

A financial year starting in April is labelled by its two calendar years (`2024-25`); with
`year_start_month = 1` the label is the calendar year (`2025`), as in the dbt macro
`reporting_year_label`. Dagster's time-window partitions name keys with strftime of the window
start, which cannot write `2024-25`, so the partitions are a static list: every year from
`[reporting] first_year` to the year in progress, computed when the code location loads.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # dagster is imported only where partitions are built (config stays light)
    from dagster import StaticPartitionsDefinition

LABEL = re.compile(r"^(\d{4})(?:-(\d{2}))?$")


def year_label(start_year: int, start_month: int) -> str:
    if start_month == 1:
        return str(start_year)
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def start_year(label: str, start_month: int) -> int:
    """The calendar year a reporting year starts in; refuses labels of another convention."""
    match = LABEL.match(label.strip())
    if not match or year_label(int(match.group(1)), start_month) != label.strip():
        example = year_label(2024, start_month)
        raise ValueError(f"{label!r} is not a reporting year label (expected e.g. {example!r})")
    return int(match.group(1))


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


def reporting_year_partitions(first_year: str, start_month: int,
                              today: date | None = None) -> StaticPartitionsDefinition:
    from dagster import StaticPartitionsDefinition

    return StaticPartitionsDefinition(reporting_years(first_year, today or date.today(), start_month))
