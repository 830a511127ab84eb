"""What earlier runs did, kept in the working warehouse's `ops` schema (never published):

- `ops.landing_index`: per landing file, its size and modification time when its sha256 was last
  computed. A file whose size and mtime are unchanged is known by that sha256 without being read
  again, so a run over a landing folder of hundreds of loaded files reads none of them.
- `ops.stage_state`: per step (and key: a raw table, a reporting year), the fingerprint of its
  inputs when it last succeeded (orchestration/fingerprints.py), its status and run id. A step is
  skipped when its inputs' fingerprint equals the recorded one.

Rows are written after the step's own writes, on the same warehouse file: a run killed in between
leaves the old fingerprint, so the next run does the step again (every step is safe to redo).
"""

from __future__ import annotations

import datetime as dt
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingest.loader import sha256_of
from partnership.rows import has_table

DDL = (
    "CREATE SCHEMA IF NOT EXISTS ops",
    """CREATE TABLE IF NOT EXISTS ops.landing_index (feed VARCHAR, name VARCHAR, size BIGINT,
       mtime_ns BIGINT, sha256 VARCHAR, indexed_at TIMESTAMP, PRIMARY KEY (feed, name))""",
    """CREATE TABLE IF NOT EXISTS ops.stage_state (stage VARCHAR, key VARCHAR, fingerprint VARCHAR,
       status VARCHAR, run_id VARCHAR, recorded_at TIMESTAMP, PRIMARY KEY (stage, key))""",
)
PUBLISH_STAGE = "publish"
# Load-audit statuses under which a file's content is in the warehouse.
LOADED = ("loaded", "replaced", "superseded")


def ensure_ops_schema(con: duckdb.DuckDBPyConnection) -> None:
    for statement in DDL:
        con.execute(statement)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


# --- landing files -------------------------------------------------------------------------------

@dataclass(frozen=True)
class LandingFile:
    feed: str
    path: Path
    sha256: str
    settled: bool  # its content is already loaded (or was refused as it is): nothing to do


@dataclass(frozen=True)
class Settled:
    """What the load audit says needs no new load: contents loaded, contents refused (with the
    versions of the rules that judged them: '*' for a load that died), and non-file entries
    refused by name."""

    loaded: set[str]
    refused: dict[str, set[str]]
    refused_names: set[str]

    def refused_under(self, sha: str, version: str | None) -> bool:
        """Refused under this version of the rules (any version when None), or by a load that died."""
        versions = self.refused.get(sha, set())
        return bool(versions) and (version is None or bool(versions & {version, "*"}))


def settled(con: duckdb.DuckDBPyConnection) -> Settled:
    if not has_table(con, "raw", "load_audit"):
        return Settled(set(), {}, set())
    columns = {c for (c,) in con.execute("SELECT column_name FROM duckdb_columns() WHERE database_name = "
                                         "current_database() AND schema_name = 'raw' AND table_name = 'load_audit'"
                                         ).fetchall()}
    loaded = {sha for (sha,) in con.execute(
        "SELECT DISTINCT file_sha256 FROM raw.load_audit WHERE status IN (SELECT unnest(?))", [list(LOADED)]
    ).fetchall()}
    version = "coalesce(rules_version, '')" if "rules_version" in columns else "'*'"
    refused: dict[str, set[str]] = {}
    for sha, judged in con.execute(f"SELECT DISTINCT file_sha256, {version} FROM raw.load_audit "
                                   "WHERE status = 'refused' AND file_sha256 IS NOT NULL").fetchall():
        refused.setdefault(sha, set()).add(judged)
    names = {name for (name,) in con.execute(
        "SELECT DISTINCT source_file FROM raw.load_audit WHERE status = 'refused' AND file_sha256 IS NULL"
    ).fetchall()}
    return Settled(loaded, refused, names)


def indexed(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], tuple[int, int, str]]:
    if not has_table(con, "ops", "landing_index"):
        return {}
    return {(feed, name): (size, mtime, sha) for feed, name, size, mtime, sha in con.execute(
        "SELECT feed, name, size, mtime_ns, sha256 FROM ops.landing_index").fetchall()}


def classify(con: duckdb.DuckDBPyConnection, files: dict[str, list[Path]], *,
             judged_under: Callable[[Path], str | None] = lambda path: None) -> tuple[list[LandingFile], list[tuple]]:
    """Each landing entry with its sha256 (from the index when size and mtime are unchanged, else
    read now) and whether it is settled; and the index rows to store for files read now. Links and
    other non-files are never followed: settled once the ingest has refused them by name.
    `judged_under(path)`: the version of the rules the file would be judged under now (its
    declaration included); a refusal under another version is offered again. None: any refusal."""
    index, known = indexed(con), settled(con)
    out, fresh = [], []
    for feed, paths in files.items():
        for path in paths:
            try:
                info = path.lstat()
            except OSError:
                continue  # vanished since it was listed
            if not stat.S_ISREG(info.st_mode):
                out.append(LandingFile(feed, path, "", path.name in known.refused_names))
                continue
            entry = index.get((feed, path.name))
            if entry and entry[:2] == (info.st_size, info.st_mtime_ns):
                sha = entry[2]
            else:
                sha = sha256_of(path)
                fresh.append((feed, path.name, info.st_size, info.st_mtime_ns, sha, _now()))
            done = sha in known.loaded or known.refused_under(sha, judged_under(path))
            out.append(LandingFile(feed, path, sha, done))
    return out, fresh


def remember(con: duckdb.DuckDBPyConnection, rows: list[tuple]) -> None:
    if not rows:
        return
    ensure_ops_schema(con)
    con.executemany("INSERT OR REPLACE INTO ops.landing_index VALUES (?, ?, ?, ?, ?, ?)", rows)


# --- step fingerprints ---------------------------------------------------------------------------

@dataclass(frozen=True)
class StageRecord:
    fingerprint: str
    status: str
    run_id: str
    recorded_at: dt.datetime


def recorded(con: duckdb.DuckDBPyConnection, stage: str) -> dict[str, StageRecord]:
    if not has_table(con, "ops", "stage_state"):
        return {}
    return {key: StageRecord(fp, status, run_id, at) for key, fp, status, run_id, at in con.execute(
        "SELECT key, fingerprint, status, run_id, recorded_at FROM ops.stage_state WHERE stage = ?",
        [stage]).fetchall()}


def record(con: duckdb.DuckDBPyConnection, stage: str, entries: dict[str, str], *, status: str,
           run_id: str) -> None:
    ensure_ops_schema(con)
    now = _now()
    con.executemany("INSERT OR REPLACE INTO ops.stage_state VALUES (?, ?, ?, ?, ?, ?)",
                    [(stage, key, fp, status, run_id, now) for key, fp in entries.items()])


def forget(con: duckdb.DuckDBPyConnection, stage: str, key: str | None = None) -> None:
    if has_table(con, "ops", "stage_state"):
        con.execute("DELETE FROM ops.stage_state WHERE stage = ? AND (? IS NULL OR key = ?)", [stage, key, key])
