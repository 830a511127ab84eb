"""In-memory shape of a landing file before it is written, plus small formatting helpers.

Feeds build `LandingFile`s (header + rows per sheet); defects are planted into those rows; the
writers then turn them into bytes. Row numbers are therefore known before anything is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter

YEARS = ["2022-23", "2023-24", "2024-25"]
PERIOD_START = dt.date(2022, 4, 1)
PERIOD_END = dt.date(2025, 3, 31)
FIXED_CREATED = dt.datetime(2025, 4, 7, 9, 0, 0)  # workbook metadata: fixed for byte-identity


@dataclass
class Sheet:
    name: str
    header: list[str]
    rows: list[list] = field(default_factory=list)
    entity: str | None = None  # contract entity, None for e.g. an empty Notes sheet
    date_columns: tuple[int, ...] = ()  # XLSX: columns whose dt.date values get a date format


@dataclass
class LandingFile:
    feed: str
    name: str  # file name inside landing/<feed>/
    sheets: list[Sheet]
    kind: str = "csv"  # csv | xlsx
    encoding: str = "utf-8"  # utf-8 | utf-8-sig | cp1252
    newline: str = "\n"
    preamble: list[str] = field(default_factory=list)  # CSV lines before the header
    footer: list[list] = field(default_factory=list)  # CSV rows after the data (totals)

    @property
    def rel_path(self) -> str:
        return f"{self.feed}/{self.name}"

    def sheet(self, name: str | None = None) -> Sheet:
        if name is None:
            return self.sheets[0]
        return next(s for s in self.sheets if s.name == name)

    def header_line(self) -> int:
        """1-based line (CSV) or Excel row (XLSX) of the header."""
        return 1 if self.kind == "xlsx" else len(self.preamble) + 1

    def row_number(self, index: int) -> int:
        """Row number a steward sees for the data row at 0-based `index`."""
        return self.header_line() + 1 + index


def dmy(d: dt.date) -> str:
    return d.strftime("%d/%m/%Y")


def gbp(amount: float) -> str:
    """`£1,234.56` / `-£250.00`, as transparency files print money."""
    sign = "-" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"


def fy_label(d: dt.date) -> str:
    start = d.year if d.month >= 4 else d.year - 1
    return f"{start}-{str(start + 1)[-2:]}"


def fy_start(label: str) -> dt.date:
    return dt.date(int(label[:4]), 4, 1)


def quarters() -> list[tuple[str, int, dt.date, dt.date]]:
    """(year label, quarter number, first day, last day) for the 12 quarters."""
    out = []
    for label in YEARS:
        y = int(label[:4])
        starts = [dt.date(y, 4, 1), dt.date(y, 7, 1), dt.date(y, 10, 1), dt.date(y + 1, 1, 1)]
        ends = [dt.date(y, 6, 30), dt.date(y, 9, 30), dt.date(y, 12, 31), dt.date(y + 1, 3, 31)]
        for q, (s, e) in enumerate(zip(starts, ends, strict=True), start=1):
            out.append((label, q, s, e))
    return out


def months() -> list[dt.date]:
    out, d = [], PERIOD_START
    while d <= PERIOD_END:
        out.append(d)
        d = dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return out


def month_end(d: dt.date) -> dt.date:
    nxt = dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def scaled(n: float, scale: float, floor: int = 1) -> int:
    return max(floor, round(n * scale))


# ---------------------------------------------------------------- writers


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.date):
        return dmy(v)
    return str(v)


def csv_bytes(f: LandingFile) -> bytes:
    sheet = f.sheets[0]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=f.newline)
    for line in f.preamble:
        w.writerow([line])
    w.writerow(sheet.header)
    for row in sheet.rows:
        w.writerow([_cell(v) for v in row])
    for row in f.footer:
        w.writerow([_cell(v) for v in row])
    return buf.getvalue().encode(f.encoding)


def write_xlsx(f: LandingFile, path: Path) -> None:
    wb = xlsxwriter.Workbook(str(path), {"in_memory": True})
    wb.set_properties({"created": FIXED_CREATED, "author": "Provider return"})
    bold = wb.add_format({"bold": True})
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    for sheet in f.sheets:
        ws = wb.add_worksheet(sheet.name)
        if not sheet.header:
            continue  # an empty sheet (e.g. Notes)
        ws.write_row(0, 0, sheet.header, bold)
        for r, row in enumerate(sheet.rows, start=1):
            for c, v in enumerate(row):
                if v is None or v == "":
                    continue
                if isinstance(v, dt.date) and c in sheet.date_columns:
                    ws.write_datetime(r, c, dt.datetime(v.year, v.month, v.day), date_fmt)
                elif isinstance(v, int | float) and not isinstance(v, bool):
                    ws.write_number(r, c, v)
                else:
                    ws.write_string(r, c, _cell(v))
        ws.set_column(0, len(sheet.header) - 1, 16)
    wb.close()


def write_file(f: LandingFile, landing_dir: Path) -> Path:
    path = landing_dir / f.feed / f.name
    path.parent.mkdir(parents=True, exist_ok=True)
    if f.kind == "xlsx":
        write_xlsx(f, path)
    else:
        path.write_bytes(csv_bytes(f))
    return path
