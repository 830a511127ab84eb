"""dbt build on a hand-made raw warehouse; metric values recomputed here in plain Python."""

from __future__ import annotations

import csv
import json
import math
import statistics
from datetime import date
from decimal import Decimal

import duckdb
import pytest
from conftest import PROJECT_DIR, build, run_dbt
from dbt_fixture_rows import (
    OUTCOMES,
    PARTICIPANTS,
    PAYMENTS,
    PLEDGE_UPDATES,
    RESPONSES,
    SIGNATORIES,
    SUPPLIERS,
    SWEMWBS,
)
from scipy import stats

SEEDS = PROJECT_DIR / "seeds" / "reference"
COUNTY = "E10000025"
CHERWELL, OXFORD, SOUTH_OXON, VALE, WEST = "E07000177", "E07000178", "E07000179", "E07000180", "E07000181"
DISTRICTS = [CHERWELL, OXFORD, SOUTH_OXON, VALE, WEST]
FY2425 = (date(2024, 4, 1), date(2025, 3, 31))


def seed(name: str) -> list[dict[str, str]]:
    with open(SEEDS / f"{name}.csv", newline="") as f:
        return list(csv.DictReader(f))


# The area's LSOAs: the national seed's rows in the five districts (the default area).
AREA_LSOAS = [row for row in seed("lsoa_imd2019") if row["la_code"] in DISTRICTS]
LSOA_DECILE = {row["lsoa_code"]: int(row["imd_decile"]) for row in AREA_LSOAS}
LSOA_DISTRICT = {row["lsoa_code"]: row["la_code"] for row in AREA_LSOAS}
DISTRICT_NAMES = {row["la_code"]: row["la_name"] for row in AREA_LSOAS}
ALIASES = {
    **{spelling: code for code, name in DISTRICT_NAMES.items()
       for spelling in [code.lower(), name.lower(), *(f"{name.lower()} {suffix}" for suffix in (
           "council", "city council", "district council", "borough council",
           "metropolitan borough council", "county council"))]},
    **{row["alias"]: row["district_code"] for row in seed("district_aliases")},
}


def in_year(day: date, year: tuple[date, date] = FY2425) -> bool:
    return year[0] <= day <= year[1]


def district_of(row: dict) -> str | None:
    text = (row.get("district") or "").strip().lower()
    return ALIASES.get(text) or LSOA_DISTRICT.get(row.get("lsoa_code"))


def metric(con, metric_id: str, year: str, geography: str) -> dict:
    cursor = con.execute(
        "select * from marts.metrics where metric_id = ? and reporting_year = ? and geography_code = ?",
        [metric_id, year, geography],
    )
    names = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    assert len(rows) == 1, (metric_id, year, geography, rows)
    return dict(zip(names, rows[0], strict=True))


@pytest.fixture(scope="module")
def con(built_warehouse):
    connection = duckdb.connect(str(built_warehouse), read_only=True)
    yield connection
    connection.close()


def test_every_implemented_metric_has_a_row_per_year_and_geography(con):
    implemented = [r["metric_id"] for r in seed("metric_definitions") if r["status"] == "implemented"]
    years = [r[0] for r in con.execute("select distinct reporting_year from marts.metrics order by 1").fetchall()]
    assert years == ["2022-23", "2023-24", "2024-25", "2025-26"]
    count = con.execute("select count(*) from marts.metrics").fetchone()[0]
    assert count == len(implemented) * len(years) * 6
    assert len(implemented) == 33  # spec §4's 30 ids plus WB06's three GBP-value rows


