"""Benchmark (not a test): what a steward's routine runs cost against a full rebuild (spec §10).

    .venv/bin/python tests/benchmarks/bench_runs.py [--scales 1 4 16] [--dir DIR]

For each demo scale, in a fresh data directory holding the demo's landing files:
- full rebuild: `impact run` loads every file, builds every model, gates every year, publishes;
- no change: `impact run` again, nothing new in the landing folder;
- one new month: one more month of spend (one file per anchor, April 2025) dropped in, `impact run`.
Each is the wall time of the whole command, as a steward waits for it (process start included).
"Today" is 15 June 2025 (IMPACT_TODAY), so April 2025 falls in the open year 2025-26.
Targets: no change under 5% of the full rebuild; one new month under 10%. The machine's load
average is printed with each result: on a shared machine, compare ratios from the same scale.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
from impact_cli import impact as run_impact  # noqa: E402 - after the path it is found on

TODAY = "2025-06-15"


def impact(*args: str, today: str = TODAY) -> tuple[float, str]:
    started = time.perf_counter()
    done = run_impact(*args, today=today, timeout=None)
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"impact {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return took, done.stdout


def stages(stdout: str, took: float) -> str:
    """The stage lines that took measurable time, e.g. `dbt 9.8 s, gate 2.0 s`, and the rest of the
    wall time: process start-up (imports), Dagster's runs and their event records, planning."""
    parts, staged = [], 0.0
    for line in stdout.splitlines():
        if line.startswith("  ") and line.rstrip().endswith(" s)"):
            seconds = line.rsplit("(", 1)[1].rstrip(")")
            parts.append(f"{line.split()[0]} {seconds}")
            staged += float(seconds.split()[0])
    return ", ".join(parts + [f"rest {took - staged:.1f} s"]) if parts else "no stage ran"


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def bench(scale: float, workdir: Path) -> dict:
    from demo import generate_demo_data
    from demo.generate import generate_spend_month
    from partnership.config import DEMO_MARKER

    data_dir = workdir / f"scale-{scale:g}" / "data"
    data_dir.mkdir(parents=True)
    (data_dir / DEMO_MARKER).write_text("benchmark\n")
    summary = generate_demo_data(data_dir / "landing", scale=scale)
    print(f"scale {scale:g}: {len(summary.files)} landing files, "
          f"{summary.count('spend', 'payments').rows_loaded:,} payments")
    result = {}
    for label, before in (("full rebuild", None), ("no change", None),
                          ("one new month", lambda: generate_spend_month(data_dir / "landing", date(2025, 4, 1),
                                                                         scale=scale))):
        if before:
            before()
        took, stdout = impact("run", "--data-dir", str(data_dir))
        result[label] = took
        print(f"  {label:<14} {took:7.1f} s  ({load()})  {stages(stdout, took)}")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 4.0, 16.0])
    parser.add_argument("--dir", default=None, help="working folder (default: a temporary one)")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        for scale in args.scales:
            rows.append((scale, bench(scale, Path(tmp))))
    print()
    print(f"{'scale':>5}  {'full rebuild':>12}  {'no change':>18}  {'one new month':>18}")
    for scale, r in rows:
        full = r["full rebuild"]
        print(f"{scale:>5g}  {full:>10.1f} s  {r['no change']:>6.1f} s ({r['no change'] / full:6.1%})  "
              f"{r['one new month']:>6.1f} s ({r['one new month'] / full:6.1%})")
    print("targets: no change < 5% of the full rebuild; one new month < 10% (spec §10)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
