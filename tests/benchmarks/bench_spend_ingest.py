"""Benchmark (not a test): ingest of a 5-million-row messy spend CSV against a bare Polars
read-and-load of the same file into DuckDB, in one invocation. Prints time and peak-memory ratios.

    .venv/bin/python tests/benchmarks/bench_spend_ingest.py [--rows 5000000] [--keep]

Targets (spec §10): time ratio <= 1.3, ingest peak memory < 1 GiB. Each phase runs in its own
child process so its peak resident memory is its own; phases alternate and the best of --repeat
runs is reported.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def make_messy_csv(path: Path, rows: int, seed: int = 7) -> None:
    """Transparency-file mess: £ and thousands separators, brackets and minus for credit notes,
    padded amounts, dd/mm/yyyy dates, withheld payees, a preamble line and a Total footer."""
    import polars as pl

    n = pl.int_range(rows, eager=True)
    pence = ((n * 7919 + seed) % 2_500_000 - 40_000).alias("p")
    frame = pl.DataFrame({"n": n, "p": pence}).with_columns(
        pl.lit("Oxfordshire County Council").alias("Body Name"),
        pl.format("Service {}", pl.col("n") % 37).alias("Service Area"),
        pl.format("Category {}", pl.col("n") % 211).alias("Expenditure Category"),
        pl.format("{}/{}/{}", (pl.col("n") % 28 + 1).cast(pl.String).str.zfill(2),
                  (pl.col("n") // 7 % 12 + 1).cast(pl.String).str.zfill(2),
                  (2022 + pl.col("n") % 3).cast(pl.String)).alias("Paid Date"),
        pl.format("T{}", pl.col("n")).alias("Trans No"),
        pl.col("p").abs().map_batches(lambda s: s // 100).alias("pounds"),
        (pl.col("p").abs() % 100).cast(pl.String).str.zfill(2).alias("pence"),
        pl.when(pl.col("n") % 3 == 0).then(pl.lit("Capital")).otherwise(pl.lit("Revenue")).alias("Type"),
        pl.format("S{}", pl.col("n") % 5003).alias("Supplier ID"),
        pl.when(pl.col("n") % 97 == 0).then(pl.lit("REDACTED"))
        .otherwise(pl.format("Supplier {} Ltd", pl.col("n") % 5003)).alias("Supplier Name"),
    )
    with_commas = pl.col("pounds").cast(pl.String).str.reverse().str.replace_all(r"(\d{3})(\d)", "$1,$2") \
        .str.reverse()
    amount = pl.format("£{}.{}", with_commas, pl.col("pence"))
    frame = frame.with_columns(
        pl.when(pl.col("p") < 0).then(
            pl.when(pl.col("n") % 2 == 0).then(pl.format("({})", amount)).otherwise(pl.format("-{}", amount)))
        .when(pl.col("n") % 11 == 0).then(pl.format(" {}.{} ", pl.col("pounds"), pl.col("pence")))
        .otherwise(amount).alias("Amount"))
    columns = ["Body Name", "Service Area", "Expenditure Category", "Paid Date", "Trans No", "Amount", "Type",
               "Supplier ID", "Supplier Name"]
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("Payments over £500,,,,,,,,\n")
        frame.select(columns).write_csv(handle)
        handle.write("Total,,,,,,,,\n")


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bare(path: str, db: str, out) -> None:
    import duckdb
    import polars as pl

    started = time.perf_counter()
    frame = pl.read_csv(path, skip_lines=1)
    con = duckdb.connect(db)
    con.register("frame", frame)
    con.execute("CREATE TABLE payments AS SELECT * FROM frame")
    con.close()
    out.put(("bare", time.perf_counter() - started, _peak_mib(), frame.height))


def ours(path: str, db: str, out) -> None:
    import duckdb

    from ingest import PostcodeLookup, load_file

    started = time.perf_counter()
    con = duckdb.connect(db)
    report = load_file(con, Path(path), feed="spend", key="benchmark-key-0123456789", lookup=PostcodeLookup({}, "none"))
    con.close()
    out.put(("ingest", time.perf_counter() - started, _peak_mib(), report.rows_loaded))


def _run(target, path: Path, workdir: Path, label: str) -> tuple:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    db = workdir / f"{label}-{time.monotonic_ns()}.duckdb"
    process = context.Process(target=target, args=(str(path), str(db), queue))
    process.start()
    result = queue.get()
    process.join()
    db.unlink(missing_ok=True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--dir", default=None, help="working folder (default: a temporary one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        workdir = Path(tmp)
        path = workdir / "messy-spend.csv"
        started = time.perf_counter()
        make_messy_csv(path, args.rows)
        size = path.stat().st_size / 2**20
        print(f"generated {args.rows:,} rows, {size:,.0f} MiB in {time.perf_counter() - started:.1f} s")
        best: dict[str, tuple] = {}
        for _ in range(args.repeat):
            for label, target in (("bare", bare), ("ingest", ours)):
                result = _run(target, path, workdir, label)
                print(f"  {label:6} {result[1]:6.2f} s  peak {result[2]:7.0f} MiB  rows {result[3]:,}")
                if label not in best or result[1] < best[label][1]:
                    best[label] = result
        time_ratio = best["ingest"][1] / best["bare"][1]
        memory_ratio = best["ingest"][2] / best["bare"][2]
        print(f"time ratio (ingest / bare Polars read-and-load): {time_ratio:.2f}  (target <= 1.3)")
        print(f"peak memory: ingest {best['ingest'][2]:.0f} MiB, bare {best['bare'][2]:.0f} MiB, "
              f"ratio {memory_ratio:.2f}  (target: ingest < 1024 MiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
