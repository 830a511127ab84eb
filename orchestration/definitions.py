"""Merges the parts of the product into one Definitions object, and does nothing else."""

from __future__ import annotations

from dagster import Definitions

from orchestration.assets.gate import build_annual_tables, build_gate_check
from orchestration.assets.ingest import build_ingest_assets
from orchestration.assets.publication import build_publication_assets
from orchestration.assets.warehouse import build_dbt_assets, dbt_resource
from orchestration.config import Settings, load_settings
from orchestration.reporting_years import reporting_year_partitions
from orchestration.schedules import JOBS, build_schedules


def build_definitions(settings: Settings) -> Definitions:
    years = reporting_year_partitions(settings.reporting.first_year, settings.reporting.year_start_month)
    return Definitions(
        assets=[*build_ingest_assets(settings), build_dbt_assets(settings),
                build_annual_tables(settings, years), *build_publication_assets(settings, years)],
        asset_checks=[build_gate_check(settings, years)],
        jobs=JOBS,
        schedules=build_schedules(settings, years.get_partition_keys()),
        resources={"dbt": dbt_resource()},
    )


defs = build_definitions(load_settings())
