"""What a pack publishes, as the auditor reads it: facts (a number, or a withheld cell, for a key
year | metric | geography | part), the metric rows with their notes, and every other piece of text.

A fact remembers where it was read (file and cell), so a finding can name it. Numbers read from
CSVs and workbooks are exact; numbers read from the report's formatted text are exact only for
counts (money and means are rounded there) and serve to compare files, not to derive.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

Key = tuple[str, str, str, str]  # reporting year, metric id, geography code, part
PARTS = ("value", "numerator", "denominator", "n", "ci_low", "ci_high")
_MINUS = "\u2212"


@dataclass(frozen=True)
class Where:
    file: str
    cell: str

    def __str__(self) -> str:
        return f"{self.file} {self.cell}"


@dataclass(frozen=True)
class Fact:
    key: Key
    value: float | None  # None: shown as the suppression marker
    exact: bool
    where: Where


@dataclass(frozen=True)
class Row:
    """A published metric row (CSV or workbook): enough to judge its notes."""
    year: str
    metric: str
    geography: str
    level: str
    unit: str
    hidden: bool
    notes: str
    where: Where  # the notes cell


@dataclass(frozen=True)
class Text:
    where: Where
    text: str


@dataclass
class Pack:
    """Everything read from one pack folder."""
    name: str
    year: str = ""
    marker: str = "[c]"
    facts: list[Fact] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    units: dict[str, str] = field(default_factory=dict)
    family: dict[str, str] = field(default_factory=dict)
    person_counts: set[str] = field(default_factory=set)
    county: str = ""
    levels: dict[str, str] = field(default_factory=dict)  # geography code: county|district|category
    codes: dict[str, str] = field(default_factory=dict)  # area name: geography code
    categories: dict[tuple[str, str, str], str] = field(default_factory=dict)  # metric, label, name: code
    html_numbers: set[str] = field(default_factory=set)
    pdf_numbers: list[tuple[Where, str]] = field(default_factory=list)


def number(text: object, marker: str) -> tuple[bool, float | None]:
    """(present, value) of a cell as published: the marker is present with value None; blank is
    absent; anything else must parse as a number."""
    if text is None:
        return False, None
    if isinstance(text, bool):
        return False, None
    if isinstance(text, int | float):
        return (not math.isnan(text)), (None if math.isnan(text) else float(text))
    raw = str(text).strip()
    if raw == marker:
        return True, None
    if not raw or raw.lower() in ("no data", "–", "-"):
        return False, None
    value = parse_shown(raw)
    return (value is not None), value


SHOWN = re.compile(r"^([+\-\u2212]?)£?([\d,]*\.?\d+)\s*([km]?)(%| points)?$")


def parse_shown(text: str) -> float | None:
    """A number as the report prints it: '£1.9m', '−£2,000', '44.0%', '+37', '7.38'."""
    raw = text.strip().replace(f"{_MINUS}£", f"{_MINUS}").replace("-£", "-")
    match = SHOWN.match(raw.replace("£", "", 1) if raw.startswith("£") else raw)
    if not match:
        return None
    sign, digits, scale, _ = match.groups()
    value = float(digits.replace(",", "")) * {"": 1, "k": 1e3, "m": 1e6}[scale]
    return -value if sign in ("-", _MINUS) else value


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def read_definitions(pack: Pack, folder: Path) -> None:
    path = folder / "definitions.csv"
    if not path.exists():
        return
    for row in read_csv(path):
        pack.units[row["metric_id"]] = row.get("unit", "")
        pack.family[row["metric_id"]] = row.get("family", "")
        if str(row.get("is_person_count", "")).lower() in ("true", "1", "yes"):
            pack.person_counts.add(row["metric_id"])


def read_metric_rows(pack: Pack, path: Path, *, breakdown: bool = False) -> None:
    """metrics.csv (or metric_breakdowns.csv): one fact per number column, one Row per line."""
    for i, row in enumerate(read_csv(path), start=2):
        year, metric = row.get("reporting_year", ""), row.get("metric_id", "")
        if breakdown:
            geography, level = f"{row['breakdown']}:{row['category']}", "category"
            pack.categories[(metric, row["breakdown"], row.get("category_name", ""))] = geography
        else:
            geography, level = row.get("geography_code", ""), row.get("geography_level", "")
            pack.codes[row.get("geography_name", "")] = geography
            if level == "county":
                pack.county = geography
        pack.levels[geography] = level
        pack.year = pack.year or year
        for part in PARTS:
            present, value = number(row.get(part), pack.marker)
            if present:
                pack.facts.append(Fact((year, metric, geography, part), value, True,
                                       Where(path.name, f"row {i}, column {part}")))
        hidden = (row.get("value") or "").strip() == pack.marker
        pack.rows.append(Row(year, metric, geography, level, row.get("unit") or pack.units.get(metric, ""),
                             hidden, row.get("notes") or "", Where(path.name, f"row {i}, column notes")))


def read_toc(pack: Pack, path: Path) -> None:
    """An indicator's actual is its metric's county value; actual = baseline + change."""
    for i, row in enumerate(read_csv(path), start=2):
        key = (row.get("reporting_year", ""), row.get("metric_id", ""), pack.county)
        for column, part in (("actual", "value"), ("actual_ci_low", "ci_low"), ("actual_ci_high", "ci_high")):
            present, value = number(row.get(column), pack.marker)
            if present:
                pack.facts.append(Fact((*key, part), value, True, Where(path.name, f"row {i}, column {column}")))
        _, change = number(row.get("change_since_baseline"), pack.marker)
        _, baseline = number(row.get("baseline_value"), pack.marker)
        if change is not None and baseline is not None:
            pack.facts.append(Fact((*key, "value"), baseline + change, True,
                                   Where(path.name, f"row {i}, columns baseline_value + change_since_baseline")))


