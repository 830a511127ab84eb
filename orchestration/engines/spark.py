"""Spark as the build engine (dbt-spark). No JVM runs in this process: the raw tables go to Parquet
(written by DuckDB), dbt's own Spark session registers them as tables when the build starts and
writes the built marts and reference tables back to Parquet when it ends (macros/engine_hooks.sql),
and DuckDB reads those files into the working file. On a cluster or a Thrift server the two
locations are storage the cluster and this machine share (docs/scaling.md)."""

from __future__ import annotations

import shutil
from pathlib import Path

from orchestration.engines.working_file import raw_tables, replace_built_tables
from partnership.config import Settings
from partnership.rows import one_value
from partnership.sql_text import literal


def raw_location(settings: Settings) -> Path:
    return Path(settings.warehouse.spark.raw_location or settings.engine_dir / "raw")


def export_location(settings: Settings) -> Path:
    return settings.engine_dir / "built"


def spark_env(settings: Settings) -> dict[str, str]:
    spark, root = settings.warehouse.spark, settings.engine_dir
    return {
        "IMPACT_SPARK_MASTER": spark.master,
        "IMPACT_SPARK_DRIVER_MEMORY": spark.driver_memory,
        "IMPACT_SPARK_SHUFFLE_PARTITIONS": str(spark.shuffle_partitions),
        "IMPACT_SPARK_WAREHOUSE_DIR": spark.warehouse_dir or str(root / "spark-warehouse"),
        "IMPACT_SPARK_METASTORE_DIR": str(root / "metastore_db"),
        "IMPACT_SPARK_METASTORE_URI": spark.metastore_uri,
        "IMPACT_SPARK_RAW_LOCATION": str(raw_location(settings)),
        "IMPACT_SPARK_EXPORT_LOCATION": str(export_location(settings)),
        "IMPACT_SPARK_HOST": spark.host,
        "IMPACT_SPARK_PORT": str(spark.port),
        "IMPACT_SPARK_USER": spark.user,
    }


def load_raw(settings: Settings) -> dict[str, int]:
    """Write every raw table as Parquet, one folder per table (a Spark table's location); clear the
    folder the build writes its tables back into, so nothing of an earlier build is read back."""
    import duckdb

    tables = raw_tables(settings.warehouse_path)
    root = raw_location(settings)
    shutil.rmtree(export_location(settings), ignore_errors=True)
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    counts = {}
    try:
        for table in tables:
            folder = root / table
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            part = literal(folder / "part-0.parquet")
            con.execute(f"COPY (SELECT * FROM raw.\"{table}\") TO {part} (FORMAT parquet)")
            counts[f"raw.{table}"] = one_value(con, f'SELECT count(*) FROM raw."{table}"')
    finally:
        con.close()
    return counts


def read_back(settings: Settings) -> dict[str, int]:
    """The tables the build wrote back (<engine dir>/built/<schema>/<table>/*.parquet) into the working file."""
    from orchestration.engines import BUILT_SCHEMAS

    root = export_location(settings)
    selects = {}
    for schema in BUILT_SCHEMAS:
        for folder in sorted((root / schema).glob("*")) if (root / schema).exists() else []:
            if not any(folder.glob("*.parquet")):
                raise FileNotFoundError(f"Spark wrote no Parquet file for {schema}.{folder.name} in {folder}")
            selects[(schema, folder.name)] = f"SELECT * FROM read_parquet({literal(folder / '*.parquet')})"
    if not selects:
        raise FileNotFoundError(f"the Spark build wrote no tables back into {root} (macros/engine_hooks.sql)")
    return replace_built_tables(settings.warehouse_path, selects, BUILT_SCHEMAS)
