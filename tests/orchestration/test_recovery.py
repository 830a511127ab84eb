"""A run left STARTED by a dead process, holding the writer slot: the daemon's `stale_runs` sensor
(and the next `impact run`, which calls the same recovery) marks it failed with the reason, frees
the slot, and leaves a live run alone."""

from __future__ import annotations

import socket

import pytest
from dagster import DagsterInstance, DagsterRunStatus, build_sensor_context, job, op
from dagster._core.events import DagsterEvent, DagsterEventType

from orchestration.recovery import HOST_TAG, PID_TAG, STARTED_TAG, run_tags
from orchestration.runner import prepare_environment
from orchestration.sensors.stale_runs import build_stale_run_sensor
from partnership.warehouse import WRITER_POOL


@op
def step():
    return None


@job
def some_job():
    step()


def _started_run(instance, tags: dict[str, str]) -> str:
    """A run as a killed process leaves it: STARTED, its step holding the writer slot."""
    run_id = some_job.execute_in_process(instance=instance).run_id
    instance.add_run_tags(run_id, tags)
    instance.handle_run_event(run_id, DagsterEvent(DagsterEventType.RUN_START.value, job_name="some_job"))
    instance.event_log_storage.claim_concurrency_slot(WRITER_POOL, run_id, "step")
    return run_id


@pytest.fixture
def instance(settings):
    prepare_environment(settings)
    with DagsterInstance.from_config(str(settings.dagster_home)) as instance:
        instance.event_log_storage.set_concurrency_slots(WRITER_POOL, 2)  # both runs hold one
        yield instance


def test_a_dead_runs_slot_is_freed_and_a_live_run_is_left_alone(settings, instance):
    dead = _started_run(instance, {PID_TAG: "999999", STARTED_TAG: "1", HOST_TAG: socket.gethostname()})
    alive = _started_run(instance, run_tags())  # this very process
    assert instance.event_log_storage.get_concurrency_info(WRITER_POOL).claimed_slots  # someone holds it

    sensor = build_stale_run_sensor(settings)
    result = sensor(build_sensor_context(instance=instance))

    assert "1 dead run(s) marked failed" in result.skip_message
    assert instance.get_run_by_id(dead).status == DagsterRunStatus.FAILURE
    assert instance.get_run_by_id(alive).status == DagsterRunStatus.STARTED
    failure = instance.get_records_for_run(dead, of_type=DagsterEventType.RUN_FAILURE).records
    assert "process 999999" in failure[-1].event_log_entry.dagster_event.message
    claimed = {s.run_id for s in instance.event_log_storage.get_concurrency_info(WRITER_POOL).claimed_slots}
    assert dead not in claimed and alive in claimed
