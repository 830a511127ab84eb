"""The Dagster asset graph as a steward meets it, and the gate really blocking publication."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey

from ingest.contracts import all_entities
from orchestration.dbt import ensure_manifest


@pytest.fixture(scope="module")
def defs():
    ensure_manifest()
    from orchestration.definitions import build_definitions
    from partnership.config import load_settings

    return build_definitions(load_settings())


def test_asset_graph_snapshot(defs):
    graph = defs.resolve_asset_graph()
    groups = {key.to_user_string(): graph.get(key).group_name for key in graph.get_all_asset_keys()}
    for entity in all_entities():
        assert groups[f"raw/{entity.table}"] == "ingest"
    for model, layer in (("stg_spend__payments", "staging"), ("int_spend__suppliers_classified", "intermediate"),
                         ("fct_payments", "facts"), ("dim_districts", "facts"), ("metrics", "metrics"),
                         ("metric_catalogue", "metrics"), ("toc_indicators", "metrics"),
                         ("lsoa_imd2019", "reference")):
        assert groups[model] == layer, model
    assert groups["annual_tables"] == "gate"
    assert groups["published_snapshot"] == groups["annual_pack"] == "publication"
    checks = {(k.asset_key.to_user_string(), k.name) for k in graph.asset_check_keys}
    assert {("annual_tables", "publication_gate"), ("annual_tables", "gate_warnings")} <= checks
    assert any(a == "metrics" and n.startswith("unique_combination") for a, n in checks)
    assert any(a.startswith("raw/") and n.startswith("source_not_null") for a, n in checks)  # source tests
    assert {"impact_pipeline", "ingest_job", "build_job", "publish_job"} <= {j.name for j in defs.jobs}
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.description, f"{key.to_user_string()} has no description"
        assert node.owners, f"{key.to_user_string()} has no owner"


def test_every_step_has_the_name_the_console_gives_its_stage(defs):
    """An interrupted run names the step it stopped in as a stage a steward knows, never as
    Dagster's step key (runner.stage_of)."""
    from orchestration.runner import stage_of

    steps = {node for job in ("impact_pipeline", "build_job", "publish_job")
             for node in defs.resolve_job_def(job).graph.node_names()}
    named = {step: stage_of(step, "2025-26") for step in steps}
    assert {named["ingest_spend"], named["impact_dbt_models"], named["annual_tables_publication_gate"],
            named["published_snapshot"], named["annual_pack"]} == {
        "ingest (spend)", "dbt (the warehouse build)", "the gate of 2025-26", "the snapshot", "the pack of 2025-26"}
    assert named["raw__spend__payments_feed_freshness"] == "the freshness check of spend payments"
    assert not [name for name in named.values() if "_" in name], named


def test_publication_depends_on_the_gated_tables(defs):
    graph = defs.resolve_asset_graph()
    parents = graph.get(AssetKey(["published_snapshot"])).parent_keys
    assert AssetKey(["metrics"]) in parents and AssetKey(["toc_indicators"]) in parents
    assert AssetKey(["annual_tables"]) in parents
    assert AssetKey(["annual_tables"]) in graph.get(AssetKey(["annual_pack"])).parent_keys


