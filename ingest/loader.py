"""Load files into the warehouse: read, conform to the feed contract, protect, write with lineage.

Every file ends as exactly one of: loaded (possibly replacing an earlier version), duplicate (the
same bytes were loaded before: nothing happens), or refused (unreadable or of the wrong feed:
nothing of it loads, and the reason is one line).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ingest.conform import WrongLayout, conform
from ingest.contracts import FEEDS, load_contracts
from ingest.privacy import PostcodeLookup, protect
from ingest.readers import UnreadableFile, read_sheets
from ingest.warehouse import FileLoad, already_loaded, ensure_raw_schema, write_file_load


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
    net_amount_gbp: float | None = None
    message: str = ""
    by_entity: dict[str, dict[str, int]] = field(default_factory=dict)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_file(con: duckdb.DuckDBPyConnection, path: Path, *, feed: str | None, key: str,
              lookup: PostcodeLookup) -> FileReport:
    ensure_raw_schema(con)
    if feed is not None and feed not in FEEDS:
        raise ValueError(f"unknown feed {feed!r}: one of {', '.join(FEEDS)}")
    sha = sha256_of(path)
    if already_loaded(con, sha):
        return FileReport(path.name, feed, "duplicate",
                          message="the same file (identical content) was loaded before; nothing changed")
    contracts = load_contracts()
    entities = [e for f, es in contracts.items() if feed in (None, f) for e in es.values()]
    try:
        sheets = read_sheets(path)
        conformed, unmatched = [], []
        for sheet in sheets:
            try:
                conformed.append(conform(sheet, entities))
            except WrongLayout as exc:
                unmatched.append(str(exc))
        if not conformed:
            raise WrongLayout(unmatched[0] if len(unmatched) == 1 else
                              f"{path.name}: no sheet matches the contract ({'; '.join(unmatched)})")
        feeds = {c.entity.feed for c in conformed}
        if len(feeds) > 1:
            raise WrongLayout(f"{path.name}: sheets of different feeds ({', '.join(sorted(feeds))}) in one file")
    except (UnreadableFile, WrongLayout) as exc:
        return FileReport(path.name, feed, "refused", message=str(exc))

    file_feed = feeds.pop()
    loaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    load = FileLoad(
        feed=file_feed, source_file=path.name, sha256=sha,
        load_id=f"{loaded_at:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}", loaded_at=loaded_at,
        sheets=[(c, protect(c.records, c.entity, key, lookup)) for c in conformed],
    )
    audits = write_file_load(con, load)
    report = FileReport(
        path.name, file_feed, "replaced" if any(a["status"] == "replaced" for a in audits) else "loaded",
        entities=[c.entity.name for c in conformed],
        rows_loaded=sum(a["rows_loaded"] for a in audits),
        rows_quarantined=sum(a["rows_quarantined"] for a in audits),
        rows_skipped_footer=sum(a["rows_skipped_footer"] for a in audits),
        columns_dropped=sorted({c for x in conformed for c in x.dropped_pii}),
        message="; ".join(a["message"] for a in audits if a["message"]),
        by_entity={a["entity"]: {"rows_loaded": a["rows_loaded"],
                                 "rows_quarantined": a["rows_quarantined"]} for a in audits},
    )
    nets = [a["net_amount_gbp"] for a in audits if a["net_amount_gbp"] is not None]
    report.net_amount_gbp = float(sum(nets)) if nets else None
    if unmatched:
        report.message = "; ".join(filter(None, [report.message, *unmatched]))
    return report


def load_files(con: duckdb.DuckDBPyConnection, paths: list[Path], *, feed: str | None = None,
               key: str, lookup: PostcodeLookup) -> list[FileReport]:
    """Load each file on its own: one bad file never stops or undoes the others."""
    return [load_file(con, Path(p), feed=feed, key=key, lookup=lookup) for p in paths]
