"""Apply a feed contract to a sheet: find the header row and the entity, map header spellings to
canonical columns, skip blank and footer/total rows, parse every cell, and split the rows into
records that load and issues that go to quarantine (file, row, column, raw value, reason).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest import values
from ingest.contracts import Column, Entity, normalise_header
from ingest.readers import Sheet

HEADER_SEARCH_ROWS = 30
_TOTAL = re.compile(r"^\s*(grand\s+|sub\s*-?\s*)?totals?\b", re.IGNORECASE)


class WrongLayout(ValueError):
    """No sheet of the file has the header of any entity of the feed."""


@dataclass
class Issue:
    row_number: int
    column: str
    raw_value: str
    reason: str


@dataclass
class Conformed:
    entity: Entity
    source: str
    header_row: int
    records: list[dict] = field(default_factory=list)  # canonical names; '_row_number' added
    issues: list[Issue] = field(default_factory=list)
    rows_read: int = 0
    rows_quarantined: int = 0
    footer_rows: int = 0
    blank_rows: int = 0
    dropped_pii: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


def find_header(sheet: Sheet, entities: list[Entity]) -> tuple[int, Entity, dict[int, str]]:
    """The header row (index into sheet.rows), its entity, and position -> canonical column."""
    best: tuple[int, int, Entity, dict[int, str]] | None = None
    nearest: tuple[int, Entity, list[str]] | None = None
    for index, (_, cells) in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        spellings = [normalise_header(c) for c in cells]
        for entity in entities:
            mapping: dict[int, str] = {}
            for position, spelling in enumerate(spellings):
                name = entity.header_index.get(spelling)
                if name and name not in mapping.values():
                    mapping[position] = name
            matched = set(mapping.values())
            missing = [r for r in entity.required if r not in matched]
            score = len(matched)
            if not missing and (best is None or score > best[0]):
                best = (score, index, entity, mapping)
            elif missing and score >= 2 and (nearest is None or score > nearest[0]):
                nearest = (score, entity, missing)
    if best:
        return best[1], best[2], best[3]
    if nearest:
        _, entity, missing = nearest
        raise WrongLayout(
            f"{sheet.source}: looks like {entity.feed} {entity.name} but has no column for "
            f"{', '.join(missing)} (add the publisher's spelling to ingest/contracts/{entity.feed}.yaml)"
        )
    feeds = sorted({e.feed for e in entities})
    raise WrongLayout(
        f"{sheet.source}: no header row matching the {'/'.join(feeds)} contract in the first "
        f"{HEADER_SEARCH_ROWS} rows"
    )


def conform(sheet: Sheet, entities: list[Entity]) -> Conformed:
    header_index, entity, mapping = find_header(sheet, entities)
    header_number, header_cells = sheet.rows[header_index]
    pii_names = {c.name for c in entity.drop_pii}
    columns = {c.name: c for c in entity.columns}
    out = Conformed(entity, sheet.source, header_number)
    out.dropped_pii = sorted({header_cells[p].strip() for p, n in mapping.items() if n in pii_names})
    out.ignored_columns = [
        c.strip() for p, c in enumerate(header_cells) if p not in mapping and c.strip()
    ]
    wanted = [(p, columns[n]) for p, n in mapping.items() if n in columns]
    money = [p for p, c in wanted if c.type == "money"]
    required_other = [p for p, c in wanted if c.required and c.type != "money"]
    seen_keys: dict[tuple, int] = {}

    for row_number, cells in sheet.rows[header_index + 1:]:
        if not any(c.strip() for c in cells):
            out.blank_rows += 1
            continue
        if _is_footer(cells, money, required_other):
            out.footer_rows += 1
            continue
        out.rows_read += 1
        record, issues, fatal = _parse_row(cells, wanted, row_number, sheet.from_excel)
        if not fatal and entity.business_key:
            key = tuple(record.get(k) for k in entity.business_key)
            if key in seen_keys:
                issues.append(Issue(row_number, ",".join(entity.business_key), "|".join(map(str, key)),
                                    f"repeats the key of row {seen_keys[key]} in the same file"))
                fatal = True
            else:
                seen_keys[key] = row_number
        out.issues.extend(issues)
        if fatal:
            out.rows_quarantined += 1
        else:
            record["_row_number"] = row_number
            out.records.append(record)
    return out


def _is_footer(cells: list[str], money: list[int], required_other: list[int]) -> bool:
    if any(_TOTAL.match(c) for c in cells if c):
        return True
    cell = lambda p: cells[p].strip() if p < len(cells) else ""  # noqa: E731
    return bool(money) and all(not cell(p) for p in required_other) and any(cell(p) for p in money)


def _parse_row(cells: list[str], wanted: list[tuple[int, Column]], row_number: int,
               from_excel: bool) -> tuple[dict, list[Issue], bool]:
    record: dict = {}
    issues: list[Issue] = []
    fatal = False
    for position, column in wanted:
        raw = cells[position] if position < len(cells) else ""
        try:
            value = parse_cell(raw, column, from_excel)
            if value is None and column.required:
                raise values.BadValue("required value is missing")
        except values.BadValue as exc:
            issues.append(Issue(row_number, column.name, raw[:500], str(exc)))
            if column.on_invalid == "null_and_record":
                value = None
            else:
                fatal = True
                continue
        record[column.name] = value
    return record, issues, fatal


def parse_cell(raw: str, column: Column, from_excel: bool = False):
    kind = column.type
    if kind == "money":
        value = values.parse_money(raw)
    elif kind == "decimal":
        value = values.parse_decimal(raw)
    elif kind == "int":
        value = values.parse_int(raw)
    elif kind == "date":
        return values.parse_date(raw, from_excel)
    elif kind == "bool":
        return values.parse_bool(raw)
    elif kind == "enum":
        return values.parse_enum(raw, column.allowed)
    elif kind == "list":
        return values.parse_list(raw, column.allowed)
    else:
        return values.parse_text(raw)
    if value is not None:
        if column.min is not None and value < column.min:
            raise values.BadValue(f"{raw.strip()} is below the minimum {column.min:g}")
        if column.max is not None and value > column.max:
            raise values.BadValue(f"{raw.strip()} is above the maximum {column.max:g}")
    return value
