"""Rows are staged as Parquet beside the database file and inserted once the table is read
(ingest/staging.py): in file order, whole DuckDB row groups per staged file, key checks that see
the staged rows, and no staging folder left behind, whether the file loads or fails."""

from __future__ import annotations

import duckdb
import polars as pl

from ingest import PostcodeLookup, csv_text, load_files
from ingest.staging import ROW_GROUP_ROWS, Staging

KEY = "test-key-0123456789abcdef"
LOOKUP = PostcodeLookup({}, "none")


def _payments(path, rows: int, tail: str = "") -> None:
    lines = (f"Oxfordshire County Council,{1 + i % 28:02d}/04/2024,T{i},\"£{i % 900 + 1}.50\",S{i % 50},"
             f"Supplier {i % 50} Ltd\n" for i in range(rows))
    path.write_text("Body Name,Paid Date,Trans No,Amount,Supplier ID,Supplier Name\n" + "".join(lines) + tail)


def test_staged_rows_load_in_file_order_and_leave_no_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(csv_text, "CHUNK_BYTES", 64 << 10)  # dozens of batches
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    (tmp_path / "w.staging" / "20240101T000000-dead-0").mkdir(parents=True)  # left by a process that died
    _payments(tmp_path / "june.csv", 20_000)
    [report] = load_files(con, [tmp_path / "june.csv"], key=KEY, lookup=LOOKUP)
    assert (report.status, report.rows_loaded) == ("loaded", 20_000)
    numbers = [r[0] for r in con.execute("SELECT _row_number FROM raw.spend__payments ORDER BY rowid").fetchall()]
    assert numbers == list(range(2, 20_002))
    assert not (tmp_path / "w.staging").exists()
    _payments(tmp_path / "cut.csv", 20_000, tail='Oxfordshire,"01/04/2024')  # refused at its end
    [refused] = load_files(con, [tmp_path / "cut.csv"], key=KEY, lookup=LOOKUP)
    assert refused.status == "refused"
    assert not (tmp_path / "w.staging").exists()


def test_a_key_repeated_in_a_later_batch_is_quarantined(tmp_path, monkeypatch):
    """The first supplier_ref S1 is staged (not yet in the table) when it comes again batches later."""
    monkeypatch.setattr(csv_text, "CHUNK_BYTES", 32 << 10)
    lines = [f"S{i},Supplier {i} Ltd\n" for i in range(1, 5_001)] + ["S1,Supplier One Again Ltd\n"]
    path = tmp_path / "suppliers.csv"
    path.write_text("Supplier ID,Supplier Name\n" + "".join(lines))
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    [report] = load_files(con, [path], feed="spend", key=KEY, lookup=LOOKUP)
    assert (report.status, report.rows_loaded, report.rows_quarantined) == ("loaded", 5_000, 1), report.message
    assert con.execute("SELECT row_number, reason FROM raw.quarantine").fetchall() == [
        (5_002, "its key (supplier_ref) was already loaded from suppliers.csv row 2; the first arrival stands "
                "(load this file with --replaces to correct it)")]
    assert con.execute("SELECT supplier_name FROM raw.spend__suppliers WHERE supplier_ref = 'S1'").fetchall() == [
        ("Supplier 1 Ltd",)]


def test_staged_files_hold_whole_row_groups(tmp_path):
    staging = Staging(tmp_path / "stage")
    for start in range(0, 300_000, 70_000):
        staging.add(pl.DataFrame({"n": range(start, min(start + 70_000, 300_000))}))
    relation = staging.staged(duckdb.connect())
    assert relation is not None and relation.aggregate("count(*), min(n), max(n)").fetchone() == (300_000, 0, 299_999)
    groups = [duckdb.sql(f"SELECT DISTINCT row_group_id, row_group_num_rows FROM parquet_metadata('{f}') "
                         "ORDER BY 1").fetchall() for f in staging.files]
    assert [n for file in groups for (_, n) in file] == [ROW_GROUP_ROWS, ROW_GROUP_ROWS, 300_000 - 2 * ROW_GROUP_ROWS]
    staging.close()
    assert not (tmp_path / "stage").exists()
