"""Publication assets: the evaluators' snapshot and the steering group's annual pack."""


from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from exports import write_pack
from orchestration.assets.gate import requested_year
from orchestration.config import Settings
from orchestration.publication import build_snapshot
from orchestration.warehouse import WRITER_POOL, read_snapshot, writer_lock

CODE_VERSION = "0.1.0"


def build_publication_assets(settings: Settings) -> list:
    @asset(key=["published_snapshot"], group_name="publication", pool=WRITER_POOL,
           deps=[AssetKey(["metrics"]), AssetKey(["toc_indicators"]), AssetKey(["metric_catalogue"])],
           owners=["team:data-stewards"], kinds={"duckdb"},
           description="Read-only DuckDB snapshot for evaluators, replaced atomically after the gate passes.")
    def published_snapshot(context: AssetExecutionContext) -> MaterializeResult:
        with writer_lock(settings):
            counts = build_snapshot(settings.warehouse_path, settings.published_path, context.run_id)
        return MaterializeResult(metadata={
            "path": MetadataValue.path(str(settings.published_path)),
            "tables": MetadataValue.json(counts),
        })

    @asset(key=["annual_pack"], group_name="publication", deps=[AssetKey(["published_snapshot"])],
           owners=["team:steering-group"], kinds={"excel", "csv"},
           description="The steering group's annual impact pack for the reporting year: XLSX, CSVs, manifest.")
    def annual_pack(context: AssetExecutionContext) -> MaterializeResult:
        con = read_snapshot(settings.published_path)
        try:
            year = requested_year(context.run.tags, con)
        finally:
            con.close()
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
