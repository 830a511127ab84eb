"""The rows of a batch that do not load as they are, and the quarantine rows they leave.

A failed row is one of: blank (skipped), a footer or total (skipped and counted; a single trailing
amount is kept as the publisher's total), or quarantined with every reason. A cell recorded and
nulled (wellbeing items) leaves a quarantine row too. Each batch's quarantine rows are a small
frame (ISSUE_SCHEMA) written with the batch, so a file with millions of bad rows never holds them
all: only their counts are kept across the file (ingest/conform.py Conformed).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import polars as pl

from ingest import columns as parsers
from ingest.privacy import masked_shape
from ingest.tables import MAX_FIELD

if TYPE_CHECKING:
    from ingest.conform import Conformed, Header

ISSUE_SCHEMA = pl.Schema({"row_number": pl.Int64, "column_name": pl.String, "raw_value": pl.String,
                          "reason": pl.String})
RAW_VALUE_CHARS = 500  # of a quarantined cell, kept for the steward
_TOTAL = re.compile(r"^\s*(grand\s+|sub\s*-?\s*)?totals?\b", re.IGNORECASE)


def issue_frame(issues: list[tuple[int, str, str, str]]) -> pl.DataFrame:
    """(row number, column, raw value, reason) tuples -> a frame of ISSUE_SCHEMA."""
    return pl.DataFrame(issues, schema=ISSUE_SCHEMA, orient="row")


def failed_rows(bad: pl.DataFrame, batch: pl.DataFrame, header: Header, out: Conformed) -> pl.DataFrame:
    """Rows that failed: blank, footer/total, or quarantined with every reason (usually few rows)."""
    if bad.height == 0:
        return issue_frame([])
    cells = [f"c{i}" for i in range(header.width)]
    money = [f"c{p}" for p, n in header.mapping.items()
             if any(c.name == n and c.type == "money" for c in header.entity.columns)]
    why = [c for c in bad.columns if c.startswith("_why_")]
    joined = bad.select("_row_number", *why, *[c for c in bad.columns if c.startswith("t_")]).join(
        batch.select("_row_number", *cells), on="_row_number", how="left").sort("_row_number")
    rows = joined.rows(named=True)
    trailing_from = _trailing_start(rows, cells, money)
    amount = next((c for c in header.entity.columns if c.type == "money"), None)
    issues = []
    for row in rows:
        texts = [(row[c] or "").strip() for c in cells]
        if not any(texts):
            out.blank_rows += 1
            continue
        if max(len(t) for t in texts) > MAX_FIELD:
            out.oversized = True
        only_amounts = all(not (row[c] or "").strip() for c in cells if c not in money)
        if _TOTAL.match(next(t for t in texts if t)) or (only_amounts and row["_row_number"] >= trailing_from):
            out.footer_rows += 1
            amounts = [row[c] for c in money if (row[c] or "").strip()]
            if len(amounts) == 1 and amount is not None:
                total = pl.DataFrame({"a": amounts}).select(parsers.parse(pl.col("a"), amount)[0]).item()
                out.publisher_total = total if total is not None else out.publisher_total
            continue
        out.rows_read += 1
        out.rows_quarantined += 1
        for name in why:
            if row[name] is not None:
                column = name.removeprefix("_why_")
                raw = row.get(f"t_{column}") or ""
                issues.append((row["_row_number"], column, raw[:RAW_VALUE_CHARS], row[name]))
                if column in header.entity.required or column == "(row)":
                    out.failures[column] = out.failures.get(column, 0) + 1
                    out.example_failure.setdefault(column, masked_shape(raw))
    return issue_frame(issues)


def _trailing_start(rows: list[dict], cells: list[str], money: list[str]) -> int:
    """Row number from which the failed rows are a trailing block of amount-only lines."""
    start = None
    for row in reversed(rows):
        if all(not (row[c] or "").strip() for c in cells if c not in money):
            start = row["_row_number"]
        else:
            break
    return start if start is not None else 1 << 62


def recorded_cells(rows: pl.DataFrame, why: list[str]) -> pl.DataFrame:
    """Cells of rows that load with a value nulled and recorded: one quarantine row per cell, in
    row order then column order (vectorised: a file may have many)."""
    parts = [
        rows.filter(pl.col(name).is_not_null()).select(
            pl.col("_row_number").cast(pl.Int64).alias("row_number"),
            pl.lit(name.removeprefix("_why_")).alias("column_name"),
            (pl.col(f"t_{name.removeprefix('_why_')}").fill_null("").str.slice(0, RAW_VALUE_CHARS)
             if f"t_{name.removeprefix('_why_')}" in rows.columns else pl.lit("")).alias("raw_value"),
            pl.col(name).alias("reason"), pl.lit(order).alias("_order"))
        for order, name in enumerate(why)]
    if not parts or not rows.height:
        return issue_frame([])
    return pl.concat(parts).sort("row_number", "_order").drop("_order").cast(ISSUE_SCHEMA)
