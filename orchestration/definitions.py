"""Merges the parts of the product into one Definitions object, and does nothing else."""

from __future__ import annotations

from dagster import AssetKey, AssetSelection, Definitions, define_asset_job

from orchestration.assets.gate import build_gate_check
from orchestration.assets.ingest import build_ingest_assets
from orchestration.assets.publication import build_publication_assets
from orchestration.assets.warehouse import build_dbt_assets, dbt_resource
from orchestration.config import Settings, load_settings
from orchestration.freshness import build_freshness_checks, build_freshness_schedule
from orchestration.sensors.alerts import build_failure_alert_sensor
from orchestration.sensors.landing import build_landing_sensor


def build_definitions(settings: Settings) -> Definitions:
    everything = AssetSelection.all()
    ingest_assets = build_ingest_assets(settings)
    freshness_checks = build_freshness_checks(settings)
    freshness_job, freshness_schedule = build_freshness_schedule(freshness_checks)
    return Definitions(
        assets=[*ingest_assets, build_dbt_assets(settings),
                *build_publication_assets(settings)],
        asset_checks=[build_gate_check(settings), *freshness_checks],
        jobs=[
            define_asset_job("impact_pipeline", everything,
                             description="Ingest new landing files, build the warehouse, gate, publish and export."),
            define_asset_job("ingest_job", AssetSelection.groups("ingest"),
                             description="Load new files from the landing folder."),
            define_asset_job("publish_job",
                             AssetSelection.checks_for_assets(AssetKey(["metrics"]))
                             | AssetSelection.groups("publication"),
                             description="Gate a reporting year and, if it passes, publish the snapshot and the pack."),
            freshness_job,
        ],
        sensors=[build_landing_sensor(settings, ingest_assets), build_failure_alert_sensor(settings)],
        schedules=[freshness_schedule],
        resources={"dbt": dbt_resource()},
    )


defs = build_definitions(load_settings())
