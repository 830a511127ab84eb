"""The `impact` command as a steward runs it, in a clean environment (no inherited data dir or key)."""

from __future__ import annotations

import os
import subprocess
import sys


def impact(*args: str, timeout: float = 1800) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in ("IMPACT_DATA_DIR", "IMPACT_PSEUDONYMISATION_KEY", "DAGSTER_HOME")}
    return subprocess.run([sys.executable, "-m", "cli.main", *args],
                          capture_output=True, text=True, env=env, timeout=timeout)