@pytest.fixture(autouse=True)
def _environment_restored():
    """A run points DAGSTER_HOME, IMPACT_DATA_DIR and dbt's variables at its data directory: each
    test gets the environment back as it found it."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def _tree_digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def published_demo(tmp_path_factory):
    """A small demo published once through the real job, in its own data directory."""
    from demo import generate_demo_data
    from orchestration.runner import run_pipeline
    from partnership.config import DEMO_MARKER, load_settings

    saved = dict(os.environ)
    os.environ.pop("IMPACT_PSEUDONYMISATION_KEY", None)
    try:
        settings = load_settings(data_dir=tmp_path_factory.mktemp("gate") / "data")
        settings.data_dir.mkdir(parents=True)
        (settings.data_dir / DEMO_MARKER).write_text("test")
        generate_demo_data(settings.landing_dir, scale=0.05)
        outcome = run_pipeline(settings)
        assert outcome.success, outcome
        yield settings, outcome
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_a_failed_gate_leaves_snapshot_and_exports_byte_for_byte_unchanged(published_demo):
    from orchestration.runner import run_pipeline

    settings, first = published_demo
    snapshot_before = hashlib.sha256(settings.published_path.read_bytes()).hexdigest()
    exports_before = _tree_digest(settings.exports_dir)
    # A policy breach of this year only (the marts' structure is dbt's, see the last test): a share
    # on a base of 5 that the pack would show.
    where = "WHERE metric_id = 'PP02' AND geography_level = 'county' AND reporting_year = ?"
    con = duckdb.connect(str(settings.warehouse_path))
    [(base,)] = con.execute(f"SELECT n FROM marts.metrics {where}", [first.reporting_year]).fetchall()
    con.execute(f"UPDATE marts.metrics SET n = 5 {where}", [first.reporting_year])
    con.close()
    outcome = run_pipeline(settings, first.reporting_year, job_name="publish_job")
    assert not outcome.success and outcome.gate_status == "failed"
    assert "published_snapshot" not in outcome.materialized and "annual_pack" not in outcome.materialized
    assert hashlib.sha256(settings.published_path.read_bytes()).hexdigest() == snapshot_before
    assert _tree_digest(settings.exports_dir) == exports_before
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    failed = con.execute("SELECT expectation, concerns FROM gate.results WHERE NOT passed AND severity = 'error' "
                         "AND run_id = ?", [outcome.run_id]).fetchall()
    con.close()
    assert any("PP02" in str(concerns) for _, concerns in failed), failed

    # Another year cannot be published meanwhile: the snapshot carries every year, the failing one too.
    other = run_pipeline(settings, "2023-24", job_name="publish_job")
    assert not other.success and "published_snapshot" not in other.materialized
    assert any(f"latest gate of {first.reporting_year} failed" in m for m in other.messages), other.messages
    assert hashlib.sha256(settings.published_path.read_bytes()).hexdigest() == snapshot_before
    # Fixed and published again, the year unblocks the others (and leaves the fixture as it was).
    con = duckdb.connect(str(settings.warehouse_path))
    con.execute(f"UPDATE marts.metrics SET n = ? {where}", [base, first.reporting_year])
    con.close()
    again = run_pipeline(settings, first.reporting_year, job_name="publish_job")
    assert again.success and "published_snapshot" in again.materialized


def test_backfilling_two_years_writes_a_pack_per_year_as_partition_runs(published_demo):
    from dagster import AssetKey, DagsterInstance

    from orchestration.runner import run_pipeline

    settings, first = published_demo
    earlier = ["2022-23", "2023-24"]
    assert first.reporting_year not in earlier  # the fixture published the latest year
    outcomes = [run_pipeline(settings, year, job_name="publish_job") for year in earlier]
    with DagsterInstance.get() as instance:
        packs = instance.get_materialized_partitions(AssetKey(["annual_pack"]))
        gated = instance.get_materialized_partitions(AssetKey(["annual_tables"]))
    for year, outcome in zip(earlier, outcomes, strict=True):
        assert outcome.success, outcome
        assert outcome.gate_status in ("passed", "warned")
        assert outcome.pack_folder.parent == settings.exports_dir / year
        assert (outcome.pack_folder / "manifest.json").is_file()
        assert (outcome.pack_folder / f"impact-pack-{year}.xlsx").is_file()
    assert len({o.run_id for o in outcomes}) == 2
    assert {*earlier, first.reporting_year} <= packs and {*earlier, first.reporting_year} <= gated
    con = duckdb.connect(str(settings.published_path), read_only=True)
    published_years = {r[0] for r in con.execute("SELECT DISTINCT reporting_year FROM gate.results").fetchall()}
    con.close()
    assert set(earlier) <= published_years


def test_a_year_without_data_is_refused_with_the_years_the_warehouse_holds(published_demo):
    from orchestration.runner import run_pipeline

    settings, _ = published_demo
    exports_before = _tree_digest(settings.exports_dir)
    from orchestration.definitions import build_definitions

    latest = build_definitions(settings).resolve_job_def("publish_job").partitions_def.get_partition_keys()[-1]
    outcome = run_pipeline(settings, latest, job_name="publish_job")
    assert not outcome.success
    assert any("annual_tables" in step for step in outcome.failed_steps), outcome.failed_steps
    assert any(f"marts.metrics has no rows for {latest}" in m and "2024-25" in m for m in outcome.messages)
    assert outcome.gate_status is None and outcome.pack_folder is None
    assert _tree_digest(settings.exports_dir) == exports_before


def test_a_year_dagster_does_not_know_is_refused_before_any_run(published_demo):
    from orchestration.runner import YearUnknown, run_pipeline

    settings, _ = published_demo
    with pytest.raises(YearUnknown, match="2019-20 is not a reporting year Dagster knows"):
        run_pipeline(settings, "2019-20", job_name="publish_job")


def _materialize_alone(settings, key: str, partition_key: str | None = None):
    """Materialize one asset on its own, as a steward could from the UI (no gate in the run)."""
    from dagster import AssetSelection, DagsterInstance, materialize

    from orchestration.assets.warehouse import dbt_resource
    from orchestration.definitions import build_definitions
    from orchestration.runner import prepare_environment

    prepare_environment(settings)
    defs = build_definitions(settings)
    with DagsterInstance.get() as instance:
        return materialize(list(defs.assets), selection=AssetSelection.assets(key), instance=instance,
                           partition_key=partition_key, resources={"dbt": dbt_resource()},
                           raise_on_error=False)


def _failure_messages(result) -> str:
    return " ".join(e.step_failure_data.user_failure_data.description
                    for e in result.all_events if e.is_step_failure and e.step_failure_data.user_failure_data)


def test_publication_assets_selected_alone_cannot_skip_the_gate(published_demo):
    settings, _ = published_demo
    snapshot_before = hashlib.sha256(settings.published_path.read_bytes()).hexdigest()
    exports_before = _tree_digest(settings.exports_dir)
    # A gate result stands only on the tables it validated: after any change they need a new gate.
    con = duckdb.connect(str(settings.warehouse_path))
    con.execute("UPDATE marts.metrics SET notes = 'changed after the gate' WHERE metric_id = 'PP01' "
                "AND reporting_year = '2024-25'")
    con.close()
    snapshot = _materialize_alone(settings, "published_snapshot", "2024-25")
    pack = _materialize_alone(settings, "annual_pack", "2025-26")
    assert not snapshot.success and "publication_gate passed for 2024-25" in _failure_messages(snapshot)
    assert not pack.success and "2025-26 has not passed the gate" in _failure_messages(pack)
    assert hashlib.sha256(settings.published_path.read_bytes()).hexdigest() == snapshot_before
    assert _tree_digest(settings.exports_dir) == exports_before
    assert not (settings.exports_dir / "2025-26").exists()


def test_ingest_materializations_say_what_loaded(published_demo):
    from dagster import AssetKey, DagsterInstance

    settings, _ = published_demo
    os.environ["DAGSTER_HOME"] = str(settings.dagster_home)
    with DagsterInstance.get() as instance:
        event = instance.get_latest_materialization_event(AssetKey(["raw", "spend__payments"]))
    metadata = {k: v.value for k, v in event.asset_materialization.metadata.items()}
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    rows, quarantined, files = con.execute(
        """SELECT (SELECT count(*) FROM raw.spend__payments),
                  (SELECT count(DISTINCT (source_file, row_number)) FROM raw.quarantine WHERE entity = 'payments'),
                  (SELECT list(DISTINCT source_file ORDER BY source_file) FROM raw.load_audit
                    WHERE entity = 'payments' AND status = 'loaded')""").fetchone()
    con.close()
    assert metadata["dagster/row_count"] == rows > 0
    assert metadata["rows_loaded"] == rows  # the demo's files, loaded once
    assert metadata["rows_quarantined"] == quarantined > 0  # the demo plants bad payment rows
    assert sorted(Path(f).name for f in metadata["files_loaded"]) == sorted(Path(f).name for f in files)


def test_marts_whose_dbt_tests_failed_are_not_published(published_demo):
    """dbt owns the marts' structure; the gate refuses marts whose dbt tests failed, every year of
    them, from the results the warehouse asset records (here of dbt's tests run again after the
    edit, as the gate drill does). Last in the module: it leaves the latest
    gate of the year failed."""
    from orchestration.assets.warehouse import retest_marts
    from orchestration.runner import run_pipeline

    settings, first = published_demo
    snapshot_before = hashlib.sha256(settings.published_path.read_bytes()).hexdigest()
    con = duckdb.connect(str(settings.warehouse_path))
    con.execute("UPDATE marts.metrics SET value = 140 WHERE metric_id = 'PP02' AND geography_level = 'county' "
                "AND reporting_year = ?", [first.reporting_year])
    con.close()
    assert retest_marts(settings, "tests-after-the-edit") == [
        "assert_metrics_pct_numerator_not_above_denominator_and_positive", "metrics_pct_within_0_100"]
    outcome = run_pipeline(settings, first.reporting_year, job_name="publish_job")
    assert not outcome.success and outcome.gate_status == "failed"
    assert "published_snapshot" not in outcome.materialized
    assert hashlib.sha256(settings.published_path.read_bytes()).hexdigest() == snapshot_before
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    failed = con.execute("SELECT expectation, concerns FROM gate.results WHERE NOT passed AND severity = 'error' "
                         "AND run_id = ?", [outcome.run_id]).fetchall()
    con.close()
    # the gate does not check the range itself: it refuses the build that failed dbt's check of it
    assert [e for e, concerns in failed if "metrics_pct_within_0_100/fail" in concerns] == [
        "the build's dbt checks passed"], failed
