"""Disclosure control for published metrics (spec §7): pure functions on pandas frames.

Primary suppression, per row of `marts.metrics` (threshold t, default 10):
- a count of people (catalogue `is_person_count`, unit `count`) from 1 to t-1 below county level;
- a percentage, mean or other rate whose base (denominator, or without one n) is under t, at any
  level; likewise money computed from people (WB06's £ values, FE08's cost per job start: a £ row
  of the employment, wellbeing or inequality family with a base). IN01's n is its smaller quintile,
  WB05's its pairs, so every group a figure is computed from meets the rule;
- below county, a rate's numerator from 1 to t-1; and for rates of people (employment, wellbeing,
  inequality) every other group it is computed from: the rest of its base (denominator minus
  numerator: e.g. job starts paid below the Living Wage) and the people it leaves out that another
  published count gives away (FE05's base is FE03's job starts less those too recent:
  `LEFT_OUT_OF`), each from 1 to t-1 (signatories and pledges are organisations, not people);
- true zeros are shown, and money that is not computed from people (spend) is never suppressed.

Secondary suppression, per metric and year: where exactly one suppressed district cell holds a
non-zero part (a count, a rate's base, its numerator, the rest of its base, the people it leaves
out) and the county total is published, the next-smallest district cell that is non-zero in every
part is suppressed too, so no suppressed part can be recovered as county minus the other districts.
With no such district, the county total is suppressed instead. IN01's n (its smaller quintile) is
such a part only in a year where it adds up across the districts.

Linked suppression: a metric that publishes part of another metric's row (FE04's numerator and
denominator are FE03's and FE01's counts; WB02's base is WB01's responses; WB06 and its £ values
are WB05's mean times its pairs: `SHOWS_PARTS_OF`) is suppressed in every district and year where
that metric is, then protected from differencing in its own right; repeated until nothing changes.

A suppressed row hides its notes too when they hold a number. The disclosure auditor
(`exports/audit/`) checks what the pack publishes independently of this module.
"""

from __future__ import annotations

import math
import re
from typing import SupportsFloat

import numpy as np
import pandas as pd

RATE_UNITS = frozenset({"pct", "mean", "score", "wellby", "ratio"})
PEOPLE_FAMILIES = frozenset({"employment", "wellbeing", "inequality"})
MASKED_COLUMNS = ("value", "numerator", "denominator", "n", "ci_low", "ci_high")
# metric: the metrics whose row (same year and geography) it publishes a part of
SHOWS_PARTS_OF = {
    "FE04": ("FE01", "FE03"),
    "WB02": ("WB01",),
    "WB06": ("WB05",), "WB06_GBP": ("WB05",), "WB06_GBP_LOW": ("WB05",), "WB06_GBP_HIGH": ("WB05",),
}
# share: the count metric whose value less the share's denominator is the people it leaves out
LEFT_OUT_OF = {"FE02": "FE01", "FE05": "FE03", "FE07": "FE03", "IN02": "FE03"}
# metrics whose n need not add up across districts (IN01's n is its smaller quintile): protected from
# differencing only where it does (_adds_up)
N_NOT_ADDITIVE = frozenset({"IN01"})
_KEY = ["metric_id", "reporting_year"]
_DIGIT = re.compile(r"\d")


def suppression_flags(
    metrics: pd.DataFrame, catalogue: pd.DataFrame, *, threshold: int = 10
) -> pd.DataFrame:
    """`metrics` with `suppression` added: 'primary', 'secondary', 'linked' or None. A frame with a
    `breakdown` column (categories instead of districts) is protected per breakdown."""
    frame = metrics.reset_index(drop=True).copy()
    parts = _parts(frame)
    frame["suppression"] = None
    frame.loc[_primary(frame, catalogue, parts, threshold), "suppression"] = "primary"
    key = _group_key(frame)
    for _ in range(20):  # suppression only grows, so this settles; 20 rounds is far beyond need
        changed = False
        # only a group with a suppressed district cell can need more (the rest would return False)
        hidden = frame["suppression"].notna() & (frame["geography_level"] != "county")
        touched = hidden.groupby([frame[k] for k in key], sort=False, dropna=False).transform("any")
        for _, group in frame[touched.astype(bool)].groupby(key, sort=False, dropna=False):
            changed |= _protect_from_differencing(frame, group, parts)
        changed |= _link(frame)
        if not changed:
            break
    return frame


def _group_key(frame: pd.DataFrame) -> list[str]:
    """The columns of one protection group: a metric's year, per breakdown in a breakdown frame."""
    return _KEY + (["breakdown"] if "breakdown" in frame.columns else [])


