"""For every expectation of the gate: one planted defect fails exactly it, with its severity.

Each defect is SQL run against the clean warehouse of gate_marts.py (or, for the disclosure rules
the exports' masking always satisfies, a masking that leaks, standing in for a regression in
exports/disclosure.py). A defect that must not trip year on year is planted in both years.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from gate_marts import YEAR

from expectations import validate_year
from exports.disclosure import MASKED_COLUMNS
from exports.disclosure import masked_metrics as real_masked_metrics

CLEAN_WHERE = "metric_id = '{m}' and geography_code = '{g}'"
OXF, CHE, WOX, CTY = "E07000178", "E07000177", "E07000181", "E10000025"


def where(metric_id: str, code: str, year: str | None = YEAR) -> str:
    clause = CLEAN_WHERE.format(m=metric_id, g=code)
    return clause + (f" and reporting_year = '{year}'" if year else "")


def update(sets: str, metric_id: str, code: str, year: str | None = YEAR) -> str:
    return f"update marts.metrics set {sets} where {where(metric_id, code, year)}"


def leaky(reveal):
    """A masking that shows again the rows `reveal(published)` selects (a regression stand-in)."""

    def masked_metrics(metrics, catalogue, *, threshold=10, marker="[c]"):
        published = real_masked_metrics(metrics, catalogue, threshold=threshold, marker=marker)
        rows = reveal(published)
        for column in MASKED_COLUMNS:
            published.loc[rows, column] = [str(v) for v in metrics.reset_index(drop=True)
                                           .loc[rows, column]]
        return published

    return masked_metrics


# expectation -> (suite, severity, SQL planting the defect, masking to use instead of the pack's)
DEFECTS: dict[str, tuple[str, str, list[str], object]] = {
    # The marts' structural contracts (ranges, units, intervals, one row per key, completeness, ...)
    # are dbt's: their planted defects are in tests/dbt_project/test_structural_contracts.py.
    "the build's dbt checks passed": ("build_checks", "error", [
        "update gate.build_checks set status = 'fail', failures = 1 "
        "where check_name = 'metrics_pct_within_0_100'"], None),
    "year-on-year change is at most 50%": ("metric_year_on_year", "warning", [
        update("value = 3000000", "PP01", CTY)], None),
    "every ToC indicator has a row for the year": ("toc_completeness", "error", [
        "insert into marts.toc_indicators select * replace ('T5' as indicator_id, "
        "'2023-24' as reporting_year) from marts.toc_indicators where indicator_id = 'T1'"],
        None),
    "no count of 1 to 9 people is published below county level": ("disclosure", "error", [],
        leaky(lambda p: (p["metric_id"] == "FE01") & (p["geography_code"] == OXF))),
    "no percentage or mean based on fewer than 10 is published": ("disclosure", "error", [
        update("n = 5", "PP02", OXF)], None),
    "no suppressed count can be worked out from the county total": ("disclosure", "error", [],
        leaky(lambda p: (p["metric_id"] == "FE03") & (p["suppression"] == "secondary"))),
    "no suppressed percentage's numerator or base can be worked out from the county total": (
        "disclosure", "error", [
            update("value = 0, numerator = 0", "IN02", CHE, None),
            update("value = 100 * 30 / 115, numerator = 30", "IN02", CTY, None)],
        leaky(lambda p: (p["metric_id"] == "IN02") & (p["suppression"] == "secondary"))),
    # The gate publishes the ToC through the pack's own masking, which hides such a value; the
    # defect is a ToC masking that leaks (standing in for a regression in exports.disclosure).
    "no ToC indicator publishes a value the metrics suppress": ("disclosure_toc", "error", [
        update("n = 8", "WB04", CTY)], ("masked_toc", lambda toc, published, marker="[c]": toc)),
    # a note that counts a few people below the county: no cell shows them, the auditor reads notes
    "the disclosure auditor recovers no small count from what would be published": ("disclosure_audit", "error", [
        update("notes = '3 job starts without a known home LSOA are left out'", "FE03", WOX)], None),
    "counts of people are flagged as person counts in the catalogue": ("disclosure_catalogue", "error", [
        "update marts.metric_catalogue set is_person_count = false where metric_id = 'FE03'"], None),
    "each anchor's spend covers at least 10 months of the year": ("coverage", "error", [
        f"delete from marts.fct_payments where anchor = 'Oxford City Council' and "
        f"reporting_year = '{YEAR}' and month(payment_date) not in (4, 5, 6, 7, 8)"], None),
    "each anchor's spend covers all 12 months of the year": ("coverage", "warning", [
        "delete from marts.fct_payments where anchor = 'Oxford City Council' and "
        "payment_date between date '2024-11-01' and date '2024-11-30'"], None),
    "programme providers returned enrolments in every quarter": ("coverage", "error", [
        "delete from marts.fct_participants where enrolled_on between date '2024-10-01' "
        "and date '2024-12-31'"], None),
    "programme providers returned outcomes in every quarter": ("coverage", "error", [
        "delete from marts.fct_outcomes where outcome_on between date '2024-07-01' "
        "and date '2024-09-30'"], None),
    "the wellbeing survey has responses in the year": ("coverage", "error", [
        f"delete from marts.fct_responses where reporting_year = '{YEAR}'"], None),
    "Charter signatories updated their pledges in the year": ("coverage", "error", [
        "update marts.fct_pledge_status set status_updated_on = date '2024-03-01'"], None),
    # Two payments files of one publisher and month, both loaded (neither declared a correction).
    "no loaded file overlaps another it does not replace (same publisher and month, or the same keys)": (
        "overlaps", "warning", [
            "create schema if not exists raw",
            "create table raw.load_audit (feed varchar, source_file varchar, status varchar, period_start date, "
            "period_end date, overlaps_with varchar)",
            "insert into raw.load_audit values "
            "('spend', 'occ-2024-06.csv', 'loaded', '2024-06-01', '2024-06-30', null), "
            "('spend', 'occ-2024-06-extra.csv', 'loaded', '2024-06-01', '2024-06-30', 'occ-2024-06.csv (2024-06)'), "
            "('spend', 'occ-2023-06-extra.csv', 'loaded', '2023-06-01', '2023-06-30', 'occ-2023-06.csv (2023-06)'), "
            "('spend', 'occ-2024-07.csv', 'superseded', '2024-07-01', '2024-07-31', 'x.csv (2024-07)')"], None),
}


def test_every_expectation_of_the_clean_year_has_a_defect_below(warehouse, tmp_path: Path):
    result = validate_year(warehouse(), YEAR, tmp_path / "gx")
    assert result.status == "passed", [o for o in result.outcomes if not o.passed]
    evaluated = {(o.suite, o.expectation, o.severity) for o in result.outcomes}
    planted = {(suite, name, severity) for name, (suite, severity, *_) in DEFECTS.items()}
    assert evaluated == planted
    assert len(result.outcomes) == len(DEFECTS)


AUDITOR = ("disclosure_audit", "the disclosure auditor recovers no small count from what would be published",
           "error")
# leaks the independent auditor catches as well as the masking's own check
ALSO_CAUGHT_BY_THE_AUDITOR = {
    "no count of 1 to 9 people is published below county level",
    "no suppressed count can be worked out from the county total",
    "no suppressed percentage's numerator or base can be worked out from the county total",
    "no ToC indicator publishes a value the metrics suppress",
    "counts of people are flagged as person counts in the catalogue",
}


@pytest.mark.parametrize("expectation", list(DEFECTS))
def test_a_single_defect_fails_exactly_its_expectation(expectation, warehouse, tmp_path: Path,
                                                      monkeypatch):
    suite, severity, statements, masking = DEFECTS[expectation]
    con = warehouse()
    for statement in statements:
        con.execute(statement)
    if isinstance(masking, tuple):  # (function name, stand-in)
        monkeypatch.setattr(f"expectations.suites.disclosure.{masking[0]}", masking[1])
    elif masking is not None:
        monkeypatch.setattr("expectations.suites.disclosure.masked_metrics", masking)

    result = validate_year(con, YEAR, tmp_path / "gx")

    failed = [(o.suite, o.expectation, o.severity) for o in result.outcomes if not o.passed]
    also = [AUDITOR] if expectation in ALSO_CAUGHT_BY_THE_AUDITOR else []
    assert failed == [(suite, expectation, severity), *also]
    assert result.status == ("failed" if severity == "error" else "warned")
    [outcome] = [o for o in result.outcomes if not o.passed and o.expectation == expectation]
    assert outcome.concerns, "a failure names the metric, indicator, feed or row it concerns"
    assert outcome.exception is None and result.message is None


def test_disclosure_verdicts_never_show_the_suppressed_number(warehouse, tmp_path: Path,
                                                              monkeypatch):
    monkeypatch.setattr("expectations.suites.disclosure.masked_metrics",
                        DEFECTS["no count of 1 to 9 people is published below county level"][3])
    result = validate_year(warehouse(), YEAR, tmp_path / "gx")
    leak, audited = result.failures
    assert leak.concerns == (f"FE01/district/{OXF}",)
    assert "8" not in leak.observed  # the hidden count itself is not repeated in the results
    assert audited.expectation == AUDITOR[1] and "8" not in audited.observed
    assert any("metrics.csv row" in c for c in audited.concerns)  # it names the cell


def test_gate_masks_with_the_threshold_it_is_given(warehouse, tmp_path: Path, monkeypatch):
    seen: list[int] = []

    def spy(metrics, catalogue, *, threshold=10, marker="[c]"):
        seen.append(threshold)
        return real_masked_metrics(metrics, catalogue, threshold=threshold, marker=marker)

    monkeypatch.setattr("expectations.suites.disclosure.masked_metrics", spy)
    result = validate_year(warehouse(), YEAR, tmp_path / "gx", suppression_threshold=20)
    assert seen == [20]
    assert any("fewer than 20" in o.expectation for o in result.outcomes)


def test_masking_only_this_year_as_the_pack_does(warehouse, tmp_path: Path, monkeypatch):
    years: list[set] = []

    def spy(metrics: pd.DataFrame, catalogue, **kwargs):
        years.append(set(metrics["reporting_year"]))
        return real_masked_metrics(metrics, catalogue, **kwargs)

    monkeypatch.setattr("expectations.suites.disclosure.masked_metrics", spy)
    validate_year(warehouse(), YEAR, tmp_path / "gx")
    assert years == [{YEAR}]


def test_overlap_warning_names_the_files_of_the_year_only(warehouse, tmp_path: Path):
    _, _, statements, _ = DEFECTS[
        "no loaded file overlaps another it does not replace (same publisher and month, or the same keys)"]
    con = warehouse()
    for statement in statements:
        con.execute(statement)
    [warning] = validate_year(con, YEAR, tmp_path / "gx").warnings
    assert warning.concerns == ("spend/occ-2024-06-extra.csv/occ-2024-06.csv (2024-06)",)
