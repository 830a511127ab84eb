"""Reporting-year arithmetic has one home (partnership/reporting_years.py) that every stage
imports; the dbt macro is its SQL twin, and tests/dbt_project checks the two agree."""

import pytest

from partnership.reporting_years import previous_year


def test_the_year_before_is_read_from_the_label():
    """One function for every stage (the gate's year on year, the pack's changes, the auditor)."""
    assert previous_year("2024-25") == "2023-24"
    assert previous_year("2000-01") == "1999-00"
    assert previous_year("2025") == "2024"  # calendar years (start month 1)
    for bad in ("2024-26", "24-25", "FY2024"):
        with pytest.raises(ValueError):
            previous_year(bad)
