"""Overlaps: files loaded beside another file they overlap (same publisher and month, or the same
business keys) without replacing it. Both stay in the warehouse (docs/ingest-policy.md), so a
total may count a month twice: the gate warns, naming the files, and the pack's cover lists it.

One suite over a frame of the load audit (raw.load_audit): every current file of the year (its
period meets the year, or it has no period), with the files it overlaps.
"""

from __future__ import annotations

import duckdb
import pandas as pd
from great_expectations import expectations as gxe

from expectations.suites.check import Check, SuiteSpec
from expectations.suites.coverage import CoverageThresholds, year_bounds

_COLUMNS = ["feed", "source_file", "overlaps_with"]


def overlap_frame(con: duckdb.DuckDBPyConnection, year: str, start_month: int) -> pd.DataFrame:
    columns = {r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema = 'raw' and table_name = 'load_audit'"
    ).fetchall()}
    if "overlaps_with" not in columns:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in _COLUMNS})
    start, end = year_bounds(year, start_month)
    return con.execute(
        """select feed, source_file, overlaps_with from raw.load_audit
           where status in ('loaded', 'replaced')
             and (period_start is null or (period_start < $end and period_end >= $start))
           order by feed, source_file""", {"start": start, "end": end}).df().astype("object")


def overlap_suites(con: duckdb.DuckDBPyConnection, year: str,
                   thresholds: CoverageThresholds | None = None) -> list[SuiteSpec]:
    t = thresholds or CoverageThresholds()
    check = Check(
        "no loaded file overlaps another it does not replace (same publisher and month, or the same keys)",
        "warning", gxe.ExpectColumnValuesToBeNull(column="overlaps_with"),
        "no overlaps (declare corrections with `impact ingest NEW --replaces OLD`)",
        concern_columns=("feed", "source_file", "overlaps_with"))
    return [SuiteSpec("overlaps", overlap_frame(con, year, t.year_start_month), (check,))]
