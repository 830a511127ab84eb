"""A messy spend file of any size for the benchmarks, written in slices so that generating fifty
million rows never holds more than one slice: transparency-file mess (£ and thousands separators,
brackets and minus for credit notes, padded amounts, dd/mm/yyyy dates, withheld payees, a preamble
line and a Total footer)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

COLUMNS = ["Body Name", "Service Area", "Expenditure Category", "Paid Date", "Trans No", "Amount", "Type",
           "Supplier ID", "Supplier Name"]
SLICE_ROWS = 1_000_000


def _rows(start: int, count: int, seed: int) -> pl.DataFrame:
    n = pl.int_range(start, start + count, eager=True)
    pence = ((n * 7919 + seed) % 2_500_000 - 40_000).alias("p")
    frame = pl.DataFrame({"n": n, "p": pence}).with_columns(
        pl.lit("Oxfordshire County Council").alias("Body Name"),
        pl.format("Service {}", pl.col("n") % 37).alias("Service Area"),
        pl.format("Category {}", pl.col("n") % 211).alias("Expenditure Category"),
        pl.format("{}/{}/{}", (pl.col("n") % 28 + 1).cast(pl.String).str.zfill(2),
                  (pl.col("n") // 7 % 12 + 1).cast(pl.String).str.zfill(2),
                  (2022 + pl.col("n") % 3).cast(pl.String)).alias("Paid Date"),
        pl.format("T{}", pl.col("n")).alias("Trans No"),
        (pl.col("p").abs() // 100).alias("pounds"),
        (pl.col("p").abs() % 100).cast(pl.String).str.zfill(2).alias("pence"),
        pl.when(pl.col("n") % 3 == 0).then(pl.lit("Capital")).otherwise(pl.lit("Revenue")).alias("Type"),
        pl.format("S{}", pl.col("n") % 5003).alias("Supplier ID"),
        pl.when(pl.col("n") % 97 == 0).then(pl.lit("REDACTED"))
        .otherwise(pl.format("Supplier {} Ltd", pl.col("n") % 5003)).alias("Supplier Name"),
    )
    with_commas = pl.col("pounds").cast(pl.String).str.reverse().str.replace_all(r"(\d{3})(\d)", "$1,$2") \
        .str.reverse()
    amount = pl.format("£{}.{}", with_commas, pl.col("pence"))
    return frame.with_columns(
        pl.when(pl.col("p") < 0).then(
            pl.when(pl.col("n") % 2 == 0).then(pl.format("({})", amount)).otherwise(pl.format("-{}", amount)))
        .when(pl.col("n") % 11 == 0).then(pl.format(" {}.{} ", pl.col("pounds"), pl.col("pence")))
        .otherwise(amount).alias("Amount")).select(COLUMNS)


def write_messy_csv(path: Path, rows: int, seed: int = 7) -> None:
    """`rows` payment lines after a preamble line and the header, then a Total footer line."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("Payments over £500,,,,,,,,\n")
        for start in range(0, rows, SLICE_ROWS):
            _rows(start, min(SLICE_ROWS, rows - start), seed).write_csv(handle, include_header=start == 0)
        if rows == 0:
            handle.write(",".join(COLUMNS) + "\n")
        handle.write("Total,,,,,,,,\n")
