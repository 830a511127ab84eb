"""The pack's appendix on reference data: which IMD edition, postcode lookup and reference seeds
produced the figures, with their checksums, and whether the postcode lookup was synthetic. Read
from the snapshot's lineage.reference_data (written at publication, publication/reference_data.py);
a snapshot without it gives no appendix."""

from __future__ import annotations

import duckdb
import pandas as pd

from partnership.rows import has_table

APPENDIX_COLUMNS = {"dataset": "Dataset", "edition": "Edition", "source": "Source",
                    "synthetic": "Synthetic", "rows": "Rows", "sha256": "SHA-256"}


def reference_appendix(con: duckdb.DuckDBPyConnection) -> pd.DataFrame | None:
    """One row per reference dataset, the synthetic ones first, ready for the workbook."""
    if not has_table(con, "lineage", "reference_data"):
        return None
    frame = con.sql("select dataset, edition, source, synthetic, rows, sha256 from lineage.reference_data "
                    "order by synthetic desc, dataset").df()
    frame["synthetic"] = frame["synthetic"].map({True: "yes: invented, not for real figures", False: "no"})
    return frame.rename(columns=APPENDIX_COLUMNS)


def manifest_entries(frame: pd.DataFrame | None) -> list[dict]:
    """The same rows for manifest.json (dataset, edition, synthetic, sha256)."""
    if frame is None:
        return []
    return [{"dataset": r["Dataset"], "edition": r["Edition"], "synthetic": r["Synthetic"] != "no",
             "sha256": r["SHA-256"]} for r in frame.to_dict("records")]


def report_rows(frame: pd.DataFrame | None) -> list[dict[str, str]]:
    """The rows the report's technical details show (no checksums: they are in the workbook and
    the manifest); an empty list when the snapshot does not record its reference data."""
    if frame is None or frame.empty:
        return []
    shown = [c for c in frame.columns if c != APPENDIX_COLUMNS["sha256"]]
    return [{c: _short("" if pd.isna(r[c]) else str(r[c])) for c in shown} for r in frame.to_dict("records")]


def _short(text: str, limit: int = 160) -> str:
    """A seed's sources can run to pages (every citation of the ToC framework, row by row): the
    report says where to find them, the workbook's Reference data sheet gives them whole."""
    return text if len(text) <= limit else "several sources, row by row: see the workbook's Reference data sheet"