def test_pp02_share_of_analysed_spend_with_county_suppliers(con):
    patterns = [r["pattern"].lower() for r in seed("non_influenceable_categories")]
    by_ref = {s["supplier_ref"]: s for s in SUPPLIERS}
    names: dict[str, list[dict]] = {}
    for s in SUPPLIERS:
        names.setdefault(s["supplier_name"].strip().lower(), []).append(s)
    analysed = local = Decimal("0")
    for p in PAYMENTS:
        if not in_year(p["payment_date"]):
            continue
        category = (p["expense_category"] or "").lower()
        if any(pattern in category for pattern in patterns):
            continue
        supplier = by_ref.get(p["supplier_ref"])
        candidates = names.get(p["supplier_name"].strip().lower(), [])
        if supplier is None and len(candidates) == 1:
            supplier = candidates[0]
        analysed += p["amount_gbp"]
        if supplier and (supplier["lsoa_code"] in LSOA_DECILE or supplier["district_code"] in DISTRICTS):
            local += p["amount_gbp"]
    assert analysed == Decimal("3800.49") and local == Decimal("1400.49")  # the fixture as designed
    row = metric(con, "PP02", "2024-25", COUNTY)
    assert Decimal(str(row["numerator"])) == local
    assert Decimal(str(row["denominator"])) == analysed
    assert row["value"] == pytest.approx(float(100 * local / analysed), abs=1e-9)
    assert row["unit"] == "pct" and row["no_data_reason"] is None
    assert metric(con, "PP01", "2024-25", COUNTY)["value"] == pytest.approx(3800.49, abs=0.005)


def test_procurement_district_rows_and_years_without_payments_have_reasons(con):
    for district in DISTRICTS:
        row = metric(con, "PP02", "2024-25", district)
        assert row["value"] is None
        assert row["no_data_reason"] == "procurement metrics are defined for the county's anchors as a whole"
    assert metric(con, "PP01", "2022-23", COUNTY)["no_data_reason"] == "no payments loaded for the year"
    assert metric(con, "PP02", "2025-26", COUNTY)["value"] == pytest.approx(100.0)


def _programme_counts(geography: str) -> tuple[int, int]:
    participant_district = {(p["provider"], p["participant_key"]): district_of(p) for p in PARTICIPANTS}
    enrolled = sum(1 for p in PARTICIPANTS if in_year(p["enrolled_on"]) and geography in (COUNTY, district_of(p)))
    job_starts = sum(
        1
        for o in OUTCOMES
        if o["outcome_type"] == "job_start"
        and in_year(o["outcome_on"])
        and geography in (COUNTY, participant_district.get((o["provider"], o["participant_key"])))
    )
    return enrolled, job_starts


@pytest.mark.parametrize("geography", [COUNTY, CHERWELL, OXFORD, VALE])
def test_fe01_fe03_fe04(con, geography):
    enrolled, job_starts = _programme_counts(geography)
    assert metric(con, "FE01", "2024-25", geography)["value"] == enrolled
    assert metric(con, "FE03", "2024-25", geography)["value"] == job_starts
    fe04 = metric(con, "FE04", "2024-25", geography)
    assert fe04["value"] == pytest.approx(100 * job_starts / enrolled, abs=1e-9)
    assert (fe04["numerator"], fe04["denominator"]) == (job_starts, enrolled)


def test_fe04_without_enrolments_is_no_data_but_job_starts_count(con):
    # South Oxfordshire: a job start in 2024-25 by someone enrolled in 2023-24
    assert metric(con, "FE03", "2024-25", SOUTH_OXON)["value"] == 1
    row = metric(con, "FE04", "2024-25", SOUTH_OXON)
    assert row["value"] is None and "no participants enrolled" in row["no_data_reason"]


def test_in02_share_of_job_starts_to_deciles_1_2(con):
    deciles = {(p["provider"], p["participant_key"]): LSOA_DECILE.get(p["lsoa_code"]) for p in PARTICIPANTS}
    known = [
        deciles.get((o["provider"], o["participant_key"]))
        for o in OUTCOMES
        if o["outcome_type"] == "job_start" and in_year(o["outcome_on"])
    ]
    known = [d for d in known if d is not None]
    row = metric(con, "IN02", "2024-25", COUNTY)
    assert row["denominator"] == len(known) == 3
    assert row["value"] == pytest.approx(100 * sum(d <= 2 for d in known) / len(known), abs=1e-9)


def _mean_ci(values: list[float]) -> tuple[float, float, float]:
    n = len(values)
    mean = statistics.fmean(values)
    t = stats.t.ppf(0.975, n - 1) if n - 1 <= 1000 else stats.norm.ppf(0.975)
    half = t * statistics.stdev(values) / math.sqrt(n)
    return mean, mean - half, mean + half


