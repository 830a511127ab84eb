"""The structural contracts of marts.metrics and marts.toc_indicators are dbt's (docs/architecture.md
"Who checks what"): for each, one defect planted in a copy of the real dbt build fails exactly the
dbt tests listed, and the rows those tests return are the planted ones. These defects were the gate's until the gate
kept only publication policy; the gate now refuses a year whose build failed any of these tests,
shown at the end with dbt's own run_results.json.

dbt runs in-process (dbtRunner) on a manifest parsed once, `dbt test --select metrics
toc_indicators --store-failures` on each planted copy; the copies keep the file name impact.duckdb,
since the views of the build name their catalog.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT_DIR

from expectations import record_build_checks, validate_year
from expectations.build_checks import PASSED, build_checks_frame

YEAR = "2024-25"
CTY, CHE, OXF = "E10000025", "E07000177", "E07000178"
UNIQUE = "unique_combination_of_columns_metrics_metric_id__reporting_year__geography_code"
IN_CATALOGUE = "relationships_metrics_metric_id__metric_id__ref_metric_catalogue_"
COVERED = "assert_metrics_cover_implemented_metrics"
ONE_OF = "exactly_one_set_metrics_value__no_data_reason"
PARTS = "assert_metrics_pct_numerator_not_above_denominator_and_positive"
TOC_RAG_KNOWN = "accepted_values_toc_indicators_rag_status__green__amber__red__no_clear_change__grey"
TOC_UNIQUE = "unique_combination_of_columns_toc_indicators_indicator_id__reporting_year"


def row(metric_id: str, code: str, year: str | None = YEAR) -> str:
    return f"metric_id = '{metric_id}' and geography_code = '{code}'" + (
        f" and reporting_year = '{year}'" if year else "")


def update(sets: str, metric_id: str, code: str, year: str | None = YEAR) -> str:
    return f"update marts.metrics set {sets} where {row(metric_id, code, year)}"


# rule (the gate's words where the gate had it) -> (SQL planting the defect, the dbt tests that
# must fail and no other, the metric the failing rows name: None where dbt's built-in test returns
# only the offending value)
CONTRACTS: dict[str, tuple[list[str], set[str], str | None]] = {
    "metric is in the catalogue": (
        [f"insert into marts.metrics select * replace ('XX99' as metric_id) from marts.metrics "
         f"where {row('FE01', CTY)}"], {IN_CATALOGUE, COVERED}, "XX99"),
    "each metric row has a value or a no-data reason": (
        [update("value = null", "PP01", CTY)], {ONE_OF}, "PP01"),
    "never both a value and a no-data reason": (
        [update("no_data_reason = 'not computed'", "PP01", CTY)], {ONE_OF}, "PP01"),
    "one row per metric and geography": (
        [f"insert into marts.metrics select * from marts.metrics where {row('WB04', CTY)}"], {UNIQUE}, "WB04"),
    "unit is a known unit": (
        ["update marts.metric_catalogue set unit = 'percent' where metric_id = 'PP02'",
         "update marts.metrics set unit = 'percent' where metric_id = 'PP02'"],
        {"accepted_values_metrics_unit__gbp__pct__count__mean__score__wellby__ratio"}, None),
    "unit matches the catalogue": (
        [update("unit = 'count'", "PP01", CTY)], {"metrics_unit_matches_catalogue"}, "PP01"),
    "geography level is county or district": (
        [update("geography_level = 'ward'", "WB01", CHE)],
        {"accepted_values_metrics_geography_level__county__district"}, None),
    # a share above 100 with consistent parts has its numerator above its denominator too
    "percentages lie between 0 and 100 (above)": (
        [update("value = 140, numerator = 1.4 * denominator", "PP02", CTY)],
        {"metrics_pct_within_0_100", "metrics_pct_numerator_not_above_denominator"}, "PP02"),
    "percentages lie between 0 and 100 (below)": (
        [update("value = -5, numerator = -0.05 * denominator", "PP02", CTY)], {"metrics_pct_within_0_100"}, "PP02"),
    "counts are not negative": ([update("value = -1", "PP10", CTY)], {"metrics_count_not_negative"}, "PP10"),
    "mean life satisfaction (WB01) lies on its 0-10 scale": (
        [update("value = 11, ci_low = 10.8, ci_high = 11.2", "WB01", CTY)], {"metrics_wb01_on_its_0_10_scale"}, "WB01"),
    "mean SWEMWBS wellbeing score (WB04) lies on its 7-35 scale": (
        [update("value = 40, ci_low = 39.8, ci_high = 40.2", "WB04", CTY)], {"metrics_wb04_on_its_7_35_scale"}, "WB04"),
    "confidence interval is not reversed (its low end is not above its high end)": (
        [update("ci_low = 30, ci_high = 20", "WB04", CTY)], {"metrics_ci_ordered"}, "WB04"),
    "a confidence interval comes as a pair": ([update("ci_high = null", "WB04", CTY)], {"metrics_ci_ordered"}, "WB04"),
    "value is not below its confidence interval": (
        [update("value = 4.0", "WB01", OXF)], {"metrics_value_within_ci"}, "WB01"),
    "value is not above its confidence interval": (
        [update("value = 9.0", "WB01", OXF)], {"metrics_value_within_ci"}, "WB01"),
    # a numerator above its denominator breaks either the share's range or its parts
    "numerator does not exceed denominator": (
        [update("numerator = 2", "IN02", CHE)], {"metrics_pct_numerator_not_above_denominator", PARTS}, "IN02"),
    "every implemented catalogue metric has a county row for the year": (
        [f"delete from marts.metrics where {row('FE03', CTY)}"], {COVERED}, "FE03"),
    "a county row without a value or a reason": (
        [update("value = null, ci_low = null, ci_high = null", "WB01", CTY)], {ONE_OF}, "WB01"),
    # marts.toc_indicators (these four were the gate's toc_indicators suite)
    "RAG status is green, amber, red, no clear change or grey": (
        ["update marts.toc_indicators set rag_status = 'blue' where indicator_id = 'TOC01'"],
        {TOC_RAG_KNOWN}, None),
    "RAG status is set": (
        ["update marts.toc_indicators set rag_status = null where indicator_id = 'TOC02'"],
        {"not_null_toc_indicators_rag_status"}, None),
    "indicator's metric is in the catalogue": (
        ["update marts.toc_indicators set metric_id = 'XX99' where indicator_id = 'TOC03'"],
        {"relationships_toc_indicators_metric_id__metric_id__ref_metric_catalogue_"}, None),
    "one row per indicator": (
        ["insert into marts.toc_indicators select * from marts.toc_indicators "
         f"where indicator_id = 'TOC01' and reporting_year = '{YEAR}'"], {TOC_UNIQUE}, None),
    # not defects: what the contracts accept
    "a no-data row with its reason is complete": (
        [update("value = null, ci_low = null, ci_high = null, no_data_reason = 'survey not run'", "WB01", CTY)],
        set(), None),
    "a planned metric needs no rows": (
        ["update marts.metric_catalogue set status = 'planned' where metric_id = 'WB01'",
         "delete from marts.metrics where metric_id = 'WB01'"], set(), None),
}


def dbt_args(work: Path) -> list[str]:
    return ["--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR), "--target-path",
            str(work / "target"), "--log-path", str(work / "logs"), "--quiet"]


def planted_copy(built_warehouse: Path, folder: Path, statements: list[str]) -> Path:
    folder.mkdir(parents=True)
    copy = folder / built_warehouse.name
    shutil.copyfile(built_warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        for statement in statements:
            con.execute(statement)
    return copy


def failing_rows(copy: Path, relation: str) -> list[dict]:
    with duckdb.connect(str(copy)) as con:  # as dbt-duckdb opened it (it keeps the file open)
        cursor = con.execute(f"select * from {relation}")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


@pytest.fixture(scope="module")
def contract_runs(built_warehouse: Path, tmp_path_factory) -> dict[str, tuple[Path, dict[str, list[dict]], set]]:
    """rule -> (planted copy, {failed test: its failing rows}, tests that errored instead)."""
    from dbt.cli.main import dbtRunner

    work = tmp_path_factory.mktemp("contracts")
    before = os.environ.get("IMPACT_WAREHOUSE_PATH")
    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    runs = {}
    try:
        os.environ["IMPACT_WAREHOUSE_PATH"] = str(built_warehouse)
        parsed = dbtRunner().invoke(["parse", *dbt_args(work)])
        assert parsed.success, parsed.exception
        for i, (rule, (statements, _, _)) in enumerate(CONTRACTS.items()):
            copy = planted_copy(built_warehouse, work / f"case{i:02d}", statements)
            os.environ["IMPACT_WAREHOUSE_PATH"] = str(copy)
            result = dbtRunner(manifest=parsed.result).invoke(
                ["test", "--select", "metrics", "toc_indicators", "--store-failures", *dbt_args(copy.parent)])
            assert result.result is not None, (rule, result.exception)
            tests = [r for r in result.result.results if r.node.resource_type == "test"]
            assert len(tests) > 20, rule
            failed = {r.node.name: failing_rows(copy, r.node.relation_name) for r in tests if r.status == "fail"}
            runs[rule] = (copy, failed, {r.node.name for r in tests if r.status == "error"})
    finally:
        if before is None:
            os.environ.pop("IMPACT_WAREHOUSE_PATH", None)
        else:
            os.environ["IMPACT_WAREHOUSE_PATH"] = before
    return runs


@pytest.mark.parametrize("rule", list(CONTRACTS))
def test_a_planted_defect_fails_exactly_its_dbt_tests(rule, contract_runs):
    _, expected, metric_id = CONTRACTS[rule]
    _, failed, errored = contract_runs[rule]
    assert errored == set(), "a test that cannot run catches nothing"
    assert set(failed) == expected
    for test, rows in failed.items():
        assert rows, test
        if metric_id and "metric_id" in rows[0]:
            assert {r["metric_id"] for r in rows} == {metric_id}, (test, rows)


def test_the_real_build_records_only_passes_for_the_gate(built_warehouse, tmp_path):
    """The fixture's own `dbt build`: its run_results.json, recorded, holds nothing that refuses."""
    run_results = json.loads((built_warehouse.parent / "target" / "run_results.json").read_text())
    with duckdb.connect(str(planted_copy(built_warehouse, tmp_path / "clean", []))) as con:
        written = record_build_checks(con, run_results, "fixture-build")
        frame = build_checks_frame(con)
    assert written == len(frame) > 200
    assert set(frame["status"]) <= set(PASSED) and "pass" in set(frame["status"])


