"""Load files into the warehouse: read, conform to the feed contract, protect, write with lineage.

Every file ends as exactly one of: loaded (possibly replacing an earlier version), duplicate (the
same bytes were loaded before: nothing happens), or refused (unreadable, of the wrong feed, or not
usable as a whole: nothing of it loads, and the reason is one line that never quotes a cell). A
refusal is recorded, so the same bytes are not read again (unless retried or declared a
replacement). A file whose load never finished (the process died) is read once more by the next
load, and refused if that load dies too. Versions and overlaps: ingest/versions.py. See docs/ingest-policy.md.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import stat
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

import duckdb
from polars.exceptions import PanicException

from ingest import versions
from ingest.anchors import DeclaredAnchors, PublisherCheck
from ingest.conform import Conformed, WrongLayout, conform_batch, find_header
from ingest.contracts import CONTRACTS_DIR, FEEDS, layout_for, load_contracts
from ingest.pipeline import BackgroundWriter, every_core, load_settings, read_ahead
from ingest.privacy import PostcodeLookup, protect
from ingest.pseudonym_key import KeyMismatch, confirm_key
from ingest.readers import read_tables
from ingest.referential import recheck_outcomes
from ingest.rules import Deadline, IngestRules
from ingest.staging import remove_leftovers
from ingest.tables import MAX_FIELD, ReadLimits, UnreadableFile
from ingest.warehouse import (
    Lineage,
    Written,
    already_loaded,
    end_loading,
    ensure_raw_schema,
    finish_table,
    forget_deaths,
    insert_staged,
    mark_loading,
    record_refusal,
    recover_interrupted,
    refused_before,
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
    replaced_files: list[str] = field(default_factory=list)
    overlaps_with: list[str] = field(default_factory=list)


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
            shape = conformed.example_failure.get(column, "")
            return f"{name}: {column} unusable in all {rows} rows (e.g. shape {shape}); the file cannot be used"
    return None


def _not_regular(path: Path) -> str | None:
    try:
        mode = path.lstat().st_mode
    except OSError as exc:
        return f"{path.name}: cannot be read ({exc.strerror or exc})"
    if stat.S_ISLNK(mode):
        return f"{path.name}: a symbolic link, not a file; links are never followed (copy the file itself in)"
    if not stat.S_ISREG(mode):
        return f"{path.name}: not a regular file (a directory, pipe or device); refused"
    return None


def load_file(con: duckdb.DuckDBPyConnection, path: Path, *, feed: str | None, key: str,
              lookup: PostcodeLookup, rules: IngestRules | None = None, replaces: Sequence[str] = (),
              received_at: dt.datetime | None = None, retry: bool = False,
              anchors: DeclaredAnchors | None = None) -> FileReport:
    """Load one file. `replaces`: file names this file is declared to replace (a confirmed
    replacement); `received_at`: when it arrived (the plausible-date window counts from it);
    `retry`: read it even if the same bytes were refused before; `anchors`: the declared anchor
    institutions a spend file's publisher must be one of (ingest/anchors.py)."""
    ensure_raw_schema(con)
    if feed is not None and feed not in FEEDS:
        raise ValueError(f"unknown feed {feed!r}: one of {', '.join(FEEDS)}")
    rules = rules or IngestRules()
    loaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    load_id = f"{loaded_at:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    if problem := _not_regular(path):
        if not _refused_by_name(con, path.name, problem):
            record_refusal(con, feed, path.name, None, load_id, loaded_at, problem)
        return FileReport(path.name, feed, "refused", message=problem)
    sha = sha256_of(path)
    if already_loaded(con, sha):
        loaded_into, message = versions.duplicate(con, sha)
        return FileReport(path.name, loaded_into or feed, "duplicate", message=message)
    declared = tuple(dict.fromkeys(Path(n).name for n in replaces))
    version = with_declaration(rules_version(rules, anchors), declared)
    if (earlier := refused_before(con, sha, version)) and not retry:
        return FileReport(path.name, feed, "refused", message=f"{earlier} [refused before: not read again until the "
                          "file, the contracts or the ingest's configuration change; `impact ingest FILE --retry` "
                          "reads it now]")
    mark_loading(con, feed, path.name, sha, load_id, loaded_at, version)
    limits = ReadLimits(Deadline(rules.max_seconds_per_file), rules.zip_max_ratio, rules.zip_max_bytes)
    lineage = Lineage("", path.name, sha, load_id, loaded_at, path.name)
    skipped: list[str] = []
    try:
        with contextlib.ExitStack() as stack:
            contents = read_tables(path, limits, stack)
            skipped = contents.notes
            layout = layout_for(path.name, feed)
            found, unmatched = _headers(path, contents.tables, feed, layout)
            lineage.feed = found[0][1].entity.feed
            if rules.collected is not None and lineage.feed not in rules.collected:
                feed = lineage.feed  # reported and recorded under the feed its header shows
                raise Refused(f"{path.name}: a {lineage.feed} file, and the partnership does not collect "
                              f"{lineage.feed} ([feeds] collected in the configuration): nothing of it was loaded "
                              f"(add \"{lineage.feed}\" there to load it)")
            found, unmatched = _without_register(path, found, unmatched, rules)
            if key and any(c.pseudonymise for _, m in found for c in m.entity.columns):
                confirm_key(con, key)  # people's references: only under the warehouse's own key (KeyMismatch)
            received = (received_at or loaded_at).date()
            return _load(con, path, found, [*unmatched, *contents.notes], lineage, layout, key, lookup, rules,
                         limits, declared, received, anchors)
    except (UnreadableFile, WrongLayout, Refused) as exc:
        message = str(exc) + (f" ({'; '.join(skipped)})" if skipped else "")
    except MemoryError:
        message = f"{path.name}: reading it needed more memory than the machine has; refused"
    except (duckdb.IOException, duckdb.FatalException, duckdb.InterruptException, KeyMismatch):
        end_loading(con, load_id)
        raise  # the warehouse or the key, not the file: never recorded as the file's fault
    except BaseException as exc:  # noqa: BLE001 - any other failure is this file's refusal, never the batch's
        if not isinstance(exc, Exception | PanicException):
            # Ctrl-C, a stop, Dagster's interrupt of the run (DagsterExecutionInterruptedError is a
            # BaseException): never the file's fault. It was being refused for good, and the run
            # went on to succeed without it. The file is read again by the next load.
            with contextlib.suppress(Exception):
                end_loading(con, load_id)
            raise
        # (A Rust panic in Polars is a BaseException too.) The exception's own text may quote the
        # file's contents: only its type is reported.
        message = f"{path.name}: could not be read ({type(exc).__name__}); nothing of it was loaded"
    record_refusal(con, feed, path.name, sha, load_id, loaded_at, message, version)
    return FileReport(path.name, feed, "refused", message=message)


