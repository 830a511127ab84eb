"""Jobs a steward launches and the two schedules that launch them.

- `monthly_rebuild` (on by default): on the 2nd of each month at 06:00, load whatever new files the
  landing folder holds and rebuild what they feed, planned as `impact run` plans its build
  (build_plan.py): only the new files' feeds and the dbt models downstream of the raw tables that
  changed; no run at all when nothing is new. Nothing is published: publication is per year.
- `yearly_publication` (off by default; switch it on in the UI under Automation): on the day a
  reporting year closes (its end plus `[reporting] grace_days`: 1 June for an April year), ingest,
  rebuild, gate and publish the year just closed, as a partition run of `impact_pipeline`. The
  grace lets providers send Q4 returns.
"""

from collections.abc import Sequence
from datetime import datetime

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    RunRequest,
    ScheduleEvaluationContext,
    SkipReason,
    define_asset_job,
    schedule,
)

from orchestration.build_plan import PLAN_TAG  # why a planned build selected what it did (UI → Runs)
from orchestration.dbt import DBT_GROUPS
from partnership.config import Settings
from partnership.reporting_years import closes_on, year_just_closed, year_label
from partnership.warehouse import WarehouseBusy

TIMEZONE = "Europe/London"
BUSY_SECONDS = 5  # a writer holding the warehouse longer: the schedule asks for the whole build

impact_pipeline = define_asset_job(
    "impact_pipeline", AssetSelection.all(),
    description="Ingest new landing files, build the warehouse, gate a reporting year (the run's "
                "partition) and, if it passes, publish the snapshot and that year's pack.")
ingest_job = define_asset_job(
    "ingest_job", AssetSelection.groups("ingest"), description="Load new files from the landing folder.")
build_job = define_asset_job(
    "build_job", AssetSelection.groups("ingest", *DBT_GROUPS),
    description="Load new landing files and rebuild the warehouse (dbt models and tests); publishes nothing.")
publish_job = define_asset_job(
    "publish_job", AssetSelection.groups("gate", "publication"),
    description="Gate a reporting year (the run's partition) and, if it passes, publish the snapshot "
                "and the year's pack, without reloading or rebuilding the warehouse.")

JOBS = [impact_pipeline, ingest_job, build_job, publish_job]


def publication_cron(year_start_month: int, grace_days: int = 61) -> str:
    """06:00 on the day a year closes: its end plus [reporting] grace_days (61: 1 June for April)."""
    closes = closes_on(year_label(2021, year_start_month), year_start_month, grace_days)
    return f"0 6 {closes.day} {closes.month} *"


def build_schedules(settings: Settings, partition_keys: Sequence[str]) -> list:
    start_month = settings.reporting.year_start_month

    @schedule(cron_schedule="0 6 2 * *", job=build_job, execution_timezone=TIMEZONE,
              default_status=DefaultScheduleStatus.RUNNING,
              description="Monthly: load new landing files and rebuild what they feed (06:00 on the 2nd); "
                          "no run when nothing is new.")
    def monthly_rebuild(context: ScheduleEvaluationContext):
        from orchestration.build_plan import plan_work

        when = context.scheduled_execution_time or datetime.now()
        run_key = f"rebuild-{when:%Y-%m}"
        try:
            work = plan_work(settings, lock_timeout=BUSY_SECONDS)
        except WarehouseBusy:  # a run is writing it now
            return RunRequest(run_key=run_key, tags={PLAN_TAG: "every model: the warehouse was busy when planned"})
        if not work.needed:
            return SkipReason(f"nothing to build: {work.why_not}")
        return RunRequest(run_key=run_key, asset_selection=work.selection(),
                          tags={PLAN_TAG: work.tag()})

    @schedule(cron_schedule=publication_cron(start_month, settings.reporting.grace_days), job=impact_pipeline,
              execution_timezone=TIMEZONE,
              default_status=DefaultScheduleStatus.STOPPED,
              description="Yearly, off by default: publish the reporting year just closed "
                          f"({settings.reporting.grace_days} days after its end), through the gate.")
    def yearly_publication(context: ScheduleEvaluationContext):
        year = year_just_closed(context.scheduled_execution_time or datetime.now(), start_month)
        if year not in partition_keys:
            return SkipReason(f"{year} is not a reporting-year partition (first year: "
                              f"{settings.reporting.first_year} in impact.toml)")
        return RunRequest(run_key=f"publish-{year}", partition_key=year)

    return [monthly_rebuild, yearly_publication]
