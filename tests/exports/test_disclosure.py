"""Disclosure control on tables built to tempt differencing."""

from __future__ import annotations

import pandas as pd

from exports.disclosure import masked_metrics, suppression_flags

CATALOGUE = pd.DataFrame({
    "metric_id": ["FE01", "PP01", "PP10", "FE02", "WB01"],
    "unit": ["count", "gbp", "count", "pct", "mean"],
    "is_person_count": [True, False, False, False, False],
})


def table(metric_id, unit, county, districts, *, denominators=None, numerators=None, ns=None):
    """County row then districts D1.., values as given (None: no data)."""
    rows = [("county", "C", county)] + [("district", f"D{i}", v)
                                        for i, v in enumerate(districts, start=1)]
    frame = pd.DataFrame(rows, columns=["geography_level", "geography_code", "value"])
    frame["metric_id"], frame["reporting_year"], frame["unit"] = metric_id, "2024-25", unit
    for column, values in (("denominator", denominators), ("numerator", numerators), ("n", ns)):
        frame[column] = pd.Series(values, dtype="float64") if values else float("nan")
    frame["ci_low"] = frame["ci_high"] = float("nan")
    return frame


def flags(frame, threshold=10):
    out = suppression_flags(frame, CATALOGUE, threshold=threshold)
    return dict(zip(out["geography_code"], out["suppression"], strict=True))


def test_one_small_count_takes_the_next_smallest_non_zero_district_with_it():
    # 100 = 3 + 0 + 20 + 77: without secondary suppression D1 = 100 - 0 - 20 - 77
    got = flags(table("FE01", "count", 100.0, [3.0, 0.0, 20.0, 77.0]))
    assert got == {"C": None, "D1": "primary", "D2": None, "D3": "secondary", "D4": None}


def test_true_zeros_and_county_counts_are_shown():
    assert flags(table("FE01", "count", 5.0, [0.0, 5.0, 0.0]), threshold=5) == {
        "C": None, "D1": None, "D2": None, "D3": None}  # a county count of 5 is never primary
    got = flags(table("FE01", "count", 5.0, [0.0, 0.0, 5.0, 0.0]))
    assert got["D1"] is None and got["D2"] is None and got["D4"] is None  # zeros stay
    # D3 is the only suppressed district and no other is non-zero: the county total goes
    assert got["D3"] == "primary" and got["C"] == "secondary"


def test_county_total_is_suppressed_when_no_district_can_protect():
    got = flags(table("FE01", "count", 5.0, [0.0, 5.0]))
    assert got == {"C": "secondary", "D1": None, "D2": "primary"}


def test_two_small_cells_protect_each_other():
    got = flags(table("FE01", "count", 40.0, [3.0, 4.0, 33.0]))
    assert got == {"C": None, "D1": "primary", "D2": "primary", "D3": None}


def test_no_secondary_when_county_total_is_not_published():
    got = flags(table("FE01", "count", None, [3.0, 20.0, 30.0]))
    assert got == {"C": None, "D1": "primary", "D2": None, "D3": None}


def test_money_and_non_person_counts_are_never_suppressed():
    assert set(flags(table("PP01", "gbp", 12.0, [5.0, 7.0])).values()) == {None}
    assert set(flags(table("PP10", "count", 6.0, [3.0, 3.0])).values()) == {None}


def test_rates_on_small_denominators_or_numerators_are_suppressed():
    frame = table("FE02", "pct", 25.0, [50.0, 25.0, 20.0, 25.0],
                  numerators=[25, 3, 10, 2, 10], denominators=[100, 6, 40, 10, 40])
    got = flags(frame)
    # D1: denominator 6; D3: numerator 2 of 10; both suppressed, so no secondary needed
    assert got == {"C": None, "D1": "primary", "D2": None, "D3": "primary", "D4": None}
    means = table("WB01", "mean", 7.0, [6.0, 7.0, 7.5], ns=[200, 8, 50, 142])
    assert flags(means) == {"C": None, "D1": "primary", "D2": "secondary", "D3": None}
    assert flags(table("WB01", "mean", 7.0, [], ns=[9]))["C"] == "primary"  # at any level


def test_threshold_is_configurable():
    got = flags(table("FE01", "count", 100.0, [3.0, 6.0, 91.0]), threshold=5)
    assert got == {"C": None, "D1": "primary", "D2": "secondary", "D3": None}


def test_masked_metrics_show_the_marker_in_every_number_of_a_suppressed_row():
    frame = table("FE02", "pct", 25.0, [50.0, 25.0, 24.0], numerators=[25, 3, 10, 15],
                  denominators=[100, 6, 40, 62])
    out = masked_metrics(frame, CATALOGUE, threshold=10, marker="[c]").set_index("geography_code")
    assert out.loc["D1", ["value", "numerator", "denominator"]].tolist() == ["[c]"] * 3
    assert out.loc["D2", "value"] == "[c]" and out.loc["D2", "suppression"] == "secondary"
    assert out.loc["D3", "value"] == "24" and out.loc["C", "value"] == "25"


