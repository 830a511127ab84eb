"""dbt builds in this process (dbt's own `dbtRunner`), turned into Dagster events by dagster-dbt.

`DbtCliResource.cli` starts `dbt --version`, loads the adapter, then starts dbt as a subprocess
that imports and parses the project again: seconds of fixed cost in every build, most of a
monthly run's build. In-process, dbt is imported once, its events reach us as callbacks, and
dagster-dbt's own `DbtCoreCliEventMessage` turns each result into the same Output /
AssetCheckResult a subprocess build would give. The selection is dagster-dbt's too (the run's
selected assets and checks become `--select`, as with `dbt.cli`).
"""

from __future__ import annotations

import json
import queue
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from dagster import AssetExecutionContext, Failure

from partnership.config import DBT_PROJECT_DIR

RESULTS = {"LogSeedResult", "LogModelResult", "LogSnapshotResult", "LogTestResult"}


def build(context: AssetExecutionContext, *, translator, project, manifest_path: Path, dbt_vars: dict,
          target: Path, on_result: Callable[[int], None], extra_args: Sequence[str] = (),
          exclude: Sequence[str] = ()) -> Iterator:
    """`dbt build` of the run's selection less the `exclude`d nodes (and `extra_args`, e.g.
    --full-refresh); yields Dagster events, raises Failure if dbt failed."""
    from dagster_dbt.asset_utils import get_updated_cli_invocation_params_for_context
    from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage
    from dbt.cli.main import dbtRunner, dbtRunnerResult
    from dbt_common.events.functions import msg_to_dict

    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    params = get_updated_cli_invocation_params_for_context(
        context=context, manifest=manifest, dagster_dbt_translator=translator, runtime_excludes=exclude)
    project_dir = Path(params.dbt_project.project_dir) if params.dbt_project else DBT_PROJECT_DIR
    args = ["build", "--vars", json.dumps(dbt_vars), "--project-dir", str(project_dir),
            "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(target), "--log-path", str(target),
            *extra_args, *params.selection_args]
    if params.indirect_selection:
        args += ["--indirect-selection", params.indirect_selection]
    results: queue.Queue = queue.Queue()
    errors: list[str] = []
    count = [0]

    def listen(event) -> None:  # on dbt's worker threads
        if event.info.name in RESULTS:
            results.put(msg_to_dict(event))
            count[0] += 1
            on_result(count[0])
        elif event.info.level == "error" and event.info.msg:
            errors.append(str(event.info.msg))

    def invoke() -> None:
        outcome: dbtRunnerResult | BaseException
        try:
            outcome = dbtRunner(callbacks=[listen]).invoke(args)
        except BaseException as exc:  # handed to the step below
            outcome = exc
        _close_warehouse()
        results.put(outcome)

    context.log.info(f"dbt {' '.join(args)}")
    # dbt runs on a thread, so that its results are recorded in Dagster while it builds
    worker = threading.Thread(target=invoke, name="dbt", daemon=True)
    worker.start()
    failed = []
    while not isinstance(item := results.get(), BaseException) and not hasattr(item, "success"):
        if item["data"].get("status", "").lower() in ("error", "fail"):
            failed.append(item["info"]["msg"])
        event = DbtCoreCliEventMessage(raw_event=item, event_history_metadata={})
        yield from event.to_default_asset_events(manifest=manifest, dagster_dbt_translator=translator,
                                                 context=context, target_path=target, project=project)
    worker.join()
    if isinstance(item, BaseException):
        raise item
    if not item.success:
        detail = "; ".join(dict.fromkeys([*failed, *errors])) or str(item.exception or "")
        detail = _COLOUR.sub("", detail)  # dbt colours its messages for a terminal; the steward reads a line
        raise Failure(description=f"dbt build failed: {' '.join(detail.split())[:1500]}")


_COLOUR = re.compile(r"\x1b\[[0-9;]*m")


def _close_warehouse() -> None:
    """dbt-duckdb keeps its database open for the next invocation; this process opens the warehouse
    itself next (the snapshot attaches it), so close it now."""
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:
        return
    with DuckDBConnectionManager._LOCK:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
            DuckDBConnectionManager._ENV = None
