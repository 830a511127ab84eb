"""Ingest assets: one per feed, producing that feed's raw tables from files in landing/<feed>/.

A run without a named file (the sensor names one) takes the feed's landing folder and loads only
what is new: files already loaded, or refused as they are, are known by their sha256 from the
landing index (orchestration/run_state.py) and never read again while their size and modification
time are unchanged.
"""


from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    Failure,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from ingest import FileReport, load_files
from ingest.arrivals import arrival_order
from ingest.contracts import load_contracts
from ingest.pseudonym_key import KeyMismatch
from orchestration import console
from orchestration.faults import pause_point
from orchestration.landing import fail_if_refused, requested_files
from orchestration.landing_scan import ingest_rules, landing_files, needs_key, new_files, not_collected
from partnership.config import Settings
from partnership.rows import one_value
from partnership.warehouse import WRITER_POOL, write_connection
from publication.reference_data import postcode_lookup


def ingest_reports(settings: Settings, feed: str, paths: list[Path]) -> list[FileReport]:
    """Load landing files of one feed in arrival order, with their sidecar declarations and arrival
    times (recorded in the folder's ledger as they are taken), one file at a time (progress, and the
    fault-injection hook between files)."""
    lookup = postcode_lookup(settings)
    key = settings.pseudonymisation_key() if paths and needs_key(feed) else ""
    folder = settings.landing_dir / feed
    inside = [p for p in paths if p.parent == folder]
    offers = arrival_order(folder, inside, record=True) if inside else []
    ordered = [o.path for o in offers] + [p for p in paths if p.parent != folder]
    replaces = {o.path.name: o.replaces for o in offers if o.replaces}
    received = {o.path.name: o.received_at for o in offers if o.received_at}
    reports = []
    with write_connection(settings) as con:
        for number, path in enumerate(ordered, start=1):
            console.progress("ingest", f"{feed}: file {number} of {len(ordered)} ({path.name})")
            reports += load_files(con, [path], feed=feed, key=key, lookup=lookup, rules=ingest_rules(settings),
                                  replaces=replaces, received_at=received, anchors=settings.declared_anchors())
            pause_point("ingest", settings.data_dir)
    return reports


def table_rows(settings: Settings, tables: list[str]) -> dict[str, int]:
    """Rows each raw table holds after the load (0 for a table no file has created yet)."""
    with write_connection(settings) as con:
        existing = {f"{s}.{t}" for s, t in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables()").fetchall()}
        return {t: one_value(con, f"SELECT count(*) FROM {t}") if t in existing else 0
                for t in tables}


def _feed_asset(feed: str, settings: Settings):
    entities = load_contracts()[feed]
    specs = [
        AssetSpec(
            AssetKey(["raw", entity.table]), group_name="ingest", kinds={"polars", "duckdb"},
            description=f"{entity.description} Loaded from landing/{feed}/ under the {feed} contract.",
            owners=["team:data-stewards"], skippable=True,
        )
        for entity in entities.values()
    ]

    @multi_asset(name=f"ingest_{feed}", specs=specs, pool=WRITER_POOL, can_subset=False,
                 description=f"Load new files from landing/{feed}/ into raw.{feed}__*")
    def _ingest(context: AssetExecutionContext):
        paths, skipped = requested_files(context.run.tags, settings, feed), 0
        if not settings.collects(feed):  # a launch from the UI, or a sensor request made before [feeds] changed
            if paths:
                raise Failure(description=f"{feed}/{paths[0].name}: {not_collected(feed)}")
            paths, skipped = [], len(landing_files(settings, feed))
            if skipped:
                context.log.info(f"{skipped} file(s) in landing/{feed}/ {not_collected(feed)}")
        elif paths is None:
            waiting = new_files(settings, [feed])
            skipped = len(landing_files(settings, feed)) - len(waiting)
            paths = [f.path for f in waiting]
        try:
            reports = ingest_reports(settings, feed, paths)
        except KeyMismatch as exc:
            raise Failure(description=f"{feed}: {exc}") from exc
        rows_now = table_rows(settings, [f"raw.{entity.table}" for entity in entities.values()])
        for report in reports:
            log = context.log.warning if report.status == "refused" else context.log.info
            log(f"{report.file}: {report.status}, {report.rows_loaded} loaded, "
                f"{report.rows_quarantined} quarantined {report.message}".strip())
        for entity in entities.values():
            mine = [r for r in reports if entity.name in r.entities]
            yield MaterializeResult(
                asset_key=AssetKey(["raw", entity.table]),
                metadata={
                    "files_loaded": MetadataValue.json([r.file for r in mine]),
                    "rows_loaded": sum(r.by_entity[entity.name]["rows_loaded"] for r in mine),
                    "rows_quarantined": sum(r.by_entity[entity.name]["rows_quarantined"] for r in mine),
                    "files_refused": MetadataValue.json(
                        {r.file: r.message for r in reports if r.status == "refused"}),
                    "files_already_loaded": skipped + sum(r.status == "duplicate" for r in reports),
                    "dagster/row_count": rows_now[f"raw.{entity.table}"],
                },
            )
        fail_if_refused(context.run.tags, reports)

    return _ingest


# Written by every feed's ingest alongside its rows; declared so the graph shows and describes them.
LEDGERS = [
    AssetSpec(["raw", "load_audit"], group_name="ingest", kinds={"duckdb"}, owners=["team:data-stewards"],
              description="One row per file and load: counts loaded, quarantined, footer rows skipped, "
                          "personal columns dropped, net amount for spend. Written by every ingest asset."),
    AssetSpec(["raw", "quarantine"], group_name="ingest", kinds={"duckdb"}, owners=["team:data-stewards"],
              description="Every rejected value: file, row number, column, raw value and reason. "
                          "Written by every ingest asset; never published."),
]


def build_ingest_assets(settings: Settings) -> list:
    return [*(_feed_asset(feed, settings) for feed in load_contracts()), *LEDGERS]
