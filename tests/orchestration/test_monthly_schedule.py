"""The `monthly_rebuild` schedule plans its run as `impact run` plans its build: a month with nothing
new starts no run; a new month of spend asks for the spend ingest and the models downstream of it,
not the whole project; a warehouse busy with another writer gets the whole build, as before.
The request it returns is executed as Dagster executes a build_job run with that selection and its
tags: once the files are loaded, the build leaves out what no changed raw table reaches (a month of
payments does not rebuild the supplier chain; a corrected supplier register does)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date, datetime
from zoneinfo import ZoneInfo

import duckdb
import pytest
from dagster import RunRequest, SkipReason, build_schedule_context

from demo.generate import generate_spend_month

pytestmark = pytest.mark.e2e
TICK = datetime(2026, 12, 2, 6, tzinfo=ZoneInfo("Europe/London"))
PLAN_TAG, CHANGED_TAG = "impact/build_plan", "impact/changed_raw_tables"
SUPPLIER_CHAIN = {"stg_spend__suppliers", "stg_spend__contracts", "int_spend__suppliers_classified", "dim_suppliers"}


@pytest.fixture(scope="module")
def steward(demo_data_dir, tmp_path_factory):
    """A copy of the session's demo, with Dagster's definitions for it, as the daemon loads them."""
    from orchestration.definitions import build_definitions
    from orchestration.runner import prepare_environment
    from partnership.config import load_settings

    demo_dir, _, scale, seed = demo_data_dir
    data_dir = tmp_path_factory.mktemp("schedule") / "data"
    shutil.copytree(demo_dir, data_dir, symlinks=True)
    saved = dict(os.environ)
    os.environ.pop("IMPACT_PSEUDONYMISATION_KEY", None)
    try:
        settings = load_settings(data_dir=data_dir)
        prepare_environment(settings)
        defs = build_definitions(settings)
        yield settings, defs, scale, seed
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _tick(defs):
    schedule = defs.resolve_schedule_def("monthly_rebuild")
    return schedule(build_schedule_context(scheduled_execution_time=TICK))


def _payments(settings, year: str) -> int:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute("SELECT count(*) FROM marts.fct_payments WHERE reporting_year = ?", [year]).fetchone()[0]


def test_a_month_with_nothing_new_starts_no_run(steward):
    _, defs, _, _ = steward
    result = _tick(defs)
    assert isinstance(result, SkipReason), result
    assert result.skip_message == ("nothing to build: no new file in the landing folder, "
                                   "and no raw table changed since the last build")


def test_a_busy_warehouse_gets_the_whole_build_as_before(steward):
    settings, defs, _, _ = steward
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from filelock import FileLock; lock = FileLock(sys.argv[1]); "
                               "lock.acquire(); print('held', flush=True); time.sleep(120)",
         str(settings.lock_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        result = _tick(defs)
    finally:
        holder.kill()
        holder.wait()
    assert isinstance(result, RunRequest) and result.asset_selection is None  # every asset of build_job
    assert result.run_key == "rebuild-2026-12"
    assert result.tags[PLAN_TAG] == "every model: the warehouse was busy when planned"


def test_a_new_month_asks_for_what_it_feeds_and_builds_it(steward):
    from orchestration.build_plan import all_models
    from orchestration.runner import execute

    settings, defs, scale, seed = steward
    new = generate_spend_month(settings.landing_dir, date(2025, 4, 1), seed=seed, scale=scale)
    request = _tick(defs)
    assert isinstance(request, RunRequest), request
    selected = {key.to_user_string() for key in request.asset_selection}
    assert {"raw/spend__payments", "raw/spend__suppliers", "raw/spend__contracts"} <= selected
    assert not {k for k in selected if k.startswith(("raw/charter", "raw/programme", "raw/wellbeing"))}
    models = selected & all_models()
    assert {"stg_spend__payments", "fct_payments", "metrics_procurement", "metrics", "toc_indicators"} <= models
    assert not models & {"fct_outcomes", "fct_responses", "dim_lsoas", "dim_districts"}  # not fed by spend
    assert len(models) < len(all_models()) / 2
    assert request.tags[PLAN_TAG].startswith(f"{len(new)} new files; models downstream of raw.load_audit")

    assert SUPPLIER_CHAIN <= models  # planned: which raw tables a file feeds is known once it is read

    before = _payments(settings, "2025-26")
    outcome = execute(settings, defs.resolve_job_def("build_job"), None, selection=list(request.asset_selection),
                      tags=request.tags)
    assert outcome.success, outcome.messages
    assert outcome.tags[CHANGED_TAG] == "raw.load_audit, raw.spend__payments"  # no row was quarantined
    built = set(outcome.materialized)
    assert built <= selected and not built & SUPPLIER_CHAIN  # the register and contracts did not change
    assert built & models == models - SUPPLIER_CHAIN - {"stg_ingest__quarantine"}
    assert outcome.checks and all(outcome.checks.values())  # the built models' dbt tests ran and passed
    assert not {c for c in outcome.checks if c.startswith(("dim_suppliers:", "stg_spend__suppliers:"))}
    assert before == 0 and _payments(settings, "2025-26") > 0

    after = _tick(defs)  # the month is built: the next tick has nothing to do
    assert isinstance(after, SkipReason), after


def test_a_corrected_supplier_register_rebuilds_the_supplier_chain(steward):
    """The month's neighbour: the register changes, no payment does. The same plan, and this time
    the supplier chain is what changed; fct_payments is rebuilt whole from the new register (an
    append of new loads only would leave the supplier's earlier payments as they were)."""
    from orchestration.runner import execute

    settings, defs, _, _ = steward
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        paid = {ref for (ref,) in con.sql("SELECT DISTINCT matched_supplier_ref FROM marts.fct_payments "
                                          "WHERE NOT is_real_living_wage_employer").fetchall()}
    register = settings.landing_dir / "spend" / "supplier-register.csv"
    lines = register.read_text(encoding="utf-8").splitlines(keepends=True)
    row = next(i for i, line in enumerate(lines)
               if line.rstrip().endswith(",N,") and "public_body" not in line and line.split(",")[0] in paid)
    supplier = lines[row].split(",")[0]
    lines[row] = lines[row].rstrip()[:-3] + ",Y,\n"  # a supplier now pays the Real Living Wage
    register.write_text("".join(lines), encoding="utf-8")
    request = _tick(defs)
    assert isinstance(request, RunRequest), request
    outcome = execute(settings, defs.resolve_job_def("build_job"), None, selection=list(request.asset_selection),
                      tags=request.tags)
    assert outcome.success, outcome.messages
    assert outcome.tags[CHANGED_TAG] == "raw.load_audit, raw.spend__suppliers"
    built = set(outcome.materialized)
    assert {"stg_spend__suppliers", "int_spend__suppliers_classified", "dim_suppliers", "fct_payments",
            "metrics_procurement"} <= built
    assert "stg_spend__contracts" not in built and "stg_spend__payments" not in built
    assert outcome.checks and all(outcome.checks.values())
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        payments, living_wage = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE is_real_living_wage_employer) FROM marts.fct_payments "
            "WHERE matched_supplier_ref = ?", [supplier]).fetchone()
    assert payments > 0 and living_wage == payments, (supplier, payments, living_wage)
    assert isinstance(_tick(defs), SkipReason)
