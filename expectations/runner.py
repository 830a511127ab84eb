"""Run the gate for one reporting year and record what it found.

GX 1.x validates pandas frames taken from DuckDB (its SQL datasource does not work on
duckdb-engine). The context is file-backed under `gx_dir`, so suites, validation results and
Data Docs persist for the steward. Any exception, raised here or caught by GX inside an
expectation, makes the gate status `error`: an exception is never a pass.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlparse

import duckdb
import great_expectations as gx
import pandas as pd
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.expectations.metadata_types import FailureSeverity

from expectations.suites.check import Check, SuiteSpec
from expectations.suites.metrics import metric_suites
from expectations.suites.toc import toc_suites

Status = Literal["passed", "warned", "failed", "error"]
_MAX_CONCERNS = 50


@dataclass(frozen=True)
class ExpectationOutcome:
    suite: str
    expectation: str  # plain words
    severity: Literal["error", "warning"]
    passed: bool
    observed: str
    expected: str
    concerns: tuple[str, ...] = ()  # e.g. "PP02/district/E07000178"
    exception: str | None = None


@dataclass(frozen=True)
class GateResult:
    reporting_year: str
    status: Status
    outcomes: tuple[ExpectationOutcome, ...] = ()
    message: str | None = None  # the exception, when status is error
    data_docs_path: Path | None = None
    validated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    seconds: float = 0.0

    @property
    def expectations(self) -> tuple[ExpectationOutcome, ...]:
        """One outcome per expectation evaluated (the name orchestration reads)."""
        return self.outcomes

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.passed and o.severity == "error"]

    @property
    def warnings(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.passed and o.severity == "warning"]


def validate_year(
    con: duckdb.DuckDBPyConnection,
    reporting_year: str,
    gx_dir: Path,
    *,
    yoy_warning_pct: float = 50.0,
) -> GateResult:
    """Validate the marts of one reporting year; never raises, an exception is status `error`."""
    started = time.perf_counter()
    validated_at = datetime.now(UTC)
    outcomes: list[ExpectationOutcome] = []
    try:
        metrics = con.sql("select * from marts.metrics").df()
        catalogue = con.sql("select * from marts.metric_catalogue").df()
        toc = con.sql("select * from marts.toc_indicators").df()
        specs = [
            *metric_suites(metrics, catalogue, reporting_year, yoy_warning_pct=yoy_warning_pct),
            *toc_suites(toc, catalogue, reporting_year),
        ]
        context = _file_context(Path(gx_dir))
        for spec in specs:
            outcomes.extend(_run_suite(context, spec, reporting_year))
        context.build_data_docs()
        docs = _docs_index(context)
    except Exception as exc:  # noqa: BLE001 - the gate reports every failure, it never passes one
        return GateResult(
            reporting_year, "error", tuple(outcomes), f"{type(exc).__name__}: {exc}",
            validated_at=validated_at, seconds=time.perf_counter() - started,
        )
    return GateResult(
        reporting_year, _status(outcomes), tuple(outcomes), _exception_summary(outcomes), docs,
        validated_at, time.perf_counter() - started,
    )


def _status(outcomes: list[ExpectationOutcome]) -> Status:
    if any(o.exception for o in outcomes):
        return "error"
    if any(not o.passed and o.severity == "error" for o in outcomes):
        return "failed"
    if any(not o.passed for o in outcomes):
        return "warned"
    return "passed"


def _exception_summary(outcomes: list[ExpectationOutcome]) -> str | None:
    raised = [f"{o.suite}: {o.expectation}: {o.exception}" for o in outcomes if o.exception]
    return "; ".join(raised) or None


def _file_context(gx_dir: Path) -> Any:
    gx_dir.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="file", context_root_dir=gx_dir)
    bars = context.variables.progress_bars  # an object when fresh, a dict once read back
    if (bars.get("globally") if isinstance(bars, dict) else getattr(bars, "globally", None)) in (
        None, True
    ):
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        context.variables.save()
    return context


def _batch_definition(context: Any, asset_name: str) -> Any:
    names = {d.name for d in context.data_sources.all().values()}
    source = (
        context.data_sources.get("marts") if "marts" in names
        else context.data_sources.add_pandas(name="marts")
    )
    try:
        asset = source.get_asset(asset_name)
    except LookupError:
        asset = source.add_dataframe_asset(name=asset_name)
    try:
        return asset.get_batch_definition("whole_frame")
    except LookupError:
        return asset.add_batch_definition_whole_dataframe("whole_frame")


def _run_suite(context: Any, spec: SuiteSpec, year: str) -> list[ExpectationOutcome]:
    name = f"{spec.name}__{year}"
    suite = gx.ExpectationSuite(name=name)
    by_key: dict[str, Check] = {}
    for i, check in enumerate(spec.checks):
        key = f"{i:02d} {check.name}"
        by_key[key] = check
        expectation = check.expectation
        expectation.severity = (
            FailureSeverity.WARNING if check.severity == "warning" else FailureSeverity.CRITICAL
        )
        expectation.meta = {**(expectation.meta or {}), "check": key, "severity": check.severity}
        suite.add_expectation(expectation)
    suite = context.suites.add_or_update(suite)
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=name, data=_batch_definition(context, spec.name), suite=suite)
    )
    index_columns = sorted({c for ch in spec.checks for c in ch.concern_columns} & set(spec.frame))
    result_format: dict[str, Any] = {"result_format": "COMPLETE"}
    if index_columns:
        result_format["unexpected_index_column_names"] = index_columns
    validation = definition.run(
        batch_parameters={"dataframe": spec.frame}, result_format=result_format
    )
    outcomes = []
    for r in validation.results:
        check = by_key[r.expectation_config.meta["check"]]
        exception = _exception_message(r.exception_info)
        outcomes.append(
            ExpectationOutcome(
                suite=spec.name,
                expectation=check.name,
                severity=check.severity,
                passed=bool(r.success) and exception is None,
                observed=f"exception: {exception}" if exception else _observed(r.result),
                expected=check.expected,
                concerns=_concerns(r.result, check.concern_columns),
                exception=exception,
            )
        )
    # GX returns results grouped by domain, not in suite order; keep the suite's order
    order = {c.name: i for i, c in enumerate(spec.checks)}
    return sorted(outcomes, key=lambda o: order[o.expectation])


def _exception_message(info: Any) -> str | None:
    """GX reports exceptions either flat or keyed by the metric that raised; find any of them."""
    if not isinstance(info, dict):
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message") or "exception without a message")
    for nested in info.values():
        message = _exception_message(nested)
        if message:
            return message
    return None


def _plain(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _observed(result: dict[str, Any]) -> str:
    if "observed_value" in result:
        return str(_plain(result["observed_value"]))
    if "unexpected_count" in result:
        sample = _plain(result.get("partial_unexpected_list") or [])[:10]
        text = f"{result['unexpected_count']} of {result.get('element_count')} rows unexpected"
        return f"{text}: {sample}" if sample else text
    return ""


def _concerns(result: dict[str, Any], columns: tuple[str, ...]) -> tuple[str, ...]:
    rows = result.get("unexpected_index_list") or []
    concerns = []
    for row in rows[:_MAX_CONCERNS]:
        if isinstance(row, dict):
            concerns.append("/".join(str(_plain(row[c])) for c in columns if c in row))
        else:
            concerns.append(f"row {row}")
    if len(rows) > _MAX_CONCERNS:
        concerns.append(f"... and {len(rows) - _MAX_CONCERNS} more")
    return tuple(concerns)


def _docs_index(context: Any) -> Path | None:
    for site in context.get_docs_sites_urls():
        url = site.get("site_url")
        if url and url.startswith("file://"):
            return Path(unquote(urlparse(url).path))
    return None


GATE_RESULTS_DDL = """
create table if not exists gate.results (
    run_id varchar not null, reporting_year varchar not null, suite varchar not null,
    expectation varchar not null, severity varchar not null, passed boolean not null,
    observed varchar, expected varchar, concerns varchar, validated_at timestamptz not null
)
"""


def record_results(con: duckdb.DuckDBPyConnection, result: GateResult, run_id: str) -> int:
    """Write the gate's outcomes to `gate.results` (replacing this run's rows); returns rows."""
    rows = [
        (run_id, result.reporting_year, o.suite, o.expectation, o.severity, o.passed,
         o.observed, o.expected, "; ".join(o.concerns), result.validated_at)
        for o in result.outcomes
    ]
    if result.status == "error" and not any(o.exception for o in result.outcomes):
        # an exception outside any expectation still leaves a failed row behind
        rows.append(
            (run_id, result.reporting_year, "gate", "the gate ran without an exception", "error",
             False, result.message, "no exception", "", result.validated_at)
        )
    con.execute("create schema if not exists gate")
    con.execute(GATE_RESULTS_DDL)
    con.execute("begin transaction")
    try:
        con.execute(
            "delete from gate.results where run_id = ? and reporting_year = ?",
            [run_id, result.reporting_year],
        )
        if rows:
            con.executemany("insert into gate.results values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return len(rows)


def outcomes_frame(result: GateResult) -> pd.DataFrame:
    """The outcomes as a table, e.g. for Dagster metadata."""
    return pd.DataFrame([o.__dict__ for o in result.outcomes])
