"""Disclosure (spec §7) for one reporting year: nothing that will be published shows a small count.

The year's metrics are masked exactly as the pack masks them (`exports.disclosure.masked_metrics`,
same threshold), and the gate re-checks what would be published against the rules, independently
of how the masking got there:

- no count of people below county level from 1 to threshold-1 is shown;
- no percentage, mean or other rate whose denominator or n is under the threshold is shown;
- no suppressed cell can be worked out by differencing: the county total minus the published
  district cells of the same metric equals a single suppressed cell (a count's value; a rate's
  numerator, denominator or n). A recovered zero is not a disclosure (true zeros are shown);
- no ToC indicator publishes, as its `actual`, a county value that the metrics suppress;
- the disclosure auditor (`exports.audit`, independent of the masking) recovers nothing from the
  year's published metrics and indicators: no small count of people worked out through a rate
  times its base, a linked metric, the notes, or county minus districts. (The pack itself is
  audited again, every file and against earlier packs, when it is written.)

Each derived column holds words, never the hidden number, so results and the pack's cover
cannot themselves disclose what was suppressed.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from great_expectations import expectations as gxe

from expectations.suites.check import Check, SuiteSpec
from exports.audit import audit_pack
from exports.disclosure import RATE_UNITS, masked_metrics, masked_toc

MARKER = "[c]"
_KEY = ("metric_id", "geography_level", "geography_code")
_PARTS = ("numerator", "denominator", "n")  # what adds up across districts for a rate
RECOVERABLE = "can be worked out from the county total"


def _numbers(column: pd.Series) -> pd.Series:
    return pd.to_numeric(column, errors="coerce").astype("float64")


def _hidden(column: pd.Series) -> pd.Series:
    return column.astype("object").eq(MARKER).fillna(False).astype(bool)


def _person_count_cells(year: pd.DataFrame, published: pd.DataFrame, catalogue: pd.DataFrame,
                        threshold: int) -> pd.Series:
    person = catalogue.set_index("metric_id")["is_person_count"].astype("object")
    is_person = year["metric_id"].map(person).eq(True).fillna(False).astype(bool)
    below_county = year["geography_level"] != "county"
    shown = _numbers(published["value"])
    small = shown.ge(1) & shown.lt(threshold)
    out = pd.Series("not a count of people below county", index=year.index, dtype="object")
    out[is_person & below_county] = "suppressed, zero, or large enough to show"
    out[is_person & below_county & small] = f"count of 1 to {threshold - 1} people shown"
    return out


def _rate_cells(year: pd.DataFrame, published: pd.DataFrame, threshold: int) -> pd.Series:
    rate = year["unit"].isin(RATE_UNITS)
    shown = _numbers(published["value"]).notna()
    small_base = _numbers(year["denominator"]).lt(threshold) | _numbers(year["n"]).lt(threshold)
    out = pd.Series("not a rate shown", index=year.index, dtype="object")
    out[rate & shown] = f"based on {threshold} or more"
    out[rate & shown & small_base] = f"based on fewer than {threshold} but shown"
    return out


def _differencing(year: pd.DataFrame, published: pd.DataFrame, columns: tuple[str, ...],
                  rows: pd.Series) -> pd.Series:
    """Per district row whose value is suppressed: can one of `columns` be recovered?"""
    out = pd.Series("not a suppressed district cell", index=year.index, dtype="object")
    district = year["geography_level"] == "district"
    suppressed = district & rows & _hidden(published["value"])
    out[suppressed] = "protected"
    for _, group in year[rows].groupby("metric_id", sort=False):
        county = group.index[group["geography_level"] == "county"]
        cells = group.index[group["geography_level"] == "district"]
        if len(county) != 1 or not suppressed[cells].any():
            continue
        for column in columns:
            hidden = _hidden(published.loc[cells, column])
            total = _numbers(published.loc[county, column]).iloc[0]
            if np.isnan(total) or not hidden.any():
                continue
            recovered = total - _numbers(published.loc[cells[~hidden], column]).fillna(0).sum()
            truth = _numbers(year.loc[cells[hidden], column])
            hit = truth.index[np.isclose(truth, recovered, rtol=1e-9, atol=1e-6) & (truth != 0)]
            out[hit] = f"{column} {RECOVERABLE}"  # equal to a single suppressed cell
    return out


def disclosure_frame(rows: pd.DataFrame, published: pd.DataFrame, catalogue: pd.DataFrame,
                     threshold: int) -> pd.DataFrame:
    """The year's metrics (`rows`) as the pack publishes them (`published`), one row per cell with
    verdicts in words."""
    if len(published) != len(rows):
        raise ValueError("masked_metrics changed the number of rows; the gate cannot compare")
    frame = rows[list(_KEY)].copy()
    frame["published_value"] = published["value"].astype("object")
    frame["person_count"] = _person_count_cells(rows, published, catalogue, threshold)
    frame["rate_base"] = _rate_cells(rows, published, threshold)
    counts = rows["unit"] == "count"
    frame["count_differencing"] = _differencing(rows, published, ("value",), counts)
    frame["rate_differencing"] = _differencing(
        rows, published, _PARTS, rows["unit"].isin(RATE_UNITS)
    )
    return frame


def toc_actuals_frame(frame: pd.DataFrame, toc: pd.DataFrame, year: str) -> pd.DataFrame:
    """One row per ToC indicator of the year with an actual, as the pack publishes it (masked with
    the metrics): does it show a value whose metric's county cell is hidden?"""
    county = frame[frame["geography_level"] == "county"]
    hidden = set(county.loc[_hidden(county["published_value"]), "metric_id"])
    published = masked_toc(toc, county.assign(value=county["published_value"], reporting_year=year), marker=MARKER)
    rows = published[(published["reporting_year"] == year) & published["actual"].notna()]
    out = rows[["indicator_id", "metric_id"]].reset_index(drop=True).astype("object")
    out["actual"] = [
        "shows a value the metrics suppress" if m in hidden and a != MARKER else "matches a published value"
        for m, a in zip(out["metric_id"], rows["actual"], strict=True)
    ]
    return out