def test_the_gate_refuses_marts_whose_build_failed_a_dbt_test(contract_runs, tmp_path):
    """dbt's run_results.json of the planted percentage of 140, recorded as the orchestration does
    after a build: the gate fails the year on it, naming the two dbt tests, and says so in
    gate.results like any other check."""
    from expectations import record_results

    copy, _, _ = contract_runs["percentages lie between 0 and 100 (above)"]
    run_results = json.loads((copy.parent / "target" / "run_results.json").read_text())
    with duckdb.connect(str(copy)) as con:
        record_build_checks(con, run_results, "build-with-a-defect")
        result = validate_year(con, YEAR, tmp_path / "gx")
        record_results(con, result, "gate-run")
        stored = con.execute("select suite, expectation, severity, passed, concerns from gate.results "
                             "where suite = 'build_checks'").fetchall()
    [refusal] = [o for o in result.outcomes if o.suite == "build_checks"]
    assert result.status == "failed" and refusal in result.failures
    assert refusal.expectation == "the build's dbt checks passed" and refusal.severity == "error"
    assert set(refusal.concerns) == {"metrics_pct_within_0_100/fail",
                                     "metrics_pct_numerator_not_above_denominator/fail"}
    assert stored == [("build_checks", refusal.expectation, "error", False, "; ".join(refusal.concerns))]


def test_the_gate_checks_none_of_the_structural_rules(built_warehouse, tmp_path):
    """One owner per rule: every defect above planted at once changes nothing the gate reports
    beyond its refusal of the build, so none of these rules is checked in both places."""
    def gate_verdicts(copy: Path, build: dict | None) -> tuple[set, str]:
        with duckdb.connect(str(copy)) as con:
            record_build_checks(con, build, "build")
            result = validate_year(con, YEAR, tmp_path / copy.parent.name / "gx")
        assert result.message is None, result.message
        build_check = [o.passed for o in result.outcomes if o.suite == "build_checks"]
        return {(o.suite, o.expectation, o.passed) for o in result.outcomes if o.suite != "build_checks"}, build_check

    run_results = json.loads((built_warehouse.parent / "target" / "run_results.json").read_text())
    clean, clean_build = gate_verdicts(planted_copy(built_warehouse, tmp_path / "clean", []), run_results)
    every_defect = [s for statements, expected, _ in CONTRACTS.values() if expected for s in statements]
    planted, planted_build = gate_verdicts(planted_copy(built_warehouse, tmp_path / "all", every_defect), None)
    assert (clean_build, planted_build) == ([True], [False])
    assert planted == clean
