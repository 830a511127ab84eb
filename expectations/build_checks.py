"""What the dbt build said about the marts the gate judges: the gate's precondition.

dbt owns the structural contracts of the marts (its generic and singular tests); the gate owns
publication policy and refuses a year whose marts came from a build with a failing check. The
orchestration records every node of each dbt build (from dbt's run_results.json) in
`gate.build_checks`, each node's latest result (a run that builds only what changed replaces the
rows of the nodes it ran and keeps the others'), and the gate reads that table, so the
gate never needs the orchestration. Only names, statuses and counts are kept: dbt's messages can
quote the data a query choked on, and this table is published with the gate's results.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import duckdb
import pandas as pd
from great_expectations import expectations as gxe

from expectations.suites.check import Check, SuiteSpec
from partnership.rows import has_table
from partnership.warehouse import transaction

BUILD_CHECKS_DDL = """
create table if not exists gate.build_checks (
    build_id varchar not null, built_at timestamptz not null, node_id varchar not null,
    resource_type varchar not null, check_name varchar not null, status varchar not null,
    failures bigint
)
"""
# A node's status in run_results.json that lets the build's marts be published: a model, seed or
# hook that ran, a test that passed or only warned (a warn-severity test). Anything else (fail,
# error, skipped: a test that never ran because what it tests failed to build) refuses the year.
PASSED = ["success", "pass", "warn"]
NO_RECORD = "no record"
CHECK_NAME = "the build's dbt checks passed"


def build_check_rows(run_results: dict[str, Any] | None, build_id: str) -> list[tuple]:
    """Rows for gate.build_checks from a dbt run_results.json (parsed); None (dbt wrote no
    results: it stopped before running anything) gives one failed row for the build itself."""
    if run_results is None:
        return [(build_id, datetime.now(UTC), "build", "build", "dbt build", "error", None)]
    built_at = datetime.fromisoformat(run_results["metadata"]["generated_at"].replace("Z", "+00:00"))
    rows = []
    for result in run_results["results"]:
        node_id = result["unique_id"]
        kind, _, rest = node_id.partition(".")
        parts = rest.split(".")  # package.name[.hash]; a unit test: package.model.name
        name = parts[-1] if kind == "unit_test" else parts[min(1, len(parts) - 1)]
        rows.append((build_id, built_at, node_id, kind, name, str(result["status"]),
                     result.get("failures")))
    return rows


def record_build_checks(con: duckdb.DuckDBPyConnection, run_results: dict[str, Any] | None,
                        build_id: str) -> int:
    """Record this build's nodes over the earlier builds' rows for the same nodes; returns the rows
    written. A build with results clears an earlier `dbt build` error row; one without (dbt stopped
    before running anything) adds that row and leaves every node's last result as it was."""
    rows = build_check_rows(run_results, build_id)
    con.execute("create schema if not exists gate")
    con.execute(BUILD_CHECKS_DDL)
    with transaction(con):
        con.execute("delete from gate.build_checks where node_id = 'build'")
        con.executemany("delete from gate.build_checks where node_id = ?", [[row[2]] for row in rows])
        con.executemany("insert into gate.build_checks values (?, ?, ?, ?, ?, ?, ?)", rows)
    return len(rows)


def build_checks_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The latest build's nodes; one `no record` row when no build was recorded (a warehouse
    built outside the pipeline, or before builds were recorded): unknown is not passed."""
    frame = con.sql("select check_name, resource_type, status, failures from gate.build_checks "
                    "order by node_id").df() if has_table(con, "gate", "build_checks") else pd.DataFrame()
    if frame.empty:
        return pd.DataFrame({"check_name": ["dbt build"], "resource_type": ["build"],
                             "status": [NO_RECORD], "failures": [None]})
    return frame


def build_checks_suite(con: duckdb.DuckDBPyConnection) -> SuiteSpec:
    check = Check(
        CHECK_NAME, "error",
        gxe.ExpectColumnValuesToBeInSet(column="status", value_set=PASSED),
        "every model and seed of the latest dbt build built and every error-severity dbt test passed "
        "(gate.build_checks; fix the data or the model and rebuild)",
        concern_columns=("check_name", "status"),
    )
    return SuiteSpec("build_checks", build_checks_frame(con), (check,))
