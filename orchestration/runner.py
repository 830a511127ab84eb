"""Run Dagster jobs headless, as the CLI and tests do: a real Dagster instance under the data
directory (so `impact ui` shows the same run history), the real job, real assets and checks.

`run_pipeline` runs a named job as it is (`impact publish`, tests); `impact run` plans its runs
from what changed (orchestration/pipeline.py) and runs them through `execute`. Every run carries
its process id in its tags, so a run whose process dies is recognised (orchestration/recovery.py).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from partnership.config import Settings

INSTANCE_YAML = """\
# Written by `impact`; Dagster instance for this data directory.
telemetry:
  enabled: false
concurrency:
  pools:
    default_limit: 1   # the duckdb_writer pool: one writer at a time on the working DuckDB file
event_log_storage:     # Dagster's SQLite event log with pooled connections (orchestration/run_history.py)
  module: orchestration.run_history
  class: PooledSqliteEventLogStorage
  config:
    dagster_home:
      env: DAGSTER_HOME
"""
EVENT_LOG_STORAGE = yaml.safe_load(INSTANCE_YAML)["event_log_storage"]
# dagster.yaml's keys that choose where the run history lives: set by hand, they are left alone
STORAGE_KEYS = ("storage", "run_storage", "event_log_storage", "schedule_storage")


def prepare_environment(settings: Settings) -> None:
    """Point Dagster and dbt at this data directory (child processes inherit it)."""
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(INSTANCE_YAML, encoding="utf-8")
    else:
        _upgrade_instance_yaml(config)
    os.environ["DAGSTER_HOME"] = str(home)
    os.environ["IMPACT_DATA_DIR"] = str(settings.data_dir)
    if settings.config_file:  # `impact ui --config FILE`: the UI's code location reads the same file
        os.environ["IMPACT_CONFIG"] = str(settings.config_file)
    os.environ["IMPACT_WAREHOUSE_PATH"] = str(settings.warehouse_path)
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")


def uses_own_storage(config: dict) -> bool:
    """Whether a dagster.yaml keeps the run history in this data directory's SQLite files with the
    pooled event log, as `impact` writes it (other keys, such as the UI's, may differ)."""
    return (config.get("event_log_storage") == EVENT_LOG_STORAGE
            and not any(key in config for key in STORAGE_KEYS if key != "event_log_storage"))


def _upgrade_instance_yaml(config_path: Path) -> None:
    """A dagster.yaml written by an earlier `impact` (Dagster's default SQLite storage) gains the
    pooled event log: the same files, so the run history is kept. A storage set by hand is left."""
    text = config_path.read_text(encoding="utf-8")
    config = yaml.safe_load(text) or {}
    if any(key in config for key in STORAGE_KEYS):
        return
    block = INSTANCE_YAML[INSTANCE_YAML.index("event_log_storage:"):]
    config_path.write_text(text.rstrip("\n") + "\n" + block, encoding="utf-8")


@dataclass
class RunOutcome:
    run_id: str
    success: bool
    reporting_year: str | None
    gate_status: str | None
    pack_folder: Path | None
    failed_steps: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)  # why steps failed, for the steward
    materialized: list[str] = field(default_factory=list)
    metadata: dict[str, dict] = field(default_factory=dict)  # asset key -> its latest metadata
    checks: dict[str, bool] = field(default_factory=dict)  # asset:check -> passed
    step_seconds: dict[str, float] = field(default_factory=dict)  # step key -> seconds it ran
    tags: dict[str, str] = field(default_factory=dict)  # the run's tags when it ended

    def seconds(self, *prefixes: str) -> float:
        return sum(s for step, s in self.step_seconds.items() if step.startswith(prefixes))
    pack_new_revision: bool | None = None


def run_pipeline(settings: Settings, reporting_year: str | None = None,
                 job_name: str = "impact_pipeline", log_level: str = "INFO") -> RunOutcome:
    """Run a job; a job that gates and publishes runs as the reporting year's partition.

    Without a year, `impact_pipeline` first builds (ingest + warehouse, `build_job`) and then
    publishes the latest year with metric values (`publish_job`): two runs, because which year
    is the latest is known only once the new files are loaded.
    """
    from orchestration.recovery import recover

    defs = load_definitions(settings)
    with instance_for(settings) as instance:
        recover(instance, settings)
    job = defs.resolve_job_def(job_name)
    if job.partitions_def is None or reporting_year:
        return _execute(settings, job, reporting_year, log_level)
    built = None
    if job_name == "impact_pipeline":
        built = _execute(settings, defs.resolve_job_def("build_job"), None, log_level)
        if not built.success:
            return built
    reporting_year = latest_year(settings)
    outcome = _execute(settings, defs.resolve_job_def("publish_job"), reporting_year, log_level)
    if built:
        outcome.materialized[:0] = built.materialized
    return outcome


def load_definitions(settings: Settings):
    from orchestration.dbt import ensure_manifest

    prepare_environment(settings)
    ensure_manifest()
    from orchestration.definitions import build_definitions  # after the manifest exists

    return build_definitions(settings)


def instance_for(settings: Settings):
    from dagster import DagsterInstance

    from orchestration.run_history import without_fsync

    prepare_environment(settings)
    without_fsync()  # the run storage's commits too (orchestration/run_history.py)
    return DagsterInstance.get()


