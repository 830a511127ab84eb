"""Where the ingest's seconds go: one load_file run with a timer around each phase (benchmark
helper, not a test). The phases run on three threads: the reader reads batch k+2 while the main
thread conforms and protects batch k+1 and the writer thread stages batch k as Parquet, so the
reader's and the writer's times overlap the main thread's; the main thread's "waiting" rows are
the part of the read and the write it could not hide. Then the main thread has DuckDB insert the
staged rows on every core ("insert").

    .venv/bin/python tests/benchmarks/ingest_phases.py FILE.csv
"""

from __future__ import annotations

import contextlib
import multiprocessing
import resource
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

PHASES = [
    ("sha256", "main", "hash the file (duplicate check, lineage)"),
    ("conform", "main", "clean, cheap typed parse, full parse of unusual rows, withheld payees"),
    ("protect", "main", "pseudonymise, postcode to LSOA, stored columns, declared publishers"),
    ("wait-read", "main", "waiting for the reader (the read it could not hide)"),
    ("wait-write", "main", "waiting for the writer (the write it could not hide)"),
    ("insert", "main", "DuckDB inserts the staged rows, on every core (ingest/staging.py)"),
    ("audit", "main", "begin, overlap check, audit row, commit"),
    ("read", "reader", "cut the file into ~16 MiB pieces, Polars parses each (strings)"),
    ("write", "writer", "stage the rows as Parquet, DuckDB writes quarantine rows, running totals"),
]
_OVERLAPPED = ("read", "write")


class _Clock:
    def __init__(self) -> None:
        self.wall: dict[str, float] = defaultdict(float)
        self.cpu: dict[str, float] = defaultdict(float)

    def wrap(self, name: str, function):
        def timed(*args, **kwargs):
            wall, cpu = time.perf_counter(), time.thread_time()
            try:
                return function(*args, **kwargs)
            finally:
                self.wall[name] += time.perf_counter() - wall
                self.cpu[name] += time.thread_time() - cpu
        return timed

    def wrap_batches(self, table) -> None:
        batches = table.batches

        def timed_batches(*args):
            iterator = batches(*args)
            while True:
                wall = time.perf_counter()
                try:
                    item = next(iterator)
                except StopIteration:
                    return
                finally:
                    self.wall["read"] += time.perf_counter() - wall
                yield item
        table.batches = timed_batches


def _instrumented_load(path: str, db: str, out) -> None:
    import duckdb

    from ingest import PostcodeLookup, load_file, loader, pipeline

    clock = _Clock()
    loader.sha256_of = clock.wrap("sha256", loader.sha256_of)
    read_tables = loader.read_tables

    def timed_read_tables(*args):
        contents = read_tables(*args)
        for table in contents.tables:
            clock.wrap_batches(table)
        return contents
    loader.read_tables = timed_read_tables
    loader.conform_batch = clock.wrap("conform", loader.conform_batch)
    loader.protect = clock.wrap("protect", loader.protect)
    loader.write_batch = clock.wrap("write", loader.write_batch)
    loader.finish_table = clock.wrap("audit", loader.finish_table)
    loader.insert_staged = clock.wrap("insert", loader.insert_staged)
    pipeline.BackgroundWriter.submit = clock.wrap("wait-write", pipeline.BackgroundWriter.submit)
    pipeline.BackgroundWriter.close = clock.wrap("wait-write", pipeline.BackgroundWriter.close)
    read_ahead = loader.read_ahead

    @contextlib.contextmanager
    def timed_read_ahead(batches):
        with read_ahead(batches) as items:
            def waited():
                while True:
                    wall = time.perf_counter()
                    item = next(items, None)
                    clock.wall["wait-read"] += time.perf_counter() - wall
                    if item is None:
                        return
                    yield item
            yield waited()
    loader.read_ahead = timed_read_ahead
    con = duckdb.connect(db)
    started, cpu = time.perf_counter(), time.process_time()
    report = load_file(con, Path(path), feed="spend", key="benchmark-key-0123456789", lookup=PostcodeLookup({}, "none"))
    total, total_cpu = time.perf_counter() - started, time.process_time() - cpu
    con.close()
    main_thread = sum(v for k, v in clock.wall.items() if k not in _OVERLAPPED)
    clock.wall["audit"] += total - main_thread  # begin, commit and what lies between the phases
    out.put((dict(clock.wall), total, total_cpu, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
             report.rows_loaded, threading.active_count()))


def profile_in_child(path: Path, workdir: Path) -> str:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    db = workdir / f"phases-{time.monotonic_ns()}.duckdb"
    process = context.Process(target=_instrumented_load, args=(str(path), str(db), queue))
    process.start()
    wall, total, cpu, peak, rows, _ = queue.get()
    process.join()
    db.unlink(missing_ok=True)
    lines = [f"where the ingest's {total:.2f} s go ({rows:,} rows; CPU {cpu:.1f} s on all threads, "
             f"peak {peak:.0f} MiB):",
             f"  {'phase':10} {'thread':7} {'seconds':>8} {'share':>6}  what"]
    for name, thread, what in PHASES:
        seconds = wall.get(name, 0.0)
        lines.append(f"  {name:10} {thread:7} {seconds:8.2f} {seconds / total:6.0%}  {what}")
    lines.append("  (reader and writer seconds overlap the main thread's phases, which add up to the total)")
    return "\n".join(lines)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        print(profile_in_child(Path(sys.argv[1]), Path(tmp)))
