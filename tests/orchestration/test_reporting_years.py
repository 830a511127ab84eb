"""Reporting years as partitions, and the schedules that pick a year from their scheduled time."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from dagster import DefaultScheduleStatus, SkipReason, build_schedule_context

from orchestration.dbt import ensure_manifest
from partnership.config import ConfigError, load_settings
from partnership.reporting_years import (
    closes_on,
    first_open_year,
    is_open,
    latest_closed,
    reporting_years,
    start_year,
    year_containing,
    year_just_closed,
    year_label,
)

LONDON = ZoneInfo("Europe/London")


def test_labels_follow_the_marts_convention():
    assert year_label(2024, 4) == "2024-25"
    assert year_label(1999, 4) == "1999-00"
    assert year_label(2025, 1) == "2025"
    assert start_year("2024-25", 4) == 2024
    for wrong in ("2024-26", "2024", "24-25", "2024/25"):
        with pytest.raises(ValueError, match="not a reporting year label"):
            start_year(wrong, 4)


def test_years_turn_on_the_configured_start_month():
    assert year_containing(date(2025, 3, 31), 4) == "2024-25"
    assert year_containing(date(2025, 4, 1), 4) == "2025-26"
    assert year_just_closed(date(2025, 6, 1), 4) == "2024-25"
    assert year_just_closed(date(2025, 3, 1), 1) == "2024"
    assert reporting_years("2022-23", date(2025, 4, 1), 4) == ["2022-23", "2023-24", "2024-25", "2025-26"]
    assert reporting_years("2026-27", date(2025, 4, 1), 4) == ["2026-27"]  # never empty


def test_a_year_closes_its_grace_period_after_its_end():
    assert closes_on("2024-25", 4, 61) == date(2025, 6, 1)  # 31 March + 61 days, the day after
    assert closes_on("2025", 1, 0) == date(2026, 1, 1)
    assert is_open("2024-25", 4, 61, date(2025, 5, 31)) and not is_open("2024-25", 4, 61, date(2025, 6, 1))
    assert first_open_year(4, 61, date(2025, 5, 31)) == "2024-25"  # still taking late returns
    assert first_open_year(4, 61, date(2025, 6, 1)) == "2025-26"
    assert latest_closed(["2022-23", "2023-24", "2024-25", "2025-26"], 4, 61, date(2025, 5, 31)) == "2023-24"
    assert latest_closed(["2025-26"], 4, 61, date(2025, 6, 1)) is None


def test_configuration_refuses_a_first_year_of_another_convention(tmp_path):
    config = tmp_path / "impact.toml"
    config.write_text('[reporting]\nyear_start_month = 1\nfirst_year = "2022-23"\n')
    with pytest.raises(ConfigError, match="expected e.g. '2024'"):
        load_settings(config_file=config)
    config.write_text('[reporting]\nyear_start_month = 1\nfirst_year = "2022"\n')
    assert load_settings(config_file=config).reporting.first_year == "2022"


@pytest.fixture(scope="module")
def defs():
    ensure_manifest()
    from orchestration.definitions import build_definitions

    return build_definitions(load_settings())


def test_partitions_run_from_the_first_year_to_the_year_in_progress(defs):
    keys = defs.resolve_job_def("publish_job").partitions_def.get_partition_keys()
    assert keys[0] == "2022-23" and keys[-1] == year_containing(date.today(), 4)
    assert defs.resolve_job_def("build_job").partitions_def is None  # dbt builds every year at once


def test_yearly_publication_publishes_the_year_just_closed(defs):
    schedule = defs.resolve_schedule_def("yearly_publication")
    assert schedule.default_status == DefaultScheduleStatus.STOPPED
    assert schedule.cron_schedule == "0 6 1 6 *" and schedule.job_name == "impact_pipeline"
    context = build_schedule_context(scheduled_execution_time=datetime(2025, 6, 1, 6, tzinfo=LONDON),
                                     repository_def=defs.get_repository_def())  # validates the key
    requests = schedule.evaluate_tick(context).run_requests
    assert len(requests) == 1 and requests[0].partition_key == "2024-25"
    assert requests[0].run_key == "publish-2024-25"


def test_yearly_publication_skips_a_year_before_the_first_partition(defs):
    schedule = defs.resolve_schedule_def("yearly_publication")
    context = build_schedule_context(scheduled_execution_time=datetime(2021, 6, 1, 6, tzinfo=LONDON))
    result = schedule(context)
    assert isinstance(result, SkipReason) and "2020-21" in result.skip_message


def test_monthly_rebuild_loads_and_builds_without_publishing(defs):
    schedule = defs.resolve_schedule_def("monthly_rebuild")
    assert schedule.default_status == DefaultScheduleStatus.RUNNING
    assert schedule.cron_schedule == "0 6 2 * *" and schedule.job_name == "build_job"
    job = defs.resolve_job_def("build_job")  # what it plans each month: test_monthly_schedule.py
    selected = {key.to_user_string() for key in job.asset_layer.executable_asset_keys}
    assert "metrics" in selected and "raw/spend__payments" in selected
    assert not selected & {"annual_tables", "published_snapshot", "annual_pack"}

