"""The raw schema in DuckDB: tables from the contracts, the quarantine and the load audit, and the
writes of one file, all inside the file's single transaction (so no reader ever sees both or
neither version of a corrected file).

Load statuses written to raw.load_audit (accepted by every reader downstream: dbt, the snapshot,
`impact status`, the pack's data log):
  loaded      the file's rows are in the warehouse
  replaced    loaded, and it replaced an earlier version (same name, or declared)
  superseded  an earlier version, replaced: its rows are gone, its audit row stays
  refused     nothing of the file loaded; the message says why (never quoting a cell)
  loading     a load in progress; one found by a later load means the process died in it, and
              is turned into `refused` so the same file never crashes a run again
(`duplicate` is reported for the same bytes offered again, and never written.)
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

import duckdb
import polars as pl
from duckdb import ColumnExpression, ConstantExpression

from ingest.conform import Conformed
from ingest.contracts import Entity, all_entities
from ingest.privacy import polars_type
from ingest.quarantine import issue_frame
from ingest.referential import HELD, ensure_held_table
from ingest.staging import Staging

STATUSES = ("loaded", "replaced", "superseded", "refused", "loading")
CURRENT = ("loaded", "replaced")  # statuses whose rows are in the warehouse now
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
    # added for corrections and overlaps (ALTERed into older warehouses)
    "file_name": "VARCHAR", "replaced_files": "VARCHAR", "overlaps_with": "VARCHAR",
    "rules_version": "VARCHAR",  # refusals: what judged the file ('*': a load that died, never retried)
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
    for name in ("file_name", "replaced_files", "overlaps_with", "rules_version"):
        con.execute(f'ALTER TABLE raw.load_audit ADD COLUMN IF NOT EXISTS "{name}" VARCHAR')
    ensure_held_table(con)


def already_loaded(con: duckdb.DuckDBPyConnection, sha256: str) -> bool:
    row = con.execute("SELECT count(*) FROM raw.load_audit WHERE file_sha256 = ? "
                      "AND status IN ('loaded', 'replaced', 'superseded')", [sha256]).fetchone()
    return bool(row and row[0])


def refused_before(con: duckdb.DuckDBPyConnection, sha256: str, rules_version: str) -> str | None:
    """The reason the same bytes were refused under the same rules (or crashed a load), else None."""
    row = con.execute("SELECT message FROM raw.load_audit WHERE file_sha256 = ? AND status = 'refused' "
                      "AND rules_version IN (?, '*') ORDER BY loaded_at DESC LIMIT 1",
                      [sha256, rules_version]).fetchone()
    return row[0] if row else None


@dataclass
class Lineage:
    feed: str
    source_file: str  # the table: file name, plus "!member" (ZIP) and "#sheet" (workbook)
    sha256: str
    load_id: str
    loaded_at: dt.datetime
    file_name: str = ""  # the file as dropped (what "same name" means)
    replaced_files: tuple[str, ...] = ()


@dataclass
class Written:
    """What has gone into one raw table from one file so far (across batches): counts, never rows."""

    publishers: set = field(default_factory=set)
    first: dt.date | None = None
    last: dt.date | None = None
    net: Decimal | None = None
    rows: int = 0
    keyed: int = 0  # rows quarantined because their keys were loaded before
    overlapping: set[str] = field(default_factory=set)  # the tables those keys came from
    staging: Staging | None = None  # the rows staged for the table (ingest/staging.py)


def frame_of(rows: list[dict], columns: dict[str, str]) -> pl.DataFrame:
    schema = {name: polars_type(kind) for name, kind in columns.items()}
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


def append(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame, same: dict | None = None) -> None:
    """Insert a frame's rows into raw.<table>, with `same` (column -> value) on every row, stamped
    by DuckDB rather than shipped per row. Through a relation, never a registered view: a view
    registered inside the file's transaction keeps its frame alive until the commit, so the rows
    of the whole file would pile up in memory; a relation lets DuckDB write each batch's rows
    straight to the database file."""
    if frame.height == 0:
        return
    _insert(con, table, con.from_arrow(frame), same or {})


def _insert(con: duckdb.DuckDBPyConnection, table: str, relation: duckdb.DuckDBPyRelation,
            same: Mapping[str, str | dt.datetime]) -> None:
    """The relation's rows into raw.<table>, its columns in the table's order, `same` (column ->
    value) on every row and NULL in any other column."""
    order = [r[0] for r in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'raw' AND table_name = ? "
        "ORDER BY column_index", [table]).fetchall()]
    if unknown := [c for c in [*relation.columns, *same] if c not in order]:
        raise ValueError(f"raw.{table} has no column {', '.join(unknown)}")
    values = [ColumnExpression(f'"{c}"') if c in relation.columns else ConstantExpression(same.get(c))
              for c in order]
    relation.select(*[v.alias(c) for v, c in zip(values, order, strict=True)]).insert_into(f"raw.{table}")


def _keys_loaded_before(con, entity: Entity, rows: pl.DataFrame, lineage: Lineage, written: Written
                        ) -> tuple[pl.DataFrame, list[tuple]]:
    """Keyed entities: a row whose business key is already stored (from another file, another sheet,
    or an earlier batch of this table, staged) is quarantined, never written over: the first arrival
    stands until a replacement is declared (docs/ingest-policy.md)."""
    key = entity.stored_business_key
    if not key or rows.height == 0:
        return rows, []
    incoming = con.from_arrow(rows.select(*key, "_row_number")).set_alias("k")
    keys = ", ".join(f'"{k}"' for k in key)
    stored = f"SELECT {keys}, _source_file, _row_number FROM raw.{entity.table}"
    if entity.table == "programme__outcomes":  # held outcomes keep their keys too (ingest/referential.py)
        stored += f" UNION ALL SELECT {keys}, _source_file, _row_number FROM raw.{HELD}"
    earlier = con.sql(stored)
    if written.staging and (staged := written.staging.rows_so_far(con)) is not None:
        earlier = earlier.union(staged.select(*[ColumnExpression(f'"{k}"') for k in key],
                                              ConstantExpression(lineage.source_file).alias("_source_file"),
                                              ColumnExpression("_row_number")))
    join = " AND ".join(f't."{k}" IS NOT DISTINCT FROM k."{k}"' for k in key)
    clashes = incoming.join(earlier.set_alias("t"), join).aggregate(
        "k._row_number, min(t._source_file), min(t._row_number)", "k._row_number").order("1").fetchall()
    issues = []
    for row_number, source, first_row in clashes:
        written.overlapping.add(source)
        issues.append((row_number, ",".join(entity.business_key), "",
                       f"its key ({', '.join(entity.business_key)}) was already loaded from {source} row {first_row}; "
                       "the first arrival stands (load this file with --replaces to correct it)"))
    written.keyed += len(issues)
    return rows.filter(~pl.col("_row_number").is_in([c[0] for c in clashes])), issues


def write_batch(con, entity: Entity, rows: pl.DataFrame, issues: pl.DataFrame, lineage: Lineage,
                written: Written) -> None:
    """Write one batch: its rows to the table's staging (inserted, stamped with the table's lineage,
    by insert_staged once every batch is conformed) and its quarantine rows to raw.quarantine."""
    rows, keyed = _keys_loaded_before(con, entity, rows, lineage, written)
    if written.staging is None:
        written.staging = Staging.open(con, f"{lineage.load_id}-{uuid.uuid4().hex[:8]}")
    written.staging.add(rows)
    if keyed:
        issues = pl.concat([issues, issue_frame(keyed)])
    append(con, "quarantine", issues, {
        "load_id": lineage.load_id, "feed": entity.feed, "entity": entity.name, "source_file": lineage.source_file,
        "file_sha256": lineage.sha256, "quarantined_at": lineage.loaded_at})
    written.rows += rows.height
    for column in entity.replace_scope:
        if len(written.publishers) <= 1:
            written.publishers |= set(rows[column].drop_nulls().unique().to_list())
    date_column = _PERIOD_COLUMN.get(entity.table)
    if date_column and rows.height:
        low, high = _date(rows[date_column].min()), _date(rows[date_column].max())
        written.first = min(filter(None, [written.first, low]), default=None)
        written.last = max(filter(None, [written.last, high]), default=None)
    if "amount_gbp" in rows.columns:
        total = rows["amount_gbp"].sum()
        written.net = (written.net or Decimal(0)) + (Decimal(str(total)) if total is not None else Decimal(0))


def insert_staged(con, entity: Entity, lineage: Lineage, written: Written) -> None:
    """The table's staged rows into raw.<table>, in file order, in one statement (DuckDB on every
    core: ingest/staging.py), stamped with the table's lineage."""
    if written.staging is not None and (staged := written.staging.staged(con)) is not None:
        _insert(con, entity.table, staged, {
            "_source_file": lineage.source_file, "_file_sha256": lineage.sha256, "_load_id": lineage.load_id,
            "_loaded_at": lineage.loaded_at})


