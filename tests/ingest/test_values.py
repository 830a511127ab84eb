"""The vectorised cell parsers: every contract type, on the spellings real files use."""

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest

from ingest.columns import month_first_evidence, normalised_postcode, outward_code, parse
from ingest.contracts import Column


def _parse(kind: str, cells: list, from_excel: bool = False, **spec) -> list[tuple]:
    value, reason = parse(pl.col("raw"), Column("x", kind, **spec), from_excel)
    return pl.DataFrame({"raw": cells}, schema={"raw": pl.String}).select(value.alias("v"), reason.alias("r")).rows()


@pytest.mark.parametrize("text, expected", [
    ("£1,234.56", "1234.56"), (" 990.00 ", "990.00"), ("(1,234.56)", "-1234.56"), ("-0.01", "-0.01"),
    ("-£250.00", "-250.00"), ("£-250.00", "-250.00"), ("250.00-", "-250.00"), ("1500", "1500.00"),
    ("1,000,000", "1000000.00"), (".5", "0.50"), ("12.3", "12.30"),
])
def test_money_strings_real_files_use(text, expected):
    [(value, reason)] = _parse("money", [text])
    assert (value, reason) == (Decimal(expected), None)


@pytest.mark.parametrize("text", ["£12,34O.00", "12,34.00", "1.2.3", "£", "abc", "(5"])
def test_bad_money_is_refused_with_a_reason(text):
    [(value, reason)] = _parse("money", [text])
    assert value is None and reason.startswith("not an amount of money")


@pytest.mark.parametrize("text, reason", [
    ("12.345", "money with 3 decimal places is ambiguous"), ("0.005", "money with 3 decimal places is ambiguous"),
    ("1234.5650", "money with 4 decimal places"), ("1e3", "exponent notation"), ("£1.5E+3", "exponent notation"),
])
def test_ambiguous_money_is_quarantined_not_rounded(text, reason):
    [(value, why)] = _parse("money", [text])
    assert value is None and why.startswith(reason)
    assert text.strip("£") not in why  # the reason shows a masked shape, never the value


@pytest.mark.parametrize("text, reason", [
    ("1e1", "exponent notation"), ("2E0", "exponent notation"), ("1,5", "not a plain number"),
    ("1.234,5", "not a plain number"), ("inf", "not a plain number"), ("0x10", "not a plain number"),
])
def test_ambiguous_numbers_are_quarantined(text, reason):
    for kind in ("int", "decimal"):
        [(value, why)] = _parse(kind, [text])
        assert value is None and why.startswith(reason), (kind, text, why)


def test_numbers_real_files_use():
    assert _parse("decimal", ["1,234.5", "-3", "£12", "37.5"]) == [
        (1234.5, None), (-3.0, None), (12.0, None), (37.5, None)]
    assert _parse("int", ["7", "10.0"]) == [(7, None), (10, None)]


def test_reasons_never_quote_the_cell():
    """A mis-aligned row can put a name or an NI number in any column: every reason masks it."""
    cell = "Jane Q Citizen QQ123456C"
    for kind, spec in (("money", {}), ("date", {}), ("int", {}), ("decimal", {}), ("bool", {}),
                       ("enum", {"allowed": ("a",)}), ("list", {"allowed": ("a",)})):
        [(value, why)] = _parse(kind, [cell], **spec)
        assert value is None and "Jane" not in why and "QQ123456C" not in why, (kind, why)
        assert "Aaaa A Aaaaaaa AA999999A" in why, (kind, why)


def test_null_tokens_are_empty_not_errors():
    cells = ["", "NA", "na", "N/A", " ", "null", None]
    for kind in ("money", "text", "date", "int", "bool"):
        assert _parse(kind, cells) == [(None, None)] * len(cells)


@pytest.mark.parametrize("text, expected", [
    ("31/03/2025", dt.date(2025, 3, 31)), ("1/4/2024", dt.date(2024, 4, 1)),
    ("2024-04-01", dt.date(2024, 4, 1)), ("2024-04-01T10:30:00Z", dt.date(2024, 4, 1)),
    ("01-JUN-2012", dt.date(2012, 6, 1)), ("09/01/2018 00:00", dt.date(2018, 1, 9)),
])
def test_dates(text, expected):
    assert _parse("date", [text]) == [(expected, None)]


def test_excel_serial_only_from_workbooks():
    assert _parse("date", ["45383"], from_excel=True) == [(dt.date(2024, 4, 1), None)]
    assert _parse("date", ["45383"])[0][1].startswith("not a date in a known format")


