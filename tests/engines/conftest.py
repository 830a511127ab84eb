"""One build of the demo per engine, shared by every test of this folder: the session demo's raw
tables (tests/conftest.py demo_data_dir) copied into a data directory per engine, and the dbt
assets materialized there by Dagster with impact.toml's [warehouse] set to that engine. PostgreSQL
is a throwaway cluster (throwaway_postgres.py); Spark a local session inside dbt (Java 17)."""

from __future__ import annotations

import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from shipped_config import without_warehouse
from throwaway_postgres import postgres_bin, throwaway_postgres

from partnership.config import DEMO_MARKER, Settings, load_settings

ENGINES = ("duckdb", "postgres", "spark")


@dataclass
class EngineBuild:
    engine: str
    settings: Settings
    seconds: float
    success: bool
    checks_passed: set[str]
    checks_failed: set[str]
    materialized: set[str]
    failure: str


@pytest.fixture(scope="module")
def postgres_server():
    if postgres_bin() is None:
        pytest.skip("PostgreSQL server binaries not installed (Debian package postgresql; .ci/run installs it)")
    with throwaway_postgres() as server:
        yield server


def engine_settings(root: Path, engine: str, server=None) -> Settings:
    """A data directory and an impact.toml (the shipped one plus [warehouse]) for one engine."""
    text = without_warehouse() + f'\n[warehouse]\nengine = "{engine}"\n'
    if engine == "postgres":
        text += (f'\n[warehouse.postgres]\nhost = "{server.host}"\nport = {server.port}\nuser = "{server.user}"\n'
                 f'dbname = "{server.dbname}"\npassword_env = "IMPACT_TEST_POSTGRES_PASSWORD"\nsslmode = "disable"\n')
    if engine == "spark":
        text += '\n[warehouse.spark]\ndriver_memory = "1g"\nshuffle_partitions = 2\n'
    text, found = re.subn(r'(?m)^framework = "".*$', f'framework = "{own_framework(root)}"', text)  # in [toc]
    assert found == 1, "the shipped impact.toml sets [toc] framework once"
    config = root / f"impact-{engine}.toml"
    config.write_text(text, encoding="utf-8")
    return load_settings(data_dir=root / engine / "data", config_file=config)


def own_framework(root: Path) -> Path:
    """A partnership's own Theory of Change ([toc] framework): the shipped indicators with a quote in
    a source and a target left empty, so that the var each engine builds it from is text as written."""
    import csv

    from partnership.toc_framework import SHIPPED

    with SHIPPED.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    rows[0]["source"] = "The partnership's 'Good Work' plan, p. 4; O'Brien \\ Smith (2024)"
    rows[1]["target_value"] = ""
    path = root / "own_toc_framework.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def copy_raw_tables(source: Path, target: Path) -> None:
    """A working file holding only the raw schema: whatever marts it has after a build were built
    (or read back) by that build, never left over from the demo's own DuckDB build."""
    import duckdb

    target.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(target))
    try:
        con.execute(f"ATTACH '{source}' AS demo (READ_ONLY)")
        con.execute("CREATE SCHEMA raw")
        for (table,) in con.execute("SELECT table_name FROM duckdb_tables() "
                                    "WHERE database_name = 'demo' AND schema_name = 'raw'").fetchall():
            con.execute(f'CREATE TABLE raw."{table}" AS SELECT * FROM demo.raw."{table}"')
        con.execute("DETACH demo")
    finally:
        con.close()


def materialize_dbt(settings: Settings) -> EngineBuild:
    """The dbt assets, materialized by Dagster as a build_job run would (dbt tests as asset checks)."""
    from dagster import DagsterInstance, materialize

    from orchestration.assets.warehouse import build_dbt_assets, dbt_resource
    from orchestration.dbt import ensure_manifest

    ensure_manifest()
    started = time.perf_counter()
    with DagsterInstance.ephemeral() as instance:
        result = materialize([build_dbt_assets(settings)], instance=instance,
                             resources={"dbt": dbt_resource()}, raise_on_error=False)
    seconds = time.perf_counter() - started
    checks = [e.event_specific_data for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"]
    failures = [str(e.step_failure_data.error.message if e.step_failure_data.error else e.step_failure_data)
                for e in result.all_events if e.is_step_failure]
    return EngineBuild(
        settings.warehouse.engine, settings, seconds, result.success,
        {c.check_name for c in checks if c.passed}, {c.check_name for c in checks if not c.passed},
        {e.event_specific_data.materialization.asset_key.to_user_string()
         for e in result.all_events if e.event_type_value == "ASSET_MATERIALIZATION"},
        " ".join(failures)[-4000:])


@pytest.fixture(scope="module")
def engine_builds(demo_data_dir, postgres_server, tmp_path_factory, monkeypatch_module) -> dict[str, EngineBuild]:
    if shutil.which("java") is None:
        pytest.skip("Java not installed (Debian package openjdk-17-jre-headless; .ci/run installs it)")
    data_dir, *_ = demo_data_dir
    root = tmp_path_factory.mktemp("engines")
    monkeypatch_module.setenv("IMPACT_TEST_POSTGRES_PASSWORD", postgres_server.password)
    builds = {}
    for engine in ENGINES:
        settings = engine_settings(root, engine, postgres_server)
        copy_raw_tables(data_dir / "warehouse" / "impact.duckdb", settings.warehouse_path)
        shutil.copytree(data_dir / "reference", settings.data_dir / "reference")  # the demo's postcode lookup
        shutil.copyfile(data_dir / DEMO_MARKER, settings.data_dir / DEMO_MARKER)
        builds[engine] = materialize_dbt(settings)
        print(f"\n{engine}: dbt build {builds[engine].seconds:.1f} s", flush=True)
    return builds


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch
