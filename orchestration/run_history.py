"""Dagster's run history for a data directory: its SQLite event log, kept quick.

Dagster's own SQLite event log opens a new engine and connection for every event it stores, and
a monthly run stores about 400 events (each dbt model and test is an asset event): about 8 ms
each, 3 s of a run. `PooledSqliteEventLogStorage` is the same storage, the same files (one
database per run and the index, under `<DAGSTER_HOME>/history/runs`), keeping one pooled engine
per database file; dagster.yaml names it (orchestration/runner.py INSTANCE_YAML), so the UI
and the daemon use it too.

Commits are not fsynced (`PRAGMA synchronous=OFF`, for the run storage's connections as well): a
killed process still leaves whole transactions (SQLite's journal is written before the
database); only a power cut could lose the latest events of the run history, never warehouse
data (DuckDB's own file is untouched by this).
"""

from __future__ import annotations

import os
import sqlite3
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

from dagster import StringSource
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import QueuePool

OPEN_DATABASES = 8  # engines kept: the index and the latest runs' databases


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """Dagster's SqliteEventLogStorage with one pooled engine per database file."""

    def __init__(self, dagster_home: str, inst_data=None) -> None:
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._tables_seen: set[str] = set()
        without_fsync()
        super().__init__(os.path.join(dagster_home, "history", "runs"), inst_data=inst_data)

    @classmethod
    def config_type(cls):
        return {"dagster_home": StringSource}

    @classmethod
    def from_config_value(cls, inst_data, config_value) -> PooledSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            with engine.connect() as conn:
                with conn.begin():
                    yield conn

    def _engine(self, shard: str) -> Engine:
        if shard in self._engines:
            self._engines.move_to_end(shard)
            return self._engines[shard]
        engine = create_engine(self.conn_string_for_shard(shard), poolclass=QueuePool, pool_size=1,
                               connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False})
        if shard not in self._initialized_dbs:
            self._initdb(engine)
            self._initialized_dbs.add(shard)
        self._engines[shard] = engine
        while len(self._engines) > OPEN_DATABASES:
            self._engines.popitem(last=False)[1].dispose()
        return engine

    def has_table(self, table_name: str) -> bool:
        """Asked again for every asset check event (`supports_asset_checks`), each time through a
        new engine and connection to the index; a table once there stays (until `wipe`)."""
        if table_name in self._tables_seen:
            return True
        found = super().has_table(table_name)  # also asked with the index's lock held: no lock here
        if found:
            self._tables_seen.add(table_name)
        return found

    def _close_all(self) -> None:
        while self._engines:
            self._engines.popitem()[1].dispose()

    def wipe(self) -> None:  # deletes the database files: close them first
        with self._db_lock:
            self._close_all()
            self._tables_seen.clear()
        super().wipe()

    def dispose(self) -> None:
        with self._db_lock:
            self._close_all()
        super().dispose()


def without_fsync() -> None:
    """Every SQLite connection SQLAlchemy opens in this process commits without an fsync."""
    if not event.contains(Engine, "connect", _no_fsync):
        event.listen(Engine, "connect", _no_fsync)


def _no_fsync(dbapi_connection, _record) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous=OFF")
