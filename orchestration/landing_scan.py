"""What is waiting in the landing folders: the files whose content is not loaded yet.

`impact run` plans from this before it imports any Dagster code (a run with nothing new costs a
second or two), and the ingest assets load what it finds.
"""

from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingest import DateWindow, IngestRules
from ingest.arrivals import arrival_order, arrived, declared, entries
from ingest.contracts import load_contracts
from ingest.loader import rules_version, with_declaration
from ingest.readers import SUPPORTED_SUFFIXES
from ingest.versions import current_loads
from orchestration import run_state
from partnership.config import Settings
from partnership.rows import has_table
from partnership.warehouse import write_connection

# The files each feed's asset takes from its landing folder (the sensor uses the same rule): every
# supported extension in any case; symlinks and other non-regular entries too, to be refused and
# recorded (ingest/arrivals.py).
LANDING_PATTERNS = tuple(f"*{suffix}" for suffix in SUPPORTED_SUFFIXES)  # matched case-insensitively


def landing_files(settings: Settings, feed: str) -> list[Path]:
    """The feed's landing entries in arrival order (never name order), without recording arrivals."""
    folder = settings.landing_dir / feed
    return [offer.path for offer in arrival_order(folder, entries(folder), record=False)]


def collected_feeds(settings: Settings) -> list[str]:
    """The feeds whose landing folders are loaded: those the partnership collects ([feeds]). Another
    feed's files are never loaded (it has no gate, freshness or metrics, and its files may name people)."""
    return [feed for feed in load_contracts() if settings.collects(feed)]


def not_collected(feed: str) -> str:
    return (f"not loaded: the partnership does not collect {feed} ([feeds] collected in the configuration; "
            f"add \"{feed}\" there to load it)")


def ingest_rules(settings: Settings) -> IngestRules:
    """impact.toml [ingest], as the ingest takes it (the ingest never reads configuration)."""
    section = settings.ingest
    return IngestRules(
        max_shrink_share=section.max_shrink_share, zip_max_ratio=section.zip_max_ratio,
        zip_max_bytes=section.zip_max_mb << 20, max_seconds_per_file=section.max_seconds_per_file,
        date_windows={feed: DateWindow(w.floor_year, w.future_days) for feed, w in section.date_windows.items()},
        collected=tuple(settings.feeds.collected), supplier_register=settings.feeds.supplier_register)


def needs_key(feed: str) -> bool:
    """Feeds with people's references (programme, wellbeing) need the pseudonymisation key."""
    return any(c.pseudonymise for e in load_contracts()[feed].values() for c in e.columns)


def new_files(settings: Settings, feeds: list[str]) -> list[run_state.LandingFile]:
    """The landing files of `feeds` whose content is not loaded yet, nor refused under the current
    rules and its current declaration (a refused file with a new or changed declaration beside it
    is offered again: the declaration may be what it lacked)."""
    with write_connection(settings) as con:
        return new_files_in(con, settings, feeds)


def new_files_in(con: duckdb.DuckDBPyConnection, settings: Settings, feeds: list[str]) -> list[run_state.LandingFile]:
    """`new_files` on a connection the caller holds (with the writers' lock)."""
    version = rules_version(ingest_rules(settings), settings.declared_anchors())
    files, fresh = run_state.classify(con, {feed: landing_files(settings, feed) for feed in feeds},
                                      judged_under=lambda path: with_declaration(version, declared(path)))
    run_state.remember(con, fresh)
    return [f for f in files if not f.settled]


def stray_files_in(con: duckdb.DuckDBPyConnection, settings: Settings) -> list[run_state.LandingFile]:
    """The files in the folders of feeds the partnership does not collect whose content is not in
    the warehouse (refused or never offered): every run names them."""
    feeds = [feed for feed in load_contracts() if not settings.collects(feed)]
    if not feeds:
        return []
    files, fresh = run_state.classify(con, {feed: landing_files(settings, feed) for feed in feeds})
    run_state.remember(con, fresh)
    loaded = run_state.settled(con).loaded
    return [f for f in files if f.sha256 not in loaded]


@dataclass(frozen=True)
class GoneFile:
    """A file loaded from the landing folder that is no longer in it: its rows are still in the
    warehouse and the figures, but a warehouse rebuilt from the folder would not have them."""

    feed: str
    name: str
    rows: int

    def describe(self) -> str:
        return f"{self.feed}/{self.name} ({self.rows:,} rows)"


def withdraw_hint(count: int) -> str:
    it, its = ("them", "their") if count != 1 else ("it", "its")
    return (f"{its} rows stay in the figures; put {it} back, or withdraw {it} with an empty version "
            "(docs/operations.md, \"Withdrawing a file\")")


def gone_from(loads, settings: Settings, present: dict[str, tuple[set[str], set[str]]]) -> list[GoneFile]:
    """Of `loads` (feed, name, sha256, rows), those that came through the landing folder (its arrivals
    ledger has their content) and whose name and content are both absent from it now (`present`:
    per feed, the names and contents in the folder). A file loaded from elsewhere
    (`impact ingest /some/path`) was never in the folder and is not gone."""
    gone, ledgers = [], {}
    for feed, name, sha, rows in loads:
        if feed not in ledgers:
            ledgers[feed] = arrived(settings.landing_dir / feed)
        names, shas = present.get(feed, (set(), set()))
        if sha in ledgers[feed] and name not in names and sha not in shas:
            gone.append(GoneFile(feed, name, int(rows or 0)))
    return gone


def gone_files_in(con: duckdb.DuckDBPyConnection, settings: Settings) -> list[GoneFile]:
    """`gone_from` for the collected feeds, with the folder's contents from the landing index."""
    feeds = collected_feeds(settings)
    files, fresh = run_state.classify(con, {feed: landing_files(settings, feed) for feed in feeds})
    run_state.remember(con, fresh)
    present: dict[str, tuple[set[str], set[str]]] = {feed: (set(), set()) for feed in feeds}
    for f in files:
        present[f.feed][0].add(f.path.name)
        present[f.feed][1].add(f.sha256)
    loads = current_loads(con) if has_table(con, "raw", "load_audit") else []
    return gone_from([row for row in loads if row[0] in present], settings, present)
