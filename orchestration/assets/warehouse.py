"""The dbt project as assets: staging, intermediate and marts; dbt tests become asset checks.

On an engine other than DuckDB (impact.toml [warehouse]) the build copies the raw tables to the
engine first and reads the published schemas back after (orchestration/engines/), inside the same
writer lock, so every later step reads the marts the engine built from the working file."""


import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from dagster import AssetExecutionContext
from dagster_dbt import DbtCliResource, dbt_assets

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
                invocation = dbt.cli(["build", "--vars", json.dumps(dbt_vars(settings))], context=context)
            yield from invocation.stream()
            if read := engines.read_back(settings):
                context.log.info(f"marts and reference read back from {engine}: {len(read)} tables")

    return impact_dbt_models


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=impact_dbt_project, dbt_executable=DBT_EXECUTABLE)
