"""The dbt project as assets: staging, intermediate and marts; dbt tests become asset checks.
dbt runs in this process (orchestration/dbt_in_process.py), saving a subprocess's start-up.

A run may select a subset of the models (the command line selects those downstream of the raw
tables that changed, orchestration/build_plan.py); dagster-dbt turns the selection into dbt's
`--select`. After a successful build the asset records what it was built from
(orchestration/fingerprints.py), so the next run knows what is already up to date.
"""


import os

from orchestration import console, run_state
from orchestration.build_plan import BUILD_STAGE, OUTPUTS_KEY, record_build
from orchestration.config import Settings
from orchestration.dbt_vars import dbt_vars
from orchestration.faults import pause_point
from orchestration.warehouse import WRITER_POOL, write_connection, writer_lock

PAUSE_AFTER_NODES = 5  # the fault-injection hook pauses the build after this many dbt nodes


def build_dbt_assets(settings: Settings):
    # Imported here: `impact run` reads dbt_vars on every run, and most runs build nothing.
    from dagster import AssetExecutionContext
    from dagster_dbt import dbt_assets

    from orchestration import dbt_in_process
    from orchestration.dbt import MANIFEST, ImpactDbtTranslator, impact_dbt_project

    translator = ImpactDbtTranslator()

    @dbt_assets(manifest=MANIFEST, project=impact_dbt_project, pool=WRITER_POOL,
                dagster_dbt_translator=translator, name="impact_dbt_models")
    def impact_dbt_models(context: AssetExecutionContext):
        # profiles.yml reads the warehouse path from the environment.
        os.environ["IMPACT_WAREHOUSE_PATH"] = str(settings.warehouse_path)
        settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
        models = {key.path[-1] for key in context.selected_asset_keys}
        total = len(models) + len(context.selected_asset_check_keys)
        target = settings.data_dir / "dbt" / "target"  # one folder per data directory, reused
        vars_ = dbt_vars(settings)

        def on_result(done: int) -> None:
            console.progress("dbt", f"{done}/{total} nodes")
            if done == PAUSE_AFTER_NODES:
                pause_point("dbt", settings.data_dir)

        with writer_lock(settings):
            with write_connection(settings, lock_held=True) as con:  # a build that dies is redone in full
                run_state.forget(con, BUILD_STAGE, OUTPUTS_KEY)
            yield from dbt_in_process.build(context, translator=translator, project=impact_dbt_project,
                                            manifest_path=MANIFEST, dbt_vars=vars_, target=target,
                                            on_result=on_result)
            with write_connection(settings, lock_held=True) as con:
                record_build(con, vars_, models, context.run.run_id)

    return impact_dbt_models


def dbt_resource():
    from dagster_dbt import DbtCliResource

    from orchestration.dbt import DBT_EXECUTABLE, impact_dbt_project

    return DbtCliResource(project_dir=impact_dbt_project, dbt_executable=DBT_EXECUTABLE)
