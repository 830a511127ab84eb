"""The tables of one reporting year, read from the published snapshot (read-only) for its pack."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from exports.reference_data import reference_appendix
from exports.revisions import PackError
from exports.sources import YearSources, year_sources
from partnership.rows import has_table


def read_snapshot(snapshot_path: Path, year: str) -> tuple[dict[str, pd.DataFrame], YearSources]:
    """The year's tables from the snapshot (optional tables absent from it are simply left out),
    and what fed the year."""
    if not snapshot_path.is_file():
        raise PackError(f"no published snapshot at {snapshot_path}")
    with duckdb.connect(str(snapshot_path), read_only=True) as con:
        for schema, table in (("marts", "metrics"), ("marts", "metric_catalogue")):
            if not has_table(con, schema, table):
                raise PackError(f"the snapshot {snapshot_path} has no {schema}.{table}")
        tables = {
            "metrics": con.execute(
                "select * from marts.metrics where reporting_year = ?", [year]).df(),
            "metrics_all_years": con.execute(
                "select * from marts.metrics where reporting_year <= ? order by reporting_year",
                [year]).df(),
            "catalogue": con.sql("select * from marts.metric_catalogue order by metric_id").df(),
            "toc": con.execute(
                "select * from marts.toc_indicators where reporting_year = ? order by indicator_id",
                [year]).df() if has_table(con, "marts", "toc_indicators") else pd.DataFrame(),
            "breakdowns": con.execute(
                "select * from marts.metric_breakdowns where reporting_year = ? "
                "order by metric_id, breakdown, sort_order", [year]).df()
            if has_table(con, "marts", "metric_breakdowns") else pd.DataFrame(),
        }

        if has_table(con, "gate", "results"):
            tables["gate_results"] = con.execute(
                "select * from gate.results where reporting_year = ? and run_id = ("
                " select run_id from gate.results where reporting_year = ?"
                " order by validated_at desc limit 1)", [year, year]).df()
        if has_table(con, "lineage", "load_audit"):
            tables["load_audit"] = con.sql("select * from lineage.load_audit order by loaded_at").df()
        tables["reference_data"] = reference_appendix(con)
        sources = year_sources(con, year)
    if tables["metrics"].empty:
        raise PackError(f"the snapshot has no metrics for {year}")
    return tables, sources


