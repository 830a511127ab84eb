"""Run the gate for one reporting year and record what it found.

The gate judges publication policy (disclosure after masking, coverage, year-on-year movement, ToC
completeness, overlapping loads); the structural contracts of the marts are dbt's tests, and the
gate's first check is that the build which made the marts passed them (expectations/build_checks.py).

GX 1.x validates pandas frames taken from DuckDB (its SQL datasource does not work on
duckdb-engine). The context is file-backed under `gx_dir`, so suites, validation results and
Data Docs persist for the steward. Any exception, raised here or caught by GX inside an
expectation, makes the gate status `error`: an exception is never a pass. Each group of suites
is built on its own, so a table missing for one group still lets the others report.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import duckdb
import pandas as pd

from expectations.build_checks import build_checks_suite
from expectations.gx_run import ExpectationOutcome, build_docs, file_context, run_suite, suite_name
from expectations.suites.check import SuiteSpec
from expectations.suites.coverage import CoverageThresholds, coverage_suites
from expectations.suites.disclosure import disclosure_suites
from expectations.suites.metrics import metric_suites
from expectations.suites.overlaps import overlap_suites
from expectations.suites.toc import toc_suites
from partnership.warehouse import transaction

Status = Literal["passed", "warned", "failed", "error"]
BUILT = "its tables could be read and checked"  # the expectation a group fails when it raises


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


def _groups(
    con: duckdb.DuckDBPyConnection, year: str, *, yoy_warning_pct: float,
    suppression_threshold: int, coverage: CoverageThresholds | None,
) -> list[tuple[str, Callable[[], list[SuiteSpec]]]]:
    """(group, builder) pairs; each builder reads what it needs, so a failure stays in its group."""
    cache: dict[str, pd.DataFrame] = {}

    def table(name: str) -> pd.DataFrame:
        if name not in cache:
            cache[name] = con.sql(f"select * from marts.{name}").df()
        return cache[name]

    return [
        ("build", lambda: [build_checks_suite(con)]),  # the marts' structural checks, run by dbt
        ("metrics", lambda: metric_suites(table("metrics"), year, yoy_warning_pct=yoy_warning_pct)),
        ("toc", lambda: toc_suites(table("toc_indicators"), table("metric_catalogue"), year)),
        ("disclosure", lambda: disclosure_suites(
            table("metrics"), table("metric_catalogue"), table("toc_indicators"), year,
            threshold=suppression_threshold)),
        ("coverage", lambda: coverage_suites(con, year, coverage)),
        ("overlaps", lambda: overlap_suites(con, year, coverage)),
    ]


def validate_year(
    con: duckdb.DuckDBPyConnection,
    reporting_year: str,
    gx_dir: Path,
    *,
    yoy_warning_pct: float = 50.0,
    suppression_threshold: int = 10,
    coverage: CoverageThresholds | None = None,
) -> GateResult:
    """Validate the marts of one reporting year; never raises, an exception is status `error`.

    `suppression_threshold` is the exports' (impact.toml [disclosure]); `coverage` holds the
    coverage thresholds and the year's start month (defaults: April, 12 months, warning from 10).
    """
    started = time.perf_counter()
    validated_at = datetime.now(UTC)
    outcomes: list[ExpectationOutcome] = []
    suites: set[str] = set()
    try:
        context = file_context(Path(gx_dir))
        groups = _groups(con, reporting_year, yoy_warning_pct=yoy_warning_pct,
                         suppression_threshold=suppression_threshold, coverage=coverage)
        for group, build in groups:
            try:
                specs = build()
            except Exception as exc:  # noqa: BLE001 - reported as this group's failed outcome
                message = f"{type(exc).__name__}: {exc}"
                outcomes.append(ExpectationOutcome(
                    group, BUILT, "error", False, f"exception: {message}", "no exception",
                    exception=message,
                ))
                continue
            for spec in specs:
                outcomes.extend(run_suite(context, spec, reporting_year))
                suites.add(suite_name(spec, reporting_year))
        docs = build_docs(context, suites)
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


GATE_RESULTS_DDL = """
create table if not exists gate.results (
    run_id varchar not null, reporting_year varchar not null, suite varchar not null,
    expectation varchar not null, severity varchar not null, passed boolean not null,
    observed varchar, expected varchar, concerns varchar, validated_at timestamptz not null
)
"""
# One gate.results row, in the columns' order (observed is null when a gate error has no message).
ResultRow = tuple[str, str, str, str, str, bool, str | None, str, str, datetime]


def record_results(con: duckdb.DuckDBPyConnection, result: GateResult, run_id: str) -> int:
    """Write the gate's outcomes to `gate.results` (replacing this run's rows); returns rows."""
    rows: list[ResultRow] = [
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
    with transaction(con):
        con.execute("delete from gate.results where run_id = ? and reporting_year = ?",
                    [run_id, result.reporting_year])
        if rows:
            con.executemany("insert into gate.results values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return len(rows)


def outcomes_frame(result: GateResult) -> pd.DataFrame:
    """The outcomes as a table, e.g. for Dagster metadata."""
    return pd.DataFrame([o.__dict__ for o in result.outcomes])
