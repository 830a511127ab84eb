"""The malformed-input corpus: one case per row of docs/ingest-policy.md (and then some).

Each case names its input file(s) (a file in tests/ingest/corpus/, or a builder below for binary
and encoding-sensitive inputs), the feed argument, and the expected outcome of the LAST file:
status, a message pattern, rows loaded, the exact quarantine rows. Earlier files of a case are
set-up (a first version, the same bytes) and must load.

Every case runs in a fresh DuckDB file that first holds a known-good baseline (spend payments with
one quarantined row, charter pledge updates). After the case, every raw table minus the case's own
files' rows must equal the baseline exactly: a bad input never changes what was loaded before.

Patterns (message, quarantine reason) are regular expressions searched case-insensitively. Where
the policy fixes the wording ("the file is empty", "no data rows", "spreadsheet formula error") the
pattern is that wording; elsewhere it accepts any sensible phrasing of the reason.
Row numbers are the 1-based physical line of the file (Excel row number for workbooks).
"""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from steward_corpus import BUILDERS as STEWARD_BUILDERS
from steward_corpus import PERSONAL

from ingest import IngestRules, PostcodeLookup, load_files
from ingest.privacy import pseudonymise

KEY = "test-key-0123456789abcdef"
LOOKUP = PostcodeLookup({"OX4 6AB": ("E01028568", "E07000178")}, "test")
CORPUS = Path(__file__).parent / "corpus"
BASELINE = [("baseline_payments.csv", "spend"), ("baseline_pledge_updates.csv", "charter")]
BASELINE_COUNTS = {"spend__payments": 3, "charter__pledge_updates": 3, "quarantine": 1}
LOADED = ("loaded", "replaced")

# ---------------------------------------------------------------------------------------------
# Builders: inputs whose bytes matter (encodings, line ends) or that are binary (XLSX, ZIP).
# ---------------------------------------------------------------------------------------------

GOOD = (CORPUS / "good_payments.csv").read_text(encoding="utf-8")  # 2 rows, £ and é
HEADER = GOOD.splitlines()[0].split(",")


def _write(data: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data)


def _good_as(encoding: str, *, delimiter: str = ",", newline: str = "\n", bom: bytes = b"") -> bytes:
    text = GOOD.replace('"£1,650.00"', "£1650.00")  # no quoted delimiter: safe to swap separators
    text = text.replace(",", delimiter).replace("\n", newline)
    return bom + text.encode(encoding)


def _xlsx(sheets: dict[str, list[list]], path: Path) -> None:
    """A workbook written by xlsxwriter: datetimes as real dates; ('=formula', cached) as formulas."""
    import datetime as dt

    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    for title, rows in sheets.items():
        sheet = book.add_worksheet(title)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, tuple):
                    sheet.write_formula(r, c, value[0], None, value[1])
                elif isinstance(value, dt.date):
                    sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_format)
                elif value is not None:
                    sheet.write(r, c, value)
    book.close()


def _xlsx_rows(*rows: tuple) -> list[list]:
    import datetime as dt

    out = [HEADER]
    for day, ref, amount, supplier in rows:
        when = dt.date(2024, 4, day) if isinstance(day, int) else day
        out.append(["Oxford City Council", "Housing", "Repairs", when, ref, amount, "Revenue", "S1", supplier])
    return out


def _zip(members: dict[str, bytes]) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in members.items():
                archive.writestr(name, data)
    return build


def _huge_cell(size: int) -> bytes:
    lines = GOOD.splitlines()
    big = lines[1].replace("Repairs", "x" * size)
    extra = lines[1].replace("T1", "T3").replace("02/04", "04/04")
    return "\n".join([lines[0], lines[1].replace("T1", "T0"), big, extra, ""]).encode("utf-8")


def _zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


JUNK = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8

BUILDERS: dict[str, Callable[[Path], None]] = {
    "enc_cp1252.csv": _write(_good_as("cp1252")),
    "enc_utf8_bom.csv": _write(_good_as("utf-8", bom=b"\xef\xbb\xbf")),
    "enc_utf16le_tab.csv": _write(_good_as("utf-16-le", delimiter="\t", newline="\r\n", bom=b"\xff\xfe")),
    "enc_utf16be_bom.csv": _write(_good_as("utf-16-be", bom=b"\xfe\xff")),
    "enc_bare_cr.csv": _write(_good_as("utf-8", newline="\r")),
    "semicolon_crlf.csv": _write(_good_as("utf-8", delimiter=";", newline="\r\n")),
    "binary_junk.csv": _write(JUNK),
    "corrupt.xlsx": _write(_zip_bytes({"[Content_Types].xml": b"<Types"})[:-40] + b"\x00" * 40),
    "corrupt.zip": _write(b"PK\x03\x04" + JUNK[:300]),
    "payments.pdf": _write(b"%PDF-1.4\n" + GOOD.encode("utf-8")),
    "huge_field.csv": _write(_huge_cell(20_000)),
    "huge_cell_over_1m.csv": _write(_huge_cell(1_100_000)),
    "good_payments_copy.csv": _write((CORPUS / "good_payments.csv").read_bytes()),
    "csv_in.zip": _zip({"oxford-city/": b"", "oxford-city/payments-2024-04.csv": GOOD.encode("utf-8")}),
    "zip_without_csv.zip": _zip({"README.md": b"# Payments\nsee the portal\n", "logo.png": JUNK}),
    "xlsx_formula_errors.xlsx": lambda p: _xlsx({"Payments": _xlsx_rows(
        (2, "T1", 1200.0, "Acme Ltd"),
        (3, "T2", ("=1/0", "#DIV/0!"), "Acme Ltd"),               # row 3: amount #DIV/0!
        (4, "T3", 650.0, ("=Suppliers!#REF!", "#REF!")),           # row 4: supplier #REF!
        (5, "T4", 700.0, "Stone Ltd"),
    )}, p),
    "xlsx_all_sheets_empty.xlsx": lambda p: _xlsx({"Sheet1": [], "Sheet2": []}, p),
    "xlsx_empty_first_sheet.xlsx": lambda p: _xlsx({"Sheet1": [], "Payments": _xlsx_rows(
        (2, "T1", 1200.0, "Acme Ltd"), (3, "T2", 650.0, "Stone Ltd"))}, p),
    "xlsx_notes_sheet.xlsx": lambda p: _xlsx({
        "Notes": [["About this file"], ["Source: the finance system"], ["Amounts exclude VAT"]],
        "Data": [["Payments over £500, April 2024"], [], *_xlsx_rows(
            (2, "T1", 1200.0, "Acme Ltd"), ("31/02/2024", "T2", 650.0, "Stone Ltd"), (4, "T3", 700.0, "Stone Ltd"))],
    }, p),
}


