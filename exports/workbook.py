"""The pack's XLSX workbook (xlsxwriter): cover, headline metrics, Theory of Change, one sheet per
metric family with district breakdowns, definitions, the data log and the reference data appendix."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter

RAG_FILLS = {"green": "#C6EFCE", "amber": "#FFEB9C", "red": "#FFC7CE", "grey": "#D9D9D9"}
UNIT_FORMATS = {"gbp": "£#,##0", "pct": "0.0%", "count": "#,##0", "mean": "0.0",
                "score": "0.0", "wellby": "#,##0.0", "ratio": "0.0"}
BREAKDOWN_COLUMNS = [
    ("metric_id", "Metric", 13), ("name", "Name", 48), ("geography_level", "Level", 9),
    ("geography_code", "Code", 11), ("geography_name", "Area", 22), ("value", "Value", 14),
    ("numerator", "Numerator", 14), ("denominator", "Denominator", 14), ("n", "n", 8),
    ("ci_low", "95% CI low", 11), ("ci_high", "95% CI high", 11), ("unit", "Unit", 7),
    ("no_data_reason", "No data because", 36), ("notes", "Notes", 48),
]
VALUE_LIKE = {"value", "ci_low", "ci_high"}  # take the metric's unit format
WRAPPED = {"name", "no_data_reason", "notes"}
WIDTHS = {column: width for column, _, width in BREAKDOWN_COLUMNS}
COVER_CHARS_PER_LINE = 105  # at the cover's column width of 110


@dataclass(frozen=True)
class WorkbookContent:
    title: str
    cover: list[tuple[str, Any]]  # label, value (a list value becomes one line per item)
    metrics: pd.DataFrame  # masked (see disclosure.masked_metrics), with catalogue name/family
    toc: pd.DataFrame
    catalogue: pd.DataFrame
    load_audit: pd.DataFrame | None
    marker: str = "[c]"
    reference: pd.DataFrame | None = None  # appendix: exports/reference_data.py


def sheet_name(text: str, taken: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", " ", text).strip()[:31] or "Sheet"
    base, i = name, 2
    while name.lower() in {t.lower() for t in taken}:
        name = f"{base[:28]} {i}"
        i += 1
    taken.add(name)
    return name


def write_workbook(path: Path, content: WorkbookContent) -> dict[str, int]:
    """Write the workbook; returns data rows per sheet (for the manifest)."""
    book = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True})
    try:
        fmt = _Formats(book)
        taken: set[str] = set()
        rows: dict[str, int] = {}
        rows[sheet_name("Cover", taken)] = _cover(book, fmt, content)
        county = content.metrics[content.metrics["geography_level"] == "county"]
        rows[sheet_name("Headline metrics", taken)] = _breakdown(
            book, fmt, "Headline metrics", county, content.marker)
        rows[sheet_name("Theory of Change", taken)] = _toc(book, fmt, content.toc, content.marker)
        families = content.metrics["family"].fillna("other")
        for family in sorted(families.unique()):
            name = sheet_name(str(family).replace("_", " ").capitalize(), taken)
            rows[name] = _breakdown(
                book, fmt, name, content.metrics[families == family], content.marker)
        rows[sheet_name("Definitions", taken)] = _table(
            book, fmt, "Definitions", content.catalogue, empty="The catalogue is not available.")
        rows[sheet_name("Data log", taken)] = _table(
            book, fmt, "Data log", content.load_audit,
            empty="No load audit in this snapshot: files loaded and rejected are not listed.")
        if content.reference is not None:  # snapshots published before provenance was recorded have none
            rows[sheet_name("Reference data", taken)] = _table(
                book, fmt, "Reference data", content.reference, empty="")
        for sheet in book.worksheets():
            _print_setup(sheet, content.title)
    finally:
        book.close()
    return rows


def _print_setup(sheet: Any, title: str) -> None:
    """Readable on paper: A4 landscape, one page wide, the header row on every page."""
    sheet.set_paper(9)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    if sheet.name != "Cover":
        sheet.repeat_rows(0)
    safe = title.replace("&", "&&")
    sheet.set_header(f"&L&8{safe}&R&8&A")
    sheet.set_footer("&R&8Page &P of &N")


class _Formats:
    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.header = book.add_format({"bold": True, "bg_color": "#1F4E78", "font_color": "white",
                                       "text_wrap": True, "valign": "top"})
        self.title = book.add_format({"bold": True, "font_size": 16})
        self.label = book.add_format({"bold": True, "valign": "top"})
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})
        self.marker = book.add_format({"align": "right", "valign": "top"})
        self.top = book.add_format({"valign": "top"})
        self.centre = book.add_format({"align": "center"})
        self.units = {unit: book.add_format({"num_format": f, "valign": "top"})
                      for unit, f in UNIT_FORMATS.items()}
        self.integer = book.add_format({"num_format": "#,##0", "valign": "top"})
        self.one_decimal = book.add_format({"num_format": "0.0"})
        self.share = book.add_format({"num_format": "0%"})
        self.rag = {k: book.add_format({"bg_color": c, "border": 1}) for k, c in RAG_FILLS.items()}


def _cover(book: Any, fmt: _Formats, content: WorkbookContent) -> int:
    sheet = book.add_worksheet("Cover")
    sheet.set_column(0, 0, 26)
    sheet.set_column(1, 1, 110, fmt.wrap)
    sheet.write(0, 0, content.title, fmt.title)
    row = 2
    for label, value in content.cover:
        lines = value if isinstance(value, list) else [value]
        sheet.write(row, 0, label, fmt.label)
        for line in lines or ["none"]:
            text = "" if line is None else str(line)
            sheet.write(row, 1, text, fmt.wrap)
            wrapped = max(1, -(-len(text) // COVER_CHARS_PER_LINE))  # clients don't size rows
            if wrapped > 1:
                sheet.set_row(row, 15 * wrapped)
            row += 1
    return row - 2


def _number(sheet: Any, row: int, col: int, value: Any, cell_format: Any, marker: str) -> None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        sheet.write_blank(row, col, None)
    elif value == marker:
        sheet.write_string(row, col, marker, cell_format)
    else:
        sheet.write_number(row, col, float(value), cell_format)


def _breakdown(book: Any, fmt: _Formats, name: str, frame: pd.DataFrame, marker: str) -> int:
    sheet = book.add_worksheet(name)
    for col, (_, header, width) in enumerate(BREAKDOWN_COLUMNS):
        sheet.write(0, col, header, fmt.header)
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 0)
    order = frame.assign(_level=frame["geography_level"].ne("county"))
    order = order.sort_values(["metric_id", "_level", "geography_name"])
    for row, record in enumerate(order.to_dict("records"), start=1):
        unit = record.get("unit")
        lines = 1
        for col, (column, _, _) in enumerate(BREAKDOWN_COLUMNS):
            value = record.get(column)
            if column in VALUE_LIKE | {"numerator", "denominator", "n"}:
                if unit == "pct" and column in VALUE_LIKE and value not in (None, marker):
                    value = None if pd.isna(value) else float(value) / 100  # 0.0% wants a fraction
                cell_format = fmt.units.get(unit) if column in VALUE_LIKE else (
                    fmt.units["gbp"] if unit == "gbp" and column != "n" else fmt.integer)
                _number(sheet, row, col, value, cell_format, marker)
            elif column in WRAPPED:
                text = "" if value is None or pd.isna(value) else str(value)
                sheet.write_string(row, col, text, fmt.wrap)
                lines = max(lines, -(-len(text) // int(WIDTHS[column] * 1.1)))
            else:
                sheet.write(row, col, None if pd.isna(value) else value, fmt.top)
        if lines > 1:  # spreadsheet clients don't size rows of wrapped text on opening
            sheet.set_row(row, 15 * lines)
    if len(order):
        sheet.autofilter(0, 0, len(order), len(BREAKDOWN_COLUMNS) - 1)
    return len(order)


TOC_COLUMNS = [
    ("indicator_id", "Indicator", 10, None), ("working_group", "Working group", 24, None),
    ("toc_level", "ToC level", 10, None), ("indicator_name", "Indicator name", 62, None),
    ("metric_id", "Metric", 9, None), ("actual", "Actual", 12, "one_decimal"),
    ("baseline_year", "Baseline year", 12, None), ("baseline_value", "Baseline", 12, "one_decimal"),
    ("target_year", "Target year", 12, None), ("target_value", "Target", 12, "one_decimal"),
    ("change_since_baseline", "Change since baseline", 12, "one_decimal"),
    ("share_of_way_to_target", "Share of way to target", 12, "share"),
    ("rag_status", "RAG", 8, None), ("data_quality", "Data quality", 20, None),
]


def _toc(book: Any, fmt: _Formats, toc: pd.DataFrame, marker: str) -> int:
    sheet = book.add_worksheet("Theory of Change")
    for col, (_, header, width, _) in enumerate(TOC_COLUMNS):
        sheet.write(0, col, header, fmt.header)
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 0)
    for row, record in enumerate(toc.to_dict("records"), start=1):
        for col, (column, _, _, number) in enumerate(TOC_COLUMNS):
            value = record.get(column)
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                sheet.write_blank(row, col, None, fmt.rag.get("grey") if column == "rag_status"
                                  else None)
            elif column == "rag_status":
                sheet.write_string(row, col, str(value), fmt.rag.get(str(value)))
            elif number:  # a suppressed indicator shows the marker, not a number
                _number(sheet, row, col, value, getattr(fmt, number), marker)
            else:
                sheet.write(row, col, value, fmt.centre if column.endswith("_year") else None)
    return len(toc)


def _table(book: Any, fmt: _Formats, name: str, frame: pd.DataFrame | None, *, empty: str) -> int:
    sheet = book.add_worksheet(name)
    if frame is None or frame.empty:
        sheet.set_column(0, 0, 90)
        sheet.write(0, 0, empty)
        return 0
    for col, column in enumerate(frame.columns):
        sheet.write(0, col, column, fmt.header)
        longest = frame[column].astype("string").str.len().fillna(0).max()
        sheet.set_column(col, col, min(60, max(10, len(column) + 2, int(longest) + 2)))
    sheet.freeze_panes(1, 0)
    for row, record in enumerate(frame.itertuples(index=False), start=1):
        for col, value in enumerate(record):
            if value is None or (not isinstance(value, str) and pd.api.types.is_scalar(value)
                                 and pd.isna(value)):
                continue
            if isinstance(value, pd.Timestamp):
                value = value.isoformat()
            if isinstance(value, int | float | bool):
                sheet.write(row, col, value)
            else:
                sheet.write_string(row, col, str(value), fmt.wrap)
    return len(frame)
