"""The gate over hand-made marts: real GX 1.x, a file context in tmp_path."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from gate_marts import CLEAN_BUILD, YEAR, clean_metrics, metric_row

from expectations import record_build_checks, record_results, validate_year


def outcome(result, name):
    [found] = [o for o in result.outcomes if o.expectation.startswith(name)]
    return found


def replace_row(rows, metric_id, year, geography_level, new_row):
    return [r for r in rows if (r[0], r[1], r[2]) != (metric_id, year, geography_level)] + [
        new_row
    ]


def test_clean_year_passes_and_persists_results_and_docs(warehouse, tmp_path: Path):
    con = warehouse()
    result = validate_year(con, YEAR, tmp_path / "gx")

    assert result.status == "passed", [o for o in result.outcomes if not o.passed]
    assert result.message is None
    assert len(result.outcomes) >= 15
    assert {o.severity for o in result.outcomes} == {"error", "warning"}
    assert result.data_docs_path is not None and result.data_docs_path.is_file()
    stored = list((tmp_path / "gx" / "uncommitted" / "validations").rglob("*.json"))
    assert stored, "validation results are persisted by the file context"

    written = record_results(con, result, "run-1")
    rows = con.sql("select suite, expectation, severity, passed from gate.results").fetchall()
    assert written == len(rows) == len(result.outcomes)
    assert all(passed for *_, passed in rows)


def test_no_record_of_the_build_refuses_the_year(warehouse, tmp_path: Path):
    """Marts whose build's dbt tests are unknown (built outside the pipeline) are not published."""
    result = validate_year(warehouse(build=None), YEAR, tmp_path / "gx")
    assert result.status == "failed"
    [refusal] = result.failures
    assert (refusal.suite, refusal.expectation) == ("build_checks", "the build's dbt checks passed")
    assert refusal.concerns == ("dbt build/no record",)


def test_a_failed_model_or_a_skipped_test_refuses_but_a_warning_does_not(warehouse, tmp_path: Path):
    con = warehouse()
    con.execute("update gate.build_checks set status = 'warn', failures = 3 "
                "where check_name = 'metrics_pct_within_0_100'")
    assert validate_year(con, YEAR, tmp_path / "gx").status == "passed"  # a warn-severity test
    con.execute("update gate.build_checks set status = 'error' where check_name = 'metrics'")
    con.execute("update gate.build_checks set status = 'skipped' "
                "where check_name = 'assert_metrics_cover_implemented_metrics'")
    [refusal] = validate_year(con, YEAR, tmp_path / "gx").failures
    assert refusal.concerns == ("metrics/error", "assert_metrics_cover_implemented_metrics/skipped")


def test_each_node_keeps_its_latest_result(warehouse, tmp_path: Path):
    """A build replaces the results of the nodes it ran; a partial build (only what changed) keeps
    the others' results, a failing one included."""
    con = warehouse()
    failed = {**CLEAN_BUILD, "results": [{"unique_id": "test.impact.metrics_ci_ordered.f4ed29a3db",
                                          "status": "fail", "failures": 2}]}
    assert record_build_checks(con, failed, "build-2") == 1
    [refusal] = validate_year(con, YEAR, tmp_path / "gx").failures
    assert refusal.concerns == ("metrics_ci_ordered/fail",)
    partial = {**CLEAN_BUILD, "results": [r for r in CLEAN_BUILD["results"]
                                          if "metrics_ci_ordered" not in r["unique_id"]][:1]}
    assert record_build_checks(con, partial, "build-2b") == 1  # another node only
    [refusal] = validate_year(con, YEAR, tmp_path / "gx1").failures
    assert refusal.concerns == ("metrics_ci_ordered/fail",)
    assert record_build_checks(con, None, "build-3") == 1  # dbt stopped before writing results
    [refusal] = validate_year(con, YEAR, tmp_path / "gx2").failures
    assert set(refusal.concerns) == {"dbt build/error", "metrics_ci_ordered/fail"}
    rebuilt = {**CLEAN_BUILD, "results": [*CLEAN_BUILD["results"], {
        "unique_id": "test.impact.metrics_ci_ordered.f4ed29a3db", "status": "pass", "failures": 0}]}
    assert record_build_checks(con, rebuilt, "build-4") == 5
    assert validate_year(con, YEAR, tmp_path / "gx3").status == "passed"


def test_year_on_year_jump_is_a_warning_only(warehouse, tmp_path: Path):
    rows = replace_row(clean_metrics(), "PP01", YEAR, "county",
                       metric_row("PP01", YEAR, 3_000_000.0, unit="gbp"))
    result = validate_year(warehouse(rows), YEAR, tmp_path / "gx", yoy_warning_pct=50)

    assert result.status == "warned"
    assert result.failures == []
    [jump] = result.warnings
    assert jump.severity == "warning" and jump.concerns == ("PP01/county/E10000025",)
    assert "200" in jump.observed  # +200%


