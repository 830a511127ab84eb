"""Loading real files into a real DuckDB file: quarantine, lineage, idempotency, corrections, privacy."""

from __future__ import annotations

import duckdb
import pytest

from ingest import IngestRules, PostcodeLookup, load_files
from ingest.privacy import pseudonymise

KEY = "test-key-0123456789abcdef"
LOOKUP = PostcodeLookup({"OX4 6AB": ("E01028568", "E07000178")}, "test")

PAYMENTS = (
    "Body Name,Organisational Unit,Expenditure Category,Paid Date,Trans No,Amount,Type,Supplier ID,Supplier Name\n"
    "Oxfordshire County Council,Adult Care,Care homes,03/04/2024,T1,\"£1,234.56\",Revenue,S1,Acme Care Ltd\n"
    "Oxfordshire County Council,Adult Care,Care homes,03/04/2024,T1,\"£1,234.56\",Revenue,S1,Acme Care Ltd\n"
    "Oxfordshire County Council,Highways,Materials,31/02/2024,T2,£600.00,Revenue,S2,Stone Ltd\n"
    "Oxfordshire County Council,Highways,Refunds,15/04/2024,T3,-£250.00,Revenue,S2,Stone Ltd\n"
    "Oxfordshire County Council,Highways,Materials,16/04/2024,T4,£99.99,Revenue,S3,Small Co\n"
    ",,,,,,,,\n"
    "Total,,,,,\"£2,319.11\",,,\n"
)


def _connect(tmp_path):
    return duckdb.connect(str(tmp_path / "w.duckdb"))


def _write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_payments_load_with_quarantine_footer_and_lineage(tmp_path):
    con = _connect(tmp_path)
    [report] = load_files(con, [_write(tmp_path, "occ-2024-04.csv", PAYMENTS)], key=KEY, lookup=LOOKUP)
    assert (report.feed, report.status, report.rows_loaded, report.rows_quarantined) == ("spend", "loaded", 4, 1)
    assert report.rows_skipped_footer == 1
    assert report.net_amount_gbp == pytest.approx(1234.56 * 2 - 250 + 99.99)  # repeats, negatives, < £500 kept
    row = con.execute("SELECT row_number, column_name, raw_value, reason FROM raw.quarantine").fetchone()
    assert row[:3] == (4, "payment_date", "31/02/2024") and "calendar" in row[3]
    lineage = con.execute(
        "SELECT _source_file, length(_file_sha256), min(_row_number), max(_row_number) "
        "FROM raw.spend__payments GROUP BY ALL").fetchone()
    assert lineage == ("occ-2024-04.csv", 64, 2, 6)


def test_same_file_twice_is_a_no_op(tmp_path):
    con = _connect(tmp_path)
    path = _write(tmp_path, "occ-2024-04.csv", PAYMENTS)
    load_files(con, [path], key=KEY, lookup=LOOKUP)
    before = con.execute("SELECT count(*) FROM raw.load_audit").fetchone()
    [again] = load_files(con, [path], key=KEY, lookup=LOOKUP)
    assert again.status == "duplicate"
    assert con.execute("SELECT count(*) FROM raw.spend__payments").fetchone()[0] == 4
    assert con.execute("SELECT count(*) FROM raw.load_audit").fetchone() == before


