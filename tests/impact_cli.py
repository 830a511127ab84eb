"""The `impact` command as a steward runs it, in a clean environment (no inherited data dir or key)."""

from __future__ import annotations

import os
import subprocess
import sys


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
