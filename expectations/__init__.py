"""The gate: Great Expectations suites over a reporting year's annual tables, and their runner."""

from expectations import gx_without_spark  # noqa: F401  (first: GX is imported there)
from expectations.build_checks import record_build_checks
from expectations.runner import ExpectationOutcome, GateResult, record_results, validate_year
from expectations.suites.coverage import CoverageThresholds

__all__ = [
    "CoverageThresholds", "ExpectationOutcome", "GateResult", "record_build_checks", "record_results",
    "validate_year",
]
