"""The gate, one reporting year at a time: `annual_tables` takes the year's rows of the annual marts
(a partition per reporting year), and the blocking check `publication_gate` runs the Great
Expectations suites over them. An ERROR (or any exception inside validation) stops publication.
A warning does not, so it is not a failed gate: the same validation reports its warnings in a
second, WARN-severity check `gate_warnings`, and the gate itself reads "passed" (Dagster labels
any failed check "Failed", whatever its severity). The check links to the GX Data Docs as served
over HTTP by `impact ui`."""

import warnings
from pathlib import Path

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    Failure,
    MaterializeResult,
    MetadataValue,
    PartitionsDefinition,
    PreviewWarning,
    asset,
    multi_asset_check,
)

from orchestration import console
from orchestration.faults import pause_point
from orchestration.year_gate import (
    area_names,
    coverage_for,
    name_areas,
    record_gate,
    year_closes_on,
    year_is_open,
)
from partnership.config import Settings
from partnership.warehouse import WRITER_POOL, write_connection

ANNUAL_TABLES = AssetKey(["annual_tables"])
ANNUAL_MARTS = ("metrics", "toc_indicators", "metric_catalogue")
GATE_CHECK, WARNINGS_CHECK = "publication_gate", "gate_warnings"


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
        return _gate_checks(settings, partitions)


def data_docs_link(settings: Settings, index: Path | None) -> MetadataValue:
    """The GX Data Docs page as a link `impact ui` serves over HTTP (a file path opens nowhere)."""
    root = settings.data_docs_dir
    if index is None or not index.is_relative_to(root):
        return MetadataValue.text(str(index or "no Data Docs were built"))
    host = "localhost" if settings.dagster.host in ("0.0.0.0", "::") else settings.dagster.host
    return MetadataValue.url(f"http://{host}:{settings.dagster.data_docs_port}/{index.relative_to(root).as_posix()}")


def validation_pages(settings: Settings, year: str, suites: set[str]) -> dict[str, MetadataValue]:
    """A link to each named suite's latest validation page of the year (the one this gate just
    wrote): unlike the Data Docs index, which lists them with scripts from the internet, the
    pages themselves read without any."""
    links = {}
    for suite in sorted(suites):
        folder = settings.data_docs_dir / "local_site" / "validations" / f"{suite}__{year}"
        pages = sorted(folder.glob("*/*/*.html"), key=lambda page: page.parent.name)  # run-time folders
        if pages:
            links[f"data_docs_{suite}"] = data_docs_link(settings, pages[-1])
    return links


def _gate_checks(settings: Settings, partitions: PartitionsDefinition):
    specs = [
        AssetCheckSpec(GATE_CHECK, asset=ANNUAL_TABLES, blocking=True, partitions_def=partitions,
                       description="Great Expectations gate on the reporting year's annual tables: publication "
                                   "policy (disclosure after masking, coverage, year-on-year movement, ToC "
                                   "completeness, overlapping loads), and the build's dbt checks, which own the "
                                   "marts' structure, must have passed. An error stops the snapshot and the pack. "
                                   "Warnings do not: they pass the gate and show in gate_warnings."),
        AssetCheckSpec(WARNINGS_CHECK, asset=ANNUAL_TABLES, partitions_def=partitions,
                       description="The gate's warnings (year-on-year jumps, a feed short of full coverage): the "
                                   "year is still published, with the warnings on the pack's cover."),
    ]

    @multi_asset_check(specs=specs, name=f"annual_tables_{GATE_CHECK}", pool=WRITER_POOL)
    def publication_gate(context: AssetCheckExecutionContext):
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
        errors = [name_areas(_line(e), names) for e in result.failures]
        if result.status == "error":
            errors.insert(0, f"[ERROR] the validation itself failed: {result.message}")
        cautions = [name_areas(_line(e), names) for e in result.warnings]
        for line in errors + cautions:
            context.log.warning(line)
        docs = data_docs_link(settings, result.data_docs_path)
        blocking = result.status in ("failed", "error")
        verdict = {"passed": "passed", "warned": f"passed with {len(cautions)} warning(s): see gate_warnings",
                   "failed": "failed: nothing is published", "error": "error: nothing is published"}
        yield AssetCheckResult(
            check_name=GATE_CHECK, asset_key=ANNUAL_TABLES, passed=not blocking, severity=AssetCheckSeverity.ERROR,
            metadata={
                "reporting_year": year,
                "status": result.status,
                "year_state": f"open until {year_closes_on(settings, year)}: provisional, checked to date"
                              if opened else "closed",
                "result": verdict[result.status],
                "expectations_evaluated": len(result.expectations),
                "failed": MetadataValue.md("\n".join(f"- {p}" for p in errors)) if errors else "none",
                "warnings": len(cautions),
                "data_docs": docs,
                **validation_pages(settings, year, {e.suite for e in result.failures}),
            },
        )
        yield AssetCheckResult(
            check_name=WARNINGS_CHECK, asset_key=ANNUAL_TABLES, passed=not cautions,
            severity=AssetCheckSeverity.WARN,
            metadata={
                "reporting_year": year,
                "warnings": MetadataValue.md("\n".join(f"- {c}" for c in cautions)) if cautions else "none",
                "data_docs": docs,
                **validation_pages(settings, year, {e.suite for e in result.warnings}),
            },
        )

    return publication_gate


def _line(e) -> str:
    return (f"[{e.severity.upper()}] {e.suite}: {e.expectation} — {', '.join(e.concerns)}: "
            f"observed {e.observed}, expected {e.expected}")
