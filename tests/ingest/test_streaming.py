"""A file streams into the warehouse batch by batch, and still loads all or nothing.

Batches are made small here (csv_text.CHUNK_BYTES of 32 KiB) so a file of a few thousand rows
spans dozens of them, as a file of millions does at the normal size. Each file that fails does so
after earlier batches were written, and the warehouse must be as it was: every raw table, the
quarantine and the load audit compared row by row in storage order (one refusal row added to the
audit, as the policy records refusals), no table left behind, the connection's settings as they
were.
"""

from __future__ import annotations

import hashlib

import duckdb
import pytest

from ingest import Anchor, DeclaredAnchors, PostcodeLookup, csv_text, load_files, loader

KEY = "test-key-0123456789abcdef"
LOOKUP = PostcodeLookup({}, "none")
HEADER = "Body Name,Paid Date,Trans No,Amount,Supplier ID,Supplier Name\n"
OXFORDSHIRE = DeclaredAnchors((Anchor("Oxfordshire County Council"),))
ROWS = 20_000  # 1.2 MB (past the 1 MiB the reader samples first): ~37 batches of 32 KiB


def _line(i: int, body: str = "Oxfordshire County Council", date: str | None = None, amount: str = "£1,200.00") -> str:
    return f"{body},{date or f'{1 + i % 28:02d}/04/2024'},T{i},\"{amount}\",S{i % 50},Supplier {i % 50} Ltd\n"


def _file(tmp_path, name: str, lines: list[str], tail: bytes = b"") -> object:
    path = tmp_path / name
    path.write_bytes((HEADER + "".join(lines)).encode() + tail)
    return path


@pytest.fixture
def small_batches(monkeypatch):
    """Count the batches written (the real write_batch runs) with 32 KiB pieces of file."""
    monkeypatch.setattr(csv_text, "CHUNK_BYTES", 32 << 10)
    written = []
    real = loader.write_batch

    def counted(*args):
        written.append(args[2].height)
        return real(*args)
    monkeypatch.setattr(loader, "write_batch", counted)
    return written


@pytest.fixture
def warehouse(tmp_path):
    """A warehouse holding loaded rows, quarantine rows and audit rows already."""
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    earlier = [_line(i, date="31/02/2024" if i % 100 == 0 else None) for i in range(500)]
    [report] = load_files(con, [_file(tmp_path, "occ-2024-03.csv", earlier)], key=KEY, lookup=LOOKUP,
                          anchors=OXFORDSHIRE)
    assert (report.status, report.rows_loaded, report.rows_quarantined) == ("loaded", 495, 5)
    yield con
    con.close()


def _dump(con) -> dict[str, list[tuple]]:
    """Every table of the database, its rows in storage order; and the connection's settings."""
    tables = [r[0] for r in con.execute("SELECT schema_name || '.' || table_name FROM duckdb_tables() "
                                        "ORDER BY 1").fetchall()]
    dump = {t: con.execute(f"SELECT rowid, * FROM {t} ORDER BY rowid").fetchall() for t in tables}
    dump["settings"] = con.execute("SELECT current_setting('threads'), current_setting('memory_limit')").fetchall()
    return dump


def _fails_in_its_last_batch(tmp_path):
    good = [_line(i) for i in range(ROWS)]
    return {
        # read error in the last piece: the reader thread's error reaches the load, which rolls back
        "a NUL byte in the last batch": (_file(tmp_path, "nul.csv", good, tail=b"Oxfordshire County Council,\x00\n"),
                                         "NUL byte at line"),
        # known only once every batch was written: a publisher nobody declared, in the last rows
        "an undeclared publisher in the last rows": (
            _file(tmp_path, "mixed.csv", [*good, *(_line(i, body="Cherwell District Council") for i in range(3))]),
            "Cherwell District Council"),
        # known only at the end of the file: a required column unusable in every row
        "every date unusable": (_file(tmp_path, "undated.csv", [_line(i, date="00:00:00") for i in range(ROWS)]),
                                "unusable in all"),
        # a truncated file: the last record never ends
        "a file ending inside a quoted field": (_file(tmp_path, "cut.csv", good, tail=b'Oxfordshire,"01/04/2024'),
                                                "ends inside a quoted field"),
    }


