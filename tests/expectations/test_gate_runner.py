"""The gate over hand-made marts: real GX 1.x, a file context in tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

from gate_marts import COUNTY, YEAR, clean_metrics, metric_row

from expectations import record_results, validate_year


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


def test_percentage_of_140_fails_with_severity_error(warehouse, tmp_path: Path):
    rows = replace_row(clean_metrics(), "PP02", YEAR, "county",
                       metric_row("PP02", YEAR, 140.0, unit="pct"))
    result = validate_year(warehouse(rows), YEAR, tmp_path / "gx")

    assert result.status == "failed"
    pct = outcome(result, "percentages lie between 0 and 100")
    assert not pct.passed and pct.severity == "error"
    assert "140" in pct.observed
    assert pct.concerns == ("PP02/county/E10000025",)
    assert [o.expectation for o in result.failures] == [pct.expectation]


def test_removed_implemented_metric_fails_completeness(warehouse, tmp_path: Path):
    rows = [r for r in clean_metrics() if not (r[0] == "FE01" and r[1] == YEAR)]
    result = validate_year(warehouse(rows), YEAR, tmp_path / "gx")

    assert result.status == "failed"
    complete = outcome(result, "every implemented catalogue metric")
    assert not complete.passed and complete.severity == "error"
    assert complete.concerns == ("FE01/missing",)


def test_no_data_row_with_reason_counts_as_complete(warehouse, tmp_path: Path):
    rows = replace_row(clean_metrics(), "WB01", YEAR, "county",
                       metric_row("WB01", YEAR, None, unit="mean", reason="survey not run"))
    result = validate_year(warehouse(rows), YEAR, tmp_path / "gx")
    assert result.status == "passed"


def test_blank_county_row_fails_both_row_and_completeness(warehouse, tmp_path: Path):
    rows = replace_row(clean_metrics(), "WB01", YEAR, "county",
                       metric_row("WB01", YEAR, None, unit="mean"))
    result = validate_year(warehouse(rows), YEAR, tmp_path / "gx")
    assert result.status == "failed"
    assert outcome(result, "every implemented").concerns == ("WB01/blank",)
    assert outcome(result, "each metric row has a value").concerns == ("WB01/county/E10000025",)


def test_metric_not_implemented_in_catalogue_status_is_not_required(warehouse, tmp_path: Path):
    con = warehouse([r for r in clean_metrics() if not (r[0] == "WB01" and r[1] == YEAR)])
    con.execute("alter table marts.metric_catalogue add column status varchar")
    con.execute("update marts.metric_catalogue set status = "
                "case when metric_id = 'WB01' then 'planned' else 'implemented' end")
    assert validate_year(con, YEAR, tmp_path / "gx").status == "passed"


def test_year_on_year_jump_is_a_warning_only(warehouse, tmp_path: Path):
    rows = replace_row(clean_metrics(), "PP01", YEAR, "county",
                       metric_row("PP01", YEAR, 3_000_000.0, unit="gbp"))
    result = validate_year(warehouse(rows), YEAR, tmp_path / "gx", yoy_warning_pct=50)

    assert result.status == "warned"
    assert result.failures == []
    [jump] = result.warnings
    assert jump.severity == "warning" and jump.concerns == ("PP01/county/E10000025",)
    assert "200" in jump.observed  # +200%


def test_consistency_checks_name_the_metric(warehouse, tmp_path: Path):
    rows = clean_metrics()
    rows = replace_row(rows, "WB01", YEAR, "county",
                       metric_row("WB01", YEAR, 7.9, unit="mean", n=400, ci=(7.0, 7.4)))
    rows = replace_row(rows, "PP02", YEAR, "district",
                       metric_row("PP02", YEAR, 50.0, unit="pct", geography=("district",
                                  "E07000178", "Oxford"), numerator=200.0, denominator=150.0, n=150))
    rows.append(metric_row("XX99", YEAR, 1.0, unit="count", geography=COUNTY))
    result = validate_year(warehouse(rows), YEAR, tmp_path / "gx")

    failed = {o.expectation: o.concerns for o in result.failures}
    assert failed == {
        "metric is in the catalogue": ("XX99/county/E10000025",),
        "value is not above its confidence interval": ("WB01/county/E10000025",),
        "numerator does not exceed denominator": ("PP02/district/E07000178",),
    }


def test_missing_table_is_an_error_not_a_pass(warehouse, tmp_path: Path):
    con = warehouse()
    con.execute("drop table marts.toc_indicators")
    result = validate_year(con, YEAR, tmp_path / "gx")
    assert result.status == "error"
    assert "toc_indicators" in result.message
    broken = {o.suite for o in result.outcomes if o.exception}
    assert broken == {"toc", "disclosure"}  # the groups that read the table
    assert any(o.suite == "metric_values" and o.passed for o in result.outcomes)  # others ran

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
