"""Benchmark (not a test): would a process that stays warm between runs meet the monthly target?

    .venv/bin/python tests/benchmarks/bench_warm_months.py [--scale 1] [--months 3] [--dir DIR]

`impact run` starts a fresh process, and about 10 s of every monthly run is that process's fixed
cost (imports, dbt's first command: docs/operations.md). This measures what is left without it:
after a full rebuild of the demo at `--scale` (its own `impact run`, timed as in bench_runs.py),
one process runs `impact run` (cli.main.main) once per new month of spend, April 2025 onwards.
The first month pays the imports; the later ones find Dagster, dbt, Great Expectations and the
definitions loaded, as a warm worker would. Each month's wall time is printed with its stages
and its share of the full rebuild (target: under 10%, spec §10).

Then, in the same warm process, the last month's own dbt command (from its run's log) is run
again on its own, twice with its tests and twice with its models only (dbt's `dbtRunner`, no
Dagster): the floor that dbt alone sets for a month, however warm the process around it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
TODAY = "2025-07-15"  # April to June 2025 are in the open year 2025-26, and due or nearly


def months_in_one_process(data_dir: Path, scale: float, months: int, results: Path) -> None:
    """The warm part: one process, one `impact run` per new month; timings appended to `results`."""
    import cli.main
    from demo.generate import generate_spend_month

    for month in range(4, 4 + months):
        generate_spend_month(data_dir / "landing", date(2025, month, 1), scale=scale)
        log = data_dir.parent / f"month-{month}.out"
        started = time.perf_counter()
        with log.open("w") as out:
            saved = os.dup(1)
            os.dup2(out.fileno(), 1)  # the run's console lines, for its stages
            try:
                code = cli.main.main(["run", "--data-dir", str(data_dir)])
            finally:
                sys.stdout.flush()
                os.dup2(saved, 1)
        took = time.perf_counter() - started
        with results.open("a") as handle:
            handle.write(json.dumps({"month": month, "code": code, "seconds": took, "log": str(log)}) + "\n")
    with results.open("a") as handle:
        for label, only_models in (("tests", False), ("models only", True)) * 2:
            handle.write(json.dumps({"dbt": label, **dbt_again(data_dir, only_models)}) + "\n")
    os._exit(0)  # as `impact` does: no teardown of the libraries' objects


def dbt_again(data_dir: Path, only_models: bool) -> dict:
    """The newest run's `dbt build` once more in this process: seconds to its first result, then
    to its last, and how many results (models and tests) it gave."""
    from dbt.cli.main import dbtRunner

    from orchestration.dbt_vars import dbt_env
    from partnership.config import load_settings

    os.environ.update(dbt_env(load_settings(data_dir)))
    newest = max((data_dir / "logs").glob("impact-run-*.log"), key=lambda path: path.stat().st_mtime)
    line = next(line for line in newest.read_text().splitlines() if "dbt build --vars " in line)
    vars_json, _, rest = line.split("dbt build --vars ", 1)[1].partition(" --project-dir ")
    args = ["build", "--vars", vars_json, "--project-dir", *rest.split(), "--quiet"]
    args += ["--resource-type", "model"] if only_models else []
    stamps: list[float] = []

    def on_event(event) -> None:
        if event.info.name in ("LogModelResult", "LogTestResult"):
            stamps.append(time.perf_counter())

    started = time.perf_counter()
    outcome = dbtRunner(callbacks=[on_event]).invoke(args)
    ended = time.perf_counter()
    return {"ok": outcome.success, "results": len(stamps), "seconds": ended - started,
            "first": (stamps[0] if stamps else ended) - started}


def main() -> int:
    from bench_runs import impact, load, stages
    from impact_cli import steward_env

    from demo import generate_demo_data
    from partnership.config import DEMO_MARKER

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--months", type=int, default=3)
    parser.add_argument("--dir", default=None, help="working folder (default: a temporary one)")
    parser.add_argument("--in-one-process", nargs=2, metavar=("DATA_DIR", "RESULTS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.in_one_process:
        months_in_one_process(Path(args.in_one_process[0]), args.scale, args.months, Path(args.in_one_process[1]))
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        data_dir = Path(tmp) / "data"
        data_dir.mkdir()
        (data_dir / DEMO_MARKER).write_text("benchmark\n")
        generate_demo_data(data_dir / "landing", scale=args.scale)
        full, stdout = impact("run", "--data-dir", str(data_dir), today=TODAY)
        print(f"scale {args.scale:g}: full rebuild {full:.1f} s ({load()})  {stages(stdout, full)}")
        results = Path(tmp) / "months.jsonl"
        subprocess.run([sys.executable, __file__, "--scale", str(args.scale), "--months", str(args.months),
                        "--in-one-process", str(data_dir), str(results)],
                       env=steward_env(TODAY), cwd=ROOT, check=True)
        rows = [json.loads(line) for line in results.read_text().splitlines()]
        for row in (row for row in rows if "month" in row):
            state = "cold (fresh process)" if row["month"] == 4 else "warm (same process)"
            took = row["seconds"]
            print(f"  2025-{row['month']:02d} {state:<20} {took:6.1f} s ({took / full:6.1%})  exit {row['code']}  "
                  f"{stages(Path(row['log']).read_text(), took)}")
        for row in (row for row in rows if "dbt" in row):
            took = row["seconds"]
            print(f"  the last month's dbt build alone, warm, {row['dbt']:<11} {took:5.1f} s ({took / full:6.1%})  "
                  f"{row['results']} results, the first after {row['first']:.1f} s, ok {row['ok']}")
    print("target: one new month < 10% of the full rebuild (spec §10)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