def latest_year(settings: Settings) -> str:
    """The latest closed reporting year with metric values: the year a pack is published for when
    none is named (an open year is provisional, in the snapshot only)."""
    import duckdb

    from orchestration.year_gate import year_closes_on, year_is_open

    try:
        con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    except duckdb.Error as exc:
        raise YearUnknown(f"cannot read {settings.warehouse_path} to find the latest year: {exc}") from exc
    try:
        years = [y for (y,) in con.execute("SELECT DISTINCT reporting_year FROM marts.metrics "
                                           "WHERE value IS NOT NULL ORDER BY 1").fetchall()]
    except duckdb.Error:
        years = []
    finally:
        con.close()
    closed = [y for y in years if not year_is_open(settings, y)]
    if years and not closed:
        raise YearUnknown(f"no closed reporting year has metric values yet ({', '.join(years)} open, the "
                          f"first until {year_closes_on(settings, years[0])}): packs are for closed years")
    year = closed[-1] if closed else None
    if not year:
        raise YearUnknown("no reporting year has metric values yet: load data and build first")
    return year


class YearUnknown(RuntimeError):
    """The year asked for cannot be published: not a partition, not closed, or none can be found."""


INTERRUPTED = "DagsterExecutionInterruptedError"  # Dagster's form of a SIGINT/SIGTERM inside a step


class RunInterrupted(RuntimeError):
    """A run stopped by Ctrl-C or a stop signal: the command stops too, instead of going on to its next
    run (the next year's gate, the snapshot) as if a step had merely failed."""


def stage_of(step_key: str | None, reporting_year: str | None = None) -> str:
    """A Dagster step as the console names its stage: `ingest_spend` is "ingest (spend)",
    `annual_tables_publication_gate` "the gate of 2025-26"."""
    key = step_key or "?"
    year = f" of {reporting_year}" if reporting_year else ""
    if key.startswith("ingest_"):
        return f"ingest ({key.removeprefix('ingest_')})"
    if key.endswith("_feed_freshness"):  # raw__spend__payments_feed_freshness
        return "the freshness check of " + " ".join(key.removesuffix("_feed_freshness").split("__")[1:])
    stages = {"impact_dbt_models": "dbt (the warehouse build)", "annual_tables": f"the gate{year} (its tables)",
              "annual_tables_publication_gate": f"the gate{year}", "published_snapshot": "the snapshot",
              "annual_pack": f"the pack{year}"}
    return stages.get(key, key)


def _interrupted(failure) -> bool:
    """Whether the step was stopped by an interrupt, however deep Dagster wrapped it."""
    error = failure.error
    while error is not None:
        if error.cls_name == INTERRUPTED:
            return True
        error = error.cause
    return False


def _failure_message(failure) -> str:
    """What a steward should read; a failed gate is left out (its expectations are printed)."""
    if failure.user_failure_data and failure.user_failure_data.description:
        return failure.user_failure_data.description
    if not failure.error or failure.error.cls_name == "DagsterAssetCheckFailedError":
        return ""
    error = failure.error
    while error.cause is not None:  # Dagster wraps the step's own error: say that one
        error = error.cause
    message = " ".join(error.message.split())
    return message.removeprefix(f"{error.cls_name}: ") if error.cls_name else message


def _execute(settings: Settings, job, reporting_year: str | None, log_level: str) -> RunOutcome:
    return execute(settings, job, reporting_year, log_level=log_level)


def execute(settings: Settings, job, reporting_year: str | None, *, selection: list | None = None,
            log_level: str = "INFO", tags: dict[str, str] | None = None) -> RunOutcome:
    """One run of `job` (for a partitioned job, the year's partition), optionally of a subset
    (asset keys, or the names of top-level assets), with `tags` beside the process's own."""
    from dagster import AssetKey

    from orchestration.recovery import run_tags

    if job.partitions_def is not None:
        keys = job.partitions_def.get_partition_keys()
        if reporting_year not in keys:
            raise YearUnknown(f"{reporting_year} is not a reporting year Dagster knows ({keys[0]} to "
                              f"{keys[-1]}; the first is [reporting] first_year in the configuration)")
    else:
        reporting_year = None
    with instance_for(settings) as instance:
        result = job.execute_in_process(
            instance=instance, partition_key=reporting_year, raise_on_error=False,
            asset_selection=[AssetKey(k) if isinstance(k, str) else k for k in selection] if selection else None,
            tags={**(tags or {}), **run_tags()},
            run_config={"loggers": {"console": {"config": {"log_level": log_level}}}})
        stats = instance.get_run_step_stats(result.run_id)
        run = instance.get_run_by_id(result.run_id)
    outcome = RunOutcome(result.run_id, result.success, reporting_year, None, None)
    outcome.tags = dict(run.tags) if run else {}
    outcome.step_seconds = {s.step_key: (s.end_time or 0) - (s.start_time or 0) for s in stats if s.start_time}
    for event in result.all_events:
        if event.is_step_failure:
            if _interrupted(event.step_failure_data):
                raise RunInterrupted(
                    f"interrupted (Ctrl-C or a stop signal) in {stage_of(event.step_key, reporting_year)} (run "
                    f"{result.run_id[:8]}): what "
                    "was done before it stays, nothing half-done is kept (a file being read is read again): run "
                    "the command again to carry on")
            outcome.failed_steps.append(event.step_key or "?")
            outcome.messages.append(_failure_message(event.step_failure_data))
        if event.event_type_value == "ASSET_MATERIALIZATION":
            mat = event.event_specific_data.materialization
            key = mat.asset_key.to_user_string()
            outcome.materialized.append(key)
            outcome.metadata[key] = {k: v.value for k, v in mat.metadata.items()}
            if mat.asset_key.path == ["annual_pack"]:
                outcome.pack_folder = Path(mat.metadata["folder"].value)
                outcome.pack_new_revision = bool(outcome.metadata[key].get("new_revision", True))
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            outcome.checks[f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"] = evaluation.passed
            if evaluation.check_name == "publication_gate":
                outcome.gate_status = evaluation.metadata["status"].value
    return outcome