@pytest.mark.parametrize("case", ["a NUL byte in the last batch", "an undeclared publisher in the last rows",
                                  "every date unusable", "a file ending inside a quoted field"])
def test_a_file_failing_in_its_last_batch_leaves_the_warehouse_as_it_was(tmp_path, warehouse, small_batches, case):
    path, reason = _fails_in_its_last_batch(tmp_path)[case]
    before = _dump(warehouse)
    [report] = load_files(warehouse, [path], key=KEY, lookup=LOOKUP, anchors=OXFORDSHIRE)
    assert report.status == "refused" and reason in report.message, report.message
    assert len(small_batches) >= 10, small_batches  # batches went to DuckDB before the failure
    after = _dump(warehouse)
    refusal = [r for r in after["raw.load_audit"] if r[4] == path.name]  # (rowid, load_id, feed, entity, source_file
    assert [r[9] for r in refusal] == ["refused"]                          # ..., status, ...): the one row added
    after["raw.load_audit"] = [r for r in after["raw.load_audit"] if r not in refusal]
    assert after == before
    # and the connection carries on: the next file loads
    [good] = load_files(warehouse, [_file(tmp_path, "occ-2024-04.csv", [_line(i) for i in range(ROWS)])], key=KEY,
                        lookup=LOOKUP, anchors=OXFORDSHIRE)
    assert (good.status, good.rows_loaded) == ("loaded", ROWS)