@pytest.mark.parametrize("text, reason", [
    ("31/02/2024", "not a real calendar date"), ("00:00:00", "not a date in a known format"),
    ("1/4/24", "not a date in a known format"), ("2024-13-01", "not a real calendar date"),
    ("#REF!", "spreadsheet formula error"),
])
def test_a_row_is_never_dated_by_guess(text, reason):
    [(value, why)] = _parse("date", [text])
    assert value is None and why.startswith(reason)


def test_month_first_evidence():
    us, uk = month_first_evidence(pl.col("raw"))
    frame = pl.DataFrame({"raw": ["03/25/2024", "25/03/2024", "01/02/2024"]})
    rows = frame.select(us.alias("us"), uk.alias("uk")).rows()
    assert rows == [(True, False), (False, True), (False, False)]


def test_enums_lists_booleans_and_ranges():
    assert _parse("enum", ["In Progress", "18-24"], allowed=("in_progress", "18-24")) == [
        ("in_progress", None), ("18-24", None)]
    [(value, reason)] = _parse("enum", ["world peace"], allowed=("local_spend",))
    assert value is None and "not one of the allowed values" in reason and "world" not in reason
    assert _parse("list", ["Care leaver; Refugee"], allowed=("care_leaver", "refugee")) == [
        ("care_leaver;refugee", None)]
    assert _parse("list", ["alien"], allowed=("refugee",))[0][1].startswith("1 unknown item(s)")
    assert _parse("bool", ["Y", "no", "maybe"])[:2] == [(True, None), (False, None)]
    assert _parse("bool", ["maybe"])[0][1].startswith("not yes/no")
    assert _parse("int", ["7", "7.5", "11"], min=0, max=10) == [
        (7, None), (None, "not a whole number (shape '9.9')"), (None, "above the maximum 10 (shape '99')")]


def test_huge_text_and_formula_errors():
    [(value, reason)] = _parse("text", ["x" * 20_000])
    assert value is None and "longer than the 10,000 allowed" in reason
    assert _parse("money", ["#DIV/0!"]) == [(None, "spreadsheet formula error #DIV/0!")]


def test_postcodes():
    frame = pl.DataFrame({"p": ["ox46ab", "OX4 6AB", "M1 1AE", "OX4", "junk"]})
    assert frame.select(normalised_postcode(pl.col("p"))).to_series().to_list() == [
        "OX4 6AB", "OX4 6AB", "M1 1AE", None, None]
    assert frame.select(outward_code(pl.col("p"))).to_series().to_list() == ["OX4", "OX4", "M1", "OX4", None]


CHEAP_CASES = {
    "money": ["£1,234.56", "990.00", "(1,234.56)", "(£1,234.56)", "(-£5.00)", "£(5.00)", "(£5.00", "5.00)",
              "(1£00)", "1£00", "-£250.00", "£-250.00", "-0.00", "(0.00)", "12.345", "1,23", "()", "(£)", "£",
              "(12)", "1,000,000", "-", "N/A"],
    "date": ["03/04/2024", "2024-04-03", "31/02/2024", "3/4/2024", "03/04/24", "2024-04-03T10:00", "1899-12-31"],
    "int": ["3", "-3", "3.0", "3.5", "1e3", "1,000"],
    "decimal": ["3.25", "-0.5", "1e3", "inf", "1,000.5"],
    "bool": ["Yes", "n", "TRUE", "maybe"],
    "text": ["Acme Ltd", "#REF!", "=HYPERLINK(x)", "'; DROP TABLE x"],
}


@pytest.mark.parametrize("kind", sorted(CHEAP_CASES))
def test_the_cheap_parse_only_keeps_values_the_full_parse_agrees_with(kind):
    """conform.py trusts parsers.fast for every cell it does not flag: such a cell must get the same
    value from the full parse, and no reason."""
    from ingest.columns import fast

    column = Column("x", kind)
    value, unusual = fast(pl.col("raw"), column)
    full_value, reason = parse(pl.col("raw"), column)
    frame = pl.DataFrame({"raw": CHEAP_CASES[kind]}, schema={"raw": pl.String}).select(
        "raw", value.alias("cheap"), unusual.alias("unusual"), full_value.alias("full"), reason.alias("reason"))
    trusted = frame.filter(~pl.col("unusual"))
    assert trusted.filter((pl.col("cheap").ne_missing(pl.col("full"))) | pl.col("reason").is_not_null()).rows() == []
    if kind == "money":
        assert "(£1,234.56)" in trusted["raw"].to_list() and "(-£5.00)" not in trusted["raw"].to_list()