def _parts(frame: pd.DataFrame) -> pd.DataFrame:
    """Per row, the groups its figure is computed from: size (a count's value, else the base),
    numerator, the rest of the base, and the people left out (NaN where not defined)."""
    value, numerator = _numbers(frame["value"]), _numbers(frame["numerator"])
    base = _numbers(frame["denominator"]).fillna(_numbers(frame["n"]))
    count = frame["unit"] == "count"
    rest = (_numbers(frame["denominator"]) - numerator).where(frame["unit"] == "pct")
    size = value.where(count, base).where(~frame["metric_id"].isin(N_NOT_ADDITIVE) | _adds_up(frame, base))
    return pd.DataFrame({
        "size": size,
        "numerator": numerator.where(~count),
        "rest": rest,
        "left_out": _left_out(frame),
    }, index=frame.index)


def _adds_up(frame: pd.DataFrame, base: pd.Series) -> pd.Series:
    """Per row: does its group's county base equal the sum of its district bases? IN01's n (its
    smaller quintile) need not add up, but it does where the same quintile is the smaller one in
    every district, and then county minus the published districts gives a suppressed district's n
    back (the demo's 2022-23 and 2023-24: 107 - 33 - 71 = 3): there it is protected like a count."""
    key = [frame[k] for k in _group_key(frame)]
    county = frame["geography_level"] == "county"
    districts = base.where(~county).groupby(key, dropna=False).transform("sum", min_count=1)
    total = base.where(county).groupby(key, dropna=False).transform("max")
    return pd.Series(np.isclose(total, districts, rtol=1e-9, atol=1e-6), index=frame.index)


def _left_out(frame: pd.DataFrame) -> pd.Series:
    """For a share of `LEFT_OUT_OF`: the parent count of the same year and geography less the
    share's denominator (NaN where either is missing)."""
    values = {(m, y, g): v for m, y, g, v in zip(
        frame["metric_id"], frame["reporting_year"], frame["geography_code"], _numbers(frame["value"]),
        strict=True)}
    parent = [values.get((LEFT_OUT_OF.get(m), y, g), math.nan) for m, y, g in zip(
        frame["metric_id"], frame["reporting_year"], frame["geography_code"], strict=True)]
    return pd.Series(parent, index=frame.index, dtype="float64") - _numbers(frame["denominator"])


def _primary(frame: pd.DataFrame, catalogue: pd.DataFrame, parts: pd.DataFrame, threshold: int) -> pd.Series:
    meta = catalogue.set_index("metric_id")
    person = frame["metric_id"].map(meta["is_person_count"]).fillna(False).astype(bool)
    family = meta["family"] if "family" in meta.columns else pd.Series(dtype="object")
    of_people = frame["metric_id"].map(family).isin(PEOPLE_FAMILIES)
    below_county = frame["geography_level"] != "county"
    value = _numbers(frame["value"])
    base = _numbers(frame["denominator"]).fillna(_numbers(frame["n"]))

    def small(part: pd.Series) -> pd.Series:
        return (part >= 1) & (part < threshold)

    rate = value.notna() & (frame["unit"].isin(RATE_UNITS)
                            | ((frame["unit"] == "gbp") & of_people & base.notna()))
    small_count = person & (frame["unit"] == "count") & below_county & small(value)
    small_base = rate & (base < threshold)
    small_group = value.notna() & below_county & (
        (rate & small(parts["numerator"]))
        | (of_people & (small(parts["rest"]) | small(parts["left_out"]))))
    return small_count | small_base | small_group


def _protect_from_differencing(frame: pd.DataFrame, group: pd.DataFrame, parts: pd.DataFrame) -> bool:
    """If exactly one suppressed district cell holds a non-zero part, county minus the published
    districts would give it back: suppress one more district cell that is non-zero in every part,
    or else the county total. True if a cell was suppressed."""
    districts = group[group["geography_level"] != "county"]
    value = _numbers(group["value"])
    county = group[(group["geography_level"] == "county") & value.notna()]
    if county.empty or districts.empty or frame.loc[county.index, "suppression"].notna().any():
        return False
    mine = parts.loc[districts.index]
    suppressed = frame.loc[districts.index, "suppression"].notna()
    nonzero = {p: int((suppressed & mine[p].gt(0)).sum()) for p in mine.columns}
    exposed = [p for p, hidden in nonzero.items() if hidden == 1]
    if not exposed:
        return False
    # a cell that is zero in an exposed part cannot protect it: the part would stay recoverable
    protects = mine["size"].isna() | mine["size"].gt(0)
    for p in exposed:
        protects &= mine[p].gt(0)
    candidates = districts[~suppressed & protects]
    if candidates.empty:
        frame.loc[county.index, "suppression"] = "secondary"
        return True
    # prefer a cell that exposes no part no suppressed cell held yet; then the smallest
    fresh = [p for p, hidden in nonzero.items() if hidden == 0]
    ranked = pd.DataFrame({
        "exposes": sum(mine.loc[candidates.index, p].gt(0).astype(int) for p in fresh) if fresh else 0,
        "size": mine.loc[candidates.index, "size"], "code": candidates["geography_code"]})
    frame.loc[ranked.sort_values(["exposes", "size", "code"]).index[0], "suppression"] = "secondary"
    return True