def test_no_suppressed_district_can_be_recovered_by_differencing():
    frames = [
        table("FE01", "count", 100.0, [3.0, 0.0, 20.0, 77.0]),
        table("FE01", "count", 31.0, [1.0, 30.0]),
        table("FE01", "count", 12.0, [9.0, 0.0, 3.0]),
    ]
    for frame in frames:
        out = suppression_flags(frame, CATALOGUE)
        districts = out[out["geography_level"] == "district"]
        county_hidden = out.loc[out["geography_level"] == "county", "suppression"].notna().all()
        assert districts["suppression"].notna().sum() != 1 or county_hidden


def test_toc_indicator_of_a_suppressed_metric_is_masked_and_grey():
    import pandas as pd

    from exports.disclosure import masked_toc

    published = pd.DataFrame({"metric_id": ["FE06", "FE01"], "reporting_year": ["2024-25"] * 2,
                              "geography_level": ["county"] * 2, "value": ["[c]", "856"]})
    toc = pd.DataFrame({"indicator_id": ["T1", "T2"], "metric_id": ["FE06", "FE01"],
                        "reporting_year": ["2024-25"] * 2, "actual": [7.0, 856.0],
                        "change_since_baseline": [2.0, 100.0], "share_of_way_to_target": [0.5, 0.9],
                        "rag_status": ["green", "amber"]})
    out = masked_toc(toc, published)
    assert out.loc[0, ["actual", "change_since_baseline", "share_of_way_to_target", "rag_status"]].tolist() == [
        "[c]", "[c]", "[c]", "grey"]
    assert out.loc[1, ["actual", "rag_status"]].tolist() == [856.0, "amber"]


def test_a_zero_numerator_district_cannot_protect_a_suppressed_rate():
    """County minus the published districts must not give back a suppressed rate's numerator."""
    import pandas as pd

    from exports.disclosure import suppression_flags

    rows = [  # IN02-like share: Vale's numerator of 2 is primary-suppressed
        ("county", "C", 30.0, 30, 115), ("district", "A", 0.0, 0, 40),
        ("district", "B", 25.0, 15, 60), ("district", "V", 13.3, 2, 15),
    ]
    metrics = pd.DataFrame([{"metric_id": "IN02", "reporting_year": "2024-25", "geography_level": level,
                             "geography_code": code, "unit": "pct", "value": value, "numerator": num,
                             "denominator": den, "n": den, "ci_low": None, "ci_high": None}
                            for level, code, value, num, den in rows])
    catalogue = pd.DataFrame({"metric_id": ["IN02"], "is_person_count": [False]})
    flags = suppression_flags(metrics, catalogue).set_index("geography_code")["suppression"]
    assert flags["V"] == "primary"
    assert flags["A"] is None  # numerator 0: it would not hide Vale's 2 (30 - 0 - 15 - ... = 2)
    assert flags["B"] == "secondary"


def _people_catalogue() -> pd.DataFrame:
    return pd.DataFrame({
        "metric_id": ["FE01", "FE03", "FE04", "FE07", "WB05", "WB06_GBP", "PO01", "IN01"],
        "unit": ["count", "count", "ratio", "pct", "mean", "gbp", "count", "mean"],
        "family": ["employment"] * 4 + ["wellbeing"] * 2 + ["partnership", "inequality"],
        "is_person_count": [True, True, False, False, False, False, False, False],
    })


def test_the_rest_of_a_share_of_people_is_a_group_too():
    """FE07: 20 of 23 paid the Real Living Wage, so 3 were paid below it: withheld below county."""
    frame = table("FE07", "pct", 66.7, [20 / 23 * 100, 32 / 52 * 100, 28 / 45 * 100],
                  numerators=[80, 20, 32, 28], denominators=[120, 23, 52, 45])
    got = suppression_flags(frame, _people_catalogue())
    assert dict(zip(got["geography_code"], got["suppression"], strict=True)) == {
        "C": None, "D1": "primary", "D2": None, "D3": "secondary"}


def test_people_left_out_of_a_share_are_a_group_too():
    """FE07's base is FE03's job starts less those without reported pay: 4 left out in D1."""
    fe03 = table("FE03", "count", 100.0, [24.0, 40.0, 36.0])
    fe07 = table("FE07", "pct", 61.3, [50.0, 53.3, 56.0], numerators=[46, 10, 16, 14],
                 denominators=[75, 20, 30, 25])
    got = suppression_flags(pd.concat([fe03, fe07], ignore_index=True), _people_catalogue())
    fe07_flags = got[got["metric_id"] == "FE07"].set_index("geography_code")["suppression"]
    assert fe07_flags["D1"] == "primary"  # 24 - 20 = 4 left out
    assert fe07_flags["D3"] == "secondary" and fe07_flags["D2"] is None  # the smaller protector
    assert got[got["metric_id"] == "FE03"]["suppression"].isna().all()  # the count itself is fine