def _date(value: object) -> dt.date | None:
    """A period column's min or max: a date, or None when every value is null."""
    if value is None or isinstance(value, dt.date):
        return value
    raise TypeError(f"a period column holds {type(value).__name__}, not dates")


def _months(first: dt.date | None, last: dt.date | None) -> tuple[dt.date | None, dt.date | None]:
    """Whole months: transparency files cover calendar months or quarters."""
    if first is None or last is None:
        return None, None
    next_month = (last.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first.replace(day=1), next_month - dt.timedelta(days=1)


def _same_publisher_and_month(con, entity: Entity, lineage: Lineage, start, end) -> list[str]:
    """Unkeyed entities (payments): other tables holding rows of the same publisher and month.
    The load audit names the candidates (periods that meet); their rows settle it."""
    date_column = _PERIOD_COLUMN.get(entity.table)
    if not entity.replace_scope or not date_column or start is None:
        return []
    candidates = [r[0] for r in con.execute(
        "SELECT DISTINCT source_file FROM raw.load_audit WHERE entity = ? AND feed = ? AND status IN ('loaded', "
        "'replaced') AND period_start <= ? AND period_end >= ? AND NOT (load_id = ? AND source_file = ?)",
        [entity.name, entity.feed, end, start, lineage.load_id, lineage.source_file]).fetchall()]
    if not candidates:
        return []
    scope = " AND ".join(f't."{c}" = n."{c}"' for c in entity.replace_scope)
    month = f"date_trunc('month', {{}}.{date_column})"
    rows = con.execute(
        f"""WITH n AS (SELECT DISTINCT {', '.join(entity.replace_scope)}, {month.format(entity.table)} AS m
                       FROM raw.{entity.table} WHERE _load_id = ? AND _source_file = ?)
            SELECT t._source_file, strftime(min(n.m), '%Y-%m'), strftime(max(n.m), '%Y-%m')
            FROM raw.{entity.table} t JOIN n ON {scope} AND {month.format('t')} = n.m
            WHERE NOT (t._load_id = ? AND t._source_file = ?) AND list_contains(?, t._source_file)
            GROUP BY 1 ORDER BY 1""",
        [lineage.load_id, lineage.source_file, lineage.load_id, lineage.source_file, candidates]).fetchall()
    return [f"{source} ({first}{'' if first == last else ' to ' + last})" for source, first, last in rows]


def finish_table(con, entity: Entity, lineage: Lineage, conformed: Conformed, written: Written,
                 notes: str = "") -> dict:
    """Write the table's audit row, naming what it replaced and overlaps (its rows and quarantine rows
    were written batch by batch)."""
    publisher = next(iter(written.publishers)) if len(written.publishers) == 1 else lineage.source_file
    start, end = _months(written.first, written.last)
    overlaps = sorted(written.overlapping) or _same_publisher_and_month(con, entity, lineage, start, end)
    keyed = written.keyed
    message = "; ".join(filter(None, [
        f"replaces {', '.join(lineage.replaced_files)}" if lineage.replaced_files else "",
        "no data rows" if conformed.rows_read == 0 else "",
        (f"OVERLAP: {keyed} row(s) with keys already loaded from {', '.join(overlaps)} were quarantined"
         if keyed else f"OVERLAP: same publisher and month as {', '.join(overlaps)}; both loaded (if this "
         "corrects the other, load it with --replaces)" if overlaps else ""),
        "ignored columns: " + ", ".join(c[:40] for c in conformed.header.ignored) if conformed.header.ignored else "",
        notes]))
    audit = {
        "load_id": lineage.load_id, "feed": entity.feed, "entity": entity.name, "source_file": conformed.source,
        "file_sha256": lineage.sha256, "publisher": publisher, "period_start": start, "period_end": end,
        "status": "replaced" if lineage.replaced_files else "loaded", "message": message,
        "rows_read": conformed.rows_read, "rows_loaded": written.rows,
        "rows_quarantined": conformed.rows_quarantined + keyed, "rows_skipped_footer": conformed.footer_rows,
        "columns_dropped": ", ".join(conformed.header.dropped_pii), "payees_redacted": conformed.payees_redacted,
        "net_amount_gbp": written.net, "publisher_total_gbp": conformed.publisher_total,
        "loaded_at": lineage.loaded_at, "file_name": lineage.file_name,
        "replaced_files": ", ".join(lineage.replaced_files) or None,
        "overlaps_with": ", ".join(overlaps) or None,
    }
    append(con, "load_audit", frame_of([audit], AUDIT_COLUMNS))
    return audit


def mark_loading(con, feed: str | None, file_name: str, sha256: str, load_id: str, loaded_at: dt.datetime,
                 rules_version: str) -> None:
    """A committed 'loading' row before anything is read: if the process dies reading the file, the
    next load finds it and records the file as refused instead of reading it again."""
    append(con, "load_audit", frame_of([{
        "load_id": load_id, "feed": feed, "source_file": file_name, "file_name": file_name, "file_sha256": sha256,
        "status": "loading", "message": "being loaded", "loaded_at": loaded_at, "rules_version": rules_version}],
        AUDIT_COLUMNS))


def end_loading(con, load_id: str) -> None:
    con.execute("DELETE FROM raw.load_audit WHERE load_id = ? AND status = 'loading'", [load_id])


DIED_ONCE = "died once"  # rules_version of a load whose process died: read once more, by the next load


def recover_interrupted(con) -> int:
    """Loads left 'loading' by a process that died. Most deaths are not the file's doing (the run
    was killed, the machine restarted, Ctrl-C): the first is recorded and the next load reads the
    file once more. A file whose load dies a second time (the kernel's OOM killer, say) is refused
    and not read again, so the same file never takes down more than two runs."""
    rows = con.execute("SELECT load_id, file_sha256 FROM raw.load_audit WHERE status = 'loading'").fetchall()
    for load_id, sha in rows:
        again = con.execute("SELECT count(*) FROM raw.load_audit WHERE file_sha256 = ? AND status = 'refused' "
                            "AND rules_version = ?", [sha, DIED_ONCE]).fetchone()[0]
        message = (": the load of this file never finished (the process stopped while reading it: killed, "
                   "restarted or out of memory)")
        message += ("; it is read once more by the next load" if not again else
                    " twice; it is not read again. Check the file, then drop a corrected copy or run "
                    "`impact ingest FILE --retry`")
        con.execute("""UPDATE raw.load_audit SET status = 'refused', rows_read = 0, rows_loaded = 0,
                           rows_quarantined = 0, rows_skipped_footer = 0, rules_version = ?,
                           message = source_file || ?
                       WHERE load_id = ? AND status = 'loading'""", ["*" if again else DIED_ONCE, message, load_id])
    return len(rows)


def forget_deaths(con, sha256: str) -> None:
    """Inside a load of the same bytes that completes: the attempts that died before it go, so the
    load audit (and the pack's data log) reads as if the first had not been interrupted."""
    con.execute("DELETE FROM raw.load_audit WHERE file_sha256 = ? AND status = 'refused' AND rules_version = ?",
                [sha256, DIED_ONCE])


def record_refusal(con, feed: str | None, file_name: str, sha256: str | None, load_id: str,
                   loaded_at: dt.datetime, message: str, rules_version: str | None = None) -> None:
    end_loading(con, load_id)
    audit = {"load_id": load_id, "feed": feed, "source_file": file_name, "file_name": file_name,
             "file_sha256": sha256, "status": "refused", "message": message, "rows_read": 0, "rows_loaded": 0,
             "rows_quarantined": 0, "rows_skipped_footer": 0, "loaded_at": loaded_at, "rules_version": rules_version}
    append(con, "load_audit", frame_of([audit], AUDIT_COLUMNS))
