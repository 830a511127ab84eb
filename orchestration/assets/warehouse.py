"""The dbt project as assets: staging, intermediate and marts; dbt tests become asset checks,
and every build's results, failed ones included, are recorded for the gate (gate.build_checks).

On an engine other than DuckDB (impact.toml [warehouse]) the build copies the raw tables to the
engine first and reads the published schemas back after (orchestration/engines/), inside the same
writer lock, so every later step reads the marts the engine built from the working file."""


import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import duckdb
from dagster import AssetExecutionContext
from dagster_dbt import DbtCliInvocation, DbtCliResource, dbt_assets

from expectations import record_build_checks
from orchestration import engines
from orchestration.config import Settings
from orchestration.dbt import DBT_EXECUTABLE, MANIFEST, ImpactDbtTranslator, dbt_env, dbt_vars, impact_dbt_project
from orchestration.warehouse import WRITER_POOL, writer_lock


@contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set variables for a child process started inside the block, then put the old values back
    (the dbt subprocess copies the environment when it starts)."""
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def build_dbt_assets(settings: Settings):
    @dbt_assets(manifest=MANIFEST, project=impact_dbt_project, pool=WRITER_POOL,
                dagster_dbt_translator=ImpactDbtTranslator(), name="impact_dbt_models")
    def impact_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource):
        settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
        engine = settings.warehouse.engine
        with writer_lock(settings):
            if loaded := engines.load_raw(settings):
                context.log.info(f"raw tables copied to {engine}: {sum(loaded.values())} rows in {len(loaded)} tables")
            with environment(dbt_env(settings)):
                invocation = dbt.cli(["build", "--vars", json.dumps(dbt_vars(settings))], context=context,
                                     raise_on_error=False)
            yield from invocation.stream()
            try:
                if invocation.is_successful() and (read := engines.read_back(settings)):
                    context.log.info(f"marts and reference read back from {engine}: {len(read)} tables")
            finally:
                recorded = record_checks(settings, invocation, context.run.run_id)
                context.log.info(f"{recorded} dbt results recorded in gate.build_checks for the gate")
        if error := invocation.get_error():
            raise error

    return impact_dbt_models


def retest_marts(settings: Settings, build_id: str) -> list[str]:
    """Run dbt's tests of the marts again on the working file as it is now and record them as a
    build's (a hand-edited warehouse, e.g. the gate drill); returns the names of those that failed."""
    with writer_lock(settings), environment(dbt_env(settings)):
        invocation = dbt_resource().cli(["test", "--select", "path:models/marts", "--vars",
                                         json.dumps(dbt_vars(settings))], raise_on_error=False).wait()
        record_checks(settings, invocation, build_id)
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        return [r[0] for r in con.execute("SELECT check_name FROM gate.build_checks WHERE status NOT IN "
                                          "('pass', 'success', 'warn') ORDER BY 1").fetchall()]
    finally:
        con.close()


def record_checks(settings: Settings, invocation: DbtCliInvocation, build_id: str) -> int:
    """The build's dbt results, failed ones included, into the working file's gate.build_checks:
    the gate refuses marts whose build failed a check (expectations/build_checks.py). Called
    inside the writer lock."""
    path = invocation.target_path / "run_results.json"
    results = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
    con = duckdb.connect(str(settings.warehouse_path))
    try:
        return record_build_checks(con, results, build_id)
    finally:
        con.close()


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=impact_dbt_project, dbt_executable=DBT_EXECUTABLE)