def test_quarantine_rows_are_written_batch_by_batch_and_all_kept(tmp_path, small_batches):
    """Every other row bad, across dozens of batches: every quarantine row is there, in file order."""
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    lines = [_line(i, amount="£12,34O.00" if i % 2 else "£100.00") for i in range(ROWS)]
    [report] = load_files(con, [_file(tmp_path, "half.csv", lines)], key=KEY, lookup=LOOKUP)
    assert (report.status, report.rows_loaded, report.rows_quarantined) == ("loaded", ROWS // 2, ROWS // 2)
    assert len(small_batches) >= 10
    stored = con.execute("SELECT row_number, column_name, raw_value FROM raw.quarantine ORDER BY rowid").fetchall()
    assert stored == [(i + 2, "amount_gbp", "£12,34O.00") for i in range(1, ROWS, 2)]
    assert con.execute("SELECT sum(amount_gbp), min(_row_number), max(_row_number) FROM raw.spend__payments"
                       ).fetchone() == (100 * ROWS // 2, 2, ROWS)


def test_date_order_evidence_counts_across_the_whole_file(tmp_path, small_batches):
    """US-order dates early (quarantined: 12/25 is no day-first date) and a day-first date in a later
    batch: the file's order is day-first, so it loads; without the later date it is refused."""
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    early = [_line(i, date="12/25/2023" if i < 50 else "01/04/2024") for i in range(ROWS)]
    [refused] = load_files(con, [_file(tmp_path, "us.csv", early)], key=KEY, lookup=LOOKUP)
    assert refused.status == "refused" and "month-first" in refused.message
    [loaded] = load_files(con, [_file(tmp_path, "uk.csv", [*early, _line(ROWS, date="25/04/2024")])], key=KEY,
                          lookup=LOOKUP)
    assert (loaded.status, loaded.rows_quarantined, loaded.rows_loaded) == ("loaded", 50, ROWS - 49)


def test_a_ragged_row_first_in_a_batch_is_quarantined_not_a_refusal(tmp_path):
    """Polars reports a piece whose first line has too many cells differently from a later line;
    either way the exact reader takes over and the row is quarantined (policy row 39)."""
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    lines = [_line(0).replace("Ltd\n", "Ltd,extra\n"), *(_line(i) for i in range(1, 100))]
    [report] = load_files(con, [_file(tmp_path, "ragged.csv", lines)], key=KEY, lookup=LOOKUP)
    assert (report.status, report.rows_loaded, report.rows_quarantined) == ("loaded", 99, 1), report.message
    assert con.execute("SELECT row_number, column_name FROM raw.quarantine").fetchall() == [(2, "(row)")]


def _stored(path, refused: str = "") -> dict[str, str]:
    """What the database file holds, read by a fresh connection: a SHA-256 of every table's columns
    and types and of every row in storage order (each value with its type; rowids themselves are
    renumbered when a checkpoint drops deleted rows), table by table; the load audit without the
    refusal row of the file `refused`."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        digests = {}
        tables = con.execute("SELECT schema_name, table_name FROM duckdb_tables() ORDER BY 1, 2").fetchall()
        for schema, table in tables:
            digest = hashlib.sha256(repr(con.execute(
                "SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? "
                "ORDER BY column_index", [schema, table]).fetchall()).encode())
            where = "WHERE NOT (source_file = $f AND status = 'refused')" if table == "load_audit" else ""
            cursor = con.execute(f'SELECT * FROM "{schema}"."{table}" {where} ORDER BY rowid',
                                 {"f": refused} if where else None)
            while rows := cursor.fetchmany(10_000):
                digest.update(repr([tuple((type(v).__name__, v) for v in r) for r in rows]).encode())
            digests[f"{schema}.{table}"] = digest.hexdigest()
        digests["(views)"] = repr(con.execute("SELECT schema_name, view_name, sql FROM duckdb_views() "
                                              "WHERE NOT internal ORDER BY 1, 2").fetchall())
        return digests
    finally:
        con.close()


def test_a_file_of_several_row_groups_failing_at_its_end_leaves_the_stored_warehouse_unchanged(
        tmp_path, monkeypatch):
    """300,000 rows: more than two of DuckDB's row groups (122,880 rows), which reach the database
    file before the end (DuckDB writes a large transaction's row groups optimistically, by default
    once five are buffered: one here, so a small file takes the path a national one does); the last
    rows come from an undeclared publisher, known only when every batch was written. Closed and
    reopened, the database file holds exactly what it held before, every table compared by
    checksum, plus the one refusal row in the load audit."""
    monkeypatch.setattr(csv_text, "CHUNK_BYTES", 1 << 20)
    database = tmp_path / "w.duckdb"
    con = duckdb.connect(str(database))
    [first] = load_files(con, [_file(tmp_path, "occ-2024-03.csv", [_line(i) for i in range(500)])], key=KEY,
                         lookup=LOOKUP, anchors=OXFORDSHIRE)
    assert first.status == "loaded"
    con.close()
    before = _stored(database)

    big = _file(tmp_path, "national.csv", [*(_line(i) for i in range(300_000)),
                                           _line(0, body="Cherwell District Council")])
    con = duckdb.connect(str(database), config={"write_buffer_row_group_count": 1})
    [report] = load_files(con, [big], key=KEY, lookup=LOOKUP, anchors=OXFORDSHIRE)
    assert report.status == "refused" and "Cherwell District Council" in report.message, report.message
    # the file's row groups were written to blocks of the database file; the rollback freed them
    free_blocks = con.execute("SELECT free_blocks FROM pragma_database_size()").fetchone()[0]
    con.close()
    assert free_blocks >= 4, free_blocks

    after = _stored(database, refused="national.csv")
    con = duckdb.connect(str(database), read_only=True)
    audit = con.execute("SELECT source_file, status FROM raw.load_audit ORDER BY rowid").fetchall()
    con.close()
    assert audit == [("occ-2024-03.csv", "loaded"), ("national.csv", "refused")]
    assert after == before
