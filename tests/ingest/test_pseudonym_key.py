"""One pseudonymisation key per warehouse: a load under another key is refused before a row is read
(ingest/pseudonym_key.py). Real files into a real DuckDB file."""

from __future__ import annotations

import duckdb
import pytest

from ingest import IngestRules, PostcodeLookup, load_files
from ingest.pseudonym_key import KeyMismatch, key_check, recorded_key

KEY = "first-key-0123456789abcdef"
OTHER = "second-key-0123456789abcdef"
LOOKUP = PostcodeLookup({"OX4 6AB": ("E01028568", "E07000178")}, "test")
HEADER = "Participant ID,Postcode,Provider,Enrolment Date,Age Group,Gender\n"
OUTCOMES = "Participant ID,Provider,Outcome Type,Outcome Date\n"


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _rows(con, table):
    return con.execute(f"SELECT count(*) FROM raw.{table}").fetchone()[0]


def test_a_load_under_another_key_is_refused_and_changes_nothing(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    first = _write(tmp_path, "aspire-q1.csv", HEADER + "P-1,OX4 6AB,Aspire,03/05/2024,25-34,Female\n")
    [report] = load_files(con, [first], key=KEY, lookup=LOOKUP)
    assert report.status == "loaded"
    recorded = recorded_key(con)
    assert recorded is not None and recorded.check == key_check(KEY) != key_check(OTHER)
    stored = " ".join(str(v) for row in con.execute("SELECT * FROM raw.pseudonym_key").fetchall() for v in row)
    assert KEY not in stored  # a check value, never the key

    # The next quarter's outcomes for the same participant, under a rotated key: under it P-1 would
    # be someone else, the outcome held as an orphan. Refused before the file is read.
    outcomes = _write(tmp_path, "aspire-q2-outcomes.csv", OUTCOMES + "P-1,Aspire,job_start,10/07/2024\n")
    audit_before = _rows(con, "load_audit")
    with pytest.raises(KeyMismatch, match=r"not the one this warehouse's pseudonyms were made with \(first used "
                                          r"\d{4}-\d\d-\d\d \d\d:\d\d UTC\).*nothing was loaded"):
        load_files(con, [outcomes], key=OTHER, lookup=LOOKUP)
    assert (_rows(con, "load_audit"), _rows(con, "programme__outcomes"), _rows(con, "programme__outcomes_held"),
            _rows(con, "quarantine")) == (audit_before, 0, 0, 0)
    assert recorded_key(con) == recorded  # the first key still stands

    # Under the warehouse's own key the outcome joins its participant.
    [report] = load_files(con, [outcomes], key=KEY, lookup=LOOKUP)
    assert (report.status, report.rows_loaded, report.rows_quarantined) == ("loaded", 1, 0), report
    assert (_rows(con, "programme__outcomes"), _rows(con, "programme__outcomes_held")) == (1, 0)


def test_a_load_without_people_needs_no_key_and_records_none(tmp_path):
    """Spend files carry no people's references: they load with no key at all, and record none, so a
    key set later (a programme feed added) is the first."""
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    payments = _write(tmp_path, "occ-2024-04.csv",
                      "Body Name,Paid Date,Trans No,Amount,Supplier Name\n"
                      "Oxfordshire County Council,03/04/2024,T1,£600.00,Acme Care Ltd\n")
    [report] = load_files(con, [payments], key="", lookup=LOOKUP, rules=IngestRules(collected=("spend",)))
    assert report.status == "loaded", report
    # `impact ingest` passes the key for any file of a partnership that collects people's feeds: a
    # spend file still records none (it used none).
    june = _write(tmp_path, "occ-2024-06.csv", "Body Name,Paid Date,Trans No,Amount,Supplier Name\n"
                  "Oxfordshire County Council,03/06/2024,T2,£700.00,Acme Care Ltd\n")
    [report] = load_files(con, [june], key=KEY, lookup=LOOKUP)
    assert report.status == "loaded", report
    assert recorded_key(con) is None
    participants = _write(tmp_path, "aspire.csv", HEADER + "P-1,OX4 6AB,Aspire,03/05/2024,25-34,Female\n")
    [report] = load_files(con, [participants], key=OTHER, lookup=LOOKUP)
    assert report.status == "loaded" and recorded_key(con).check == key_check(OTHER)
