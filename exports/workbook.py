"""The pack's XLSX workbook (xlsxwriter): a plain-English summary, headline metrics with their
change on last year, the Theory of Change with RAG colours, one sheet per metric family with
district breakdowns, the Charter breakdowns, definitions, the data log, the reference data, and
the technical details of the run. Labels are human; the layout is in `exports.workbook_layout`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter

from exports.labels import BREAKDOWNS, DIRECTIONS, RAG_NAMES, TOC_LEVELS, UNITS, WORKING_GROUPS, human
from exports.messages import Change, Summary
from exports.workbook_layout import (
    BOOK_OPTIONS,
    LINE_PT,
    MAX_ROW_PT,
    Formats,
    banner,
    lines_needed,
    print_setup,
    set_columns,
)

# (column, heading, width); the disclosure auditor reads these headings back
BREAKDOWN_COLUMNS = [
    ("metric_id", "Metric", 7), ("name", "Name", 22), ("geography_name", "Area", 16),
    ("value", "Value", 10), ("ci_low", "95% CI low", 9), ("ci_high", "95% CI high", 9),
    ("numerator", "Numerator", 10), ("denominator", "Denominator", 10), ("n", "n", 7),
    ("no_data_reason", "No data because", 18), ("notes", "Notes", 26),
]
HEADLINE_COLUMNS = [
    ("metric_id", "Metric", 7), ("name", "Name", 22), ("value", "Value", 10),
    ("ci_low", "95% CI low", 9), ("ci_high", "95% CI high", 9), ("n", "n", 7),
    ("last_year", "Last year", 10), ("change", "Change on last year", 10),
    ("verdict", "What the change means", 18), ("no_data_reason", "No data because", 16),
    ("notes", "Notes", 26),
]
TOC_COLUMNS = [
    ("indicator_id", "Indicator", 7), ("working_group", "Working group", 11), ("toc_level", "Level", 8),
    ("indicator_name", "Indicator name", 20), ("metric_id", "Metric", 7), ("actual", "Actual", 9),
    ("actual_ci_low", "95% CI low", 7), ("actual_ci_high", "95% CI high", 7),
    ("baseline_value", "Baseline", 9), ("baseline_year", "Baseline year", 8),
    ("trajectory_value", "On track at", 9), ("target_value", "Target", 9),
    ("target_year", "Target year", 8), ("rag_status", "Rating", 12), ("data_quality", "Data quality", 10),
]
CHARTER_COLUMNS = [
    ("metric_id", "Metric", 7), ("breakdown", "Breakdown", 24), ("category_name", "Category", 28),
    ("value", "Value", 9), ("n", "n", 7), ("no_data_reason", "No data because", 22), ("notes", "Notes", 36),
]
DATA_LOG_COLUMNS = [
    ("feed", "Feed", 8), ("entity", "Entity", 10), ("source_file", "Source file", 28),
    ("status", "Status", 8), ("rows_read", "Rows read", 8), ("rows_loaded", "Rows loaded", 8),
    ("rows_quarantined", "Rows rejected", 8), ("rows_skipped_footer", "Footer rows skipped", 8),
    ("columns_dropped", "Personal columns dropped", 12), ("message", "Message", 30),
    ("loaded_at", "Loaded at (UTC)", 14),
]
DEFINITION_COLUMNS = [
    ("metric_id", "Metric", 7), ("name", "Name", 18), ("goal", "Goal", 10), ("family", "Family", 10),
    ("definition", "Definition", 30), ("numerator", "Numerator", 13), ("denominator", "Denominator", 13),
    ("unit", "Unit", 6), ("direction", "Direction", 8), ("source", "Source", 11),
    ("is_person_count", "Counts people", 7), ("status", "Status", 9),
]
REFERENCE_COLUMNS = [  # the frame of exports.reference_data, headed as it is
    ("Dataset", "Dataset", 20), ("Edition", "Edition", 18), ("Source", "Source", 36),
    ("Synthetic", "Synthetic", 16), ("Rows", "Rows", 8), ("SHA-256", "SHA-256", 30),
]
NUMBERS = {"value", "ci_low", "ci_high", "numerator", "denominator", "n", "last_year", "change",
           "actual", "actual_ci_low", "actual_ci_high", "baseline_value", "target_value",
           "trajectory_value", "rows_read", "rows_loaded", "rows_quarantined", "rows_skipped_footer"}
VALUE_LIKE = {"value", "ci_low", "ci_high", "last_year", "actual", "actual_ci_low", "actual_ci_high",
              "baseline_value", "target_value", "trajectory_value"}  # in the metric's unit


@dataclass(frozen=True)
class WorkbookContent:
    title: str
    notice: str  # the synthetic-data banner, '' for real data
    summary: Summary
    metrics: pd.DataFrame  # masked (see disclosure.masked_metrics), with catalogue name/family
    changes: dict[str, tuple[Change, float | None, float | None]]  # metric: change, last year, diff
    toc: pd.DataFrame
    breakdowns: pd.DataFrame
    catalogue: pd.DataFrame
    load_audit: pd.DataFrame | None
    appendix: list[tuple[str, Any]]
    marker: str = "[c]"
    reference: pd.DataFrame | None = None  # the reference data sheet: exports/reference_data.py


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
    book = xlsxwriter.Workbook(str(path), BOOK_OPTIONS)
    try:
        fmt = Formats(book)
        taken: set[str] = set()
        rows: dict[str, int] = {}
        headers: dict[str, int] = {}

        def table(name: str, columns: list, frame: pd.DataFrame | None, empty: str) -> None:
            sheet = book.add_worksheet(sheet_name(name, taken))
            rows[sheet.name], headers[sheet.name] = _table(sheet, fmt, columns, frame, content, empty)

        sheet = book.add_worksheet(sheet_name("Summary", taken))
        rows[sheet.name], headers[sheet.name] = _summary(sheet, fmt, content), 0
        county = content.metrics[content.metrics["geography_level"] == "county"]
        table("Headline metrics", HEADLINE_COLUMNS, _with_changes(county, content.changes),
              "No metrics in this snapshot.")
        table("Theory of Change", TOC_COLUMNS, content.toc, "No Theory of Change indicators in this snapshot.")
        families = content.metrics["family"].fillna("other")
        for family in sorted(families.unique()):
            table(human(family), BREAKDOWN_COLUMNS, content.metrics[families == family], "")
        table("Charter breakdowns", CHARTER_COLUMNS, content.breakdowns, "No Charter breakdowns in this snapshot.")
        table("Definitions", DEFINITION_COLUMNS, content.catalogue, "The catalogue is not available.")
        table("Data log", DATA_LOG_COLUMNS, content.load_audit,
              "No load audit in this snapshot: files loaded and rejected are not listed.")
        if content.reference is not None:  # snapshots published before provenance was recorded have none
            table("Reference data", REFERENCE_COLUMNS, content.reference, "")
        sheet = book.add_worksheet(sheet_name("About this pack", taken))
        rows[sheet.name], headers[sheet.name] = _about(sheet, fmt, content), 0
        for sheet in book.worksheets():
            print_setup(sheet, content.title, content.notice, headers[sheet.name])
    finally:
        book.close()
    return rows


def _with_changes(county: pd.DataFrame, changes: dict) -> pd.DataFrame:
    frame = county.copy()
    frame["last_year"] = [changes.get(m, (None, None, None))[1] for m in frame["metric_id"]]
    frame["change"] = [changes.get(m, (None, None, None))[2] for m in frame["metric_id"]]
    frame["verdict"] = [c[0].verdict if (c := changes.get(m)) and c[0] else "" for m in frame["metric_id"]]
    return frame


def _summary(sheet: Any, fmt: Formats, content: WorkbookContent) -> int:
    set_columns(sheet, [118])
    row = banner(sheet, fmt, content.notice, 1)
    sheet.write(row, 0, content.title, fmt.title)
    sheet.set_row(row, 24)
    row += 2
    lines = 0

    def paragraph(text: str, cell_format: Any) -> None:
        nonlocal row, lines
        sheet.write_string(row, 0, text, cell_format)
        height = lines_needed(text, 118)
        if height > 1:
            sheet.set_row(row, min(MAX_ROW_PT, LINE_PT * height))
        row += 1
        lines += 1

    paragraph(content.summary.lede, fmt.wrap)
    for point in content.summary.key_points:
        paragraph(point, fmt.label_wrap)
    for section in content.summary.sections:
        row += 1
        sheet.write(row, 0, section.title, fmt.heading)
        row += 1
        paragraph(section.explanation, fmt.muted)
        for message in section.messages or ():
            paragraph(f"• {message.text}" + (f"\n   Note: {message.caveat}" if message.caveat else ""),
                      fmt.wrap)
        if not section.messages:
            paragraph("None this year.", fmt.muted)
    row += 1
    sheet.write(row, 0, "Read with care", fmt.heading)
    row += 1
    for caveat in content.summary.caveats:
        paragraph(f"• {caveat}", fmt.muted)
    return lines


def _about(sheet: Any, fmt: Formats, content: WorkbookContent) -> int:
    set_columns(sheet, [24, 96])
    row = banner(sheet, fmt, content.notice, 2)
    sheet.write(row, 0, "About this pack: technical details", fmt.title)
    row += 2
    reference = ("the Reference data sheet: each dataset's edition, source and checksum"
                 if content.reference is not None else
                 "The snapshot does not record the provenance of its reference data.")
    items = list(content.appendix) + [("Reference data", reference)]
    for label, value in items:
        sheet.write(row, 0, label, fmt.label)
        for line in (value if isinstance(value, list) else [value]) or ["none"]:
            text = "" if line is None else str(line)
            sheet.write_string(row, 1, text, fmt.wrap)
            height = lines_needed(text, 96)
            if height > 1:
                sheet.set_row(row, min(MAX_ROW_PT, LINE_PT * height))
            row += 1
    return row


def _table(sheet: Any, fmt: Formats, columns: list, frame: pd.DataFrame | None,
           content: WorkbookContent, empty: str) -> tuple[int, int]:
    """A table with a heading row (after the banner); returns (data rows, rows to repeat)."""
    widths = [w for _, _, w in columns]
    set_columns(sheet, widths)
    top = banner(sheet, fmt, content.notice, len(columns))
    if frame is None or frame.empty:
        sheet.write(top, 0, empty or "No rows.", fmt.text)
        return 0, top
    for col, (_, heading, _) in enumerate(columns):
        sheet.write(top, col, heading, fmt.header)
    sheet.set_row(top, LINE_PT * max(lines_needed(h, w) for _, h, w in columns))
    sheet.freeze_panes(top + 1, 0)
    records = frame.to_dict("records")
    if "geography_level" in frame.columns:  # county first, then districts by name
        records.sort(key=lambda r: (str(r.get("metric_id")), r.get("geography_level") != "county",
                                    str(r.get("geography_name"))))
    for i, record in enumerate(records, start=top + 1):
        lines = 1
        for col, (column, _, width) in enumerate(columns):
            lines = max(lines, _cell(sheet, fmt, i, col, column, record, content.marker, width))
        if lines > 1:  # spreadsheet clients don't size rows of wrapped text on opening
            sheet.set_row(i, min(MAX_ROW_PT, LINE_PT * lines))
    sheet.autofilter(top, 0, top + len(records), len(columns) - 1)
    return len(records), top + 1


def _cell(sheet: Any, fmt: Formats, row: int, col: int, column: str, record: dict, marker: str,
          width: float) -> int:
    """Write one cell; returns the lines of text it needs."""
    value = record.get(column)
    missing = value is None or (not isinstance(value, str) and pd.api.types.is_scalar(value) and pd.isna(value))
    unit = record.get("unit") or "ratio"
    if column == "rag_status":
        status = "grey" if missing else str(value)
        sheet.write_string(row, col, RAG_NAMES.get(status, human(status)), fmt.rag.get(status))
        return 1
    if missing:
        sheet.write_blank(row, col, None)
        return 1
    if column in NUMBERS:
        if value == marker or isinstance(value, str) and not _is_number(value):
            sheet.write_string(row, col, str(value), fmt.marker)
            return 1
        number = float(value)  # type: ignore[arg-type]  # not missing, and not text: a number (checked above)
        if column == "change":
            cell_format = fmt.changes.get(unit, fmt.integer)
        elif column in VALUE_LIKE:
            if unit == "pct":
                number /= 100  # 0.0% wants a fraction
            has_interval = any(_is_number(str(record.get(c))) for c in ("ci_low", "actual_ci_low")
                               if record.get(c) is not None and record.get(c) != marker)
            cell_format = (fmt.estimates if has_interval else fmt.units).get(unit, fmt.units["ratio"])
        else:
            cell_format = fmt.units["gbp"] if unit == "gbp" and column != "n" else fmt.integer
        sheet.write_number(row, col, number, cell_format)
        return 1
    if isinstance(value, bool):
        sheet.write_string(row, col, "yes" if value else "no", fmt.text)
        return 1
    labels = {"working_group": WORKING_GROUPS, "toc_level": TOC_LEVELS, "breakdown": BREAKDOWNS,
              "unit": UNITS, "direction": DIRECTIONS}
    text = human(value, labels[column]) if column in labels else str(value)
    if column == "family" and text:  # a theme's name; statuses, feeds and entities stay as recorded
        text = human(text)
    if isinstance(value, pd.Timestamp):
        text = value.isoformat()
    sheet.write_string(row, col, text, fmt.wrap)
    return lines_needed(text, width)


def _is_number(text: str) -> bool:
    try:
        return not pd.isna(float(text))
    except ValueError:
        return False
