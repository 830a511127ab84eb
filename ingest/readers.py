"""Readers: CSV (ingest/csv_text.py), XLSX (every visible non-empty sheet) and CSV/XLSX inside ZIP,
into tables of text cells (ingest/tables.py).

Hostile files are met before they cost anything: a ZIP (and an XLSX, which is a ZIP) is checked
against the sizes its directory declares and the expansion limit before one byte is decompressed;
members are streamed to a temporary file, never read whole into memory; an encrypted workbook or
an old binary .xls is named as such. Hidden and very hidden sheets are skipped and reported; a
member or sheet identical to an earlier one of the same file is loaded once and reported.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import tempfile
import zipfile
from pathlib import Path

from ingest.csv_text import csv_table
from ingest.tables import HEAD_ROWS, Contents, ReadLimits, Table, UnreadableFile, rows_frame

TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
BOOK_SUFFIXES = (".xlsx", ".xlsm")
SUPPORTED_SUFFIXES = (*TEXT_SUFFIXES, *BOOK_SUFFIXES, ".zip")
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound file: old .xls, or an encrypted OOXML workbook
_SMALL_MEMBER = 1 << 20  # members under this are never judged by their compression ratio
XLSX_BATCH_ROWS = 50_000


def read_tables(path: Path, limits: ReadLimits, stack: contextlib.ExitStack) -> Contents:
    """Every non-empty table in the file. Raises UnreadableFile with a one-line reason. Temporary
    files and open workbooks live until `stack` closes (after the load)."""
    suffix = path.suffix.lower()
    contents = Contents()
    try:
        if suffix == ".zip":
            _zip_tables(path, limits, stack, contents)
        elif suffix in BOOK_SUFFIXES:
            _xlsx_tables(path, path.name, limits, stack, contents)
        elif suffix in TEXT_SUFFIXES:
            contents.tables.append(csv_table(path, path.name, limits))
        else:
            raise UnreadableFile(f"{path.name}: unsupported file type {suffix!r} (use CSV, XLSX or ZIP)")
    except UnreadableFile:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, EOFError) as exc:
        raise UnreadableFile(f"{path.name}: cannot be read ({type(exc).__name__}: {_short(exc)})") from exc
    return contents


def _short(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else ""


# --- ZIP ------------------------------------------------------------------------------------------

def check_archive(archive: zipfile.ZipFile, label: str, limits: ReadLimits) -> list[zipfile.ZipInfo]:
    """The archive's file members, after checking what they declare: no encryption, no member
    expanding more than `zip_max_ratio` times, no more than `zip_max_bytes` in all."""
    members = [m for m in archive.infolist() if not m.is_dir()]
    total = sum(m.file_size for m in members)
    if total > limits.zip_max_bytes:
        raise UnreadableFile(f"{label}: the archive would expand to {total / (1 << 20):,.0f} MiB, over the limit of "
                             f"{limits.zip_max_bytes / (1 << 20):,.0f} MiB (impact.toml [ingest] zip_max_mb); refused")
    for member in members:
        if member.flag_bits & 0x1:
            raise UnreadableFile(f"{label}: member {member.filename!r} is encrypted; send it without a password")
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > _SMALL_MEMBER and ratio > limits.zip_max_ratio:
            raise UnreadableFile(
                f"{label}: member {member.filename!r} would expand {ratio:,.0f} times ({member.compress_size:,} "
                f"bytes to {member.file_size:,}), over the limit of {limits.zip_max_ratio:g} (a ZIP bomb?); refused")
    return members


def _zip_tables(path: Path, limits: ReadLimits, stack: contextlib.ExitStack, contents: Contents) -> None:
    workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="impact-zip-")))
    seen: dict[str, str] = {}
    with zipfile.ZipFile(path) as archive:
        for number, member in enumerate(check_archive(archive, path.name, limits)):
            name, lower = member.filename, member.filename.lower()
            if "__MACOSX" in name or not lower.endswith((*TEXT_SUFFIXES, *BOOK_SUFFIXES)):
                continue
            label = f"{path.name}!{name}"
            target = workdir / f"member-{number}{Path(lower).suffix}"
            digest = _extract(archive, member, target, label, limits)
            if digest in seen:
                contents.notes.append(f"{label} is identical to {seen[digest]}: loaded once")
                continue
            seen[digest] = label
            if lower.endswith(TEXT_SUFFIXES):
                contents.tables.append(csv_table(target, label, limits))
            else:
                _xlsx_tables(target, label, limits, stack, contents)
    if not contents.tables:
        raise UnreadableFile(f"{path.name}: the ZIP holds no CSV or XLSX file")


def _extract(archive: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path, label: str,
             limits: ReadLimits) -> str:
    """Stream one member to disk (never more than it declared), returning its sha256."""
    digest, written = hashlib.sha256(), 0
    with archive.open(member) as source, target.open("wb") as sink:
        while block := source.read(1 << 20):
            written += len(block)
            if written > member.file_size:
                raise UnreadableFile(f"{label}: expands beyond the size the archive declares; refused")
            if limits.deadline.passed():
                raise limits.too_slow(label)
            digest.update(block)
            sink.write(block)
    return digest.hexdigest()


# --- XLSX -----------------------------------------------------------------------------------------

def _not_a_package(path: Path, label: str) -> None:
    with path.open("rb") as handle:
        start = handle.read(8)
        if start != _OLE2:
            return
        handle.seek(0)
        body = handle.read(64 << 20)
    if "EncryptedPackage".encode("utf-16-le") in body or "EncryptionInfo".encode("utf-16-le") in body:
        raise UnreadableFile(f"{label}: the workbook is password-protected (encrypted); save it without a password "
                             "(File > Info > Protect Workbook) and send it again")
    raise UnreadableFile(f"{label}: an old binary Excel (.xls) or other OLE file, not an XLSX workbook; "
                         "save it as .xlsx or CSV")


def _xlsx_tables(path: Path, label: str, limits: ReadLimits, stack: contextlib.ExitStack,
                 contents: Contents) -> None:
    import openpyxl  # imported here: only workbooks need it

    _not_a_package(path, label)
    with zipfile.ZipFile(path) as package:
        check_archive(package, label, limits)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a corrupt workbook
        raise UnreadableFile(f"{label}: not a readable XLSX workbook ({type(exc).__name__}: {_short(exc)})") from exc
    stack.callback(book.close)
    seen: dict[str, str] = {}
    found = 0
    for sheet in book.worksheets:
        source = f"{label}#{sheet.title}"
        if sheet.sheet_state != "visible":
            contents.notes.append(f"skipped {'very hidden' if sheet.sheet_state == 'veryHidden' else 'hidden'} "
                                  f"sheet {source}")
            continue
        head, digest = _sheet_head(sheet, source, limits)
        if not head:
            continue
        found += 1
        if digest in seen:
            contents.notes.append(f"{source} is identical to {seen[digest]}: loaded once")
            continue
        seen[digest] = source
        contents.tables.append(Table(source, head, _sheet_batches(sheet, source, head, limits), from_excel=True))
    if not found:
        skipped = [n for n in contents.notes if n.startswith("skipped")]
        raise UnreadableFile(f"{label}: every visible sheet of the workbook is empty"
                             + (f" ({'; '.join(skipped)})" if skipped else ""))


def _sheet_rows(sheet, source: str, limits: ReadLimits):
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        if number % 10_000 == 0 and limits.deadline.passed():
            raise limits.too_slow(source)
        cells = [_excel_text(v) for v in values]
        if any(c.strip() for c in cells):
            yield number, cells


def _sheet_head(sheet, source: str, limits: ReadLimits) -> tuple[list[tuple[int, list[str]]], str]:
    """The first rows, and a digest of every row (one streamed pass; identical sheets load once)."""
    head: list[tuple[int, list[str]]] = []
    digest = hashlib.sha256()
    for number, cells in _sheet_rows(sheet, source, limits):
        if len(head) < HEAD_ROWS:
            head.append((number, cells))
        digest.update(repr((number, cells)).encode("utf-8"))
    return head, digest.hexdigest()


def _sheet_batches(sheet, source: str, head, limits: ReadLimits):
    def batches(header_index: int, width: int):
        after, rows = head[header_index][0], []
        for number, cells in _sheet_rows(sheet, source, limits):
            if number > after:
                rows.append((number, cells))
            if len(rows) == XLSX_BATCH_ROWS:
                yield rows_frame(rows, width)
                rows = []
        if rows:
            yield rows_frame(rows, width)

    return batches


def _excel_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        # Binary float artefacts (0.1 + 0.2) are not decimals the publisher typed: ten places at most.
        value = round(value, 10)
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)