@pytest.mark.parametrize("geography", [COUNTY, OXFORD])
def test_wb01_mean_life_satisfaction_with_t_interval(con, geography):
    values = [
        r["life_satisfaction"]
        for r in RESPONSES
        if r["survey"] == "resident_panel"
        and r["life_satisfaction"] is not None
        and geography in (COUNTY, district_of(r))
    ]
    mean, low, high = _mean_ci(values)
    row = metric(con, "WB01", "2024-25", geography)
    assert row["n"] == len(values)
    assert row["value"] == pytest.approx(mean, abs=1e-9)
    assert row["ci_low"] == pytest.approx(low, abs=1e-9)
    assert row["ci_high"] == pytest.approx(high, abs=1e-9)


def test_wb01_single_response_has_no_interval_and_empty_district_has_reason(con):
    row = metric(con, "WB01", "2024-25", CHERWELL)
    assert (row["value"], row["n"], row["ci_low"], row["ci_high"]) == (8.0, 1, None, None)
    assert metric(con, "WB01", "2024-25", WEST)["no_data_reason"].startswith("no population-survey")


def test_wb04_swemwbs_scored_only_when_complete(con):
    conversion = {int(r["raw_score"]): float(r["metric_score"]) for r in seed("swemwbs_conversion")}
    scores = [
        conversion[sum(r[i] for i in SWEMWBS)]
        for r in RESPONSES
        if r["survey"] == "resident_panel" and all(r[i] is not None for i in SWEMWBS)
    ]
    mean, low, high = _mean_ci(scores)
    row = metric(con, "WB04", "2024-25", COUNTY)
    assert row["n"] == 4
    assert (row["value"], row["ci_low"], row["ci_high"]) == pytest.approx((mean, low, high), abs=1e-9)


def _active_pledges(year_end: date, geography: str) -> int:
    org_district = {s["organisation_id"]: district_of(s) for s in SIGNATORIES}
    latest: dict[str, dict] = {}
    for u in sorted(PLEDGE_UPDATES, key=lambda u: u["update_on"]):
        if u["update_on"] <= year_end:
            latest[u["pledge_id"]] = u
    return sum(
        1
        for u in latest.values()
        if u["status"] in ("pledged", "in_progress") and geography in (COUNTY, org_district[u["organisation_id"]])
    )


@pytest.mark.parametrize(
    "year,year_end",
    [
        ("2022-23", date(2023, 3, 31)),
        ("2023-24", date(2024, 3, 31)),
        ("2024-25", date(2025, 3, 31)),
        ("2025-26", date(2026, 3, 31)),
    ],
)
@pytest.mark.parametrize("geography", [COUNTY, CHERWELL, OXFORD])
def test_po02_active_pledges_at_year_end(con, year, year_end, geography):
    assert metric(con, "PO02", year, geography)["value"] == _active_pledges(year_end, geography)


def test_po01_cumulative_signatories(con):
    assert [metric(con, "PO01", y, COUNTY)["value"] for y in ("2022-23", "2023-24", "2024-25", "2025-26")] == [
        1,
        2,
        3,
        4,
    ]
    assert metric(con, "PO01", "2025-26", WEST)["value"] == 1


def _expected_rag(actual, row: dict, start_year: int, interval=(None, None)) -> str:
    """Spec §5 RAG with the interval rule of docs/metrics.md, default tolerance 0, from the seed row."""
    base, target = float(row["baseline_value"]), float(row["target_value"])
    b_year, t_year = int(row["baseline_year"][:4]), int(row["target_year"][:4])
    if actual is None or start_year < b_year:
        return "grey"
    low, high = interval
    if low is not None and low <= base <= high:
        return "no_clear_change"
    sign = 1 if row["direction"] == "up" else -1
    expected_share = min(1.0, (start_year - b_year) / (t_year - b_year))
    line = base + expected_share * (target - base)
    if (actual - base) / (target - base) >= expected_share and not (low is not None and low <= line <= high):
        return "green"
    return "amber" if sign * (actual - base) > 0 else "red"


