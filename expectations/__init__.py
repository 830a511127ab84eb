"""The gate: Great Expectations suites over a reporting year's annual tables, and their runner."""

from expectations.runner import ExpectationOutcome, GateResult, record_results, validate_year

__all__ = ["ExpectationOutcome", "GateResult", "record_results", "validate_year"]
