"""A file of national size (not a timed test): 50,000,000 rows of messy spend CSV generated on the
fly into a temporary folder, then ingested in a child process while its resident memory is sampled.
Prints the time, the peak and the memory over the load, which must stay under 1 GiB whatever the
size of the file (ingest/pipeline.py).

    make bench-large
    .venv/bin/python tests/benchmarks/bench_large_ingest.py [--rows 50000000] [--dir /big/disk]

Needs about 6 GB of free disk for the CSV and 1 GB for the warehouse (both removed afterwards).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from messy_spend import write_messy_csv  # noqa: E402

LIMIT_MIB = 1024
SECONDS_PER_FILE = 4 * 3600  # [ingest] max_seconds_per_file for this run: a national file on a busy 2-core box


def _rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def ingest_sampled(path: str, db: str, out) -> None:
    """load_file on the whole file, the resident memory sampled every second."""
    import duckdb

    from ingest import IngestRules, PostcodeLookup, load_file

    samples: list[tuple[float, float]] = []
    done = threading.Event()
    started = time.perf_counter()

    def sample() -> None:
        while not done.wait(1.0):
            samples.append((time.perf_counter() - started, _rss_mib()))
    threading.Thread(target=sample, daemon=True).start()
    con = duckdb.connect(db)
    report = load_file(con, Path(path), feed="spend", key="benchmark-key-0123456789", lookup=PostcodeLookup({}, "none"),
                       rules=IngestRules(max_seconds_per_file=SECONDS_PER_FILE))
    seconds = time.perf_counter() - started
    done.set()
    stored = con.execute("SELECT count(*) FROM raw.spend__payments").fetchone()[0]
    con.close()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    out.put({"status": report.status, "message": report.message, "rows": report.rows_loaded, "stored": stored,
             "quarantined": report.rows_quarantined, "seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime,
             "peak": usage.ru_maxrss / 1024, "samples": samples})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000_000)
    parser.add_argument("--dir", default=None, help="working folder (default: a temporary one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        path, db = Path(tmp) / "national-spend.csv", Path(tmp) / "large.duckdb"
        started = time.perf_counter()
        write_messy_csv(path, args.rows)
        print(f"generated {args.rows:,} rows, {path.stat().st_size / 2**30:.2f} GiB in "
              f"{time.perf_counter() - started:.0f} s; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
              flush=True)
        context = multiprocessing.get_context("spawn")
        queue = context.Queue()
        child = context.Process(target=ingest_sampled, args=(str(path), str(db), queue))
        child.start()
        result = queue.get()
        child.join()
        database = db.stat().st_size / 2**20
    samples = result["samples"]
    print(f"ingest: {result['status']}, {result['rows']:,} rows loaded ({result['stored']:,} stored), "
          f"{result['quarantined']:,} quarantined, in {result['seconds']:.0f} s "
          f"({result['rows'] / result['seconds']:,.0f} rows/s, CPU {result['cpu']:.0f} s); "
          f"warehouse {database:,.0f} MiB")
    if result["status"] != "loaded":
        print(f"  {result['message']}")
    tenth = max(1, len(samples) // 10)
    print("resident memory over the load (MiB): "
          + ", ".join(f"{seconds:.0f}s {mib:.0f}" for seconds, mib in samples[tenth - 1::tenth]))
    verdict = "met" if result["peak"] < LIMIT_MIB else "NOT met"
    print(f"peak resident memory: {result['peak']:.0f} MiB (target < {LIMIT_MIB} MiB: {verdict}); "
          f"load average {os.getloadavg()[0]:.1f}")
    return 0 if result["status"] == "loaded" and result["peak"] < LIMIT_MIB else 1


if __name__ == "__main__":
    raise SystemExit(main())
