"""A full disk, for real: the data directory on a small tmpfs, filled up before a run that has a new
file to load. The run fails with one line naming the path and what to free (no traceback, no
sqlite "disk I/O error"), nothing published changes, and once space is freed the next run
completes. Needs permission to mount a tmpfs (root in a container); skipped otherwise.

Also: a missing pseudonymisation key is one line, before any run starts."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from impact_cli import impact as run_impact

from demo.generate import generate_spend_month

pytestmark = pytest.mark.e2e
TMPFS_MB = 160


def impact(*args: str) -> subprocess.CompletedProcess:
    return run_impact(*args, today="2025-06-15")  # the new month (April 2025) falls in the open year


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={TMPFS_MB}m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(folder: Path, leave_bytes: int) -> Path:
    filler = folder / "filler.bin"
    free = shutil.disk_usage(folder).free - leave_bytes
    with filler.open("wb") as handle:
        chunk = b"\0" * (1 << 20)
        while free > 0:
            handle.write(chunk[:min(len(chunk), free)])
            free -= len(chunk)
    return filler


def test_a_full_disk_is_one_line_and_the_next_run_completes_once_space_is_freed(demo_data_dir, small_disk):
    demo_dir, _, scale, seed = demo_data_dir
    data_dir = small_disk / "data"
    shutil.copytree(demo_dir, data_dir, symlinks=True)
    generate_spend_month(data_dir / "landing", date(2025, 4, 1), seed=seed, scale=scale)
    snapshot = hashlib.sha256((data_dir / "published" / "impact.duckdb").read_bytes()).hexdigest()
    filler = _fill(small_disk, leave_bytes=64 * 1024)

    full = impact("run", "--data-dir", str(data_dir))
    said = full.stdout + full.stderr
    assert full.returncode != 0, said
    assert "the disk is full writing " in said and "free space on that disk" in said, said
    assert "Traceback" not in said and "disk I/O error" not in said, said
    assert hashlib.sha256((data_dir / "published" / "impact.duckdb").read_bytes()).hexdigest() == snapshot

    filler.unlink()
    again = impact("run", "--data-dir", str(data_dir))
    assert again.returncode == 0, again.stdout + again.stderr
    assert "3 new files" in again.stdout or "ingest" not in again.stdout  # loaded now, or already


def test_a_missing_pseudonymisation_key_is_one_line_before_any_run(tmp_path):
    from demo import generate_demo_data

    data_dir = tmp_path / "data"  # not made by `impact demo`: the demo key is refused
    generate_demo_data(data_dir / "landing", scale=0.01)
    done = impact("run", "--data-dir", str(data_dir))
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("impact: configuration: set IMPACT_PSEUDONYMISATION_KEY"), done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    runs = [p.name for p in (data_dir / "dagster_home").glob("history/runs/*.db") if p.name != "index.db"]
    assert runs == []  # no run was started