# ---------------------------------------------------------------------------------------------
# The cases
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    policy: str  # row(s) of docs/ingest-policy.md
    files: tuple[str, ...]  # the last one is under test; earlier ones must load first
    feed: str | None
    status: str  # loaded | replaced | duplicate | refused
    message: str | None = None  # regex searched in report.message (and the audit message)
    rows_loaded: int = 0
    quarantine: tuple[tuple[int, str, str], ...] = ()  # (row_number, column_name, reason regex)
    checks: tuple[tuple[str, list[tuple]], ...] = ()  # (SQL, expected rows); '?' binds the file's sha256
    absent: tuple[str, ...] = ()  # text that must appear in no raw table at all
    replaces: tuple[str, ...] = ()  # file names the last file is declared to replace (--replaces)
    rules: IngestRules | None = None  # limits for the last file (default: the documented defaults)


def case(id, policy, files, feed, status, message=None, rows=0, quarantine=(), checks=(), absent=(), replaces=(),
         rules=None):
    files = (files,) if isinstance(files, str) else tuple(files)
    return pytest.param(Case(id, policy, files, feed, status, message, rows, tuple(quarantine), tuple(checks),
                             tuple(absent), tuple(replaces), rules), id=id)


PAY = "SELECT {} FROM raw.spend__payments WHERE _file_sha256 = ? ORDER BY _row_number"
PLEDGE = "SELECT {} FROM raw.charter__pledge_updates WHERE _file_sha256 = ? ORDER BY _row_number"
REFUSED_NO_DATE = r"ambiguous|month.first|US|date order"

