"""The stale-runs sensor: every minute, in the daemon, a run started from the command line whose
process has died is marked failed and its `duckdb_writer` slot freed, so runs queued behind it go
on. The same recovery runs at the start of every `impact run` (orchestration/recovery.py)."""


from dagster import DefaultSensorStatus, SensorEvaluationContext, SkipReason, sensor

from orchestration.recovery import recover
from partnership.config import Settings


def build_stale_run_sensor(settings: Settings):
    @sensor(name="stale_runs", default_status=DefaultSensorStatus.RUNNING, minimum_interval_seconds=60,
            description="Marks runs failed whose command-line process has died (killed, out of memory), "
                        "and frees their writer slot.")
    def stale_runs(context: SensorEvaluationContext):
        dead = recover(context.instance, settings, pid_tagged_only=True)
        for run in dead:
            context.log.warning(f"run {run.run_id} ({run.job_name}) marked failed: {run.reason}")
        return SkipReason(f"{len(dead)} dead run(s) marked failed" if dead else "no dead runs")

    return stale_runs
