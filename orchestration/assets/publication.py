"""Publication assets: the evaluators' snapshot (one file, every year) and the steering group's
annual pack (one partition per reporting year). Both sit downstream of the blocking gate, and both
refuse to run where no gate has passed, so selecting them alone in the UI cannot skip the gate.

The snapshot carries open years as provisional (marts.dim_reporting_years); the pack is written only
for a closed year, and only when its content differs from the latest revision's."""


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

from orchestration import console, run_state
from orchestration.assets.gate import ANNUAL_MARTS, ANNUAL_TABLES
from orchestration.dbt_vars import dbt_vars
from orchestration.faults import pause_point
from orchestration.fingerprints import snapshot_fingerprint
from orchestration.pack_currency import pack_settings
from orchestration.run_state import PUBLISH_STAGE
from orchestration.year_gate import standing_results, year_closes_on, year_is_open
from partnership.code_version import code_version
from partnership.config import Settings
from partnership.rows import one_row, one_value
from partnership.warehouse import WRITER_POOL, read_snapshot, write_connection, writer_lock
from publication.reference_data import reference_datasets
from publication.snapshot import build_snapshot


def require_gate_in_this_run(settings: Settings, run_id: str, year: str) -> None:
    """The year's gate passed in this run, or its passing result stands on unchanged tables."""
    with write_connection(settings) as con:
        try:
            evaluated, errors = one_row(
                con, """SELECT count(*), count(*) FILTER (WHERE NOT passed AND severity = 'error')
                        FROM gate.results WHERE run_id = ? AND reporting_year = ?""", [run_id, year])
        except duckdb.CatalogException:  # no gate has ever run here
            evaluated, errors = 0, 0
        if not evaluated:
            standing = standing_results(con, settings, [year]).get(year)
            evaluated, errors = (1, 0) if standing and standing.status in ("passed", "warned") else (0, 0)
    if not evaluated or errors:
        raise Failure(f"the snapshot is published only in a run whose publication_gate passed for {year} "
                      "(or while its passing result stands on unchanged tables): "
                      f"launch publish_job (or impact_pipeline) for {year} instead")
    if failing := years_whose_latest_gate_failed(settings, besides=year):
        raise Failure(f"the latest gate of {', '.join(failing)} failed, and the snapshot carries every year: "
                      f"it is not replaced until {'those years pass' if len(failing) > 1 else 'that year passes'}"
                      f" again (fix the data, rebuild, then publish {failing[0]})")


def years_whose_latest_gate_failed(settings: Settings, *, besides: str) -> list[str]:
    """Years other than `besides` whose most recent gate run has an error: publishing any year
    rebuilds the whole snapshot, so it would carry their failing tables too. Years before
    [reporting] first_year are no longer gated, and do not count."""
    from partnership.config import today
    from partnership.reporting_years import reporting_years

    gated = set(reporting_years(settings.reporting.first_year, today(), settings.reporting.year_start_month))
    with write_connection(settings) as con:
        return [year for (year,) in con.execute(
            """WITH latest AS (SELECT reporting_year, arg_max(run_id, validated_at) AS run_id
                                 FROM gate.results GROUP BY reporting_year)
               SELECT DISTINCT g.reporting_year FROM gate.results g JOIN latest USING (reporting_year, run_id)
               WHERE g.reporting_year <> ? AND NOT g.passed AND g.severity = 'error'
               ORDER BY 1""", [besides]).fetchall() if year in gated]


def require_gated_year(settings: Settings, year: str) -> None:
    con = read_snapshot(settings.published_path)
    try:
        latest = one_value(con, "SELECT max(validated_at) FROM gate.results WHERE reporting_year = ?", [year])
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
        console.progress("snapshot", "copying the published tables")
        with writer_lock(settings):
            reference, assumptions = reference_datasets(settings), dbt_vars(settings)
            with write_connection(settings, lock_held=True) as con:
                inputs = snapshot_fingerprint(con, reference, assumptions)
            counts = build_snapshot(settings.warehouse_path, settings.published_path, context.run_id,
                                    reference=reference, assumptions=assumptions,
                                    pause=lambda point: pause_point(point, settings.data_dir))
            with write_connection(settings, lock_held=True) as con:
                run_state.record(con, PUBLISH_STAGE, {"snapshot": inputs}, status="published",
                                 run_id=context.run_id)
        return MaterializeResult(metadata={
            "reporting_year": context.partition_key,
            "path": MetadataValue.path(str(settings.published_path)),
            "tables": MetadataValue.json(counts),
        })

    @asset(key=["annual_pack"], group_name="publication", partitions_def=partitions,
           deps=[AssetKey(["published_snapshot"]), ANNUAL_TABLES], output_required=False,
           owners=["team:steering-group"], kinds={"excel", "csv"},
           description="The steering group's annual impact pack for a closed reporting year, under "
                       "exports/<year>/<revision>/: XLSX, CSVs with datapackage.json, manifest. "
                       "A re-run whose content differs writes a new revision and keeps the old one; "
                       "an open year gets no pack.")
    def annual_pack(context: AssetExecutionContext):
        year = context.partition_key
        if year_is_open(settings, year):
            context.log.warning(f"{year} is open until {year_closes_on(settings, year)} ([reporting] grace_days): "
                                "it is published only as provisional in the snapshot; no annual pack")
            return
        from exports import write_pack  # pandas, xlsxwriter, matplotlib: only when a pack is written

        require_gated_year(settings, year)  # write_pack itself refuses a year whose gate failed
        console.progress("pack", f"{year}: writing the workbook, CSVs, report and PDF")
        pack = write_pack(
            settings.published_path, year, settings.exports_dir, **pack_settings(settings),
            run_id=context.run_id, code_version=code_version(),
            before_publish=lambda _folder: pause_point("pack", settings.data_dir),
        )
        if not pack.new_revision:
            context.log.info(f"{year}: same content as {pack.revision}; no new revision written")
        yield MaterializeResult(metadata={
            "reporting_year": year,
            "folder": MetadataValue.path(str(pack.folder)),
            "new_revision": pack.new_revision,
            "files": MetadataValue.json([p.name for p in pack.files]),
        })

    return [published_snapshot, annual_pack]