CASES = [
    # 1 -- the same bytes again
    case("duplicate_same_bytes", "1", ["good_payments.csv", "good_payments.csv"], "spend", "duplicate",
         r"same|identical|before"),
    case("duplicate_same_bytes_other_name", "1", ["good_payments.csv", "good_payments_copy.csv"], "spend",
         "duplicate", r"same|identical|before"),
    # 2, 3 -- empty
    case("empty_0_bytes", "2", "empty.csv", "spend", "refused", r"the file is empty"),
    case("empty_whitespace_only", "2", "whitespace_only.csv", "spend", "refused", r"the file is empty"),
    case("header_only", "3", "header_only.csv", "spend", "loaded", r"no data rows", 0),
    # 4 -- encodings, line ends, separators
    case("enc_windows_1252", "4", "enc_cp1252.csv", "spend", "loaded", rows=2, checks=[
        (PAY.format("supplier_name, amount_gbp::VARCHAR"), [("Café Rouge Ltd", "1200.00"), ("Stone Ltd", "1650.00")])]),
    case("enc_utf8_bom", "4", "enc_utf8_bom.csv", "spend", "loaded", rows=2, checks=[
        (PAY.format("anchor, supplier_name"), [("Oxford City Council", "Café Rouge Ltd"),
                                               ("Oxford City Council", "Stone Ltd")])]),
    case("enc_utf16le_bom_tab", "4", "enc_utf16le_tab.csv", "spend", "loaded", rows=2, checks=[
        (PAY.format("_row_number, supplier_name"), [(2, "Café Rouge Ltd"), (3, "Stone Ltd")])]),
    case("enc_utf16be_bom_comma", "4", "enc_utf16be_bom.csv", "spend", "loaded", rows=2, checks=[
        (PAY.format("_row_number, supplier_name"), [(2, "Café Rouge Ltd"), (3, "Stone Ltd")])]),
    case("enc_bare_cr", "4", "enc_bare_cr.csv", "spend", "loaded", rows=2, checks=[
        (PAY.format("_row_number, supplier_name"), [(2, "Café Rouge Ltd"), (3, "Stone Ltd")])]),
    case("semicolon_crlf", "4", "semicolon_crlf.csv", "spend", "loaded", rows=2, checks=[
        (PAY.format("_row_number, capital_or_revenue"), [(2, "revenue"), (3, "capital")])]),
    # 5 -- not text, corrupt containers, unsupported types
    case("binary_junk_named_csv", "5", "binary_junk.csv", "spend", "refused", r"binary|not (a )?text"),
    case("corrupt_xlsx", "5", "corrupt.xlsx", "spend", "refused", r"xlsx|workbook|corrupt|cannot be read"),
    case("corrupt_zip", "5", "corrupt.zip", "spend", "refused", r"zip|corrupt|cannot be read"),
    case("unsupported_extension", "5", "payments.pdf", "spend", "refused", r"unsupported|file type|extension"),
    case("zip_without_csv", "5", "zip_without_csv.zip", "spend", "refused", r"no CSV"),
    case("csv_in_zip", "4/5", "csv_in.zip", "spend", "loaded", rows=2, checks=[
        (PAY.format("_row_number, supplier_name"), [(2, "Café Rouge Ltd"), (3, "Stone Ltd")])]),
    # 6, 7, 8 -- preamble, blank rows, footers
    case("preamble_and_footer_totals", "6/8", "preamble_footer.csv", "spend", "loaded", rows=2,
         quarantine=[(6, "payment_date", r"calendar|impossible|not a real")],
         checks=[(PAY.format("_row_number"), [(5,), (7,)]),
                 ("SELECT sum(rows_skipped_footer) FROM raw.load_audit WHERE file_sha256 = ?", [(2,)])]),
    case("footer_single_total_kept_for_reconciliation", "8", "footer_single_total.csv", "spend", "loaded", rows=2,
         checks=[("SELECT rows_skipped_footer, publisher_total_gbp::VARCHAR, net_amount_gbp::VARCHAR "
                  "FROM raw.load_audit WHERE file_sha256 = ?", [(1, "1850.00", "1850.00")])]),
    # Policy row 8 read literally ("first filled cell starts with Total") would skip this real payment to
    # "Total Gas & Power Ltd" when the supplier is the first column; a row with a date and an anchor is a payment.
    case("supplier_named_total_is_not_a_footer", "8", "supplier_named_total.csv", "spend", "loaded", rows=2,
         checks=[(PAY.format("supplier_name"), [("Acme Ltd",), ("Total Gas & Power Ltd",)])]),
    case("blank_rows", "7", "blank_rows.csv", "spend", "loaded", rows=3, checks=[
        (PAY.format("_row_number"), [(2,), (4,), (6,)]),
        ("SELECT sum(rows_read), sum(rows_skipped_footer) FROM raw.load_audit WHERE file_sha256 = ?", [(3, 0)])]),
    # 9, 10 -- header does not fit
    case("no_header_match_names_closest", "9", "no_header_match.csv", "charter", "refused",
         r"pledge.updates.*(priority_area|update_on|status)"),
    case("unrelated_header", "9", "unrelated_header.csv", None, "refused", r"header|no .*match"),
    case("payments_without_publisher_not_a_register", "10", "payments_without_publisher.csv", "spend",
         "refused", r"payments"),
    case("supplier_totals_pivot", "26", "supplier_totals_pivot.csv", "spend", "refused",
         r"not transactions|supplier totals|pivot"),
    # missing columns: required -> refused (closest entity + missing column); optional -> null
    case("missing_required_column", "9", "missing_required.csv", "spend", "refused", r"payments.*amount_gbp"),
    case("missing_optional_columns", "11", "missing_optional.csv", "spend", "loaded", rows=2, checks=[
        (PAY.format("transaction_ref, supplier_ref, expense_category, capital_or_revenue"),
         [(None, None, None, None)] * 2)]),
    case("extra_columns", "12", "extra_columns.csv", "spend", "loaded", r"PO Number.*Cost Code Colour", 2),
    # 13 -- personal data
    case("personal_columns_dropped", "13", "personal_columns.csv", "programme", "loaded", rows=2, checks=[
        ("SELECT participant_key, lsoa_code FROM raw.programme__participants "
         "WHERE _file_sha256 = ? ORDER BY _row_number",
         [(pseudonymise("P-771", KEY), "E01028568"), (pseudonymise("P-772", KEY), "E01028568")]),
        ("SELECT list_sort(regexp_split_to_array(columns_dropped, '\\s*[,;]\\s*')) FROM raw.load_audit "
         "WHERE file_sha256 = ?", [(sorted(["Full Name", "Date of Birth", "National Insurance Number",
                                            "Email Address", "Mobile", "Home Address"]),)])],
         absent=["P-771", "Zephyrine", "Quince", "14/07/1988", "1988-07-14", "QZ918273A", "example.org",
                 "07700900771", "Quillwort", "Yarrowby", "OX4 6AB", "OX46AB"]),
    # 14 -- bad cells
    case("wrong_types", "14", "wrong_types.csv", "spend", "loaded", rows=2, quarantine=[
        (3, "amount_gbp", r"amount|money|number"), (4, "payment_date", r"date")]),
    case("enum_not_allowed", "14", "enum_not_allowed.csv", "charter", "loaded", rows=2, quarantine=[
        (2, "status", r"allowed"), (3, "priority_area", r"allowed")],
         checks=[(PLEDGE.format("pledge_id, priority_area, status"),
                  [("PL-103", "skills_and_jobs", "achieved"), ("PL-104", "place_based", "in_progress")])]),
    case("wellbeing_items_out_of_range_nulled", "14", "wellbeing_out_of_range.csv", "wellbeing", "loaded", rows=3,
         quarantine=[(2, "swemwbs_optimistic", r"maximum|range|above|1.5"),
                     (3, "swemwbs_useful", r"minimum|range|below|1.5")],
         checks=[("SELECT response_id, swemwbs_optimistic, swemwbs_useful, swemwbs_relaxed "
                  "FROM raw.wellbeing__responses WHERE _file_sha256 = ? ORDER BY _row_number",
                  [("R-101", None, 3, 3), ("R-102", 4, None, 3), ("R-103", 4, 4, 4)])]),
    case("outcomes_out_of_range_quarantined", "14", ["participants_aspire.csv", "outcomes_out_of_range.csv"],
         "programme", "loaded", rows=1,
         quarantine=[(3, "hours_per_week", r"maximum|range|above|80"),
                     (4, "hourly_pay_gbp", r"minimum|range|below|negative")]),
    # 15 -- a required column unusable in every row
    case("required_unusable_in_every_row", "15", "required_unusable_every_row.csv", "spend", "refused",
         r"payment_date|date"),
    # 16, 17 -- dates
    case("us_month_first_dates", "16", "us_dates.csv", "spend", "refused", REFUSED_NO_DATE),
    # Not the whole file month-first: the file proves it is day-first, so 04/13/2024 is one impossible date.
    case("one_month_first_date_in_a_day_first_file", "16/17", "mixed_date_order.csv", "spend", "loaded", rows=3,
         quarantine=[(4, "payment_date", r"calendar|impossible|not a real|ambiguous|month")]),
    case("two_digit_years_and_times", "17", "two_digit_years_and_times.csv", "spend", "loaded", rows=2,
         quarantine=[(3, "payment_date", r"two.digit|year|format"),
                     (4, "payment_date", r"time|without a date|format")],
         checks=[(PAY.format("_row_number, payment_date::VARCHAR"), [(2, "2024-04-02"), (5, "2024-04-05")])]),
    case("impossible_dates", "17", "impossible_dates.csv", "spend", "loaded", rows=2, quarantine=[
        (2, "payment_date", r"calendar|impossible|not a real"), (3, "payment_date", r"calendar|impossible|not a real"),
        (5, "payment_date", r"calendar|impossible|not a real")],
         checks=[(PAY.format("payment_date::VARCHAR"), [("2024-02-29",), ("2024-04-30",)])]),
    # 18 -- spreadsheets
    case("xlsx_formula_errors", "18", "xlsx_formula_errors.xlsx", "spend", "loaded", rows=2, quarantine=[
        (3, "amount_gbp", r"spreadsheet formula error"), (4, "supplier_name", r"spreadsheet formula error")],
         checks=[(PAY.format("_row_number, payment_date::VARCHAR"), [(2, "2024-04-02"), (5, "2024-04-05")])]),
    case("xlsx_all_sheets_empty", "2/5", "xlsx_all_sheets_empty.xlsx", "spend", "refused", r"empty"),
    case("xlsx_empty_first_sheet", "4", "xlsx_empty_first_sheet.xlsx", "spend", "loaded", rows=2, checks=[
        (PAY.format("_row_number, amount_gbp::VARCHAR"), [(2, "1200.00"), (3, "650.00")])]),
    case("xlsx_notes_sheet_and_data_sheet", "4/6", "xlsx_notes_sheet.xlsx", "spend", "loaded", rows=2,
         quarantine=[(5, "payment_date", r"calendar|impossible|not a real")],
         checks=[(PAY.format("_row_number"), [(4,), (6,)])]),
    # 19 -- huge cells
    case("huge_field_20k", "19", "huge_field.csv", "spend", "loaded", rows=2,
         quarantine=[(3, "expense_category", r"10,?000|too long|longer|characters")]),
    case("huge_cell_over_1m", "19", "huge_cell_over_1m.csv", "spend", "refused",
         r"1,?000,?000|too (long|large|big)|field larger|unreadable"),
    # 20 -- hostile text stored verbatim
    case("sql_like_text", "20", "sql_like_text.csv", "spend", "loaded", rows=2, checks=[
        (PAY.format("service_area, expense_category, supplier_name"),
         [('x"; DROP SCHEMA raw CASCADE; --', "Repairs", "Robert'); DROP TABLE raw.spend__payments;--"),
          ("Housing", "' OR 1=1; DELETE FROM raw.load_audit; --", "Stone Ltd")])]),
    case("formula_like_text", "20", "formula_like_text.csv", "spend", "loaded", rows=2, checks=[
        (PAY.format("service_area, expense_category, supplier_name"),
         [("Housing", "+SUM(A1:A9)", '=HYPERLINK("http://evil.example","x")'), ("@cmd", "Repairs", "=1+2")])]),
    # 21 -- truncation
    case("truncated_inside_quoted_field", "21", "truncated_in_quotes.csv", "spend", "refused",
         r"quot|truncat|end of (file|data)|unterminated"),
    case("truncated_last_row", "14", "truncated_last_row.csv", "spend", "loaded", rows=2,
         quarantine=[(4, "amount_gbp", r"missing|required|truncat|fewer|short")]),
    # 22, 23, 24 -- repeats, credits, small lines
    case("repeated_business_key_in_file", "22", "repeated_business_key.csv", "charter", "loaded", rows=3,
         quarantine=[(4, "pledge_id,update_on", r"repeat|duplicate|same key")],
         checks=[(PLEDGE.format("_row_number, status"), [(2, "in_progress"), (3, "pledged"), (5, "achieved")])]),
    case("repeated_lines_credits_small_amounts", "23/24", "repeated_lines_credits_small.csv", "spend", "loaded",
         rows=4, checks=[(PAY.format("amount_gbp::VARCHAR"), [("1200.00",), ("1200.00",), ("-250.00",), ("12.50",)]),
                         ("SELECT sum(net_amount_gbp)::VARCHAR FROM raw.load_audit WHERE file_sha256 = ?",
                          [("2162.50",)])]),
    # 25 -- redacted payees
    case("redacted_payees", "25", "redacted_payees.csv", "spend", "loaded", rows=5,
         checks=[("SELECT sum(payees_redacted) FROM raw.load_audit WHERE file_sha256 = ?", [(4,)]),
                 (PAY.format("_row_number, supplier_name, supplier_ref, payee_redacted"),
                  [(2, "Acme Ltd", "S1", False), (3, None, None, True), (4, None, None, True),
                   (5, None, None, True), (6, None, None, True)])],
         absent=["S11", "S12"]),
    # 27 -- corrections
    case("corrected_payments_declared_replacement", "27",
         ["corrected_payments_v1.csv", "corrected_payments_v2.csv"], "spend", "replaced", rows=3,
         replaces=["corrected_payments_v1.csv"], message=r"replaces corrected_payments_v1\.csv", checks=[
             ("SELECT count(*), sum(amount_gbp)::VARCHAR, count(DISTINCT _file_sha256) FROM raw.spend__payments "
              "WHERE anchor = 'Oxford City Council'", [(3, "2550.00", 1)]),
             ("SELECT count(*) FROM raw.spend__payments WHERE _file_sha256 = ?", [(3,)]),
             ("SELECT DISTINCT status FROM raw.load_audit WHERE source_file = 'corrected_payments_v1.csv'",
              [("superseded",)])]),
    case("corrected_pledges_declared_replacement", "27",
         ["corrected_pledges_v1.csv", "corrected_pledges_v2.csv"], "charter", "replaced", rows=2,
         replaces=["corrected_pledges_v1.csv"], checks=[
             ("SELECT pledge_id, status, count(*) OVER (PARTITION BY pledge_id) FROM raw.charter__pledge_updates "
              "WHERE pledge_id LIKE 'PL-3%' ORDER BY pledge_id",
              [("PL-301", "achieved", 1), ("PL-302", "pledged", 1)])]),
    # 27 -- the same corrections undeclared: an overlap, loaded beside (payments) or quarantined (keys)
    case("undeclared_payments_same_publisher_and_month_overlap", "29",
         ["corrected_payments_v1.csv", "corrected_payments_v2.csv"], "spend", "loaded", rows=3,
         message=r"OVERLAP.*corrected_payments_v1\.csv \(2024-04\)", checks=[
             ("SELECT overlaps_with FROM raw.load_audit WHERE file_sha256 = ?",
              [("corrected_payments_v1.csv (2024-04)",)]),
             ("SELECT count(DISTINCT _file_sha256) FROM raw.spend__payments WHERE anchor = 'Oxford City Council'",
              [(2,)])]),
    case("undeclared_pledges_same_keys_first_arrival_stands", "29",
         ["corrected_pledges_v1.csv", "corrected_pledges_v2.csv"], "charter", "loaded", rows=0,
         message=r"OVERLAP.*keys already loaded from corrected_pledges_v1\.csv",
         quarantine=[(2, "pledge_id,update_on", r"already loaded from corrected_pledges_v1\.csv row 2.*--replaces"),
                     (3, "pledge_id,update_on", r"already loaded from corrected_pledges_v1\.csv row 3")],
         checks=[("SELECT pledge_id, status FROM raw.charter__pledge_updates WHERE pledge_id LIKE 'PL-3%' "
                  "ORDER BY pledge_id", [("PL-301", "in_progress"), ("PL-302", "pledged")])]),
    case("corrected_same_file_name", "27",
         ["same_name_v1/south-oxon-payments.csv", "same_name_v2/south-oxon-payments.csv"], "spend", "replaced",
         rows=3, checks=[("SELECT count(*), count(DISTINCT _file_sha256) FROM raw.spend__payments "
                          "WHERE anchor = 'South Oxfordshire District Council'", [(3, 1)])]),
    # 28 -- the wrong feed
    case("wrong_feed", "28", "good_payments.csv", "charter", "refused", r"charter"),
]


