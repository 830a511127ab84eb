"""Disclosure control for published metrics (spec §7): pure functions on pandas frames.

Primary suppression, per row of `marts.metrics`:
- a count of people (catalogue `is_person_count`, unit `count`) from 1 to threshold-1 below
  county level;
- a percentage, mean or other rate whose denominator (or, without one, n) is under the
  threshold, at any level;
- below county, a rate whose numerator is from 1 to threshold-1: the numerator of a rate of
  people is itself a small count of people, recoverable as value x denominator (stricter
  than spec §7, which names only the denominator);
- true zeros are shown, and money (unit `gbp`) is never suppressed.

Secondary suppression, per metric and year: where exactly one suppressed district cell holds a
non-zero part (a count, a rate's base or its numerator) and the county total is published, the
next-smallest district cell that is non-zero in every part is suppressed too, so no suppressed
part can be recovered as county minus the other districts. With no such district, the county
total is suppressed instead.
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
    value = _numbers(frame["value"])
    base = _numbers(frame["denominator"]).fillna(_numbers(frame["n"]))
    small_count = (
        is_person & (frame["unit"] == "count") & below_county
        & (value >= 1) & (value < threshold)
    )
    rate = frame["unit"].isin(RATE_UNITS) & value.notna()
    small_base = rate & (base < threshold)
    numerator = _numbers(frame["numerator"])
    small_numerator = rate & below_county & (numerator >= 1) & (numerator < threshold)
    frame["suppression"] = None
    frame.loc[small_count | small_base | small_numerator, "suppression"] = "primary"
    for _, group in frame.groupby(_KEY, sort=False):
        _protect_from_differencing(frame, group, value, base)
    return frame


def _protect_from_differencing(
    frame: pd.DataFrame, group: pd.DataFrame, value: pd.Series, base: pd.Series
) -> None:
    """If exactly one suppressed district cell holds a non-zero part (a count, a rate's base or its
    numerator), county minus the published districts would give it back: suppress one more
    district cell that is non-zero in every part, or else the county total."""
    districts = group[group["geography_level"] == "district"]
    county = group[(group["geography_level"] == "county") & value[group.index].notna()]
    if county.empty or county["suppression"].notna().any():
        return
    count = districts["unit"] == "count"
    numerator = _numbers(frame["numerator"])[districts.index]
    parts = {"size": value.where(count, base)[districts.index],
             "numerator": numerator.where(~count & numerator.notna())}
    suppressed = frame.loc[districts.index, "suppression"].notna()
    exposed = any(int((suppressed & part.gt(0)).sum()) == 1 for part in parts.values())
    if not exposed:
        return
    # a zero cell cannot protect: it would leave the suppressed part recoverable
    protects = parts["size"].gt(0) & (parts["numerator"].isna() | parts["numerator"].gt(0))
    candidates = districts[~suppressed & protects]
    if candidates.empty:
        frame.loc[county.index, "suppression"] = "secondary"
        return
    ranked = pd.DataFrame({"size": parts["size"][candidates.index], "code": candidates["geography_code"]})
    frame.loc[ranked.sort_values(["size", "code"]).index[0], "suppression"] = "secondary"


def _numbers(column: pd.Series) -> pd.Series:
    """float64 with NaN for missing (DuckDB's nullable INTEGER arrives as Int32 with pd.NA)."""
    return pd.to_numeric(column, errors="coerce").astype("float64")


def _format_number(x: object) -> str | None:
    """Plain text without float noise: 1100000.0000000002 -> '1100000', 7.25 -> '7.25'."""
    if x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x)):
        return None
    if isinstance(x, str):
        return x
    return f"{float(x):.6f}".rstrip("0").rstrip(".")


def masked_metrics(
    metrics: pd.DataFrame, catalogue: pd.DataFrame, *, threshold: int = 10, marker: str = "[c]"
) -> pd.DataFrame:
    """The metrics as published: suppressed rows show `marker` in every number column, and a
    numerator or n of 1..threshold-1 below county is masked unless the metric is money."""
    frame = suppression_flags(metrics, catalogue, threshold=threshold)
    hidden = frame["suppression"].notna()
    small_part = (frame["geography_level"] != "county") & (frame["unit"] != "gbp")
    for column in MASKED_COLUMNS:
        numbers = _numbers(frame[column])
        cells = pd.Series([_format_number(x) for x in frame[column]], index=frame.index,
                          dtype="object")
        mask = hidden & numbers.notna()
        if column in ("numerator", "n"):
            mask |= small_part & (numbers >= 1) & (numbers < threshold)
        cells[mask] = marker
        frame[column] = cells
    return frame


TOC_DERIVED = ("actual", "change_since_baseline", "share_of_way_to_target")


def masked_toc(toc: pd.DataFrame, published_metrics: pd.DataFrame, *, marker: str = "[c]") -> pd.DataFrame:
    """The ToC indicators as published: an indicator whose metric's county cell is suppressed for
    the year shows `marker` for its actual and what derives from it, and grey RAG (spec §5: grey is
    no data or suppressed), so the indicator cannot reveal what the metrics hide."""
    if toc.empty or "metric_id" not in toc.columns:
        return toc
    county = published_metrics[published_metrics["geography_level"] == "county"]
    hidden = set(zip(county.loc[county["value"] == marker, "metric_id"],
                     county.loc[county["value"] == marker, "reporting_year"], strict=True))
    frame = toc.copy()
    mask = pd.Series([(m, y) in hidden for m, y in zip(frame["metric_id"], frame["reporting_year"], strict=True)],
                     index=frame.index)
    for column in TOC_DERIVED:
        if column in frame.columns:
            frame[column] = frame[column].astype("object")
            frame.loc[mask & frame[column].notna(), column] = marker
    if "rag_status" in frame.columns:
        frame.loc[mask, "rag_status"] = "grey"
    return frame
