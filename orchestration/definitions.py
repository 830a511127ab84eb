"""Merges the parts of the product into one Definitions object, and does nothing else."""

from __future__ import annotations

from dagster import AssetKey, AssetSelection, Definitions, define_asset_job

from orchestration.assets.gate import build_gate_check
from orchestration.assets.ingest import build_ingest_assets
from orchestration.assets.publication import build_publication_assets
from orchestration.assets.warehouse import build_dbt_assets, dbt_resource
from orchestration.config import Settings, load_settings


def build_definitions(settings: Settings) -> Definitions:
    everything = AssetSelection.all()
    return Definitions(
        assets=[*build_ingest_assets(settings), build_dbt_assets(settings),
                *build_publication_assets(settings)],
        asset_checks=[build_gate_check(settings)],
        jobs=[
            define_asset_job("impact_pipeline", everything,
                             description="Ingest new landing files, build the warehouse, gate, publish and export."),
            define_asset_job("ingest_job", AssetSelection.groups("ingest"),
                             description="Load new files from the landing folder."),
            define_asset_job("publish_job",
                             AssetSelection.checks_for_assets(AssetKey(["metrics"]))
                             | AssetSelection.groups("publication"),
                             description="Gate a reporting year and, if it passes, publish the snapshot and the pack."),
        ],
        resources={"dbt": dbt_resource()},
    )


defs = build_definitions(load_settings())
