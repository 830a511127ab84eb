"""Readers: CSV (UTF-8, UTF-8 with BOM, Windows-1252, UTF-16 with BOM; LF, CRLF, bare CR; comma,
semicolon or tab), XLSX (every non-empty sheet) and CSV/XLSX inside ZIP, into tables of text cells
that keep the row number a steward sees in the file.

A table offers its first rows (to find the header) and then its body in batches of string columns
`c0..cN` plus `_row_number`. Large UTF-8 CSVs stream through Polars; anything Polars cannot read
row-exactly (ragged rows, odd encodings) is read by the csv module instead, with the same result.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

HEAD_ROWS = 30
MAX_FIELD = 1_000_000  # a cell bigger than this makes the file unreadable, not the machine
CHUNK_BYTES = 16 << 20  # ~150k rows of a typical spend file per batch
_SAMPLE_BYTES = 1 << 20


class UnreadableFile(ValueError):
    """The file as a whole cannot be read; nothing of it is loaded."""


@dataclass
class Table:
    """One table of text cells: a CSV, or one worksheet of a workbook."""

    source: str  # file name, plus "!member" for ZIP members and "#sheet" for worksheets
    head: list[tuple[int, list[str]]]  # the first rows: (row number in the file, cells)
    batches: Callable[[int, int], Iterator[pl.DataFrame]]  # (header index in head, width) -> body
    from_excel: bool = False


def read_tables(path: Path) -> list[Table]:
    """Every non-empty table in the file. Raises UnreadableFile with a one-line reason."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".zip":
            return _zip_tables(path)
        if suffix in (".xlsx", ".xlsm"):
            return _xlsx_tables(path.read_bytes(), path.name)
        if suffix in (".csv", ".txt", ".tsv"):
            return [_csv_table(path, path.name)]
    except UnreadableFile:
        raise
    except (zipfile.BadZipFile, KeyError, OSError, csv.Error) as exc:
        raise UnreadableFile(f"{path.name}: cannot be read ({exc})") from exc
    raise UnreadableFile(f"{path.name}: unsupported file type {suffix!r} (use CSV, XLSX or ZIP)")


def _zip_tables(path: Path) -> list[Table]:
    tables: list[Table] = []
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            if member.endswith("/") or "__MACOSX" in member:
                continue
            label, lower = f"{path.name}!{member}", member.lower()
            if lower.endswith((".csv", ".txt", ".tsv")):
                tables.append(_csv_table_from_bytes(archive.read(member), label))
            elif lower.endswith(".xlsx"):
                tables.extend(_xlsx_tables(archive.read(member), label))
    if not tables:
        raise UnreadableFile(f"{path.name}: the ZIP holds no CSV or XLSX file")
    return tables


# --- CSV ------------------------------------------------------------------------------------------

def _encoding_of(sample: bytes, label: str) -> str:
    if not sample.strip():
        raise UnreadableFile(f"{label}: the file is empty")
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in sample[:4096]:
        raise UnreadableFile(f"{label}: binary content, not a text file")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8-sig" if sample.startswith(codecs.BOM_UTF8) else "utf-8"
    except UnicodeDecodeError:
        return "cp1252"


def _sniff(text: str) -> str:
    head = text[:20_000].splitlines()[:HEAD_ROWS]
    counts = {d: sum(line.count(d) for line in head) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def _csv_table(path: Path, label: str) -> Table:
    with path.open("rb") as handle:
        sample = handle.read(_SAMPLE_BYTES)
    encoding = _encoding_of(sample, label)
    bare_cr = b"\r" in sample and b"\n" not in sample
    if encoding in ("utf-8", "utf-8-sig") and not bare_cr:
        return _fast_csv_table(path, label, sample)
    return _csv_table_from_bytes(path.read_bytes(), label)


def _csv_table_from_bytes(raw: bytes, label: str) -> Table:
    encoding = _encoding_of(raw[:_SAMPLE_BYTES], label)
    text = raw.decode(encoding, errors="replace" if encoding == "cp1252" else "strict")
    if "\r" in text and "\n" not in text:  # old Mac exports: bare CR line ends
        text = text.replace("\r", "\n")
    return _exact_csv_table(text, label)


def _exact_csv_table(text: str, label: str, whole: bool = True) -> Table:
    """The csv module: slower, but exact for any layout (ragged rows, quoted newlines)."""
    csv.field_size_limit(MAX_FIELD)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff(text), strict=True)
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        if whole:
            raise UnreadableFile(f"{label}: line {reader.line_num}: {exc} (is the file truncated?)") from exc
    if whole and text.rstrip("\r\n").count('"') % 2:
        raise UnreadableFile(f"{label}: the file ends inside a quoted field (truncated?)")
    return _rows_table(label, rows)


def _rows_table(label: str, rows: list[tuple[int, list[str]]], from_excel: bool = False) -> Table:
    def batches(header_index: int, width: int) -> Iterator[pl.DataFrame]:
        yield rows_frame(rows[header_index + 1:], width)

    return Table(label, rows[:HEAD_ROWS], batches, from_excel)


