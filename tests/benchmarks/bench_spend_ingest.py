"""Benchmark (not a test): the ingest of a 5-million-row messy spend CSV against two bare loads of
the same file into DuckDB, all in one invocation, with the time and peak memory of each and the
ratios.

    .venv/bin/python tests/benchmarks/bench_spend_ingest.py [--rows 5000000] [--repeat 3] [--profile]

The three paths:
  bare     Polars reads the file (strings as inferred, no parsing of amounts or dates) and DuckDB
           creates a table from the frame: the baseline of spec §10;
  duckdb   DuckDB's own read_csv, every column as text, into a table;
  ingest   load_file: contract, quarantine, lineage, privacy, audit, all-or-nothing.

Targets (spec §10): ingest time <= 1.3 x bare, ingest peak memory < 1 GiB. Each run is its own
child process, so its peak resident memory and its CPU (on all its threads) are its own; the paths
alternate (the machine's load moves) and the best of --repeat runs of each is reported. --profile
adds one ingest run with timers per phase (tests/benchmarks/ingest_phases.py). The machine's load
average is printed: other processes on a shared machine slow every path, so compare paths within
one invocation.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from messy_spend import write_messy_csv  # noqa: E402

PATHS = ("bare", "duckdb", "ingest")


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    """CPU seconds of this process on all its threads so far (what the machine's load cannot inflate)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def bare(path: str, db: str, out) -> None:
    import duckdb
    import polars as pl

    started, cpu = time.perf_counter(), _cpu()
    frame = pl.read_csv(path, skip_lines=1)
    con = duckdb.connect(db)
    con.register("frame", frame)
    con.execute("CREATE TABLE payments AS SELECT * FROM frame")
    con.close()
    out.put(("bare", time.perf_counter() - started, _peak_mib(), frame.height, _cpu() - cpu))


def duckdb_read_csv(path: str, db: str, out) -> None:
    import duckdb

    started, cpu = time.perf_counter(), _cpu()
    con = duckdb.connect(db)
    con.execute("CREATE TABLE payments AS SELECT * FROM read_csv(?, skip = 1, header = true, all_varchar = true)",
                [path])
    rows = con.execute("SELECT count(*) FROM payments").fetchone()[0]
    con.close()
    out.put(("duckdb", time.perf_counter() - started, _peak_mib(), rows, _cpu() - cpu))


def ingest(path: str, db: str, out) -> None:
    import duckdb

    from ingest import PostcodeLookup, load_file

    started, cpu = time.perf_counter(), _cpu()
    con = duckdb.connect(db)
    report = load_file(con, Path(path), feed="spend", key="benchmark-key-0123456789", lookup=PostcodeLookup({}, "none"))
    con.close()
    assert report.status == "loaded", report.message
    out.put(("ingest", time.perf_counter() - started, _peak_mib(), report.rows_loaded, _cpu() - cpu))


TARGETS = {"bare": bare, "duckdb": duckdb_read_csv, "ingest": ingest}


def run_child(target, path: Path, workdir: Path, label: str) -> tuple:
    """One run in a fresh process (its own peak memory), on a fresh database file."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    db = workdir / f"{label}-{time.monotonic_ns()}.duckdb"
    process = context.Process(target=target, args=(str(path), str(db), queue))
    process.start()
    result = queue.get()
    process.join()
    for leftover in (db, db.with_suffix(".duckdb.wal")):
        leftover.unlink(missing_ok=True)
    return result


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="also time the ingest's phases (one more run)")
    parser.add_argument("--dir", default=None, help="working folder (default: a temporary one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        workdir = Path(tmp)
        path = workdir / "messy-spend.csv"
        started = time.perf_counter()
        write_messy_csv(path, args.rows)
        size = path.stat().st_size / 2**20
        print(f"generated {args.rows:,} rows, {size:,.0f} MiB in {time.perf_counter() - started:.1f} s; "
              f"{load_average()}")
        best: dict[str, tuple] = {}
        for attempt in range(1, args.repeat + 1):
            for label in PATHS:
                result = run_child(TARGETS[label], path, workdir, label)
                print(f"  run {attempt}  {label:6} {result[1]:6.2f} s  peak {result[2]:6.0f} MiB  "
                      f"CPU {result[4]:5.1f} s  rows {result[3]:,}", flush=True)
                if label not in best or result[1] < best[label][1]:
                    best[label] = result
        print(f"\nbest of {args.repeat} ({load_average()}):")
        print(f"  {'path':8} {'time':>8} {'peak RSS':>10} {'CPU':>7} {'time / bare':>12} {'time / duckdb':>14}")
        for label in PATHS:
            _, seconds, peak, _, cpu = best[label]
            print(f"  {label:8} {seconds:7.2f}s {peak:7.0f} MiB {cpu:6.1f}s {seconds / best['bare'][1]:12.2f} "
                  f"{seconds / best['duckdb'][1]:14.2f}")
        ratio, peak = best["ingest"][1] / best["bare"][1], best["ingest"][2]
        print(f"ingest / bare Polars read-and-load: {ratio:.2f} (target <= 1.3: {'met' if ratio <= 1.3 else 'NOT met'})"
              f"; ingest peak {peak:.0f} MiB (target < 1024 MiB: {'met' if peak < 1024 else 'NOT met'})")
        if args.profile:
            from ingest_phases import profile_in_child

            print("\n" + profile_in_child(path, workdir))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
