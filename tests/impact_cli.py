"""The `impact` command as a steward runs it, in a clean environment (no inherited data dir or key)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path


def impact(*args: str, timeout: float | None = 1800, today: str | None = None,
           key: str | None = None) -> subprocess.CompletedProcess:
    """`today`: the date the run takes for today (IMPACT_TODAY), e.g. to place an open year; the
    real date without it. `key`: the pseudonymisation key (IMPACT_PSEUDONYMISATION_KEY); none without it."""
    return subprocess.run([sys.executable, "-m", "cli.main", *args],
                          capture_output=True, text=True, env=steward_env(today, key), timeout=timeout)


# What a developer's shell may carry that would change what `impact` does.
INHERITED = ("IMPACT_DATA_DIR", "IMPACT_PSEUDONYMISATION_KEY", "IMPACT_CONFIG", "IMPACT_TODAY",
             "IMPACT_PAUSE_AT", "DAGSTER_HOME")


def steward_env(today: str | None = None, key: str | None = None) -> dict[str, str]:
    """This environment without the data dir, key, configuration, date, fault hook or Dagster home it
    may carry; `today` and `key` as `impact` takes them."""
    env = {k: v for k, v in os.environ.items() if k not in INHERITED}
    if today:
        env["IMPACT_TODAY"] = today
    if key:
        env["IMPACT_PSEUDONYMISATION_KEY"] = key
    return env


def impact_paused_at(point: str, data_dir: Path, *args: str, env: dict[str, str], log: Path | None = None,
                     timeout: float = 900) -> subprocess.Popen:
    """`impact ARGS --data-dir DATA_DIR` with the fault hook at `point` (orchestration/faults.py),
    in its own process group (a test signals it, or SIGKILLs the group), returned once it has
    paused there. Its output goes to `log`, else to pipes (read them with communicate())."""
    from orchestration.faults import PAUSE_ENV

    with log.open("w") if log else contextlib.nullcontext(subprocess.PIPE) as stdout:
        process = subprocess.Popen([sys.executable, "-m", "cli.main", *args, "--data-dir", str(data_dir)],
                                   stdout=stdout, stderr=subprocess.STDOUT if log else subprocess.PIPE,
                                   text=True, env=env | {PAUSE_ENV: point}, start_new_session=True)
    paused = data_dir / f"paused-at-{point}"
    deadline = time.monotonic() + timeout
    while not paused.exists():
        if process.poll() is not None:
            output = log.read_text()[-3000:] if log else "".join(process.communicate())
            raise AssertionError(f"impact {args[0]} ended before it reached {point}:\n{output}")
        assert time.monotonic() < deadline, f"impact {args[0]} never reached {point}"
        time.sleep(0.2)
    paused.unlink()
    return process
