"""Readers: CSV (UTF-8, UTF-8 with BOM, Windows-1252; LF, CRLF, bare CR; comma or semicolon),
XLSX (every non-empty sheet) and CSV/XLSX inside ZIP, into sheets of string cells that keep the
row number a steward sees in the file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MAX_FIELD = 1_000_000  # a cell bigger than this makes the file unreadable, not the machine


class UnreadableFile(ValueError):
    """The file as a whole cannot be read; nothing of it is loaded."""


@dataclass
class Sheet:
    """One table of text cells from a file: a CSV, or one worksheet of a workbook."""

    source: str  # file name, plus "!member" for ZIP members and "#sheet" for worksheets
    rows: list[tuple[int, list[str]]]  # (row number in the file, cells)
    from_excel: bool = False


def read_sheets(path: Path) -> list[Sheet]:
    """Every non-empty table in the file. Raises UnreadableFile with a one-line reason."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".zip":
            return list(_zip_sheets(path))
        if suffix in (".xlsx", ".xlsm"):
            return _xlsx_sheets(path.read_bytes(), path.name)
        if suffix in (".csv", ".txt"):
            return [_csv_sheet(path.read_bytes(), path.name)]
    except UnreadableFile:
        raise
    except (zipfile.BadZipFile, KeyError, OSError, csv.Error) as exc:
        raise UnreadableFile(f"{path.name}: cannot be read ({exc})") from exc
    raise UnreadableFile(f"{path.name}: unsupported file type {suffix!r} (use CSV, XLSX or ZIP)")


def _zip_sheets(path: Path) -> Iterator[Sheet]:
    with zipfile.ZipFile(path) as archive:
        members = [m for m in archive.namelist() if not m.endswith("/") and "__MACOSX" not in m]
        found = False
        for member in members:
            label = f"{path.name}!{member}"
            lower = member.lower()
            if lower.endswith((".csv", ".txt")):
                found = True
                yield _csv_sheet(archive.read(member), label)
            elif lower.endswith(".xlsx"):
                found = True
                yield from _xlsx_sheets(archive.read(member), label)
        if not found:
            raise UnreadableFile(f"{path.name}: the ZIP holds no CSV or XLSX file")


def decode(raw: bytes, label: str) -> str:
    if not raw.strip():
        raise UnreadableFile(f"{label}: the file is empty")
    if b"\x00" in raw[:4096]:
        raise UnreadableFile(f"{label}: binary content (or UTF-16), not a CSV text file")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")  # every byte decodes; cp1252's five undefined bytes land here


def _csv_sheet(raw: bytes, label: str) -> Sheet:
    text = decode(raw, label)
    # Bare CR line ends (old Mac exports) become LF; CRLF is left to the csv module.
    if "\r" in text and "\n" not in text:
        text = text.replace("\r", "\n")
    delimiter = _sniff_delimiter(text)
    csv.field_size_limit(MAX_FIELD)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise UnreadableFile(f"{label}: line {reader.line_num}: {exc}") from exc
    return Sheet(label, rows)


def _sniff_delimiter(text: str) -> str:
    head = text[:20_000].splitlines()[:30]
    commas = sum(line.count(",") for line in head)
    semicolons = sum(line.count(";") for line in head)
    return ";" if semicolons > commas else ","


def _xlsx_sheets(raw: bytes, label: str) -> list[Sheet]:
    import openpyxl  # imported here: only workbooks need it

    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a corrupt workbook
        raise UnreadableFile(f"{label}: not a readable XLSX workbook ({exc})") from exc
    sheets = []
    for ws in book.worksheets:
        rows = []
        for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
            cells = [_excel_text(v) for v in values]
            if any(cells):
                rows.append((number, cells))
        if rows:
            sheets.append(Sheet(f"{label}#{ws.title}", rows, from_excel=True))
    book.close()
    if not sheets:
        raise UnreadableFile(f"{label}: every sheet of the workbook is empty")
    return sheets


def _excel_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
