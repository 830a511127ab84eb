"""The dbt project as assets: staging, intermediate and marts; dbt tests become asset checks."""


import json
import os

from dagster import AssetExecutionContext
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.config import Settings
from orchestration.dbt import DBT_EXECUTABLE, MANIFEST, ImpactDbtTranslator, dbt_vars, impact_dbt_project
from orchestration.warehouse import WRITER_POOL, writer_lock


def build_dbt_assets(settings: Settings):
    @dbt_assets(manifest=MANIFEST, project=impact_dbt_project, pool=WRITER_POOL,
                dagster_dbt_translator=ImpactDbtTranslator(), name="impact_dbt_models")
    def impact_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource):
        # dbt runs as a subprocess and inherits this variable (profiles.yml reads it).
        os.environ["IMPACT_WAREHOUSE_PATH"] = str(settings.warehouse_path)
        settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
        with writer_lock(settings):
            yield from dbt.cli(["build", "--vars", json.dumps(dbt_vars(settings))],
                               context=context).stream()

    return impact_dbt_models


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=impact_dbt_project, dbt_executable=DBT_EXECUTABLE)
