"""Disclosure control for published metrics (spec §7): pure functions on pandas frames.

Primary suppression, per row of `marts.metrics`:
- a count of people (catalogue `is_person_count`, unit `count`) from 1 to threshold-1 below
  county level;
- a percentage, mean or other rate whose denominator (or, without one, n) is under the
  threshold, at any level;
- true zeros are shown, and money (unit `gbp`) is never suppressed.

Secondary suppression, per metric and year: if exactly one district cell is suppressed and the
county total is published, the next-smallest non-zero district cell is suppressed too, so the
first cannot be recovered as county minus the other districts. With no district left to take,
the county total is suppressed instead.
"""

from __future__ import annotations

import math

import pandas as pd

RATE_UNITS = frozenset({"pct", "mean", "score", "wellby", "ratio"})
MASKED_COLUMNS = ("value", "numerator", "denominator", "n", "ci_low", "ci_high")
_KEY = ["metric_id", "reporting_year"]


def suppression_flags(
    metrics: pd.DataFrame, catalogue: pd.DataFrame, *, threshold: int = 10
) -> pd.DataFrame:
    """`metrics` with `suppression` added: 'primary', 'secondary' or None."""
    frame = metrics.reset_index(drop=True).copy()
    person = catalogue.set_index("metric_id")["is_person_count"].fillna(False).astype(bool)
    is_person = frame["metric_id"].map(person).fillna(False).astype(bool)
    below_county = frame["geography_level"] != "county"
    value = pd.to_numeric(frame["value"], errors="coerce")
    base = pd.to_numeric(frame["denominator"], errors="coerce").fillna(
        pd.to_numeric(frame["n"], errors="coerce")
    )
    small_count = (
        is_person & (frame["unit"] == "count") & below_county
        & (value >= 1) & (value < threshold)
    )
    small_base = frame["unit"].isin(RATE_UNITS) & value.notna() & (base < threshold)
    frame["suppression"] = None
    frame.loc[small_count | small_base, "suppression"] = "primary"
    for _, group in frame.groupby(_KEY, sort=False):
        _protect_from_differencing(frame, group, value, base)
    return frame


def _protect_from_differencing(
    frame: pd.DataFrame, group: pd.DataFrame, value: pd.Series, base: pd.Series
) -> None:
    districts = group[group["geography_level"] == "district"]
    suppressed = districts["suppression"].notna()
    county = group[(group["geography_level"] == "county") & value[group.index].notna()]
    if suppressed.sum() != 1 or county.empty or county["suppression"].notna().any():
        return
    # size is what differencing would recover: the count itself, or a rate's denominator
    size = value.where(group["unit"] == "count", base)[districts.index]
    candidates = districts[~suppressed & size.gt(0)].assign(size=size)
    if candidates.empty:
        frame.loc[county.index, "suppression"] = "secondary"
        return
    smallest = candidates.sort_values(["size", "geography_code"]).index[0]
    frame.loc[smallest, "suppression"] = "secondary"


def _format_number(x: object) -> object:
    if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA:
        return None
    if isinstance(x, float):
        return f"{x:.6f}".rstrip("0").rstrip(".")
    return x


def masked_metrics(
    metrics: pd.DataFrame, catalogue: pd.DataFrame, *, threshold: int = 10, marker: str = "[c]"
) -> pd.DataFrame:
    """The metrics as published: suppressed rows show `marker` in every number column, and a
    numerator or n of 1..threshold-1 below county is masked unless the metric is money."""
    frame = suppression_flags(metrics, catalogue, threshold=threshold)
    hidden = frame["suppression"].notna()
    small_part = (frame["geography_level"] != "county") & (frame["unit"] != "gbp")
    for column in MASKED_COLUMNS:
        numbers = pd.to_numeric(frame[column], errors="coerce")
        cells = frame[column].astype("object").map(_format_number)
        mask = hidden & numbers.notna()
        if column in ("numerator", "n"):
            mask |= small_part & (numbers >= 1) & (numbers < threshold)
        cells[mask] = marker
        frame[column] = cells
    return frame
