"""Read every file of a pack into the auditor's facts and texts: CSVs (structured), the workbook
(every sheet: tables by their headings, every other cell as text), the HTML report (cells marked
`data-fact`, all text and chart labels), the PDF (text per page) and the JSON files (every string).
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter
from pypdf import PdfReader

from exports.audit.facts import (
    Fact,
    Pack,
    Row,
    Text,
    Where,
    number,
    parse_shown,
    read_definitions,
    read_metric_rows,
    read_toc,
)
from exports.labels import BREAKDOWNS
from partnership.reporting_years import previous_year

# workbook heading: part it shows
SHEET_PARTS = {"Value": "value", "Actual": "value", "95% CI low": "ci_low", "95% CI high": "ci_high",
               "Numerator": "numerator", "Denominator": "denominator", "n": "n",
               "Last year": "last_year", "Change on last year": "change"}
NUMBER_TOKEN = re.compile(r"(?<![\w.])[+\-\u2212]?£?\d[\d,]*(?:\.\d+)?[km]?%?")
PAGE_FOOTER = re.compile(r"page \d+ of \d+")
WRAPPED_UNIT = re.compile(r"(\d)\s*\n\s*([km%])")
DIGITS = re.compile(r"\d+")


def read_pack(folder: Path, *, marker: str = "[c]", name: str | None = None, pdf: bool = True) -> Pack:
    """`pdf=False` leaves the PDF unread: it gives texts and numbers to compare, never facts."""
    pack = Pack(name or folder.name, marker=marker)
    read_definitions(pack, folder)
    for csv_name, breakdown in (("metrics.csv", False), ("metric_breakdowns.csv", True)):
        if (folder / csv_name).exists():
            read_metric_rows(pack, folder / csv_name, breakdown=breakdown)
    if (folder / "toc_indicators.csv").exists():
        read_toc(pack, folder / "toc_indicators.csv")
    for path in sorted(folder.iterdir()):
        if path.suffix == ".xlsx":
            read_workbook(pack, path)
        elif path.suffix == ".html":
            read_html(pack, path)
        elif path.suffix == ".pdf" and pdf:
            read_pdf(pack, path)
        elif path.suffix == ".json":
            _strings(pack, path.name, "$", json.loads(path.read_text(encoding="utf-8")))
        elif path.suffix == ".csv":
            read_csv_text(pack, path)
    return pack


def read_csv_text(pack: Pack, path: Path) -> None:
    """Text columns of every CSV (notes, reasons, file names) for the text checks."""
    import csv

    with path.open(encoding="utf-8", newline="") as f:
        for i, row in enumerate(csv.DictReader(f), start=2):
            for column, value in row.items():
                if value and not _numeric(value) and value != pack.marker:
                    pack.texts.append(Text(Where(path.name, f"row {i}, column {column}"), value))


def _numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_workbook(pack: Pack, path: Path) -> None:
    book = openpyxl.load_workbook(path, read_only=False)
    for sheet in book.worksheets:
        header_row, headings = _headings(sheet)
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.row != header_row:
                    where = Where(path.name, f"{sheet.title}!{cell.coordinate}")
                    pack.texts.append(Text(where, cell.value))
        if headings:
            _sheet_facts(pack, path.name, sheet, header_row, headings)


def _headings(sheet: Any) -> tuple[int, dict[str, int]]:
    for r in range(1, min(sheet.max_row, 4) + 1):
        values = {str(sheet.cell(r, c).value): c for c in range(1, sheet.max_column + 1)
                  if sheet.cell(r, c).value is not None}
        if "Metric" in values and ({"Value", "Actual"} & set(values)):
            return r, values
    return 0, {}


def _sheet_facts(pack: Pack, file: str, sheet: Any, header_row: int, headings: dict[str, int]) -> None:
    for r in range(header_row + 1, sheet.max_row + 1):
        metric = sheet.cell(r, headings["Metric"]).value
        if not metric:
            continue
        metric = str(metric).split()[0]
        geography, level = _sheet_geography(pack, sheet, r, headings, metric)
        if not geography:
            continue
        unit = pack.units.get(metric, "")
        value_cell = sheet.cell(r, headings.get("Value", headings.get("Actual", 0)))
        for heading, part in SHEET_PARTS.items():
            if heading not in headings:
                continue
            cell = sheet.cell(r, headings[heading])
            present, value = number(cell.value, pack.marker)
            if not present:
                continue
            if value is not None and str(cell.number_format).endswith("%"):
                value *= 100  # shares are stored as fractions
            where = Where(file, f"{sheet.title}!{get_column_letter(cell.column)}{r}")
            if part == "last_year":
                key = (previous_year(pack.year), metric, geography, "value")
            else:
                key = (pack.year, metric, geography, part)
            pack.facts.append(Fact(key, value, True, where))
        if "Notes" in headings:
            notes_cell = sheet.cell(r, headings["Notes"])
            pack.rows.append(Row(pack.year, metric, geography, level, unit,
                                 value_cell.value == pack.marker, str(notes_cell.value or ""),
                                 Where(file, f"{sheet.title}!{notes_cell.coordinate}")))


def _sheet_geography(pack: Pack, sheet: Any, r: int, headings: dict[str, int], metric: str) -> tuple[str, str]:
    if "Area" in headings:
        code = pack.codes.get(str(sheet.cell(r, headings["Area"]).value or ""), "")
        return code, pack.levels.get(code, "")
    if "Category" in headings:
        label = str(sheet.cell(r, headings.get("Breakdown", 0)).value or "") if "Breakdown" in headings else ""
        breakdown = next((code for code, text in BREAKDOWNS.items() if text == label), label)
        code = pack.categories.get((metric, breakdown, str(sheet.cell(r, headings["Category"]).value)), "")
        return code, "category"
    return pack.county, "county"  # the headline and Theory of Change sheets are county figures


class _ReportParser(HTMLParser):
    """Cells marked data-fact (their text outside span.ci is the value), all text, aria labels."""

    def __init__(self) -> None:
        super().__init__()
        self.facts: list[tuple[str, str, int]] = []
        self.texts: list[tuple[str, int]] = []
        self._fact: str | None = None
        self._fact_text: list[str] = []
        self._in_ci = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("aria-label"):
            self.texts.append((values["aria-label"] or "", self.getpos()[0]))
        if tag == "td" and values.get("data-fact"):
            self._fact, self._fact_text = values["data-fact"], []
        if tag == "span" and "ci" in (values.get("class") or "").split():
            self._in_ci += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self._in_ci:
            self._in_ci -= 1
        if tag == "td" and self._fact is not None:
            self.facts.append((self._fact, "".join(self._fact_text).strip(), self.getpos()[0]))
            self._fact = None

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.texts.append((data, self.getpos()[0]))
        if self._fact is not None and not self._in_ci:
            self._fact_text.append(data)


def read_html(pack: Pack, path: Path) -> None:
    parser = _ReportParser()
    parser.feed(path.read_text(encoding="utf-8"))
    for fact, text, line in parser.facts:
        year, metric, geography, part = (fact.split("|") + ["", "", "", ""])[:4]
        geography = pack.county if geography == "county" else geography
        present, value = number(text, pack.marker)
        if present and metric:
            exact = value is None or pack.units.get(metric) == "count"
            pack.facts.append(Fact((year, metric, geography, part or "value"), value, exact,
                                   Where(path.name, f"line {line} (cell {fact})")))
    for text, line in parser.texts:
        pack.texts.append(Text(Where(path.name, f"line {line}"), text))
        pack.html_numbers.update(_tokens(text) | set(DIGITS.findall(text)))


def read_pdf(pack: Pack, path: Path) -> None:
    for page_number, page in enumerate(PdfReader(path).pages, start=1):
        text = page.extract_text() or ""
        where = Where(path.name, f"page {page_number}")
        pack.texts.append(Text(where, text))
        # a narrow table cell can break "−£87k" as "−£87" / "k": join a number to its unit first
        joined = WRAPPED_UNIT.sub(r"\1\2", PAGE_FOOTER.sub(" ", text))
        for token in NUMBER_TOKEN.findall(joined):
            pack.pdf_numbers.append((where, token))


def _tokens(text: str) -> set[str]:
    """Numbers in running text, normalised: '£1,234' and '1234' are the same token."""
    out = set()
    for token in NUMBER_TOKEN.findall(text):
        value = parse_shown(token)
        if value is not None:
            out.add(f"{abs(value):.6g}")
    return out


def _strings(pack: Pack, file: str, path: str, node: Any) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _strings(pack, file, f"{path}.{key}", value)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _strings(pack, file, f"{path}[{i}]", value)
    elif isinstance(node, str):
        pack.texts.append(Text(Where(file, path), node))
