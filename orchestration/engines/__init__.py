"""Where dbt builds: the working DuckDB file (the default), a PostgreSQL server or Spark (spec §9).

Ingest always writes the working DuckDB file, and evaluators always read a DuckDB snapshot. With
another engine a build is three steps around `dbt build`: the raw tables go from the working DuckDB
file to the engine (`load_raw`), dbt builds there (profiles.yml target from `engine_env`), and the
published schemas the engine built come back into the working file (`read_back`). So the gate, the
snapshot and the pack read one set of tables through one code path, whichever engine built them,
and what the gate validates is exactly what is published.
"""

from __future__ import annotations

from partnership.config import Settings

# What comes back from the engine: the schemas the snapshot publishes that dbt builds
# (publication/snapshot.py adds the gate's results, written by the gate itself).
BUILT_SCHEMAS = ("marts", "reference")


def dbt_target(settings: Settings) -> str:
    """The profiles.yml output of the configured engine."""
    engine = settings.warehouse.engine
    if engine == "spark" and settings.warehouse.spark.method == "thrift":
        return "spark_thrift"
    return engine


def engine_env(settings: Settings) -> dict[str, str]:
    """Environment variables profiles.yml and the engine's hooks read (connection, no secret in files)."""
    env = {"IMPACT_DBT_TARGET": dbt_target(settings)}
    if settings.warehouse.engine == "postgres":
        from orchestration.engines.postgres import postgres_env

        env |= postgres_env(settings)
    elif settings.warehouse.engine == "spark":
        from orchestration.engines.spark import spark_env

        env |= spark_env(settings)
    return env


def load_raw(settings: Settings) -> dict[str, int]:
    """Copy every raw table of the working DuckDB file to the engine; rows per table. DuckDB: nothing to do."""
    if settings.warehouse.engine == "postgres":
        from orchestration.engines.postgres import load_raw as load
    elif settings.warehouse.engine == "spark":
        from orchestration.engines.spark import load_raw as load
    else:
        return {}
    return load(settings)


def read_back(settings: Settings) -> dict[str, int]:
    """Replace the working file's published schemas by the tables the engine built; rows per table."""
    if settings.warehouse.engine == "postgres":
        from orchestration.engines import postgres
        return postgres.read_back(settings)
    if settings.warehouse.engine == "spark":
        from orchestration.engines import spark
        return spark.read_back(settings)
    return {}
