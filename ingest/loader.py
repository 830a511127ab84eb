"""Load files into the warehouse: read, conform to the feed contract, protect, write with lineage.

Every file ends as exactly one of: loaded (possibly replacing an earlier version), duplicate (the
same bytes were loaded before: nothing happens), or refused (unreadable, of the wrong feed, or not
usable as a whole: nothing of it loads, and the reason is one line). See docs/ingest-policy.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ingest.anchors import DeclaredAnchors, PublisherCheck
from ingest.conform import Conformed, WrongLayout, conform_batch, find_header
from ingest.contracts import FEEDS, layout_for, load_contracts
from ingest.pipeline import BackgroundWriter
from ingest.privacy import PostcodeLookup, protect
from ingest.readers import MAX_FIELD, UnreadableFile, read_tables
from ingest.warehouse import (
    Lineage,
    Written,
    already_loaded,
    ensure_raw_schema,
    finish_table,
    record_refusal,
    write_batch,
)


class Refused(ValueError):
    """The file read, but as a whole it cannot be used; the message says why."""


@dataclass
class FileReport:
    """The steward's summary of one file (printed by `impact ingest`, JSON with --json)."""

    file: str
    feed: str | None
    status: str  # loaded | replaced | duplicate | refused
    entities: list[str] = field(default_factory=list)
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_skipped_footer: int = 0
    columns_dropped: list[str] = field(default_factory=list)
    payees_redacted: int = 0
    net_amount_gbp: float | None = None
    publisher_total_gbp: float | None = None
    message: str = ""
    by_entity: dict[str, dict[str, int]] = field(default_factory=dict)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _usability(conformed: Conformed) -> str | None:
    """Reasons to refuse a file that read fine: a required column unusable in every row, or dates
    whose order can only be month-first (never dated by guess)."""
    name = conformed.source
    if conformed.oversized:
        return f"{name}: a cell is longer than {MAX_FIELD:,} characters; the file is not a usable table"
    if conformed.month_first and not conformed.day_first:
        return (f"{name}: dates read month-first (US order, e.g. day above 12 in the second place) in "
                f"{conformed.month_first} row(s) and never day-first: the date order is ambiguous, refusing")
    rows = conformed.rows_read
    for column, failed in conformed.failures.items():
        if rows and failed == rows and column != "(row)":
            example = conformed.example_failure.get(column, "")
            return f"{name}: {column} unusable in all {rows} rows (e.g. {example!r}); the file cannot be used"
    return None


def load_file(con: duckdb.DuckDBPyConnection, path: Path, *, feed: str | None, key: str,
              lookup: PostcodeLookup, anchors: DeclaredAnchors | None = None) -> FileReport:
    ensure_raw_schema(con)
    if feed is not None and feed not in FEEDS:
        raise ValueError(f"unknown feed {feed!r}: one of {', '.join(FEEDS)}")
    sha = sha256_of(path)
    if already_loaded(con, sha):
        return FileReport(path.name, feed, "duplicate",
                          message="the same file (identical content) was loaded before; nothing changed")
    loaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    load_id = f"{loaded_at:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    layout = layout_for(path.name, feed)
    entities = [e for f, es in load_contracts().items() if feed in (None, f) for e in es.values()]
    try:
        found, unmatched = _headers(path, entities, layout)
        return _load(con, path, found, unmatched, Lineage(found[0][1].entity.feed, path.name, sha, load_id, loaded_at),
                     layout, key, lookup, anchors)
    except (UnreadableFile, WrongLayout, Refused) as exc:
        record_refusal(con, feed, path.name, sha, load_id, loaded_at, str(exc))
        return FileReport(path.name, feed, "refused", message=str(exc))


def _headers(path: Path, entities, layout):
    tables = read_tables(path)
    if layout and layout.sheet:
        tables = [t for t in tables if t.source.endswith(f"#{layout.sheet}")] or tables
    found, unmatched = [], []
    for table in tables:
        try:
            found.append((table, find_header(table, entities, layout)))
        except WrongLayout as exc:
            if len(tables) == 1:
                raise
            unmatched.append(str(exc))
    if not found:
        raise WrongLayout(f"{path.name}: no sheet matches the contract ({'; '.join(unmatched)})")
    feeds = {h.entity.feed for _, h in found}
    if len(feeds) > 1:
        raise WrongLayout(f"{path.name}: sheets of different feeds ({', '.join(sorted(feeds))}) in one file")
    return found, unmatched


def _load(con, path: Path, found, unmatched, lineage: Lineage, layout, key: str, lookup,
          anchors: DeclaredAnchors | None) -> FileReport:
    audits, results = [], []
    con.execute("BEGIN TRANSACTION")
    try:
        for table, header in found:
            conformed, written = Conformed(header, table.source), Written()
            publishers = PublisherCheck(anchors, header.entity)  # ingest/anchors.py
            writer = BackgroundWriter(write_batch)
            try:
                for batch in table.batches(header.index, header.width):
                    conform_batch(batch, header, conformed, layout, table.from_excel)
                    rows = publishers.apply(protect(conformed.frames.pop(), header.entity, key, lookup))
                    writer.submit(con, header.entity, rows, lineage, written)
            finally:
                writer.close()
            if reason := _usability(conformed) or publishers.refusal(table.source):
                raise Refused(reason)
            audits.append(finish_table(con, header.entity, lineage, conformed, written, layout.notes if layout else ""))
            results.append(conformed)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    nets = [a["net_amount_gbp"] for a in audits if a["net_amount_gbp"] is not None]
    totals = [a["publisher_total_gbp"] for a in audits if a["publisher_total_gbp"] is not None]
    return FileReport(
        path.name, lineage.feed, "replaced" if any(a["status"] == "replaced" for a in audits) else "loaded",
        entities=[c.entity.name for c in results],
        rows_loaded=sum(a["rows_loaded"] for a in audits),
        rows_quarantined=sum(a["rows_quarantined"] for a in audits),
        rows_skipped_footer=sum(a["rows_skipped_footer"] for a in audits),
        columns_dropped=sorted({c for x in results for c in x.header.dropped_pii}),
        payees_redacted=sum(a["payees_redacted"] for a in audits),
        net_amount_gbp=float(sum(nets)) if nets else None,
        publisher_total_gbp=float(sum(totals)) if totals else None,
        message="; ".join([*(a["message"] for a in audits if a["message"]), *unmatched]),
        by_entity={a["entity"]: {"rows_loaded": a["rows_loaded"], "rows_quarantined": a["rows_quarantined"]}
                   for a in audits},
    )


def load_files(con: duckdb.DuckDBPyConnection, paths: list[Path], *, feed: str | None = None,
               key: str, lookup: PostcodeLookup, anchors: DeclaredAnchors | None = None) -> list[FileReport]:
    """Load each file on its own: one bad file never stops or undoes the others. With `anchors`,
    a spend file from an undeclared publisher is refused (ingest/anchors.py)."""
    return [load_file(con, Path(p), feed=feed, key=key, lookup=lookup, anchors=anchors) for p in paths]
