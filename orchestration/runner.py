"""Run the pipeline headless, as the CLI and tests do: a real Dagster instance under the data
directory (so `impact ui` shows the same run history), the real job, real assets and checks."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.config import Settings

INSTANCE_YAML = """\
# Written by `impact`; Dagster instance for this data directory.
telemetry:
  enabled: false
concurrency:
  pools:
    default_limit: 1   # the duckdb_writer pool: one writer at a time on the working DuckDB file
"""


def prepare_environment(settings: Settings) -> None:
    """Point Dagster and dbt at this data directory (child processes inherit it)."""
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(INSTANCE_YAML, encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home)
    os.environ["IMPACT_DATA_DIR"] = str(settings.data_dir)
    os.environ["IMPACT_WAREHOUSE_PATH"] = str(settings.warehouse_path)
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")


@dataclass
class RunOutcome:
    run_id: str
    success: bool
    reporting_year: str | None
    gate_status: str | None
    pack_folder: Path | None
    failed_steps: list[str] = field(default_factory=list)
    materialized: list[str] = field(default_factory=list)


def run_pipeline(settings: Settings, reporting_year: str | None = None,
                 job_name: str = "impact_pipeline", log_level: str = "INFO") -> RunOutcome:
    from dagster import DagsterInstance

    from orchestration.assets.gate import YEAR_TAG
    from orchestration.dbt import ensure_manifest

    prepare_environment(settings)
    ensure_manifest()
    from orchestration.definitions import build_definitions  # after the manifest exists

    job = build_definitions(settings).resolve_job_def(job_name)
    tags = {YEAR_TAG: reporting_year} if reporting_year else {}
    with DagsterInstance.get() as instance:
        result = job.execute_in_process(instance=instance, tags=tags, raise_on_error=False,
                                        run_config={"loggers": {"console": {"config": {"log_level": log_level}}}})
    outcome = RunOutcome(result.run_id, result.success, reporting_year, None, None)
    for event in result.all_events:
        if event.is_step_failure:
            outcome.failed_steps.append(event.step_key or "?")
        if event.event_type_value == "ASSET_MATERIALIZATION":
            mat = event.event_specific_data.materialization
            outcome.materialized.append(mat.asset_key.to_user_string())
            if mat.asset_key.path == ["annual_pack"]:
                outcome.pack_folder = Path(mat.metadata["folder"].value)
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if evaluation.check_name == "publication_gate":
                outcome.gate_status = evaluation.metadata["status"].value
                outcome.reporting_year = evaluation.metadata["reporting_year"].value
    return outcome
