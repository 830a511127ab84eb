"""How `impact sql` shows a result: every DuckDB type, every number exact.

Numbers come from DuckDB as Python numbers and are written in plain decimal notation: integers
as integers (`543`, never `543.0`), DECIMALs with their scale, doubles as the shortest decimal
that reads back to the same double, never in scientific notation (`126740000`, not `1.2674e8`).
Money is shown in the table with thousands separators and two decimals (`£` left out, so a
column can be pasted into a spreadsheet). A column is money when its name ends in `_gbp` (also
inside an expression's name, as in `sum(amount_gbp)`) or its type is DECIMAL(p, 2), the
warehouse's money type. `--csv` and `--json` write the exact values without separators.

Every other type (intervals, dates, timestamps with a time zone, infinities, blobs, UUIDs,
unions, maps, lists, structs) is written the way DuckDB itself casts it to text, so nothing
needs a Python counterpart; in `--json` nested values are real JSON (from DuckDB's to_json).
Nothing is cut: a long cell makes a wide table; control characters in text are escaped."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any, TextIO

INTEGER_IDS = frozenset({"tinyint", "smallint", "integer", "bigint", "hugeint", "utinyint",
                         "usmallint", "uinteger", "ubigint", "uhugeint"})
NESTED_IDS = frozenset({"list", "array", "struct", "map", "union"})
_MONEY_NAME = re.compile(r"(?:^|_)gbp(?![a-z0-9_])", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_PENNY = Decimal("0.01")
_SPECIAL = {"nan": "NaN", "-nan": "NaN", "inf": "Infinity", "infinity": "Infinity",
            "-inf": "-Infinity", "-infinity": "-Infinity"}


@dataclass(frozen=True)
class Column:
    """A result column and how its values travel: `kind` is int, decimal, double, bool, number
    (exact number as text: FLOAT, BIGNUM), json (nested, --json only) or text."""

    name: str
    type_name: str
    kind: str

    @property
    def numeric(self) -> bool:
        return self.kind in ("int", "decimal", "double", "number")

    @property
    def money(self) -> bool:
        two_places = self.kind == "decimal" and self.type_name.replace(" ", "").endswith(",2)")
        return self.numeric and (two_places or bool(_MONEY_NAME.search(self.name)))


def plan_columns(names: list[str], types: list[Any], mode: str) -> tuple[list[Column], str]:
    """The columns, and the select list that fetches them from `(query)` by position."""
    columns, exprs = [], []
    for position, (name, duck_type) in enumerate(zip(names, types, strict=True), start=1):
        type_id, ref = str(duck_type.id).lower(), f"#{position}"
        if type_id in INTEGER_IDS:
            kind, expr = "int", ref
        elif type_id == "decimal":
            kind, expr = "decimal", ref
        elif type_id == "double":
            kind, expr = "double", ref
        elif type_id == "boolean":
            kind, expr = "bool", ref
        elif type_id in ("float", "bignum", "varint"):
            kind, expr = "number", f"CAST({ref} AS VARCHAR)"
        elif type_id in NESTED_IDS and mode == "json":
            kind, expr = "json", f"CAST(to_json({ref}) AS VARCHAR)"
        else:
            kind, expr = "text", f"CAST({ref} AS VARCHAR)"
        columns.append(Column(name, str(duck_type), kind))
        exprs.append(expr)
    return columns, ", ".join(exprs)


def exact_number(value: Any) -> str:
    """An int, Decimal, float or number text in plain decimal notation, without losing a digit."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f")  # a DECIMAL keeps its declared scale
    text = repr(value) if isinstance(value, float) else str(value)
    if text.lower() in _SPECIAL:
        return _SPECIAL[text.lower()]
    fixed = format(Decimal(text), "f")
    return fixed[:-2] if fixed.endswith(".0") else fixed  # a whole double is an integer: 543


def money(value: Any) -> str:
    text = exact_number(value)
    if text in ("NaN", "Infinity", "-Infinity"):
        return text
    with localcontext(prec=400):  # the widest double has 309 digits before the point
        return f"{Decimal(text).quantize(_PENNY, rounding=ROUND_HALF_UP):,}"


def cell(value: Any, column: Column, *, for_people: bool) -> str:
    """One value as text: NULL for people, empty in CSV."""
    if value is None:
        return "NULL" if for_people else ""
    if column.numeric or column.kind == "bool":
        return money(value) if for_people and column.money else exact_number(value)
    text = str(value)
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text) if for_people else text


def json_value(value: Any, column: Column) -> str:
    """One value as a JSON text: numbers as exact JSON numbers, NaN and infinities as strings."""
    if value is None:
        return "null"
    if column.kind == "bool":
        return "true" if value else "false"
    if column.numeric:
        text = exact_number(value)
        return json.dumps(text) if text in ("NaN", "Infinity", "-Infinity") else text
    if column.kind == "json":
        parsed = json.loads(value, parse_float=Decimal, parse_constant=lambda name: name)
        return _dump_json(parsed)
    return json.dumps(value, ensure_ascii=False)


def _dump_json(value: Any) -> str:
    if isinstance(value, Decimal):
        return exact_number(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k, ensure_ascii=False)}:{_dump_json(v)}"
                              for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_dump_json(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def width(text: str) -> int:
    """Columns a text takes in a terminal (wide East Asian characters and emoji take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 0 if unicodedata.combining(ch) else 1
               for ch in text)


def write_table(out: TextIO, columns: list[Column], rows: list[tuple], total: int) -> None:
    """A boxed table: names, types, rows (numbers right-aligned), and how many rows there were."""
    header = [c.name for c in columns]
    types = [c.type_name.lower() for c in columns]
    body = [[cell(v, c, for_people=True) for v, c in zip(row, columns, strict=True)] for row in rows]
    widths = [max([width(h), width(t)] + [width(r[i]) for r in body])
              for i, (h, t) in enumerate(zip(header, types, strict=True))]

    def line(cells: list[str], right: list[bool]) -> str:
        parts = []
        for text, size, align_right in zip(cells, widths, right, strict=True):
            pad = " " * (size - width(text))
            parts.append(pad + text if align_right else text + pad)
        return "│ " + " │ ".join(parts) + " │"

    left = [False] * len(columns)
    numeric = [c.numeric for c in columns]
    print("┌─" + "─┬─".join("─" * w for w in widths) + "─┐", file=out)
    print(line(header, left), file=out)
    print(line(types, left), file=out)
    print("├─" + "─┼─".join("─" * w for w in widths) + "─┤", file=out)
    for row in body:
        print(line(row, numeric), file=out)
    print("└─" + "─┴─".join("─" * w for w in widths) + "─┘", file=out)
    shown = len(rows)
    if shown == total:
        print(f"{total} row{'s' if total != 1 else ''}", file=out)
    else:
        print(f"{shown} of {total} rows shown (--max-rows N for more; --csv or --json for all)", file=out)
