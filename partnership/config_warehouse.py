"""impact.toml [warehouse]: which engine dbt builds in and how to reach it (docs/scaling.md).
Validated with the rest of the configuration (partnership/config.py Settings.warehouse)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PostgresConnection(_Section):
    """A PostgreSQL server dbt builds in (dbt-postgres). The password is never here: the NAME of the
    environment variable holding it is."""

    host: str = "127.0.0.1"
    port: int = Field(5432, ge=1, le=65535)
    dbname: str = "impact"
    user: str = "impact"
    password_env: str = "IMPACT_POSTGRES_PASSWORD"
    sslmode: Literal["disable", "allow", "prefer", "require", "verify-ca", "verify-full"] = "prefer"
    threads: int = Field(4, ge=1, le=64)


class SparkConnection(_Section):
    """Spark through dbt-spark. `session`: a Spark session inside the dbt process (local[*] by
    default, or a cluster through `master` and `metastore_uri`); `thrift`: a Spark Thrift server that dbt
    reaches over the network, with raw Parquet and the metastore shared with it (docs/scaling.md)."""

    method: Literal["session", "thrift"] = "session"
    master: str = "local[*]"
    host: str = "127.0.0.1"  # thrift
    port: int = Field(10000, ge=1, le=65535)  # thrift
    user: str = ""  # thrift
    raw_location: str = ""  # where raw Parquet goes; empty: <data dir>/engine/raw (local only)
    warehouse_dir: str = ""  # spark.sql.warehouse.dir; empty: <data dir>/engine/spark-warehouse
    metastore_uri: str = ""  # a shared Hive metastore (thrift://...); empty: Derby in the data directory
    driver_memory: str = "2g"
    shuffle_partitions: int = Field(4, ge=1)


class Warehouse(_Section):
    """Where dbt builds. DuckDB (the working file) is the default; PostgreSQL or Spark when one
    machine is no longer enough (docs/scaling.md). Ingest always writes the working DuckDB file;
    the raw tables are copied to the engine before each build and the published schemas come back
    after it, so the gate, the snapshot and the pack read the same tables whatever the engine."""

    engine: Literal["duckdb", "postgres", "spark"] = "duckdb"
    postgres: PostgresConnection = PostgresConnection()
    spark: SparkConnection = SparkConnection()
