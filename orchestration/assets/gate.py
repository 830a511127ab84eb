"""The gate, one reporting year at a time: `annual_tables` takes the year's rows of the annual marts
(a partition per reporting year), and the blocking check `publication_gate` runs the Great
Expectations suites over them. An ERROR (or any exception inside validation) stops publication."""

import warnings

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    AssetKey,
    Failure,
    MaterializeResult,
    MetadataValue,
    PartitionsDefinition,
    PreviewWarning,
    asset,
    asset_check,
)

from orchestration import console
from orchestration.config import Settings
from orchestration.faults import pause_point
from orchestration.warehouse import WRITER_POOL, write_connection
from orchestration.year_gate import (
    area_names,
    coverage_for,
    name_areas,
    record_gate,
    year_closes_on,
    year_is_open,
)

ANNUAL_TABLES = AssetKey(["annual_tables"])
ANNUAL_MARTS = ("metrics", "toc_indicators", "metric_catalogue")


def year_counts(con, year: str) -> dict:
    """What the year's annual tables hold, for the materialization's metadata."""
    metrics = con.execute(
        """SELECT count(*), count(value), count(*) FILTER (WHERE value IS NULL AND no_data_reason IS NOT NULL)
           FROM marts.metrics WHERE reporting_year = ?""", [year]).fetchone()
    rag = dict(con.execute(
        """SELECT coalesce(rag_status, 'none'), count(*) FROM marts.toc_indicators
           WHERE reporting_year = ? GROUP BY ALL ORDER BY 1""", [year]).fetchall())
    return {"metric_rows": metrics[0], "metric_values": metrics[1], "no_data_rows": metrics[2],
            "toc_indicators": sum(rag.values()), "rag_status": rag}


def build_annual_tables(settings: Settings, partitions: PartitionsDefinition):
    @asset(key=ANNUAL_TABLES, group_name="gate", partitions_def=partitions, pool=WRITER_POOL,
           deps=[AssetKey([name]) for name in ANNUAL_MARTS],
           owners=["team:data-stewards"], kinds={"duckdb"},
           description="A reporting year's annual tables (metrics, Theory of Change indicators, the "
                       "catalogue) as the gate sees them: one partition per reporting year. The "
                       "blocking check publication_gate runs the Great Expectations suites on them.")
    def annual_tables(context: AssetExecutionContext) -> MaterializeResult:
        year = context.partition_key
        with write_connection(settings) as con:
            counts = year_counts(con, year)
            present = [r[0] for r in con.execute(
                "SELECT DISTINCT reporting_year FROM marts.metrics ORDER BY 1").fetchall()]
        if not counts["metric_rows"]:
            raise Failure(
                f"marts.metrics has no rows for {year} (the warehouse holds {', '.join(present) or 'no year'}): "
                f"load that year's files into landing/ and rebuild before publishing it",
                metadata={"reporting_year": year, "years_in_warehouse": MetadataValue.json(present)})
        return MaterializeResult(metadata={
            "reporting_year": year,
            **{k: MetadataValue.json(v) if isinstance(v, dict) else v for k, v in counts.items()},
        })

    return annual_tables


def build_gate_check(settings: Settings, partitions: PartitionsDefinition):
    with warnings.catch_warnings():
        # Partitioned checks are a Dagster preview; they give each year its own gate result.
        warnings.simplefilter("ignore", PreviewWarning)
        return _gate_check(settings, partitions)


def _gate_check(settings: Settings, partitions: PartitionsDefinition):
    @asset_check(asset=ANNUAL_TABLES, name="publication_gate", blocking=True, pool=WRITER_POOL,
                 partitions_def=partitions,
                 description="Great Expectations gate on the reporting year's annual tables "
                             "(completeness, ranges, consistency, disclosure, coverage, year-on-year). "
                             "An error stops the snapshot and the pack; warnings go on the pack's cover.")
    def publication_gate(context: AssetCheckExecutionContext) -> AssetCheckResult:
        from expectations import record_results, validate_year  # Great Expectations: only when gating

        year = context.partition_key
        opened = year_is_open(settings, year)
        console.progress("gate", f"{year}: validating{' to date (open year)' if opened else ''}")
        with write_connection(settings) as con:
            result = validate_year(
                con, year, settings.gx_dir, yoy_warning_pct=settings.gate.yoy_warning_pct,
                suppression_threshold=settings.disclosure.suppression_threshold,
                coverage=coverage_for(settings, year))
            pause_point("gate", settings.data_dir)
            record_results(con, result, context.run.run_id)
            record_gate(con, settings, year, result.status, context.run.run_id)
            names = area_names(con)
        problems = [
            name_areas(f"[{e.severity.upper()}] {e.suite}: {e.expectation} — {', '.join(e.concerns)}: "
                       f"observed {e.observed}, expected {e.expected}", names)
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
                "year_state": f"open until {year_closes_on(settings, year)}: provisional, checked to date"
                              if opened else "closed",
                "expectations_evaluated": len(result.expectations),
                "failed": MetadataValue.md("\n".join(f"- {p}" for p in problems) or "none"),
                "data_docs": MetadataValue.path(str(result.data_docs_path or "")),
            },
        )

    return publication_gate