def test_toc_rag_and_progress_for_every_indicator(con):
    framework = seed("toc_framework")
    assert all(row["source"] and "seed 00" in row["source"] for row in framework)
    for row in framework:
        county = metric(con, row["metric_id"], "2024-25", COUNTY)
        actual = county["value"]
        got = con.execute(
            "select actual, change_since_baseline, share_of_way_to_target, rag_status, source "
            "from marts.toc_indicators where indicator_id = ? and reporting_year = '2024-25'",
            [row["indicator_id"]],
        ).fetchone()
        assert got[0] == actual and got[4] == row["source"]
        assert got[3] == _expected_rag(actual, row, 2024, (county["ci_low"], county["ci_high"])), row["indicator_id"]
        if actual is not None:
            base, target = float(row["baseline_value"]), float(row["target_value"])
            assert got[1] == pytest.approx(actual - base, abs=1e-12)
            assert got[2] == pytest.approx((actual - base) / (target - base), abs=1e-12)


def test_toc_rag_known_cases(con):
    rows = dict(
        con.execute(
            "select indicator_id, rag_status from marts.toc_indicators where reporting_year = '2024-25'"
        ).fetchall()
    )
    # WB04 actual 24.18 from baseline 22 to target 23 (2022-23 -> 2026-27): ahead of the line, but
    # from so few responses that the 95% interval holds the baseline: no clear change, not green
    wb04 = metric(con, "WB04", "2024-25", COUNTY)
    assert wb04["ci_low"] < 22 < wb04["ci_high"] and wb04["value"] > 23
    assert rows["TOC16"] == "no_clear_change"
    # PP02 36.9% against a 40% baseline: not improving
    assert rows["TOC08"] == "red"
    # a year without data is grey whatever the line says
    assert con.execute(
        "select distinct rag_status from marts.toc_indicators where reporting_year = '2022-23' and actual is null"
    ).fetchall() == [("grey",)]


def test_empty_warehouse_builds_with_no_data_rows(tmp_path):
    warehouse = build(tmp_path, {}, variables={"reporting_year": "2024-25"})
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select reporting_year, count(*), count(value), count(no_data_reason) from marts.metrics group by 1"
        ).fetchall()
        assert rows == [("2024-25", 33 * 6, 0, 33 * 6)]
        pp09 = con.execute(
            "select no_data_reason from marts.metrics where metric_id = 'PP09' and geography_level = 'county'"
        ).fetchone()
        assert pp09 == ("no contracts data loaded",)
        rag = con.execute("select distinct rag_status from marts.toc_indicators").fetchall()
        assert rag == [("grey",)]


@pytest.mark.parametrize(
    "start_month,expected", [(4, ["2024-25", "2025-26", "2023-24"]), (1, ["2025", "2025", "2024"])]
)
def test_reporting_year_macro(tmp_path, start_month, expected):
    from dbt_raw_warehouse import create_raw_warehouse

    warehouse = tmp_path / "empty.duckdb"
    create_raw_warehouse(warehouse)
    sql = (
        "select {{ reporting_year(\"date '2025-03-15'\") }} as a, "
        "{{ reporting_year(\"date '2025-04-01'\") }} as b, "
        "{{ reporting_year(\"date '2024-03-31'\") }} as c"
    )
    result = run_dbt(
        tmp_path,
        warehouse,
        "show",
        "--inline",
        sql,
        "--output",
        "json",
        "--log-format",
        "json",
        variables={"reporting_year_start_month": start_month},
    )
    assert result.returncode == 0, result.stdout[-3000:]
    preview = next(json.loads(line)["data"]["preview"] for line in result.stdout.splitlines() if '"preview"' in line)
    row = json.loads(preview)[0] if isinstance(preview, str) else preview[0]
    assert [row["a"], row["b"], row["c"]] == expected
    # the macro's Python twin, which every other stage uses, says the same
    from partnership.reporting_years import year_containing
    days = [date(2025, 3, 15), date(2025, 4, 1), date(2024, 3, 31)]
    assert [year_containing(day, start_month) for day in days] == expected