def auditor_frame(published: pd.DataFrame, catalogue: pd.DataFrame, toc: pd.DataFrame, year: str,
                  threshold: int) -> pd.DataFrame:
    """The year's metrics and indicators as published, written as the pack's CSVs and read back by
    the auditor: one row per finding (its rule in words, where it is: never the number it found),
    or one row saying nothing was found."""
    with tempfile.TemporaryDirectory(prefix="gate-audit-") as folder:
        published.drop(columns="suppression", errors="ignore").to_csv(Path(folder) / "metrics.csv",
                                                                      index=False)
        catalogue.to_csv(Path(folder) / "definitions.csv", index=False)
        year_toc = toc[toc["reporting_year"] == year] if "reporting_year" in toc.columns else toc
        if not year_toc.empty:
            masked_toc(year_toc, published, marker=MARKER).to_csv(Path(folder) / "toc_indicators.csv",
                                                                  index=False)
        report = audit_pack(Path(folder), threshold=threshold, marker=MARKER)
    found = [{"verdict": f.rule, "where": f"{f.file} {f.cell}"} for f in report.findings]
    return pd.DataFrame(found or [{"verdict": "nothing recoverable", "where": ""}]).astype("object")


# Families whose counts are counts of people (procurement and partnership count organisations).
PEOPLE_FAMILIES = ("employment", "wellbeing", "inequality")


def disclosure_suites(metrics: pd.DataFrame, catalogue: pd.DataFrame, toc: pd.DataFrame,
                      year: str, *, threshold: int = 10) -> list[SuiteSpec]:
    rows = metrics[metrics["reporting_year"] == year].reset_index(drop=True)
    published = masked_metrics(rows, catalogue, threshold=threshold, marker=MARKER)
    frame = disclosure_frame(rows, published, catalogue, threshold)
    small = f"1 to {threshold - 1}"
    cells = SuiteSpec("disclosure", frame, (
        Check(
            f"no count of {small} people is published below county level", "error",
            gxe.ExpectColumnValuesToNotBeInSet(
                column="person_count", value_set=[f"count of {small} people shown"]),
            f"person counts below county are 0, {threshold} or more, or shown as {MARKER}",
        ),
        Check(
            f"no percentage or mean based on fewer than {threshold} is published", "error",
            gxe.ExpectColumnValuesToNotBeInSet(
                column="rate_base", value_set=[f"based on fewer than {threshold} but shown"]),
            f"a rate whose denominator or n is under {threshold} is shown as {MARKER}",
        ),
        Check(
            "no suppressed count can be worked out from the county total", "error",
            gxe.ExpectColumnValuesToNotBeInSet(
                column="count_differencing", value_set=[f"value {RECOVERABLE}"]),
            "county minus the published districts is not equal to a single suppressed cell",
        ),
        Check(
            "no suppressed percentage's numerator or base can be worked out from the county total",
            "error",
            gxe.ExpectColumnValuesToNotBeInSet(
                column="rate_differencing", value_set=[f"{c} {RECOVERABLE}" for c in _PARTS]),
            "county minus the published districts is not equal to a single suppressed "
            "numerator, denominator or n",
        ),
    ))
    actuals = SuiteSpec("disclosure_toc", toc_actuals_frame(frame, toc, year), (
        Check(
            "no ToC indicator publishes a value the metrics suppress", "error",
            gxe.ExpectColumnValuesToNotBeInSet(
                column="actual", value_set=["shows a value the metrics suppress"]),
            f"an indicator's actual is blank where its metric's county cell is {MARKER}",
            concern_columns=("indicator_id", "metric_id"),
        ),
    ))
    counted = catalogue[(catalogue["unit"] == "count") & catalogue["family"].isin(PEOPLE_FAMILIES)]
    flags = counted[["metric_id"]].reset_index(drop=True).astype("object")
    flags["person_count"] = ["flagged" if bool(v) else "not flagged" for v in counted["is_person_count"]]
    catalogue_check = SuiteSpec("disclosure_catalogue", flags, (
        Check(
            "counts of people are flagged as person counts in the catalogue", "error",
            gxe.ExpectColumnValuesToBeInSet(column="person_count", value_set=["flagged"]),
            "every count metric of the employment, wellbeing and inequality families is masked "
            "as a count of people (the pack's suppression relies on the flag)",
            concern_columns=("metric_id",),
        ),
    ))
    audited = SuiteSpec("disclosure_audit", auditor_frame(published, catalogue, toc, year, threshold), (
        Check(
            "the disclosure auditor recovers no small count from what would be published", "error",
            gxe.ExpectColumnValuesToBeInSet(column="verdict", value_set=["nothing recoverable"]),
            "no small count of people, and no figure on a small base, is shown or can be worked out",
            concern_columns=("where",),
        ),
    ))
    return [cells, actuals, catalogue_check, audited]
