"""The limits and plausibility rules a load runs under, handed in by the caller.

The ingest never reads configuration itself: orchestration builds `IngestRules` from impact.toml
`[ingest]` (validated in partnership/config.py) and passes it to `load_files`. The defaults here
are the documented defaults of that section, so a test or a script gets the same behaviour.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class DateWindow:
    """Plausible dates for a feed: not before `floor_year`, not more than `future_days` after the
    file arrived (a payment dated 2099 or 1900 is a typing error, not a payment)."""

    floor_year: int = 2000
    future_days: int = 14

    def bounds(self, received: dt.date) -> tuple[dt.date, dt.date]:
        return dt.date(self.floor_year, 1, 1), received + dt.timedelta(days=self.future_days)


@dataclass(frozen=True)
class IngestRules:
    # A replacement that removes more than this share of the rows, or of the net amount, of what it
    # replaces is refused with the numbers until the steward confirms it (--replaces / a sidecar).
    max_shrink_share: float = 0.5
    # ZIP archives (and XLSX packages, which are ZIPs): checked against the sizes their directory
    # declares before anything is decompressed.
    zip_max_ratio: float = 200.0  # declared size / compressed size, for members over 1 MiB
    zip_max_bytes: int = 2 << 30  # declared size of all members together
    max_seconds_per_file: float = 900.0  # reading and conforming one file; then it is refused
    date_windows: Mapping[str, DateWindow] = field(default_factory=dict)
    # The feeds the partnership collects: a file of another feed is refused before any row is read
    # into the warehouse (its columns may name people). None: every feed.
    collected: tuple[str, ...] | None = None
    # Whether the partnership provides a supplier register ([feeds] supplier_register): without one,
    # a register file is refused (its metrics read "no supplier register", and it must not be used).
    supplier_register: bool = True

    def window(self, feed: str) -> DateWindow:
        return self.date_windows.get(feed, DateWindow())


class Deadline:
    """A per-file time bound, checked between batches and inside the readers' loops."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._at = time.monotonic() + seconds

    def passed(self) -> bool:
        return time.monotonic() > self._at
