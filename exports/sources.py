"""What fed a reporting year: each feed's coverage of the year, and the source files behind it.

Read from the published snapshot only (facts in `marts`, the load audit in `lineage`). The fact
tables that carry a `reporting_year` and the lineage columns `_source_file` give the files whose
rows fall in the year; entities that are not dated by year (signatories, pledge updates,
participants, programme costs, suppliers, contracts) contribute every version current at
publication, and are listed as such.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd

from partnership.rows import has_table, one_row

# fact table, feed, entity, the date column that places a row in the year, what a row is
DATED_FACTS = (
    ("fct_payments", "spend", "payments", "payment_date", "payments"),
    ("fct_outcomes", "programme", "outcomes", "outcome_on", "outcomes"),
    ("fct_responses", "wellbeing", "responses", "completed_on", "survey responses"),
)
CURRENT_STATUSES = ("loaded", "replaced")


@dataclass(frozen=True)
class YearSources:
    coverage: list[str] = field(default_factory=list)  # one line per feed, for the cover
    files: list[dict[str, Any]] = field(default_factory=list)  # for the manifest and data log


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> set[str]:
    return {r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
        [schema, table]).fetchall()}


def year_sources(con: duckdb.DuckDBPyConnection, year: str) -> YearSources:
    audit = _load_audit(con)
    coverage, files = [], []
    for table, feed, entity, date_column, what in DATED_FACTS:
        if not has_table(con, "marts", table) or not {"reporting_year", "_source_file", date_column} <= _columns(
                con, "marts", table):
            coverage.append(f"{feed}: no {what} in this snapshot")
            continue
        months, rows, first, last = one_row(
            con, f"select count(distinct date_trunc('month', {date_column})), count(*), min({date_column}),"
            f" max({date_column}) from marts.{table} where reporting_year = ?", [year])
        coverage.append(f"{feed}: {rows:,} {what} dated {first or '-'} to {last or '-'}, "
                        f"in {months} of 12 months" if rows else f"{feed}: no {what} in {year}")
        per_file = con.execute(
            f"select _source_file, count(*) from marts.{table} where reporting_year = ?"
            " group by 1 order by 1", [year]).fetchall()
        for source_file, year_rows in per_file:
            files.append(_file_entry(audit, feed, entity, source_file, year_rows, f"{what} in {year}"))
    if has_table(con, "marts", "fct_pledge_status"):
        pledges, active = one_row(
            con, "select count(*), count(*) filter (where is_active) from marts.fct_pledge_status"
            " where reporting_year = ?", [year])
        coverage.append(f"charter: {pledges:,} pledges with a status at the year end ({active:,} active)")
    if audit is not None:
        dated = {(feed, entity) for _, feed, entity, *_ in DATED_FACTS}
        undated = audit[audit["status"].isin(CURRENT_STATUSES)
                        & ~audit.apply(lambda r: (r["feed"], r["entity"]) in dated, axis=1)]
        for r in undated.itertuples():
            files.append(_file_entry(audit, r.feed, r.entity, r.source_file, None,
                                     f"{r.entity} (current version, not dated by year)"))
    return YearSources(coverage, files)


def _load_audit(con: duckdb.DuckDBPyConnection) -> pd.DataFrame | None:
    for schema in ("lineage", "raw"):
        if has_table(con, schema, "load_audit"):
            return con.sql(f"select * from {schema}.load_audit order by loaded_at").df()
    return None


def _file_entry(audit: pd.DataFrame | None, feed: str, entity: str, source_file: str,
                year_rows: int | None, contributes: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"feed": feed, "file": source_file, "contributes": contributes,
                             "rows_in_year": year_rows, "sha256": None, "rows_loaded": None,
                             "rows_rejected": None, "loaded_at": None}
    if audit is not None:
        # a workbook's sheets are audited as `file.xlsx#Sheet`; facts name the file
        named = (audit["source_file"] == source_file) | audit["source_file"].str.startswith(f"{source_file}#")
        match = audit[named & (audit["entity"] == entity) & audit["status"].isin(CURRENT_STATUSES)]
        if not match.empty:
            last = match.iloc[-1]
            entry.update(sha256=last["file_sha256"], rows_loaded=_int(last["rows_loaded"]),
                         rows_rejected=_int(last["rows_quarantined"]), loaded_at=str(last["loaded_at"]))
    return entry


def _int(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)