def rows_frame(rows: list[tuple[int, list[str]]], width: int) -> pl.DataFrame:
    """Python rows -> the batch shape: c0..c{width-1} strings, _row_number, _extra_cells."""
    columns: dict[str, list] = {f"c{i}": [] for i in range(width)}
    numbers, extra = [], []
    for number, cells in rows:
        numbers.append(number)
        extra.append(sum(1 for c in cells[width:] if c.strip()))
        for i in range(width):
            columns[f"c{i}"].append(cells[i] if i < len(cells) else None)
    frame = pl.DataFrame(columns, schema={name: pl.String for name in columns})
    return frame.with_columns(pl.Series("_row_number", numbers, pl.Int64),
                              pl.Series("_extra_cells", extra, pl.Int32))


def _fast_csv_table(path: Path, label: str, sample: bytes) -> Table:
    """UTF-8 files: header rows from the csv module, the body streamed by Polars."""
    text = sample.decode("utf-8-sig", errors="ignore")
    if len(sample) == _SAMPLE_BYTES:  # a partial last line would confuse the head reader
        text = text[: text.rfind("\n") + 1]
    delimiter = _sniff(text)
    lines = text.split("\n")[: HEAD_ROWS + 5]
    head_table = _exact_csv_table("\n".join(lines) + "\n", label, whole=False)
    head = head_table.head

    def batches(header_index: int, width: int) -> Iterator[pl.DataFrame]:
        header_line = head[header_index][0]
        schema = {f"c{i}": pl.String for i in range(width)}
        try:
            first_line = header_line + 1
            for chunk in _chunks(path, skip_lines=header_line, label=label):
                frame = pl.read_csv(io.BytesIO(chunk), has_header=False, separator=delimiter, schema=schema,
                                    infer_schema=False, quote_char='"', truncate_ragged_lines=False,
                                    raise_if_empty=False, missing_columns="insert")
                if chunk.count(b"\n") == frame.height:  # no record spans lines: plain numbering
                    batch = frame.with_columns(pl.int_range(first_line, first_line + frame.height, dtype=pl.Int64)
                                               .alias("_row_number"), pl.lit(0, pl.Int32).alias("_extra_cells"))
                    first_line += frame.height
                else:
                    batch, first_line = _number_rows(frame, first_line)
                yield batch
        except pl.exceptions.ComputeError:
            # ragged rows or another irregularity: re-read exactly (same rows, same numbers)
            full = _csv_table_from_bytes(path.read_bytes(), label)
            yield from full.batches(header_index, width)

    return Table(label, head, batches)


def _chunks(path: Path, skip_lines: int, label: str, size: int = CHUNK_BYTES) -> Iterator[bytes]:
    """The file after its first `skip_lines` lines, in pieces that end at a line break outside any
    quoted field (an even number of quote characters so far), so each piece parses on its own."""
    with path.open("rb") as handle:
        for _ in range(skip_lines):
            handle.readline()
        carry = b""
        while True:
            block = handle.read(size)
            if not block:
                if carry.count(b'"') % 2:
                    raise UnreadableFile(f"{label}: the file ends inside a quoted field (truncated?)")
                if carry.strip():
                    yield carry
                return
            piece = carry + block
            cut = piece.rfind(b"\n")
            while cut != -1 and piece.count(b'"', 0, cut) % 2:
                cut = piece.rfind(b"\n", 0, cut)
            if cut == -1:
                carry = piece
                continue
            yield piece[: cut + 1]
            carry = piece[cut + 1:]


def _number_rows(batch: pl.DataFrame, first_line: int) -> tuple[pl.DataFrame, int]:
    """Physical line numbers: one line per record plus any line breaks quoted inside its cells."""
    breaks = pl.sum_horizontal(pl.col(c).str.count_matches("\n").fill_null(0) for c in batch.columns)
    numbered = batch.with_columns(breaks.cast(pl.Int64).alias("_breaks")).with_columns(
        (pl.int_range(pl.len(), dtype=pl.Int64) + first_line
         + pl.col("_breaks").cum_sum() - pl.col("_breaks")).alias("_row_number"),
        pl.lit(0, pl.Int32).alias("_extra_cells"),
    )
    last = numbered.height + int(numbered["_breaks"].sum() or 0)
    return numbered.drop("_breaks"), first_line + last


# --- XLSX -----------------------------------------------------------------------------------------

def _xlsx_tables(raw: bytes, label: str) -> list[Table]:
    import openpyxl  # imported here: only workbooks need it

    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a corrupt workbook
        raise UnreadableFile(f"{label}: not a readable XLSX workbook ({exc})") from exc
    tables = []
    for sheet in book.worksheets:
        rows = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_excel_text(v) for v in values]
            if any(c.strip() for c in cells):
                rows.append((number, cells))
        if rows:
            tables.append(_rows_table(f"{label}#{sheet.title}", rows, from_excel=True))
    book.close()
    if not tables:
        raise UnreadableFile(f"{label}: every sheet of the workbook is empty")
    return tables


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
