"""Cell parsers: each turns one text cell into a typed value or says, in words, why it cannot.

A parser returns the value (None for an empty cell) or raises BadValue with the reason that goes
to quarantine.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

NULL_TOKENS = {"", "na", "n/a", "n.a.", "null", "none", "nan", "-", "--", "#n/a"}
EXCEL_ERRORS = {"#div/0!", "#value!", "#ref!", "#name?", "#num!", "#null!", "#n/a", "#spill!"}
MAX_TEXT = 10_000
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}


class BadValue(ValueError):
    """A cell that breaks the contract; the message is the quarantine reason."""


def is_null(text: str) -> bool:
    return text.strip().lower() in NULL_TOKENS


def _guard(text: str) -> str:
    value = text.strip()
    if value.lower() in EXCEL_ERRORS:
        raise BadValue(f"spreadsheet formula error {value}")
    return value


def parse_text(text: str) -> str | None:
    value = _guard(text)
    if value.lower() in NULL_TOKENS:
        return None
    if len(value) > MAX_TEXT:
        raise BadValue(f"text of {len(value):,} characters is longer than the {MAX_TEXT:,} allowed")
    return value


_MONEY = re.compile(r"^(?P<sign>[-+]?)\s*£?\s*(?P<sign2>[-+]?)\s*(?P<num>\d[\d,]*(\.\d+)?|\.\d+)$")


def parse_money(text: str) -> Decimal | None:
    """£1,234.56, ' 990.00 ', (1,234.56), -£250.00, £-0.01, 1234.5 -> Decimal rounded to pence."""
    value = _guard(text).replace("\u00a0", " ").replace("GBP", "").strip()
    if value.lower() in NULL_TOKENS:
        return None
    negative = False
    if value.startswith("(") and value.endswith(")"):
        negative, value = True, value[1:-1].strip()
    if value.endswith("-"):  # trailing minus from some finance systems: 250.00-
        negative, value = True, value[:-1].strip()
    match = _MONEY.match(value)
    if not match or "," in (match.group("num").split(".")[1] if "." in match.group("num") else ""):
        raise BadValue(f"not an amount of money: {text.strip()!r}")
    number = match.group("num")
    if "," in number and not re.fullmatch(r"\d{1,3}(,\d{3})*(\.\d+)?", number):
        raise BadValue(f"misplaced thousands separator in amount {text.strip()!r}")
    try:
        amount = Decimal(number.replace(",", ""))
    except InvalidOperation as exc:
        raise BadValue(f"not an amount of money: {text.strip()!r}") from exc
    if "-" in (match.group("sign") + match.group("sign2")):
        negative = not negative
    amount = -amount if negative else amount
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def parse_decimal(text: str) -> float | None:
    value = _guard(text).replace(",", "")
    if value.lower() in NULL_TOKENS:
        return None
    try:
        number = float(value.removeprefix("£"))
    except ValueError as exc:
        raise BadValue(f"not a number: {text.strip()!r}") from exc
    if number != number or number in (float("inf"), float("-inf")):
        raise BadValue(f"not a finite number: {text.strip()!r}")
    return number


def parse_int(text: str) -> int | None:
    number = parse_decimal(text)
    if number is None:
        return None
    if not float(number).is_integer():
        raise BadValue(f"not a whole number: {text.strip()!r}")
    return int(number)


def parse_date(text: str, from_excel: bool = False) -> dt.date | None:
    """dd/mm/yyyy (UK order), ISO dates and datetimes, dd-Mon-yyyy, and Excel serials in workbooks.

    Two-digit years and times without a date are refused: a row is never dated by guess.
    """
    value = _guard(text)
    if value.lower() in NULL_TOKENS:
        return None
    try:
        if m := re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?:\s+\d{1,2}:\d{2}(:\d{2})?)?", value):
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
        if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?", value):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := re.fullmatch(r"(\d{1,2})[- ]([A-Za-z]{3})[A-Za-z]*[- ](\d{4})", value):
            month = _MONTHS.get(m[2].lower())
            if month:
                return dt.date(int(m[3]), month, int(m[1]))
        if from_excel and re.fullmatch(r"\d{5}(\.0+)?", value):
            serial = int(float(value))
            if 20_000 <= serial <= 80_000:  # 1954..2119: anything else is not a date
                return _EXCEL_EPOCH + dt.timedelta(days=serial)
    except ValueError as exc:
        raise BadValue(f"not a real calendar date: {value!r}") from exc
    raise BadValue(f"not a date in a known format (dd/mm/yyyy or yyyy-mm-dd): {value!r}")


_TRUE = {"y", "yes", "true", "t", "1", "1.0"}
_FALSE = {"n", "no", "false", "f", "0", "0.0"}


def parse_bool(text: str) -> bool | None:
    value = _guard(text).lower()
    if value in NULL_TOKENS:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise BadValue(f"not yes/no: {text.strip()!r}")


def canonical_code(text: str) -> str:
    """'In Progress' -> 'in_progress', 'Non-binary' -> 'non_binary'; keeps '18-24' and '65+'."""
    value = text.strip().lower()
    if re.fullmatch(r"[\d\s+-]+", value):
        return value.replace(" ", "")
    return re.sub(r"[^0-9a-z+]+", "_", value).strip("_")


def parse_enum(text: str, allowed: tuple[str, ...]) -> str | None:
    value = _guard(text)
    if value.lower() in NULL_TOKENS:
        return None
    code = canonical_code(value)
    if code in allowed:
        return code
    shown = ", ".join(allowed[:10]) + (" ..." if len(allowed) > 10 else "")
    raise BadValue(f"{value[:80]!r} is not one of the allowed values ({shown})")


def parse_list(text: str, allowed: tuple[str, ...]) -> str | None:
    value = _guard(text)
    if value.lower() in NULL_TOKENS:
        return None
    items = [canonical_code(v) for v in re.split(r"[;,|]", value) if v.strip()]
    unknown = [i for i in items if allowed and i not in allowed]
    if unknown:
        raise BadValue(f"unknown item(s) {', '.join(unknown)} (allowed: {', '.join(allowed)})")
    return ";".join(dict.fromkeys(items)) or None


def normalise_postcode(text: str) -> str | None:
    compact = re.sub(r"\s+", "", text or "").upper()
    if not re.fullmatch(r"[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}", compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"


def outward_code(text: str) -> str | None:
    postcode = normalise_postcode(text)
    if postcode:
        return postcode.split(" ")[0]
    compact = re.sub(r"\s+", "", text or "").upper()
    return compact if re.fullmatch(r"[A-Z]{1,2}\d[A-Z\d]?", compact) else None