def rules_version(rules: IngestRules, anchors: DeclaredAnchors | None) -> str:
    """A fingerprint of everything that judges a file: the contracts and layouts, the limits and
    windows, the declared anchors. A refusal stands while it is unchanged (a file refused for an
    undeclared publisher loads once the publisher is declared)."""
    digest = hashlib.sha256(repr((rules, anchors.anchors if anchors else None)).encode())
    for path in sorted(CONTRACTS_DIR.glob("*.yaml")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def with_declaration(version: str, declared: Sequence[str]) -> str:
    """The version a declared file is judged under: its declaration is part of what judged it, so
    the same declaration refused again is not read again, and a new or changed one is."""
    if not declared:
        return version
    return hashlib.sha256("\n".join([version, *declared]).encode()).hexdigest()[:16]


def _refused_by_name(con, name: str, message: str) -> bool:
    row = con.execute("SELECT count(*) FROM raw.load_audit WHERE status = 'refused' AND file_sha256 IS NULL "
                      "AND source_file = ? AND message = ?", [name, message]).fetchone()
    return bool(row[0])


def _headers(path: Path, tables, feed: str | None, layout):
    entities = [e for f, es in load_contracts().items() if feed in (None, f) for e in es.values()]
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


REGISTER = ("spend", "suppliers")  # the supplier register: (feed, entity)


def _without_register(path: Path, found, unmatched: list[str], rules: IngestRules):
    """A partnership that provides no supplier register ([feeds] supplier_register = false) loads
    none: a register file is refused, a register sheet beside payments is skipped and noted."""
    if rules.supplier_register:
        return found, unmatched
    register = [(t, h) for t, h in found if (h.entity.feed, h.entity.name) == REGISTER]
    if not register:
        return found, unmatched
    why = ("the partnership does not provide a supplier register ([feeds] supplier_register = false in the "
           "configuration; set it to true to use one)")
    if len(register) == len(found):
        raise Refused(f"{path.name}: a supplier register, and {why}: nothing of it was loaded")
    skipped = [f"skipped {t.source}: a supplier register, and {why}" for t, _ in register]
    return [f for f in found if f not in register], [*unmatched, *skipped]


def _load(con, path: Path, found, notes: list[str], lineage: Lineage, layout, key: str, lookup, rules: IngestRules,
          limits: ReadLimits, declared: tuple[str, ...], received: dt.date,
          anchors: DeclaredAnchors | None) -> FileReport:
    audits: list[dict] = []
    results: list[Conformed] = []
    earlier = versions.earlier_versions(con, lineage.feed, path.name, lineage.sha256, declared)
    lineage.replaced_files = earlier.names
    if earlier.missing:
        if reason := versions.declaration_refusal(con, lineage.feed, path.name, earlier.missing):
            raise Refused(reason)
        notes = [*notes, f"declared to replace {', '.join(earlier.missing)}, which is not loaded"]
    bounds = rules.window(lineage.feed).bounds(received)
    with load_settings(con) as threads:
        con.execute("BEGIN TRANSACTION")
        try:
            end_loading(con, lineage.load_id)
            forget_deaths(con, lineage.sha256)  # an earlier attempt that died is not a refusal of the file
            versions.remove(con, lineage.feed, earlier)
            for table, header in found:
                conformed, written = Conformed(header, table.source, date_bounds=bounds), Written()
                table_lineage = replace(lineage, source_file=table.source)
                publishers = PublisherCheck(anchors, header.entity)  # ingest/anchors.py
                _stream(con, table, header, layout, limits, path.name, key, lookup, publishers, conformed,
                        table_lineage, written, threads)
                if reason := _usability(conformed) or publishers.refusal(table.source):
                    raise Refused(reason)
                file_notes = "; ".join(filter(None, [layout.notes if layout else "", *(notes if not audits else [])]))
                audits.append(finish_table(con, header.entity, table_lineage, conformed, written, file_notes))
                results.append(conformed)
            if lineage.feed == "programme":
                recheck_outcomes(con, lineage.loaded_at)
                audits = _refreshed(con, audits)
            rows = sum(a["rows_loaded"] for a in audits)
            nets = [a["net_amount_gbp"] for a in audits if a["net_amount_gbp"] is not None]
            net = sum(nets, Decimal(0)) if nets else None
            if reason := versions.shrink_refusal(path.name, earlier, rows, net, rules.max_shrink_share):
                raise Refused(reason)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return _report(path, lineage, audits, results, earlier)


def _stream(con, table, header, layout, limits: ReadLimits, name: str, key: str, lookup, publishers: PublisherCheck,
            conformed: Conformed, lineage: Lineage, written: Written, threads: int) -> None:
    """Read, conform and protect the table batch by batch, the reader one batch ahead and the writer
    staging the batch before (ingest/pipeline.py): a handful of batches are in memory, whatever the
    size of the file. Then DuckDB inserts the staged rows on every core (ingest/staging.py)."""
    writer = BackgroundWriter(write_batch)
    try:
        try:
            with read_ahead(table.batches(header.index, header.width)) as batches:
                for raw in batches:
                    if limits.deadline.passed():
                        raise limits.too_slow(name)
                    batch = conform_batch(raw, header, conformed, layout, table.from_excel)
                    rows = publishers.apply(protect(batch.rows, header.entity, key, lookup))
                    writer.submit(con, header.entity, rows, batch.issues, lineage, written)
        finally:
            writer.close()
        with every_core(con, threads):
            insert_staged(con, header.entity, lineage, written)
    finally:
        if written.staging is not None:
            written.staging.close()


def _refreshed(con, audits: list[dict]) -> list[dict]:
    """The file's audit rows as stored now (the programme re-check may have moved outcomes)."""
    out = []
    for audit in audits:
        loaded, quarantined = con.execute(
            "SELECT rows_loaded, rows_quarantined FROM raw.load_audit WHERE load_id = ? AND source_file = ? "
            "AND entity = ?", [audit["load_id"], audit["source_file"], audit["entity"]]).fetchone()
        out.append({**audit, "rows_loaded": loaded, "rows_quarantined": quarantined})
    return out


def _report(path: Path, lineage: Lineage, audits: list[dict], results: list[Conformed], earlier) -> FileReport:
    nets = [a["net_amount_gbp"] for a in audits if a["net_amount_gbp"] is not None]
    totals = [a["publisher_total_gbp"] for a in audits if a["publisher_total_gbp"] is not None]
    return FileReport(
        path.name, lineage.feed, "replaced" if earlier.shas else "loaded",
        entities=[c.entity.name for c in results],
        rows_loaded=sum(a["rows_loaded"] for a in audits),
        rows_quarantined=sum(a["rows_quarantined"] for a in audits),
        rows_skipped_footer=sum(a["rows_skipped_footer"] for a in audits),
        columns_dropped=sorted({c for x in results for c in x.header.dropped_pii}),
        payees_redacted=sum(a["payees_redacted"] for a in audits),
        net_amount_gbp=float(sum(nets)) if nets else None,
        publisher_total_gbp=float(sum(totals)) if totals else None,
        message="; ".join(dict.fromkeys(a["message"] for a in audits if a["message"])),
        by_entity={a["entity"]: {"rows_loaded": a["rows_loaded"], "rows_quarantined": a["rows_quarantined"]}
                   for a in audits},
        replaced_files=list(earlier.names),
        overlaps_with=sorted({o for a in audits if a["overlaps_with"] for o in a["overlaps_with"].split(", ")}),
    )


def load_files(con: duckdb.DuckDBPyConnection, paths: list[Path], *, feed: str | None = None,
               key: str, lookup: PostcodeLookup, rules: IngestRules | None = None,
               replaces: Mapping[str, Sequence[str]] | None = None,
               received_at: dict[str, dt.datetime] | None = None, retry: bool = False,
               anchors: DeclaredAnchors | None = None) -> list[FileReport]:
    """Load each file on its own, in the order given: one bad file never stops or undoes the others.
    `replaces` and `received_at` are keyed by file name. With `anchors`, a spend file from an
    undeclared publisher is refused (ingest/anchors.py)."""
    ensure_raw_schema(con)
    recover_interrupted(con)
    remove_leftovers(con)
    replaces, received_at = replaces or {}, received_at or {}
    return [load_file(con, Path(p), feed=feed, key=key, lookup=lookup, rules=rules,
                      replaces=replaces.get(Path(p).name, ()), received_at=received_at.get(Path(p).name),
                      retry=retry, anchors=anchors) for p in paths]