def test_a_metric_showing_part_of_a_withheld_row_is_withheld_with_it():
    """FE04's denominator is FE01's count: where FE01 is withheld (primary or secondary), so is FE04."""
    fe01 = table("FE01", "count", 100.0, [7.0, 30.0, 63.0])
    fe03 = table("FE03", "count", 60.0, [12.0, 18.0, 30.0])
    fe04 = table("FE04", "ratio", 60.0, [12 / 7 * 100, 60.0, 30 / 63 * 100], numerators=[60, 12, 18, 30],
                 denominators=[100, 7, 30, 63])
    got = suppression_flags(pd.concat([fe01, fe03, fe04], ignore_index=True), _people_catalogue())
    flags = {(m, g): s for m, g, s in zip(got["metric_id"], got["geography_code"], got["suppression"],
                                          strict=True)}
    assert flags[("FE01", "D1")] == "primary" and flags[("FE01", "D2")] == "secondary"
    assert flags[("FE04", "D1")] == "primary" and flags[("FE04", "D2")] in ("linked", "secondary")
    assert flags[("FE03", "D1")] is None  # FE04 being withheld does not withhold the job starts


def test_money_computed_from_few_people_is_withheld_and_notes_go_with_their_row():
    """WB06_GBP is WB05's mean x pairs x £13,000: 7 pairs is a small base whatever the unit; spend
    (a £ row with no people behind it) is never withheld."""
    wb06 = table("WB06_GBP", "gbp", 91_000.0, [13_000.0, 39_000.0, 39_000.0], ns=[87, 7, 40, 40])
    wb06["notes"] = ["WELLBYs x pairs (n)", "from 7 pairs", "from 40 pairs", "from 40 pairs"]
    out = masked_metrics(wb06, _people_catalogue()).set_index("geography_code")
    assert out.loc["D1", "value"] == "[c]" and out.loc["D1", "notes"] == "[c]"
    assert out.loc["D2", "notes"] == "[c]"  # the secondary cell that protects D1's pairs
    assert out.loc["D3", "notes"] == "from 40 pairs" and out.loc["C", "value"] == "91000"
    assert set(flags(table("PP01", "gbp", 12.0, [5.0, 7.0])).values()) == {None}


def test_a_gap_whose_smaller_quintile_is_small_is_withheld_at_any_level():
    gap = table("IN01", "mean", 0.4, [0.3, 0.5], ns=[9, 40, 30])  # n = the smaller quintile
    got = suppression_flags(gap, _people_catalogue()).set_index("geography_code")["suppression"]
    assert got["C"] == "primary" and got["D1"] is None and got["D2"] is None


def test_a_gaps_smaller_quintile_is_protected_from_differencing_where_it_adds_up():
    """The demo's 2023-24: county n 107 = 33 + 71 + 3, so with only D3 (n 3) withheld, 107 - 33 - 71
    would give its n back; the next-smallest district goes too. Where the districts' smaller
    quintiles do not add up to the county's, the subtraction gives nothing and nothing more goes."""
    adds_up = table("IN01", "mean", 0.69, [1.03, 0.48, -0.51, None], ns=[107, 33, 71, 3, None])
    got = suppression_flags(adds_up, _people_catalogue()).set_index("geography_code")["suppression"]
    assert (got["D3"], got["D1"], got["D2"], got["C"]) == ("primary", "secondary", None, None)
    does_not = table("IN01", "mean", 0.69, [1.03, 0.48, -0.51, None], ns=[90, 33, 71, 3, None])
    got = suppression_flags(does_not, _people_catalogue()).set_index("geography_code")["suppression"]
    assert (got["D3"], got["D1"], got["D2"], got["C"]) == ("primary", None, None, None)


def test_breakdowns_are_masked_under_the_same_rules():
    from exports.disclosure import masked_breakdowns

    metrics = table("PO01", "count", 20.0, [])
    breakdowns = pd.DataFrame({
        "metric_id": ["PO01"] * 3, "reporting_year": ["2024-25"] * 3, "breakdown": ["sector"] * 3,
        "category": ["private", "vcse", "health"], "category_name": ["Private", "VCSE", "Health"],
        "sort_order": [1, 2, 3], "geography_code": ["C"] * 3, "geography_name": ["County"] * 3,
        "value": [12.0, 8.0, 0.0], "n": [12, 8, 0], "unit": ["count"] * 3,
        "no_data_reason": [None] * 3, "notes": ["signatories"] * 3})
    out = masked_breakdowns(breakdowns, metrics, _people_catalogue())
    assert out["value"].tolist() == ["12", "8", "0"]  # organisations, not people: shown
    assert out["sort_order"].tolist() == [1, 2, 3] and out["suppression"].isna().all()
    people = _people_catalogue().assign(is_person_count=True)  # were they people, 8 would go
    masked = masked_breakdowns(breakdowns, metrics, people)
    assert masked["value"].tolist() == ["[c]", "[c]", "0"]
