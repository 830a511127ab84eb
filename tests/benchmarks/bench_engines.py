"""Scale run (not a test): the demo with its spend feed multiplied (50x by default: ~4.5 million
payment lines; --spend-factor 250 for ~23 million), built with `dbt build` on DuckDB and on a local
Spark session, the way the product builds (orchestration/engines: raw tables to the engine, dbt
build, the published schemas read back). Prints rows, seconds and peak memory per engine, so
docs/scaling.md can say where one machine stops being enough.

    .venv/bin/python tests/benchmarks/bench_engines.py [--spend-factor 50] [--engines duckdb,spark]
        [--base DATA_DIR] [--dir WORK_DIR] [--spark-driver-memory 6g]

--base reuses a data directory made by `impact demo --scale 1` (else one is made, ~2 minutes).
Peak memory is the largest total resident memory of the build's process tree (dbt, and Spark's JVM),
sampled every 0.2 s.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from orchestration import engines  # noqa: E402
from orchestration.dbt import DBT_EXECUTABLE, dbt_env, dbt_vars  # noqa: E402
from partnership.config import DBT_PROJECT_DIR, load_settings  # noqa: E402


def make_base(workdir: Path) -> Path:
    data_dir = workdir / "demo"
    done = subprocess.run([sys.executable, "-m", "cli.main", "demo", "--data-dir", str(data_dir),
                           "--scale", "1"], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(done.stdout[-3000:] + done.stderr[-3000:])
    return data_dir


def scaled_raw_file(base: Path, target: Path, factor: int) -> int:
    """The base's raw tables, with every payment line repeated `factor` times as distinct lines (own
    row number, transaction ref and an amount varied by up to 6%): a spend feed `factor` times larger."""
    target.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(target))
    try:
        con.execute(f"ATTACH '{base / 'warehouse' / 'impact.duckdb'}' AS base (READ_ONLY)")
        con.execute("CREATE SCHEMA raw")
        tables = [t for (t,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'base' "
                                            "AND schema_name = 'raw'").fetchall()]
        for table in tables:
            if table != "spend__payments":
                con.execute(f'CREATE TABLE raw."{table}" AS SELECT * FROM base.raw."{table}"')
        con.execute(f"""
            CREATE TABLE raw.spend__payments AS
            SELECT p.* REPLACE (
                       p.transaction_ref || '-' || copy.i AS transaction_ref,
                       CAST(p.amount_gbp * (1 + (copy.i % 7) / 100.0) AS DECIMAL(18, 2)) AS amount_gbp,
                       p._row_number + copy.i * 10000000 AS _row_number)
            FROM base.raw.spend__payments AS p, range({factor}) AS copy(i)""")
        con.execute("DETACH base")
        return con.execute("SELECT count(*) FROM raw.spend__payments").fetchone()[0]
    finally:
        con.close()


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants, from /proc (Linux)."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(parents.get(current, []))
        try:
            total += int(Path(f"/proc/{current}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            pass
    return total


class PeakMemory:
    """Largest total RSS of a process and its descendants, sampled in a thread."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss(self.pid))
            self._stop.wait(0.2)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak / 2**20


def build(engine: str, raw_file: Path, workdir: Path, driver_memory: str) -> dict:
    settings = load_settings(data_dir=workdir / engine)  # the shipped impact.toml, its engine changed
    settings.warehouse.engine = engine
    settings.warehouse.spark.driver_memory = driver_memory
    settings.warehouse.spark.shuffle_partitions = max(2, os.cpu_count() or 2)
    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    settings.warehouse_path.write_bytes(raw_file.read_bytes())
    timings = {}
    started = time.perf_counter()
    engines.load_raw(settings)
    timings["load_s"] = time.perf_counter() - started
    started = time.perf_counter()
    process = subprocess.Popen(
        [DBT_EXECUTABLE, "build", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
         "--target-path", str(workdir / f"target-{engine}"), "--log-path", str(workdir / f"logs-{engine}"),
         "--vars", json.dumps(dbt_vars(settings)), "--quiet"],
        env=os.environ | dbt_env(settings), cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    memory = PeakMemory(process.pid)
    output, _ = process.communicate()
    timings["peak_mib"] = memory.stop()
    timings["build_s"] = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"{engine}: dbt build failed\n{output[-4000:]}")
    started = time.perf_counter()
    engines.read_back(settings)
    timings["read_back_s"] = time.perf_counter() - started
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        timings["fct_payments"] = con.execute("SELECT count(*) FROM marts.fct_payments").fetchone()[0]
        timings["pp01"] = con.execute("SELECT sum(value) FROM marts.metrics WHERE metric_id = 'PP01' "
                                      "AND geography_level = 'county'").fetchone()[0]
    finally:
        con.close()
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spend-factor", type=int, default=50)
    parser.add_argument("--engines", default="duckdb,spark")
    parser.add_argument("--base", type=Path, default=None, help="a data directory made by impact demo --scale 1")
    parser.add_argument("--dir", default=None, help="working folder (default: a temporary one)")
    parser.add_argument("--spark-driver-memory", default="6g")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="bench-engines-") as tmp:
        workdir = Path(tmp)
        base = args.base or make_base(workdir)
        raw_file = workdir / "scaled.duckdb"  # not raw.duckdb: the catalog would shadow schema raw
        started = time.perf_counter()
        payments = scaled_raw_file(base, raw_file, args.spend_factor)
        print(f"raw tables: {payments:,} payment lines ({args.spend_factor}x the demo's spend feed), "
              f"{raw_file.stat().st_size / 2**20:,.0f} MiB, made in {time.perf_counter() - started:.1f} s")
        print(f"{'engine':8} {'payments':>12} {'load s':>8} {'dbt build s':>12} {'read back s':>12} "
              f"{'total s':>8} {'peak MiB':>9}")
        results = {}
        for engine in args.engines.split(","):
            r = build(engine, raw_file, workdir, args.spark_driver_memory)
            results[engine] = r
            total = r["load_s"] + r["build_s"] + r["read_back_s"]
            print(f"{engine:8} {r['fct_payments']:>12,} {r['load_s']:>8.1f} {r['build_s']:>12.1f} "
                  f"{r['read_back_s']:>12.1f} {total:>8.1f} {r['peak_mib']:>9,.0f}", flush=True)
        if len({round(r["pp01"], 2) for r in results.values()}) > 1:
            print(f"PP01 differs between engines: { {e: r['pp01'] for e, r in results.items()} }")
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