def test_declared_correction_replaces_and_undeclared_one_overlaps(tmp_path):
    con = _connect(tmp_path)
    load_files(con, [_write(tmp_path, "occ-2024-04.csv", PAYMENTS)], key=KEY, lookup=LOOKUP)
    corrected = PAYMENTS.replace("£99.99", "£199.99").replace("31/02/2024", "30/04/2024")
    [report] = load_files(con, [_write(tmp_path, "occ-2024-04-v2.csv", corrected)], key=KEY, lookup=LOOKUP,
                          replaces={"occ-2024-04-v2.csv": ["occ-2024-04.csv"]})
    assert report.status == "replaced" and report.replaced_files == ["occ-2024-04.csv"]
    # A third file for the same publisher and month, not declared: loaded beside it, reported as an overlap.
    extra = PAYMENTS.replace("T4", "T9")
    [overlap] = load_files(con, [_write(tmp_path, "occ-2024-04-extra.csv", extra)], key=KEY, lookup=LOOKUP)
    assert overlap.status == "loaded" and overlap.overlaps_with == ["occ-2024-04-v2.csv (2024-04)"]
    assert "OVERLAP" in overlap.message
    con.execute("DELETE FROM raw.spend__payments WHERE _source_file = 'occ-2024-04-extra.csv'")
    totals = con.execute("SELECT count(*), sum(amount_gbp) FROM raw.spend__payments").fetchone()
    assert totals[0] == 5 and float(totals[1]) == pytest.approx(1234.56 * 2 + 600 - 250 + 199.99)
    assert con.execute("SELECT count(DISTINCT _source_file) FROM raw.spend__payments").fetchone()[0] == 1


def test_wrong_feed_and_unreadable_files_load_nothing(tmp_path):
    con = _connect(tmp_path)
    good = load_files(con, [_write(tmp_path, "occ.csv", PAYMENTS)], key=KEY, lookup=LOOKUP)
    reports = load_files(con, [
        _write(tmp_path, "empty.csv", ""),
        _write(tmp_path, "survey.csv", "foo,bar\n1,2\n"),
        _write(tmp_path, "occ-as-charter.csv", PAYMENTS.replace("T4", "T5")),
    ], feed="charter", key=KEY, lookup=LOOKUP)
    assert [r.status for r in reports] == ["refused"] * 3
    assert "empty" in reports[0].message and "no header row" in reports[1].message
    assert con.execute("SELECT count(*) FROM raw.spend__payments").fetchone()[0] == good[0].rows_loaded


def test_windows_1252_semicolon_bare_cr_with_preamble(tmp_path):
    con = _connect(tmp_path)
    text = ("Invoices over £500\rReport date 01/05/2024\r\r" +
            PAYMENTS.replace(",", ";").replace("\n", "\r").replace("Care homes", "Caf\u00e9 services"))
    text = text.replace('"£1;234.56"', "£1234.56").replace('"£2;319.11"', "£2319.11")
    [report] = load_files(con, [_write(tmp_path, "old-mac.csv", text, "cp1252")], key=KEY, lookup=LOOKUP)
    assert report.rows_loaded == 4, report
    assert con.execute("SELECT min(_row_number) FROM raw.spend__payments").fetchone()[0] == 5
    assert con.execute("SELECT count(*) FROM raw.spend__payments WHERE expense_category = 'Café services'"
                       ).fetchone()[0] == 2


PARTICIPANTS = (
    "Participant ID,Name,Date of Birth,NI Number,Email,Phone,Postcode,Provider,Enrolment Date,Age Group,Gender\n"
    "P-1,Jane Doe,01/02/1990,QQ123456C,jane@example.org,07700900123,OX4 6AB,Aspire,03/05/2024,25-34,Female\n"
    "P-2,John Roe,02/03/1985,QQ654321C,john@example.org,07700900456,OX4 6AB,Aspire,04/05/2024,35-49,Male\n"
)


def test_personal_columns_never_reach_a_table(tmp_path):
    con = _connect(tmp_path)
    [report] = load_files(con, [_write(tmp_path, "aspire.csv", PARTICIPANTS)], key=KEY, lookup=LOOKUP)
    assert report.rows_loaded == 2
    assert set(report.columns_dropped) == {"Name", "Date of Birth", "NI Number", "Email", "Phone"}
    stored = con.execute("SELECT * FROM raw.programme__participants").pl()
    assert "postcode" not in stored.columns and "participant_ref" not in stored.columns
    assert stored["participant_key"].to_list() == [pseudonymise("P-1", KEY), pseudonymise("P-2", KEY)]
    assert stored["lsoa_code"].to_list() == ["E01028568"] * 2
    dump = " ".join(str(v) for t in ("programme__participants", "load_audit", "quarantine")
                    for row in con.execute(f"SELECT * FROM raw.{t}").fetchall() for v in row)
    for secret in ("Jane", "QQ123456C", "jane@example.org", "07700900123", "OX4 6AB", "1990", "P-1"):
        assert secret not in dump


