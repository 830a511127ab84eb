"""A declared correction (`impact ingest NEW --replaces OLD`) whose OLD the feed does not hold.

Loading NEW anyway would count the month twice beside the file it was meant to correct, so a name
that is unknown, of another feed, or already replaced is refused (naming what to declare instead),
and nothing stored changes. A name that was offered and refused is only noted: nothing to replace.
"""

from __future__ import annotations

import duckdb
import pytest

from ingest import PostcodeLookup, load_files

KEY = "test-key-0123456789abcdef"
LOOKUP = PostcodeLookup({"OX4 6AB": ("E01028568", "E07000178")}, "test")
HEADER = "Body Name,Organisational Unit,Expenditure Category,Paid Date,Trans No,Amount,Type,Supplier ID,Supplier Name\n"
APRIL = HEADER + (
    "Oxfordshire County Council,Adult Care,Care homes,03/04/2024,T1,\"£1,234.56\",Revenue,S1,Acme Care Ltd\n"
    "Oxfordshire County Council,Highways,Materials,16/04/2024,T2,£600.00,Revenue,S2,Stone Ltd\n")
CORRECTED = APRIL.replace("£600.00", "£650.00")
AGAIN = APRIL.replace("£600.00", "£700.00")
WELLBEING = ("response_id,survey,wave,completed_on,postcode,life_satisfaction,worthwhile,happiness,anxiety\n"
             "R-1,resident_panel,annual,2024-05-01,OX4 6AB,7,8,7,3\n")


@pytest.fixture()
def con(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    yield con
    con.close()


def _load(con, tmp_path, name, text, replaces=()):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    [report] = load_files(con, [path], key=KEY, lookup=LOOKUP, replaces={name: list(replaces)} if replaces else None)
    return report


def _payments(con):
    return con.execute("SELECT _source_file, count(*), sum(amount_gbp)::VARCHAR FROM raw.spend__payments "
                       "GROUP BY ALL ORDER BY 1").fetchall()


def test_a_mistyped_name_is_refused_and_the_month_is_not_counted_twice(con, tmp_path):
    _load(con, tmp_path, "occ-2024-04.csv", APRIL)
    report = _load(con, tmp_path, "occ-2024-04-corrected.csv", CORRECTED, replaces=["occ-2024-4.csv"])
    assert report.status == "refused"
    assert "declared to replace occ-2024-4.csv" in report.message
    assert "no file named occ-2024-4.csv was ever loaded" in report.message
    assert "similar name: occ-2024-04.csv" in report.message  # what the steward probably meant
    assert _payments(con) == [("occ-2024-04.csv", 2, "1834.56")]
    audit = con.execute("SELECT status FROM raw.load_audit WHERE source_file = 'occ-2024-04-corrected.csv'").fetchall()
    assert audit == [("refused",)]
    # The same bytes declared with the right name load as the correction (a declaration re-reads a refusal).
    fixed = _load(con, tmp_path, "occ-2024-04-corrected.csv", CORRECTED, replaces=["occ-2024-04.csv"])
    assert (fixed.status, fixed.replaced_files) == ("replaced", ["occ-2024-04.csv"])
    assert _payments(con) == [("occ-2024-04-corrected.csv", 2, "1884.56")]


def test_a_name_already_replaced_points_at_its_current_replacement(con, tmp_path):
    _load(con, tmp_path, "occ-2024-04.csv", APRIL)
    _load(con, tmp_path, "occ-2024-04-v2.csv", CORRECTED, replaces=["occ-2024-04.csv"])
    # Corrected again, but declared against the original rather than the correction loaded since.
    report = _load(con, tmp_path, "occ-2024-04-v3.csv", AGAIN, replaces=["occ-2024-04.csv"])
    assert report.status == "refused"
    assert "occ-2024-04.csv was already replaced by occ-2024-04-v2.csv" in report.message
    assert "`--replaces occ-2024-04-v2.csv`" in report.message
    assert _payments(con) == [("occ-2024-04-v2.csv", 2, "1884.56")]
    # Through a chain of corrections, the current one is named.
    _load(con, tmp_path, "occ-2024-04-v3.csv", AGAIN, replaces=["occ-2024-04-v2.csv"])
    late = _load(con, tmp_path, "occ-2024-04-v4.csv", APRIL.replace("£600.00", "£800.00"), replaces=["occ-2024-04.csv"])
    assert late.status == "refused" and "already replaced by occ-2024-04-v3.csv" in late.message
    assert _payments(con) == [("occ-2024-04-v3.csv", 2, "1934.56")]


def test_a_file_of_another_feed_is_not_replaced_by_a_spend_file(con, tmp_path):
    survey = _load(con, tmp_path, "panel-2024-05.csv", WELLBEING)
    assert survey.status == "loaded", survey.message
    report = _load(con, tmp_path, "occ-2024-04.csv", APRIL, replaces=["panel-2024-05.csv"])
    assert report.status == "refused"
    assert "panel-2024-05.csv is a wellbeing file, and a spend file replaces only spend files" in report.message
    assert con.execute("SELECT count(*) FROM raw.wellbeing__responses").fetchone() == (1,)
    assert _payments(con) == []


def test_a_name_that_was_refused_is_noted_and_the_file_loads(con, tmp_path):
    refused = _load(con, tmp_path, "occ-2024-04-draft.csv", "not,a,spend,file\n1,2,3,4\n")
    assert refused.status == "refused"
    report = _load(con, tmp_path, "occ-2024-04.csv", APRIL, replaces=["occ-2024-04-draft.csv"])
    assert report.status == "loaded"
    assert "declared to replace occ-2024-04-draft.csv, which is not loaded" in report.message
    assert _payments(con) == [("occ-2024-04.csv", 2, "1834.56")]


def test_one_unknown_name_among_several_refuses_the_whole_declaration(con, tmp_path):
    _load(con, tmp_path, "occ-2024-04.csv", APRIL)
    _load(con, tmp_path, "occ-2024-04-extra.csv", APRIL.replace("T1", "T7").replace("T2", "T8"))
    report = _load(con, tmp_path, "occ-2024-04-all.csv", CORRECTED,
                   replaces=["occ-2024-04.csv", "occ-2024-04-extar.csv"])
    assert report.status == "refused" and "no file named occ-2024-04-extar.csv" in report.message
    assert [f for f, *_ in _payments(con)] == ["occ-2024-04-extra.csv", "occ-2024-04.csv"]


def test_the_bytes_of_a_replaced_version_offered_again_say_they_are_not_in_the_warehouse(con, tmp_path):
    _load(con, tmp_path, "occ-2024-04.csv", APRIL)
    _load(con, tmp_path, "occ-2024-04-v2.csv", CORRECTED, replaces=["occ-2024-04.csv"])
    again = _load(con, tmp_path, "occ-2024-04-restored.csv", APRIL)
    assert again.status == "duplicate"
    assert ("it was loaded as occ-2024-04.csv and has since been replaced by occ-2024-04-v2.csv, so its rows are "
            "not in the warehouse now") in again.message
    current = _load(con, tmp_path, "occ-2024-04-v2-copy.csv", CORRECTED)
    assert current.message == "the same file (identical content) was loaded before; nothing changed"
    # Offered as another feed's file, it is still reported as the spend file it was loaded as.
    path = tmp_path / "occ-2024-04-v2-copy.csv"
    [as_survey] = load_files(con, [path], feed="wellbeing", key=KEY, lookup=LOOKUP)
    assert (as_survey.status, as_survey.feed) == ("duplicate", "spend")
    assert _payments(con) == [("occ-2024-04-v2.csv", 2, "1884.56")]