def test_missing_table_is_an_error_not_a_pass(warehouse, tmp_path: Path):
    con = warehouse()
    con.execute("drop table marts.toc_indicators")
    result = validate_year(con, YEAR, tmp_path / "gx")
    assert result.status == "error"
    assert "toc_indicators" in result.message
    broken = {o.suite for o in result.outcomes if o.exception}
    assert broken == {"toc", "disclosure"}  # the groups that read the table
    assert any(o.suite == "metric_year_on_year" and o.passed for o in result.outcomes)  # others ran

    record_results(con, result, "run-err")
    failed = con.sql("select suite, observed from gate.results where not passed").fetchall()
    assert {suite for suite, _ in failed} == {"toc", "disclosure"}
    assert all("toc_indicators" in observed for _, observed in failed)


def test_dropped_column_is_an_error_not_a_pass(warehouse, tmp_path: Path):
    con = warehouse()
    con.execute("alter table marts.metrics drop column ci_low")
    result = validate_year(con, YEAR, tmp_path / "gx")
    assert result.status == "error"
    assert "ci_low" in result.message
    assert not any(o.passed for o in result.outcomes if o.suite in ("metrics", "disclosure"))


def test_exception_inside_a_gx_expectation_is_an_error(warehouse, tmp_path: Path, monkeypatch):
    # GX catches this itself and reports success=False with exception_info: it must not be
    # read as an ordinary failure, let alone a pass
    from great_expectations import expectations as gxe

    from expectations.suites import toc
    from expectations.suites.check import Check, SuiteSpec

    def with_a_broken_check(*args):
        specs = toc.toc_suites(*args)
        broken = Check("indicator has a colour", "error",
                       gxe.ExpectColumnValuesToNotBeNull(column="colour"), "colour set")
        return [*specs, SuiteSpec("toc_extra", specs[0].frame, (broken,))]

    monkeypatch.setattr("expectations.runner.toc_suites", with_a_broken_check)
    result = validate_year(warehouse(), YEAR, tmp_path / "gx")
    assert result.status == "error"
    assert "colour" in result.message
    broken = outcome(result, "indicator has a colour")
    assert broken.exception and not broken.passed and broken.observed.startswith("exception")


def test_results_are_replaced_per_run_and_kept_across_runs(warehouse, tmp_path: Path):
    con = warehouse()
    result = validate_year(con, YEAR, tmp_path / "gx")
    record_results(con, result, "run-1")
    record_results(con, result, "run-1")
    record_results(con, result, "run-2")
    counts = dict(con.sql("select run_id, count(*) from gate.results group by 1").fetchall())
    assert counts == {"run-1": len(result.outcomes), "run-2": len(result.outcomes)}
    assert json.dumps([o.observed for o in result.outcomes])  # plain text, no numpy left


def _pages(gx_dir: Path) -> set[str]:
    site = gx_dir / "uncommitted" / "data_docs" / "local_site"
    return {str(p.relative_to(site)) for p in site.rglob("*.html")}


def test_data_docs_render_each_gates_own_results_and_keep_the_earlier_pages(warehouse, tmp_path: Path):
    """A monthly gate adds results; only its pages and the index are rendered, and the site ends as a
    whole build would leave it. A site removed by hand is built whole again."""
    from expectations.gx_run import file_context

    gx_dir = tmp_path / "gx"
    con = warehouse()
    first = validate_year(con, YEAR, gx_dir)
    after_first = _pages(gx_dir)
    site = gx_dir / "uncommitted" / "data_docs" / "local_site"
    earlier = {p: (site / p).stat().st_mtime_ns for p in after_first if p.startswith("validations/")}
    assert earlier
    con.execute("update gate.build_checks set status = 'warn', failures = 3 "
                "where check_name = 'metrics_pct_within_0_100'")
    second = validate_year(con, YEAR, gx_dir)
    assert first.status == second.status == "passed"
    after_second = _pages(gx_dir)
    new = after_second - after_first
    assert after_first < after_second and new and all(p.startswith("validations/") for p in new)
    index = (site / "index.html").read_text(encoding="utf-8")
    assert all(p.rsplit("/", 2)[-2] in index for p in new)  # the index links this gate's results
    assert {p: (site / p).stat().st_mtime_ns for p in earlier} == earlier  # not rendered again

    whole = tmp_path / "whole"
    shutil.copytree(gx_dir, whole)
    shutil.rmtree(whole / "uncommitted" / "data_docs")
    file_context(whole).build_data_docs()
    assert _pages(whole) == after_second

    shutil.rmtree(gx_dir / "uncommitted" / "data_docs")  # removed by hand: the next gate builds it whole
    validate_year(con, YEAR, gx_dir)
    assert after_second < _pages(gx_dir)