def test_a_file_of_a_feed_not_collected_is_refused_before_any_row_is_stored(tmp_path):
    """A spend-only partnership: a programme return (people's details) is refused whether its feed is
    named or found from its header, nothing of it is stored, and once the partnership collects the
    feed the same file loads (the refusal stood only under the old rules)."""
    con = _connect(tmp_path)
    spend_only = IngestRules(collected=("spend",))
    path = _write(tmp_path, "aspire.csv", PARTICIPANTS)
    payments = load_files(con, [_write(tmp_path, "occ.csv", PAYMENTS)], key="", lookup=LOOKUP, rules=spend_only)
    assert payments[0].status == "loaded"
    for feed in (None, "programme"):
        [report] = load_files(con, [path], feed=feed, key="", lookup=LOOKUP, rules=spend_only, retry=True)
        assert (report.status, report.feed) == ("refused", "programme"), report
        assert report.message == ("aspire.csv: a programme file, and the partnership does not collect programme "
                                  "([feeds] collected in the configuration): nothing of it was loaded "
                                  '(add "programme" there to load it)')
    assert con.execute("SELECT count(*) FROM raw.programme__participants").fetchone() == (0,)
    dump = " ".join(str(v) for t in ("load_audit", "quarantine")
                    for row in con.execute(f"SELECT * FROM raw.{t}").fetchall() for v in row)
    assert "Jane" not in dump and "P-1" not in dump

    [report] = load_files(con, [path], key=KEY, lookup=LOOKUP, rules=IngestRules(collected=("spend", "programme")))
    assert (report.status, report.rows_loaded) == ("loaded", 2), report


def test_a_supplier_register_is_refused_where_the_partnership_provides_none(tmp_path):
    con = _connect(tmp_path)
    register = _write(tmp_path, "supplier-register.csv",
                      "Supplier ID,Supplier Name,Post Code,SME\nS1,Acme Care Ltd,OX4 6AB,Y\n")
    [refused] = load_files(con, [register], key=KEY, lookup=LOOKUP, rules=IngestRules(supplier_register=False))
    assert refused.status == "refused"
    assert "a supplier register, and the partnership does not provide a supplier register" in refused.message
    assert "supplier_register = false" in refused.message
    assert con.execute("SELECT count(*) FROM raw.spend__suppliers").fetchone() == (0,)
    # Payments load as ever; once the partnership provides a register, the same file loads.
    [payments] = load_files(con, [_write(tmp_path, "occ-2024-04.csv", PAYMENTS)], key=KEY, lookup=LOOKUP,
                            rules=IngestRules(supplier_register=False))
    assert payments.status == "loaded"
    [loaded] = load_files(con, [register], key=KEY, lookup=LOOKUP, rules=IngestRules(supplier_register=True))
    assert (loaded.status, loaded.rows_loaded) == ("loaded", 1)


def test_a_register_sheet_beside_payments_is_skipped_where_the_partnership_provides_none(tmp_path):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from steward_corpus import xlsx

    book = tmp_path / "occ-2024-04.xlsx"
    header = PAYMENTS.splitlines()[0].split(",")
    payment = "Oxfordshire County Council,Highways,Materials,16/04/2024,T4,99.99,Revenue,S3,Small Co".split(",")
    xlsx({"Payments": [header, payment],
          "Suppliers": [["Supplier ID", "Supplier Name", "Post Code", "SME"], ["S3", "Small Co", "OX4 6AB", "Y"]]},
         book)
    con = _connect(tmp_path)
    [report] = load_files(con, [book], key=KEY, lookup=LOOKUP, rules=IngestRules(supplier_register=False))
    assert (report.status, report.rows_loaded) == ("loaded", 1), report.message
    assert "skipped occ-2024-04.xlsx#Suppliers: a supplier register" in report.message
    assert con.execute("SELECT count(*) FROM raw.spend__suppliers").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM raw.spend__payments").fetchone() == (1,)
