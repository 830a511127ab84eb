"""impact.toml [warehouse]: the engine and its connection reach dbt through one function (dbt_env),
secrets only from the environment; DuckDB stays the default and needs no copy either way."""

from __future__ import annotations

from pathlib import Path

import pytest
from shipped_config import without_warehouse

from orchestration import engines
from orchestration.dbt import dbt_env
from partnership.config import ConfigError, load_settings


def _settings(tmp_path: Path, extra: str):
    config = tmp_path / "impact.toml"
    config.write_text(without_warehouse() + extra, encoding="utf-8")
    return load_settings(data_dir=tmp_path / "data", config_file=config)


def test_duckdb_is_the_default_and_copies_nothing(tmp_path):
    settings = load_settings(data_dir=tmp_path / "data")
    assert settings.warehouse.engine == "duckdb"
    env = dbt_env(settings)
    assert env["IMPACT_DBT_TARGET"] == "duckdb"
    assert env["IMPACT_WAREHOUSE_PATH"] == str(settings.warehouse_path)
    assert engines.load_raw(settings) == {} and engines.read_back(settings) == {}


def test_postgres_password_comes_from_the_variable_the_configuration_names(tmp_path, monkeypatch):
    monkeypatch.setenv("OUR_PG_SECRET", "s3cret-from-the-environment")
    settings = _settings(tmp_path, '[warehouse]\nengine = "postgres"\n[warehouse.postgres]\nhost = "db.internal"\n'
                                   'port = 6543\npassword_env = "OUR_PG_SECRET"\n')
    env = dbt_env(settings)
    assert env["IMPACT_DBT_TARGET"] == "postgres"
    assert (env["IMPACT_POSTGRES_HOST"], env["IMPACT_POSTGRES_PORT"]) == ("db.internal", "6543")
    assert env["IMPACT_POSTGRES_PASSWORD"] == "s3cret-from-the-environment"
    assert "s3cret" not in settings.config_file.read_text()
    profiles = (Path(__file__).resolve().parents[2] / "dbt_project" / "profiles.yml").read_text()
    assert "env_var('IMPACT_POSTGRES_PASSWORD'" in profiles


def test_spark_targets_and_locations(tmp_path):
    session = _settings(tmp_path, '[warehouse]\nengine = "spark"\n')
    env = dbt_env(session)
    assert env["IMPACT_DBT_TARGET"] == "spark"
    assert env["IMPACT_SPARK_RAW_LOCATION"] == str(session.data_dir / "engine" / "raw")
    assert env["IMPACT_SPARK_METASTORE_DIR"].startswith(str(session.data_dir))
    thrift = _settings(tmp_path, '[warehouse]\nengine = "spark"\n[warehouse.spark]\nmethod = "thrift"\n'
                                 'host = "spark.internal"\nraw_location = "/shared/impact/raw"\n')
    env = dbt_env(thrift)
    assert (env["IMPACT_DBT_TARGET"], env["IMPACT_SPARK_HOST"]) == ("spark_thrift", "spark.internal")
    assert env["IMPACT_SPARK_RAW_LOCATION"] == "/shared/impact/raw"


@pytest.mark.parametrize("extra, named", [
    ('[warehouse]\nengine = "snowflake"\n', "engine"),
    ('[warehouse]\nengine = "postgres"\n[warehouse.postgres]\nport = 0\n', "port"),
    ('[warehouse]\nengine = "postgres"\n[warehouse.postgres]\npassword = "inline"\n', "password"),
    ('[warehouse]\nengine = "spark"\n[warehouse.spark]\nmethod = "odbc"\n', "method"),
])
def test_a_wrong_warehouse_setting_is_refused_with_its_key(tmp_path, extra, named):
    with pytest.raises(ConfigError, match=named):
        _settings(tmp_path, extra)


def test_an_unreachable_postgres_names_the_setting_to_fix(tmp_path):
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = _settings(tmp_path, f'[warehouse]\nengine = "postgres"\n[warehouse.postgres]\nport = {port}\n'
                                   'sslmode = "disable"\n')
    settings.warehouse_path.parent.mkdir(parents=True)
    import duckdb

    duckdb.connect(str(settings.warehouse_path)).execute("CREATE SCHEMA raw; CREATE TABLE raw.t (a INTEGER)").close()
    with pytest.raises(ConfigError, match=r"\[warehouse.postgres\].*IMPACT_POSTGRES_PASSWORD"):
        engines.load_raw(settings)


def test_a_change_of_engine_or_its_connection_means_a_full_build(tmp_path):
    """The models a partial build leaves alone must exist in the engine it builds in."""
    import duckdb

    from orchestration.build_plan import all_models, plan_build, record_build
    from orchestration.dbt import ensure_manifest
    from orchestration.dbt_vars import build_settings

    ensure_manifest()
    duck = _settings(tmp_path, "")
    postgres = _settings(tmp_path, '[warehouse]\nengine = "postgres"\n')
    moved = _settings(tmp_path, '[warehouse]\nengine = "postgres"\n[warehouse.postgres]\nhost = "db2.internal"\n')
    assert build_settings(postgres)["target"] == dbt_env(postgres)["IMPACT_DBT_TARGET"] == "postgres"
    con = duckdb.connect(str(tmp_path / "working.duckdb"))
    record_build(con, build_settings(duck), set(all_models()), "run-1")
    assert plan_build(con, build_settings(duck), set()).models == set()
    to_postgres = plan_build(con, build_settings(postgres), set())
    assert to_postgres.full and "engine" in to_postgres.reason
    record_build(con, build_settings(postgres), set(all_models()), "run-2")
    assert plan_build(con, build_settings(postgres), set()).models == set()
    assert plan_build(con, build_settings(moved), set()).full
