"""Report (not a test): the payees the spend contract withholds in every real spend file, by rule.

    .venv/bin/python tests/ingest/withheld_payees_report.py [REAL_SPEND_DIR]

For each file: rows loaded, rows withheld in all, and how many of those by the publisher's own
redaction (blank, "Redacted ..."), by a title (Mr, Mrs, Dr ...), and by the person-name rule
(e-mail, "t/a", two or three capitalised words without an organisation marker). Then every
distinct name the person-name rule withholds, for a reader to mark the organisations wrongly
caught (docs/real-spend-files.md keeps the reviewed list).
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
from pathlib import Path

import duckdb
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from ingest import PostcodeLookup, load_files  # noqa: E402
from ingest.conform import find_header  # noqa: E402
from ingest.contracts import layout_for, load_contracts  # noqa: E402
from ingest.privacy import person_like  # noqa: E402
from ingest.readers import read_tables  # noqa: E402
from ingest.rules import Deadline  # noqa: E402
from ingest.tables import ReadLimits  # noqa: E402

TITLED = r"(?i)^(mr|mrs|ms|miss|mx|dr)\.?\s"


def payee_names(path: Path) -> list[str]:
    """The supplier-name cells of every data row, as the file has them."""
    entity = load_contracts()["spend"]["payments"]
    names: list[str] = []
    with contextlib.ExitStack() as stack:
        for table in read_tables(path, ReadLimits(Deadline(600)), stack).tables:
            header = find_header(table, [entity], layout_for(path.name, "spend"))
            [position] = [p for p, n in header.mapping.items() if n == "supplier_name"] or [None]
            if position is None:
                continue
            for batch in table.batches(header.index, header.width):
                names += [(n or "").strip() for n in batch[f"c{position}"].to_list()]
    return names


def classify(names: list[str]) -> pl.DataFrame:
    entity = load_contracts()["spend"]["payments"]
    column = entity.column("supplier_name")
    patterns = [p for p in column.redaction_patterns if p != TITLED[4:]]
    publisher = "(?i)" + "|".join(f"(?:{p})" for p in patterns[:7])
    frame = pl.DataFrame({"name": names})
    name = pl.col("name")
    return frame.with_columns(
        (name.str.contains(publisher) | (name == "")).alias("by_publisher"),
        name.str.contains(TITLED).alias("titled"),
        (name.str.contains("(?i)" + "|".join(f"(?:{p})" for p in patterns[7:]))
         | person_like(name, entity.organisation_markers)).alias("person"))


def main(folder: Path) -> None:
    caught: set[str] = set()
    print("| file | rows loaded | withheld | by the publisher | titled | person-name rule |")
    print("|---|---:|---:|---:|---:|---:|")
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        with tempfile.TemporaryDirectory() as tmp:
            con = duckdb.connect(str(Path(tmp) / "w.duckdb"))
            [report] = load_files(con, [path], feed="spend", key="report-key-0123456789",
                                  lookup=PostcodeLookup({}, "-"))
            con.close()
        if report.status != "loaded":
            continue
        flags = classify(payee_names(path))
        publisher = int(flags["by_publisher"].sum())
        titled = int((flags["titled"] & ~flags["by_publisher"]).sum())
        person = report.payees_redacted - publisher - titled
        caught |= set(flags.filter(flags["person"] & ~flags["titled"] & ~flags["by_publisher"])["name"].to_list())
        print(f"| {path.name} | {report.rows_loaded:,} | {report.payees_redacted:,} | {publisher:,} | {titled:,} "
              f"| {person:,} |")
    print(f"\n{len(caught)} distinct names withheld by the person-name rule:\n")
    print("\n".join(sorted(caught)))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[3] / "shared/data/real/spend")