# ---------------------------------------------------------------------------------------------
# The steward's corpus (issue 12): inputs built by tests/ingest/steward_corpus.py
# ---------------------------------------------------------------------------------------------

BUILDERS.update(STEWARD_BUILDERS)
V1 = "v1/occ-2024-04.csv"  # 4 payments, £9,059.00
V1_STAYS = [("SELECT count(*), sum(amount_gbp)::VARCHAR FROM raw.spend__payments "
             "WHERE _source_file = 'occ-2024-04.csv'", [(4, "9059.00")]),
            ("SELECT DISTINCT status FROM raw.load_audit WHERE source_file = 'occ-2024-04.csv' AND status <> 'refused'",
             [("loaded",)])]
WITHHELD = "SELECT supplier_name, payee_redacted FROM raw.spend__payments WHERE _file_sha256 = ? ORDER BY _row_number"
HELD = "SELECT count(*) FROM raw.programme__outcomes_held WHERE _file_sha256 = ?"
WINDOW = r"plausible dates"
BIG_ROWS = 260_000

STEWARD_CASES = [
    # versions: same feed and name replaces; a replacement that removes most of what it replaces is refused
    case("new_version_same_name_replaces", "27", [V1, "v2/occ-2024-04.csv"], "spend", "replaced", rows=4,
         message=r"replaces occ-2024-04\.csv", checks=[
             ("SELECT count(*), sum(amount_gbp)::VARCHAR, count(DISTINCT _file_sha256) FROM raw.spend__payments "
              "WHERE anchor = 'Oxford City Council'", [(4, "9159.00", 1)])]),
    case("new_version_of_a_zip_names_its_member", "27/31", ["v1/occ-2024-04.zip", "v2/occ-2024-04.zip"], "spend",
         "replaced", rows=4, checks=[
             ("SELECT DISTINCT _source_file FROM raw.spend__payments WHERE _file_sha256 = ?",
              [("occ-2024-04.zip!june.csv",)]),
             ("SELECT source_file, file_name, status FROM raw.load_audit ORDER BY loaded_at DESC, status LIMIT 2",
              [("occ-2024-04.zip!june.csv", "occ-2024-04.zip", "replaced"),
               ("occ-2024-04.zip!june.csv", "occ-2024-04.zip", "superseded")])]),
    case("header_only_new_version_refused_with_the_numbers", "30", [V1, "header_only/occ-2024-04.csv"], "spend",
         "refused", r"would remove 4 rows, £9,059\.00 .*--replaces occ-2024-04\.csv", checks=V1_STAYS),
    case("empty_new_version_refused", "2/30", [V1, "empty/occ-2024-04.csv"], "spend", "refused", r"the file is empty",
         checks=V1_STAYS),
    case("one_row_new_version_refused", "30", [V1, "one_row/occ-2024-04.csv"], "spend", "refused",
         r"would remove 3 rows, £7,859\.00 \(1 rows replace 4\)", checks=V1_STAYS),
    case("new_version_of_pennies_refused_on_the_net", "30", [V1, "pennies/occ-2024-04.csv"], "spend", "refused",
         r"would remove 0 rows, £9,058\.96", checks=V1_STAYS),
    case("one_row_new_version_confirmed", "30", [V1, "one_row/occ-2024-04.csv"], "spend", "replaced", rows=1,
         replaces=["occ-2024-04.csv"], checks=[
             ("SELECT count(*) FROM raw.spend__payments WHERE anchor = 'Oxford City Council'", [(1,)])]),
    case("header_only_replacement_confirmed", "3/30", [V1, "header_only/occ-2024-04.csv"], "spend", "replaced",
         r"no data rows", rows=0, replaces=["occ-2024-04.csv"], checks=[
             ("SELECT count(*) FROM raw.spend__payments WHERE anchor = 'Oxford City Council'", [(0,)])]),
    case("supplementary_file_same_month_is_an_overlap", "29", [V1, "occ-2024-04-supplement.csv"], "spend", "loaded",
         r"OVERLAP: same publisher and month as occ-2024-04\.csv \(2024-04\); both loaded", rows=1,
         checks=V1_STAYS),
    case("correction_under_another_name_declared", "27", [V1, "occ-2024-04-corrected.csv"], "spend", "replaced",
         r"replaces occ-2024-04\.csv", rows=4, replaces=["occ-2024-04.csv"], checks=[
             ("SELECT sum(amount_gbp)::VARCHAR FROM raw.spend__payments WHERE anchor = 'Oxford City Council'",
              [("9159.00",)])]),
    case("declared_replacement_of_a_file_never_loaded", "27", [V1, "occ-2024-04-corrected.csv"], "spend", "refused",
         r"no file named never-loaded\.csv was ever loaded\. Nothing of it was loaded", replaces=["never-loaded.csv"],
         checks=V1_STAYS),
    case("panel_response_reusing_a_programme_response_id", "29",
         ["response_ids_programme.csv", "response_ids_panel.csv"], "wellbeing", "loaded", r"OVERLAP", rows=1,
         quarantine=[(2, "response_id", r"already loaded from response_ids_programme\.csv row 2")],
         checks=[("SELECT survey FROM raw.wellbeing__responses WHERE response_id = 'R-700'", [("programme",)])]),
    # hidden sheets, identical sheets and members, lineage naming the sheet and the member
    case("hidden_draft_sheet_skipped", "31", "hidden_draft.xlsx", "spend", "loaded",
         r"skipped hidden sheet hidden_draft\.xlsx#Draft", rows=4, checks=[
             ("SELECT DISTINCT _source_file FROM raw.spend__payments WHERE _file_sha256 = ?",
              [("hidden_draft.xlsx#Payments",)]),
             ("SELECT count(*) FROM raw.spend__payments WHERE amount_gbp = 99999", [(0,)])]),
    case("very_hidden_draft_sheet_skipped", "31", "very_hidden_draft.xlsx", "spend", "loaded",
         r"skipped very hidden sheet very_hidden_draft\.xlsx#Draft", rows=4),
    case("only_data_sheet_hidden", "31", "only_hidden_data.xlsx", "spend", "refused",
         r"no header row matching .*\(skipped hidden sheet only_hidden_data\.xlsx#Data\)"),
    case("identical_sheets_loaded_once", "31", "identical_sheets.xlsx", "spend", "loaded",
         r"identical_sheets\.xlsx#Payments \(2\) is identical to identical_sheets\.xlsx#Payments: loaded once",
         rows=4),
    case("identical_zip_members_loaded_once", "31", "identical_members.zip", "spend", "loaded",
         r"identical_members\.zip!copy/june\.csv is identical to identical_members\.zip!june\.csv: loaded once",
         rows=4, checks=[("SELECT DISTINCT _source_file FROM raw.spend__payments WHERE _file_sha256 = ?",
                          [("identical_members.zip!june.csv",)])]),
    case("two_members_named_in_lineage_and_overlapping", "29/31", "two_members.zip", "spend", "loaded",
         r"OVERLAP: same publisher and month as two_members\.zip!june\.csv", rows=5, checks=[
             ("SELECT _source_file, count(*) FROM raw.spend__payments WHERE _file_sha256 = ? GROUP BY 1 ORDER BY 1",
              [("two_members.zip!june-extra.csv", 1), ("two_members.zip!june.csv", 4)])]),
    # ambiguous values, implausible dates, referential checks, ambiguous headers
    case("money_with_three_decimals", "32", "money_three_decimals.csv", "spend", "loaded", rows=1,
         quarantine=[(2, "amount_gbp", r"3 decimal places is ambiguous")]),
    case("money_in_exponent_notation", "32", "money_exponent.csv", "spend", "loaded", rows=1,
         quarantine=[(2, "amount_gbp", r"exponent notation")]),
    case("survey_score_exponent_and_decimal_comma", "32", "survey_exponent.csv", "wellbeing", "loaded", rows=2,
         quarantine=[(2, "life_satisfaction", r"exponent notation"), (3, "life_satisfaction", r"not a plain number")],
         checks=[("SELECT response_id, life_satisfaction, worthwhile FROM raw.wellbeing__responses "
                  "WHERE _file_sha256 = ? ORDER BY 1", [("R-501", None, 7), ("R-502", None, 8)])]),
    case("payments_dated_2099_and_1900", "33", "dated_2099_and_1900.csv", "spend", "loaded", rows=1,
         quarantine=[(3, "payment_date", r"too far after the file arrived.*" + WINDOW),
                     (4, "payment_date", r"dated before 2000.*" + WINDOW)]),
    case("payment_dated_days_ahead_is_kept_months_ahead_is_not", "33", "dated_near_future.csv", "spend", "loaded",
         rows=2, quarantine=[(4, "payment_date", WINDOW)]),
    case("outcomes_of_unknown_or_not_yet_enrolled_participants_held", "34", ["participants.csv", "outcomes.csv"],
         "programme", "loaded", rows=1,
         quarantine=[(3, "participant_ref", r"dated before the participant enrolled \(2024-04-10\)"),
                     (4, "participant_ref", r"participant not enrolled")], checks=[(HELD, [(2,)])]),
    case("participants_arriving_after_their_outcomes_release_them", "34", ["outcomes.csv", "participants.csv"],
         "programme", "loaded", rows=2, checks=[
             ("SELECT rows_loaded, rows_quarantined FROM raw.load_audit WHERE source_file = 'outcomes.csv'", [(1, 2)]),
             ("SELECT count(*) FROM raw.programme__outcomes_held", [(2,)]),
             ("SELECT row_number, reason LIKE 'dated before%' FROM raw.quarantine WHERE source_file = 'outcomes.csv' "
              "ORDER BY 1", [(3, True), (4, False)])]),
    case("outcomes_sheet_before_participants_sheet", "34", "outcomes_then_participants.xlsx", "programme", "loaded",
         rows=3, quarantine=[(3, "participant_ref", r"dated before the participant enrolled"),
                             (4, "participant_ref", r"participant not enrolled")]),
    case("amount_column_twice", "35", "duplicate_amount.csv", "spend", "refused",
         r"ambiguous header.*amount_gbp: column 6 'Amount', column 10 'Amount'"),
    case("amount_column_twice_differing_by_case_and_space", "35", "near_duplicate_amount.csv", "spend", "refused",
         r"ambiguous header.*column 10 'amount'"),
    case("amount_and_net_amount_columns", "35", "amount_and_net_amount.csv", "spend", "refused",
         r"ambiguous header.*'Net Amount'"),
    # nothing personal in a message; individual-looking payees withheld
    case("personal_cell_in_every_date_refused_masked", "15/37", "personal_in_every_date.csv", "spend", "refused",
         r"payment_date unusable in all 2 rows \(e\.g\. shape 'Aaaa A Aaaaaaa AA999999A'\)"),
    case("personal_cell_in_an_amount_quarantined_masked", "14/37", "personal_in_amount.csv", "spend", "loaded", rows=1,
         quarantine=[(2, "amount_gbp", r"shape 'Aaaa A Aaaaaaa AA999999A'")],
         checks=[("SELECT raw_value FROM raw.quarantine WHERE file_sha256 = ?", [("Jane Q Citizen QQ123456C",)])]),
    case("individual_looking_payees_withheld", "25/36", "personal_payees.csv", "spend", "loaded", rows=7, checks=[
        (WITHHELD, [(None, True), (None, True), (None, True), (None, True), ("Acme Cleaning Services", False),
                    ("BT REDCARE", False), (None, True)]),
        ("SELECT payees_redacted FROM raw.load_audit WHERE file_sha256 = ?", [(5,)])],
         absent=["jane.citizen", "John Smith", "ANDREW P HOWARD", "Harriet Quist", "Perpetua Gloam", "S-T1", "S-T2"]),
    # odd and hostile files
    case("upper_case_extension", "4", "upper_case.CSV", "spend", "loaded", rows=4),
    case("utf16_le_without_bom", "4", "utf16le_no_bom.csv", "spend", "loaded", rows=4),
    case("utf16_be_without_bom", "4", "utf16be_no_bom.csv", "spend", "loaded", rows=4),
    case("mixed_cr_and_lf_line_ends", "4", "mixed_line_ends.csv", "spend", "loaded", rows=4),
    case("nul_byte_after_the_first_4k", "39", "nul_after_4k.csv", "spend", "refused", r"NUL byte at line 86"),
    case("nul_byte_20mb_in", "39", "late_nul.csv", "spend", "refused", r"NUL byte at line 250002"),
    case("windows_byte_20mb_in", "39", "late_cp1252.csv", "spend", "loaded", rows=BIG_ROWS + 1, checks=[
        ("SELECT count(*), count(DISTINCT _row_number) FROM raw.spend__payments WHERE _file_sha256 = ?",
         [(BIG_ROWS + 1, BIG_ROWS + 1)]),
        ("SELECT supplier_name, _row_number FROM raw.spend__payments WHERE transaction_ref = 'W1'",
         [("Café Late Ltd", 250_002)])]),
    case("ragged_row_20mb_in", "14/39", "late_ragged_row.csv", "spend", "loaded", rows=BIG_ROWS,
         quarantine=[(250_002, "(row)", r"more filled cell")], checks=[
             ("SELECT count(DISTINCT _row_number), max(_row_number) FROM raw.spend__payments WHERE _file_sha256 = ?",
              [(BIG_ROWS, BIG_ROWS + 2)])]),
    case("quoted_field_over_250k_lines", "19/38", "long_multiline_field.csv", "spend", "refused",
         r"longer than 1,000,000 characters|field larger than field limit"),
    case("password_protected_workbook", "38", "encrypted.xlsx", "spend", "refused", r"password-protected"),
    case("old_binary_excel_named_xlsx", "38", "old_binary.xlsx", "spend", "refused", r"old binary Excel"),
    case("zip_bomb", "38", "zip_bomb.zip", "spend", "refused", r"would expand [\d,]+ times .*ZIP bomb"),
    case("zip_declaring_3_gib", "38", "zip_declares_3gib.zip", "spend", "refused", r"would expand to 3,072 MiB"),
    case("zip_member_larger_than_declared", "38", "zip_declares_too_little.zip", "spend", "refused",
         r"cannot be read|declares"),
    case("zip_encrypted_member", "38", "zip_encrypted_member.zip", "spend", "refused", r"encrypted"),
    case("time_bound_per_file", "42", "upper_case.CSV", "spend", "refused", r"took longer than 0 s",
         rules=IngestRules(max_seconds_per_file=0.0)),
]
CASES += STEWARD_CASES
STEWARD = [p.values[0] for p in STEWARD_CASES]


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _materialise(name: str, tmp_path: Path) -> Path:
    if name in BUILDERS:
        path = tmp_path / "inputs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        BUILDERS[name](path)
        return path
    return CORPUS / name


