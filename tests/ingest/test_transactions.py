"""A corrected file replaces the earlier one in one transaction: a reader never sees both or neither."""

from __future__ import annotations

import threading

import duckdb

from ingest import PostcodeLookup, load_files

KEY = "test-key-0123456789abcdef"
HEADER = "Body Name,Paid Date,Trans No,Amount,Supplier ID,Supplier Name\n"


def _payments(rows: int, amount: str) -> str:
    lines = [f"Oxfordshire County Council,{1 + i % 28:02d}/04/2024,T{i},{amount},S{i % 50},Supplier {i % 50} Ltd\n"
             for i in range(rows)]
    return HEADER + "".join(lines)


def test_reader_never_sees_both_versions_or_neither(tmp_path):
    path = tmp_path / "w.duckdb"
    con = duckdb.connect(str(path))
    old, new = tmp_path / "occ-2024-04.csv", tmp_path / "v2" / "occ-2024-04.csv"  # a new version: same name
    new.parent.mkdir()
    old.write_text(_payments(60_000, "100.00"))
    new.write_text(_payments(80_000, "200.00"))
    lookup = PostcodeLookup({}, "none")
    load_files(con, [old], key=KEY, lookup=lookup)

    seen: list[tuple] = []
    stop = threading.Event()

    def read_loop() -> None:
        reader = con.cursor()  # its own connection to the same database
        while not stop.is_set():
            seen.append(reader.execute(
                "SELECT count(*), count(DISTINCT _source_file), sum(amount_gbp) FROM raw.spend__payments").fetchone())
        reader.close()

    thread = threading.Thread(target=read_loop)
    thread.start()
    [report] = load_files(con, [new], key=KEY, lookup=lookup)
    stop.set()
    thread.join()
    assert report.status == "replaced"
    states = {(n, files, float(total)) for n, files, total in seen}
    assert states <= {(60_000, 1, 6_000_000.0), (80_000, 1, 16_000_000.0)}, states
    assert len(seen) > 1


def test_postcode_lookup_from_an_nspl_shaped_file(tmp_path):
    nspl = tmp_path / "NSPL_NOV_2024_UK.csv"
    nspl.write_text("pcd,pcd2,pcds,dointr,doterm,laua,ward,lsoa11,msoa11\n"
                    "OX4 6AB,OX4  6AB,OX4 6AB,198001,,E07000178,E05009289,E01028568,E02005947\n"
                    "OX1 1AA,OX1  1AA,OX1 1AA,198001,,E07000178,E05009290,E01028522,E02005940\n")
    lookup = PostcodeLookup.from_csv(nspl)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    participants = tmp_path / "return.csv"
    participants.write_text("Participant ID,Provider,Enrolment Date,Postcode\nP-1,Aspire,03/05/2024,ox46ab\n"
                            "P-2,Aspire,03/05/2024,ZZ9 9ZZ\n")
    [report] = load_files(con, [participants], key=KEY, lookup=lookup)
    assert report.rows_loaded == 2
    assert con.execute("SELECT lsoa_code FROM raw.programme__participants ORDER BY _row_number").fetchall() == [
        ("E01028568",), (None,)]
