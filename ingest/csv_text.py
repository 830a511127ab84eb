"""CSV files: encoding, separator, and two ways to read the body, both linear in the file's size and
bounded in memory.

- The fast way (UTF-8 files with LF or CRLF line ends): Polars parses pieces of ~16 MiB cut at a
  record boundary. The boundary is found with one pass over each piece (quote parity per line), so
  a quoted field spanning 200,000 lines costs what its bytes cost, never their square.
- The exact way (anything else, and the rest of a file the fast way could not parse): Python's csv
  module over the file's lines. Each line is decoded on its own: UTF-8 where the line is valid
  UTF-8, else Windows-1252, so one late Windows byte never aborts the file (policy row 4).

Both refuse a NUL byte anywhere (binary content), a line over `MAX_LINE` bytes and a cell over
`MAX_FIELD` characters, and check the per-file deadline as they go.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import polars as pl

from ingest.tables import (
    HEAD_ROWS,
    MAX_FIELD,
    ReadLimits,
    Table,
    UnreadableFile,
    rows_frame,
)

CHUNK_BYTES = 16 << 20  # ~150k rows of a typical spend file per batch
MAX_RECORD = 4 << 20  # a record longer than this is left to the exact reader (it refuses a cell over MAX_FIELD)
MAX_LINE = 64 << 20  # one physical line longer than this: not a usable table
EXACT_BATCH_ROWS = 50_000
_SAMPLE_BYTES = 1 << 20
_LONE_CR = re.compile(rb"\r(?!\n)")
_LONE_CR_TEXT = re.compile(r"\r(?!\n)")
_SPLIT_AFTER_LONE_CR = re.compile(r"(?<=\r)(?!\n)")


def csv_table(path: Path, label: str, limits: ReadLimits) -> Table:
    with path.open("rb") as handle:
        sample = handle.read(_SAMPLE_BYTES)
    encoding = _encoding_of(sample, label)
    reader = _ExactReader(path, label, encoding, limits)
    head = reader.head()
    if encoding == "utf-8" and not _LONE_CR.search(sample):  # Polars knows LF and CRLF, not a bare CR
        return Table(label, head, _fast_batches(path, label, head, reader, limits))
    return Table(label, head, reader.batches)


def _encoding_of(sample: bytes, label: str) -> str:
    """utf-16 (with or without a BOM), or 'utf-8' meaning: per line, UTF-8 else Windows-1252."""
    if not sample.strip():
        raise UnreadableFile(f"{label}: the file is empty")
    if sample.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le-bom"
    if sample.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be-bom"
    head = sample[:4096]
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if len(head) >= 8 and odd > 0.4 * len(head) / 2 and even == 0:
        return "utf-16-le"  # ASCII text as UTF-16 without a BOM: every second byte is NUL
    if len(head) >= 8 and even > 0.4 * len(head) / 2 and odd == 0:
        return "utf-16-be"
    if b"\x00" in sample:
        line = sample.count(b"\n", 0, sample.index(0)) + 1
        raise UnreadableFile(f"{label}: binary content (a NUL byte at line {line}), not a text file")
    return "utf-8"


def _sniff(lines: list[str]) -> str:
    counts = {d: sum(line.count(d) for line in lines[:HEAD_ROWS]) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def _decode(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return line.decode("cp1252", errors="replace")


def _physical_lines(text: str) -> list[str]:
    """LF, CRLF and bare CR (old Mac exports) all end a line, as in universal-newline mode."""
    if "\r" not in text or not _LONE_CR_TEXT.search(text):
        return [text]
    return [line for line in _SPLIT_AFTER_LONE_CR.split(text) if line]


class _ExactReader:
    """The csv module over the file's physical lines, streamed: (row number, cells) records."""

    def __init__(self, path: Path, label: str, encoding: str, limits: ReadLimits):
        self.path, self.label, self.encoding, self.limits = path, label, encoding, limits
        self.delimiter = _sniff([line for _, line in zip(range(HEAD_ROWS), self._lines(), strict=False)])

    def _lines(self) -> Iterator[str]:
        if self.encoding.startswith("utf-16"):
            yield from self._utf16_lines()
            return
        with self.path.open("rb") as handle:
            if handle.read(3) != codecs.BOM_UTF8:
                handle.seek(0)
            carry = b""
            while block := handle.read(1 << 20):
                pieces = (carry + block).split(b"\n")
                carry = pieces.pop()
                if len(carry) > MAX_LINE:
                    raise UnreadableFile(f"{self.label}: a line longer than {MAX_LINE >> 20} MiB; not a usable table")
                for piece in pieces:
                    yield from _physical_lines(_decode(piece + b"\n"))
            if carry:
                yield from _physical_lines(_decode(carry))

    def _utf16_lines(self) -> Iterator[str]:
        codec = {"utf-16-le-bom": "utf-16", "utf-16-be-bom": "utf-16"}.get(self.encoding, self.encoding)
        with self.path.open("rb") as raw:
            text = io.TextIOWrapper(raw, encoding=codec, newline="")
            try:
                while line := text.readline(MAX_LINE):
                    if len(line) == MAX_LINE and not line.endswith(("\n", "\r")):
                        raise UnreadableFile(f"{self.label}: a line longer than {MAX_LINE >> 20} MiB")
                    yield line
            except UnicodeDecodeError as exc:
                raise UnreadableFile(f"{self.label}: not valid UTF-16 text ({exc.reason})") from exc

    def records(self, whole: bool = True) -> Iterator[tuple[int, list[str]]]:
        csv.field_size_limit(MAX_FIELD)
        lines = self._checked_lines()
        reader = csv.reader(lines, delimiter=self.delimiter, strict=True)
        start = 1
        try:
            for cells in reader:
                yield start, cells
                start = reader.line_num + 1
        except csv.Error as exc:
            if whole:
                raise UnreadableFile(f"{self.label}: line {reader.line_num}: {exc} (is the file truncated?)") from exc

    def _checked_lines(self) -> Iterator[str]:
        for number, line in enumerate(self._lines(), start=1):
            if "\x00" in line:
                raise UnreadableFile(f"{self.label}: binary content (a NUL byte at line {number}), not a text file")
            if number % 10_000 == 0 and self.limits.deadline.passed():
                raise self.limits.too_slow(self.label)
            yield line

    def head(self) -> list[tuple[int, list[str]]]:
        head = []
        for record in self.records(whole=False):
            head.append(record)
            if len(head) == HEAD_ROWS:
                break
        return head

    def batches(self, header_index: int, width: int, from_row: int = 0) -> Iterator[pl.DataFrame]:
        """Records after the header (and from `from_row` on), in frames of EXACT_BATCH_ROWS."""
        after = max(self.head()[header_index][0] + 1, from_row)
        rows: list[tuple[int, list[str]]] = []
        for number, cells in self.records():
            if number < after:
                continue
            rows.append((number, cells))
            if len(rows) == EXACT_BATCH_ROWS:
                yield rows_frame(rows, width)
                rows = []
        if rows:
            yield rows_frame(rows, width)


