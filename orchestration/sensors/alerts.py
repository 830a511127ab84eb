"""The run-failure sensor: every failed run, of any job, becomes one readable alert."""


from dagster import DefaultSensorStatus, RunFailureSensorContext, run_failure_sensor

from orchestration.alerts import Alert, send, what_to_do
from orchestration.landing import FEED_TAG, FILE_TAG, SHA256_TAG
from partnership.config import Settings


def _innermost_message(error) -> str:
    """The user's own error message: Dagster wraps it in an 'Error occurred while executing' error."""
    while error is not None and error.cause is not None:
        error = error.cause
    if error is None:
        return ""
    message = error.message.strip()
    prefix = f"{error.cls_name}: " if error.cls_name else ""
    for known in (f"dagster._core.definitions.events.{prefix}", prefix):
        if known and message.startswith(known):
            message = message[len(known):]
    return message


def _step_error(event) -> str:
    data = event.event_specific_data
    if data is None:
        return event.message or ""
    failure = getattr(data, "user_failure_data", None)
    if failure is not None and failure.description:
        return failure.description
    return _innermost_message(getattr(data, "error", None)) or (event.message or "")


def alert_for(context: RunFailureSensorContext) -> Alert:
    run = context.dagster_run
    steps = context.get_step_failure_events()
    failed = [event.step_key or "?" for event in steps]
    error = "\n".join(dict.fromkeys(_step_error(event) for event in steps if _step_error(event)))
    error = error or (context.failure_event.message or "the run failed before any step ran")
    files = []
    if run.tags.get(FILE_TAG):
        sha = run.tags.get(SHA256_TAG, "")
        files.append(f"{run.tags.get(FEED_TAG, '?')}/{run.tags[FILE_TAG]}" + (f" (sha256 {sha[:12]}…)" if sha else ""))
    subject = f"run failed: {run.job_name}" + (f" on {files[0].split(' ')[0]}" if files else "")
    return Alert(subject=subject, job=run.job_name, run_id=run.run_id, failed=failed, files=files,
                 error=error, what_to_do=what_to_do(failed, files, error))


def build_failure_alert_sensor(settings: Settings):
    @run_failure_sensor(name="run_failure_alerts", monitor_all_code_locations=False,
                        default_status=DefaultSensorStatus.RUNNING, minimum_interval_seconds=15,
                        description=f"Writes an alert for every failed run to {settings.alerts_path} "
                                    "(and the webhook / e-mail configured in impact.toml).")
    def run_failure_alerts(context: RunFailureSensorContext):
        alert = alert_for(context)
        for outcome in send(settings, alert):
            context.log.info(f"alert for run {alert.run_id}: {outcome}")

    return run_failure_alerts
