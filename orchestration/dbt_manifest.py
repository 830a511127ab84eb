"""The dbt manifest, parsed when missing or older than the project's files. Its own light module
(no Dagster import): `impact run` plans its build from the manifest's graph on every run, and on a
fresh clone nothing has parsed the project yet."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

from partnership.config import DBT_PROJECT_DIR

DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")  # the venv's own dbt, works un-activated
MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"  # where dagster-dbt's DbtProject reads it


def _sources_newer_than(path: Path) -> bool:
    if not path.exists():
        return True
    built = path.stat().st_mtime
    watched = [DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml"]
    for folder in ("models", "seeds", "macros", "tests", "snapshots"):
        watched.extend((DBT_PROJECT_DIR / folder).rglob("*"))
    return any(p.is_file() and p.stat().st_mtime > built for p in watched)


def ensure_manifest() -> Path:
    """Run `dbt parse` when the manifest is missing or older than the project's files. Under a lock
    on the checkout's target folder: two commands started at once on a fresh install (two data
    directories, or two test workers) would otherwise both parse, and one read the manifest the
    other was still writing."""
    MANIFEST.parent.mkdir(parents=True, exist_ok=True)
    with open(MANIFEST.parent / ".parse.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _sources_newer_than(MANIFEST):
            env = os.environ | {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
            result = subprocess.run(
                [DBT_EXECUTABLE, "parse", "--project-dir", str(DBT_PROJECT_DIR),
                 "--profiles-dir", str(DBT_PROJECT_DIR), "--quiet"],
                capture_output=True, text=True, env=env, cwd=DBT_PROJECT_DIR,
            )
            if result.returncode != 0:
                raise RuntimeError(f"dbt parse failed:\n{result.stdout}\n{result.stderr}")
    return MANIFEST
