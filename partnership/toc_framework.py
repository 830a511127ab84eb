"""The partnership's Theory of Change framework (spec §5): configuration, editable without code.

`[toc] framework` in impact.toml names a CSV of the partnership's own indicators, one row each,
with the columns of the shipped framework (dbt seed `toc_framework`). Without it the shipped
framework is used: Oxfordshire's, built from the OIEP and CLES documents, its baselines and targets
ILLUSTRATIVE. A configured file is checked here when the configuration is read, each error naming
the file, row and column, and reaches dbt as the var `toc_framework` (orchestration/dbt_vars.py),
whose rows replace the seed's in `reference.toc_framework` when it is built (macro
`toc_framework_replace`): the seed's tests, the `toc_indicators` mart and the snapshot then hold them.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

from ingest.reference.editions import SEEDS_DIR

SHIPPED = SEEDS_DIR / "toc_framework.csv"
SHIPPED_FOR = "E10000025"  # the area the shipped framework was written for: Oxfordshire

COLUMNS = ("indicator_id", "working_group", "toc_level", "indicator_name", "metric_id", "baseline_year",
           "baseline_value", "target_year", "target_value", "direction", "source", "values_note")
CHOICES = {
    "working_group": ("inclusive_employment", "social_value_procurement", "place_based", "educational_attainment",
                      "partnership"),
    "toc_level": ("input", "activity", "output", "outcome", "impact"),
    "direction": ("up", "down"),
}
REQUIRED = ("indicator_id", "working_group", "toc_level", "indicator_name", "metric_id", "baseline_year",
            "target_year", "direction", "source")
NUMBERS = ("baseline_value", "target_value")  # empty: the indicator reads grey (no baseline or target)


class FrameworkError(ValueError):
    """A framework file that cannot be used, naming the file, and the row and column where one is at fault."""


def read_framework(path: Path, year_start_month: int) -> list[dict]:
    """The indicators of a framework file, checked: every column of the shipped framework and no
    other; ids unique; working group, level and direction from their lists; the metric in the
    catalogue; years labelled as the partnership's reporting years, the target not before the
    baseline; values numbers (or empty)."""
    from partnership.reporting_years import start_year

    if not path.is_file():
        raise FrameworkError(f"[toc] framework {path}: no such file")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = [c.strip() for c in reader.fieldnames or []]
        missing = [c for c in COLUMNS if c not in header]
        unknown = [c for c in header if c not in COLUMNS]
        if missing or unknown:
            problems = ([f"missing column{'s' * (len(missing) > 1)} {', '.join(missing)}"] if missing else []) + (
                [f"unknown column{'s' * (len(unknown) > 1)} {', '.join(unknown)}"] if unknown else [])
            raise FrameworkError(f"{path}: {'; '.join(problems)} (the columns are those of "
                                 f"dbt_project/seeds/reference/{SHIPPED.name}: {', '.join(COLUMNS)})")
        reader.fieldnames = header
        rows = list(reader)
    if not rows:
        raise FrameworkError(f"{path}: no indicators (a header and no rows); leave [toc] framework empty for "
                             "the shipped framework")
    metrics = _catalogue()
    seen: dict[str, int] = {}
    indicators = []
    for number, raw in enumerate(rows, start=2):  # row 1 is the header, as a spreadsheet numbers it

        def fault(column: str, problem: str, _n: int = number) -> FrameworkError:
            return FrameworkError(f"{path}, row {_n}, column {column}: {problem}")

        if None in raw:
            raise fault(COLUMNS[-1], f"{len(header) + len(raw[None])} values for {len(header)} columns")
        row = {c: (raw.get(c) or "").strip() for c in COLUMNS}
        for column in REQUIRED:
            if not row[column]:
                raise fault(column, "empty")
        for column, allowed in CHOICES.items():
            if row[column] not in allowed:
                raise fault(column, f"{row[column]!r} is not one of {', '.join(allowed)}")
        if row["metric_id"] not in metrics:
            raise fault("metric_id", f"{row['metric_id']!r} is not a metric of the catalogue "
                                     f"(dbt_project/seeds/reference/metric_definitions.csv: {', '.join(metrics)})")
        if row["indicator_id"] in seen:
            raise fault("indicator_id", f"{row['indicator_id']!r} is also the id of row {seen[row['indicator_id']]}")
        seen[row["indicator_id"]] = number
        starts = {}
        for column in ("baseline_year", "target_year"):
            try:
                starts[column] = start_year(row[column], year_start_month)
            except ValueError as exc:
                raise fault(column, str(exc)) from None
        if starts["target_year"] < starts["baseline_year"]:
            raise fault("target_year", f"{row['target_year']} is before the baseline year {row['baseline_year']}")
        indicator: dict = {**row, "values_note": row["values_note"] or None}
        for column in NUMBERS:
            indicator[column] = _number(row[column], fault, column)
        indicators.append(indicator)
    return indicators


def _number(text: str, fault, column: str) -> float | None:
    if not text:
        return None
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        raise fault(column, f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise fault(column, f"{text!r} is not a finite number")
    return value


def _catalogue() -> list[str]:
    with (SEEDS_DIR / "metric_definitions.csv").open(newline="", encoding="utf-8") as handle:
        return [row["metric_id"] for row in csv.DictReader(handle)]
