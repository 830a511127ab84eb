"""Declared anchors at the door of the spend feed (ingest/anchors.py), on the real council files:
an undeclared publisher is refused with its name and how to declare it; declared, the same file
loads, under the declared name whatever spelling the file uses."""

from __future__ import annotations

import duckdb
import pytest

from ingest import Anchor, DeclaredAnchors, PostcodeLookup, load_files
from ingest.anchors import PublisherCheck, spelling
from ingest.contracts import load_contracts

KEY = "test-key-0123456789abcdef"
CRAVEN = "spend/craven/craven-dc-payments-2017-03.csv"
LAMBETH = "spend/lambeth/lambeth-2012-06-payments.csv"
OXFORD = "spend/oxford_city_council/expenditure-over-500-jul-sep-2016.csv"  # Client "OCC"
OXFORDSHIRE = DeclaredAnchors(
    (Anchor("Oxfordshire County Council"), Anchor("Oxford City Council", ("Oxford City",))),
    partnership="Oxfordshire Inclusive Economy Partnership", where="impact.toml")


def _load(path, anchors):
    con = duckdb.connect()
    [report] = load_files(con, [path], key=KEY, lookup=PostcodeLookup({}, "none"), anchors=anchors)
    return con, report


def test_an_undeclared_publisher_is_refused_with_its_name_and_how_to_declare_it(real_data):
    con, report = _load(real_data / CRAVEN, OXFORDSHIRE)
    assert report.status == "refused" and report.rows_loaded == 0
    assert report.message == (
        'craven-dc-payments-2017-03.csv: published by "Craven District Council" (171 rows), not a declared '
        "anchor institution of Oxfordshire Inclusive Economy Partnership; nothing of the file was loaded. "
        'If it is one, declare it in impact.toml: [[anchors]] name = "Craven District Council" (in_area = false '
        "if it is based outside the area), or add the spelling to an anchor's aliases; then load the file again")
    assert con.sql("select count(*) from raw.spend__payments").fetchone()[0] == 0
    assert con.sql("select status from raw.load_audit").fetchall() == [("refused",)]


def test_declared_as_outside_the_area_the_same_file_loads(real_data):
    with_craven = DeclaredAnchors((*OXFORDSHIRE.anchors, Anchor("Craven District Council", in_area=False)))
    con = duckdb.connect()
    lookup = PostcodeLookup({}, "none")
    [refused] = load_files(con, [real_data / CRAVEN], key=KEY, lookup=lookup, anchors=OXFORDSHIRE)
    [loaded] = load_files(con, [real_data / CRAVEN], key=KEY, lookup=lookup, anchors=with_craven)
    assert (refused.status, loaded.status, loaded.rows_loaded) == ("refused", "loaded", 171)
    assert con.sql("select distinct anchor from raw.spend__payments").fetchall() == [("Craven District Council",)]


def test_an_alias_is_stored_as_the_declared_name(real_data):
    lambeth = DeclaredAnchors((Anchor("London Borough of Lambeth", ("Lambeth",), in_area=False),))
    con, report = _load(real_data / LAMBETH, lambeth)
    assert (report.status, report.rows_loaded) == ("loaded", 3155)
    assert con.sql("select distinct anchor from raw.spend__payments").fetchall() == [("London Borough of Lambeth",)]
    assert con.sql("select publisher from raw.load_audit").fetchall() == [("London Borough of Lambeth",)]
    con, report = _load(real_data / LAMBETH, OXFORDSHIRE)
    assert report.status == "refused" and '"Lambeth" (3,155 rows)' in report.message


def test_a_layout_constant_is_the_publisher_too(real_data):
    # Oxford City's Client "OCC" is mapped by publishers.yaml to Oxford City Council: declared.
    con, report = _load(real_data / OXFORD, OXFORDSHIRE)
    assert (report.status, report.rows_loaded) == ("loaded", 3581)
    con, report = _load(real_data / OXFORD, DeclaredAnchors((Anchor("Oxfordshire County Council"),)))
    assert report.status == "refused" and '"Oxford City Council" (3,581 rows)' in report.message


def test_one_undeclared_publisher_refuses_a_file_of_several(tmp_path):
    path = tmp_path / "finance-extract.csv"
    path.write_text("Body Name,Paid Date,Amount,Supplier Name\n"
                    "oxford  city.,01/04/2024,100.00,A Ltd\n"
                    "Oxfordshire County Council,02/04/2024,200.00,B Ltd\n"
                    "Thames Water,03/04/2024,300.00,C Ltd\n", encoding="utf-8")
    con, report = _load(path, OXFORDSHIRE)
    assert report.status == "refused" and '"Thames Water" (1 rows)' in report.message
    assert "published by \"Thames Water\" (1 rows), not a declared" in report.message  # only the undeclared one
    con, report = _load(path, None)  # no declarations (the library on its own): no check
    assert report.status == "loaded" and report.rows_loaded == 3


def test_declarations_and_the_check():
    assert spelling("  Trafford  Council. ") == "trafford council"
    with pytest.raises(ValueError, match="names two anchors"):
        DeclaredAnchors((Anchor("A", ("ACC",)), Anchor("B", ("acc",))))
    suppliers = load_contracts()["spend"]["suppliers"]
    assert PublisherCheck(OXFORDSHIRE, suppliers).declared is None  # no anchor column, nothing to check
