"""Every real council spend file in ../shared/data/real/spend, loaded on its own, against figures
verified by hand (see docs/real-spend-files.md for the layout of each file and how each number was
got). The expected outcomes follow docs/ingest-policy.md, not whatever the engine happens to do.

How the literal figures were verified (the comment on each line says which check applies):
  [csv]    counted with Python's csv module + Decimal, no project code: header record picked by hand,
           blank records skipped, Total/Grand total records and a trailing amounts-only record
           counted as footers, records without a usable date/amount/anchor counted as quarantined,
           amounts summed after stripping '£', ',' and spaces (credit notes stay negative).
  [duckdb] the same count and sum repeated with DuckDB's read_csv(all_varchar) + try_strptime.
  [pub]    the net agrees to the penny with the publisher's own total row in the file.
  [grep]   blank / redacted supplier names listed by hand (blank, "Redacted ...", "Reacted personal
           data", all asterisks); look-alikes such as REDACTIVE MEDIA SALES LIMITED excluded. Titled
           individuals (name starts "Mr", "Mrs", "Ms", "Miss", "Mx" or "Dr" + space, after trimming;
           the rule in ingest/contracts/spend.yaml) counted separately among the remaining rows.

The whole module skips when the shared folder is absent (a fresh clone).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from ingest import PostcodeLookup, load_files

KEY = "test-key-0123456789abcdef"


@dataclass(frozen=True)
class Expected:
    path: str                       # relative to real_data/spend
    status: str                     # "loaded" | "refused"
    rows: int = 0                   # rows_loaded
    net: Decimal | None = None      # net of loaded rows, to the penny
    footer: int = 0                 # rows_skipped_footer
    quarantined: int = 0            # rows_quarantined
    redacted: int = 0               # loaded rows whose payee the publisher left blank or redacted (rule 25)
    individuals: int = 0            # other loaded rows whose payee is a titled individual ("Mr J Smith"): the
                                    # spend contract withholds these too, so payee_redacted = redacted + individuals
    persons: int = 0                # [rule] further loaded rows whose payee reads as a person's name (rule 36:
                                    # e-mail, "X t/a Y", two or three capitalised words without an organisation
                                    # marker); names listed and reviewed in docs/real-spend-files.md
    anchors: frozenset[str] = frozenset()   # acceptable anchor names (one per file)
    refusal: str | None = None      # regex the refusal message must match


OCC = frozenset({"Oxford City Council"})
OX = "oxford_city_council/expenditure-over-500-{}.csv"

CASES = [
    # --- Oxford City Council: one header line, no preamble, no footer, day-first dates -------------------
    Expected(OX.format("jan-mar-2014"), "loaded",
             rows=3859,                        # [csv][duckdb] 3860 records after the header, minus the ",,xxx,,,," row
             net=Decimal("13413467.98"),       # [csv][duckdb] no publisher total in the file
             footer=0,                         # [csv] no Total row; the trailing ",,xxx,,,,,,," row is not amounts-only
             quarantined=1,                    # [csv] row 3861 ",,xxx,,,,,,,": no anchor, date or amount
             redacted=66,                      # [grep] 66 x "Redacted personal data"
             individuals=22,                   # [grep] supplier names starting Mr/Mrs/Ms/Miss/Mx/Dr
             anchors=OCC),
    Expected(OX.format("apr-jun-2014"), "refused",
             refusal=r"(payment|paid)[ _]?date|00:00:00",  # [csv] all 3836 Paid Date cells are "00:00:00" (policy 15)
             anchors=OCC),
    Expected(OX.format("jul-sep-2014"), "loaded",
             rows=3649,                        # [csv][duckdb]
             net=Decimal("15146736.80"),       # [csv][duckdb]
             redacted=91,                      # [grep] 90 "Redacted personal data" + 1 "Reacted personal data" (sic)
             individuals=6,                    # [grep] supplier names starting Mr/Mrs/Ms/Miss/Mx/Dr
             anchors=OCC),
    Expected(OX.format("oct-dec-2014"), "loaded",
             rows=3978,                        # [csv][duckdb] LF endings (the others are CRLF)
             net=Decimal("15676053.92"),       # [csv][duckdb]
             redacted=104,                     # [grep] 104 x "Redacted Personal Data"
             individuals=28,                   # [grep] supplier names starting Mr/Mrs/Ms/Miss/Mx/Dr
             anchors=OCC),
    Expected(OX.format("jan-mar-2015"), "loaded",
             rows=3864,                        # [csv][duckdb] publisher column is "Organisation"
             net=Decimal("13880574.57"),       # [csv][duckdb]
             redacted=75,                      # [grep] 75 x "Redacted personal data"
             individuals=5,                    # [grep] supplier names starting Mr/Mrs/Ms/Miss/Mx/Dr
             anchors=OCC),
    Expected(OX.format("apr-jun-2015"), "loaded",
             rows=3993,                        # [csv][duckdb]
             net=Decimal("14057679.06"),       # [csv][duckdb]
             redacted=92,                      # [grep] 92 x "Redacted personal data"
             individuals=17,                   # [grep] supplier names starting Mr/Mrs/Ms/Miss/Mx/Dr
             anchors=OCC),
    Expected(OX.format("jul-sep-2015"), "loaded",
             rows=3461,                        # [csv][duckdb]
             net=Decimal("11227481.07"),       # [csv][duckdb]
             redacted=44,                      # [grep] 43 "Redacted, personal data" + 1 "Redacted personal data"
             individuals=11,                   # [grep] supplier names starting Mr/Mrs/Ms/Miss/Mx/Dr
             anchors=OCC),
    Expected(OX.format("oct-dec-2015"), "loaded",
             rows=3918,                        # [csv][duckdb]
             net=Decimal("11923874.03"),       # [csv][duckdb]
             redacted=60,                      # [grep] 58 "Redacted, personal data" + 2 "..., personal information"
             individuals=18,                   # [grep] supplier names starting Mr/Mrs/Ms/Miss/Mx/Dr
             anchors=OCC),
    Expected(OX.format("jan-mar-2016"), "loaded",
             rows=3908,                        # [csv][duckdb]
             net=Decimal("12705491.15"),       # [csv][duckdb]
             redacted=66,                      # [grep] 62 x "Redacted personal details" + 4 x "Redacted personal data"
             individuals=23,                   # [grep] supplier names starting Mr/Mrs/Ms/Miss/Mx/Dr
             anchors=OCC),
    Expected(OX.format("apr-jun-2016"), "loaded",
             rows=3335,                        # [csv][duckdb]
             net=Decimal("11597335.91"),       # [csv][duckdb]
             redacted=80,                      # [grep] 80 blank supplier names (personal payees left blank)
             individuals=1,                    # [grep] supplier names starting Mr/Mrs/Ms/Miss/Mx/Dr
             anchors=OCC),
    Expected(OX.format("jul-sep-2016"), "loaded",
             rows=3581,                        # [csv][duckdb] publisher column "Client" = "OCC"
             net=Decimal("12937883.62"),       # [csv][duckdb]
             redacted=39,                      # [grep] 39 blank supplier names
             individuals=0,                    # [grep] supplier names starting Mr/Mrs/Ms/Miss/Mx/Dr
             anchors=OCC),
    Expected(OX.format("oct-dec-2016"), "loaded",
             rows=3847,                        # [csv][duckdb] Client = "OCC"
             net=Decimal("18748991.21"),       # [csv][duckdb]
             redacted=1,                       # [grep] 1 blank supplier (the -0.01 "Difference A/c" line)
             individuals=18,                   # [grep] supplier names starting Mr/Mrs/Ms/Miss/Mx/Dr
             anchors=OCC),
    Expected(OX.format("jan-mar-2017"), "loaded",
             rows=3913,                        # [csv][duckdb] NO publisher column: anchor from publishers.yaml
             net=Decimal("13397989.24"),       # [csv][duckdb]
             redacted=0,                       # [grep] none
             individuals=34,                   # [grep] supplier names starting Mr/Mrs/Ms/Miss/Mx/Dr
             anchors=OCC),
    Expected(OX.format("apr-jun-2017"), "loaded",
             rows=4052,                        # [csv][duckdb] NO publisher column: anchor from publishers.yaml
             net=Decimal("16264882.46"),       # [csv][duckdb]
             redacted=2,                       # [grep] 2 blank supplier names (both -0.01 "Difference A/c" lines)
             individuals=55,                   # [grep] supplier names starting Mr/Mrs/Ms/Miss/Mx/Dr
             anchors=OCC),
    Expected(OX.format("jul-sep-2017"), "loaded",
             rows=3259,                        # [csv][duckdb] Client = "OCC"; no Expenditure Category column
             net=Decimal("11344005.35"),       # [csv][duckdb]
             redacted=0,                       # [grep] none
             individuals=52,                   # [grep] supplier names starting Mr/Mrs/Ms/Miss/Mx/Dr
             anchors=OCC),
    Expected(OX.format("oct-dec-2017"), "loaded",
             rows=3855,                        # [csv][duckdb] Client = "OCC"; LF endings
             net=Decimal("17382055.90"),       # [csv][duckdb]
             redacted=69,                      # [grep] 69 blank supplier names
             individuals=5,                    # [grep] supplier names starting Mr/Mrs/Ms/Miss/Mx/Dr
             anchors=OCC),
    Expected(OX.format("jan-mar-2018"), "loaded",
             rows=1220,                        # [csv][duckdb] Client = "OCC"; dates 03/01/2018-30/01/2018 only
             net=Decimal("4339765.85"),        # [csv][duckdb]
             redacted=9,                       # [grep] 9 blank supplier names
             individuals=11,                   # [grep] supplier names starting Mr/Mrs/Ms/Miss/Mx/Dr
             anchors=OCC),
    # --- Craven District Council: Windows-1252, CRLF, trailing amounts-only total ------------------------
    Expected("craven/craven-dc-payments-2017-03.csv", "loaded",
             rows=171,                         # [csv][duckdb] 172 records after the header, last is the total
             net=Decimal("726583.94"),         # [csv][duckdb][pub] equals the trailing ",,,,,,,,,726,583.94"
             footer=1,                         # [csv] the trailing amounts-only row
             redacted=6,                       # [grep] 6 x "*****************************"
             individuals=2,                    # [grep] supplier names starting Mr/Mrs/Ms/Miss/Mx/Dr
             anchors=frozenset({"Craven District Council"})),
    # --- London Borough of Lambeth ------------------------------------------------------------------------
    # [csv] each is a "Sum of Invoice Nett Amount" pivot (Supplier Name, Total, Grand Total; no dates): rule 26
    *[Expected(f"lambeth/lambeth-{month}-payments.csv", "refused",
               refusal=r"supplier total|not (individual )?transactions|pivot|sum of",
               anchors=frozenset())
      for month in ("2011-02", "2011-04", "2011-06", "2011-11")],
    Expected("lambeth/lambeth-2012-06-payments.csv", "loaded",
             rows=3155,                        # [csv][duckdb] header on line 10 after a 9-line report preamble
             net=Decimal("40292334.84"),       # [csv][duckdb][pub] equals the "Total" row 3167
             footer=1,                         # [csv] row 3167 "Total,... ,40,292,334.84"
             quarantined=1,                    # [csv] row 3171 ",†††††† ,,,,": filler characters only, no date/amount
             redacted=0,                       # [grep] none
             individuals=25,                   # [grep] supplier names starting Mr/Mrs/Ms/Miss/Mx/Dr
             anchors=frozenset({"Lambeth", "London Borough of Lambeth"})),
    # --- Trafford Council: ZIP holding one LGA-schema CSV, ISO dates -------------------------------------
    Expected("trafford/trafford-supplier-spend-2026-27.zip", "loaded",
             rows=38055,                       # [csv][duckdb] 38056 records including the header
             net=Decimal("95896941.89"),       # [csv][duckdb] includes 4069 negative lines (-6,541,900.76)
             redacted=6000,                    # [grep] 6000 x BeneficiaryName "Redacted"
             individuals=3,                    # [grep] supplier names starting Mr/Mrs/Ms/Miss/Mx/Dr
             anchors=frozenset({"Trafford Council"})),
]


# [rule] counted by tests/ingest/withheld_payees_report.py; the names it lists were read by hand.
PERSONS = {
    "jan-mar-2014": 96, "jul-sep-2014": 100, "oct-dec-2014": 106, "jan-mar-2015": 160, "apr-jun-2015": 207,
    "jul-sep-2015": 66, "oct-dec-2015": 97, "jan-mar-2016": 73, "apr-jun-2016": 78, "jul-sep-2016": 27,
    "oct-dec-2016": 58, "jan-mar-2017": 69, "apr-jun-2017": 140, "jul-sep-2017": 79, "oct-dec-2017": 94,
    "jan-mar-2018": 33, "craven-dc-payments-2017-03": 12, "lambeth-2012-06-payments": 56,
    "trafford-supplier-spend-2026-27": 98,
}
CASES = [replace(c, persons=PERSONS.get(Path(c.path).stem.removeprefix("expenditure-over-500-"), 0)) for c in CASES]


@dataclass
class Outcome:
    report: object
    table_rows: int
    table_sum: Decimal | None
    quarantine_rows: int
    redacted: int | None            # None when the column payee_redacted does not exist
    redacted_with_name: int | None
    anchors: set[str]


_CACHE: dict[str, Outcome] = {}


def _table_exists(con, schema, table):
    return con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
                       [schema, table]).fetchone()[0] > 0


def _load(real_data, tmp_path_factory, case: Expected) -> Outcome:
    """Each file goes into its own fresh DuckDB, once per test session."""
    if case.path not in _CACHE:
        path = real_data / "spend" / case.path
        db = tmp_path_factory.mktemp("real_spend") / "w.duckdb"
        con = duckdb.connect(str(db))
        try:
            [report] = load_files(con, [path], feed="spend", key=KEY, lookup=PostcodeLookup({}, "none"))
            rows, total, anchors, redacted, named = 0, None, set(), None, None
            if _table_exists(con, "raw", "spend__payments"):
                rows, total = con.execute("SELECT count(*), sum(amount_gbp) FROM raw.spend__payments").fetchone()
                anchors = {a for (a,) in con.execute("SELECT DISTINCT anchor FROM raw.spend__payments").fetchall()}
                cols = {c for (c,) in con.execute(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_schema = 'raw' AND table_name = 'spend__payments'").fetchall()}
                if "payee_redacted" in cols:
                    redacted, named = con.execute(
                        "SELECT count(*) FILTER (WHERE payee_redacted), count(*) FILTER (WHERE payee_redacted AND "
                        "(supplier_name IS NOT NULL OR supplier_ref IS NOT NULL)) FROM raw.spend__payments").fetchone()
            quarantine = 0
            if _table_exists(con, "raw", "quarantine"):
                quarantine = con.execute("SELECT count(DISTINCT row_number) FROM raw.quarantine").fetchone()[0]
        finally:
            con.close()
        _CACHE[case.path] = Outcome(report, rows, None if total is None else Decimal(str(total)), quarantine,
                                    redacted, named, anchors)
    return _CACHE[case.path]


def _pennies(x) -> Decimal | None:
    return None if x is None else Decimal(str(round(float(x), 2))).quantize(Decimal("0.01"))


params = pytest.mark.parametrize("case", CASES, ids=[c.path.split("/")[-1].rsplit(".", 1)[0] for c in CASES])
loaded_only = pytest.mark.parametrize(
    "case", [c for c in CASES if c.status == "loaded"],
    ids=[c.path.split("/")[-1].rsplit(".", 1)[0] for c in CASES if c.status == "loaded"])


@params
def test_outcome_and_row_counts(real_data, tmp_path_factory, case):
    out = _load(real_data, tmp_path_factory, case)
    r = out.report
    assert r.status == case.status, r.message
    if case.status == "refused":
        assert re.search(case.refusal, r.message, re.IGNORECASE), r.message
        assert r.rows_loaded == 0 and out.table_rows == 0
        return
    assert (r.rows_loaded, r.rows_quarantined, r.rows_skipped_footer) == (case.rows, case.quarantined, case.footer), \
        r.message
    assert out.table_rows == case.rows
    assert out.quarantine_rows == case.quarantined


@params
def test_net_total_to_the_penny(real_data, tmp_path_factory, case):
    out = _load(real_data, tmp_path_factory, case)
    r = out.report
    if case.status == "refused":
        assert r.net_amount_gbp in (None, 0) and out.table_sum is None
        return
    assert _pennies(r.net_amount_gbp) == case.net
    assert out.table_sum is not None and out.table_sum.quantize(Decimal("0.01")) == _pennies(r.net_amount_gbp)


@loaded_only
def test_blank_and_redacted_payees(real_data, tmp_path_factory, case):
    out = _load(real_data, tmp_path_factory, case)
    assert out.redacted is not None, "raw.spend__payments has no payee_redacted column (policy 25)"
    expected = case.redacted + case.individuals + case.persons
    assert out.redacted == expected, (f"{case.redacted} withheld by the publisher + {case.individuals} titled "
                                      f"individuals + {case.persons} person-like names")
    if hasattr(out.report, "payees_redacted"):
        assert out.report.payees_redacted == expected
    assert out.redacted_with_name == 0, "redacted payees must have supplier_name and supplier_ref null"


@loaded_only
def test_anchor_is_the_publisher(real_data, tmp_path_factory, case):
    out = _load(real_data, tmp_path_factory, case)
    assert len(out.anchors) == 1 and out.anchors <= case.anchors, out.anchors