def _fast_batches(path: Path, label: str, head, exact: _ExactReader, limits: ReadLimits):
    """UTF-8 files: the body streamed by Polars; from the first piece Polars cannot parse exactly
    (ragged rows, a byte that is not UTF-8, a record over MAX_RECORD) the exact reader takes over at
    that piece's first line, so no row is read twice or lost."""

    def batches(header_index: int, width: int) -> Iterator[pl.DataFrame]:
        header_line = head[header_index][0]
        schema = {f"c{i}": pl.String for i in range(width)}
        first_line = header_line + 1
        for chunk in _chunks(path, skip_lines=header_line, label=label):
            if chunk is None:
                break
            if limits.deadline.passed():
                raise limits.too_slow(label)
            if (nul := chunk.find(b"\x00")) != -1:
                line = first_line + chunk.count(b"\n", 0, nul)
                raise UnreadableFile(f"{label}: binary content (a NUL byte at line {line}), not a text file")
            try:
                frame = pl.read_csv(io.BytesIO(chunk), has_header=False, separator=exact.delimiter, schema=schema,
                                    infer_schema=False, quote_char='"', truncate_ragged_lines=False,
                                    raise_if_empty=False, missing_columns="insert")
            except (pl.exceptions.ComputeError, pl.exceptions.SchemaError):  # SchemaError: a ragged first line
                break
            if _count(chunk, b"\n") == frame.height:  # no record spans lines: plain numbering
                batch = frame.with_columns(pl.int_range(first_line, first_line + frame.height, dtype=pl.Int64)
                                           .alias("_row_number"), pl.lit(0, pl.Int32).alias("_extra_cells"))
                first_line += frame.height
            else:
                batch, first_line = _number_rows(frame, first_line)
            yield batch
        else:
            return
        # Ragged rows, a Windows-1252 byte or an endless record: the exact reader from here on.
        yield from exact.batches(header_index, width, from_row=first_line)

    return batches


def _chunks(path: Path, skip_lines: int, label: str, size: int | None = None) -> Iterator[bytes | None]:
    """The file after its first `skip_lines` lines, in pieces that end at a line break outside any
    quoted field, so each piece parses on its own. Yields None when a record grows past MAX_RECORD
    (an unclosed quote, or a field of tens of megabytes): the caller hands over to the exact reader."""
    size = size or CHUNK_BYTES
    with path.open("rb") as handle:
        for _ in range(skip_lines):
            if len(handle.readline(MAX_LINE)) == MAX_LINE:
                yield None
                return
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
            cut = _last_record_end(piece)
            if cut == -1:
                if len(piece) > MAX_RECORD:
                    yield None
                    return
                carry = piece
                continue
            yield piece[: cut + 1]
            carry = piece[cut + 1:]
            if len(carry) > MAX_RECORD:  # the record after the cut is already this long
                yield None
                return


def _last_record_end(piece: bytes) -> int:
    """Position of the last line break with an even number of quote characters before it, or -1.
    Walks back over the line breaks counting quotes in disjoint spans: one pass over the piece."""
    quotes = _count(piece, b'"')
    end = len(piece)
    cut = piece.rfind(b"\n")
    while cut != -1:
        quotes -= piece.count(b'"', cut, end)
        if quotes % 2 == 0:
            return cut
        end, cut = cut, piece.rfind(b"\n", 0, cut)
    return -1


def _count(data: bytes, byte: bytes) -> int:
    """How many times one byte occurs (numpy compares 16 MiB a few times faster than bytes.count)."""
    return int(np.count_nonzero(np.frombuffer(data, np.uint8) == byte[0]))


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
