"""The raw schema in DuckDB: tables from the contracts, the quarantine and the load audit, and the
one-transaction write of a conformed file (so no reader ever sees both or neither version)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import polars as pl

from ingest.conform import Conformed
from ingest.contracts import all_entities

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
    "net_amount_gbp": "DECIMAL(18,2)", "loaded_at": "TIMESTAMP",
}
_POLARS = {
    "VARCHAR": pl.String, "INTEGER": pl.Int32, "DOUBLE": pl.Float64, "DATE": pl.Date,
    "BOOLEAN": pl.Boolean, "TIMESTAMP": pl.Datetime("us"), "DECIMAL(18,2)": pl.Decimal(18, 2),
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
    row = con.execute(
        "SELECT count(*) FROM raw.load_audit WHERE file_sha256 = ? AND status IN ('loaded', 'replaced', 'superseded')",
        [sha256],
    ).fetchone()
    return bool(row and row[0])


@dataclass
class FileLoad:
    """What one file contributes: conformed sheets plus lineage, written in one transaction."""

    feed: str
    source_file: str
    sha256: str
    load_id: str
    loaded_at: dt.datetime
    sheets: list[tuple[Conformed, list[dict]]]  # (conformed sheet, stored rows)


def _frame(rows: list[dict], columns: dict[str, str]) -> pl.DataFrame:
    schema = {name: _POLARS[kind] for name, kind in columns.items()}
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


def _publisher_and_period(conformed: Conformed, rows: list[dict], source_file: str):
    entity = conformed.entity
    scope = [r.get(c) for r in rows for c in entity.replace_scope]
    publisher = scope[0] if scope and len(set(scope)) == 1 else source_file
    date_column = _PERIOD_COLUMN.get(entity.table)
    dates = [r[date_column] for r in rows if date_column and r.get(date_column)]
    if not dates:
        return publisher, None, None
    # Whole months: transparency files cover calendar months or quarters.
    first, last = min(dates), max(dates)
    next_month = (last.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return publisher, first.replace(day=1), next_month - dt.timedelta(days=1)


def write_file_load(con: duckdb.DuckDBPyConnection, load: FileLoad) -> list[dict]:
    """Insert the file's rows, quarantine and audit; replace what it corrects. All or nothing."""
    audits = []
    con.execute("BEGIN TRANSACTION")
    try:
        for conformed, rows in load.sheets:
            audits.append(_write_sheet(con, load, conformed, rows))
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return audits


def _write_sheet(con, load: FileLoad, conformed: Conformed, rows: list[dict]) -> dict:
    entity = conformed.entity
    columns = entity.stored_columns()
    publisher, start, end = _publisher_and_period(conformed, rows, load.source_file)
    replaced = _replace_earlier(con, entity, load, publisher, start, end, rows)
    lineage = {"_source_file": load.source_file, "_file_sha256": load.sha256,
               "_load_id": load.load_id, "_loaded_at": load.loaded_at}
    _insert(con, entity.table, _frame([r | lineage for r in rows], columns))
    issues = [
        {"load_id": load.load_id, "feed": entity.feed, "entity": entity.name,
         "source_file": conformed.source, "file_sha256": load.sha256, "row_number": i.row_number,
         "column_name": i.column, "raw_value": i.raw_value, "reason": i.reason,
         "quarantined_at": load.loaded_at}
        for i in conformed.issues
    ]
    _insert(con, "quarantine", _frame(issues, QUARANTINE_COLUMNS))
    net = sum((r["amount_gbp"] for r in rows if r.get("amount_gbp") is not None), start=0) \
        if "amount_gbp" in columns else None
    message = f"replaced {replaced} row(s) of an earlier version" if replaced else ""
    if conformed.ignored_columns:
        message = "; ".join(filter(None, [message, "ignored columns: " + ", ".join(conformed.ignored_columns)]))
    audit = {
        "load_id": load.load_id, "feed": entity.feed, "entity": entity.name,
        "source_file": conformed.source, "file_sha256": load.sha256, "publisher": publisher,
        "period_start": start, "period_end": end, "status": "replaced" if replaced else "loaded",
        "message": message, "rows_read": conformed.rows_read, "rows_loaded": len(rows),
        "rows_quarantined": conformed.rows_quarantined, "rows_skipped_footer": conformed.footer_rows,
        "columns_dropped": ", ".join(conformed.dropped_pii), "net_amount_gbp": net,
        "loaded_at": load.loaded_at,
    }
    _insert(con, "load_audit", _frame([audit], AUDIT_COLUMNS))
    return audit


def _replace_earlier(con, entity, load: FileLoad, publisher, start, end, rows) -> int:
    """A corrected file supersedes: same publisher and period (unkeyed entities), the same file
    name, or, for keyed entities, rows with the same business key."""
    earlier = con.execute(
        """SELECT DISTINCT file_sha256 FROM raw.load_audit
            WHERE entity = ? AND feed = ? AND status IN ('loaded', 'replaced') AND file_sha256 <> ?
              AND (source_file = ? OR (? AND publisher = ? AND period_start = ? AND period_end = ?))""",
        [entity.name, entity.feed, load.sha256, load.source_file, bool(entity.replace_scope),
         publisher, start, end],
    ).fetchall()
    removed = 0
    for (sha,) in earlier:
        removed += con.execute(
            f"DELETE FROM raw.{entity.table} WHERE _file_sha256 = ?", [sha]).fetchone()[0]
        con.execute("UPDATE raw.load_audit SET status = 'superseded' WHERE file_sha256 = ? AND entity = ?",
                    [sha, entity.name])
    key = entity.stored_business_key
    if key and rows:
        stored = entity.stored_columns()
        con.register("incoming_keys", _frame([{k: r.get(k) for k in key} for r in rows],
                                             {k: stored[k] for k in key}))
        join = " AND ".join(f't."{k}" IS NOT DISTINCT FROM k."{k}"' for k in key)
        removed += con.execute(
            f"DELETE FROM raw.{entity.table} t WHERE EXISTS (SELECT 1 FROM incoming_keys k WHERE {join})"
        ).fetchone()[0]
        con.unregister("incoming_keys")
    return removed


def _insert(con, table: str, frame: pl.DataFrame) -> None:
    if frame.height == 0:
        return
    con.register("incoming", frame)
    try:
        con.execute(f"INSERT INTO raw.{table} BY NAME SELECT * FROM incoming")
    finally:
        con.unregister("incoming")
