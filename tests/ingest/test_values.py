import datetime as dt
from decimal import Decimal

import pytest

from ingest.values import BadValue, parse_bool, parse_date, parse_enum, parse_list, parse_money, parse_text


@pytest.mark.parametrize("text, expected", [
    ("£1,234.56", "1234.56"), (" 990.00 ", "990.00"), ("(1,234.56)", "-1234.56"), ("-0.01", "-0.01"),
    ("-£250.00", "-250.00"), ("£-250.00", "-250.00"), ("250.00-", "-250.00"), ("1500", "1500.00"),
    ("1,000,000", "1000000.00"), ("0.005", "0.01"),
])
def test_money_strings_real_files_use(text, expected):
    assert parse_money(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["£12,34O.00", "12,34.00", "1.2.3", "£", "abc", "#VALUE!"])
def test_bad_money_is_refused_with_a_reason(text):
    with pytest.raises(BadValue):
        parse_money(text)


@pytest.mark.parametrize("text", ["", "NA", "na", "N/A", " ", "null"])
def test_null_tokens(text):
    assert parse_money(text) is None and parse_text(text) is None and parse_date(text) is None


@pytest.mark.parametrize("text, expected", [
    ("31/03/2025", dt.date(2025, 3, 31)), ("1/4/2024", dt.date(2024, 4, 1)),
    ("2024-04-01", dt.date(2024, 4, 1)), ("2024-04-01T10:30:00Z", dt.date(2024, 4, 1)),
    ("01-JUN-2012", dt.date(2012, 6, 1)), ("09/01/2018 00:00", dt.date(2018, 1, 9)),
])
def test_dates(text, expected):
    assert parse_date(text) == expected


def test_excel_serial_only_from_workbooks():
    assert parse_date("45383", from_excel=True) == dt.date(2024, 4, 1)
    with pytest.raises(BadValue):
        parse_date("45383")


@pytest.mark.parametrize("text", ["31/02/2024", "00:00:00", "1/4/24", "2024-13-01", "#REF!"])
def test_a_row_is_never_dated_by_guess(text):
    with pytest.raises(BadValue):
        parse_date(text)


def test_enums_lists_and_booleans():
    assert parse_enum("In Progress", ("pledged", "in_progress")) == "in_progress"
    assert parse_enum("18-24", ("18-24",)) == "18-24"
    with pytest.raises(BadValue, match="not one of the allowed"):
        parse_enum("world peace", ("local_spend",))
    assert parse_list("Care leaver; Refugee", ("care_leaver", "refugee")) == "care_leaver;refugee"
    assert parse_bool("Y") is True and parse_bool("no") is False
    with pytest.raises(BadValue):
        parse_bool("maybe")


def test_huge_text_is_refused():
    with pytest.raises(BadValue, match="longer than"):
        parse_text("x" * 20_000)
