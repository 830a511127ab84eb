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
from orchestration.dbt import dbt_vars
from orchestration.publication import build_snapshot
from orchestration.reference_data import reference_datasets
from orchestration.warehouse import WRITER_POOL, read_snapshot, write_connection, writer_lock
from partnership.code_version import code_version


def require_gate_in_this_run(settings: Settings, run_id: str, year: str) -> None:
    with write_connection(settings) as con:
        try:
            evaluated, errors = con.execute(
                """SELECT count(*), count(*) FILTER (WHERE NOT passed AND severity = 'error')
                   FROM gate.results WHERE run_id = ? AND reporting_year = ?""", [run_id, year]).fetchone()
        except duckdb.CatalogException:  # no gate has ever run here
            evaluated, errors = 0, 0
    if not evaluated or errors:
        raise Failure(f"the snapshot is published only in a run whose publication_gate passed for {year}: "
                      f"launch publish_job (or impact_pipeline) for {year} instead")
    if failing := years_whose_latest_gate_failed(settings, besides=year):
        raise Failure(f"the latest gate of {', '.join(failing)} failed, and the snapshot carries every year: "
                      f"it is not replaced until {'those years pass' if len(failing) > 1 else 'that year passes'}"
                      f" again (fix the data, rebuild, then publish {failing[0]})")


def years_whose_latest_gate_failed(settings: Settings, *, besides: str) -> list[str]:
    """Years other than `besides` whose most recent gate run has an error: publishing any year
    rebuilds the whole snapshot, so it would carry their failing tables too."""
    with write_connection(settings) as con:
        return [year for (year,) in con.execute(
            """WITH latest AS (SELECT reporting_year, arg_max(run_id, validated_at) AS run_id
                                 FROM gate.results GROUP BY reporting_year)
               SELECT DISTINCT g.reporting_year FROM gate.results g JOIN latest USING (reporting_year, run_id)
               WHERE g.reporting_year <> ? AND NOT g.passed AND g.severity = 'error'
               ORDER BY 1""", [besides]).fetchall()]


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
    # One file holds every year. It is partitioned by year all the same, so that publishing a year
    # (and each year of a backfill) is one run: gate, then the whole snapshot, then the pack.
    @asset(key=["published_snapshot"], group_name="publication", pool=WRITER_POOL, partitions_def=partitions,
           deps=[ANNUAL_TABLES, *(AssetKey([name]) for name in ANNUAL_MARTS)],
           owners=["team:data-stewards"], kinds={"duckdb"},
           description="Read-only DuckDB snapshot for evaluators (marts, reference data, gate results, "
                       "load audit; every reporting year in one file), rebuilt and replaced atomically in "
                       "the run in which a year's gate passes; a partition records that run.")
    def published_snapshot(context: AssetExecutionContext) -> MaterializeResult:
        require_gate_in_this_run(settings, context.run_id, context.partition_key)
        with writer_lock(settings):
            counts = build_snapshot(settings.warehouse_path, settings.published_path, context.run_id,
                                    reference=reference_datasets(settings), assumptions=dbt_vars(settings))
        return MaterializeResult(metadata={
            "reporting_year": context.partition_key,
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
            run_id=context.run_id, code_version=code_version(),
        )
        return MaterializeResult(metadata={
            "reporting_year": year,
            "folder": MetadataValue.path(str(pack.folder)),
            "files": MetadataValue.json([p.name for p in pack.files]),
        })

    return [published_snapshot, annual_pack]
