"""The dbt project as assets: staging, intermediate and marts; dbt tests become asset checks,
and every build's results, failed ones included, are recorded for the gate (gate.build_checks).
On DuckDB (the default) dbt runs in this process (orchestration/dbt_in_process.py), saving a
subprocess's start-up.

A run may select a subset of the models (the command line selects those downstream of the raw
tables that changed, orchestration/build_plan.py); dagster-dbt turns the selection into dbt's
`--select`. A planned build (tagged impact/build_plan) narrows it once its files are loaded: the
selected models and tests that no changed raw table reaches are left out (`--exclude`). After a
successful build the asset records what it was built from (orchestration/fingerprints.py), so the
next run knows what is already up to date.

On an engine other than DuckDB (impact.toml [warehouse]) the build copies the raw tables to the
engine first and reads the published schemas back after (orchestration/engines/), inside the same
writer lock, so every later step reads the marts the engine built from the working file. There dbt
runs as a subprocess: a Spark session's JVM is a child of the dbt process and must end with it.
"""


import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from expectations import record_build_checks
from orchestration import console, engines, run_state
from orchestration.build_plan import (
    BUILD_STAGE,
    CHANGED_TAG,
    OUTPUTS_KEY,
    PLAN_TAG,
    all_models,
    full_refresh_reason,
    narrowing,
    record_build,
)
from orchestration.dbt_vars import build_settings, dbt_env, dbt_vars
from orchestration.faults import pause_point
from partnership.config import Settings
from partnership.warehouse import WRITER_POOL, write_connection, writer_lock

PAUSE_AFTER_NODES = 5  # the fault-injection hook pauses the build after this many dbt nodes


@contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set variables for dbt inside the block (profiles.yml reads them; a dbt subprocess copies
    them when it starts), then put the old values back."""
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
    # Imported here: `impact run` reads dbt_vars on every run, and most runs build nothing.
    from dagster import AssetExecutionContext
    from dagster_dbt import DbtCliResource, dbt_assets

    from orchestration import dbt_in_process
    from orchestration.dbt import MANIFEST, ImpactDbtTranslator, impact_dbt_project

    translator = ImpactDbtTranslator()

    @dbt_assets(manifest=MANIFEST, project=impact_dbt_project, pool=WRITER_POOL,
                dagster_dbt_translator=translator, name="impact_dbt_models")
    def impact_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource):
        settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
        engine = settings.warehouse.engine
        models = {key.path[-1] for key in context.selected_asset_keys}
        target = settings.data_dir / "dbt" / "target"  # one folder per data directory, reused
        vars_ = dbt_vars(settings)

        def on_result(done: int) -> None:
            console.progress("dbt", f"{done}/{total} nodes")
            if done == PAUSE_AFTER_NODES:
                pause_point("dbt", settings.data_dir)

        with writer_lock(settings):
            with write_connection(settings, lock_held=True) as con:
                narrow = narrowing(con, build_settings(settings), models) if PLAN_TAG in context.run.tags else None
                run_state.forget(con, BUILD_STAGE, OUTPUTS_KEY)  # a build that dies is redone in full
                whole = full_refresh_reason(con, models, raw=narrow.raw if narrow else None)
            excludes = narrow.dbt_excludes() if narrow else []
            if narrow:
                models = narrow.built
                context.instance.add_run_tags(context.run.run_id, {CHANGED_TAG: ", ".join(narrow.changed_tables)})
                context.log.info(f"changed since the last build: {', '.join(narrow.changed_tables)}; "
                                 f"left out, their inputs unchanged: {', '.join(sorted(narrow.skipped))}")
            total = len(models) + sum(1 for key in context.selected_asset_check_keys if key.name not in excludes)
            dbt_args = ["--full-refresh"] if whole else []
            if whole:
                context.log.info(f"incremental models rebuilt whole (--full-refresh): {whole}")
            if not all_models() <= models:
                # dbt's unit tests check a model's SQL on fixed rows, not the data: a partial build
                # means the project is as at the last complete build, which ran them (build_plan.py)
                dbt_args += ["--exclude-resource-type", "unit_test"]
            if loaded := engines.load_raw(settings):
                context.log.info(f"raw tables copied to {engine}: {sum(loaded.values())} rows in {len(loaded)} tables")
            try:
                with environment(dbt_env(settings)):
                    if engine == "duckdb":
                        (target / "run_results.json").unlink(missing_ok=True)  # never a stale build's
                        yield from dbt_in_process.build(context, translator=translator, project=impact_dbt_project,
                                                        manifest_path=MANIFEST, dbt_vars=vars_, target=target,
                                                        on_result=on_result, extra_args=dbt_args, exclude=excludes)
                    else:
                        exclude = ["--exclude", " ".join(excludes)] if excludes else []
                        invocation = dbt.cli(["build", "--vars", json.dumps(vars_), *dbt_args, *exclude],
                                             context=context, raise_on_error=False)
                        target = invocation.target_path
                        for done, event in enumerate(invocation.stream(), start=1):
                            yield event
                            on_result(done)
                        if error := invocation.get_error():
                            raise error
                if read := engines.read_back(settings):
                    context.log.info(f"marts and reference read back from {engine}: {len(read)} tables")
            finally:  # failed builds too: the gate refuses marts whose build failed a check
                recorded = record_checks(settings, target, context.run.run_id)
                context.log.info(f"{recorded} dbt results recorded in gate.build_checks for the gate")
            with write_connection(settings, lock_held=True) as con:
                record_build(con, build_settings(settings), models, context.run.run_id,
                             raw=narrow.raw if narrow else None)

    return impact_dbt_models


def retest_marts(settings: Settings, build_id: str) -> list[str]:
    """Run dbt's tests of the marts again on the working file as it is now and record them as a
    build's (a hand-edited warehouse, e.g. the gate drill); returns the names of those that failed."""
    with writer_lock(settings), environment(dbt_env(settings)):
        invocation = dbt_resource().cli(["test", "--select", "path:models/marts", "--vars",
                                         json.dumps(dbt_vars(settings))], raise_on_error=False).wait()
        record_checks(settings, invocation.target_path, build_id)
        with write_connection(settings, lock_held=True) as con:
            return [r[0] for r in con.execute("SELECT check_name FROM gate.build_checks WHERE status NOT IN "
                                              "('pass', 'success', 'warn') ORDER BY 1").fetchall()]


def record_checks(settings: Settings, target: Path, build_id: str) -> int:
    """The build's dbt results (its run_results.json in `target`), failed ones included, into the
    working file's gate.build_checks: the gate refuses marts whose build failed a check
    (expectations/build_checks.py). Called inside the writer lock."""
    path = target / "run_results.json"
    results = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
    with write_connection(settings, lock_held=True) as con:
        return record_build_checks(con, results, build_id)


def dbt_resource():
    from dagster_dbt import DbtCliResource

    from orchestration.dbt import DBT_EXECUTABLE, impact_dbt_project

    return DbtCliResource(project_dir=impact_dbt_project, dbt_executable=DBT_EXECUTABLE)
