"""The raw schema in DuckDB: tables from the contracts, the quarantine and the load audit, and the
writes of one file, all inside the file's single transaction (so no reader ever sees both or
neither version of a corrected file)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import duckdb
import polars as pl

from ingest.conform import Conformed
from ingest.contracts import Entity, all_entities
from ingest.privacy import polars_type

QUARANTINE_COLUMNS = {
    "load_id": "VARCHAR", "feed": "VARCHAR", "entity": "VARCHAR", "source_file": "VARCHAR",
    "file_sha256": "VARCHAR", "row_number": "INTEGER", "column_name": "VARCHAR",
    "raw_value": "VARCHAR", "reason": "VARCHAR", "quarantined_at": "TIMESTAMP",
}
AUDIT_COLUMNS = {
    "load_id": "VARCHAR", "feed": "VARCHAR", "entity": "VARCHAR", "source_file": "VARCHAR",
    "file_sha256": "VARCHAR", "publisher": "VARCHAR", "period_start": "DATE", "period_end": "DATE",
    "status": "VARCHAR", "message": "VARCHAR", "rows_read": "INTEGER", "rows_loaded": "INTEGER",
    "rows_quarantined": "INTEGER", "rows_skipped_footer": "INTEGER", "columns_dropped": "VARCHAR",
    "payees_redacted": "INTEGER", "net_amount_gbp": "DECIMAL(18,2)", "publisher_total_gbp": "DECIMAL(18,2)",
    "loaded_at": "TIMESTAMP",
}
_PERIOD_COLUMN = {"spend__payments": "payment_date"}


def _ddl(table: str, columns: dict[str, str]) -> str:
    body = ", ".join(f'"{name}" {kind}' for name, kind in columns.items())
    return f"CREATE TABLE IF NOT EXISTS raw.{table} ({body})"


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Every table the contracts declare exists, even before its first file arrives."""
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    for entity in all_entities():
        con.execute(_ddl(entity.table, entity.stored_columns()))
    con.execute(_ddl("quarantine", QUARANTINE_COLUMNS))
    con.execute(_ddl("load_audit", AUDIT_COLUMNS))


def already_loaded(con: duckdb.DuckDBPyConnection, sha256: str) -> bool:
    row = con.execute("SELECT count(*) FROM raw.load_audit WHERE file_sha256 = ? "
                      "AND status IN ('loaded', 'replaced', 'superseded')", [sha256]).fetchone()
    return bool(row and row[0])


@dataclass
class Lineage:
    feed: str
    source_file: str
    sha256: str
    load_id: str
    loaded_at: dt.datetime


@dataclass
class Written:
    """What has gone into one raw table from one file so far (across batches)."""

    publishers: set = field(default_factory=set)
    first: dt.date | None = None
    last: dt.date | None = None
    net: Decimal | None = None
    rows: int = 0
    replaced: int = 0  # rows of other files whose business keys this file carries


def frame_of(rows: list[dict], columns: dict[str, str]) -> pl.DataFrame:
    schema = {name: polars_type(kind) for name, kind in columns.items()}
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


def insert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    if frame.height == 0:
        return
    con.register("incoming", frame)
    try:
        con.execute(f"INSERT INTO raw.{table} BY NAME SELECT * FROM incoming")
    finally:
        con.unregister("incoming")


def write_batch(con, entity: Entity, rows: pl.DataFrame, lineage: Lineage, written: Written) -> None:
    """Insert one batch of stored rows; keyed entities first drop the same keys from other files."""
    key = entity.stored_business_key
    if key and rows.height:
        con.register("incoming_keys", rows.select(key))
        join = " AND ".join(f't."{k}" IS NOT DISTINCT FROM k."{k}"' for k in key)
        written.replaced += con.execute(f"DELETE FROM raw.{entity.table} t WHERE t._file_sha256 <> ? "
                                        f"AND EXISTS (SELECT 1 FROM incoming_keys k WHERE {join})",
                                        [lineage.sha256]).fetchone()[0]
        con.unregister("incoming_keys")
    if rows.height:
        # The file's lineage is the same on every row: stamped by DuckDB, not shipped per row.
        con.register("incoming", rows)
        try:
            con.execute(f"INSERT INTO raw.{entity.table} BY NAME SELECT *, ? AS _source_file, ? AS _file_sha256, "
                        "? AS _load_id, ?::TIMESTAMP AS _loaded_at FROM incoming",
                        [lineage.source_file, lineage.sha256, lineage.load_id, lineage.loaded_at])
        finally:
            con.unregister("incoming")
    written.rows += rows.height
    for column in entity.replace_scope:
        if len(written.publishers) <= 1:
            written.publishers |= set(rows[column].drop_nulls().unique().to_list())
    date_column = _PERIOD_COLUMN.get(entity.table)
    if date_column and rows.height:
        low, high = rows[date_column].min(), rows[date_column].max()
        written.first = min(filter(None, [written.first, low]), default=None)
        written.last = max(filter(None, [written.last, high]), default=None)
    if "amount_gbp" in rows.columns:
        total = rows["amount_gbp"].sum()
        written.net = (written.net or Decimal(0)) + (Decimal(str(total)) if total is not None else Decimal(0))


