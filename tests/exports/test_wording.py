"""How the pack words its numbers: rounded to what the data support, changes with their
uncertainty, and the first page's key messages against the Theory of Change."""

from __future__ import annotations

import pandas as pd
import pytest

from exports.messages import county_change, summary
from exports.numbers import format_change, format_estimate, format_value, money
from exports.report_charts import Point, trend_chart


@pytest.mark.parametrize("value, low, high, unit, expected", [
    (7.384521, 7.323, 7.446, "mean", ("7.38", "7.32 to 7.45")),  # TOC15's actual
    (0.0, -1.59, 1.59, "mean", ("0.0", "\u22121.6 to 1.6")),  # a district from 11 pairs: not a fact
    (1_937_000.0, 1_094_512.0, 2_779_487.0, "gbp", ("£1.9m", "£1.1m to £2.8m")),  # WELLBYs: not to the £
    (3.34, 2.7, 4.1, "pct", ("3.3%", "2.7% to 4.1%")),
    (0.0, 0.0, 8.8, "pct", ("0%", "0% to 9%")),
])
def test_an_estimate_is_rounded_to_what_its_interval_supports(value, low, high, unit, expected):
    assert format_estimate(value, low, high, unit) == expected


def test_values_without_an_interval():
    assert format_value(856, "count") == "856" and format_value(42.758, "pct") == "42.8%"
    assert money(307_557_010.85) == "£307.6m" and money(149_488.18) == "£149k" and money(3566.3) == "£3,566"
    assert format_value(-0.0001, "mean") == "0.00"  # never "-0.00"
    assert format_change(-1.23, "pct") == "\u22121.2 points" and format_change(37, "count") == "+37"


def _row(value, low=None, high=None, direction="up"):
    return {"value": value, "ci_low": low, "ci_high": high, "direction": direction}


def test_a_change_on_last_year_carries_its_uncertainty():
    within = county_change(_row(7.38, 7.32, 7.45), _row(7.37, 7.30, 7.43), "mean", "[c]", "2023-24")
    assert within.verdict == "within the margin of error" and "95% CI" in within.change
    clear = county_change(_row(7.60, 7.55, 7.65), _row(7.30, 7.25, 7.35), "mean", "[c]", "2023-24")
    assert clear.verdict == "up (better)" and clear.change.startswith("+0.30")
    cost = county_change(_row(3566.0, direction="down"), _row(3491.0, direction="down"), "gbp", "[c]", "2023-24")
    assert cost.verdict == "up (worse)" and cost.change == "+£75"
    withheld = county_change(_row("[c]"), _row(40.0), "count", "[c]", "2023-24")
    assert withheld.change == "" and withheld.verdict == "not comparable: withheld in one of the years"


def test_the_first_page_says_what_improved_what_did_not_and_what_cannot_be_said():
    toc = pd.DataFrame([
        {"indicator_id": "TOC15", "working_group": "place_based", "indicator_name": "Mean life satisfaction",
         "metric_id": "WB01", "actual": 7.38, "actual_ci_low": 7.32, "actual_ci_high": 7.45,
         "baseline_value": 7.40, "baseline_year": "2022-23", "target_value": 7.60, "target_year": "2026-27",
         "trajectory_value": 7.50, "rag_status": "no_clear_change", "data_quality": "ok",
         "values_note": "ILLUSTRATIVE baseline and target"},
        {"indicator_id": "TOC01", "working_group": "inclusive_employment",
         "indicator_name": "Participants enrolled", "metric_id": "FE01", "actual": 856.0,
         "baseline_value": 300.0, "baseline_year": "2022-23", "target_value": 500.0,
         "target_year": "2026-27", "trajectory_value": 400.0, "rag_status": "green", "data_quality": "ok"},
        {"indicator_id": "TOC05", "working_group": "inclusive_employment", "indicator_name": "Job starts",
         "metric_id": "IN02", "actual": "[c]", "rag_status": "grey", "data_quality": "withheld"},
    ])
    county = pd.DataFrame([
        {"metric_id": "WB01", **_row(7.38, 7.32, 7.45), "notes": None},
        {"metric_id": "FE01", **_row(856.0), "notes": None},
    ])
    previous = pd.DataFrame([{"metric_id": "WB01", **_row(7.37, 7.30, 7.43)},
                             {"metric_id": "FE01", **_row(660.0)}])
    page = summary(year="2024-25", toc=toc, county=county, previous=previous,
                   units={"WB01": "mean", "FE01": "count", "IN02": "pct"}, marker="[c]", synthetic=True)
    assert page.key_points == (
        "Improved: 1 of 3 indicators are better than their baseline (1 on track, 0 behind the line to the target).",
        "Did not improve: none.",
        "Cannot be said: Mean life satisfaction (the interval includes the baseline: no clear change); "
        "Job starts (withheld to protect confidentiality).")
    improved, _, cannot = page.sections
    assert "Place-based working" in page.lede and "place_based" not in page.lede
    [enrolled] = improved.messages
    assert enrolled.text.startswith(
        "Participants enrolled: 856; baseline 300 (2022-23), target 500 by 2026-27. On track.")
    assert "Since 2023-24: +196, up (better)." in enrolled.text
    withheld, wb01 = (m.text for m in cannot.messages)  # in indicator order: TOC05, TOC15
    assert "7.38 (95% CI 7.32 to 7.45)" in wb01 and "no clear change" in wb01 and "within the margin of error" in wb01
    assert "withheld" in withheld and "[c]" not in withheld
    assert page.caveats[0].startswith("SYNTHETIC DEMO DATA") and "placeholders" in page.caveats[1]


def test_trend_axes_of_counts_shares_and_ratios_start_at_zero_and_intervals_get_whiskers():
    points = [Point("2023-24", 7.3, "7.3", 7.1, 7.5, interval_text="7.1 to 7.5"),
              Point("2024-25", 7.4, "7.4", 7.3, 7.5, interval_text="7.3 to 7.5")]
    chart = trend_chart("WB01 Mean life satisfaction", "mean", points)
    assert "95% CI 7.1 to 7.5" in chart.alt
    ratio = trend_chart("FE04 Job starts per 100", "ratio", [Point("2023-24", 42.9, "42.9"),
                                                             Point("2024-25", 39.1, "39.1")])
    assert ">0<" in ratio.svg.replace(" ", "")  # a tick at zero
