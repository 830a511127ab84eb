"""Dagster's run history under the data directory (orchestration/run_history.py): the pooled
SQLite event log keeps Dagster's own files, so history written before and after the change reads
the same; a dagster.yaml from an earlier `impact` is upgraded, a storage set by hand is left
alone; and the quick recovery check still trusts the files after the UI has added its keys."""

from __future__ import annotations

import sqlite3

import pytest
from dagster import AssetCheckResult, DagsterInstance, asset, asset_check, job, materialize, op
from dagster._core.events import DagsterEventType
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

from orchestration import run_history
from orchestration.recovery import may_need_recovery
from orchestration.runner import INSTANCE_YAML, prepare_environment

SUCCESS = DagsterEventType.RUN_SUCCESS.value
# what an earlier `impact` wrote, and the key `impact ui` adds
EARLIER_YAML = INSTANCE_YAML[:INSTANCE_YAML.index("event_log_storage:")] + "nux:\n  enabled: false\n"


@op
def step():
    return 1


@job
def some_job():
    step()


@pytest.fixture
def home(settings, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(settings.dagster_home))  # restored after the test
    monkeypatch.setenv("IMPACT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("IMPACT_WAREHOUSE_PATH", str(settings.warehouse_path))
    return settings.dagster_home


def _events(instance, run_id: str) -> list[str]:
    return [e.dagster_event.event_type_value for e in instance.all_logs(run_id) if e.dagster_event]


def test_a_new_data_directory_keeps_its_run_history_in_dagsters_own_files_through_a_pool(settings, home):
    prepare_environment(settings)
    assert (home / "dagster.yaml").read_text(encoding="utf-8") == INSTANCE_YAML
    with DagsterInstance.get() as instance:
        assert type(instance.event_log_storage) is run_history.PooledSqliteEventLogStorage
        run_ids = [some_job.execute_in_process(instance=instance).run_id for _ in range(run_history.OPEN_DATABASES + 3)]
        storage = instance.event_log_storage
        assert len(storage._engines) <= run_history.OPEN_DATABASES  # older runs' databases are closed
        assert SUCCESS in _events(instance, run_ids[0])  # and read again when asked for
        latest = _events(instance, run_ids[-1])
        with storage.index_connection() as conn:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 0
    assert sorted(p.stem for p in (home / "history" / "runs").glob("*.db")) == sorted([*run_ids, "index"])
    # Dagster's default storage, over the same folder, reads the same history
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    with DagsterInstance.get() as plain:
        assert type(plain.event_log_storage).__name__ == "SqliteEventLogStorage"
        assert _events(plain, run_ids[-1]) == latest
        assert SUCCESS in latest


def test_a_dagster_yaml_from_an_earlier_impact_gains_the_pool_and_keeps_its_history(settings, home):
    home.mkdir(parents=True)
    (home / "dagster.yaml").write_text(EARLIER_YAML, encoding="utf-8")
    with DagsterInstance.get() as instance:  # history written by the earlier version
        assert type(instance.event_log_storage).__name__ == "SqliteEventLogStorage"
        before = some_job.execute_in_process(instance=instance).run_id
    prepare_environment(settings)
    text = (home / "dagster.yaml").read_text(encoding="utf-8")
    assert text.startswith(EARLIER_YAML) and "PooledSqliteEventLogStorage" in text  # the UI's keys kept
    prepare_environment(settings)
    assert (home / "dagster.yaml").read_text(encoding="utf-8") == text  # once
    with DagsterInstance.get() as instance:
        assert type(instance.event_log_storage) is run_history.PooledSqliteEventLogStorage
        assert SUCCESS in _events(instance, before)
        after = some_job.execute_in_process(instance=instance).run_id
        assert {r.run_id for r in instance.get_runs()} == {before, after}
    assert not may_need_recovery(settings)  # the UI's keys do not make every run open the instance


def test_a_storage_set_by_hand_is_left_alone_and_recovery_then_looks_properly(settings, home, tmp_path):
    home.mkdir(parents=True)
    own = f"storage:\n  sqlite:\n    base_dir: {tmp_path / 'elsewhere'}\n"
    (home / "dagster.yaml").write_text(own, encoding="utf-8")
    prepare_environment(settings)
    assert (home / "dagster.yaml").read_text(encoding="utf-8") == own
    assert may_need_recovery(settings)  # not our files: the instance itself is asked


def test_the_quick_recovery_check_sees_a_run_left_in_progress(settings, home):
    prepare_environment(settings)
    with DagsterInstance.get() as instance:
        some_job.execute_in_process(instance=instance)
    assert not may_need_recovery(settings)
    with sqlite3.connect(home / "history" / "runs.db") as runs:
        runs.execute("UPDATE runs SET status = 'STARTED'")
    assert may_need_recovery(settings)


@asset
def counted():
    return 1


@asset_check(asset=counted)
def counted_is_one():
    return AssetCheckResult(passed=True)


def test_the_asset_check_table_is_looked_for_once_not_once_per_check_result(settings, home, monkeypatch):
    """Dagster asks whether the index has its asset-check table for every check result it stores,
    each time through a new engine and connection; the pooled storage remembers the answer."""
    asked: list[str] = []
    plain_has_table = SqliteEventLogStorage.has_table
    monkeypatch.setattr(SqliteEventLogStorage, "has_table",
                        lambda self, name: asked.append(name) or plain_has_table(self, name))
    prepare_environment(settings)
    with DagsterInstance.get() as instance:
        for _ in range(3):
            assert materialize([counted, counted_is_one], instance=instance).success
        storage = instance.event_log_storage
        history = storage.get_asset_check_execution_history(counted_is_one.check_key, limit=10)
        assert [h.status.value for h in history] == ["SUCCEEDED"] * 3  # every result stored
        assert asked.count("asset_check_executions") == 1
        assert storage.has_table("no_such_table") is False and storage.has_table("no_such_table") is False
        assert asked.count("no_such_table") == 2  # an absent table is looked for again
        storage.wipe()
        assert storage.has_table("asset_check_executions")
        assert asked.count("asset_check_executions") == 2  # wiped: looked for again
