"""The publication gate: Great Expectations suites over a reporting year's annual tables, run as a
blocking asset check. An ERROR (or any exception inside validation) stops publication."""


from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetKey,
    MetadataValue,
    asset_check,
)

from expectations import CoverageThresholds, record_results, validate_year
from orchestration.config import Settings
from orchestration.publication import latest_reporting_year
from orchestration.warehouse import WRITER_POOL, write_connection

YEAR_TAG = "impact/reporting_year"


def requested_year(tags: dict, con) -> str:
    year = tags.get(YEAR_TAG) or latest_reporting_year(con)
    if not year:
        raise ValueError("no reporting year has metric values yet: load data and build first")
    return year


def build_gate_check(settings: Settings):
    @asset_check(asset=AssetKey(["metrics"]), name="publication_gate", blocking=True,
                 pool=WRITER_POOL, additional_deps=[AssetKey(["toc_indicators"])],
                 description="Great Expectations gate on the reporting year's annual tables "
                             "(completeness, ranges, consistency, disclosure, coverage, year-on-year).")
    def publication_gate(context: AssetCheckExecutionContext) -> AssetCheckResult:
        with write_connection(settings) as con:
            year = requested_year(context.run.tags, con)
            result = validate_year(
                con, year, settings.gx_dir, yoy_warning_pct=settings.gate.yoy_warning_pct,
                suppression_threshold=settings.disclosure.suppression_threshold,
                coverage=CoverageThresholds(year_start_month=settings.reporting.year_start_month))
            record_results(con, result, context.run.run_id)
        problems = [
            f"[{e.severity.upper()}] {e.suite}: {e.expectation} — {e.concerns}: "
            f"observed {e.observed}, expected {e.expected}"
            for e in result.expectations if not e.passed
        ]
        if result.status == "error":
            problems.insert(0, f"[ERROR] the validation itself failed: {result.message}")
        for line in problems:
            context.log.warning(line)
        blocking = result.status in ("failed", "error")
        return AssetCheckResult(
            passed=result.status == "passed",
            severity=AssetCheckSeverity.ERROR if blocking else AssetCheckSeverity.WARN,
            metadata={
                "reporting_year": year,
                "status": result.status,
                "expectations_evaluated": len(result.expectations),
                "failed": MetadataValue.md("\n".join(f"- {p}" for p in problems) or "none"),
                "data_docs": MetadataValue.path(str(result.data_docs_path or "")),
            },
        )

    return publication_gate
