"""Publication assets: the evaluators' snapshot (one file, every year) and the steering group's
annual pack (one partition per reporting year). Both sit downstream of the blocking gate, and both
refuse to run where no gate has passed, so selecting them alone in the UI cannot skip the gate."""


import duckdb
from dagster import (
    AssetExecutionContext,
    AssetKey,
    Failure,
    MaterializeResult,
    MetadataValue,
    PartitionsDefinition,
    asset,
)

from exports import write_pack
from orchestration.assets.gate import ANNUAL_MARTS, ANNUAL_TABLES
from orchestration.config import Settings
from orchestration.publication import build_snapshot
from orchestration.warehouse import WRITER_POOL, read_snapshot, write_connection, writer_lock

CODE_VERSION = "0.1.0"


def require_gate_in_this_run(settings: Settings, run_id: str) -> None:
    with write_connection(settings) as con:
        try:
            evaluated, errors = con.execute(
                """SELECT count(*), count(*) FILTER (WHERE NOT passed AND severity = 'error')
                   FROM gate.results WHERE run_id = ?""", [run_id]).fetchone()
        except duckdb.CatalogException:  # no gate has ever run here
            evaluated, errors = 0, 0
    if not evaluated or errors:
        raise Failure("the snapshot is published only in a run whose publication_gate passed: "
                      "launch publish_job (or impact_pipeline) for a reporting year instead")


def require_gated_year(settings: Settings, year: str) -> None:
    con = read_snapshot(settings.published_path)
    try:
        latest = con.execute("SELECT max(validated_at) FROM gate.results WHERE reporting_year = ?",
                             [year]).fetchone()[0]
    except duckdb.CatalogException:
        latest = None
    finally:
        con.close()
    if latest is None:
        raise Failure(f"{year} has not passed the gate in the published snapshot: launch publish_job "
                      f"for {year} (it gates the year, publishes the snapshot and writes the pack)")


def build_publication_assets(settings: Settings, partitions: PartitionsDefinition) -> list:
    # Not partitioned: one file holds every year; it is rebuilt whenever a year passes the gate.
    @asset(key=["published_snapshot"], group_name="publication", pool=WRITER_POOL,
           deps=[ANNUAL_TABLES, *(AssetKey([name]) for name in ANNUAL_MARTS)],
           owners=["team:data-stewards"], kinds={"duckdb"},
           description="Read-only DuckDB snapshot for evaluators (marts, reference data, gate results, "
                       "load audit; every reporting year), replaced atomically after a year's gate passes.")
    def published_snapshot(context: AssetExecutionContext) -> MaterializeResult:
        require_gate_in_this_run(settings, context.run_id)
        with writer_lock(settings):
            counts = build_snapshot(settings.warehouse_path, settings.published_path, context.run_id)
        return MaterializeResult(metadata={
            "path": MetadataValue.path(str(settings.published_path)),
            "tables": MetadataValue.json(counts),
        })

    @asset(key=["annual_pack"], group_name="publication", partitions_def=partitions,
           deps=[AssetKey(["published_snapshot"]), ANNUAL_TABLES],
           owners=["team:steering-group"], kinds={"excel", "csv"},
           description="The steering group's annual impact pack for a reporting year, under "
                       "exports/<year>/<revision>/: XLSX, CSVs with datapackage.json, manifest. "
                       "A re-run writes a new revision and keeps the old one.")
    def annual_pack(context: AssetExecutionContext) -> MaterializeResult:
        year = context.partition_key
        require_gated_year(settings, year)  # write_pack itself refuses a year whose gate failed
        pack = write_pack(
            settings.published_path, year, settings.exports_dir,
            partnership_name=settings.partnership.name,
            suppression_threshold=settings.disclosure.suppression_threshold,
            marker=settings.disclosure.suppression_marker,
            run_id=context.run_id, code_version=CODE_VERSION,
        )
        return MaterializeResult(metadata={
            "reporting_year": year,
            "folder": MetadataValue.path(str(pack.folder)),
            "files": MetadataValue.json([p.name for p in pack.files]),
        })

    return [published_snapshot, annual_pack]