def _sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def _tables(con) -> list[tuple[str, str | None]]:
    """Every raw table with its file-hash column (None if it has none). Not the warehouse's key check
    (ingest/pseudonym_key.py), recorded by the first file of people: it holds no file's rows."""
    out = []
    for (table,) in con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw' "
                                "AND table_name <> 'pseudonym_key' ORDER BY 1").fetchall():
        columns = {c for (c,) in con.execute("SELECT column_name FROM information_schema.columns "
                                             "WHERE table_schema = 'raw' AND table_name = ?", [table]).fetchall()}
        out.append((table, next((c for c in ("_file_sha256", "file_sha256") if c in columns), None)))
    return out


def snapshot(con, exclude: set[str] = frozenset()) -> dict[str, list[str]]:
    """A sorted dump of every raw table, leaving out rows of the files in `exclude`."""
    dump = {}
    for table, sha_column in _tables(con):
        sql, params = f'SELECT * FROM raw."{table}"', []
        if sha_column and exclude:
            sql += f' WHERE "{sha_column}" IS NULL OR NOT list_contains(?, "{sha_column}")'
            params = [sorted(exclude)]
        dump[table] = sorted(repr(row) for row in con.execute(sql, params).fetchall())
    return dump


def rows_of_file(con, sha: str) -> dict[str, int]:
    counts = {}
    for table, sha_column in _tables(con):
        if sha_column:
            n = con.execute(f'SELECT count(*) FROM raw."{table}" WHERE "{sha_column}" = ?', [sha]).fetchone()[0]
            if n:
                counts[table] = n
    return counts


