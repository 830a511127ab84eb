"""Column parsers as Polars expressions: each contract type turns a column of text cells into typed
values plus a column of reasons (null where the cell is fine or empty). Vectorised, so a five-million
row file costs a few column operations, not millions of Python calls.
"""

from __future__ import annotations

import polars as pl

from ingest.contracts import Column

NULL_TOKENS = ["", "na", "n/a", "n.a.", "null", "none", "nan", "-", "--", "#n/a"]
EXCEL_ERRORS = ["#div/0!", "#value!", "#ref!", "#name?", "#num!", "#null!", "#spill!", "#calc!"]
MAX_TEXT = 10_000
TRUE = ["y", "yes", "true", "t", "1", "1.0"]
FALSE = ["n", "no", "false", "f", "0", "0.0"]
MONTHS = {m: f"{i:02d}" for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_MONEY = r"^\(?\s*[-+]?\s*£?\s*[-+]?\s*(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?\s*\)?\s*-?$"
_DMY = r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$"
_ISO = r"^(\d{4}-\d{2}-\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$"
_MON = r"^(\d{1,2})[- ]([A-Za-z]{3})[A-Za-z]*[- ](\d{4})$"


def cleaned(raw: pl.Expr) -> pl.Expr:
    return raw.str.strip_chars(" \t\r\n\u00a0")


def is_empty(text: pl.Expr) -> pl.Expr:
    return text.is_null() | text.str.to_lowercase().is_in(NULL_TOKENS)


def shape(text: pl.Expr) -> pl.Expr:
    """A cell's masked shape for messages: 'Jane Q Citizen QQ123456C' -> 'Aaaa A Aaaaaaa AA999999A'.
    Reasons (and so `impact status`, alerts, the load audit) never carry the value itself; the
    quarantine's raw_value keeps it for the steward, and is never published."""
    masked = (text.str.slice(0, 40).str.replace_all(r"\p{Lu}", "A").str.replace_all(r"\p{Ll}|\p{Lo}|\p{Lt}", "a")
              .str.replace_all(r"\p{N}", "9"))
    more = pl.when(text.str.len_chars() > 40).then(
        pl.concat_str(pl.lit("... ("), text.str.len_chars().cast(pl.String), pl.lit(" characters)"))
    ).otherwise(pl.lit(""))
    return pl.concat_str(pl.lit("'"), masked, pl.lit("'"), more)




def _reason(condition: pl.Expr, *parts: pl.Expr | str) -> pl.Expr:
    pieces = [p if isinstance(p, pl.Expr) else pl.lit(p) for p in parts]
    return pl.when(condition).then(pl.concat_str(pieces)).otherwise(None)


def parse(raw: pl.Expr, column: Column, from_excel: bool = False) -> tuple[pl.Expr, pl.Expr]:
    """(typed value, reason) for one column; both null for an empty cell."""
    text = cleaned(raw)
    empty = is_empty(text)
    value, reason = _PARSERS[column.type](text, column, from_excel)
    if column.type in ("money", "decimal", "int"):
        if column.min is not None:
            reason = pl.coalesce(reason, _reason(value < column.min, f"below the minimum {column.min:g} (shape ",
                                                 shape(text), ")"))
        if column.max is not None:
            reason = pl.coalesce(reason, _reason(value > column.max, f"above the maximum {column.max:g} (shape ",
                                                 shape(text), ")"))
    excel_error = text.str.to_lowercase().is_in(EXCEL_ERRORS)
    reason = pl.when(empty).then(None).when(excel_error).then(
        pl.concat_str(pl.lit("spreadsheet formula error "), text)).otherwise(reason)
    value = pl.when(empty | reason.is_not_null()).then(None).otherwise(value)
    return value, reason


def _text(text: pl.Expr, column: Column, from_excel: bool):
    too_long = text.str.len_chars() > MAX_TEXT
    return text, _reason(too_long, "text of ", text.str.len_chars().cast(pl.String),
                         f" characters is longer than the {MAX_TEXT:,} allowed")


def _money(text: pl.Expr, column: Column, from_excel: bool):
    """£1,234.56, ' 990.00 ', (1,234.56), -£250.00, £-0.01, 250.00- -> Decimal pounds, half-up pence."""
    body = text.str.replace("GBP", "").str.strip_chars()
    ok = (body.str.contains(_MONEY) & body.str.contains(r"\d")
          & (body.str.starts_with("(") == body.str.ends_with(")")))
    signs = body.str.count_matches("-") + body.str.starts_with("(").cast(pl.UInt32)
    digits = body.str.replace_all(r"[^\d.]", "")
    whole = digits.str.extract(r"^(\d*)", 1).cast(pl.Int64, strict=False).fill_null(0)
    fraction = pl.concat_str(digits.str.extract(r"\.(\d*)$", 1).fill_null(""), pl.lit("000"))
    pence = (whole * 100 + fraction.str.slice(0, 2).cast(pl.Int64, strict=False)
             + (fraction.str.slice(2, 1).cast(pl.Int64, strict=False) >= 5).cast(pl.Int64))
    pence = pl.when(signs % 2 == 1).then(-pence).otherwise(pence)
    pounds = pl.concat_str(
        pl.when(pence < 0).then(pl.lit("-")).otherwise(pl.lit("")),
        (pence.abs() // 100).cast(pl.String), pl.lit("."),
        (pence.abs() % 100).cast(pl.String).str.zfill(2),
    ).cast(pl.Decimal(18, 2))
    decimals = body.str.extract(r"\.(\d*)", 1).str.len_chars().fill_null(0)
    reason = (pl.when(body.str.contains(r"(?i)\d\s*e\s*[-+]?\d")).then(pl.concat_str(
        pl.lit("exponent notation is ambiguous for money (shape "), shape(text), pl.lit(")")))
        .when(~ok).then(pl.concat_str(pl.lit("not an amount of money (shape "), shape(text), pl.lit(")")))
        .when(decimals > 2).then(pl.concat_str(
            pl.lit("money with "), decimals.cast(pl.String),
            pl.lit(" decimal places is ambiguous (sub-penny, or a thousands separator?) (shape "), shape(text),
            pl.lit(")")))
        .otherwise(None))
    return pounds, reason


_PLAIN_NUMBER = r"^[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?$"


def _decimal(text: pl.Expr, column: Column, from_excel: bool):
    """1234.5, 1,234.5, -3, £12: yes. 1e1 (exponent), 1,5 (decimal comma?), 1.234,5, inf: quarantined."""
    body = text.str.strip_prefix("£")
    plain = body.str.contains(_PLAIN_NUMBER) & body.str.contains(r"\d")
    number = pl.when(plain).then(body.str.replace_all(",", "").cast(pl.Float64, strict=False)).otherwise(None)
    reason = (pl.when(body.str.contains(r"(?i)^[-+]?[\d.,]*\d\s*e\s*[-+]?\d+$")).then(pl.concat_str(
        pl.lit("exponent notation is ambiguous (shape "), shape(text), pl.lit(")")))
        .when(number.is_null() | ~number.is_finite()).then(pl.concat_str(
            pl.lit("not a plain number (shape "), shape(text), pl.lit(")")))
        .otherwise(None))
    return number, reason


def _int(text: pl.Expr, column: Column, from_excel: bool):
    number, reason = _decimal(text, column, from_excel)
    fractional = number.is_not_null() & (number != number.round(0))
    reason = pl.coalesce(reason, _reason(fractional, "not a whole number (shape ", shape(text), ")"))
    return number.cast(pl.Int64, strict=False), reason


def _date(text: pl.Expr, column: Column, from_excel: bool):
    """dd/mm/yyyy (UK order), ISO dates and datetimes, dd-Mon-yyyy, Excel serials in workbooks.
    Two-digit years and times without a date are refused: a row is never dated by guess."""
    dmy = text.str.extract_groups(_DMY)
    mon = text.str.extract_groups(_MON)
    iso = text.str.extract(_ISO, 1)
    from_dmy = pl.concat_str(dmy.struct[2], pl.lit("-"), dmy.struct[1].str.zfill(2), pl.lit("-"),
                             dmy.struct[0].str.zfill(2))
    from_mon = pl.concat_str(mon.struct[2], pl.lit("-"),
                             mon.struct[1].str.to_lowercase().replace_strict(MONTHS, default=None),
                             pl.lit("-"), mon.struct[0].str.zfill(2))
    candidates = [from_dmy, iso, from_mon]
    matched = dmy.struct[0].is_not_null() | iso.is_not_null() | mon.struct[0].is_not_null()
    dates = [c.str.to_date("%Y-%m-%d", strict=False) for c in candidates]
    if from_excel:
        serial = text.str.extract(r"^(\d{5})(?:\.0+)?$", 1).cast(pl.Int64, strict=False)
        serial = pl.when(serial.is_between(20_000, 80_000)).then(serial).otherwise(None)
        dates.append(pl.lit(0).cast(pl.Date) + pl.duration(days=serial - 25_569))  # 25569 = 1970-01-01
        matched = matched | serial.is_not_null()
    value = pl.coalesce(dates)
    reason = (pl.when(~matched).then(pl.concat_str(
        pl.lit("not a date in a known format (dd/mm/yyyy or yyyy-mm-dd) (shape "), shape(text), pl.lit(")")))
        .when(value.is_null()).then(pl.concat_str(pl.lit("not a real calendar date (shape "), shape(text),
                                                   pl.lit(")")))
        .otherwise(None))
    return value, reason


def month_first_evidence(raw: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(only valid month-first, only valid day-first) flags for slash dates: the file's date order."""
    parts = cleaned(raw).str.extract_groups(_DMY)
    first = parts.struct[0].cast(pl.Int32, strict=False)
    second = parts.struct[1].cast(pl.Int32, strict=False)
    return (first <= 12) & (second > 12) & (second <= 31), (first > 12) & (second <= 12)


def _bool(text: pl.Expr, column: Column, from_excel: bool):
    low = text.str.to_lowercase()
    value = pl.when(low.is_in(TRUE)).then(True).when(low.is_in(FALSE)).then(False).otherwise(None)
    return value, _reason(value.is_null(), "not yes/no (shape ", shape(text), ")")


def code_of(text: pl.Expr) -> pl.Expr:
    """'In Progress' -> 'in_progress', 'Non-binary' -> 'non_binary'; keeps '18-24' and '65+'."""
    low = text.str.to_lowercase().str.strip_chars()
    return (pl.when(low.str.contains(r"^[\d\s+-]+$")).then(low.str.replace_all(r"\s", ""))
            .otherwise(low.str.replace_all(r"[^0-9a-z+]+", "_").str.strip_chars("_")))


def _shown(allowed: tuple[str, ...]) -> str:
    return ", ".join(allowed[:10]) + (" ..." if len(allowed) > 10 else "")


def _enum(text: pl.Expr, column: Column, from_excel: bool):
    code = code_of(text)
    bad = ~code.is_in(list(column.allowed))
    return code, _reason(bad, "not one of the allowed values (", _shown(column.allowed), ") (shape ", shape(text),
                         ")")


def _list(text: pl.Expr, column: Column, from_excel: bool):
    items = (text.str.replace_all(r"[;,|]", ";").str.split(";")
             .list.eval(code_of(pl.element())).list.eval(pl.element().filter(pl.element() != ""))
             .list.unique(maintain_order=True))
    unknown = items.list.eval(pl.element().filter(~pl.element().is_in(list(column.allowed))))
    reason = _reason(unknown.list.len() > 0, unknown.list.len().cast(pl.String),
                     f" unknown item(s) (allowed: {_shown(column.allowed)}) (shape ", shape(text), ")")
    value = pl.when(items.list.len() > 0).then(items.list.join(";")).otherwise(None)
    return value, reason


_PARSERS = {"text": _text, "money": _money, "decimal": _decimal, "int": _int, "date": _date,
            "bool": _bool, "enum": _enum, "list": _list}


def normalised_postcode(raw: pl.Expr) -> pl.Expr:
    """'ox46ab' -> 'OX4 6AB'; null where it is not a full UK postcode."""
    compact = raw.str.to_uppercase().str.replace_all(r"\s+", "")
    valid = compact.str.contains(r"^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$")
    return pl.when(valid).then(pl.concat_str(compact.str.slice(0, compact.str.len_chars() - 3), pl.lit(" "),
                                             compact.str.slice(-3))).otherwise(None)


def outward_code(raw: pl.Expr) -> pl.Expr:
    """The district part of a postcode ('OX4'), from a full postcode or an outward code alone."""
    full = normalised_postcode(raw)
    compact = raw.str.to_uppercase().str.replace_all(r"\s+", "")
    alone = pl.when(compact.str.contains(r"^[A-Z]{1,2}\d[A-Z\d]?$")).then(compact).otherwise(None)
    return pl.coalesce(full.str.split(" ").list.first(), alone)


# --- the cheap path: most cells of a real file are ordinary, so they get one or two operations -----
# `fast` returns (value, needs_full): rows where needs_full is true go through `parse` for their
# value and reason. A fast value is only ever one that `parse` would also produce.

_NULL_VARIANTS = sorted({v for t in NULL_TOKENS for v in (t, t.upper(), t.title())})
_PLAIN_MONEY = r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d{1,2})?$"


def fast(text: pl.Expr, column: Column) -> tuple[pl.Expr, pl.Expr]:
    empty = text.is_null() | text.is_in(_NULL_VARIANTS)
    kind = column.type
    if kind == "text":
        value = text
        unusual = text.str.starts_with("#") | (text.str.len_bytes() > MAX_TEXT)
    elif kind == "money":
        # Credit notes in brackets, '(£1,234.56)', are common: read as '-1,234.56' (no minus
        # inside the bracket). A pound sign only first, or just after a leading minus or bracket;
        # at most two decimals, so the decimal cast is exact. Anything else: the full parse.
        opened, closed = text.str.starts_with("("), text.str.ends_with(")")
        plain = text.str.replace("(", "-", literal=True).str.strip_suffix(")").str.replace("£", "", literal=True)
        pound = text.str.find("£", literal=True)
        pound_placed = pound.is_null() | (pound == 0) | ((pound == 1) & (opened | text.str.starts_with("-")))
        unusual = (~plain.str.contains(_PLAIN_MONEY) | (opened != closed) | ~pound_placed
                   | text.str.starts_with("(-"))
        value = plain.str.replace_all(",", "", literal=True).cast(pl.Decimal(18, 2), strict=False)
    elif kind in ("decimal", "int"):
        value = text.cast(pl.Float64, strict=False)
        unusual = value.is_null() | ~value.is_finite() | ~text.str.contains(r"^-?\d+(?:\.\d+)?$")
        if kind == "int":
            unusual = unusual | (value != value.round(0))
            value = value.cast(pl.Int64, strict=False)
    elif kind == "date":
        value = pl.coalesce(text.str.to_date("%d/%m/%Y", strict=False), text.str.to_date("%Y-%m-%d", strict=False))
        unusual = value.is_null() | (value.dt.year() < 1900) | (text.str.len_bytes() > 10)
    elif kind == "bool":
        low = text.str.to_lowercase()
        value = pl.when(low.is_in(TRUE)).then(True).when(low.is_in(FALSE)).then(False).otherwise(None)
        unusual = value.is_null()
    elif kind == "enum":
        value = text.str.to_lowercase()
        unusual = ~value.is_in(list(column.allowed))
    else:  # lists are short and rare: always the full parse
        value, unusual = pl.lit(None, pl.String), pl.lit(True)
    if kind in ("money", "decimal", "int"):
        if column.min is not None:
            unusual = unusual | (value < column.min)
        if column.max is not None:
            unusual = unusual | (value > column.max)
    return pl.when(empty).then(None).otherwise(value), ~empty & unusual.fill_null(True)
