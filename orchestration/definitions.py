"""Merges the parts of the product into one Definitions object, and does nothing else."""

from __future__ import annotations

from dagster import Definitions

from orchestration.assets.gate import build_annual_tables, build_gate_check
from orchestration.assets.ingest import build_ingest_assets
from orchestration.assets.publication import build_publication_assets
from orchestration.assets.warehouse import build_dbt_assets, dbt_resource
from orchestration.freshness import build_freshness_checks, build_freshness_schedule
from orchestration.schedules import JOBS, build_schedules
from orchestration.sensors.alerts import build_failure_alert_sensor
from orchestration.sensors.landing import build_landing_sensor
from orchestration.sensors.stale_runs import build_stale_run_sensor
from partnership.config import Settings, load_settings
from partnership.reporting_years import reporting_year_partitions


def build_definitions(settings: Settings) -> Definitions:
    years = reporting_year_partitions(settings.reporting.first_year, settings.reporting.year_start_month)
    ingest_assets = build_ingest_assets(settings)
    freshness_checks = build_freshness_checks(settings)
    freshness_job, freshness_schedule = build_freshness_schedule(freshness_checks)
    return Definitions(
        assets=[*ingest_assets, build_dbt_assets(settings),
                build_annual_tables(settings, years), *build_publication_assets(settings, years)],
        asset_checks=[build_gate_check(settings, years), *freshness_checks],
        jobs=[*JOBS, freshness_job],
        sensors=[build_landing_sensor(settings, ingest_assets), build_failure_alert_sensor(settings),
                 build_stale_run_sensor(settings)],
        schedules=[*build_schedules(settings, years.get_partition_keys()), freshness_schedule],
        resources={"dbt": dbt_resource()},
    )


defs = build_definitions(load_settings())
