"""The load audit and gate results, read without ever getting in a writer's way.

The working DuckDB file is read only while this process holds the writers' file lock (taken without
waiting by default), so no pipeline step can find the file locked by a reader. When a run is
writing, the published snapshot answers instead, as of its publication.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb
import polars as pl

from ingest.pseudonym_key import RecordedKey, recorded_key
from partnership.config import Settings
from partnership.rows import has_table
from partnership.warehouse import WarehouseBusy, writer_lock

_LOADED = ("loaded", "replaced", "superseded")
PACK_STAGE = "pack"  # ops.stage_state rows of orchestration/pack_currency.py


@dataclass
class Ledger:
    source: str  # "working warehouse" or "publication of <time>"
    load_audit: pl.DataFrame
    gate_results: pl.DataFrame
    published_at: dt.datetime | None = None
    quarantine_reasons: pl.DataFrame | None = None  # never published: only from the working warehouse
    # year -> (revision, "current" | "out of date"): the last comparison of a closed year's pack with
    # the snapshot (orchestration/pack_currency.py); only from the working warehouse
    pack_checks: dict[str, tuple[str, str]] = field(default_factory=dict)
    # (key check, first used): the pseudonymisation key the warehouse was built with
    # (ingest/pseudonym_key.py); only from the working warehouse
    pseudonym_key: RecordedKey | None = None
    # anchor name as stored -> payment lines: what staging must read as a declared anchor (its name or
    # an alias); only from the working warehouse, when asked for (read_ledger's `for_status`)
    stored_anchors: dict[str, int] = field(default_factory=dict)
    # reporting years with at least one metric value (marts.metrics), gated or not; when asked for
    data_years: list[str] = field(default_factory=list)

    def loaded_sha256s(self) -> set[str]:
        if self.load_audit.is_empty():
            return set()
        rows = self.load_audit.filter(pl.col("status").is_in(_LOADED))
        return set(rows["file_sha256"].to_list())


def _table(con: duckdb.DuckDBPyConnection, name: str) -> pl.DataFrame:
    schema, table = name.split(".")
    return con.sql(f"SELECT * FROM {name}").pl() if has_table(con, schema, table) else pl.DataFrame()


def _data_years(con: duckdb.DuckDBPyConnection) -> list[str]:
    if not has_table(con, "marts", "metrics"):
        return []
    return [y for (y,) in con.execute("SELECT DISTINCT reporting_year FROM marts.metrics WHERE value IS NOT NULL "
                                      "ORDER BY 1").fetchall()]


def _from_warehouse(settings: Settings, wait: float, for_status: bool) -> Ledger | None:
    if not settings.warehouse_path.exists():
        return None
    try:
        with writer_lock(settings, timeout=wait):
            con = duckdb.connect(str(settings.warehouse_path), read_only=True)
            try:
                reasons = _table(con, "raw.quarantine")
                if reasons.height:
                    reasons = (reasons.group_by("feed", "reason").len("rows")
                               .sort(["rows", "feed"], descending=[True, False]))
                states = _table(con, "ops.stage_state")
                checks = {key: (revision, status) for key, revision, status in states.filter(
                    pl.col("stage") == PACK_STAGE).select("key", "fingerprint", "status").iter_rows()
                } if states.height else {}
                stored = dict(con.execute("SELECT anchor, count(*) FROM raw.spend__payments GROUP BY ALL")
                              .fetchall()) if for_status and has_table(con, "raw", "spend__payments") else {}
                return Ledger("working warehouse", _table(con, "raw.load_audit"), _table(con, "gate.results"),
                              quarantine_reasons=reasons, pack_checks=checks, pseudonym_key=recorded_key(con),
                              stored_anchors=stored, data_years=_data_years(con) if for_status else [])
            finally:
                con.close()
    except (WarehouseBusy, duckdb.Error):
        return None


def _from_snapshot(settings: Settings, for_status: bool) -> Ledger | None:
    if not settings.published_path.exists():
        return None
    try:
        con = duckdb.connect(str(settings.published_path), read_only=True)
    except duckdb.Error:
        return None
    try:
        publication = _table(con, "lineage.publication")
        published_at = publication["published_at"][0] if publication.height else None
        label = f"publication of {published_at:%Y-%m-%d %H:%M}" if published_at else "the published snapshot"
        return Ledger(label, _table(con, "lineage.load_audit"), _table(con, "gate.results"), published_at,
                      data_years=_data_years(con) if for_status else [])
    finally:
        con.close()


def read_ledger(settings: Settings, wait: float = 0, *, for_status: bool = False) -> Ledger | None:
    """The freshest readable ledger: the working warehouse if no one is writing, else the snapshot.
    `for_status`: also what only `impact status` shows, kept off the sensor's and freshness checks'
    path: the names payments are stored under (a scan of every payment) and the years with figures."""
    return _from_warehouse(settings, wait, for_status) or _from_snapshot(settings, for_status)