def _months(first: dt.date | None, last: dt.date | None) -> tuple[dt.date | None, dt.date | None]:
    """Whole months: transparency files cover calendar months or quarters."""
    if first is None or last is None:
        return None, None
    next_month = (last.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first.replace(day=1), next_month - dt.timedelta(days=1)


def finish_table(con, entity: Entity, lineage: Lineage, conformed: Conformed, written: Written,
                 notes: str = "") -> dict:
    """Replace what the file corrects, then write its quarantine rows and its audit row."""
    publisher = next(iter(written.publishers)) if len(written.publishers) == 1 else lineage.source_file
    start, end = _months(written.first, written.last)
    replaced = _replace_earlier(con, entity, lineage, publisher, start, end) + written.replaced
    issues = [{"load_id": lineage.load_id, "feed": entity.feed, "entity": entity.name,
               "source_file": conformed.source, "file_sha256": lineage.sha256, "row_number": i.row_number,
               "column_name": i.column, "raw_value": i.raw_value, "reason": i.reason,
               "quarantined_at": lineage.loaded_at} for i in conformed.issues]
    insert(con, "quarantine", frame_of(issues, QUARANTINE_COLUMNS))
    message = "; ".join(filter(None, [
        f"replaced {replaced} row(s) of an earlier version" if replaced else "",
        "no data rows" if conformed.rows_read == 0 else "",
        "ignored columns: " + ", ".join(conformed.header.ignored) if conformed.header.ignored else "",
        notes]))
    audit = {
        "load_id": lineage.load_id, "feed": entity.feed, "entity": entity.name, "source_file": conformed.source,
        "file_sha256": lineage.sha256, "publisher": publisher, "period_start": start, "period_end": end,
        "status": "replaced" if replaced else "loaded", "message": message,
        "rows_read": conformed.rows_read, "rows_loaded": written.rows,
        "rows_quarantined": conformed.rows_quarantined, "rows_skipped_footer": conformed.footer_rows,
        "columns_dropped": ", ".join(conformed.header.dropped_pii), "payees_redacted": conformed.payees_redacted,
        "net_amount_gbp": written.net, "publisher_total_gbp": conformed.publisher_total,
        "loaded_at": lineage.loaded_at,
    }
    insert(con, "load_audit", frame_of([audit], AUDIT_COLUMNS))
    return audit


def record_refusal(con, feed: str | None, source_file: str, sha256: str, load_id: str,
                   loaded_at: dt.datetime, message: str) -> None:
    audit = {"load_id": load_id, "feed": feed, "source_file": source_file, "file_sha256": sha256,
             "status": "refused", "message": message, "rows_read": 0, "rows_loaded": 0,
             "rows_quarantined": 0, "rows_skipped_footer": 0, "loaded_at": loaded_at}
    insert(con, "load_audit", frame_of([audit], AUDIT_COLUMNS))


def _replace_earlier(con, entity: Entity, lineage: Lineage, publisher, start, end) -> int:
    """A corrected file supersedes: same publisher and months (unkeyed entities) or the same file
    name. (Keyed entities already replaced their keys batch by batch.)"""
    earlier = con.execute(
        """SELECT DISTINCT file_sha256 FROM raw.load_audit
           WHERE entity = ? AND feed = ? AND status IN ('loaded', 'replaced') AND file_sha256 <> ?
             AND (source_file = ? OR (? AND publisher = ? AND period_start = ? AND period_end = ?))""",
        [entity.name, entity.feed, lineage.sha256, lineage.source_file, bool(entity.replace_scope),
         publisher, start, end]).fetchall()
    removed = 0
    for (sha,) in earlier:
        removed += con.execute(f"DELETE FROM raw.{entity.table} WHERE _file_sha256 = ?", [sha]).fetchone()[0]
        con.execute("UPDATE raw.load_audit SET status = 'superseded' WHERE file_sha256 = ? AND entity = ?",
                    [sha, entity.name])
    return removed
