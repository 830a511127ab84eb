"""What a suite is made of: a frame to validate and checks, each with its severity beside it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd
from great_expectations.expectations import Expectation

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Check:
    """One GX expectation with the words a steward reads when it fails."""

    name: str  # plain words, e.g. "percentages lie between 0 and 100"
    severity: Severity  # error stops publication; warning publishes with a note on the cover
    expectation: Expectation
    expected: str  # what a pass looks like, in plain words
    concern_columns: tuple[str, ...] = ("metric_id", "geography_level", "geography_code")


@dataclass(frozen=True)
class SuiteSpec:
    """A named suite over one frame (a table of the year, or a frame derived across rows/tables)."""

    name: str
    frame: pd.DataFrame
    checks: tuple[Check, ...]
