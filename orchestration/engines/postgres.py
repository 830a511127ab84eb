"""PostgreSQL as the build engine (dbt-postgres). Raw tables go over with COPY (CSV written by
DuckDB, read by the server in one transaction per load: dbt sees the previous load or the new one);
the built marts and reference tables come back with COPY TO STDOUT, typed from the server's catalogue."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import duckdb

from orchestration.engines.working_file import raw_tables, replace_built_tables
from partnership.config import ConfigError, Settings
from partnership.sql_text import literal

# DuckDB type of a raw column -> PostgreSQL type (ingest writes only these: docs/architecture.md)
_TO_POSTGRES = {"VARCHAR": "text", "INTEGER": "integer", "BIGINT": "bigint", "SMALLINT": "smallint",
                "DOUBLE": "double precision", "FLOAT": "real", "BOOLEAN": "boolean", "DATE": "date",
                "TIMESTAMP": "timestamp", "TIMESTAMP WITH TIME ZONE": "timestamptz"}
# PostgreSQL type of a built column -> DuckDB type
_TO_DUCKDB = {"text": "VARCHAR", "character varying": "VARCHAR", "character": "VARCHAR", "integer": "INTEGER",
              "bigint": "BIGINT", "smallint": "SMALLINT", "double precision": "DOUBLE", "real": "FLOAT",
              "boolean": "BOOLEAN", "date": "DATE", "timestamp without time zone": "TIMESTAMP",
              "timestamp with time zone": "TIMESTAMPTZ"}


def postgres_env(settings: Settings) -> dict[str, str]:
    pg = settings.warehouse.postgres
    return {"IMPACT_POSTGRES_HOST": pg.host, "IMPACT_POSTGRES_PORT": str(pg.port),
            "IMPACT_POSTGRES_DBNAME": pg.dbname, "IMPACT_POSTGRES_USER": pg.user,
            "IMPACT_POSTGRES_PASSWORD": os.environ.get(pg.password_env, ""),
            "IMPACT_POSTGRES_SSLMODE": pg.sslmode, "IMPACT_POSTGRES_THREADS": str(pg.threads)}


def connect(settings: Settings):
    import psycopg2

    pg = settings.warehouse.postgres
    try:
        return psycopg2.connect(host=pg.host, port=pg.port, dbname=pg.dbname, user=pg.user,
                                password=os.environ.get(pg.password_env) or None, sslmode=pg.sslmode)
    except psycopg2.OperationalError as exc:
        raise ConfigError(f"cannot connect to PostgreSQL {pg.user}@{pg.host}:{pg.port}/{pg.dbname} "
                          f"([warehouse.postgres] in impact.toml, password from ${pg.password_env}): "
                          f"{str(exc).strip()}") from exc


def postgres_type(table: str, column: str, duckdb_type: str) -> str:
    if duckdb_type in _TO_POSTGRES:
        return _TO_POSTGRES[duckdb_type]
    if match := re.fullmatch(r"DECIMAL\((\d+),(\d+)\)", duckdb_type):
        return f"numeric({match[1]},{match[2]})"
    raise ValueError(f"raw.{table}.{column}: type {duckdb_type} has no PostgreSQL counterpart here")


def load_raw(settings: Settings) -> dict[str, int]:
    """Replace the server's raw tables by the working file's, all in one transaction. A table whose
    columns are unchanged is truncated and refilled, so dbt's staging views over it stay in place."""
    tables = raw_tables(settings.warehouse_path)
    counts: dict[str, int] = {}
    source = duckdb.connect(str(settings.warehouse_path), read_only=True)
    server = connect(settings)
    try:
        with tempfile.TemporaryDirectory(prefix="impact-pg-") as scratch, server, server.cursor() as cur:
            cur.execute("CREATE SCHEMA IF NOT EXISTS raw")
            for table, columns in tables.items():
                wanted = [(name, postgres_type(table, name, kind)) for name, kind in columns]
                if _server_columns(cur, "raw", table) == wanted:
                    cur.execute(f'TRUNCATE raw."{table}"')
                else:
                    cur.execute(f'DROP TABLE IF EXISTS raw."{table}" CASCADE')
                    cur.execute(f'CREATE TABLE raw."{table}" ({", ".join(f"{_q(n)} {t}" for n, t in wanted)})')
                csv = Path(scratch) / f"{table}.csv"
                source.execute(f"COPY (SELECT * FROM raw.\"{table}\") TO {literal(csv)} (FORMAT csv, HEADER)")
                with csv.open("rb") as handle:
                    cur.copy_expert(f'COPY raw."{table}" FROM STDIN WITH (FORMAT csv, HEADER true)', handle)
                counts[f"raw.{table}"] = cur.rowcount
                csv.unlink()
    finally:
        server.close()
        source.close()
    return counts


def _server_columns(cur, schema: str, table: str) -> list[tuple[str, str]]:
    cur.execute("""SELECT column_name, data_type, numeric_precision, numeric_scale
                   FROM information_schema.columns WHERE table_schema = %s AND table_name = %s
                   ORDER BY ordinal_position""", (schema, table))
    return [(name, f"numeric({p},{s})" if kind == "numeric" else kind) for name, kind, p, s in cur.fetchall()]


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def duckdb_type(schema: str, table: str, column: str, kind: str, precision, scale) -> str:
    if kind in _TO_DUCKDB:
        return _TO_DUCKDB[kind]
    if kind == "numeric":
        # an unconstrained numeric (an average, a sum of numerics) has no fixed scale: as a double
        return f"DECIMAL({precision},{scale})" if precision and precision <= 38 else "DOUBLE"
    raise ValueError(f"{schema}.{table}.{column}: PostgreSQL type {kind} has no DuckDB counterpart here")


def read_back(settings: Settings, schemas: tuple[str, ...] | None = None) -> dict[str, int]:
    """Copy the built schemas' tables from the server into the working DuckDB file."""
    from orchestration.engines import BUILT_SCHEMAS

    schemas = schemas or BUILT_SCHEMAS
    server = connect(settings)
    try:
        with tempfile.TemporaryDirectory(prefix="impact-pg-") as scratch, server, server.cursor() as cur:
            cur.execute("""SELECT c.table_schema, c.table_name, c.column_name, c.data_type, c.numeric_precision,
                                  c.numeric_scale
                           FROM information_schema.columns c JOIN information_schema.tables t
                             ON t.table_schema = c.table_schema AND t.table_name = c.table_name
                           WHERE c.table_schema = ANY(%s) AND t.table_type = 'BASE TABLE'
                           ORDER BY c.table_schema, c.table_name, c.ordinal_position""", (list(schemas),))
            tables: dict[tuple[str, str], list[tuple[str, str]]] = {}
            for schema, table, column, kind, precision, scale in cur.fetchall():
                tables.setdefault((schema, table), []).append(
                    (column, duckdb_type(schema, table, column, kind, precision, scale)))
            selects = {}
            for (schema, table), columns in tables.items():
                csv = Path(scratch) / f"{schema}.{table}.csv"
                with csv.open("wb") as handle:
                    cur.copy_expert(f'COPY "{schema}"."{table}" TO STDOUT WITH (FORMAT csv, HEADER true)', handle)
                types = ", ".join(f"'{name}': '{kind}'" for name, kind in columns)
                selects[(schema, table)] = (
                    f"SELECT * FROM read_csv({literal(csv)}, header = true, auto_detect = false, "
                    f"columns = {{{types}}}, quote = '\"', escape = '\"', allow_quoted_nulls = false)")
            return replace_built_tables(settings.warehouse_path, selects, schemas)
    finally:
        server.close()