def _link(frame: pd.DataFrame) -> bool:
    """Suppress a row of a `SHOWS_PARTS_OF` metric where a metric it shows part of is suppressed."""
    hidden = {(m, y, g) for m, y, g, s in zip(frame["metric_id"], frame["reporting_year"],
                                              frame["geography_code"], frame["suppression"], strict=True)
              if s is not None}
    linked = [
        s is None and any((source, y, g) in hidden for source in SHOWS_PARTS_OF.get(m, ()))
        for m, y, g, s in zip(frame["metric_id"], frame["reporting_year"], frame["geography_code"],
                              frame["suppression"], strict=True)
    ]
    mask = pd.Series(linked, index=frame.index, dtype=bool)
    frame.loc[mask, "suppression"] = "linked"
    return bool(mask.any())


def _numbers(column: pd.Series) -> pd.Series:
    """float64 with NaN for missing (DuckDB's nullable INTEGER arrives as Int32 with pd.NA)."""
    return pd.to_numeric(column, errors="coerce").astype("float64")


def _format_number(x: object) -> str | None:
    """Plain text without float noise: 1100000.0000000002 -> '1100000', 7.25 -> '7.25'."""
    if x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x)):
        return None
    if isinstance(x, str):
        return x
    if not isinstance(x, SupportsFloat):
        raise TypeError(f"not a number: {x!r}")
    return f"{float(x):.6f}".rstrip("0").rstrip(".")


def masked_metrics(
    metrics: pd.DataFrame, catalogue: pd.DataFrame, *, threshold: int = 10, marker: str = "[c]"
) -> pd.DataFrame:
    """The metrics as published: suppressed rows show `marker` in every number column (and in
    notes that hold a number), and a numerator or n of 1..threshold-1 below county is masked
    unless the metric is money."""
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
    if "notes" in frame.columns:
        notes = frame["notes"].astype("object")
        numbered = notes.map(lambda t: isinstance(t, str) and bool(_DIGIT.search(t)))
        frame["notes"] = notes.mask(hidden & numbered, marker)
    return frame


def masked_breakdowns(
    breakdowns: pd.DataFrame, metrics: pd.DataFrame, catalogue: pd.DataFrame, *,
    threshold: int = 10, marker: str = "[c]",
) -> pd.DataFrame:
    """Breakdown rows (`marts.metric_breakdowns`) as published, under the rules of the metrics:
    the categories of a breakdown play the districts, the metric's county row the total."""
    if breakdowns.empty:
        return breakdowns.assign(suppression=pd.Series(dtype="object"))
    categories = breakdowns.assign(geography_level="category", numerator=math.nan,
                                   denominator=math.nan, ci_low=math.nan, ci_high=math.nan)
    categories["geography_code"] = categories["breakdown"] + ":" + categories["category"]
    county = metrics[metrics["geography_level"] == "county"]
    totals = [county[county["metric_id"] == m].assign(breakdown=b)
              for m, b in categories[["metric_id", "breakdown"]].drop_duplicates().itertuples(index=False)]
    frame = pd.concat([categories, *totals], ignore_index=True)
    masked = masked_metrics(frame, catalogue, threshold=threshold, marker=marker)
    out = masked[masked["geography_level"] == "category"].reset_index(drop=True)
    result = breakdowns.reset_index(drop=True).copy()  # categories come first, in order
    for column in [*MASKED_COLUMNS, "notes", "suppression"]:
        if column in result.columns or column == "suppression":
            result[column] = out[column].values
    return result


TOC_DERIVED = ("actual", "actual_ci_low", "actual_ci_high", "change_since_baseline",
               "share_of_way_to_target")


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
    if "data_quality" in frame.columns:
        frame.loc[mask, "data_quality"] = "withheld to protect confidentiality"
    return frame
