"""Crashed runs: a run whose process died (killed, out of memory, machine restarted) stays
STARTED in Dagster and keeps its `duckdb_writer` slot, and every later run would wait for it.

Every run the command line starts carries its process id, the process's start time and the host
in its tags (`run_tags`). A run still marked in progress whose process is gone is dead; so is a run
started by the UI (no such tags) while no Dagster daemon has beaten for two minutes (the UI, and
with it the run, is gone). `recover` marks dead runs failed with the reason, frees their pool
slots, and removes what they left half-written (a snapshot being built, a Parquet set never
swapped in, a pack folder never renamed into place). It runs at the start of every `impact run`,
`impact publish` and `impact demo`, and every minute in the daemon (sensor `stale_runs`).
What dead runs committed stays: every step is safe to redo, and the next run redoes what they
did not finish (orchestration/run_state.py).
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from partnership.config import Settings

PID_TAG, STARTED_TAG, HOST_TAG = "impact/pid", "impact/pid_started", "impact/host"
DAEMON_SILENT_SECONDS = 120


def _process_start(pid: int) -> str | None:
    """The process's start time (clock ticks since boot), to tell a reused pid from the original."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def run_tags() -> dict[str, str]:
    return {PID_TAG: str(os.getpid()), STARTED_TAG: _process_start(os.getpid()) or "",
            HOST_TAG: socket.gethostname()}


def process_alive(pid: int, started: str) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    now = _process_start(pid)
    return not started or now is None or now == started


@dataclass(frozen=True)
class DeadRun:
    run_id: str
    job_name: str
    reason: str


def why_dead(run, daemon_alive: bool) -> str | None:
    """The reason a run marked in progress is not running, or None if it may be."""
    tags = run.tags
    if tags.get(HOST_TAG) == socket.gethostname() and tags.get(PID_TAG, "").isdigit():
        if process_alive(int(tags[PID_TAG]), tags.get(STARTED_TAG, "")):
            return None
        return f"its process {tags[PID_TAG]} on {tags[HOST_TAG]} is gone (killed, or the machine restarted)"
    if PID_TAG in tags:
        return None  # another host's process: cannot be checked from here
    if daemon_alive:
        return None
    return "it was started by the Dagster UI, which is no longer running (no daemon heartbeat)"


def daemon_alive(instance) -> bool:
    beats = instance.get_daemon_heartbeats().values()
    return any(time.time() - beat.timestamp < DAEMON_SILENT_SECONDS for beat in beats)


def dead_runs(instance, *, pid_tagged_only: bool = False) -> list[DeadRun]:
    from dagster import DagsterRunStatus, RunsFilter

    statuses = [DagsterRunStatus.STARTED, DagsterRunStatus.STARTING, DagsterRunStatus.CANCELING]
    runs = instance.get_runs(filters=RunsFilter(statuses=statuses))
    if not runs:
        return []
    alive = True if pid_tagged_only else daemon_alive(instance)
    found = []
    for run in runs:
        reason = why_dead(run, alive)
        if reason:
            found.append(DeadRun(run.run_id, run.job_name, reason))
    return found


def may_need_recovery(settings: Settings) -> bool:
    """Whether `recover` could find anything: a run marked in progress, or a writer slot or pending
    step held. Read straight from the instance's SQLite files written by `impact` (no Dagster
    import, a few milliseconds, so a run with nothing to do stays quick); any other storage, a file
    missing, or a schema this does not know answers yes, and `recover` looks properly."""
    import yaml

    from orchestration.runner import uses_own_storage

    home = settings.dagster_home
    try:
        if not uses_own_storage(yaml.safe_load((home / "dagster.yaml").read_text(encoding="utf-8")) or {}):
            return True
        with closing(sqlite3.connect(f"{(home / 'history' / 'runs.db').as_uri()}?mode=ro", uri=True)) as runs:
            in_progress = runs.execute("SELECT count(*) FROM runs WHERE status IN "
                                       "('STARTED', 'STARTING', 'CANCELING')").fetchone()[0]
        index_db = home / "history" / "runs" / "index.db"
        with closing(sqlite3.connect(f"{index_db.as_uri()}?mode=ro", uri=True)) as index:
            held = (index.execute("SELECT count(*) FROM concurrency_slots WHERE run_id IS NOT NULL").fetchone()[0]
                    + index.execute("SELECT count(*) FROM pending_steps").fetchone()[0])
    except (OSError, sqlite3.Error, yaml.YAMLError):
        return True
    return bool(in_progress or held)


def recover(instance, settings: Settings, *, pid_tagged_only: bool = False) -> list[DeadRun]:
    """Mark dead runs failed, free their slots and clear their leftovers; returns what it did."""
    dead = dead_runs(instance, pid_tagged_only=pid_tagged_only)
    for run in dead:
        record = instance.get_run_by_id(run.run_id)
        instance.report_run_failed(record, f"marked failed by the next run: {run.reason}")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        clear_leftovers(settings, run.run_id)
    free_finished_slots(instance)
    if not pid_tagged_only and not _in_progress(instance):
        clear_partial_packs(settings)
    return dead


def _in_progress(instance) -> bool:
    from dagster import DagsterRunStatus, RunsFilter

    statuses = [DagsterRunStatus.STARTED, DagsterRunStatus.STARTING, DagsterRunStatus.CANCELING]
    return bool(instance.get_runs(filters=RunsFilter(statuses=statuses), limit=1))


def free_finished_slots(instance) -> None:
    """Slots still held by runs that have finished (a failure that skipped the release)."""
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return
    for run_id in storage.get_concurrency_run_ids():
        run = instance.get_run_by_id(run_id)
        if run is None or run.is_finished:
            storage.free_concurrency_slots_for_run(run_id)


def clear_leftovers(settings: Settings, run_id: str) -> None:
    """A dead run's half-built snapshot and unlinked Parquet set (the link decides what is live)."""
    published = settings.published_path
    published.with_name(f".{published.name}.{run_id}.tmp").unlink(missing_ok=True)
    link = published.parent / "parquet"
    live = os.readlink(link) if link.is_symlink() else None
    folder = published.parent / f".parquet-{run_id}"
    if folder.is_dir() and folder.name != live:
        shutil.rmtree(folder, ignore_errors=True)


def clear_partial_packs(settings: Settings) -> None:
    """Pack folders never renamed into place (exports/<year>/.partial-*): no live run writes them."""
    for partial in settings.exports_dir.glob("*/.partial-*"):
        shutil.rmtree(partial, ignore_errors=True)
