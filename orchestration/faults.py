"""A test hook for the fault-injection test (tests/orchestration/test_crash_recovery.py): a run
pauses at a named point of its work so that a SIGKILL lands exactly there.

    IMPACT_PAUSE_AT=<point>   ingest | dbt | gate | snapshot-swap | parquet-swap | pack
                              | pack-check (comparing closed years' packs with the snapshot:
                              tests/orchestration/test_late_returns.py)
                              | ingest-copy (`impact ingest` of a file from outside the landing
                              folder, loaded but not yet copied into it:
                              tests/orchestration/test_landing_rebuild.py)

At the point, the run writes `<data dir>/paused-at-<point>` and sleeps (at most 120 s, then goes
on). Unset, `pause_point` costs one environment lookup. Never set it in production.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

PAUSE_ENV = "IMPACT_PAUSE_AT"
POINTS = ("ingest", "dbt", "gate", "snapshot-swap", "parquet-swap", "pack")
MAX_PAUSE_SECONDS = 120


def pause_point(point: str, data_dir: Path | str | None = None) -> None:
    if os.environ.get(PAUSE_ENV) != point:
        return
    folder = Path(data_dir or os.environ.get("IMPACT_DATA_DIR", "."))
    (folder / f"paused-at-{point}").write_text(f"{os.getpid()}\n", encoding="utf-8")
    deadline = time.monotonic() + MAX_PAUSE_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.2)
