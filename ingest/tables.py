"""What every reader hands on: tables of text cells that keep the row number a steward sees in the
file, read in batches, within the limits of one load (time, archive expansion)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import polars as pl

from ingest.rules import Deadline

HEAD_ROWS = 30
MAX_FIELD = 1_000_000  # a cell bigger than this makes the file unreadable, not the machine


class UnreadableFile(ValueError):
    """The file as a whole cannot be read; nothing of it is loaded."""


@dataclass
class ReadLimits:
    deadline: Deadline
    zip_max_ratio: float = 200.0
    zip_max_bytes: int = 2 << 30

    def too_slow(self, label: str) -> UnreadableFile:
        return UnreadableFile(f"{label}: reading took longer than {self.deadline.seconds:g} s "
                              "(impact.toml [ingest] max_seconds_per_file); refused")


@dataclass
class Table:
    """One table of text cells: a CSV (or a ZIP member), or one worksheet of a workbook."""

    source: str  # file name, plus "!member" for ZIP members and "#sheet" for worksheets
    head: list[tuple[int, list[str]]]  # the first rows: (row number in the file, cells)
    batches: Callable[[int, int], Iterator[pl.DataFrame]]  # (header index in head, width) -> body
    from_excel: bool = False


@dataclass
class Contents:
    """Every table a file holds, and what the reader skipped on the way (reported in the audit)."""

    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


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