def everything_stored(con) -> str:
    return "\n".join(repr(row) for table, _ in _tables(con)
                     for row in con.execute(f'SELECT * FROM raw."{table}"').fetchall())


def load_baseline(con, tmp_path) -> dict[str, list[str]]:
    for name, feed in BASELINE:
        [report] = load_files(con, [CORPUS / name], feed=feed, key=KEY, lookup=LOOKUP)
        assert report.status == "loaded", (name, report)
    counts = {t: con.execute(f"SELECT count(*) FROM raw.{t}").fetchone()[0] for t in BASELINE_COUNTS}
    assert counts == BASELINE_COUNTS
    return snapshot(con)


def _matches(pattern: str | None, text: str | None) -> bool:
    return pattern is None or re.search(pattern, text or "", re.IGNORECASE | re.DOTALL) is not None


# ---------------------------------------------------------------------------------------------
# The corpus test
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("c", CASES)
def test_corpus_case(c: Case, tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    baseline = load_baseline(con, tmp_path)
    paths = [_materialise(name, tmp_path) for name in c.files]
    shas = {_sha(p) for p in paths}

    *setup, under_test = paths
    for path in setup:
        [report] = load_files(con, [path], feed=c.feed, key=KEY, lookup=LOOKUP)
        assert report.status in LOADED, f"set-up file {path.name}: {report}"
    before = snapshot(con)
    [report] = load_files(con, [under_test], feed=c.feed, key=KEY, lookup=LOOKUP, rules=c.rules,
                          replaces={under_test.name: c.replaces} if c.replaces else None)
    after = snapshot(con)
    sha = _sha(under_test)

    # Every check runs and every problem is listed, so a failure shows all that is wrong with the case.
    problems: list[str] = []

    def expect(ok: bool, problem: str) -> None:
        if not ok:
            problems.append(problem)

    # The outcome.
    expect(report.status == c.status, f"status {report.status!r}, expected {c.status!r} ({report.message!r})")
    expect(_matches(c.message, report.message), f"message {report.message!r} does not match {c.message!r}")

    # Nothing loaded before changed: every raw table minus this case's files equals the baseline.
    expect(snapshot(con, exclude=shas) == baseline, "rows loaded before this file changed")

    audit = con.execute("SELECT status, message, rows_loaded FROM raw.load_audit WHERE file_sha256 = ?",
                        [sha]).fetchall()
    stored = {t: n for t, n in rows_of_file(con, sha).items()
              if t not in ("load_audit", "quarantine", "programme__outcomes_held")}
    if c.status == "duplicate":
        expect(after == before, "a duplicate wrote something (it must not, not even an audit row)")
    elif c.status == "refused":
        expect(not stored and not rows_of_file(con, sha).get("quarantine"),
               f"a refused file left rows behind: {rows_of_file(con, sha)}")
        expect({k: v for k, v in after.items() if k != "load_audit"} ==
               {k: v for k, v in before.items() if k != "load_audit"}, "a refused file changed a raw table")
        expect([s for s, _, _ in audit] == ["refused"], f"load_audit for the file: {audit} (expected one 'refused')")
        expect(any(_matches(c.message, m) for _, m, _ in audit), "no audit message matches")
    else:
        expect(report.rows_loaded == c.rows_loaded, f"report.rows_loaded {report.rows_loaded} != {c.rows_loaded}")
        expect(sum(stored.values()) == c.rows_loaded, f"rows stored {stored}, expected {c.rows_loaded}")
        expect(bool(audit) and {s for s, _, _ in audit} <= set(LOADED), f"load_audit for the file: {audit}")
        expect(sum(n or 0 for _, _, n in audit) == c.rows_loaded, f"audit rows_loaded {audit}")
        if c.status == "replaced":
            expect("replaced" in {s for s, _, _ in audit}, f"audit does not say replaced: {audit}")
        expect(not c.message or any(_matches(c.message, m) for _, m, _ in audit), f"audit messages {audit}")

    # Quarantine: exactly the expected (row, column), each with a matching reason.
    quarantined = con.execute("SELECT row_number, column_name, reason FROM raw.quarantine "
                              "WHERE file_sha256 = ? ORDER BY row_number, column_name", [sha]).fetchall()
    wanted = sorted(c.quarantine)
    if [(r, col) for r, col, _ in quarantined] != [(r, col) for r, col, _ in wanted]:
        problems.append(f"quarantine {quarantined}, expected {wanted}")
    else:
        for (_, _, pattern), (row, column, reason) in zip(wanted, quarantined, strict=True):
            expect(_matches(pattern, reason), f"row {row} {column}: reason {reason!r} does not match {pattern!r}")

    for sql, expected in c.checks:
        try:
            got = con.execute(sql, [sha] if "?" in sql else []).fetchall()
        except duckdb.Error as exc:
            got = f"error: {exc}"
        expect(got == expected, f"{sql}\n      got {got}\n expected {expected}")

    dump = everything_stored(con)
    for text in c.absent:
        expect(text not in dump, f"{text!r} is stored in a raw table")

    # No message that can leave the warehouse quotes a personal value (issue 12, class 6).
    messages = [report.message, *(m or "" for _, m, _ in audit),
                *(r for (r,) in con.execute("SELECT reason FROM raw.quarantine").fetchall())]
    for value in PERSONAL:
        expect(not any(value.lower() in m.lower() for m in messages), f"a message quotes {value!r}")

    assert not problems, "\n  - " + "\n  - ".join(problems)


# ---------------------------------------------------------------------------------------------
# Special cases
# ---------------------------------------------------------------------------------------------


def test_corpus_covers_the_policy():
    """At least 28 inputs, at least 25 distinct classes, and every numbered policy row is exercised."""
    cases = [p.values[0] for p in CASES]
    assert len(cases) >= 28 and len({c.id for c in cases}) == len(cases)
    covered = {int(n) for c in cases for n in c.policy.split("/")}
    # 40 (links and other non-regular entries) and 41 (refusals recorded, dead loads) need more than
    # one file in one call: test_non_regular_entries_are_refused_unread, test_a_load_that_died_*.
    assert covered == set(range(1, 43)) - {40, 41}
    assert len([c for c in cases if int(c.policy.split("/")[0]) >= 29 or c in STEWARD]) >= 40


def test_whole_corpus_in_one_batch(tmp_path):
    """Every input in one call into one database: one bad file never stops or undoes the others,
    and the baseline survives all of them."""
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    baseline = load_baseline(con, tmp_path)
    names = list(dict.fromkeys(n for p in CASES for n in p.values[0].files))
    paths = [_materialise(n, tmp_path) for n in names]
    reports = load_files(con, paths, key=KEY, lookup=LOOKUP)
    assert len(reports) == len(paths)
    assert {r.status for r in reports} <= {"loaded", "replaced", "duplicate", "refused"}
    assert snapshot(con, exclude={_sha(p) for p in paths}) == baseline


def test_hostile_file_name_is_stored_verbatim(tmp_path):
    """A file name is data too: quotes and semicolons in it are stored as written (policy row 20)."""
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    baseline = load_baseline(con, tmp_path)
    name = "o'brien'); DROP TABLE raw.load_audit;--.csv"
    path = tmp_path / name
    shutil.copy(CORPUS / "good_payments.csv", path)
    [report] = load_files(con, [path], feed="spend", key=KEY, lookup=LOOKUP)
    assert report.status == "loaded" and report.rows_loaded == 2
    assert con.execute("SELECT DISTINCT _source_file FROM raw.spend__payments WHERE _file_sha256 = ?",
                       [_sha(path)]).fetchall() == [(name,)]
    assert snapshot(con, exclude={_sha(path)}) == baseline


def test_refused_file_offered_again_is_refused_again(tmp_path):
    """Row 1 says 'same bytes as a file already LOADED': a refused file was never loaded, so it is not
    a duplicate; row 41: it is refused again from the record, with its reason, without being read."""
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load_baseline(con, tmp_path)
    path = CORPUS / "us_dates.csv"
    first, second = (load_files(con, [path], feed="spend", key=KEY, lookup=LOOKUP)[0] for _ in range(2))
    assert (first.status, second.status) == ("refused", "refused")
    assert re.search(REFUSED_NO_DATE, second.message, re.IGNORECASE)


def test_duplicate_of_a_replaced_version_is_a_no_op(tmp_path):
    """v1, v2 (replaces v1), then v2 again: the third is a duplicate and v2's rows stay."""
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load_baseline(con, tmp_path)
    v1, v2 = CORPUS / "corrected_payments_v1.csv", CORPUS / "corrected_payments_v2.csv"
    reports = load_files(con, [v1, v2, v2], feed="spend", key=KEY, lookup=LOOKUP,
                         replaces={v2.name: [v1.name]})
    assert [r.status for r in reports] == ["loaded", "replaced", "duplicate"]
    assert con.execute("SELECT count(*), sum(amount_gbp)::VARCHAR FROM raw.spend__payments "
                       "WHERE anchor = 'Oxford City Council'").fetchone() == (3, "2550.00")
